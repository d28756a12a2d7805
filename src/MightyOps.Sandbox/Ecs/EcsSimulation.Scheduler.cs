using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// The service scheduler: deployments, rolling replacement within minimumHealthyPercent and
// maximumPercent, scale in and out, the circuit breaker and its rollback, service events.
internal sealed partial class EcsSimulation
{
    /// <summary>Makes a new PRIMARY deployment (docs/design/ecs-deployments-and-events.md): counts zero, IN_PROGRESS; the old PRIMARY becomes ACTIVE.</summary>
    public DeploymentState StartDeployment(ServiceState service, string taskDefinitionArn, string? reason = null)
    {
        var deployment = new DeploymentState
        {
            Id = Arns.NewDeploymentId(),
            TaskDefinitionArn = taskDefinitionArn,
            CreatedAt = Now,
            UpdatedAt = Now,
            LaunchType = service.LaunchType,
            PlatformVersion = service.PlatformVersion,
            NetworkConfiguration = (JsonObject?)service.NetworkConfiguration?.DeepClone(),
        };
        deployment.RolloutStateReason = reason ?? $"ECS deployment {deployment.Id} in progress.";
        if (service.Deployments.Count > 0)
        {
            service.Primary.Status = "ACTIVE";
        }
        service.Deployments.Insert(0, deployment);
        service.WasSteady = false;
        RequestEvaluation(service, Now + EcsTimings.DeploymentStartDelay);
        return deployment;
    }

    public static int CircuitBreakerThreshold(int desiredCount) =>
        Math.Clamp((desiredCount + 1) / 2, 3, 200);

    private void TripCircuitBreaker(ServiceState service, DeploymentState deployment, bool rollback)
    {
        deployment.RolloutState = "FAILED";
        deployment.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        deployment.UpdatedAt = Now;
        AddEvent(service, $"(service {service.Name}) (deployment {deployment.Id}) deployment failed: tasks failed to start.", Now);
        if (OnCircuitBreakerTripped(service, deployment, rollback))
        {
            RequestEvaluation(service, Now);
            return;
        }
        // A rollback that fails itself is not rolled back again (that would loop); it stays FAILED.
        if (rollback && ReferenceEquals(service.Primary, deployment) && !deployment.IsRollback
            && service.LastCompletedTaskDefinitionArn is not null)
        {
            // The failed deployment stays listed (ACTIVE, FAILED) until its tasks are gone.
            DeploymentState rollbackDeployment = StartDeployment(service, service.LastCompletedTaskDefinitionArn,
                $"ECS deployment circuit breaker: rolling back to deploymentId {service.LastCompletedDeploymentId}.");
            rollbackDeployment.IsRollback = true;
        }
        RequestEvaluation(service, Now);
    }

