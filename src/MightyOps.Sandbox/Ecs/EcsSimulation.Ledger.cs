using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// The service-deployment ledger and the strategies that drive it: each deployment's status and
// lifecycle stage, blue/green, linear and canary traffic shifts, bake time, lifecycle hooks,
// CloudWatch alarms, StopServiceDeployment and ContinueServiceDeployment, as
// docs/design/ecs-service-deployments.md describes them. The scheduler (EcsSimulation.Scheduler)
// asks it what it may do: launch, stop the old revision's tasks, call a deployment completed.
internal sealed partial class EcsSimulation
{
    /// <summary>ECS keeps the service deployments of the last 90 days.</summary>
    private static readonly TimeSpan LedgerRetention = TimeSpan.FromDays(90);

    /// <summary>A Lambda hook that answered IN_PROGRESS is asked again after this.</summary>
    private static readonly TimeSpan LambdaHookCallback = TimeSpan.FromSeconds(30);

    /// <summary>The sandbox keeps at most this many service deployments per service (the newest), so a long soak stays bounded.</summary>
    private const int MaxLedgerEntriesPerService = 500;

    /// <summary>Service deployments by ARN.</summary>
    public Dictionary<string, ServiceDeploymentState> ServiceDeployments { get; } = new(StringComparer.Ordinal);

    /// <summary>Service revisions by ARN.</summary>
    public Dictionary<string, ServiceRevisionState> ServiceRevisions { get; } = new(StringComparer.Ordinal);

    /// <summary>The CloudWatch alarms in the ALARM state (set through the admin API); every other alarm is OK.</summary>
    public HashSet<string> AlarmsInAlarm { get; } = new(StringComparer.Ordinal);

    /// <summary>What each Lambda hook answers, by function ARN (SUCCEEDED unless set: IN_PROGRESS holds the deployment, FAILED rolls it back).</summary>
    public Dictionary<string, string> LambdaHookAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>False when the ledger's operations answer UnsupportedFeatureException, as in a region without them.</summary>
    public bool ServiceDeploymentsAvailable { get; set; } = true;

    /// <summary>
    /// Starts a deployment of <paramref name="definition"/> the way CreateService and UpdateService
    /// do: a new service revision (image tags resolved to digests now), the DescribeServices
    /// deployment, and a PENDING service deployment; one still open is stopped (superseded).
    /// </summary>
    public DeploymentState StartServiceDeployment(ServiceState service, TaskDefinitionState definition)
    {
        // Blue: what serves now (the newest completed deployment), not a superseded one that never ran.
        DeploymentState? serving = service.Deployments.FirstOrDefault(d => d.RolloutState == "COMPLETED")
            ?? (service.Deployments.Count > 0 ? service.Primary : null);
        List<ServiceRevisionState> sources = service.Deployments.Select(d => d.Revision).OfType<ServiceRevisionState>().Distinct().ToList();
        foreach (ServiceDeploymentState open in service.Ledger.Where(e => !e.IsFinal))
        {
            Finish(open, LedgerStatus.Stopped, "Stopped: a newer deployment of the service started before this one completed.");
        }
        DeploymentState deployment = StartDeployment(service, definition.Arn);
        deployment.Revision = NewRevision(service, definition, deployment.Id.Split('/')[^1]);
        if (service.DeploymentController != "ECS")
        {
            return deployment;
        }
        var entry = new ServiceDeploymentState
        {
            Arn = Arns.ServiceDeployment(service.Cluster.Name, service.Name, Arns.NewServiceDeploymentId()),
            Service = service,
            Seq = NextSeq(),
            Target = deployment.Revision,
            Sources = sources,
            Configuration = Copy(service.DeploymentConfiguration),
            Deployment = deployment,
            SourceDeployment = serving,
            CreatedAt = Now,
            UpdatedAt = Now,
            StageEnteredAt = Now,
        };
        deployment.Ledger = entry;
        service.Ledger.Insert(0, entry);
        ServiceDeployments[entry.Arn] = entry;
        if (service.Ledger.Count > MaxLedgerEntriesPerService)
        {
            Forget(service.Ledger[^1]);
        }
        return deployment;
    }

