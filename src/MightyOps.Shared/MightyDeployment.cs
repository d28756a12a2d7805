namespace MightyOps;

/// <summary>Where a deployment started by MightyOps stands.</summary>
public enum MightyDeploymentStatus
{
    /// <summary>Started and not yet finished (Publish-MightyService -NoWait, or still being watched).</summary>
    InProgress,

    /// <summary>The PRIMARY deployment is ours, runs our task definition, rollout COMPLETED, running = desired.</summary>
    Completed,

    /// <summary>The deployment failed and was not rolled back (-NoRollback, or the rollback failed too).</summary>
    Failed,

    /// <summary>The deployment failed and the service runs the previous task definition again.</summary>
    RolledBack,

    /// <summary>The deployment did not finish within -Timeout.</summary>
    TimedOut,

    /// <summary>The service already ran exactly this; nothing was registered or updated.</summary>
    Unchanged,

    /// <summary>
    /// Another deployment of the service (another deploy, someone's update) replaced this one
    /// before it completed; <see cref="MightyDeployment.SupersededByTaskDefinitionArn"/> names the revision that won.
    /// Not a failure of this deployment, and not rolled back.
    /// </summary>
    Superseded,
}

/// <summary>
/// One service deployment as Publish-MightyService, Wait-MightyDeployment and
/// Restore-MightyService report it: what was deployed, from what, and how it ended. Piped into
/// Wait-MightyDeployment it is watched again. Piped into AWS.Tools' Update-ECSService it names the
/// service and nothing else: the revisions are <see cref="TaskDefinitionArn"/> and
/// <see cref="PreviousTaskDefinitionArn"/>, not TaskDefinition, so a RolledBack result cannot
/// redeploy the revision that failed (docs/design/aws-tools-pipeline.md).
/// </summary>
public sealed class MightyDeployment
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service's name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The ECS deployment id (<c>ecs-svc/…</c>); empty when nothing was deployed (Unchanged).</summary>
    public string DeploymentId { get; init; } = string.Empty;

    /// <summary>The task definition ARN this deployment runs (for a RolledBack or Failed result: the revision that failed).</summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    /// <summary>The task definition ARN the service ran before; what a rollback returns to.</summary>
    public string PreviousTaskDefinitionArn { get; init; } = string.Empty;

    private readonly PrintableDictionary<string> _images = PrintableDictionary<string>.Empty;

    /// <summary>Container name to image, as the deployed task definition has them (as text: <c>application=…; nginx=…</c>).</summary>
    public IReadOnlyDictionary<string, string> Images { get => _images; init => _images = PrintableDictionary<string>.From(value) ?? PrintableDictionary<string>.Empty; }

    /// <summary>
    /// Where it stands: the name of one of the <see cref="MightyDeploymentStatus"/> values
    /// (<c>Completed</c>, <c>RolledBack</c>, …). Text rather than the enum, so that
    /// <c>ConvertTo-Json</c> writes the name, as it does for every other status MightyOps reports.
    /// </summary>
    public string Status { get; init; } = nameof(MightyDeploymentStatus.InProgress);

    /// <summary>When ECS created the deployment.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached its final state, by ECS's clock.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>From <see cref="StartedAt"/> to <see cref="CompletedAt"/>.</summary>
    public TimeSpan? Duration => StartedAt is DateTimeOffset start && CompletedAt is DateTimeOffset end ? end - start : null;

    /// <summary>Why it did not complete, in words: the failure events, the stopped tasks' reasons and exit codes, what was rolled back, or what replaced it.</summary>
    public string FailureReason { get; init; } = string.Empty;

    /// <summary>When <see cref="Status"/> is Superseded: the task definition ARN of the deployment that replaced this one; empty otherwise.</summary>
    public string SupersededByTaskDefinitionArn { get; init; } = string.Empty;

    private readonly PrintableList<MightyServiceEvent> _events = PrintableList<MightyServiceEvent>.Empty;

    /// <summary>The service events seen while it was watched, oldest first (as text: each event's time and message, joined with "; ").</summary>
    public IReadOnlyList<MightyServiceEvent> Events { get => _events; init => _events = PrintableList<MightyServiceEvent>.From(value) ?? PrintableList<MightyServiceEvent>.Empty; }

    private readonly PrintableList<MightyDeploymentPhase> _timeline = PrintableList<MightyDeploymentPhase>.Empty;

    /// <summary>
    /// Where the time went: the phases the watch observed, in order, each with its start and end
    /// by ECS's clock (as text: <c>Placing 0:10; Starting 0:21; …</c>). Empty when the deployment
    /// was not watched.
    /// </summary>
    public IReadOnlyList<MightyDeploymentPhase> Timeline { get => _timeline; init => _timeline = PrintableList<MightyDeploymentPhase>.From(value) ?? PrintableList<MightyDeploymentPhase>.Empty; }

    /// <summary>The timeline as one line of ASCII (<c>[PSSHHHHDDDDDDDDDDO] 6:40</c>; docs/design/load-balanced-deploys.md).</summary>
    public string TimelineBar => MightyDeploymentPhase.Bar(Timeline);

    /// <summary>The name of the longest phase of <see cref="Timeline"/>; empty without one.</summary>
    public string SlowestPhase { get; init; } = string.Empty;

    private readonly PrintableList<string> _advice = PrintableList<string>.Empty;

    /// <summary>When a phase dominated and a setting explains it: the setting, its value, the better value and the time it would have saved. Empty when nothing stands out.</summary>
    public IReadOnlyList<string> Advice { get => _advice; init => _advice = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Cluster}/{Service} {MightyServiceDeployment.ShortTaskDefinition(TaskDefinitionArn)} {Status}");
}
