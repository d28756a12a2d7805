namespace MightyOps.Sandbox;

/// <summary>
/// Gives memory back to the system once the standalone sandbox has gone quiet after serving
/// requests: the runtime keeps the heap it grew to under load for reuse, so without this a
/// sandbox that was busy once holds that much for as long as it runs (docs/design/sandbox-memory.md).
/// One full compacting collection per quiet spell; a sandbox that stays idle costs nothing more.
/// </summary>
internal sealed class IdleMemoryTrim : IDisposable
{
    /// <summary>How long without an AWS request counts as quiet (admin calls do not count as requests).</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(15);

    private readonly SandboxHost _host;
    private readonly Timer _timer;
    private long _seen = -1;
    private long _trimmedAt;

    public IdleMemoryTrim(SandboxHost host)
    {
        _host = host;
        _timer = new Timer(_ => Check(), null, Quiet, Quiet);
    }

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        long served = _host.RequestsServed;
        if (served != _seen)
        {
            // Requests came in during the last period: not quiet yet.
            _seen = served;
            return;
        }
        if (served == _trimmedAt)
        {
            return;
        }
        _trimmedAt = served;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
