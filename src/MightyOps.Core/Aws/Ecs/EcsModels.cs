using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

// Wire shapes of the ECS API (JSON 1.1, model ecs-2014-11-13), named after the botocore shapes
// with an Ecs prefix. They carry the members MightyOps reads or writes and the sandbox serves;
// members nobody here interprets travel as raw JSON (JsonObject / extension data) so a
// describe-then-register round trip never drops a field. See docs/design/ecs-json-protocol.md.

namespace MightyOps.Core.Aws.Ecs;

public sealed class EcsTag
{
    public string? Key { get; set; }
    public string? Value { get; set; }
}

public sealed class EcsKeyValuePair
{
    public string? Name { get; set; }
    public string? Value { get; set; }
}

public sealed class EcsFailure
{
    public string? Arn { get; set; }
    public string? Reason { get; set; }
    public string? Detail { get; set; }
}

public sealed class EcsCluster
{
    public string? ClusterArn { get; set; }
    public string? ClusterName { get; set; }
    public string? Status { get; set; }
    public int RegisteredContainerInstancesCount { get; set; }
    public int RunningTasksCount { get; set; }
    public int PendingTasksCount { get; set; }
    public int ActiveServicesCount { get; set; }
    public List<EcsKeyValuePair>? Statistics { get; set; }
    public List<EcsTag>? Tags { get; set; }
    public List<string>? CapacityProviders { get; set; }
}

public sealed class EcsDeploymentCircuitBreaker
{
    public bool Enable { get; set; }
    public bool Rollback { get; set; }
}

public sealed class EcsDeploymentConfiguration
{
    public EcsDeploymentCircuitBreaker? DeploymentCircuitBreaker { get; set; }
    public int? MaximumPercent { get; set; }
    public int? MinimumHealthyPercent { get; set; }
    public EcsDeploymentAlarms? Alarms { get; set; }

    /// <summary>ROLLING (the default when absent), BLUE_GREEN, LINEAR or CANARY (docs/design/ecs-service-deployments.md).</summary>
    public string? Strategy { get; set; }
    public int? BakeTimeInMinutes { get; set; }
    public List<EcsDeploymentLifecycleHook>? LifecycleHooks { get; set; }
    public EcsLinearConfiguration? LinearConfiguration { get; set; }
    public EcsCanaryConfiguration? CanaryConfiguration { get; set; }

    /// <summary>Members newer than this code: kept as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

public sealed class EcsDeploymentController
{
    public string? Type { get; set; }
}

public sealed class EcsServiceEvent
{
    public string? Id { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public string? Message { get; set; }
}

public sealed class EcsDeployment
{
    public string? Id { get; set; }
    public string? Status { get; set; }
    public string? TaskDefinition { get; set; }
    public int DesiredCount { get; set; }
    public int PendingCount { get; set; }
    public int RunningCount { get; set; }
    public int FailedTasks { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
    public string? LaunchType { get; set; }
    public string? PlatformVersion { get; set; }
    public JsonObject? NetworkConfiguration { get; set; }
    public string? RolloutState { get; set; }
    public string? RolloutStateReason { get; set; }
}

public sealed class EcsService
{
    public string? ServiceArn { get; set; }
    public string? ServiceName { get; set; }
    public string? ClusterArn { get; set; }
    public JsonArray? LoadBalancers { get; set; }
    public JsonArray? ServiceRegistries { get; set; }
    public string? Status { get; set; }
    public int DesiredCount { get; set; }
    public int RunningCount { get; set; }
    public int PendingCount { get; set; }
    public string? LaunchType { get; set; }
    public string? PlatformVersion { get; set; }
    public string? TaskDefinition { get; set; }
    public EcsDeploymentConfiguration? DeploymentConfiguration { get; set; }
    public List<EcsDeployment>? Deployments { get; set; }
    public string? RoleArn { get; set; }
    public List<EcsServiceEvent>? Events { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public JsonArray? PlacementConstraints { get; set; }
    public JsonArray? PlacementStrategy { get; set; }
    public JsonObject? NetworkConfiguration { get; set; }
    public int? HealthCheckGracePeriodSeconds { get; set; }
    public string? SchedulingStrategy { get; set; }
    public EcsDeploymentController? DeploymentController { get; set; }
    public List<EcsTag>? Tags { get; set; }
    public string? CreatedBy { get; set; }
    public bool EnableECSManagedTags { get; set; }
    public string? PropagateTags { get; set; }
    public bool EnableExecuteCommand { get; set; }
    public List<EcsCapacityProviderStrategyItem>? CapacityProviderStrategy { get; set; }
}

/// <summary>One capacity provider of a service's (or a cluster's default) strategy.</summary>
public sealed class EcsCapacityProviderStrategyItem
{
    public string? CapacityProvider { get; set; }
    public int? Weight { get; set; }
    public int? Base { get; set; }
}

/// <summary>A capacity provider; for an Auto Scaling group, its group and managed scaling.</summary>
public sealed class EcsCapacityProvider
{
    public string? CapacityProviderArn { get; set; }
    public string? Name { get; set; }
    public string? Status { get; set; }
    public EcsAutoScalingGroupProvider? AutoScalingGroupProvider { get; set; }
    public string? Type { get; set; }
    public List<EcsTag>? Tags { get; set; }
}

public sealed class EcsAutoScalingGroupProvider
{
    public string? AutoScalingGroupArn { get; set; }
    public EcsManagedScaling? ManagedScaling { get; set; }
    public string? ManagedTerminationProtection { get; set; }
    public string? ManagedDraining { get; set; }
}

/// <summary>Managed scaling of an Auto Scaling group capacity provider (docs/design/capacity-and-placement.md, "Capacity providers").</summary>
public sealed class EcsManagedScaling
{
    /// <summary>ENABLED or DISABLED.</summary>
    public string? Status { get; set; }
    public int? TargetCapacity { get; set; }
    public int? MinimumScalingStepSize { get; set; }
    public int? MaximumScalingStepSize { get; set; }