    private ServiceRevisionState NewRevision(ServiceState service, TaskDefinitionState definition, string id)
    {
        var revision = new ServiceRevisionState
        {
            Arn = Arns.ServiceRevision(service.Cluster.Name, service.Name, id),
            Service = service,
            TaskDefinitionArn = definition.Arn,
            Images = (definition.Definition.ContainerDefinitions ?? [])
                .Select(c => new RevisionImage(c.Name ?? string.Empty, c.Image ?? string.Empty, ImageLookup.Resolve(_world, c.Image ?? string.Empty)))
                .ToList(),
            CreatedAt = Now,
            LaunchType = service.CapacityProviderStrategy is null ? service.LaunchType : null,
            PlatformVersion = service.PlatformVersion,
            NetworkConfiguration = service.NetworkConfiguration,
            CapacityProviderStrategy = service.CapacityProviderStrategy,
        };
        ServiceRevisions[revision.Arn] = revision;
        return revision;
    }

    private static EcsDeploymentConfiguration Copy(EcsDeploymentConfiguration configuration) =>
        JsonSerializer.Deserialize<EcsDeploymentConfiguration>(JsonSerializer.SerializeToUtf8Bytes(configuration, AwsJson.Options), AwsJson.Options)!;

    // ------------------------------------------------------------------ what the scheduler asks

    /// <summary>The service deployment whose rollback <paramref name="deployment"/> runs, while it does.</summary>
    private static ServiceDeploymentState? RollingBackTo(ServiceState service, DeploymentState deployment) =>
        service.Ledger.FirstOrDefault(e => e.IsRollingBack && ReferenceEquals(e.RollbackDeployment, deployment));

    /// <summary>The open traffic-shifting deployment the primary is the target (green) of.</summary>
    private static ServiceDeploymentState? ShiftingTo(DeploymentState primary) =>
        primary.Ledger is { ShiftsTraffic: true, IsFinal: false, IsRollingBack: false } entry && ReferenceEquals(entry.Deployment, primary) ? entry : null;

    /// <summary>Blue/green family: green gets no tasks before SCALE_UP.</summary>
    private static bool MayLaunch(DeploymentState primary) =>
        ShiftingTo(primary) is not { } entry || (entry.Status == LedgerStatus.InProgress && entry.LifecycleStage is not ("RECONCILE_SERVICE" or "PRE_SCALE_UP"));

    /// <summary>Blue/green family: a full second set of tasks, whatever maximumPercent says.</summary>
    private static int MaxLiveTasks(ServiceState service, DeploymentState primary, int desired) =>
        ShiftingTo(primary) is not null ? int.MaxValue : desired * (service.DeploymentConfiguration.MaximumPercent ?? 200) / 100;

    /// <summary>Blue/green family: blue keeps every task until CLEAN_UP.</summary>
    private static bool MayStopOldTasks(DeploymentState primary) =>
        ShiftingTo(primary) is not { } entry || entry.LifecycleStage == "CLEAN_UP";

    /// <summary>Blue/green family: green completes only in CLEAN_UP, after bake time.</summary>
    private static bool MayComplete(DeploymentState primary) =>
        ShiftingTo(primary) is not { } entry || (entry.Status == LedgerStatus.InProgress && entry.LifecycleStage == "CLEAN_UP");

    /// <summary>The primary reached COMPLETED: its service deployment succeeded, or the rollback it ran did.</summary>
    private void OnDeploymentCompleted(ServiceState service, DeploymentState primary)
    {
        service.LastCompletedRevision = primary.Revision ?? service.LastCompletedRevision;
        if (RollingBackTo(service, primary) is { } rolledBack)
        {
            Finish(rolledBack, LedgerStatus.RollbackSuccessful, rolledBack.RollbackReason);
        }
        else if (primary.Ledger is { IsFinal: false } entry && ReferenceEquals(entry.Deployment, primary))
        {
            entry.ProductionTraffic = entry.ShiftsTraffic ? 100 : 0;
            Finish(entry, LedgerStatus.Successful, null);
        }
    }

