using System.Globalization;
using System.Text.Json;
using MightyOps.Core.Capacity;
using MightyOps.Sandbox.Ec2;
using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox.AutoScaling;

/// <summary>
/// EC2 Auto Scaling as the sandbox simulates it (docs/design/capacity-and-placement.md, "Auto
/// Scaling groups"): a group keeps as many instances as its desired capacity, launching into the
/// zone with the fewest; a launched instance is EC2 "pending", runs after <see cref="Boot"/>, and
/// its ECS agent registers it with the group's cluster after <see cref="Register"/> with the type's
/// CPU and memory (less ECS_RESERVED_MEMORY) and the launch template's custom attributes. A
/// terminated instance shuts down over <see cref="ShutDown"/>: its container instance is
/// deregistered (tasks still on it stop) and EC2 shows it terminated for an hour. Every launch and
/// termination is a scaling activity with AWS's wording. Runs on the ECS simulation's clock.
/// </summary>
internal sealed class AutoScalingSimulation(SandboxWorld world)
{
    public static readonly TimeSpan Boot = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Register = TimeSpan.FromSeconds(45);
    public static readonly TimeSpan ShutDown = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan TerminatedKept = TimeSpan.FromHours(1);

    private EcsSimulation Sim => world.Ecs;

    /// <summary>
    /// Adds a group with <paramref name="desired"/> instances. With <paramref name="booted"/> (a
    /// seed's history) they are running and registered already; else they launch now.
    /// </summary>
    public SandboxAutoScalingGroup AddGroup(string name, SandboxLaunchSpec launch, IReadOnlyList<string> zones, int min, int max, int desired, bool booted)
    {
        var group = new SandboxAutoScalingGroup
        {
            Name = name,
            Arn = $"arn:aws:autoscaling:{world.Region}:{world.AccountId}:autoScalingGroup:{Sim.Arns.NewUuid()}:autoScalingGroupName/{name}",
            CreatedAt = Sim.Now,
            MinSize = min,
            MaxSize = max,
            DesiredCapacity = desired,
            AvailabilityZones = zones,
            Launch = launch,
        };
        world.AutoScalingGroups[name] = group;
        for (int i = 0; i < desired; i++)
        {
            Launch(group, $"At {Stamp(Sim.Now)} a user request created an AutoScalingGroup changing the desired capacity from 0 to {desired}.", booted);
        }
        return group;
    }

    /// <summary>SetDesiredCapacity: within MinSize..MaxSize, else AWS's ValidationError; then instances launch or terminate.</summary>
    public void SetDesiredCapacity(SandboxAutoScalingGroup group, int desired)
    {
        if (desired > group.MaxSize)
        {
            throw new SandboxException("ValidationError", $"New SetDesiredCapacity value {desired} is above max value {group.MaxSize} for the AutoScalingGroup.");
        }
        if (desired < group.MinSize)
        {
            throw new SandboxException("ValidationError", $"New SetDesiredCapacity value {desired} is below min value {group.MinSize} for the AutoScalingGroup.");
        }
        int from = group.DesiredCapacity;
        group.DesiredCapacity = desired;
        Reconcile(group, $"At {Stamp(Sim.Now)} a user request explicitly set group desired capacity changing the desired capacity from {from} to {desired}.");
    }

    /// <summary>
    /// UpdateAutoScalingGroup's sizes: a MinSize above the desired capacity raises it, a MaxSize
    /// below lowers it (when DesiredCapacity is not given); MinSize must not exceed MaxSize.
    /// </summary>
    public void Update(SandboxAutoScalingGroup group, int? min, int? max, int? desired)
    {
        int newMin = min ?? group.MinSize;
        int newMax = max ?? group.MaxSize;
        if (newMin > newMax)
        {
            throw new SandboxException("ValidationError", $"The MinSize ({newMin}) must be less than or equal to the MaxSize ({newMax}).");
        }
        int newDesired = desired ?? Math.Clamp(group.DesiredCapacity, newMin, newMax);
        if (newDesired < newMin || newDesired > newMax)
        {
            throw new SandboxException("ValidationError", $"Desired capacity:{newDesired} must be between the specified min size:{newMin} and max size:{newMax}");
        }
        int from = group.DesiredCapacity;
        (group.MinSize, group.MaxSize, group.DesiredCapacity) = (newMin, newMax, newDesired);
        if (newDesired != from)
        {
            Reconcile(group, $"At {Stamp(Sim.Now)} a user request update of AutoScalingGroup constraints to min: {newMin}, max: {newMax}, desired: {newDesired} changing the desired capacity from {from} to {newDesired}.");
        }
    }

