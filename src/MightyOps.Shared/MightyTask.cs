namespace MightyOps;

/// <summary>
/// One ECS task as Get-MightyTask reports it, with the container instance and EC2 instance it runs
/// on. Cluster, Service and TaskId bind by property name, so a task pipes into Get-MightyTask,
/// Invoke-MightyContainer and Enter-MightyContainer. The task definition is <see cref="TaskDefinitionArn"/>,
/// not TaskDefinition, so that piping a task into AWS.Tools' Update-ECSService cannot set the
/// service's task definition to the one this task happens to run.
/// </summary>
public sealed class MightyTask
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service that started the task (from its group <c>service:NAME</c>), the service a one-off task was started for (Start-MightyTask), or empty for another standalone task.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The task id (the last segment of its ARN).</summary>
    public string TaskId { get; init; } = string.Empty;

    /// <summary>The task ARN.</summary>
    public string TaskArn { get; init; } = string.Empty;

    /// <summary>The task definition ARN (family:revision at the end).</summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    /// <summary>PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING or STOPPED.</summary>
    public string LastStatus { get; init; } = string.Empty;

    /// <summary>RUNNING, PENDING or STOPPED: what ECS wants the task to be.</summary>
    public string DesiredStatus { get; init; } = string.Empty;

    /// <summary>HEALTHY, UNHEALTHY or UNKNOWN.</summary>
    public string HealthStatus { get; init; } = string.Empty;

    /// <summary>EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES, or empty for capacity-provider tasks.</summary>
    public string LaunchType { get; init; } = string.Empty;

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>Why ECS stopped the task (e.g. "Essential container in task exited"), or empty.</summary>
    public string StoppedReason { get; init; } = string.Empty;

    /// <summary>The container instance id, or empty for Fargate tasks.</summary>
    public string ContainerInstanceId { get; init; } = string.Empty;

    /// <summary>The EC2 instance (i-...) behind the container instance, or empty (Fargate, external instances).</summary>
    public string Ec2InstanceId { get; init; } = string.Empty;

    /// <summary>
    /// The EC2 instance's private address (the one SSH uses by default); for a Fargate task, which
    /// has no instance, the private address of its own network interface (ENI). Empty when unknown.
    /// </summary>
    public string PrivateIpAddress { get; init; } = string.Empty;

    /// <summary>The EC2 instance's public address, or empty when it has none.</summary>
    public string PublicIpAddress { get; init; } = string.Empty;

    /// <summary>E.g. us-east-1a.</summary>
    public string AvailabilityZone { get; init; } = string.Empty;

    private readonly PrintableList<MightyTargetHealth> _targetHealth = PrintableList<MightyTargetHealth>.Empty;

    /// <summary>
    /// For a task of a service behind target groups: its target in each group, with the state and
    /// the reason Elastic Load Balancing gives (as text: <c>web-tg healthy</c>,
    /// <c>web-tg unhealthy (Target.ResponseCodeMismatch)</c>). Empty for a task without a target.
    /// </summary>
    public IReadOnlyList<MightyTargetHealth> TargetHealth { get => _targetHealth; init => _targetHealth = PrintableList<MightyTargetHealth>.From(value) ?? PrintableList<MightyTargetHealth>.Empty; }

    private readonly PrintableList<MightyTaskContainer> _containers = PrintableList<MightyTaskContainer>.Empty;

    /// <summary>The task's containers, in task definition order (as text: <c>application (RUNNING); nginx (RUNNING)</c>).</summary>
    public IReadOnlyList<MightyTaskContainer> Containers { get => _containers; init => _containers = PrintableList<MightyTaskContainer>.From(value) ?? PrintableList<MightyTaskContainer>.Empty; }

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Cluster}/{TaskId}");
}

/// <summary>One container of a <see cref="MightyTask"/>.</summary>
public sealed class MightyTaskContainer
{
    /// <summary>The container name from the task definition.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The Docker container id on the instance: what <c>docker exec</c> is given. Empty until the container has started.</summary>
    public string RuntimeId { get; init; } = string.Empty;

    public string Image { get; init; } = string.Empty;

    /// <summary>PENDING, RUNNING or STOPPED.</summary>
    public string LastStatus { get; init; } = string.Empty;

    /// <summary>The exit code of a stopped container, when Docker reported one.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why the container stopped or failed to start, or empty.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine(ExitCode is int code ? $"{Name} ({LastStatus}, exit {code})" : $"{Name} ({LastStatus})");
}
