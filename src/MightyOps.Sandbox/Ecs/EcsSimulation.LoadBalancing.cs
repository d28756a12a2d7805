using MightyOps.Sandbox.Elb;

namespace MightyOps.Sandbox.Ecs;

// A service behind target groups: ECS registers its running tasks, counts them healthy when the
// load balancer does, stops the ones that fail their health checks, and lets a target drain
// before it stops the task (docs/design/load-balanced-deploys.md, "The sandbox").
internal sealed partial class EcsSimulation
{
    /// <summary>Registers a task that has just started; returns when the health checks decide (null without a target group).</summary>
    private DateTimeOffset? RegisterTargets(TaskState task)
    {
        if (task.Service is not { } service || service.LoadBalancers.Count == 0)
        {
            return null;
        }
        bool fails = task.Containers.Any(c => c.RegistryImage?.FailsHealthChecks == true);
        DateTimeOffset? decided = _world.Elb.Register(task, Now, fails);
        foreach (TargetGroupState group in _world.Elb.GroupsOf(service))
        {
            AddEvent(service, $"(service {service.Name}) registered 1 targets in (target-group {group.Arn})", Now);
        }
        if (fails && decided is DateTimeOffset d)
        {
            // ECS sees the unhealthy target at its next look at the group (one interval later), and
            // not before the grace period (healthCheckGracePeriodSeconds) is over.
            decided = d.AddSeconds(_world.Elb.GroupsOf(service).Max(g => g.HealthCheckIntervalSeconds));
            if (service.HealthCheckGracePeriodSeconds is int grace && Now.AddSeconds(grace) > decided)
            {
                decided = Now.AddSeconds(grace);
            }
        }
        return decided;
    }

    /// <summary>Deregisters a task's targets; returns how long they drain (zero when it has none).</summary>
    private TimeSpan DeregisterTargets(TaskState task)
    {
        if (task.Service is not { } service || service.LoadBalancers.Count == 0)
        {
            return TimeSpan.Zero;
        }
        TimeSpan drain = _world.Elb.Deregister(task, Now);
        if (drain > TimeSpan.Zero)
        {
            AddEvent(service, $"(service {service.Name}) has begun draining connections on 1 tasks.", Now);
            foreach (TargetGroupState group in _world.Elb.GroupsOf(service))
            {
                AddEvent(service, $"(service {service.Name}) deregistered 1 targets in (target-group {group.Arn})", Now);
            }
        }
        return drain;
    }

    /// <summary>The load balancer found the task unhealthy: ECS says so, stops it and counts it as a failed task.</summary>
    private void FailedHealthChecks(TaskState task, TargetGroupState group)
    {
        if (task.Service is { } service)
        {
            AddEvent(service, $"(service {service.Name}) (port {group.Port}) is unhealthy in (target-group {group.Arn}) due to (reason Health checks failed with these codes: [502]).", Now);
            AddEvent(service, $"(service {service.Name}) (task {task.Id}) failed ELB health checks in (target-group {group.Arn}).", Now);
        }
        Stop(task, "ServiceSchedulerInitiated", $"Task failed ELB health checks in (target-group {group.Arn})");
        OnTaskFailed(task);
    }
}
