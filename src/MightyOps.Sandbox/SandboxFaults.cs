using System.Collections.Concurrent;
using System.Diagnostics;
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
/// sequence of outcomes is repeatable: one roll per request in scope, in arrival order. Rates and
/// latency each apply to every AWS request, or only to the services (<c>s3</c>) and operations
/// (<c>ecs.RegisterTaskDefinition</c>) named in their scope.
/// </summary>
public sealed class SandboxFaults
{
    private readonly object _gate = new();
    private readonly Random _random;
    private readonly ConcurrentDictionary<string, long> _injected = new(StringComparer.Ordinal);
    private double _throttlingRate;
    private double _serverErrorRate;
    private TimeSpan _latency;
    private string[] _ratesScope = [];
    private string[] _latencyScope = [];

    // Cancelled (and replaced) whenever the latency changes, so that requests held back by the old
    // latency are measured against the new one at once: lowering it lets them through.
    private CancellationTokenSource _latencyChanged = new();

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

    /// <summary>Delay added before every AWS request in <see cref="LatencyScope"/> is handled (0 to 5 minutes).</summary>
    public TimeSpan Latency
    {
        get { lock (_gate) { return _latency; } }
        set => SetLatency(value, LatencyScope);
    }

    /// <summary>The services and operations the rates apply to; empty for every AWS request.</summary>
    public IReadOnlyList<string> RatesScope
    {
        get { lock (_gate) { return _ratesScope; } }
    }

    /// <summary>The services and operations the latency applies to; empty for every AWS request.</summary>
    public IReadOnlyList<string> LatencyScope
    {
        get { lock (_gate) { return _latencyScope; } }
    }

    /// <summary>Faults injected so far per <c>service.Operation</c> (throttling and server errors together).</summary>
    public IReadOnlyDictionary<string, long> InjectedCounts => new SortedDictionary<string, long>(_injected, StringComparer.Ordinal);

    /// <summary>Starts <see cref="InjectedCounts"/> again from zero.</summary>
    public void ResetInjectedCounts() => _injected.Clear();

    /// <summary>
    /// Sets both rates for the requests of <paramref name="scope"/> only (<c>s3</c>,
    /// <c>ecs.UpdateService</c>; empty for every request); nothing changes when a value is invalid.
    /// </summary>
    public void SetRates(double throttlingRate, double serverErrorRate, IEnumerable<string>? scope) =>
        Set(throttlingRate, serverErrorRate, scope, Latency, LatencyScope);

    /// <summary>
    /// Sets the latency for the requests of <paramref name="scope"/> only (empty for every
    /// request). Requests already held back are measured against the new value from their arrival:
    /// lowering it to zero lets them all through.
    /// </summary>
    public void SetLatency(TimeSpan latency, IEnumerable<string>? scope) =>
        Set(ThrottlingRate, ServerErrorRate, RatesScope, latency, scope);

    /// <summary>Sets all three at once (the admin endpoint), so no request sees half a change; nothing changes when one is out of range. The scopes stay as they are.</summary>
    public void Set(double throttlingRate, double serverErrorRate, TimeSpan latency) =>
        Set(throttlingRate, serverErrorRate, RatesScope, latency, LatencyScope);

    /// <summary>Sets everything at once; every value is checked first, and nothing changes when one is invalid.</summary>
    public void Set(double throttlingRate, double serverErrorRate, IEnumerable<string>? ratesScope, TimeSpan latency, IEnumerable<string>? latencyScope)
    {
        CheckRate(throttlingRate, nameof(ThrottlingRate));
        CheckRate(serverErrorRate, nameof(ServerErrorRate));
        CheckLatency(latency);
        string[] rates = CheckScope(ratesScope);
        string[] delayed = CheckScope(latencyScope);
        CancellationTokenSource? previous = null;
        lock (_gate)
        {
            _throttlingRate = throttlingRate;
            _serverErrorRate = serverErrorRate;
            _ratesScope = rates;
            if (latency != _latency || !delayed.SequenceEqual(_latencyScope))
            {
                _latency = latency;
                _latencyScope = delayed;
                previous = _latencyChanged;
                _latencyChanged = new CancellationTokenSource();
            }
        }
        if (previous is not null)
        {
            previous.Cancel();
            previous.Dispose();
        }
    }

    /// <summary>Rolls the dice for one request (<paramref name="service"/>, <paramref name="operationKey"/> <c>service.Operation</c>): throttling first, then server errors; counts what it injects.</summary>
    internal SandboxFault Roll(string service, string operationKey)
    {
        SandboxFault fault;
        lock (_gate)
        {
            if ((_throttlingRate <= 0 && _serverErrorRate <= 0) || !InScope(_ratesScope, service, operationKey))
            {
                return SandboxFault.None;
            }
            double roll = _random.NextDouble();
            fault = roll < _throttlingRate ? SandboxFault.Throttling
                : roll < _throttlingRate + _serverErrorRate ? SandboxFault.ServerError
                : SandboxFault.None;
        }
        if (fault != SandboxFault.None)
        {
            _injected.AddOrUpdate(operationKey, 1, (_, n) => n + 1);
        }
        return fault;
    }

    /// <summary>
    /// Holds a request back for the latency in force for it, measured from now; a change of the
    /// latency while it waits is applied at once (the wait ends when the new latency has passed).
    /// </summary>
    internal async Task DelayAsync(string service, string operationKey, CancellationToken cancellationToken)
    {
        long arrived = Stopwatch.GetTimestamp();
        while (true)
        {
            TimeSpan latency;
            CancellationToken changed;
            lock (_gate)
            {
                latency = InScope(_latencyScope, service, operationKey) ? _latency : TimeSpan.Zero;
                changed = _latencyChanged.Token;
            }
            TimeSpan remaining = latency - Stopwatch.GetElapsedTime(arrived);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, changed);
            try
            {
                await Task.Delay(remaining, wait.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The latency changed: measure again.
            }
        }
    }

    private static bool InScope(string[] scope, string service, string operationKey) =>
        scope.Length == 0 || Array.Exists(scope, s => s == service || s == operationKey);

    private static string[] CheckScope(IEnumerable<string>? scope)
    {
        var entries = new List<string>();
        foreach (string entry in scope ?? [])
        {
            string service = entry?.Split('.', 2)[0] ?? string.Empty;
            if (!Auth.SignatureVerifier.Services.Contains(service) || entry!.EndsWith('.'))
            {
                throw InvalidOption("Scope", $"A fault scope names a service ({string.Join(", ", Auth.SignatureVerifier.Services.Order(StringComparer.Ordinal))}) or service.Operation (e.g. ecs.RegisterTaskDefinition), not '{entry}'.");
            }
            entries.Add(entry);
        }
        return [.. entries.Distinct(StringComparer.Ordinal)];
    }

    internal static MightyOpsException InvalidOption(string option, string message) =>
        new(SandboxErrorIds.SandboxInvalidOption, message, option);

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
