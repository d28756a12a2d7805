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
}

/// <summary>
/// One service deployment as Publish-MightyService, Wait-MightyDeployment and
/// Restore-MightyService report it: what was deployed, from what, and how it ended. Piped into
/// Wait-MightyDeployment it is watched again (Cluster, Service and DeploymentId bind by name).
/// </summary>
public sealed class MightyDeployment
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service's name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The ECS deployment id (<c>ecs-svc/…</c>); empty when nothing was deployed (Unchanged).</summary>
    public string DeploymentId { get; init; } = string.Empty;

    /// <summary>The task definition ARN this deployment runs.</summary>
    public string TaskDefinition { get; init; } = string.Empty;

    /// <summary>The task definition ARN the service ran before; what a rollback returns to.</summary>
    public string PreviousTaskDefinition { get; init; } = string.Empty;

    /// <summary>Container name to image, as the deployed task definition has them.</summary>
    public IReadOnlyDictionary<string, string> Images { get; init; } = new Dictionary<string, string>();

    public MightyDeploymentStatus Status { get; init; }

    /// <summary>When ECS created the deployment.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached its final state, by ECS's clock.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>From <see cref="StartedAt"/> to <see cref="CompletedAt"/>.</summary>
    public TimeSpan? Duration => StartedAt is DateTimeOffset start && CompletedAt is DateTimeOffset end ? end - start : null;

    /// <summary>Why it failed, in words: the failure events, the stopped tasks' reasons and exit codes, what was rolled back.</summary>
    public string FailureReason { get; init; } = string.Empty;

    /// <summary>The service events seen while it was watched, oldest first.</summary>
    public IReadOnlyList<MightyServiceEvent> Events { get; init; } = Array.Empty<MightyServiceEvent>();

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Cluster}/{Service} {MightyServiceDeployment.ShortTaskDefinition(TaskDefinition)} {Status}");
}