    /// <summary>Seconds a new instance takes before it counts (default 300).</summary>
    public int? InstanceWarmupPeriod { get; set; }
}

public sealed class EcsPortMapping
{
    public int? ContainerPort { get; set; }
    public int? HostPort { get; set; }
    public string? Protocol { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

public sealed class EcsEnvironmentFile
{
    public string? Value { get; set; }
    public string? Type { get; set; }
}

public sealed class EcsSecret
{
    public string? Name { get; set; }
    public string? ValueFrom { get; set; }
}

public sealed class EcsLogConfiguration
{
    public string? LogDriver { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public List<EcsSecret>? SecretOptions { get; set; }
}

/// <summary>
/// A container definition. The members MightyOps manages are typed; every other member
/// (mountPoints, healthCheck, restartPolicy, fields newer than this code) rides along in
/// <see cref="Other"/> and is sent back unchanged on register.
/// </summary>
public sealed class EcsContainerDefinition
{
    public string? Name { get; set; }
    public string? Image { get; set; }
    public int? Cpu { get; set; }
    public int? Memory { get; set; }
    public int? MemoryReservation { get; set; }
    public bool? Essential { get; set; }
    public List<EcsPortMapping>? PortMappings { get; set; }
    public List<string>? EntryPoint { get; set; }
    public List<string>? Command { get; set; }
    public List<EcsKeyValuePair>? Environment { get; set; }
    public List<EcsEnvironmentFile>? EnvironmentFiles { get; set; }
    public List<EcsSecret>? Secrets { get; set; }
    public EcsLogConfiguration? LogConfiguration { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>
/// A registered task definition as DescribeTaskDefinition returns it. Read-only members
/// (taskDefinitionArn, revision, status, ...) are typed so they can be left out on register.
/// </summary>
public sealed class EcsTaskDefinition
{
    public string? TaskDefinitionArn { get; set; }
    public List<EcsContainerDefinition>? ContainerDefinitions { get; set; }
    public string? Family { get; set; }
    public string? TaskRoleArn { get; set; }
    public string? ExecutionRoleArn { get; set; }
    public string? NetworkMode { get; set; }
    public int Revision { get; set; }
    public JsonArray? Volumes { get; set; }
    public string? Status { get; set; }
    public JsonArray? RequiresAttributes { get; set; }
    public JsonArray? PlacementConstraints { get; set; }
    public List<string>? Compatibilities { get; set; }
    public JsonObject? RuntimePlatform { get; set; }
    public List<string>? RequiresCompatibilities { get; set; }
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public JsonArray? InferenceAccelerators { get; set; }
    public string? PidMode { get; set; }
    public string? IpcMode { get; set; }
    public JsonObject? ProxyConfiguration { get; set; }
    public DateTimeOffset? RegisteredAt { get; set; }
    public DateTimeOffset? DeregisteredAt { get; set; }
    public DateTimeOffset? DeleteRequestedAt { get; set; }
    public string? RegisteredBy { get; set; }
    public JsonObject? EphemeralStorage { get; set; }
    public bool? EnableFaultInjection { get; set; }
}

public sealed class EcsNetworkBinding
{
    public string? BindIP { get; set; }
    public int? ContainerPort { get; set; }
    public int? HostPort { get; set; }
    public string? Protocol { get; set; }
}

public sealed class EcsNetworkInterface
{
    public string? AttachmentId { get; set; }
    public string? PrivateIpv4Address { get; set; }
}

public sealed class EcsContainer
{
    public string? ContainerArn { get; set; }
    public string? TaskArn { get; set; }
    public string? Name { get; set; }
    public string? Image { get; set; }
    public string? ImageDigest { get; set; }
    public string? RuntimeId { get; set; }
    public string? LastStatus { get; set; }
    public int? ExitCode { get; set; }
    public string? Reason { get; set; }
    public List<EcsNetworkBinding>? NetworkBindings { get; set; }
    public List<EcsNetworkInterface>? NetworkInterfaces { get; set; }
    public string? HealthStatus { get; set; }
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public string? MemoryReservation { get; set; }
}

/// <summary>A task's attachment; for awsvpc tasks the ElasticNetworkInterface with its private address in <see cref="Details"/>.</summary>
public sealed class EcsAttachment
{
    public string? Id { get; set; }
    public string? Type { get; set; }
    public string? Status { get; set; }
    public List<EcsKeyValuePair>? Details { get; set; }
}

public sealed class EcsTask
{
    public List<EcsAttachment>? Attachments { get; set; }
    public string? TaskArn { get; set; }
    public string? ClusterArn { get; set; }
    public string? TaskDefinitionArn { get; set; }
    public string? ContainerInstanceArn { get; set; }
    public List<EcsContainer>? Containers { get; set; }
    public string? AvailabilityZone { get; set; }
    public string? Connectivity { get; set; }
    public DateTimeOffset? ConnectivityAt { get; set; }
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public string? DesiredStatus { get; set; }
    public string? LastStatus { get; set; }
    public bool EnableExecuteCommand { get; set; }
    public string? Group { get; set; }
    public string? HealthStatus { get; set; }
    public string? LaunchType { get; set; }
    public string? PlatformVersion { get; set; }
    public string? PlatformFamily { get; set; }
    public DateTimeOffset? PullStartedAt { get; set; }
    public DateTimeOffset? PullStoppedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string? StartedBy { get; set; }
    public string? StopCode { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public string? StoppedReason { get; set; }
    public DateTimeOffset? StoppingAt { get; set; }
    public DateTimeOffset? ExecutionStoppedAt { get; set; }
    public List<EcsTag>? Tags { get; set; }
    public long Version { get; set; }
    public string? CapacityProviderName { get; set; }
    public EcsTaskOverride? Overrides { get; set; }
}

public sealed class EcsResource
{
    public string? Name { get; set; }
    public string? Type { get; set; }
    public double DoubleValue { get; set; }
    public long LongValue { get; set; }
    public int IntegerValue { get; set; }
    public List<string>? StringSetValue { get; set; }
}

public sealed class EcsVersionInfo
{
    public string? AgentVersion { get; set; }
    public string? AgentHash { get; set; }
    public string? DockerVersion { get; set; }
}

public sealed class EcsAttribute
{
    public string? Name { get; set; }
    public string? Value { get; set; }
    public string? TargetType { get; set; }
    public string? TargetId { get; set; }
}

public sealed class EcsContainerInstance
{
    public string? ContainerInstanceArn { get; set; }
    public string? Ec2InstanceId { get; set; }
    public long Version { get; set; }
    public EcsVersionInfo? VersionInfo { get; set; }
    public List<EcsResource>? RemainingResources { get; set; }
    public List<EcsResource>? RegisteredResources { get; set; }
    public string? Status { get; set; }
    public bool AgentConnected { get; set; }
    public int RunningTasksCount { get; set; }
    public int PendingTasksCount { get; set; }
    public List<EcsAttribute>? Attributes { get; set; }
    public DateTimeOffset? RegisteredAt { get; set; }
    public List<EcsTag>? Tags { get; set; }
}

// ---- requests and responses, one pair per operation ----

public sealed class ListClustersRequest
{
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
}

public sealed class ListClustersResponse
{
    public List<string>? ClusterArns { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DescribeClustersRequest
{
    public List<string>? Clusters { get; set; }
    public List<string>? Include { get; set; }
}

public sealed class DescribeClustersResponse
{
    public List<EcsCluster>? Clusters { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class ListServicesRequest
{
    public string? Cluster { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public string? LaunchType { get; set; }
    public string? SchedulingStrategy { get; set; }
}

public sealed class ListServicesResponse
{
    public List<string>? ServiceArns { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DescribeServicesRequest
{
    public string? Cluster { get; set; }
    public List<string>? Services { get; set; }
    public List<string>? Include { get; set; }
}

public sealed class DescribeServicesResponse
{
    public List<EcsService>? Services { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class DescribeTaskDefinitionRequest
{
    public string? TaskDefinition { get; set; }
    public List<string>? Include { get; set; }
}

public sealed class DescribeTaskDefinitionResponse
{
    public EcsTaskDefinition? TaskDefinition { get; set; }
    public List<EcsTag>? Tags { get; set; }
}

/// <summary>
/// RegisterTaskDefinition input: an allow-list of what may be sent (docs/design/task-definition-copy.md), never a copy
/// of a described definition with read-only members still in it.
/// </summary>
public sealed class RegisterTaskDefinitionRequest
{
    public string? Family { get; set; }
    public string? TaskRoleArn { get; set; }
    public string? ExecutionRoleArn { get; set; }
    public string? NetworkMode { get; set; }
    public List<EcsContainerDefinition>? ContainerDefinitions { get; set; }
    public JsonArray? Volumes { get; set; }
    public JsonArray? PlacementConstraints { get; set; }
    public List<string>? RequiresCompatibilities { get; set; }
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public List<EcsTag>? Tags { get; set; }
    public string? PidMode { get; set; }
    public string? IpcMode { get; set; }
    public JsonObject? ProxyConfiguration { get; set; }
    public JsonArray? InferenceAccelerators { get; set; }
    public JsonObject? EphemeralStorage { get; set; }
    public JsonObject? RuntimePlatform { get; set; }
    public bool? EnableFaultInjection { get; set; }
}

public sealed class RegisterTaskDefinitionResponse
{
    public EcsTaskDefinition? TaskDefinition { get; set; }
    public List<EcsTag>? Tags { get; set; }
}

public sealed class ListTaskDefinitionsRequest
{
    /// <summary>The whole family name, despite the member's name (docs/design/deploy.md, "Registering at most once").</summary>
    public string? FamilyPrefix { get; set; }
    public string? Status { get; set; }
    public string? Sort { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
}

public sealed class ListTaskDefinitionsResponse
{
    public List<string>? TaskDefinitionArns { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DeregisterTaskDefinitionRequest
{
    public string? TaskDefinition { get; set; }
}

public sealed class DeregisterTaskDefinitionResponse
{
    public EcsTaskDefinition? TaskDefinition { get; set; }
}

public sealed class UpdateServiceRequest
{
    public string? Cluster { get; set; }
    public string? Service { get; set; }
    public int? DesiredCount { get; set; }
    public string? TaskDefinition { get; set; }
    public EcsDeploymentConfiguration? DeploymentConfiguration { get; set; }
    public JsonObject? NetworkConfiguration { get; set; }
    public string? PlatformVersion { get; set; }
    /// <summary>A primitive boolean in the model: send it only when true.</summary>
    public bool? ForceNewDeployment { get; set; }
    public int? HealthCheckGracePeriodSeconds { get; set; }
    public bool? EnableExecuteCommand { get; set; }
    public JsonArray? LoadBalancers { get; set; }
}

public sealed class UpdateServiceResponse
{
    public EcsService? Service { get; set; }
}

public sealed class ListTasksRequest
{
    public string? Cluster { get; set; }
    public string? ContainerInstance { get; set; }
    public string? Family { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public string? StartedBy { get; set; }
    public string? ServiceName { get; set; }
    public string? DesiredStatus { get; set; }
    public string? LaunchType { get; set; }
}

public sealed class ListTasksResponse
{
    public List<string>? TaskArns { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DescribeTasksRequest
{
    public string? Cluster { get; set; }
    public List<string>? Tasks { get; set; }
    public List<string>? Include { get; set; }
}

public sealed class DescribeTasksResponse
{
    public List<EcsTask>? Tasks { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class DescribeContainerInstancesRequest
{
    public string? Cluster { get; set; }
    public List<string>? ContainerInstances { get; set; }
    public List<string>? Include { get; set; }
}

public sealed class DescribeContainerInstancesResponse
{
    public List<EcsContainerInstance>? ContainerInstances { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class TagResourceRequest
{
    public string? ResourceArn { get; set; }
    public List<EcsTag>? Tags { get; set; }
}

public sealed class TagResourceResponse
{
}

public sealed class ListContainerInstancesRequest
{
    public string? Cluster { get; set; }
    public string? Filter { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public string? Status { get; set; }
}

public sealed class ListContainerInstancesResponse
{
    public List<string>? ContainerInstanceArns { get; set; }
    public string? NextToken { get; set; }
}

public sealed class UpdateContainerInstancesStateRequest
{
    public string? Cluster { get; set; }
    public List<string>? ContainerInstances { get; set; }
    public string? Status { get; set; }
}

public sealed class UpdateContainerInstancesStateResponse
{
    public List<EcsContainerInstance>? ContainerInstances { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class DescribeCapacityProvidersRequest
{
    public List<string>? CapacityProviders { get; set; }
    public string? Cluster { get; set; }
    public List<string>? Include { get; set; }
    public int? MaxResults { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DescribeCapacityProvidersResponse
{
    public List<EcsCapacityProvider>? CapacityProviders { get; set; }
    public List<EcsFailure>? Failures { get; set; }
    public string? NextToken { get; set; }
}