    /// <summary>
    /// The circuit breaker tripped on <paramref name="deployment"/>: true when its service deployment
    /// takes it from here (rolled back or stopped), false for a service without a ledger.
    /// </summary>
    private bool OnCircuitBreakerTripped(ServiceState service, DeploymentState deployment, bool rollback)
    {
        if (RollingBackTo(service, deployment) is { } rollingBack)
        {
            // A rollback that fails is not rolled back again.
            rollingBack.BreakerTriggered = true;
            Finish(rollingBack, LedgerStatus.RollbackFailed, $"The rollback to {Short(rollingBack.RollbackRevision?.TaskDefinitionArn)} failed too: its tasks failed to start.");
            return true;
        }
        if (deployment.Ledger is not { IsFinal: false } entry || !ReferenceEquals(entry.Deployment, deployment))
        {
            return deployment.Ledger is not null;
        }
        entry.BreakerTriggered = true;
        Fail(entry, deployment.RolloutStateReason, rollback, alreadyFailed: true);
        return true;
    }

    // ------------------------------------------------------------------ the ledger's own pass

    /// <summary>
    /// Moves every open service deployment of the service along (called first in each scheduler
    /// pass): PENDING starts, stages and traffic steps come due, hooks answer or time out, alarms
    /// fail a deployment, requested stops and rollbacks are carried out.
    /// </summary>
    private void AdvanceLedger(ServiceState service)
    {
        foreach (ServiceDeploymentState entry in service.Ledger.Where(e => !e.IsFinal).ToList())
        {
            switch (entry.Status)
            {
                case LedgerStatus.Pending:
                    entry.Status = LedgerStatus.InProgress;
                    entry.StartedAt = Now;
                    EnterStage(entry, DeploymentStrategies.Stages(entry.Configuration)[0]);
                    Progress(entry);
                    break;
                case LedgerStatus.InProgress:
                    Progress(entry);
                    break;
                case LedgerStatus.StopRequested:
                    entry.Deployment.RolloutState = "FAILED";
                    entry.Deployment.RolloutStateReason = $"ECS deployment {entry.Deployment.Id} stopped.";
                    entry.Deployment.UpdatedAt = Now;
                    Finish(entry, LedgerStatus.Stopped, entry.StatusReason ?? "Stopped by StopServiceDeployment.");
                    break;
                case LedgerStatus.RollbackRequested:
                    BeginRollback(entry, entry.RollbackReason ?? "Rollback requested.");
                    break;
            }
        }
    }

    /// <summary>An IN_PROGRESS deployment: alarms first, then its stages as far as they go now.</summary>
    private void Progress(ServiceDeploymentState entry)
    {
        EcsDeploymentAlarms? alarms = entry.Configuration.Alarms;
        if (alarms is { Enable: true } && (alarms.AlarmNames ?? []).Where(AlarmsInAlarm.Contains).ToList() is { Count: > 0 } firing)
        {
            entry.TriggeredAlarms.AddRange(firing.Except(entry.TriggeredAlarms));
            AddEvent(entry.Service, $"(service {entry.Service.Name}) (deployment {entry.Deployment.Id}) deployment failed: alarm detected.", Now);
            Fail(entry, $"ECS deployment {entry.Deployment.Id} failed: CloudWatch alarm {string.Join(", ", firing)} in ALARM.", alarms.Rollback, alreadyFailed: false);
            return;
        }
        if (!entry.ShiftsTraffic)
        {
            return;
        }
        // One stage per scheduler pass: each stage lasts at least until the next tick, as ECS's do.
        if (entry.StageEnteredAt == Now || !HooksDone(entry) || entry.Status != LedgerStatus.InProgress || !StageWorkDone(entry))
        {
            return;
        }
        IReadOnlyList<string> stages = DeploymentStrategies.Stages(entry.Configuration);
        int next = stages.ToList().IndexOf(entry.LifecycleStage ?? string.Empty) + 1;
        if (next > 0 && next < stages.Count)
        {
            // CLEAN_UP ends when the scheduler completes the deployment.
            EnterStage(entry, stages[next]);
        }
    }

