using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Logs;

namespace MightyOps.Core.Tasks;

/// <summary>Where one task of a watch stands, for the progress display.</summary>
/// <param name="Run">The run as last described.</param>
/// <param name="Waited">How long the watch has run.</param>
public sealed record TaskRunProgress(MightyTaskRun Run, TimeSpan Waited);

/// <summary>How often a watch looks, and how many log lines a run keeps.</summary>
/// <param name="FirstPoll">The pause after a look that saw something change.</param>
/// <param name="MaxPoll">The longest pause while nothing changes (the pause grows by half each quiet look).</param>
/// <param name="LastLines">How many of the command container's last lines a run keeps.</param>
public sealed record TaskWatchTiming(TimeSpan FirstPoll, TimeSpan MaxPoll, int LastLines = 20)
{
    public static TaskWatchTiming Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
}

/// <summary>
/// Watches one-off tasks (docs/design/one-off-tasks.md, "Waiting"): DescribeTasks for all of them
/// per look (100 per call), and between looks a poll of the command container's awslogs streams
/// (<see cref="LogFollow"/>, Get-MightyLog's follow), whose lines are handed on as they arrive and
/// the last of which each run keeps. Cancelling stops the watch, never the tasks.
/// </summary>
public sealed class TaskRunWatcher(AwsSession aws, IOperationLog log, TaskWatchTiming? timing = null)
{
    private readonly TaskWatchTiming _timing = timing ?? TaskWatchTiming.Default;

