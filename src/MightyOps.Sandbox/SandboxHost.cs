namespace MightyOps.Sandbox;

/// <summary>A running sandbox: the HTTP listener on 127.0.0.1 and the world behind it.</summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private SandboxHost()
    {
        throw new NotImplementedException();
    }

    /// <summary>Seeds the world and starts listening.</summary>
    public static Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:4566</c>.</summary>
    public Uri Endpoint => throw new NotImplementedException();

    public SandboxOptions Options => throw new NotImplementedException();

    public SandboxWorld World => throw new NotImplementedException();

    public bool IsRunning => throw new NotImplementedException();

    /// <summary>Requests served so far per <c>service.Operation</c> (e.g. <c>ecs.DescribeServices</c>), faults included.</summary>
    public IReadOnlyDictionary<string, long> RequestCounts => throw new NotImplementedException();

    public void ResetRequestCounts() => throw new NotImplementedException();

    public Task StopAsync() => throw new NotImplementedException();

    public ValueTask DisposeAsync() => new(StopAsync());
}
