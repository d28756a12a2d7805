namespace MightyOps.Sandbox;

/// <summary>
/// Sandbox time: starts at the real time and runs <see cref="TimeScale"/> times faster, so a
/// rolling deployment that takes minutes in ECS takes seconds here, with ECS-like timestamps.
/// </summary>
public sealed class SimulatedClock
{
    private readonly DateTimeOffset _start;
    private readonly long _startTicks;
    private TimeSpan _offset;

    public SimulatedClock(double timeScale, TimeProvider? timeProvider = null)
    {
        if (timeScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeScale), "TimeScale must be positive.");
        }
        TimeScale = timeScale;
        Time = timeProvider ?? TimeProvider.System;
        _start = Time.GetUtcNow();
        _startTicks = Time.GetTimestamp();
    }

    public double TimeScale { get; }

    public TimeProvider Time { get; }

    /// <summary>Now, in simulated time.</summary>
    public DateTimeOffset UtcNow => _start + (Time.GetElapsedTime(_startTicks) * TimeScale) + _offset;

    /// <summary>Jumps simulated time forward (tests, and the admin endpoint).</summary>
    public void Advance(TimeSpan simulated) => _offset += simulated;

    /// <summary>The real time a simulated interval takes.</summary>
    public TimeSpan ToReal(TimeSpan simulated) => simulated / TimeScale;
}
