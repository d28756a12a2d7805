using MightyOps.Core;

namespace MightyOps.Sandbox;

/// <summary>What a fault roll decided for one request.</summary>
internal enum SandboxFault
{
    /// <summary>The request is served normally.</summary>
    None,

    /// <summary>ThrottlingException (JSON), RequestLimitExceeded (EC2), 503 SlowDown (S3).</summary>
    Throttling,
    /// <summary>500 ServerException (JSON) or InternalError (EC2, S3).</summary>
    ServerError,
}

/// <summary>
/// Faults injected before a request is handled; they can change while the sandbox runs (tests,
/// the <c>/_sandbox/faults</c> admin endpoint). With <see cref="SandboxOptions.RandomSeed"/> the
/// sequence of outcomes is repeatable: one roll per request, in arrival order.
/// </summary>
public sealed class SandboxFaults
{
    private readonly object _gate = new();
    private readonly Random _random;
    private double _throttlingRate;
    private double _serverErrorRate;
    private TimeSpan _latency;

    /// <summary>The fault settings of <paramref name="options"/>; throws <c>SandboxInvalidOption</c> for one out of range.</summary>
    internal SandboxFaults(SandboxOptions options)
    {
        _random = options.RandomSeed is int seed ? new Random(seed) : new Random();
        ThrottlingRate = options.ThrottlingRate;
        ServerErrorRate = options.ServerErrorRate;
        Latency = options.Latency;
    }

    /// <summary>Fraction (0..1) of requests answered with a throttling error.</summary>
    public double ThrottlingRate
    {
        get { lock (_gate) { return _throttlingRate; } }
        set { lock (_gate) { _throttlingRate = CheckRate(value, nameof(ThrottlingRate)); } }
    }

    /// <summary>Fraction (0..1) of requests answered with a 500.</summary>
    public double ServerErrorRate
    {
        get { lock (_gate) { return _serverErrorRate; } }
        set { lock (_gate) { _serverErrorRate = CheckRate(value, nameof(ServerErrorRate)); } }
    }

    /// <summary>Delay added before every AWS request is answered (0 to 5 minutes).</summary>
    public TimeSpan Latency
    {
        get { lock (_gate) { return _latency; } }
        set { lock (_gate) { _latency = CheckLatency(value); } }
    }

    /// <summary>Sets all three at once (the admin endpoint), so no request sees half a change; nothing changes when one is out of range.</summary>
    public void Set(double throttlingRate, double serverErrorRate, TimeSpan latency)
    {
        CheckRate(throttlingRate, nameof(ThrottlingRate));
        CheckRate(serverErrorRate, nameof(ServerErrorRate));
        CheckLatency(latency);
        lock (_gate)
        {
            _throttlingRate = throttlingRate;
            _serverErrorRate = serverErrorRate;
            _latency = latency;
        }
    }

    /// <summary>Rolls the dice for one request: throttling first, then server errors.</summary>
    internal SandboxFault Roll()
    {
        lock (_gate)
        {
            if (_throttlingRate <= 0 && _serverErrorRate <= 0)
            {
                return SandboxFault.None;
            }
            double roll = _random.NextDouble();
            if (roll < _throttlingRate)
            {
                return SandboxFault.Throttling;
            }
            return roll < _throttlingRate + _serverErrorRate ? SandboxFault.ServerError : SandboxFault.None;
        }
    }

    internal static MightyOpsException InvalidOption(string option, string message) =>
        new("SandboxInvalidOption", MightyErrorKind.InvalidArgument, message, option);

    private static TimeSpan CheckLatency(TimeSpan value) =>
        value >= TimeSpan.Zero && value <= TimeSpan.FromMinutes(5)
            ? value
            : throw InvalidOption(nameof(Latency), $"Latency must be between 0 and 5 minutes, not {value}.");

    private static double CheckRate(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            throw InvalidOption(name, $"{name} must be a fraction between 0 and 1 (e.g. 0.1 for 10%), not {value}.");
        }
        return value;
    }
}

/// <summary>An AWS request the sandbox received (kept when <see cref="SandboxOptions.CaptureRequests"/> is on).</summary>
/// <param name="Service"><c>ecs</c>, <c>ecr</c>, <c>ec2</c> or <c>s3</c>.</param>
/// <param name="Operation">The operation name, e.g. <c>RegisterTaskDefinition</c>.</param>
/// <param name="Body">The request body as text: JSON for ECS/ECR, the form for EC2, empty for S3.</param>
public sealed record SandboxCapturedRequest(string Service, string Operation, string Body);
