using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// The ledger's answers: service deployments (whole and brief) and service revisions.
internal static partial class EcsWire
{
    public static JsonObject ServiceDeployment(ServiceDeploymentState entry)
    {
        ServiceState service = entry.Service;
        bool breakerOn = entry.Configuration.DeploymentCircuitBreaker?.Enable == true;
        bool alarmsOn = entry.Configuration.Alarms?.Enable == true;
        var wire = new EcsServiceDeployment
        {
            ServiceDeploymentArn = entry.Arn,
            ServiceArn = service.Arn,
            ClusterArn = service.Cluster.Arn,
            CreatedAt = entry.CreatedAt,
            StartedAt = entry.StartedAt,
            FinishedAt = entry.FinishedAt,
            StoppedAt = entry.StoppedAt,
            UpdatedAt = entry.UpdatedAt,
            SourceServiceRevisions = entry.Sources.Select(r => Summary(entry, r, target: false)).ToList(),
            TargetServiceRevision = Summary(entry, entry.Target, target: true),
            Status = entry.Status,
            StatusReason = entry.StatusReason,
            LifecycleStage = entry.LifecycleStage,
            LifecycleHookDetails = entry.Hooks.Count == 0 ? null : entry.Hooks.Select(h => new EcsDeploymentLifecycleHookDetail
            {
                HookId = h.HookId,
                TargetType = h.TargetType,
                TargetArn = h.TargetArn,
                Status = h.Status,
                ExpiresAt = h.ExpiresAt,
                TimeoutAction = h.TimeoutAction,
            }).ToList(),
            DeploymentConfiguration = entry.Configuration,
            Rollback = entry.RollbackStartedAt is null ? null : new EcsRollback
            {
                Reason = entry.RollbackReason,
                StartedAt = entry.RollbackStartedAt,
                ServiceRevisionArn = entry.RollbackRevision?.Arn,
            },
            DeploymentCircuitBreaker = new EcsServiceDeploymentCircuitBreaker
            {
                Status = !breakerOn ? "DISABLED" : entry.BreakerTriggered ? "TRIGGERED" : entry.IsFinal ? "MONITORING_COMPLETE" : "MONITORING",
                FailureCount = entry.Deployment.FailedTasks,
                Threshold = EcsSimulation.CircuitBreakerThreshold(service.DesiredCount),
            },
            Alarms = !alarmsOn
                ? new EcsServiceDeploymentAlarms { Status = "DISABLED" }
                : new EcsServiceDeploymentAlarms
                {
                    Status = entry.TriggeredAlarms.Count > 0 ? "TRIGGERED" : entry.IsFinal ? "MONITORING_COMPLETE" : "MONITORING",
                    AlarmNames = entry.Configuration.Alarms!.AlarmNames ?? [],
                    TriggeredAlarmNames = [.. entry.TriggeredAlarms],
                },
        };
        return ToObject(wire);
    }

    public static JsonObject ServiceDeploymentBrief(ServiceDeploymentState entry) => ToObject(new EcsServiceDeploymentBrief
    {
        ServiceDeploymentArn = entry.Arn,
        ServiceArn = entry.Service.Arn,
        ClusterArn = entry.Service.Cluster.Arn,
        StartedAt = entry.StartedAt,
        CreatedAt = entry.CreatedAt,
        FinishedAt = entry.FinishedAt,
        TargetServiceRevisionArn = entry.Target.Arn,
        Status = entry.Status,
        StatusReason = entry.StatusReason,
    });

    public static JsonObject ServiceRevision(ServiceRevisionState revision) => ToObject(new EcsServiceRevision
    {
        ServiceRevisionArn = revision.Arn,
        ServiceArn = revision.Service.Arn,
        ClusterArn = revision.Service.Cluster.Arn,
        TaskDefinition = revision.TaskDefinitionArn,
        CapacityProviderStrategy = (JsonArray?)revision.CapacityProviderStrategy?.DeepClone(),
        LaunchType = revision.LaunchType,
        PlatformVersion = revision.PlatformVersion,
        PlatformFamily = revision.PlatformVersion is null ? null : "Linux",
        LoadBalancers = (JsonArray)revision.Service.LoadBalancers.DeepClone(),
        ServiceRegistries = (JsonArray)revision.Service.ServiceRegistries.DeepClone(),
        NetworkConfiguration = (JsonObject?)revision.NetworkConfiguration?.DeepClone(),
        ContainerImages = revision.Images.Select(i => new EcsContainerImage { ContainerName = i.Container, Image = i.Image, ImageDigest = i.Digest }).ToList(),
        GuardDutyEnabled = false,
        ServiceConnectConfiguration = new JsonObject { ["enabled"] = false },
        CreatedAt = revision.CreatedAt,
    });

    /// <summary>A revision's counts in a deployment: the target's own tasks, or a source's (every deployment that runs it); traffic weights for the strategies that shift traffic.</summary>
    private static EcsServiceRevisionSummary Summary(ServiceDeploymentState entry, ServiceRevisionState revision, bool target)
    {
        ServiceState service = entry.Service;
        List<TaskState> tasks = target
            ? service.Tasks.Where(t => t.StartedBy == entry.Deployment.Id).ToList()
            : service.Tasks.Where(t => service.Deployments.Any(d => d.Id == t.StartedBy && ReferenceEquals(d.Revision, revision) && !ReferenceEquals(d, entry.Deployment))).ToList();
        int requested = target
            ? (entry.Status == LedgerStatus.Successful || !entry.IsFinal ? service.DesiredCount : 0)
            : tasks.Count(t => t.IsLive);
        return new EcsServiceRevisionSummary
        {
            Arn = revision.Arn,
            RequestedTaskCount = requested,
            RunningTaskCount = tasks.Count(t => t.IsRunning),
            PendingTaskCount = tasks.Count(t => t.IsPending),
            RequestedProductionTrafficWeight = entry.ShiftsTraffic ? (target ? entry.ProductionTraffic : 100 - entry.ProductionTraffic) : null,
            RequestedTestTrafficWeight = entry.ShiftsTraffic ? (target ? entry.TestTraffic : 100 - entry.TestTraffic) : null,
        };
    }
}
