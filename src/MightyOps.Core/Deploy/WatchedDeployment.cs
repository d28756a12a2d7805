using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>What a watch expects a deployment to end with: what counts as success, not as a failure to report.</summary>
public enum ExpectedOutcome
{
    /// <summary>A deploy (Publish, Restore, Wait): only Completed is success; MightyOps may roll a failure back.</summary>
    Completion,

    /// <summary>A rollback someone asked for (Stop-MightyDeployment -Rollback, Resume-MightyDeployment -Rollback): RolledBack is success.</summary>
    Rollback,

    /// <summary>A stop someone asked for (Stop-MightyDeployment): Stopped is success.</summary>
    Stop,
}

/// <summary>
/// One deployment while <see cref="RolloutWatcher"/> follows it: what it is, and what the
/// watcher has seen so far. Owned by the watcher's loop (one thread at a time).
/// </summary>
public sealed class WatchedDeployment
{
    private readonly HashSet<string> _seenEvents = new(StringComparer.Ordinal);
    private readonly List<MightyServiceEvent> _events = [];

    public required string Cluster { get; init; }

    public required string Service { get; init; }

    /// <summary>The ECS deployment to follow (<c>ecs-svc/…</c>); empty when only its ledger ARN is known.</summary>
    public required string DeploymentId { get; init; }

    /// <summary>Its service deployment in ECS's ledger, once known (docs/design/ecs-service-deployments.md); null: the DescribeServices rules apply.</summary>
    public string? DeploymentArn { get; set; }

    /// <summary>What the watch expects it to end with.</summary>
    public ExpectedOutcome Expected { get; set; } = ExpectedOutcome.Completion;

    /// <summary>
    /// The newest deployment of the service created before this one started, by ECS's clock: a
    /// deployment created after that, other than this one, started at the same time (concurrent deploys).
    /// </summary>
    public DateTimeOffset? LookedAt { get; set; }

    /// <summary>A deployment of the service that started after ours, by another deploy that ran at the same time: it goes ahead, ours is refused.</summary>
    internal EcsServiceDeploymentBrief? ConcurrentWith { get; set; }

    /// <summary>The task definition that deployment runs.</summary>
    public required string TaskDefinitionArn { get; init; }

    /// <summary>What the service ran before; the rollback target. Empty when unknown.</summary>
    public required string PreviousTaskDefinitionArn { get; init; }

    public IReadOnlyDictionary<string, string> Images { get; init; } = new Dictionary<string, string>();

    /// <summary>When ECS created the deployment (ECS's clock): events from then on belong to it.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The final status, once there is one.</summary>
    public MightyDeploymentStatus Status { get; internal set; } = MightyDeploymentStatus.InProgress;

    public bool IsFinished => Status != MightyDeploymentStatus.InProgress;

    public DateTimeOffset? CompletedAt { get; internal set; }

    public string FailureReason { get; internal set; } = string.Empty;

    /// <summary>When <see cref="MightyDeploymentStatus.Superseded"/>: the task definition of the deployment that replaced this one.</summary>
    public string SupersededByTaskDefinitionArn { get; internal set; } = string.Empty;

    /// <summary>The error to report with the result (DeploymentFailed / DeploymentTimedOut), if it failed.</summary>
    public MightyOpsException? Error { get; internal set; }

    /// <summary>While rolling back: the deployment that restores <see cref="PreviousTaskDefinitionArn"/>.</summary>
    internal string? RollbackDeploymentId { get; set; }

    /// <summary>While MightyOps's own UpdateService rollback runs: its service deployment, when the ledger lists it.</summary>
    internal string? RollbackDeploymentArn { get; set; }

    /// <summary>What the ledger said last; null without the ledger.</summary>
    internal EcsServiceDeployment? Ledger { get; set; }

    /// <summary>The deployment configuration the watch's timeout and progress use (the ledger's, else the service's).</summary>
    internal EcsDeploymentConfiguration? Configuration { get; set; }

    /// <summary>How long the watch waits for it: -Timeout, or the default grown by the configured bake and step times; set when its configuration is first seen.</summary>
    internal TimeSpan? Limit { get; set; }

    /// <summary>ListServiceDeployments lookups that did not find it yet (the ledger may lag the UpdateService answer).</summary>
    internal int LedgerLookups { get; set; }

    /// <summary>True once MightyOps asked ECS to roll it back in flight (StopServiceDeployment ROLLBACK).</summary>
    internal bool RollbackRequested { get; set; }

    /// <summary>When its BAKE_TIME stage started, by ECS's clock (the ledger's updatedAt when it was first seen in it).</summary>
    internal DateTimeOffset? BakeStartedAt { get; set; }

    /// <summary>The pause hooks already announced.</summary>
    internal HashSet<string> AnnouncedHooks { get; } = new(StringComparer.Ordinal);

    /// <summary>True once the failure has been explained (events, stopped tasks, crash output).</summary>
    internal bool Explained { get; set; }

    /// <summary>Who rolled it back, to what, and why (the result's Rollback).</summary>
    internal MightyDeploymentRollback? Rollback { get; set; }

    /// <summary>Container name to the digest ECS resolved (from the target service revision).</summary>
    internal IReadOnlyDictionary<string, string> ImageDigests { get; set; } = new Dictionary<string, string>();

    /// <summary>When Superseded: the service deployment that replaced it.</summary>
    internal string SupersededByDeploymentArn { get; set; } = string.Empty;

    /// <summary>The status to end with once the rollback completes (RolledBack, or TimedOut after a timeout).</summary>
    internal MightyDeploymentStatus StatusAfterRollback { get; set; } = MightyDeploymentStatus.RolledBack;

