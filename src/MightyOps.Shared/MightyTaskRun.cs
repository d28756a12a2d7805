namespace MightyOps;

/// <summary>Where a one-off task stands.</summary>
public enum MightyTaskRunStatus
{
    /// <summary>Placed, not running yet (PROVISIONING, PENDING, ACTIVATING).</summary>
    Pending,

    /// <summary>Its containers run (Start-MightyTask -NoWait, or the wait stopped before it ended).</summary>
    Running,

    /// <summary>Stopped, and the command exited with code 0.</summary>
    Succeeded,

    /// <summary>Stopped, and the command exited with another code (or without one).</summary>
    Failed,

    /// <summary>It never ran: it could not be placed, its image could not be pulled, its resources (env files, logging) could not be set up.</summary>
    FailedToStart,

    /// <summary>Stopped from outside (StopTask, Stop-MightyTask) before the command ended.</summary>
    Stopped,
}

/// <summary>
/// A one-off task MightyOps started (Start-MightyTask, the before-deploy task of
/// Publish-MightyService) or waited for (Wait-MightyTask): what ran, where, and how it ended.
/// Cluster, Service, TaskId and Container bind by property name, so it pipes into
/// Wait-MightyTask, Stop-MightyTask, Get-MightyLog, Invoke-MightyContainer and
/// Enter-MightyContainer. Piped into AWS.Tools' Update-ECSService it names the service and nothing
/// else: the revision it ran is <see cref="TaskDefinitionArn"/>, never TaskDefinition
/// (docs/design/aws-tools-pipeline.md).
/// </summary>
public sealed class MightyTaskRun
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service whose revision the task runs (one-off tasks belong to no service; this is what they were started for).</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The task id; empty when RunTask could not place the task.</summary>
    public string TaskId { get; init; } = string.Empty;

    /// <summary>The task ARN; empty when RunTask could not place the task.</summary>
    public string TaskArn { get; init; } = string.Empty;

    /// <summary>The task definition ARN the task runs.</summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    /// <summary><c>family:revision</c> of <see cref="TaskDefinitionArn"/>.</summary>
    public string TaskDefinitionName => TaskDefinitionArn.Length == 0 ? string.Empty : TaskDefinitionArn[(TaskDefinitionArn.LastIndexOf('/') + 1)..];

    /// <summary>The container the command runs in.</summary>
    public string Container { get; init; } = string.Empty;

    /// <summary>
    /// The command as given: a string (run by the container's <c>sh -c</c>), or the words of a
    /// list, each quoted for a shell where it needs it.
    /// </summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>
    /// Where it stands: the name of one of the <see cref="MightyTaskRunStatus"/> values
    /// (<c>Succeeded</c>, <c>Failed</c>, …), as text so that ConvertTo-Json writes the name.
    /// </summary>
    public string Status { get; init; } = nameof(MightyTaskRunStatus.Pending);

    /// <summary>ECS's lastStatus: PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING or STOPPED.</summary>
    public string LastStatus { get; init; } = string.Empty;

    /// <summary>The exit code of the command's container once it has one; null while it runs or when it never ran.</summary>
    public int? ExitCode { get; init; }

    private readonly PrintableList<MightyTaskContainer> _containers = PrintableList<MightyTaskContainer>.Empty;

    /// <summary>Every container of the task with its status and exit code (as text: <c>application (STOPPED, exit 0); nginx (STOPPED, exit 0)</c>).</summary>
    public IReadOnlyList<MightyTaskContainer> Containers { get => _containers; init => _containers = PrintableList<MightyTaskContainer>.From(value) ?? PrintableList<MightyTaskContainer>.Empty; }

    /// <summary>ECS's stop code (EssentialContainerExited, TaskFailedToStart, UserInitiated, …), or empty.</summary>
    public string StopCode { get; init; } = string.Empty;

    /// <summary>Why the task stopped (ECS's stoppedReason), or why RunTask placed none; empty while it runs.</summary>
    public string StoppedReason { get; init; } = string.Empty;

    /// <summary>When its containers started, by ECS's clock.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it stopped, by ECS's clock.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>From <see cref="StartedAt"/> to <see cref="StoppedAt"/>.</summary>
    public TimeSpan? Duration => StartedAt is DateTimeOffset start && StoppedAt is DateTimeOffset end ? end - start : null;

    private readonly PrintableList<string> _lastLogLines = PrintableList<string>.Empty;

    /// <summary>The command container's last log lines (up to 20, oldest first), as the watch read them; empty without -Wait or awslogs.</summary>
    public IReadOnlyList<string> LastLogLines { get => _lastLogLines; init => _lastLogLines = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    /// <summary>True when the task stopped and the command exited with code 0.</summary>
    public bool Succeeded => Status == nameof(MightyTaskRunStatus.Succeeded);

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Cluster}/{(TaskId.Length > 0 ? TaskId : Service)}");
}
