using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;

namespace MightyOps.Core.Tasks;

/// <summary>
/// What a described task means for a one-off run (docs/design/one-off-tasks.md, "How a run
/// ends"): its status, the container its command runs in, and the error to report when it ended
/// badly.
/// </summary>
public static class TaskRunState
{
    /// <summary>Every lifecycle state ECS reports, in the order a task passes them.</summary>
    public static readonly IReadOnlyList<string> Lifecycle =
        ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];

    /// <summary>Where <paramref name="lastStatus"/> is in <see cref="Lifecycle"/>; -1 for a status ECS does not document.</summary>
    public static int StepOf(string lastStatus) =>
        Enumerable.Range(0, Lifecycle.Count).Where(i => Lifecycle[i] == lastStatus).DefaultIfEmpty(-1).First();

    // Stops decided from outside the task: it did not end by itself.
    private static readonly string[] StoppedFromOutside = ["UserInitiated", "ServiceSchedulerInitiated", "SpotInterruption", "TerminationNotice"];

    /// <summary>The run of a described task.</summary>
    public static MightyTaskRun ToRun(EcsTask task, string cluster, string service, string? container, string command, IReadOnlyList<string> lastLogLines)
    {
        ArgumentNullException.ThrowIfNull(task);
        string name = container is { Length: > 0 } ? container : CommandContainerOf(task);
        EcsContainer? ran = task.Containers?.FirstOrDefault(c => c.Name == name);
        return new MightyTaskRun
        {
            Cluster = task.ClusterArn is null ? cluster : EcsArn.LastSegment(task.ClusterArn),
            Service = service,
            TaskId = EcsArn.LastSegment(task.TaskArn ?? string.Empty),
            TaskArn = task.TaskArn ?? string.Empty,
            TaskDefinitionArn = task.TaskDefinitionArn ?? string.Empty,
            Container = name,
            Command = command.Length > 0 ? command : CommandOf(task, name),
            Status = StatusOf(task, name).ToString(),
            LastStatus = task.LastStatus ?? string.Empty,
            ExitCode = task.LastStatus == "STOPPED" ? ran?.ExitCode : null,
            Containers = (task.Containers ?? []).Select(c => new MightyTaskContainer
            {
                Name = c.Name ?? string.Empty,
                RuntimeId = c.RuntimeId ?? string.Empty,
                Image = c.Image ?? string.Empty,
                LastStatus = c.LastStatus ?? string.Empty,
                ExitCode = c.ExitCode,
                Reason = c.Reason ?? string.Empty,
            }).ToList(),
            StopCode = task.StopCode ?? string.Empty,
            StoppedReason = task.StoppedReason ?? string.Empty,
            StartedAt = task.StartedAt,
            StoppedAt = task.StoppedAt,
            LastLogLines = lastLogLines,
        };
    }

    /// <summary>
    /// Pending or Running until ECS says STOPPED; then Stopped when something stopped it from
    /// outside (StopTask, the scheduler, a Spot interruption), FailedToStart when its containers
    /// never started, else Succeeded or Failed by the exit code of <paramref name="container"/>.
    /// </summary>
    public static MightyTaskRunStatus StatusOf(EcsTask task, string container)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.LastStatus != "STOPPED")
        {
            return task.StartedAt is null ? MightyTaskRunStatus.Pending : MightyTaskRunStatus.Running;
        }
        if (StoppedFromOutside.Contains(task.StopCode))
        {
            return MightyTaskRunStatus.Stopped;
        }
        if (task.StartedAt is null || task.StopCode == "TaskFailedToStart")
        {
            return MightyTaskRunStatus.FailedToStart;
        }
        return task.Containers?.FirstOrDefault(c => c.Name == container)?.ExitCode == 0 ? MightyTaskRunStatus.Succeeded : MightyTaskRunStatus.Failed;
    }

    /// <summary>True once ECS reports the task STOPPED.</summary>
    public static bool IsDone(MightyTaskRun run) => run?.LastStatus == "STOPPED" || run?.TaskId.Length == 0;

    /// <summary>
    /// The error for a run that ended badly: <c>TaskStartFailed</c> (ECS's reason),
    /// <c>TaskCommandFailed</c> (the exit code), each with the last log lines; null for one that
    /// succeeded, still runs, or was stopped from outside.
    /// </summary>
    public static MightyOpsException? ErrorOf(MightyTaskRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        string task = $"task {run.TaskId} ({MightyServiceDeployment.ShortTaskDefinition(run.TaskDefinitionArn)}, cluster {run.Cluster})";
        string lines = LastLines(run);
        if (run.Status == nameof(MightyTaskRunStatus.FailedToStart) && run.TaskId.Length > 0)
        {
            string why = run.Containers.Select(c => c.Reason).FirstOrDefault(r => r.Length > 0 && r != run.StoppedReason) is string reason
                ? $" ({TerminalText.Quote(reason, TerminalText.LineLength)})"
                : string.Empty;
            return new MightyOpsException(TasksErrorIds.TaskStartFailed,
                $"The one-off {task} never ran its command: {TerminalText.Quote(run.StoppedReason, TerminalText.LineLength)}{why}.{lines}", run);
        }
        if (run.Status == nameof(MightyTaskRunStatus.Failed))
        {
            string code = run.ExitCode is int exit ? $"exited with code {exit}" : $"stopped without an exit code ({TerminalText.Quote(run.StoppedReason, TerminalText.LineLength)})";
            return new MightyOpsException(TasksErrorIds.TaskCommandFailed,
                $"The command '{TerminalText.Quote(run.Command, TerminalText.LineLength)}' {code} in container '{run.Container}' of the one-off {task}.{lines}", run);
        }
        return null;
    }

    /// <summary>" Its last lines:" and the lines, each on its own indented line; empty without any.</summary>
    public static string LastLines(MightyTaskRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.LastLogLines.Count == 0
            ? string.Empty
            : " Its last lines:" + string.Concat(run.LastLogLines.Select(l => System.Environment.NewLine + "  " + TerminalText.VisibleLine(l)));
    }

    // The container a command override ran in, else the first essential one, else the first.
    private static string CommandContainerOf(EcsTask task) =>
        task.Overrides?.ContainerOverrides?.FirstOrDefault(o => o.Command is { Count: > 0 })?.Name
        ?? task.Containers?.FirstOrDefault()?.Name
        ?? string.Empty;

    private static string CommandOf(EcsTask task, string container) =>
        task.Overrides?.ContainerOverrides?.FirstOrDefault(o => o.Name == container)?.Command is { Count: > 0 } words
            ? words.Count == 3 && words[0] == "sh" && words[1] == "-c" ? words[2] : string.Join(' ', words.Select(TaskCommand.Quote))
            : string.Empty;
}