    /// <summary>One pass of the service scheduler over a service: stop, start, retire, report.</summary>
    private void Evaluate(ServiceState service)
    {
        service.NextEvaluationAt = null;
        _scheduledServices.Remove(service);
        if (service.Status == "INACTIVE")
        {
            return;
        }
        AdvanceLedger(service);
        DeploymentState primary = service.Primary;
        int desired = service.Status == "DRAINING" ? 0 : service.DesiredCount;
        // A FAILED primary (circuit breaker without rollback) launches nothing and leaves the old
        // deployment serving; a deleted service drains regardless.
        bool primaryFailed = primary.RolloutState == "FAILED" && service.Status == "ACTIVE";
        if (!primaryFailed && primary.DesiredCount != desired)
        {
            primary.DesiredCount = desired;
            primary.UpdatedAt = Now;
        }

        List<TaskState> stopped = primaryFailed ? [] : StopSurplusTasks(service, desired);
        List<TaskState> started = primaryFailed || service.Status != "ACTIVE" ? [] : LaunchTasks(service, desired);
        if (stopped.Count > 0)
        {
            AddEvent(service, $"(service {service.Name}) has stopped {stopped.Count} running tasks: {TaskList(stopped)}.", Now);
        }
        if (started.Count > 0)
        {
            AddEvent(service, $"(service {service.Name}) has started {started.Count} tasks: {TaskList(started)}.", Now);
        }
        RetireOldDeployments(service);

        bool primaryAtDesired = LiveTasks(service, primary).Count() == desired
            && service.Tasks.Count(t => t.StartedBy == primary.Id && t.IsHealthy) == desired;
        DateTimeOffset steadyAt = Now;
        if (primary.RolloutState == "IN_PROGRESS" && service.Deployments.Count == 1 && primaryAtDesired && service.Status == "ACTIVE" && MayComplete(primary))
        {
            primary.RolloutState = "COMPLETED";
            primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
            primary.UpdatedAt = Now;
            service.LastCompletedDeploymentId = primary.Id;
            service.LastCompletedTaskDefinitionArn = primary.TaskDefinitionArn;
            AddEvent(service, $"(service {service.Name}) (deployment {primary.Id}) deployment completed.", Now);
            OnDeploymentCompleted(service, primary);
            // ECS logs the steady state right after, about a millisecond later.
            steadyAt = Now.AddMilliseconds(1);
        }

        if (service.Status == "DRAINING" && service.Tasks.All(t => t.Phase == TaskPhase.Stopped))
        {
            service.Status = "INACTIVE";
            service.InactiveAt = Now;
            service.WasSteady = false;
            return;
        }
        ReportSteadyState(service, primaryAtDesired, steadyAt);
    }

    /// <summary>
    /// Stops what the service no longer needs, never going under minimumHealthyPercent (rounded
    /// up) of healthy tasks: tasks on DRAINING instances and old deployments' tasks (those not
    /// healthy yet at once; then draining ones, failed deployments, the oldest), then the
    /// primary's excess on a scale-in (pending tasks first, then the newest). A task on a draining
    /// instance is replaced, not excess: it stops once its replacement counts as healthy.
    /// </summary>
    private List<TaskState> StopSurplusTasks(ServiceState service, int desired)
    {
        DeploymentState primary = service.Primary;
        int minimumHealthyPercent = service.DeploymentConfiguration.MinimumHealthyPercent ?? 100;
        int minHealthy = (desired * minimumHealthyPercent + 99) / 100;
        var stopped = new List<TaskState>();
        List<DeploymentState> old = service.Deployments.Skip(1)
            .OrderByDescending(d => d.RolloutState == "FAILED")
            .ThenBy(d => d.CreatedAt)
            .ToList();
        if (!MayStopOldTasks(primary))
        {
            old = [];
        }
        // Tasks that are not healthy yet protect nothing: stop them right away (a draining
        // instance's PENDING service tasks are stopped at once, as ECS does).
        foreach (TaskState task in service.Tasks.Where(t => t.IsLive && !t.IsHealthy && OnDraining(t)).ToList())
        {
            StopByScheduler(task, task.StartedBy ?? primary.Id, stopped);
        }
        foreach (DeploymentState deployment in old)
        {
            foreach (TaskState task in LiveTasks(service, deployment).Where(t => !t.IsHealthy).ToList())
            {
                StopByScheduler(task, deployment.Id, stopped);
            }
        }
        int canStop = service.Tasks.Count(t => t.IsHealthy) - minHealthy;
        IEnumerable<TaskState> replaced = service.Tasks.Where(t => t.IsHealthy && OnDraining(t))
            .Concat(old.SelectMany(d => LiveTasks(service, d).Where(t => t.IsHealthy)));
        foreach (TaskState task in replaced.Distinct().ToList())
        {
            if (canStop <= 0)
            {
                break;
            }
            StopByScheduler(task, task.StartedBy ?? primary.Id, stopped);
            canStop--;
        }
        List<TaskState> primaryLive = LiveTasks(service, primary).Where(t => !OnDraining(t)).ToList();
        int excess = primaryLive.Count - desired;
        foreach (TaskState task in primaryLive.OrderBy(t => t.IsHealthy).ThenByDescending(t => t.Seq).Take(Math.Max(0, excess)))
        {
            StopByScheduler(task, primary.Id, stopped);
        }
        return stopped;
    }

