using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// The sandbox's service-deployment ledger (ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions): what ECS records about each deployment, beside the DescribeServices
// deployments the scheduler works with (docs/design/ecs-service-deployments.md).

/// <summary>The values of a service deployment's <c>status</c>, and which of them are final.</summary>
internal static class LedgerStatus
{
    public const string Pending = "PENDING";
    public const string InProgress = "IN_PROGRESS";
    public const string StopRequested = "STOP_REQUESTED";
    public const string RollbackRequested = "ROLLBACK_REQUESTED";
    public const string RollbackInProgress = "ROLLBACK_IN_PROGRESS";
    public const string Successful = "SUCCESSFUL";
    public const string Stopped = "STOPPED";
    public const string RollbackSuccessful = "ROLLBACK_SUCCESSFUL";
    public const string RollbackFailed = "ROLLBACK_FAILED";

    /// <summary>Completed, successfully or not: nothing changes a deployment in these any more.</summary>
    public static bool IsFinal(string status) => status is Successful or Stopped or RollbackSuccessful or RollbackFailed;
}

/// <summary>A container's image in a service revision, with the digest ECS resolved its tag to when the revision was made.</summary>
internal sealed record RevisionImage(string Container, string Image, string? Digest);

/// <summary>
/// A service revision: the task definition and settings a deployment deploys, and the image
/// digests resolved when it was made (every task of it runs those, whatever the tag points at later).
/// </summary>
internal sealed class ServiceRevisionState
{
    public required string Arn { get; init; }

    public required ServiceState Service { get; init; }

    public required string TaskDefinitionArn { get; init; }

    public required IReadOnlyList<RevisionImage> Images { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? LaunchType { get; init; }

    public string? PlatformVersion { get; init; }

    public JsonObject? NetworkConfiguration { get; init; }

    public JsonArray? CapacityProviderStrategy { get; init; }

    /// <summary>The digest the tasks of this revision pull for <paramref name="container"/>, when one was resolved.</summary>
    public string? DigestOf(string container) => Images.FirstOrDefault(i => i.Container == container)?.Digest;
}

/// <summary>A lifecycle hook reached by a service deployment, as <c>lifecycleHookDetails</c> lists it.</summary>
internal sealed class HookState
{
    public required string HookId { get; init; }

    /// <summary>AWS_LAMBDA or PAUSE.</summary>
    public required string TargetType { get; init; }

    public string? TargetArn { get; init; }

    /// <summary>The configured stage it runs at (a hook for PRE_PRODUCTION_TRAFFIC_SHIFT runs as production traffic starts to shift).</summary>
    public required string Stage { get; init; }

    /// <summary>AWAITING_ACTION (a pause hook), IN_PROGRESS (a Lambda hook), SUCCEEDED, FAILED or TIMED_OUT.</summary>
    public required string Status { get; set; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>CONTINUE or ROLLBACK.</summary>
    public required string TimeoutAction { get; init; }

    /// <summary>When a Lambda hook is asked again (its answer was IN_PROGRESS).</summary>
    public DateTimeOffset? NextInvocationAt { get; set; }

    public bool IsOpen => Status is "AWAITING_ACTION" or "IN_PROGRESS";
}

/// <summary>One service deployment: from PENDING to its final status, with the stage it is in and what decided its outcome.</summary>
internal sealed class ServiceDeploymentState
{
    public required string Arn { get; init; }

    public required ServiceState Service { get; init; }

    public long Seq { get; init; }

    public required ServiceRevisionState Target { get; init; }

    /// <summary>The revisions that ran when it was created.</summary>
    public required IReadOnlyList<ServiceRevisionState> Sources { get; init; }

    /// <summary>The service's deployment configuration when it was created (later changes do not apply to it).</summary>
    public required EcsDeploymentConfiguration Configuration { get; init; }

    /// <summary>The DescribeServices deployment that runs <see cref="Target"/>.</summary>
    public required DeploymentState Deployment { get; init; }

    /// <summary>The deployment that served before (blue): what blue/green, linear and canary shift away from, and roll back to.</summary>
    public DeploymentState? SourceDeployment { get; init; }

    /// <summary>The DescribeServices deployment that runs the rollback, once one started.</summary>
    public DeploymentState? RollbackDeployment { get; set; }

    public string Status { get; set; } = LedgerStatus.Pending;

    public string? StatusReason { get; set; }

    public string? LifecycleStage { get; set; }

    public DateTimeOffset StageEnteredAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? StoppedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? RollbackReason { get; set; }

    public DateTimeOffset? RollbackStartedAt { get; set; }

    public ServiceRevisionState? RollbackRevision { get; set; }

    public bool BreakerTriggered { get; set; }

    public List<string> TriggeredAlarms { get; } = [];

    public List<HookState> Hooks { get; } = [];

    /// <summary>Percent of production traffic on the target (blue/green, linear, canary).</summary>
    public double ProductionTraffic { get; set; }

    /// <summary>Percent of test traffic on the target.</summary>
    public double TestTraffic { get; set; }

    /// <summary>When the next linear or canary step is due.</summary>
    public DateTimeOffset? NextShiftAt { get; set; }

    /// <summary>ROLLING unless the configuration names another strategy.</summary>
    public string Strategy => Configuration.Strategy ?? DeploymentStrategies.Rolling;

    /// <summary>Blue/green and its traffic-shifting variants: a full second set of tasks, stages, bake time.</summary>
    public bool ShiftsTraffic => DeploymentStrategies.ShiftsTraffic(Strategy);

    public bool IsFinal => LedgerStatus.IsFinal(Status);

    public bool IsRollingBack => Status is LedgerStatus.RollbackRequested or LedgerStatus.RollbackInProgress;
}
