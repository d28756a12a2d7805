using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>
/// Base of Start-MightyTask and Wait-MightyTask: -Timeout, the watch of the runs with its
/// progress, log lines and Ctrl+C message (<see cref="TaskRunDisplay"/>), and each run written
/// with its error when it ended badly.
/// </summary>
public abstract class TaskWatchCmdlet : ClusterCmdlet
{
    private TaskRunDisplay? _display;

    /// <summary>How long to wait for the tasks to stop; a number is seconds. The tasks go on after it (TaskWaitTimedOut).</summary>
    [Parameter]
    [SecondsToTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The progress activity ("Running").</summary>
    private protected abstract string Activity { get; }

    protected override void BeginProcessing()
    {
        if (Timeout <= TimeSpan.Zero)
        {
            ThrowMightyError(new MightyOpsException(DeployErrorIds.InvalidTimeout, $"-Timeout must be positive, not {Timeout}.", Timeout));
        }
        base.BeginProcessing();
        _display = new TaskRunDisplay(this, Activity);
    }

    protected override void StopProcessing()
    {
        if (_display is { IsWatching: true })
        {
            // Written from Ctrl+C's thread: the pipeline thread is about to stop, so the host writes it.
            WriteHostWarning(_display.StoppedMessage());
        }
        base.StopProcessing();
    }

    /// <summary>Waits for <paramref name="runs"/> to stop, then writes each with its error; runs that never existed are written as they are.</summary>
    private protected void WaitAndWrite(IReadOnlyList<MightyTaskRun> runs)
    {
        if (runs.Count == 0)
        {
            return;
        }
        var watcher = new TaskRunWatcher(Aws, Log);
        IReadOnlyList<MightyTaskRun> ended = _display!.Watch(runs, Run, ct => watcher.WaitAsync(runs, Timeout, _display.Progress, _display.OnLine, ct));
        foreach (MightyTaskRun run in ended)
        {
            _display.Write(run, Timeout);
        }
    }

    /// <summary>Writes runs as they stand (-NoWait), with the errors of those that already failed.</summary>
    private protected void WriteAll(IEnumerable<MightyTaskRun> runs)
    {
        foreach (MightyTaskRun run in runs)
        {
            _display!.Write(run);
        }
    }
}