    private static bool OnDraining(TaskState task) => task.ContainerInstance?.Status == "DRAINING";

    /// <summary>
    /// Starts the primary's missing tasks, as many as maximumPercent (rounded down) leaves room
    /// for, unless the deployment is backing off after failures or nothing fits on the cluster.
    /// </summary>
    private List<TaskState> LaunchTasks(ServiceState service, int desired)
    {
        DeploymentState primary = service.Primary;
        int maxLive = MaxLiveTasks(service, primary, desired);
        int toStart = Math.Min(desired - LiveTasks(service, primary).Count(t => !OnDraining(t)), maxLive == int.MaxValue ? int.MaxValue : maxLive - service.Tasks.Count(t => t.IsLive));
        var started = new List<TaskState>();
        if (toStart <= 0 || !MayLaunch(primary))
        {
            return started;
        }
        if (primary.NextLaunchAt > Now)
        {
            RequestEvaluation(service, primary.NextLaunchAt.Value);
            return started;
        }
        TaskDefinitionState definition = TaskDefinitionsByArn[primary.TaskDefinitionArn];
        for (int i = 0; i < toStart; i++)
        {
            TaskState? task = Place(service, primary, definition, out string? placementProblem);
            if (task is null)
            {
                ReportPlacementFailure(service, placementProblem!);
                service.WaitingForPlacement = true;
                RequestEvaluation(service, Now + EcsTimings.PlacementRetry);
                return started;
            }
            started.Add(task);
        }
        service.PlacementFailureReportedAt = null;
        service.WaitingForPlacement = false;
        return started;
    }

    /// <summary>Old deployments shrink as their tasks stop, and disappear (INACTIVE) once none is left.</summary>
    private void RetireOldDeployments(ServiceState service)
    {
        foreach (DeploymentState deployment in service.Deployments.Skip(1).ToList())
        {
            int live = LiveTasks(service, deployment).Count();
            if (deployment.DesiredCount != live)
            {
                deployment.DesiredCount = live;
                deployment.UpdatedAt = Now;
            }
            if (!service.Tasks.Any(t => t.StartedBy == deployment.Id && t.Phase != TaskPhase.Stopped))
            {
                service.Deployments.Remove(deployment);
            }
        }
    }

    /// <summary>"has reached a steady state", once on arrival and again every 6 hours while it lasts (docs/design/ecs-deployments-and-events.md).</summary>
    private void ReportSteadyState(ServiceState service, bool primaryAtDesired, DateTimeOffset steadyAt)
    {
        bool steady = service.Status == "ACTIVE"
            && service.Deployments.Count == 1
            && service.Primary.RolloutState == "COMPLETED"
            && primaryAtDesired
            && !service.Tasks.Any(t => t.Phase == TaskPhase.Stopping);
        if (steady)
        {
            if (!service.WasSteady || service.LastSteadyEventAt is null || Now - service.LastSteadyEventAt >= EcsTimings.SteadyStateRepeat)
            {
                AddEvent(service, $"(service {service.Name}) has reached a steady state.", steadyAt);
                service.LastSteadyEventAt = steadyAt;
            }
            RequestEvaluation(service, service.LastSteadyEventAt!.Value + EcsTimings.SteadyStateRepeat);
        }
        service.WasSteady = steady;
    }

    private static IEnumerable<TaskState> LiveTasks(ServiceState service, DeploymentState deployment) =>
        service.Tasks.Where(t => t.StartedBy == deployment.Id && t.IsLive);

    private static string TaskList(List<TaskState> tasks) =>
        string.Join(" ", tasks.Select(t => $"(task {t.Id})"));

