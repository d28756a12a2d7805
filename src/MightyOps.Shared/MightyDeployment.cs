namespace MightyOps;

/// <summary>Where a deployment started by MightyOps stands.</summary>
public enum MightyDeploymentStatus
{
    /// <summary>Started and not yet finished (Publish-MightyService -NoWait, or still being watched).</summary>
    InProgress,

    /// <summary>ECS's verdict is SUCCESSFUL (after bake time), or, without the ledger, the PRIMARY deployment is ours, runs our task definition, rollout COMPLETED, running = desired.</summary>
    Completed,

    /// <summary>The deployment failed and was not rolled back (-NoRollback), or ECS's rollback failed too (ROLLBACK_FAILED).</summary>
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

    /// <summary>
    /// The deploy's before-deploy task (migrations) failed or never ran, so this service was not
    /// updated; its new revision, if one was registered, is left unused. <see cref="MightyDeployment.FailureReason"/> says why.
    /// </summary>
    BeforeDeployFailed,

    /// <summary>Stopped where it stood before it completed (StopServiceDeployment without rollback); ECS's verdict STOPPED.</summary>
    Stopped,
}

/// <summary>The circuit breaker of a service deployment, as ECS counts it.</summary>
public sealed class MightyCircuitBreaker
{
    /// <summary>MONITORING, TRIGGERED, MONITORING_COMPLETE or DISABLED (ECS's word).</summary>
    public string Status { get; init; } = string.Empty;

    /// <summary>Tasks that failed to start or to become healthy, counted towards <see cref="Threshold"/>.</summary>
    public int FailureCount { get; init; }

    /// <summary>The failures at which the deployment fails.</summary>
    public int Threshold { get; init; }

    /// <summary><c>3/3 TRIGGERED</c>: failures of the threshold, and the status.</summary>
    public override string ToString() => TerminalText.VisibleLine($"{FailureCount}/{Threshold} {Status}");
}

/// <summary>How a deployment was rolled back: why, to what, and who started it.</summary>
public sealed class MightyDeploymentRollback
{
    /// <summary>
    /// Who rolled it back: <c>ECS</c> (the circuit breaker, an alarm, a lifecycle hook, a rollback
    /// asked for in ECS), <c>StopServiceDeployment</c> (MightyOps asked ECS to roll the deployment
    /// in flight back) or <c>UpdateService</c> (MightyOps deployed the previous revision after the
    /// deployment had ended).
    /// </summary>
    public string By { get; init; } = string.Empty;

    /// <summary>Why, in ECS's words or MightyOps's.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The task definition ARN the service was rolled back to.</summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    /// <summary>The service revision ARN rolled back to, when ECS names it.</summary>
    public string ServiceRevisionArn { get; init; } = string.Empty;

    /// <summary>When the rollback started, by ECS's clock.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary><c>WEB:41 by ECS: ECS deployment circuit breaker: tasks failed to start.</c></summary>
    public override string ToString() =>
        TerminalText.VisibleLine($"{MightyServiceDeployment.ShortTaskDefinition(TaskDefinitionArn)} by {By}" + (Reason.Length > 0 ? $": {Reason}" : string.Empty));
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

    /// <summary>
    /// The service deployment's ARN in ECS's ledger (<c>arn:aws:ecs:…:service-deployment/…</c>);
    /// empty where the ledger is not available or nothing was deployed.
    /// </summary>
    public string DeploymentArn { get; init; } = string.Empty;

    /// <summary>ROLLING, BLUE_GREEN, LINEAR or CANARY; empty when unknown.</summary>
    public string Strategy { get; init; } = string.Empty;

    /// <summary>The lifecycle stage ECS last reported (SCALE_UP, BAKE_TIME, …); empty without the ledger.</summary>
    public string LifecycleStage { get; init; } = string.Empty;

    /// <summary>ECS's own status of the service deployment (SUCCESSFUL, ROLLBACK_SUCCESSFUL, …); empty without the ledger.</summary>
    public string EcsStatus { get; init; } = string.Empty;

    /// <summary>ECS's reason for <see cref="EcsStatus"/>, as it gives it.</summary>
    public string StatusReason { get; init; } = string.Empty;

    /// <summary>The circuit breaker's failures and threshold; null without the ledger.</summary>
    public MightyCircuitBreaker? CircuitBreaker { get; init; }

    private readonly PrintableList<string> _triggeredAlarms = PrintableList<string>.Empty;

    /// <summary>The CloudWatch alarms that failed the deployment (as text: their names joined with "; ").</summary>
    public IReadOnlyList<string> TriggeredAlarms { get => _triggeredAlarms; init => _triggeredAlarms = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    /// <summary>How it was rolled back, when it was; null otherwise.</summary>
    public MightyDeploymentRollback? Rollback { get; init; }

    private readonly PrintableDictionary<string> _imageDigests = PrintableDictionary<string>.Empty;

    /// <summary>
    /// Container name to the image digest ECS resolved when the deployment started: what really
    /// runs, whatever the tags point at since (as text: <c>application=sha256:…; nginx=sha256:…</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> ImageDigests { get => _imageDigests; init => _imageDigests = PrintableDictionary<string>.From(value) ?? PrintableDictionary<string>.Empty; }

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

    /// <summary>When <see cref="Status"/> is Superseded: the service deployment ARN that replaced this one, when the ledger names it.</summary>
    public string SupersededByDeploymentArn { get; init; } = string.Empty;

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