    /// <summary>
    /// TerminateInstanceInAutoScalingGroup: the instance starts terminating; with
    /// <paramref name="decrement"/> the desired capacity drops by one (never under MinSize), else a
    /// replacement launches. Returns the activity.
    /// </summary>
    public SandboxScalingActivity Terminate(string instanceId, bool decrement)
    {
        (SandboxAutoScalingGroup group, SandboxGroupInstance instance) = Find(instanceId)
            ?? throw new SandboxException("ValidationError", $"Instance Id not found - No managed instance found for instance ID: {instanceId}");
        if (instance.LifecycleState.StartsWith("Terminat", StringComparison.Ordinal))
        {
            throw new SandboxException("ValidationError", $"The instance {instanceId} is not in InService or Standby.");
        }
        string cause;
        if (decrement)
        {
            if (group.DesiredCapacity <= group.MinSize)
            {
                throw new SandboxException("ValidationError",
                    $"Currently, desiredSize equals minSize ({group.MinSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.");
            }
            cause = $"At {Stamp(Sim.Now)} instance {instanceId} was taken out of service in response to a user request, shrinking the capacity from {group.DesiredCapacity} to {group.DesiredCapacity - 1}.";
            group.DesiredCapacity--;
        }
        else
        {
            cause = $"At {Stamp(Sim.Now)} instance {instanceId} was taken out of service in response to a user request.";
        }
        SandboxScalingActivity activity = BeginTermination(group, instance, cause);
        Reconcile(group, cause);
        return activity;
    }

    /// <summary>
    /// Managed scaling of the capacity provider a service uses, when its tasks find no room: the
    /// provider's group grows by the instances of its type those tasks need (at least the minimum
    /// step, at most the maximum step and MaxSize), once per scale-out: not again while instances are still launching.
    /// </summary>
    public void ScaleForUnplaced(ServiceState service, TaskRequirements task)
    {
        foreach (string groupName in EcsPlacement.ProviderGroups(world, service.CapacityProviderStrategy) ?? [])
        {
            SandboxCapacityProvider? provider = world.CapacityProviders.Values.FirstOrDefault(p => p.GroupName == groupName && p.ManagedScaling);
            if (provider is null || !world.AutoScalingGroups.TryGetValue(groupName, out SandboxAutoScalingGroup? group)
                || group.Instances.Any(i => i.LifecycleState == "Pending") || Unregistered(group) > 0)
            {
                continue;
            }
            int missing = Math.Max(1, service.DesiredCount - service.Tasks.Count(t => t.IsLive));
            (int cpu, int memory) = InstanceTypes.Registered(group.Launch.InstanceType, group.Launch.ReservedMemoryMiB);
            int perInstance = Math.Max(1, Math.Min(task.Cpu > 0 ? cpu / task.Cpu : int.MaxValue, task.Memory > 0 ? memory / task.Memory : int.MaxValue));
            int step = Math.Clamp((missing + perInstance - 1) / perInstance, provider.MinimumScalingStepSize, provider.MaximumScalingStepSize);
            int desired = Math.Min(group.MaxSize, group.DesiredCapacity + step);
            if (desired == group.DesiredCapacity)
            {
                continue;
            }
            int from = group.DesiredCapacity;
            group.DesiredCapacity = desired;
            Reconcile(group, $"At {Stamp(Sim.Now)} a monitor alarm TargetTracking-{provider.Name}-AlarmHigh in state ALARM triggered policy ECSManagedAutoScalingPolicy-{provider.Name} changing the desired capacity from {from} to {desired}.");
        }
    }

    private int Unregistered(SandboxAutoScalingGroup group) =>
        group.Instances.Count(i => i.LifecycleState == "InService" && !Sim.Clusters.Values.Any(c => c.ContainerInstances.Values.Any(ci => ci.Ec2Instance.InstanceId == i.InstanceId)));

    /// <summary>The group an instance belongs to.</summary>
    public (SandboxAutoScalingGroup Group, SandboxGroupInstance Instance)? Find(string instanceId)
    {
        foreach (SandboxAutoScalingGroup group in world.AutoScalingGroups.Values)
        {
            if (group.Instances.Find(i => i.InstanceId == instanceId) is SandboxGroupInstance instance)
            {
                return (group, instance);
            }
        }
        return null;
    }

    // Launches or terminates until the instances that count equal the desired capacity. A scale-in
    // by desired capacity alone terminates as AWS's default policy does: the zone with the most
    // instances first, then the oldest.
    private void Reconcile(SandboxAutoScalingGroup group, string cause)
    {
        int counted = group.Counted.Count();
        for (; counted < group.DesiredCapacity; counted++)
        {
            Launch(group, cause, booted: false);
        }
        while (counted > group.DesiredCapacity)
        {
            SandboxGroupInstance victim = group.Counted
                .GroupBy(i => i.AvailabilityZone)
                .OrderByDescending(g => g.Count())
                .First()
                .First();
            BeginTermination(group, victim, cause);
            counted--;
        }
    }

