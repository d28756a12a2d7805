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

    /// <summary>A clock that starts now and runs <paramref name="timeScale"/> simulated seconds per real second.</summary>
    public SimulatedClock(double timeScale)
    {
        if (timeScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeScale), "TimeScale must be positive.");
        }
        TimeScale = timeScale;
        _start = TimeProvider.System.GetUtcNow();
        _startTicks = TimeProvider.System.GetTimestamp();
    }

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; }

    /// <summary>Now, in simulated time.</summary>
    public DateTimeOffset UtcNow => _start + (TimeProvider.System.GetElapsedTime(_startTicks) * TimeScale) + _offset;

    /// <summary>Jumps simulated time forward (tests, and the admin endpoint). The caller holds <see cref="SandboxWorld.Sync"/>.</summary>
    public void Advance(TimeSpan simulated) => _offset += simulated;
}