    private void EnterStage(ServiceDeploymentState entry, string stage)
    {
        entry.LifecycleStage = stage;
        entry.StageEnteredAt = Now;
        entry.UpdatedAt = Now;
        RequestEvaluation(entry.Service, Now + EcsTimings.SchedulerTick);
        foreach (EcsDeploymentLifecycleHook hook in DeploymentStrategies.HooksAt(entry.Configuration, stage))
        {
            TimeSpan timeout = TimeSpan.FromMinutes(hook.TimeoutConfiguration?.TimeoutInMinutes ?? DeploymentStrategies.DefaultHookTimeoutMinutes);
            entry.Hooks.Add(new HookState
            {
                HookId = (hook.TargetType == "PAUSE" ? "ecs-pause-" : "ecs-lambda-") + Arns.NewServiceDeploymentId() + Arns.NewServiceDeploymentId(),
                TargetType = hook.TargetType ?? "PAUSE",
                TargetArn = hook.TargetType == "PAUSE" ? null : hook.HookTargetArn,
                Stage = stage,
                Status = hook.TargetType == "PAUSE" ? "AWAITING_ACTION" : "IN_PROGRESS",
                ExpiresAt = Now + timeout,
                TimeoutAction = hook.TimeoutConfiguration?.Action ?? "ROLLBACK",
            });
        }
        switch (stage)
        {
            case "TEST_TRAFFIC_SHIFT":
                // No load balancer here: the test listener has nothing to move, so it is all on green at once.
                entry.TestTraffic = 100;
                break;
        }
    }

    /// <summary>The current stage's hooks: Lambda hooks answer, pause hooks wait, expired ones take their timeout action. True when all have passed.</summary>
    private bool HooksDone(ServiceDeploymentState entry)
    {
        bool done = true;
        foreach (HookState hook in entry.Hooks.Where(h => h.Stage == entry.LifecycleStage && h.IsOpen))
        {
            if (hook.TargetType == "AWS_LAMBDA" && (hook.NextInvocationAt is null || hook.NextInvocationAt <= Now))
            {
                string answer = LambdaHookAnswers.GetValueOrDefault(hook.TargetArn ?? string.Empty, "SUCCEEDED");
                hook.Status = answer is "SUCCEEDED" or "FAILED" ? answer : "IN_PROGRESS";
                hook.NextInvocationAt = Now + LambdaHookCallback;
                entry.UpdatedAt = Now;
            }
            if (hook.IsOpen && hook.ExpiresAt <= Now)
            {
                hook.Status = "TIMED_OUT";
                entry.UpdatedAt = Now;
            }
            if (hook.Status == "FAILED" || (hook.Status == "TIMED_OUT" && hook.TimeoutAction == "ROLLBACK"))
            {
                string why = hook.Status == "FAILED"
                    ? $"The lifecycle hook {hook.TargetArn} at {hook.Stage} failed."
                    : $"The lifecycle hook at {hook.Stage} timed out; its timeout action is ROLLBACK.";
                Fail(entry, why, rollback: true, alreadyFailed: false);
                return false;
            }
            if (hook.IsOpen)
            {
                done = false;
                RequestEvaluation(entry.Service, hook.TargetType == "AWS_LAMBDA" && hook.NextInvocationAt < hook.ExpiresAt ? hook.NextInvocationAt.Value : hook.ExpiresAt);
            }
        }
        return done;
    }

    /// <summary>What the stage itself waits for: green at full strength, the traffic steps, the bake time.</summary>
    private bool StageWorkDone(ServiceDeploymentState entry)
    {
        switch (entry.LifecycleStage)
        {
            case "SCALE_UP":
                ServiceState service = entry.Service;
                return service.Tasks.Count(t => t.StartedBy == entry.Deployment.Id && t.IsHealthy) >= service.DesiredCount;
            case "PRODUCTION_TRAFFIC_SHIFT":
                while (entry.ProductionTraffic < 100 && (entry.NextShiftAt is null || entry.NextShiftAt <= Now))
                {
                    (double traffic, TimeSpan? wait) = DeploymentStrategies.NextShift(entry.Configuration, entry.ProductionTraffic);
                    entry.ProductionTraffic = traffic;
                    entry.UpdatedAt = Now;
                    entry.NextShiftAt = wait is TimeSpan w ? Now + w : null;
                }
                if (entry.ProductionTraffic < 100 && entry.NextShiftAt is DateTimeOffset nextStep)
                {
                    RequestEvaluation(entry.Service, nextStep);
                }
                return entry.ProductionTraffic >= 100;
            case "BAKE_TIME":
                DateTimeOffset baked = entry.StageEnteredAt + DeploymentStrategies.BakeTime(entry.Configuration);
                if (Now < baked)
                {
                    RequestEvaluation(entry.Service, baked);
                    return false;
                }
                return true;
            case "CLEAN_UP":
                return false;
            default:
                return true;
        }
    }

