using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

namespace MightyOps.Sandbox.Ecs;

// The sandbox's own ECS state. It is deliberately not the wire model: the wire objects are built
// from it on every response (EcsWire), so counters are always derived from the tasks themselves
// and can never drift from what DescribeTasks shows.

/// <summary>A registered task definition revision.</summary>
internal sealed class TaskDefinitionState
{
    public required string Family { get; init; }

    public required int Revision { get; init; }

    public required string Arn { get; init; }

    /// <summary>The normalised definition as DescribeTaskDefinition returns it (status and dates kept in sync).</summary>
    public required EcsTaskDefinition Definition { get; init; }

    public List<EcsTag> Tags { get; } = [];

    public bool IsActive => Definition.Status == "ACTIVE";

    /// <summary><c>bridge</c> when the definition does not say (the EC2 default).</summary>
    public string NetworkMode => Definition.NetworkMode ?? "bridge";
}

internal sealed class ClusterState
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public long Seq { get; init; }

    public List<EcsTag> Tags { get; } = [];

    public string ContainerInsights { get; set; } = "disabled";

    /// <summary>By name; ordered listing uses <see cref="ServiceState.Seq"/>.</summary>
    public Dictionary<string, ServiceState> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>By 32-hex task id, stopped tasks included until they expire.</summary>
    public Dictionary<string, TaskState> Tasks { get; } = new(StringComparer.Ordinal);

    /// <summary>By 32-hex container instance id.</summary>
    public Dictionary<string, ContainerInstanceState> ContainerInstances { get; } = new(StringComparer.Ordinal);

    /// <summary>The capacity providers associated with the cluster, by name.</summary>
    public List<string> CapacityProviders { get; } = [];
}

internal sealed class ServiceState
{
    public required ClusterState Cluster { get; init; }

    public required string Name { get; init; }

    public required string Arn { get; init; }

    public long Seq { get; init; }

    /// <summary>ACTIVE, DRAINING (deleted, tasks stopping) or INACTIVE.</summary>
    public string Status { get; set; } = "ACTIVE";

    public int DesiredCount { get; set; }

    public string LaunchType { get; set; } = "EC2";

    public string SchedulingStrategy { get; set; } = "REPLICA";

    public string? PlatformVersion { get; set; }

    public required EcsDeploymentConfiguration DeploymentConfiguration { get; set; }

    /// <summary>PRIMARY first, then older deployments, newest to oldest.</summary>
    public List<DeploymentState> Deployments { get; } = [];

    /// <summary>Newest first, at most <see cref="EcsTimings.MaxServiceEvents"/>.</summary>
    public List<EcsServiceEvent> Events { get; } = [];

    /// <summary>Every task this service started that has not expired yet, oldest first.</summary>
    public List<TaskState> Tasks { get; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public string? RoleArn { get; set; }

    public JsonArray LoadBalancers { get; set; } = [];

    public JsonArray ServiceRegistries { get; set; } = [];

    public JsonArray PlacementConstraints { get; set; } = [];

    public JsonArray PlacementStrategy { get; set; } = [];

    public JsonObject? NetworkConfiguration { get; set; }

    public JsonArray? CapacityProviderStrategy { get; set; }

    public int? HealthCheckGracePeriodSeconds { get; set; }

    public bool EnableExecuteCommand { get; set; }

    public bool EnableECSManagedTags { get; set; }

    public string PropagateTags { get; set; } = "NONE";

    public string AvailabilityZoneRebalancing { get; set; } = "DISABLED";

    public List<EcsTag> Tags { get; } = [];

    public DateTimeOffset? InactiveAt { get; set; }

    // ---- scheduler bookkeeping ----

    /// <summary>When the service scheduler next looks at this service; null = nothing to do.</summary>
    public DateTimeOffset? NextEvaluationAt { get; set; }

    public bool WasSteady { get; set; }

    public DateTimeOffset? LastSteadyEventAt { get; set; }

    /// <summary>The last deployment that reached COMPLETED: what the circuit breaker rolls back to.</summary>
    public string? LastCompletedDeploymentId { get; set; }

    public string? LastCompletedTaskDefinitionArn { get; set; }

    /// <summary>The service revision of <see cref="LastCompletedDeploymentId"/>: what a rolling rollback deploys again.</summary>
    public ServiceRevisionState? LastCompletedRevision { get; set; }

    /// <summary>ECS, CODE_DEPLOY or EXTERNAL; only ECS services record service deployments.</summary>
    public string DeploymentController { get; init; } = "ECS";

    /// <summary>The service deployments, newest first (docs/design/ecs-service-deployments.md).</summary>
    public List<ServiceDeploymentState> Ledger { get; } = [];

    /// <summary>Set while tasks cannot be placed, so the event is not repeated on every retry.</summary>
    public DateTimeOffset? PlacementFailureReportedAt { get; set; }

    /// <summary>True while the service has tasks it could not place: room that appears makes the scheduler look again.</summary>
    public bool WaitingForPlacement { get; set; }

    public DeploymentState Primary => Deployments[0];
}

internal sealed class DeploymentState
{
    public required string Id { get; init; }

