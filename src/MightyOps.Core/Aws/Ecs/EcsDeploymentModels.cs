using System.Text.Json.Nodes;

// Wire shapes of ECS's service-deployment ledger and of the newer deployment configuration
// (model ecs-2014-11-13 in botocore 1.43), named after the botocore shapes with an Ecs prefix.
// docs/design/ecs-service-deployments.md says what the members mean.

namespace MightyOps.Core.Aws.Ecs;

public sealed class EcsDeploymentAlarms
{
    public List<string>? AlarmNames { get; set; }
    public bool Rollback { get; set; }
    public bool Enable { get; set; }
}

public sealed class EcsLinearConfiguration
{
    public double? StepPercent { get; set; }
    public int? StepBakeTimeInMinutes { get; set; }
}

public sealed class EcsCanaryConfiguration
{
    public double? CanaryPercent { get; set; }
    public int? CanaryBakeTimeInMinutes { get; set; }
}

public sealed class EcsDeploymentLifecycleHookTimeoutConfiguration
{
    public int? TimeoutInMinutes { get; set; }

    /// <summary>CONTINUE or ROLLBACK (the default).</summary>
    public string? Action { get; set; }
}

public sealed class EcsDeploymentLifecycleHook
{
    /// <summary>AWS_LAMBDA or PAUSE.</summary>
    public string? TargetType { get; set; }
    public string? HookTargetArn { get; set; }
    public string? RoleArn { get; set; }
    public List<string>? LifecycleStages { get; set; }

    /// <summary>A document: any JSON the hook's target is given.</summary>
    public JsonNode? HookDetails { get; set; }
    public EcsDeploymentLifecycleHookTimeoutConfiguration? TimeoutConfiguration { get; set; }
}

/// <summary>A service revision's counts and traffic weights within a service deployment.</summary>
public sealed class EcsServiceRevisionSummary
{
    public string? Arn { get; set; }
    public int RequestedTaskCount { get; set; }
    public int RunningTaskCount { get; set; }
    public int PendingTaskCount { get; set; }
    public double? RequestedTestTrafficWeight { get; set; }
    public double? RequestedProductionTrafficWeight { get; set; }
}

public sealed class EcsServiceDeploymentCircuitBreaker
{
    /// <summary>TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED.</summary>
    public string? Status { get; set; }
    public int FailureCount { get; set; }
    public int Threshold { get; set; }
}

public sealed class EcsServiceDeploymentAlarms
{
    /// <summary>TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED.</summary>
    public string? Status { get; set; }
    public List<string>? AlarmNames { get; set; }
    public List<string>? TriggeredAlarmNames { get; set; }
}

public sealed class EcsRollback
{
    public string? Reason { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string? ServiceRevisionArn { get; set; }
}

public sealed class EcsDeploymentLifecycleHookDetail
{
    public string? HookId { get; set; }

    /// <summary>AWS_LAMBDA or PAUSE.</summary>
    public string? TargetType { get; set; }
    public string? TargetArn { get; set; }

    /// <summary>AWAITING_ACTION, IN_PROGRESS, SUCCEEDED, FAILED or TIMED_OUT.</summary>
    public string? Status { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>CONTINUE or ROLLBACK.</summary>
    public string? TimeoutAction { get; set; }
}

/// <summary>One service deployment as DescribeServiceDeployments returns it.</summary>
public sealed class EcsServiceDeployment
{
    public string? ServiceDeploymentArn { get; set; }
    public string? ServiceArn { get; set; }
    public string? ClusterArn { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
    public List<EcsServiceRevisionSummary>? SourceServiceRevisions { get; set; }
    public EcsServiceRevisionSummary? TargetServiceRevision { get; set; }

    /// <summary>PENDING, IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED.</summary>
    public string? Status { get; set; }
    public string? StatusReason { get; set; }
    public string? LifecycleStage { get; set; }
    public List<EcsDeploymentLifecycleHookDetail>? LifecycleHookDetails { get; set; }
    public EcsDeploymentConfiguration? DeploymentConfiguration { get; set; }
    public EcsRollback? Rollback { get; set; }
    public EcsServiceDeploymentCircuitBreaker? DeploymentCircuitBreaker { get; set; }
    public EcsServiceDeploymentAlarms? Alarms { get; set; }
}

/// <summary>One service deployment as ListServiceDeployments lists it.</summary>
public sealed class EcsServiceDeploymentBrief
{
    public string? ServiceDeploymentArn { get; set; }
    public string? ServiceArn { get; set; }
    public string? ClusterArn { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? TargetServiceRevisionArn { get; set; }
    public string? Status { get; set; }
    public string? StatusReason { get; set; }
}

public sealed class EcsContainerImage
{
    public string? ContainerName { get; set; }
    public string? ImageDigest { get; set; }
    public string? Image { get; set; }
}

/// <summary>A service revision: what a deployment deploys, with the image digests ECS resolved when it started.</summary>
public sealed class EcsServiceRevision
{
    public string? ServiceRevisionArn { get; set; }
    public string? ServiceArn { get; set; }
    public string? ClusterArn { get; set; }
    public string? TaskDefinition { get; set; }
    public JsonArray? CapacityProviderStrategy { get; set; }
    public string? LaunchType { get; set; }
    public string? PlatformVersion { get; set; }
    public string? PlatformFamily { get; set; }
    public JsonArray? LoadBalancers { get; set; }
    public JsonArray? ServiceRegistries { get; set; }
    public JsonObject? NetworkConfiguration { get; set; }
    public List<EcsContainerImage>? ContainerImages { get; set; }
    public bool? GuardDutyEnabled { get; set; }
    public JsonObject? ServiceConnectConfiguration { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
}

// ---- requests and responses ----

public sealed class EcsCreatedAtFilter
{
    public DateTimeOffset? Before { get; set; }
    public DateTimeOffset? After { get; set; }
}

public sealed class ListServiceDeploymentsRequest
{
    public string? Service { get; set; }
    public string? Cluster { get; set; }
    public List<string>? Status { get; set; }
    public EcsCreatedAtFilter? CreatedAt { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
}

public sealed class ListServiceDeploymentsResponse
{
    public List<EcsServiceDeploymentBrief>? ServiceDeployments { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DescribeServiceDeploymentsRequest
{
    public List<string>? ServiceDeploymentArns { get; set; }
}

public sealed class DescribeServiceDeploymentsResponse
{
    public List<EcsServiceDeployment>? ServiceDeployments { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class DescribeServiceRevisionsRequest
{
    public List<string>? ServiceRevisionArns { get; set; }
}

public sealed class DescribeServiceRevisionsResponse
{
    public List<EcsServiceRevision>? ServiceRevisions { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class StopServiceDeploymentRequest
{
    public string? ServiceDeploymentArn { get; set; }

    /// <summary>ROLLBACK, or ABORT (stop where it stands).</summary>
    public string? StopType { get; set; }
}

public sealed class StopServiceDeploymentResponse
{
    public string? ServiceDeploymentArn { get; set; }
}

public sealed class ContinueServiceDeploymentRequest
{
    public string? ServiceDeploymentArn { get; set; }
    public string? HookId { get; set; }

    /// <summary>CONTINUE or ROLLBACK.</summary>
    public string? Action { get; set; }
}

public sealed class ContinueServiceDeploymentResponse
{
    public string? ServiceDeploymentArn { get; set; }
}
