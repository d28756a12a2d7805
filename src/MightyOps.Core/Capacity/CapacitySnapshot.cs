using MightyOps.Core.Aws.AutoScaling;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>One service as capacity sees it: what one of its tasks reserves, where it may go, and its counts.</summary>
public sealed class CapacityService
{
    public required EcsService Service { get; init; }

    public string Name => Service.ServiceName ?? string.Empty;

    /// <summary>What a task of the PRIMARY deployment reserves.</summary>
    public required TaskRequirements Task { get; init; }

    public required TaskPlacement Placement { get; init; }

    public int Desired => Service.DesiredCount;

    public int Running => Service.RunningCount;

    public int Pending => Service.PendingCount;

    /// <summary>Tasks wanted beyond the desired count (tasks Set-MightyQueueScale -Auto held back, when piped in).</summary>
    public int Additional { get; init; }

    /// <summary>Tasks it wants that neither run nor start: desired (and <see cref="Additional"/>) less running and pending, at least 0.</summary>
    public int Missing => Math.Max(0, Desired + Additional - Running - Pending);

    /// <summary>Tasks of deployments other than the PRIMARY one still live: what a rollout in progress holds above the desired count.</summary>
    public int InFlightExtra =>
        Math.Max(0, (Service.Deployments ?? []).Where(d => d.Status != "PRIMARY").Sum(d => d.RunningCount + d.PendingCount));

    /// <summary>The room its next rollout needs.</summary>
    public RolloutNeed Rollout => RolloutRoom.For(Service);

    /// <summary>One task on every instance (DAEMON scheduling).</summary>
    public bool IsDaemon => Service.SchedulingStrategy == "DAEMON";

    /// <summary>True for services whose tasks run on container instances of EC2 (not Fargate, not ECS Anywhere).</summary>
    public bool OnEc2 =>
        Service.CapacityProviderStrategy is { Count: > 0 }
            ? Service.CapacityProviderStrategy.Any(s => s.CapacityProvider is not ("FARGATE" or "FARGATE_SPOT"))
            : Service.LaunchType is null or "EC2";

    public bool OnExternal => Service.LaunchType == "EXTERNAL";

    /// <summary>The capacity providers of its strategy (none for a launch type).</summary>
    public IReadOnlyList<string> CapacityProviders =>
        (Service.CapacityProviderStrategy ?? []).Select(s => s.CapacityProvider).OfType<string>().ToList();

    /// <summary>ECS's current "unable to place" event and its reason, if any.</summary>
    public PlacementEvent? PlacementEvent { get; init; }
}

/// <summary>Everything capacity knows about one cluster at one moment.</summary>
public sealed class CapacitySnapshot
{
    public required string Cluster { get; init; }

    /// <summary>Its container instances, every status ListContainerInstances gives (ACTIVE and DRAINING).</summary>
    public required IReadOnlyList<CapacityInstance> Instances { get; init; }

    /// <summary>Its ACTIVE services (none for a read of the instances alone).</summary>
    public IReadOnlyList<CapacityService> Services { get; init; } = [];

    /// <summary>The Auto Scaling groups of its instances, by name.</summary>
    public IReadOnlyDictionary<string, AutoScalingGroup> Groups { get; init; } = new Dictionary<string, AutoScalingGroup>(StringComparer.Ordinal);

    /// <summary>The capacity providers its services use or its groups serve.</summary>
    public IReadOnlyList<EcsCapacityProvider> Providers { get; init; } = [];

    /// <summary>When it was read (the machine's clock).</summary>
    public DateTimeOffset ReadAt { get; init; }

    /// <summary>The capacity provider that serves <paramref name="group"/>, if any.</summary>
    public EcsCapacityProvider? ProviderOf(AutoScalingGroup group) =>
        Providers.FirstOrDefault(p => p.AutoScalingGroupProvider?.AutoScalingGroupArn is string arn
            && (arn == group.AutoScalingGroupARN || arn.EndsWith("autoScalingGroupName/" + group.AutoScalingGroupName, StringComparison.Ordinal) || arn == group.AutoScalingGroupName));

    /// <summary>True when ECS sizes <paramref name="group"/> through a capacity provider with managed scaling.</summary>
    public bool IsManaged(AutoScalingGroup group, out EcsCapacityProvider? provider)
    {
        provider = ProviderOf(group);
        return provider?.AutoScalingGroupProvider?.ManagedScaling?.Status == "ENABLED";
    }
}