    /// <summary>
    /// A deployment failed (circuit breaker, alarm, hook): its DescribeServices deployment is
    /// FAILED, and the service deployment is rolled back, or STOPPED when rollback is off.
    /// </summary>
    private void Fail(ServiceDeploymentState entry, string reason, bool rollback, bool alreadyFailed)
    {
        entry.StatusReason = reason;
        if (!alreadyFailed)
        {
            entry.Deployment.RolloutState = "FAILED";
            entry.Deployment.RolloutStateReason = reason;
            entry.Deployment.UpdatedAt = Now;
        }
        if (rollback)
        {
            BeginRollback(entry, reason);
        }
        else
        {
            Finish(entry, LedgerStatus.Stopped, reason);
        }
        RequestEvaluation(entry.Service, Now);
    }

    /// <summary>
    /// Rolls a service deployment back: blue/green, linear and canary move traffic back to blue,
    /// which takes over again; a rolling deployment starts a deployment of the last completed
    /// revision. ROLLBACK_FAILED when there is nothing to roll back to.
    /// </summary>
    private void BeginRollback(ServiceDeploymentState entry, string reason)
    {
        ServiceState service = entry.Service;
        entry.Status = LedgerStatus.RollbackInProgress;
        entry.RollbackReason = reason;
        entry.RollbackStartedAt = Now;
        entry.UpdatedAt = Now;
        DeploymentState green = entry.Deployment;
        if (green.RolloutState != "FAILED")
        {
            green.RolloutState = "FAILED";
            green.RolloutStateReason = reason;
            green.UpdatedAt = Now;
        }
        if (entry.ShiftsTraffic && entry.SourceDeployment is { } blue && service.Deployments.Contains(blue))
        {
            // Traffic goes back to blue, which never stopped: it is the primary again.
            entry.ProductionTraffic = 0;
            entry.TestTraffic = 0;
            service.Deployments.Remove(blue);
            foreach (DeploymentState other in service.Deployments.Where(d => d.Status == "PRIMARY"))
            {
                other.Status = "ACTIVE";
            }
            blue.Status = "PRIMARY";
            blue.RolloutState = "IN_PROGRESS";
            blue.RolloutStateReason = $"ECS deployment rolling back to deploymentId {blue.Id}.";
            blue.UpdatedAt = Now;
            service.Deployments.Insert(0, blue);
            service.WasSteady = false;
            entry.RollbackDeployment = blue;
            entry.RollbackRevision = blue.Revision;
        }
        else if (service.LastCompletedTaskDefinitionArn is string previous)
        {
            string prefix = entry.BreakerTriggered ? "ECS deployment circuit breaker" : "ECS deployment";
            DeploymentState rollback = StartDeployment(service, previous, $"{prefix}: rolling back to deploymentId {service.LastCompletedDeploymentId}.");
            rollback.IsRollback = true;
            rollback.Revision = service.LastCompletedRevision;
            entry.RollbackDeployment = rollback;
            entry.RollbackRevision = service.LastCompletedRevision;
        }
        else
        {
            Finish(entry, LedgerStatus.RollbackFailed, $"{reason} There is no completed deployment to roll back to.");
            return;
        }
        RequestEvaluation(service, Now);
    }

