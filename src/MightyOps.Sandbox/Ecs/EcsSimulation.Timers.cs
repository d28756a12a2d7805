namespace MightyOps.Sandbox.Ecs;

// Timed events of the infrastructure around ECS (an EC2 instance booting, its agent registering,
// a termination finishing): they run on the same simulated clock, in order with the tasks and the
// service scheduler, so a request always sees one consistent moment.
internal sealed partial class EcsSimulation
{
    private readonly List<(DateTimeOffset At, long Seq, Action Action)> _timers = [];

    /// <summary>Runs <paramref name="action"/> (under the world's lock) when simulated time reaches <paramref name="at"/>.</summary>
    public void At(DateTimeOffset at, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _timers.Add((Truncate(at), NextSeq(), action));
    }

    private DateTimeOffset? NextTimer() => _timers.Count == 0 ? null : _timers.Min(t => t.At);

    private void RunTimers()
    {
        foreach ((DateTimeOffset At, long Seq, Action Action) timer in _timers.Where(t => t.At <= Now).OrderBy(t => t.At).ThenBy(t => t.Seq).ToList())
        {
            _timers.Remove(timer);
            timer.Action();
        }
    }
}