    internal string? LastCounts { get; set; }

    /// <summary>The ledger status and stage last logged.</summary>
    internal string? LastLedgerState { get; set; }

    /// <summary>The progress last shown for it, kept while ECS does not answer.</summary>
    internal int LastPercent { get; set; }

    /// <summary>The exited containers' last log lines (CrashOutput), each on its own lines; appended to the final reason.</summary>
    internal string CrashOutput { get; set; } = string.Empty;

    internal IReadOnlyList<MightyServiceEvent> Events => _events;

    /// <summary>The service as the last poll saw it (settings for the advice).</summary>
    internal EcsService? LastService { get; set; }

    /// <summary>Where the time went, once finished (docs/design/load-balanced-deploys.md).</summary>
    internal IReadOnlyList<MightyDeploymentPhase> Timeline { get; set; } = [];

    internal IReadOnlyList<string> Advice { get; set; } = [];

    /// <summary>The events not seen before that belong to this deployment, oldest first.</summary>
    internal List<MightyServiceEvent> TakeNewEvents(EcsService service)
    {
        var fresh = new List<MightyServiceEvent>();
        // ECS lists events newest first; a deployment's events are those from its creation on.
        DateTimeOffset since = (StartedAt ?? DateTimeOffset.MinValue).AddSeconds(-1);
        foreach (EcsServiceEvent e in (service.Events ?? []).OrderBy(e => e.CreatedAt))
        {
            if (e.Id is null || e.CreatedAt < since || !_seenEvents.Add(e.Id))
            {
                continue;
            }
            var item = new MightyServiceEvent { Cluster = Cluster, Service = Service, Id = e.Id, CreatedAt = e.CreatedAt ?? default, Message = e.Message ?? string.Empty };
            _events.Add(item);
            fresh.Add(item);
        }
        return fresh;
    }

    /// <summary>The result object.</summary>
    public MightyDeployment ToResult() => new()
    {
        Cluster = Cluster,
        Service = Service,
        DeploymentId = DeploymentId,
        DeploymentArn = DeploymentArn ?? string.Empty,
        Strategy = Ledger?.DeploymentConfiguration?.Strategy ?? Configuration?.Strategy ?? (Configuration is null && Ledger is null ? string.Empty : DeploymentStrategy.Rolling),
        LifecycleStage = Ledger?.LifecycleStage ?? string.Empty,
        EcsStatus = Ledger?.Status ?? string.Empty,
        StatusReason = Ledger?.StatusReason ?? string.Empty,
        CircuitBreaker = Ledger?.DeploymentCircuitBreaker is { } breaker
            ? new MightyCircuitBreaker { Status = breaker.Status ?? string.Empty, FailureCount = breaker.FailureCount, Threshold = breaker.Threshold }
            : null,
        TriggeredAlarms = Ledger?.Alarms?.TriggeredAlarmNames ?? [],
        Rollback = Rollback,
        ImageDigests = ImageDigests,
        SupersededByDeploymentArn = SupersededByDeploymentArn,
        TaskDefinitionArn = TaskDefinitionArn,
        PreviousTaskDefinitionArn = PreviousTaskDefinitionArn,
        Images = Images,
        Status = Status.ToString(),
        StartedAt = StartedAt,
        CompletedAt = CompletedAt,
        FailureReason = FailureReason,
        SupersededByTaskDefinitionArn = SupersededByTaskDefinitionArn,
        Events = _events.ToList(),
        Timeline = Timeline,
        SlowestPhase = DeploymentTimeline.Slowest(Timeline),
        Advice = Advice,
    };

    /// <summary>An ECS deployment of <paramref name="service"/> to watch, as DescribeServices lists it.</summary>
    internal static WatchedDeployment Of(string cluster, string service, EcsDeployment deployment, string previous, EcsTaskDefinition? definition) => new()
    {
        Cluster = cluster,
        Service = service,
        DeploymentId = deployment.Id ?? string.Empty,
        TaskDefinitionArn = deployment.TaskDefinition ?? string.Empty,
        PreviousTaskDefinitionArn = previous,
        Images = (definition?.ContainerDefinitions ?? []).Where(c => c.Name is not null).ToDictionary(c => c.Name!, c => c.Image ?? string.Empty, StringComparer.Ordinal),
        StartedAt = deployment.CreatedAt,
    };

    /// <summary>The deployment UpdateService just started: the PRIMARY that runs <paramref name="taskDefinition"/>.</summary>
    internal static WatchedDeployment FromUpdate(string cluster, string service, EcsService? updated, string taskDefinition, string previous, IReadOnlyDictionary<string, string> images)
    {
        // The PRIMARY; or, when the update was found to have happened after a lost answer and
        // another deployment replaced it since, the newest one that runs the task definition.
        EcsDeployment primary = updated?.Deployments?.FirstOrDefault(d => d.Status == "PRIMARY" && d.TaskDefinition == taskDefinition)
            ?? updated?.Deployments?.Where(d => d.TaskDefinition == taskDefinition).MaxBy(d => d.CreatedAt)
            ?? throw new MightyOpsException(AwsErrorIds.AwsResponseInvalid,
                $"UpdateService for '{service}' answered without a PRIMARY deployment of {MightyServiceDeployment.ShortTaskDefinition(taskDefinition)}; check the service with Get-MightyService -Service {service}.", service);
        return new WatchedDeployment
        {
            Cluster = cluster,
            Service = service,
            DeploymentId = primary.Id ?? string.Empty,
            TaskDefinitionArn = taskDefinition,
            PreviousTaskDefinitionArn = previous,
            Images = images,
            StartedAt = primary.CreatedAt,
        };
    }
}
