using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox.Elb;

/// <summary>
/// Elastic Load Balancing's side of an ECS service behind a target group, in simulated time
/// (docs/design/load-balanced-deploys.md, "The sandbox"): ECS registers a service task's
/// instance and host port once it runs; the target answers its first health check one interval
/// later and is healthy after HealthyThresholdCount passes (unhealthy after
/// UnhealthyThresholdCount failures when its image answers 502); a deregistered target drains for
/// the deregistration delay before ECS stops the task. Health is read off these times, so nothing
/// steps per check. The caller holds <see cref="SandboxWorld.Sync"/>.
/// </summary>
internal sealed class ElbSimulation
{
    public Dictionary<string, LoadBalancerState> LoadBalancers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, TargetGroupState> TargetGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>The target groups a service's <c>loadBalancers</c> name (unknown ARNs are skipped).</summary>
    public IEnumerable<TargetGroupState> GroupsOf(ServiceState service) =>
        service.LoadBalancers
            .Select(lb => lb?["targetGroupArn"]?.GetValue<string>())
            .Where(arn => arn is not null && TargetGroups.ContainsKey(arn))
            .Select(arn => TargetGroups[arn!]);

    /// <summary>
    /// Registers a task that has just started in its service's target groups. Returns when the
    /// health checks will have decided (healthy or unhealthy), or null when the service has no
    /// target group.
    /// </summary>
    public DateTimeOffset? Register(TaskState task, DateTimeOffset now, bool failsHealthChecks)
    {
        if (task.Service is null)
        {
            return null;
        }
        DateTimeOffset? verdict = null;
        foreach (TargetGroupState group in GroupsOf(task.Service))
        {
            int port = task.Containers.SelectMany(c => c.NetworkBindings).FirstOrDefault()?.HostPort ?? group.Port;
            var target = new TargetState
            {
                Id = task.ContainerInstance?.Ec2Instance.InstanceId ?? task.Id,
                Port = port,
                Task = task,
                RegisteredAt = now,
                FailsHealthChecks = failsHealthChecks,
            };
            group.Targets.Add(target);
            DateTimeOffset decided = DecidedAt(group, target);
            verdict = verdict is null || decided > verdict ? decided : verdict;
        }
        return verdict;
    }

    /// <summary>When the health checks will have decided about a target.</summary>
    private static DateTimeOffset DecidedAt(TargetGroupState group, TargetState target) =>
        target.RegisteredAt + TimeSpan.FromSeconds(group.HealthCheckIntervalSeconds * (target.FailsHealthChecks ? group.UnhealthyThresholdCount : group.HealthyThresholdCount));

    /// <summary>The first target group in which the task's target fails its checks, or null.</summary>
    public TargetGroupState? FailedGroup(TaskState task) =>
        TargetGroups.Values.FirstOrDefault(g => g.Targets.Any(t => ReferenceEquals(t.Task, task) && t.FailsHealthChecks));

    /// <summary>
    /// Deregisters the task's targets: they drain (healthy or not) for the longest deregistration
    /// delay, which is returned (zero when the task has no target).
    /// </summary>
    public TimeSpan Deregister(TaskState task, DateTimeOffset now)
    {
        TimeSpan longest = TimeSpan.Zero;
        foreach (TargetGroupState group in TargetGroups.Values)
        {
            foreach (TargetState target in group.Targets.Where(t => ReferenceEquals(t.Task, task) && t.DrainingUntil is null).ToList())
            {
                target.DrainingUntil = now + group.DeregistrationDelay;
                longest = group.DeregistrationDelay > longest ? group.DeregistrationDelay : longest;
            }
        }
        return longest;
    }

    /// <summary>Forgets targets whose draining is over (they are no longer registered).</summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (TargetGroupState group in TargetGroups.Values)
        {
            group.Targets.RemoveAll(t => t.DrainingUntil <= now || t.Task.Phase == TaskPhase.Stopped);
        }
    }

    /// <summary>A target's state, reason and description at <paramref name="now"/>, as DescribeTargetHealth reports them.</summary>
    public static (string State, string? Reason, string? Description) Health(TargetGroupState group, TargetState target, DateTimeOffset now)
    {
        if (target.DrainingUntil is not null)
        {
            return ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress");
        }
        if (now < target.RegisteredAt + TimeSpan.FromSeconds(group.HealthCheckIntervalSeconds))
        {
            return ("initial", "Elb.RegistrationInProgress", "Target registration is in progress");
        }
        if (now < DecidedAt(group, target))
        {
            return ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress");
        }
        return target.FailsHealthChecks
            ? ("unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]")
            : ("healthy", null, null);
    }
}