    /// <summary>PRIMARY or ACTIVE (INACTIVE deployments are removed).</summary>
    public string Status { get; set; } = "PRIMARY";

    public required string TaskDefinitionArn { get; init; }

    public int DesiredCount { get; set; }

    /// <summary>The wire counter: consecutive failures until the deployment first has a healthy task.</summary>
    public int FailedTasks { get; set; }

    /// <summary>Consecutive failures for the launch backoff (keeps counting after the first healthy task).</summary>
    public int ConsecutiveFailures { get; set; }

    public bool HadHealthyTask { get; set; }

    public bool UnstableEventSent { get; set; }

    /// <summary>Started by the circuit breaker to roll back.</summary>
    public bool IsRollback { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string LaunchType { get; init; } = "EC2";

    public string? PlatformVersion { get; init; }

    public JsonObject? NetworkConfiguration { get; init; }

    /// <summary>IN_PROGRESS, COMPLETED or FAILED.</summary>
    public string RolloutState { get; set; } = "IN_PROGRESS";

    public string RolloutStateReason { get; set; } = string.Empty;

    /// <summary>No launches before this (the backoff after failed tasks).</summary>
    public DateTimeOffset? NextLaunchAt { get; set; }

    /// <summary>The service revision its tasks run (image digests pinned); null for services without a ledger.</summary>
    public ServiceRevisionState? Revision { get; set; }

    /// <summary>The service deployment this one is the target of.</summary>
    public ServiceDeploymentState? Ledger { get; set; }
}

/// <summary>Where a task is in its simulated life; each phase ends at <see cref="TaskState.NextTransitionAt"/>.</summary>
internal enum TaskPhase
{
    /// <summary>Placed; the agent has not started pulling yet (PROVISIONING for awsvpc, else PENDING).</summary>
    Placed,

    /// <summary>Pulling images (PENDING).</summary>
    Pulling,

    /// <summary>Pulling, and a pull will fail (CannotPullContainerError).</summary>
    PullFailing,

    /// <summary>Images pulled, containers being created and started (PENDING).</summary>
    Starting,

    /// <summary>RUNNING, not yet counted healthy by the scheduler.</summary>
    Running,

    /// <summary>RUNNING and healthy; no further transition of its own.</summary>
    Healthy,

    /// <summary>RUNNING, but the essential container is about to exit.</summary>
    Crashing,

    /// <summary>Desired STOPPED; its targets drain in the load balancer before the containers get SIGTERM (DEACTIVATING).</summary>
    Deactivating,

    /// <summary>Desired STOPPED; containers are being stopped.</summary>
    Stopping,

    Stopped,
}

internal sealed class TaskState
{
    public required string Id { get; init; }

    public required string Arn { get; init; }

    public required ClusterState Cluster { get; init; }

    public ServiceState? Service { get; init; }

    public required TaskDefinitionState TaskDefinition { get; init; }

    public ContainerInstanceState? ContainerInstance { get; init; }

    public long Seq { get; init; }

    public string? StartedBy { get; init; }

    public string? Group { get; init; }

    public string LaunchType { get; init; } = "EC2";

    /// <summary>The Fargate platform version the task runs on (1.4.0); null for EC2 tasks.</summary>
    public string? PlatformVersion { get; init; }

    public string? AvailabilityZone { get; init; }

    public List<ContainerState> Containers { get; } = [];

    public List<EcsTag> Tags { get; } = [];

    /// <summary>
    /// What DescribeTasks shows, read off <see cref="Phase"/> so the two cannot disagree:
    /// PROVISIONING (awsvpc, before its ENI), PENDING, RUNNING, STOPPING, STOPPED (docs/design/ecs-deployments-and-events.md).
    /// </summary>
    public string LastStatus => Phase switch
    {
        TaskPhase.Placed => NetworkInterface is null ? "PENDING" : "PROVISIONING",
        TaskPhase.Pulling or TaskPhase.PullFailing or TaskPhase.Starting => "PENDING",
        TaskPhase.Running or TaskPhase.Healthy or TaskPhase.Crashing => "RUNNING",
        TaskPhase.Deactivating => "DEACTIVATING",
        TaskPhase.Stopping => "STOPPING",
        _ => "STOPPED",
    };

