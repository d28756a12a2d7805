using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// ECS's verdict on a service deployment (its ledger status) and what MightyOps reports for it
/// (docs/design/ecs-service-deployments.md, "What MightyOps reports").
/// </summary>
public static class DeploymentVerdict
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

    /// <summary>The statuses of a deployment that has not finished: what "in progress" means for a concurrent deploy.</summary>
    public static IReadOnlyList<string> Open { get; } = [Pending, InProgress, StopRequested, RollbackRequested, RollbackInProgress];

    /// <summary>True once ECS has decided: SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED.</summary>
    public static bool IsFinal(string? status) => status is Successful or Stopped or RollbackSuccessful or RollbackFailed;

    /// <summary>True while ECS rolls the deployment back.</summary>
    public static bool IsRollingBack(string? status) => status is RollbackRequested or RollbackInProgress;

    /// <summary>
    /// True when something ECS watches failed the deployment: the circuit breaker or an alarm
    /// triggered, or a lifecycle hook failed or timed out.
    /// </summary>
    public static bool FailureDetected(EcsServiceDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.DeploymentCircuitBreaker?.Status == "TRIGGERED"
            || deployment.Alarms?.Status == "TRIGGERED"
            || deployment.Alarms?.TriggeredAlarmNames is { Count: > 0 }
            || (deployment.LifecycleHookDetails ?? []).Any(h => h.Status is "FAILED" or "TIMED_OUT");
    }

    /// <summary>
    /// What a deployment stands at by ECS's status: SUCCESSFUL is Completed, ROLLBACK_SUCCESSFUL
    /// RolledBack, ROLLBACK_FAILED Failed; STOPPED is Superseded when a newer deployment replaced
    /// it, Failed when a failure was detected (ECS stopped it rather than rolling it back), else
    /// Stopped; anything else (an open status, or one newer than this code) is InProgress.
    /// </summary>
    public static MightyDeploymentStatus Of(string? status, bool failureDetected, bool superseded) => status switch
    {
        Successful => MightyDeploymentStatus.Completed,
        RollbackSuccessful => MightyDeploymentStatus.RolledBack,
        RollbackFailed => MightyDeploymentStatus.Failed,
        Stopped when superseded => MightyDeploymentStatus.Superseded,
        Stopped when failureDetected => MightyDeploymentStatus.Failed,
        Stopped => MightyDeploymentStatus.Stopped,
        _ => MightyDeploymentStatus.InProgress,
    };
}