    private void Launch(SandboxAutoScalingGroup group, string cause, bool booted)
    {
        string zone = group.AvailabilityZones
            .OrderBy(z => group.Counted.Count(i => i.AvailabilityZone == z))
            .ThenBy(z => z, StringComparer.Ordinal)
            .First();
        string id = "i-0" + Sim.Arns.Hex(8)[..16];
        int subnet = zone[^1] - 'a' + 1;
        int host = 10 + (world.Instances.Count * 7 % 240);
        var ec2 = new SandboxInstance
        {
            InstanceId = id,
            InstanceType = group.Launch.InstanceType,
            InstanceLifecycle = group.Launch.Spot ? "spot" : null,
            ImageId = group.Launch.ImageId,
            PrivateDnsName = world.Region == "us-east-1" ? $"ip-10-0-{subnet}-{host}.ec2.internal" : $"ip-10-0-{subnet}-{host}.{world.Region}.compute.internal",
            AvailabilityZone = zone,
            KeyName = group.Launch.KeyName,
            LaunchTime = Sim.Now,
            State = booted ? "running" : "pending",
        };
        ec2.Tags["aws:autoscaling:groupName"] = group.Name;
        foreach ((string key, string value, bool propagate) in group.Tags)
        {
            if (propagate)
            {
                ec2.Tags[key] = value;
            }
        }
        world.Instances[id] = ec2;
        var member = new SandboxGroupInstance { InstanceId = id, AvailabilityZone = zone, LifecycleState = booted ? "InService" : "Pending" };
        group.Instances.Add(member);
        var activity = new SandboxScalingActivity
        {
            ActivityId = Sim.Arns.NewUuid(),
            Description = $"Launching a new EC2 instance: {id}",
            Cause = $"{cause}  At {Stamp(Sim.Now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {group.Counted.Count() - 1} to {group.Counted.Count()}.",
            StartTime = Sim.Now,
            Details = Details(zone),
        };
        group.Activities.Insert(0, activity);
        if (booted)
        {
            RegisterNow(group, ec2);
            Done(activity);
            return;
        }
        Sim.At(Sim.Now + Boot, () =>
        {
            if (member.LifecycleState == "Pending")
            {
                ec2.State = "running";
                member.LifecycleState = "InService";
            }
        });
        Sim.At(Sim.Now + Register, () =>
        {
            if (member.LifecycleState == "InService")
            {
                RegisterNow(group, ec2);
                Done(activity);
            }
        });
    }

    private void RegisterNow(SandboxAutoScalingGroup group, SandboxInstance ec2)
    {
        ClusterState cluster = world.Ecs.Clusters.TryGetValue(group.Launch.Cluster, out ClusterState? existing)
            ? existing
            : new EcsApi(world).EnsureCluster(group.Launch.Cluster);
        (int cpu, int memory) = InstanceTypes.Registered(group.Launch.InstanceType, group.Launch.ReservedMemoryMiB);
        ContainerInstanceState instance = new EcsApi(world).AddContainerInstance(cluster, ec2, cpu, memory);
        foreach ((string name, string value) in group.Launch.Attributes)
        {
            instance.CustomAttributes[name] = value;
        }
        Sim.OnRoomAdded(cluster);
    }

    private SandboxScalingActivity BeginTermination(SandboxAutoScalingGroup group, SandboxGroupInstance member, string cause)
    {
        member.LifecycleState = "Terminating";
        var activity = new SandboxScalingActivity
        {
            ActivityId = Sim.Arns.NewUuid(),
            Description = $"Terminating EC2 instance: {member.InstanceId}",
            Cause = cause,
            StartTime = Sim.Now,
            Details = Details(member.AvailabilityZone),
        };
        group.Activities.Insert(0, activity);
        if (world.Instances.TryGetValue(member.InstanceId, out SandboxInstance? ec2))
        {
            ec2.State = "shutting-down";
        }
        Sim.At(Sim.Now + ShutDown, () =>
        {
            group.Instances.Remove(member);
            Sim.Deregister(member.InstanceId, $"Host EC2 (instance {member.InstanceId}) terminated.");
            if (ec2 is not null)
            {
                ec2.State = "terminated";
                Sim.At(Sim.Now + TerminatedKept, () => world.Instances.Remove(member.InstanceId));
            }
            Done(activity);
        });
        return activity;
    }

    private void Done(SandboxScalingActivity activity)
    {
        activity.StatusCode = "Successful";
        activity.Progress = 100;
        activity.EndTime = Sim.Now;
    }

    // The subnet of a zone, as EC2's DescribeInstances names it for the same zone.
    private static string Details(string zone) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["Subnet ID"] = Ec2Api.SubnetOf(zone), ["Availability Zone"] = zone });

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