    /// <summary>STOPPED as soon as a stop is decided (by the scheduler, a user or a crash), else RUNNING.</summary>
    public string DesiredStatus => Phase is TaskPhase.Deactivating or TaskPhase.Stopping or TaskPhase.Stopped ? "STOPPED" : "RUNNING";

    public string? Cpu { get; init; }

    public string? Memory { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ConnectivityAt { get; set; }

    public DateTimeOffset? PullStartedAt { get; set; }

    public DateTimeOffset? PullStoppedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? StoppingAt { get; set; }

    public DateTimeOffset? ExecutionStoppedAt { get; set; }

    public DateTimeOffset? StoppedAt { get; set; }

    public string? StopCode { get; set; }

    public string? StoppedReason { get; set; }

    public long Version { get; set; } = 1;

    // ---- simulation ----

    public TaskPhase Phase { get; set; }

    public DateTimeOffset? NextTransitionAt { get; set; }

    /// <summary>What the pull will find out (decided when the pull starts).</summary>
    public string? PullError { get; set; }

    /// <summary>
    /// True when <see cref="PullError"/> is a ResourceInitializationError (the environment files
    /// could not be read) rather than an image that could not be pulled.
    /// </summary>
    public bool FailedInitialization { get; set; }

    /// <summary>The essential container that is about to exit: its image does not start, or its one-off command ends.</summary>
    public ContainerState? CrashingContainer { get; set; }

    /// <summary>Resources held on the container instance until the task is STOPPED.</summary>
    public int ReservedCpu { get; init; }

    public int ReservedMemory { get; init; }

    public List<HostPort> HostPorts { get; } = [];

    /// <summary>The task's ENI when its network mode is awsvpc.</summary>
    public TaskNetworkInterface? NetworkInterface { get; init; }

    /// <summary>What RunTask overrode (commands, environment, cpu and memory); null for service tasks.</summary>
    public TaskOverrides? Overrides { get; set; }

    /// <summary>The capacity provider of a task run with a capacity provider strategy, else null.</summary>
    public string? CapacityProviderName { get; set; }

    /// <summary>The service deployment that started this task, while the service still lists it.</summary>
    public DeploymentState? Deployment => Service?.Deployments.Find(d => d.Id == StartedBy);

    /// <summary>Desired RUNNING (not yet told to stop): counts against maximumPercent.</summary>
    public bool IsLive => DesiredStatus == "RUNNING";

    public bool IsHealthy => IsLive && Phase == TaskPhase.Healthy;

    public bool IsRunning => LastStatus == "RUNNING";

    public bool IsPending => LastStatus is "PROVISIONING" or "PENDING" or "ACTIVATING";
}

/// <summary>An awsvpc task's elastic network interface, as its ENI attachment describes it.</summary>
internal sealed record TaskNetworkInterface(string AttachmentId, string NetworkInterfaceId, string SubnetId, string MacAddress, string PrivateIpv4Address, string PrivateDnsName);

internal sealed class ContainerState
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required string Image { get; init; }

    public required bool Essential { get; init; }

    public string? ImageDigest { get; set; }

    /// <summary>The digest the service revision resolved this container's image to: what the agent pulls, whatever the tag says now.</summary>
    public string? PinnedDigest { get; init; }

    public string? RuntimeId { get; set; }

    public string LastStatus { get; set; } = "PENDING";

    public int? ExitCode { get; set; }

    public string? Reason { get; set; }

    public List<EcsNetworkBinding> NetworkBindings { get; } = [];

    public string? Cpu { get; init; }

    public string? Memory { get; init; }

    public string? MemoryReservation { get; init; }

    /// <summary>The registry image behind <see cref="Image"/>, or null for images outside the sandbox registry.</summary>
    public SandboxImage? RegistryImage { get; set; }

    public bool FailsToStart { get; set; }

    /// <summary>The command a one-off task gave this container, as the sandbox runs it; null for the image's own command.</summary>
    public ContainerProgram? Program { get; set; }