    /// <summary>
    /// Watches <paramref name="runs"/> until each has stopped (or never existed), or until
    /// <paramref name="timeout"/>: the runs come back as they stand then, so a run that is not
    /// done timed out. Lines of the command containers go to <paramref name="onLine"/>.
    /// </summary>
    public async Task<IReadOnlyList<MightyTaskRun>> WaitAsync(
        IReadOnlyList<MightyTaskRun> runs,
        TimeSpan timeout,
        IProgress<TaskRunProgress>? progress,
        Action<MightyLogEvent>? onLine,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var started = DateTimeOffset.UtcNow;
        List<Watched> watched = runs.Select(r => new Watched(r)).ToList();
        LogFollow? follow = await FollowAsync(runs, cancellationToken).ConfigureAwait(false);
        TimeSpan pause = _timing.FirstPoll;
        for (bool first = true; ; first = false)
        {
            bool changed = await LookAsync(watched, everyRun: first, cancellationToken).ConfigureAwait(false);
            await ReadLinesAsync(follow, watched, onLine, cancellationToken).ConfigureAwait(false);
            foreach (Watched one in watched.Where(w => w.Run.TaskId.Length > 0))
            {
                progress?.Report(new TaskRunProgress(one.Run, DateTimeOffset.UtcNow - started));
            }
            if (watched.All(w => TaskRunState.IsDone(w.Run)) || DateTimeOffset.UtcNow - started >= timeout)
            {
                return watched.Select(w => w.Final()).ToList();
            }
            pause = changed ? _timing.FirstPoll : TimeSpan.FromTicks(Math.Min(_timing.MaxPoll.Ticks, (long)(pause.Ticks * 1.5)));
            TimeSpan left = timeout - (DateTimeOffset.UtcNow - started);
            await Task.Delay(left < pause ? left : pause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until each task of <paramref name="taskIds"/> in <paramref name="cluster"/> has left
    /// PROVISIONING/PENDING/ACTIVATING (it runs, or it stopped), at most <paramref name="timeout"/>:
    /// what a session into a one-off task that was just started needs. Returns the ids still not running.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitUntilStartedAsync(string cluster, IReadOnlyList<string> taskIds, TimeSpan timeout, IProgress<TaskRunProgress>? progress, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var waiting = taskIds.ToList();
        while (true)
        {
            DescribeTasksResponse described = await aws.Ecs.DescribeTasksAsync(cluster, waiting, includeTags: false, cancellationToken).ConfigureAwait(false);
            foreach (EcsTask task in described.Tasks ?? [])
            {
                progress?.Report(new TaskRunProgress(TaskRunState.ToRun(task, cluster, string.Empty, null, string.Empty, []), DateTimeOffset.UtcNow - started));
            }
            waiting = (described.Tasks ?? [])
                .Where(t => t.DesiredStatus != "STOPPED" && t.LastStatus is "PROVISIONING" or "PENDING" or "ACTIVATING")
                .Select(t => EcsArn.LastSegment(t.TaskArn ?? string.Empty))
                .ToList();
            if (waiting.Count == 0 || DateTimeOffset.UtcNow - started >= timeout)
            {
                return waiting;
            }
            await Task.Delay(_timing.FirstPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    // One DescribeTasks (per cluster, 100 tasks a call) for the runs not done (the first time for
    // every run, so one that had ended gets its containers and lines); true when any changed state.
    private async Task<bool> LookAsync(List<Watched> watched, bool everyRun, CancellationToken cancellationToken)
    {
        bool changed = false;
        foreach (IGrouping<string, Watched> cluster in watched.Where(w => w.Run.TaskId.Length > 0 && (everyRun || !TaskRunState.IsDone(w.Run))).GroupBy(w => w.Run.Cluster, StringComparer.Ordinal))
        {
            DescribeTasksResponse described;
            try
            {
                described = await aws.Ecs.DescribeTasksAsync(cluster.Key, cluster.Select(w => w.Run.TaskArn), includeTags: false, cancellationToken).ConfigureAwait(false);
            }
            catch (MightyOpsException e) when (e.Kind is MightyErrorKind.Throttled or MightyErrorKind.Connection or MightyErrorKind.Timeout)
            {
                log.Warning($"{e.Message} The watch goes on; the next look tries again.");
                continue;
            }
            foreach (EcsTask task in described.Tasks ?? [])
            {
                if (cluster.FirstOrDefault(w => w.Run.TaskArn == task.TaskArn) is Watched one)
                {
                    changed |= one.Update(task);
                }
            }
        }
        return changed;
    }

    // The command containers' streams, read by task id from the revisions the tasks run: first
    // each one's last lines whatever their age (a task watched again may have run for hours),
    // then what comes.
    private async Task<LogFollow?> FollowAsync(IReadOnlyList<MightyTaskRun> runs, CancellationToken cancellationToken)
    {
        var targets = runs.Where(r => r.TaskId.Length > 0).Select(r => new TaskLogTarget(r.Cluster, r.Service, r.TaskId, r.TaskDefinitionArn)).ToList();
        if (targets.Count == 0)
        {
            return null;
        }
        var reader = new LogReader(aws, log);
        List<string> containers = runs.Select(r => r.Container).Distinct(StringComparer.Ordinal).ToList();
        string? container = containers.Count == 1 && containers[0].Length > 0 ? containers[0] : null;
        LogPlan plan = await reader.PlanTasksAsync(targets, container, e => log.Warning($"The task's log lines cannot be read: {e.Message}"), cancellationToken).ConfigureAwait(false);
        if (plan.IsEmpty)
        {
            log.Verbose("The command's container does not log to CloudWatch Logs with awslogs: there are no lines to show.");
            return null;
        }
        return reader.Follow(plan, new LogWindow(DateTimeOffset.UtcNow - LogReader.FollowOverlap, SinceGiven: false, Tail: _timing.LastLines));
    }

    private async Task ReadLinesAsync(LogFollow? follow, List<Watched> watched, Action<MightyLogEvent>? onLine, CancellationToken cancellationToken)
    {
        if (follow is null)
        {
            return;
        }
        foreach (MightyLogEvent e in await follow.PollAsync(error => log.Warning($"The task's log lines cannot be read: {error.Message}"), cancellationToken).ConfigureAwait(false))
        {
            onLine?.Invoke(e);
            foreach (Watched one in watched.Where(w => w.Run.TaskId == e.TaskId && (w.Run.Container.Length == 0 || w.Run.Container == e.Container)))
            {
                one.Lines.Enqueue(e.Message);
                while (one.Lines.Count > _timing.LastLines)
                {
                    one.Lines.Dequeue();
                }
            }
        }
    }

    // One run of the watch: as last described, and the lines of its command container.
    private sealed class Watched(MightyTaskRun run)
    {
        private EcsTask? _task;

        public MightyTaskRun Run { get; private set; } = run;

        public Queue<string> Lines { get; } = new();

        public bool Update(EcsTask task)
        {
            _task = task;
            MightyTaskRun before = Run;
            Run = TaskRunState.ToRun(task, before.Cluster, before.Service, before.Container, before.Command, before.LastLogLines);
            return Run.LastStatus != before.LastStatus;
        }

        public MightyTaskRun Final() =>
            _task is null || Lines.Count == 0 ? Run : TaskRunState.ToRun(_task, Run.Cluster, Run.Service, Run.Container, Run.Command, [.. Lines]);
    }
}