    private void Finish(ServiceDeploymentState entry, string status, string? reason)
    {
        entry.Status = status;
        if (reason is not null)
        {
            entry.StatusReason = reason;
        }
        entry.FinishedAt = Now;
        entry.UpdatedAt = Now;
        if (status is LedgerStatus.Stopped)
        {
            entry.StoppedAt = Now;
        }
        foreach (HookState hook in entry.Hooks.Where(h => h.IsOpen))
        {
            hook.Status = "TIMED_OUT";
        }
    }

    // ------------------------------------------------------------------ requests from the API and the admin endpoints

    /// <summary>StopServiceDeployment: ROLLBACK rolls back (rollback configured or not), ABORT stops the deployment where it stands.</summary>
    public void RequestStop(ServiceDeploymentState entry, string stopType)
    {
        if (entry.Status is LedgerStatus.Pending or LedgerStatus.InProgress)
        {
            if (stopType == "ROLLBACK")
            {
                entry.Status = LedgerStatus.RollbackRequested;
                entry.RollbackReason = "Rollback requested by StopServiceDeployment.";
            }
            else
            {
                entry.Status = LedgerStatus.StopRequested;
                entry.StatusReason = "Stopped by StopServiceDeployment.";
            }
            entry.UpdatedAt = Now;
            // Carried out on the scheduler's next pass: until then the deployment shows the request.
            RequestEvaluation(entry.Service, Now + EcsTimings.SchedulerTick);
        }
    }

    /// <summary>ContinueServiceDeployment: the pause hook passes (CONTINUE) or the deployment rolls back (ROLLBACK).</summary>
    public void ContinueHook(ServiceDeploymentState entry, HookState hook, string action)
    {
        hook.Status = "SUCCEEDED";
        entry.UpdatedAt = Now;
        if (action == "ROLLBACK")
        {
            entry.Status = LedgerStatus.RollbackRequested;
            entry.RollbackReason = $"Rollback requested by ContinueServiceDeployment at the pause hook of {hook.Stage}.";
        }
        RequestEvaluation(entry.Service, Now + EcsTimings.SchedulerTick);
    }

    /// <summary>Sets a CloudWatch alarm's state; the deployments that watch it are looked at now.</summary>
    public void SetAlarm(string name, bool inAlarm)
    {
        if (inAlarm ? !AlarmsInAlarm.Add(name) : !AlarmsInAlarm.Remove(name))
        {
            return;
        }
        foreach (ServiceDeploymentState entry in ServiceDeployments.Values.Where(e => !e.IsFinal && (e.Configuration.Alarms?.AlarmNames ?? []).Contains(name)))
        {
            RequestEvaluation(entry.Service, Now);
        }
    }

    /// <summary>Sets what a Lambda hook answers from now on; deployments waiting on it ask again now.</summary>
    public void SetLambdaHookAnswer(string functionArn, string answer)
    {
        LambdaHookAnswers[functionArn] = answer;
        foreach (ServiceDeploymentState entry in ServiceDeployments.Values.Where(e => !e.IsFinal))
        {
            foreach (HookState hook in entry.Hooks.Where(h => h.IsOpen && h.TargetArn == functionArn))
            {
                hook.NextInvocationAt = null;
                RequestEvaluation(entry.Service, Now);
            }
        }
    }

    /// <summary>Drops service deployments older than 90 days, and those of services that are gone.</summary>
    private void ExpireLedger(ServiceState service)
    {
        // Newest first: the old ones are at the end.
        while (service.Ledger.Count > 0 && service.Ledger[^1].CreatedAt < Now - LedgerRetention)
        {
            Forget(service.Ledger[^1]);
        }
    }

    private void Forget(ServiceDeploymentState entry)
    {
        entry.Service.Ledger.Remove(entry);
        ServiceDeployments.Remove(entry.Arn);
        if (!entry.Service.Ledger.Any(e => ReferenceEquals(e.Target, entry.Target)) && !entry.Service.Deployments.Any(d => ReferenceEquals(d.Revision, entry.Target)))
        {
            ServiceRevisions.Remove(entry.Target.Arn);
        }
    }

    private static string Short(string? taskDefinitionArn) =>
        taskDefinitionArn is null ? "the previous revision" : taskDefinitionArn[(taskDefinitionArn.LastIndexOf('/') + 1)..];
}
