namespace MightyOps;

/// <summary>
/// A running local AWS endpoint (Start-MightySandbox). Point any AWS client at
/// <see cref="Endpoint"/> with the test credentials, or let Start-MightySandbox set the process
/// environment so MightyOps and the AWS CLI use it without flags.
/// </summary>
public sealed class MightySandbox
{
    private readonly Func<IReadOnlyDictionary<string, long>> _requestCounts;
    private readonly Func<bool> _isRunning;

    /// <summary>Created by the sandbox host with readers of its live state.</summary>
    public MightySandbox(Func<IReadOnlyDictionary<string, long>> requestCounts, Func<bool> isRunning)
    {
        _requestCounts = requestCounts;
        _isRunning = isRunning;
    }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:4566</c>.</summary>
    public string Endpoint { get; init; } = string.Empty;

    public int Port { get; init; }

    public string Region { get; init; } = string.Empty;

    public string AccessKeyId { get; init; } = string.Empty;

    public string SecretAccessKey { get; init; } = string.Empty;

    /// <summary>The 12-digit account id the sandbox puts in ARNs.</summary>
    public string AccountId { get; init; } = string.Empty;

    /// <summary>The seed it started with (<c>demo</c> or <c>empty</c>).</summary>
    public string Seed { get; init; } = string.Empty;

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; }

    /// <summary>Requests served so far, per <c>Service.Operation</c> (e.g. <c>ecs.DescribeServices</c>).</summary>
    public IReadOnlyDictionary<string, long> RequestCounts => PrintableDictionary<long>.From(_requestCounts())!;

    /// <summary>True while the sandbox is serving.</summary>
    public bool IsRunning => _isRunning();

    /// <inheritdoc />
    public override string ToString() => Endpoint;
}