    public void AddEvent(ServiceState service, string message, DateTimeOffset at)
    {
        service.Events.Insert(0, new EcsServiceEvent { Id = Arns.NewUuid(), CreatedAt = at, Message = message });
        if (service.Events.Count > EcsTimings.MaxServiceEvents)
        {
            service.Events.RemoveRange(EcsTimings.MaxServiceEvents, service.Events.Count - EcsTimings.MaxServiceEvents);
        }
    }

    private void ReportPlacementFailure(ServiceState service, string problem)
    {
        if (service.PlacementFailureReportedAt is not null && Now - service.PlacementFailureReportedAt < EcsTimings.PlacementEventInterval)
        {
            return;
        }
        service.PlacementFailureReportedAt = Now;
        AddEvent(service,
            $"(service {service.Name}) was unable to place a task because no container instance met all of its requirements. {problem} " +
            "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", Now);
    }

    /// <summary>The scheduler decides to stop a task (deployment replacement or scale-in).</summary>
    private void StopByScheduler(TaskState task, string deploymentId, List<TaskState> stopped)
    {
        Stop(task, "ServiceSchedulerInitiated", $"Scaling activity initiated by (deployment {deploymentId})");
        stopped.Add(task);
    }

    /// <summary>A service task has run long enough to count as healthy: the circuit breaker resets and the scheduler looks again.</summary>
    private void OnTaskHealthy(TaskState task)
    {
        ServiceState? service = task.Service;
        if (service is null)
        {
            return;
        }
        DeploymentState? deployment = task.Deployment;
        if (deployment is not null)
        {
            // resetOnHealthyTask: once the deployment runs a healthy task its failure count is 0 and stays out of play.
            deployment.HadHealthyTask = true;
            deployment.FailedTasks = 0;
            deployment.ConsecutiveFailures = 0;
            deployment.NextLaunchAt = null;
        }
        // Tasks started together become healthy within a second or two of each other; looking
        // once they all are gives one "has stopped 2 running tasks" rather than two events of 1.
        DateTimeOffset at = Now;
        foreach (TaskState sibling in service.Tasks)
        {
            if (sibling.StartedBy == task.StartedBy && sibling.Phase == TaskPhase.Running
                && sibling.NextTransitionAt <= Now + EcsTimings.SchedulerTick && sibling.NextTransitionAt > at)
            {
                at = sibling.NextTransitionAt.Value;
            }
        }
        RequestEvaluation(service, at);
    }

    /// <summary>A service task failed to start or crashed: back off, count towards the circuit breaker, look again.</summary>
    private void OnTaskFailed(TaskState task)
    {
        ServiceState? service = task.Service;
        if (service is null)
        {
            return;
        }
        DeploymentState? deployment = task.Deployment;
        if (deployment is not null)
        {
            deployment.ConsecutiveFailures++;
            deployment.UpdatedAt = Now;
            double factor = Math.Pow(2, Math.Min(deployment.ConsecutiveFailures - 1, 10));
            TimeSpan backoff = TimeSpan.FromTicks((long)Math.Min(EcsTimings.LaunchBackoff.Ticks * factor, EcsTimings.MaxLaunchBackoff.Ticks));
            deployment.NextLaunchAt = Now + backoff;
            if (deployment.RolloutState == "IN_PROGRESS" && !deployment.HadHealthyTask)
            {
                deployment.FailedTasks++;
                EcsDeploymentCircuitBreaker? breaker = service.DeploymentConfiguration.DeploymentCircuitBreaker;
                if (breaker?.Enable == true)
                {
                    if (deployment.FailedTasks >= CircuitBreakerThreshold(deployment.DesiredCount))
                    {
                        TripCircuitBreaker(service, deployment, breaker.Rollback);
                    }
                }
                else if (deployment.FailedTasks >= EcsTimings.UnstableEventAfterFailures && !deployment.UnstableEventSent)
                {
                    deployment.UnstableEventSent = true;
                    AddEvent(service, $"(service {service.Name}) is unable to consistently start tasks successfully.", Now);
                }
            }
        }
        RequestEvaluation(service, Now);
    }
}
