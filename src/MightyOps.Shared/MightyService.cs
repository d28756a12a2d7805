namespace MightyOps;

/// <summary>
/// One ECS service as Get-MightyService reports it. Property names match the parameters of the
/// cmdlets that consume it (Cluster, Service, TaskDefinition), so it pipes into MightyOps cmdlets
/// and into AWS.Tools.ECS (Update-ECSService binds -Cluster and -Service by property name).
/// </summary>
public sealed class MightyService
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service's short name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The service ARN.</summary>
    public string ServiceArn { get; init; } = string.Empty;

    /// <summary>The region the service lives in.</summary>
    public string Region { get; init; } = string.Empty;

    /// <summary>ACTIVE, DRAINING or INACTIVE.</summary>
    public string Status { get; init; } = string.Empty;

    public int DesiredCount { get; init; }

    public int RunningCount { get; init; }

    public int PendingCount { get; init; }

    /// <summary>The PRIMARY deployment's task definition ARN.</summary>
    public string TaskDefinition { get; init; } = string.Empty;

    /// <summary>
    /// Container name to image, from the service's task definition. Filled when Get-MightyService
    /// is asked for images (-IncludeImages); null when they were not looked up.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Images { get; init; }

    /// <summary>The service's deployments, PRIMARY first.</summary>
    public IReadOnlyList<MightyServiceDeployment> Deployments { get; init; } = Array.Empty<MightyServiceDeployment>();

    /// <summary>The newest service event, or null when the service has none.</summary>
    public MightyServiceEvent? LastEvent { get; init; }

    /// <summary>EC2, FARGATE, EXTERNAL, or empty for capacity-provider services.</summary>
    public string LaunchType { get; init; } = string.Empty;

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED), or empty.</summary>
    public string RolloutState => Deployments.Count > 0 ? Deployments[0].RolloutState : string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"{Cluster}/{Service}";
}

/// <summary>One deployment of a service (ECS rolling deployment controller).</summary>
public sealed class MightyServiceDeployment
{
    /// <summary>The deployment id, e.g. <c>ecs-svc/7419115625193919142</c>.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>PRIMARY, ACTIVE or INACTIVE.</summary>
    public string Status { get; init; } = string.Empty;

    public string TaskDefinition { get; init; } = string.Empty;

    public int DesiredCount { get; init; }

    public int PendingCount { get; init; }

    public int RunningCount { get; init; }

    public int FailedTasks { get; init; }

    /// <summary>IN_PROGRESS, COMPLETED or FAILED; empty when ECS does not report one.</summary>
    public string RolloutState { get; init; } = string.Empty;

    public string RolloutStateReason { get; init; } = string.Empty;

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Status} {ShortTaskDefinition(TaskDefinition)} {RunningCount}/{DesiredCount} {RolloutState}".TrimEnd();

    /// <summary><c>family:revision</c> from a task definition ARN (or the input when it is not an ARN).</summary>
    public static string ShortTaskDefinition(string taskDefinition)
    {
        int slash = taskDefinition.LastIndexOf('/');
        return slash >= 0 ? taskDefinition[(slash + 1)..] : taskDefinition;
    }
}

/// <summary>One entry of a service's event log.</summary>
public sealed class MightyServiceEvent
{
    public string Cluster { get; init; } = string.Empty;

    public string Service { get; init; } = string.Empty;

    public string Id { get; init; } = string.Empty;

    public DateTimeOffset CreatedAt { get; init; }

    public string Message { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"{CreatedAt.ToLocalTime():HH:mm:ss} {Message}";
}
