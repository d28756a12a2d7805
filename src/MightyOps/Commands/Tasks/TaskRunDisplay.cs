using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>
/// The watching half of Start-MightyTask, Wait-MightyTask and Publish-MightyService's
/// before-deploy task: one <see cref="TaskRunWatcher"/> loop, a progress record per task through
/// the lifecycle (PROVISIONING → PENDING → RUNNING → STOPPED), the command's log lines on the
/// Information stream as they arrive, and the Ctrl+C message (the tasks go on; how to stop them).
/// </summary>
internal sealed class TaskRunDisplay
{
    /// <summary>The Information tag of a task's log lines.</summary>
    public const string LogTag = "MightyOps.TaskLog";

    private readonly MightyCmdlet _cmdlet;
    private readonly string _activity;
    private readonly int _firstActivityId;
    private readonly Dictionary<string, ProgressRecord> _records = new(StringComparer.Ordinal);
    // The runs watched, as the last report showed them (a run started inside the watch is added by its first report).
    private readonly Dictionary<string, MightyTaskRun> _watched = new(StringComparer.Ordinal);

    public TaskRunDisplay(MightyCmdlet cmdlet, string activity, int firstActivityId = 1)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _firstActivityId = firstActivityId;
    }

    /// <summary>True while tasks are watched (Ctrl+C then says they go on and how to stop them).</summary>
    public bool IsWatching { get; private set; }

    /// <summary>The progress reports of a watch, drawn on the pipeline thread.</summary>
    public IProgress<TaskRunProgress> Progress => _cmdlet.ProgressOnPipeline<TaskRunProgress>(Show);

    /// <summary>A log line handed on from the watch's thread, written on the pipeline thread.</summary>
    public Action<MightyLogEvent> OnLine => e => _cmdlet.Post(() => _cmdlet.WriteInformation(e, [LogTag]));

    /// <summary>Watches <paramref name="runs"/> through <paramref name="wait"/> (the cmdlet's Run of the watch); the runs as they ended.</summary>
    public IReadOnlyList<MightyTaskRun> Watch(IReadOnlyList<MightyTaskRun> runs, Func<Func<CancellationToken, Task<IReadOnlyList<MightyTaskRun>>>, IReadOnlyList<MightyTaskRun>> run, Func<CancellationToken, Task<IReadOnlyList<MightyTaskRun>>> wait)
    {
        lock (_watched)
        {
            foreach (MightyTaskRun one in runs.Where(r => r.TaskId.Length > 0))
            {
                _watched[one.TaskId] = one;
            }
        }
        IsWatching = true;
        try
        {
            return run(wait);
        }
        finally
        {
            IsWatching = false;
            Complete();
        }
    }

    /// <summary>
    /// Writes a run and, when it ended badly (or is still going after the wait), its error:
    /// <c>TaskCommandFailed</c>, <c>TaskStartFailed</c>, <c>TaskWaitTimedOut</c>.
    /// </summary>
    public void Write(MightyTaskRun run, TimeSpan? waited = null)
    {
        _cmdlet.WriteObject(run);
        MightyOpsException? error = TaskRunState.ErrorOf(run);
        if (error is null && waited is TimeSpan timeout && !TaskRunState.IsDone(run))
        {
            error = new MightyOpsException(TasksErrorIds.TaskWaitTimedOut,
                $"Task {run.TaskId} ('{run.Command}') is still {run.LastStatus} after {Words(timeout)} (-Timeout); it goes on in ECS. {HowToFollow([run])}", run);
        }
        if (error is not null)
        {
            _cmdlet.WriteError(ErrorRecords.From(error));
        }
    }

    /// <summary>What Ctrl+C says: the tasks go on in ECS, and how to watch them again or stop them.</summary>
    public string StoppedMessage()
    {
        List<MightyTaskRun> open;
        lock (_watched)
        {
            open = _watched.Values.Where(r => !TaskRunState.IsDone(r)).ToList();
        }
        if (open.Count == 0)
        {
            return $"Stopped waiting. A task that was started goes on in ECS (stopping MightyOps does not stop it): Get-MightyTask -TaskId <id> finds it, aws ecs list-tasks --started-by {TaskRunner.StartedBy} lists them all.";
        }
        string tasks = string.Join(", ", open.Select(r => r.TaskId));
        return $"Stopped waiting. Task {tasks} goes on in ECS (stopping MightyOps does not stop it). {HowToFollow(open)}";
    }

    private static string HowToFollow(IReadOnlyList<MightyTaskRun> runs)
    {
        string cluster = runs.Select(r => r.Cluster).FirstOrDefault() ?? "default";
        string ids = string.Join(",", runs.Select(r => r.TaskId));
        return $"Watch it with: Wait-MightyTask -Cluster {cluster} -TaskId {ids}; stop it with: Stop-MightyTask -Cluster {cluster} -TaskId {ids}";
    }

    private static string Words(TimeSpan span) =>
        span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} minutes" : $"{span.TotalSeconds:0} seconds";

    private void Show(TaskRunProgress update)
    {
        MightyTaskRun run = update.Run;
        lock (_watched)
        {
            _watched[run.TaskId] = run;
        }
        if (!_records.TryGetValue(run.TaskId, out ProgressRecord? record))
        {
            record = new ProgressRecord(_firstActivityId + _records.Count, $"{_activity} '{run.Command}'", "Starting");
            _records[run.TaskId] = record;
        }
        int step = TaskRunState.StepOf(run.LastStatus);
        record.StatusDescription = $"task {run.TaskId}: {string.Join(" → ", TaskRunState.Lifecycle.Take(step + 1).Where(s => s is "PROVISIONING" or "PENDING" or "RUNNING" or "STOPPED" || s == run.LastStatus))} ({update.Waited:m\\:ss})";
        record.PercentComplete = step < 0 ? 0 : 100 * (step + 1) / TaskRunState.Lifecycle.Count;
        _cmdlet.WriteProgress(record);
    }

    private void Complete()
    {
        foreach (ProgressRecord record in _records.Values)
        {
            record.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(record);
        }
    }
}