    /// <summary>
    /// The environment the process sees, set when the agent starts the task: the environment
    /// files read from S3, then the definition's <c>environment</c> on top (ECS precedence).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

internal sealed class ContainerInstanceState
{
    public required string Id { get; init; }

    public required string Arn { get; init; }

    public required ClusterState Cluster { get; init; }

    public required SandboxInstance Ec2Instance { get; init; }

    /// <summary>An external (ECS Anywhere) instance: its "EC2 instance" is an SSM managed instance (mi-...).</summary>
    public bool IsExternal => Ec2Instance.InstanceId.StartsWith("mi-", StringComparison.Ordinal);

    public long Seq { get; init; }

    public DateTimeOffset RegisteredAt { get; init; }

    public string Status { get; set; } = "ACTIVE";

    public bool AgentConnected { get; set; } = true;

    public long Version { get; set; } = 1;

    public int RegisteredCpu { get; init; }

    public int RegisteredMemory { get; init; }

    public int UsedCpu { get; set; }

    public int UsedMemory { get; set; }

    /// <summary>Static host ports in use, TCP and UDP (dynamic ports are not part of the PORTS resources).</summary>
    public HashSet<HostPort> StaticPorts { get; } = [];

    public HashSet<int> DynamicPorts { get; } = [];

    /// <summary>Image digests already on the host: a second pull of the same image is quick.</summary>
    public HashSet<string> PulledImages { get; } = new(StringComparer.Ordinal);

    public string AgentVersion { get; init; } = "1.89.3";

    public string AgentHash { get; init; } = "5c1b1dfa";

    public string DockerVersion { get; init; } = "DockerVersion: 25.0.8";

    public List<EcsTag> Tags { get; } = [];

    /// <summary>Custom attributes the agent registered (ECS_INSTANCE_ATTRIBUTES) or PutAttributes set.</summary>
    public Dictionary<string, string> CustomAttributes { get; } = new(StringComparer.Ordinal);

    public int RemainingCpu => RegisteredCpu - UsedCpu;

    public int RemainingMemory => RegisteredMemory - UsedMemory;

    /// <summary>Every attribute ECS reports for the instance: the agent's capabilities, the ecs.* attributes from EC2, then the custom ones.</summary>
    public List<EcsAttribute> Attributes()
    {
        var attributes = Capabilities.Select(c => new EcsAttribute { Name = c }).ToList();
        if (IsExternal)
        {
            // An external server has no AMI, instance type or zone.
            attributes.Add(new EcsAttribute { Name = "ecs.os-type", Value = "linux" });
            attributes.Add(new EcsAttribute { Name = "ecs.cpu-architecture", Value = "x86_64" });
        }
        else
        {
            attributes.Add(new EcsAttribute { Name = "ecs.ami-id", Value = Ec2Instance.ImageId });
            attributes.Add(new EcsAttribute { Name = "ecs.availability-zone", Value = Ec2Instance.AvailabilityZone });
            attributes.Add(new EcsAttribute { Name = "ecs.instance-type", Value = Ec2Instance.InstanceType });
            attributes.Add(new EcsAttribute { Name = "ecs.os-type", Value = "linux" });
            attributes.Add(new EcsAttribute { Name = "ecs.os-family", Value = "LINUX" });
            attributes.Add(new EcsAttribute { Name = "ecs.cpu-architecture", Value = "x86_64" });
        }
        attributes.AddRange(CustomAttributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new EcsAttribute { Name = a.Key, Value = a.Value }));
        return attributes;
    }

    /// <summary>The agent's capability attributes (those without a value).</summary>
    public static readonly IReadOnlyList<string> Capabilities =
    [
        "com.amazonaws.ecs.capability.logging-driver.syslog",
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "com.amazonaws.ecs.capability.logging-driver.json-file",
        "com.amazonaws.ecs.capability.logging-driver.none",
        "com.amazonaws.ecs.capability.docker-remote-api.1.17",
        "com.amazonaws.ecs.capability.docker-remote-api.1.18",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19",
        "com.amazonaws.ecs.capability.docker-remote-api.1.21",
        "com.amazonaws.ecs.capability.docker-remote-api.1.44",
        "com.amazonaws.ecs.capability.ecr-auth",
        "com.amazonaws.ecs.capability.task-iam-role",
        "ecs.capability.execution-role-ecr-pull",
        "ecs.capability.execution-role-awslogs",
        "ecs.capability.env-files.s3",
        "ecs.capability.secrets.asm.environment-variables",
        "ecs.capability.container-health-check",
        "ecs.capability.task-eni",
    ];
}
