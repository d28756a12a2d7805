using System.Management.Automation;

namespace MightyOps.Commands;

/// <summary>
/// One Write-Progress activity fed by status lines from Core, always closed with a Completed record.
/// The console host draws progress only when a record arrives after its 200 ms tick, so a status
/// reported just before a slow git command (a push to a far remote) would stay undrawn; while the
/// work runs, the current record is written again every 250 ms.
/// </summary>
internal sealed class StatusProgress
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(250);

    private readonly MightyCmdlet _cmdlet;
    private readonly ProgressRecord _record;
    private readonly Action _refresh;
    private bool _shown;

    public StatusProgress(MightyCmdlet cmdlet, int activityId, string activity)
    {
        _cmdlet = cmdlet;
        _record = new ProgressRecord(activityId, activity, "Starting");
        Reporter = cmdlet.ProgressOnPipeline<string>(status =>
        {
            _shown = true;
            _record.StatusDescription = status;
            _cmdlet.WriteProgress(_record);
        });
        IProgress<bool> redraw = cmdlet.ProgressOnPipeline<bool>(_ =>
        {
            if (_shown)
            {
                _cmdlet.WriteProgress(_record);
            }
        });
        _refresh = () => redraw.Report(true);
    }

    public IProgress<string> Reporter { get; }

    /// <summary>Wraps Core work for <c>Run</c> so the progress display stays current while it runs.</summary>
    public Func<CancellationToken, Task<T>> Tracking<T>(Func<CancellationToken, Task<T>> work) => async ct =>
    {
        Task<T> task = work(ct);
        while (!task.IsCompleted)
        {
            // Only inside Run: the refresh is queued for the pipeline thread, never run on this one.
            if (await Task.WhenAny(task, Task.Delay(Heartbeat, CancellationToken.None)).ConfigureAwait(false) != task)
            {
                _refresh();
            }
        }
        return await task.ConfigureAwait(false);
    };

    public void Complete()
    {
        if (_shown)
        {
            _record.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(_record);
            _shown = false;
        }
    }
}
