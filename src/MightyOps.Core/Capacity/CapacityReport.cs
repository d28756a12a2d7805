using System.Globalization;
using MightyOps.Core.Aws.AutoScaling;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>One group of a cluster's instances, worked out: its instances, the services counted in it, and the numbers.</summary>
public sealed class GroupCapacity
{
    public required string Cluster { get; init; }

    /// <summary>The Auto Scaling group's name; empty for instances that belong to none.</summary>
    public required string Name { get; init; }

    public AutoScalingGroup? Group { get; init; }

    public EcsCapacityProvider? Provider { get; init; }

    public bool ManagedScaling => Provider?.AutoScalingGroupProvider?.ManagedScaling?.Status == "ENABLED";

    /// <summary>Its ACTIVE and DRAINING container instances.</summary>
    public required IReadOnlyList<CapacityInstance> Instances { get; init; }

    /// <summary>The services counted in it (docs/design/capacity-and-placement.md, "Which group a service is in").</summary>
    public required IReadOnlyList<CapacityService> Services { get; init; }

    /// <summary>The instance type InstancesNeeded counts in, and what one registers; null when no instance has registered.</summary>
    public InstanceSize? Size { get; init; }

    public int? InstancesNeeded { get; init; }

    public IReadOnlyList<MightyUnplaceable> Unplaceable { get; init; } = [];

    public int Headroom { get; init; }

    public string HeadroomService { get; init; } = string.Empty;

    /// <summary>The output object.</summary>
    public MightyCapacity ToOutput()
    {
        List<CapacityInstance> active = Instances.Where(i => i.IsActive).ToList();
        return new MightyCapacity
        {
            Cluster = Cluster,
            AutoScalingGroup = Name,
            CapacityProvider = Provider?.Name ?? string.Empty,
            ManagedScaling = ManagedScaling,
            InstanceWarmup = ManagedScaling ? TimeSpan.FromSeconds(Provider!.AutoScalingGroupProvider!.ManagedScaling!.InstanceWarmupPeriod ?? 300) : null,
            Lifecycle = Lifecycle(Instances),
            InstanceTypes = Instances.Select(i => i.InstanceType).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Instances = active.Count,
            Draining = Instances.Count(i => i.IsDraining),
            CpuRegistered = Instances.Sum(i => i.RegisteredCpu),
            CpuReserved = Instances.Sum(i => i.RegisteredCpu - i.RemainingCpu),
            CpuFree = active.Sum(i => i.RemainingCpu),
            MemoryRegistered = Instances.Sum(i => i.RegisteredMemory),
            MemoryReserved = Instances.Sum(i => i.RegisteredMemory - i.RemainingMemory),
            MemoryFree = active.Sum(i => i.RemainingMemory),
            TasksWanted = Services.Sum(s => s.Desired + s.Additional),
            TasksRunning = Services.Sum(s => s.Running),
            TasksPending = Services.Sum(s => s.Pending),
            Unplaceable = Unplaceable,
            InstancesNeeded = InstancesNeeded,
            InstanceType = Size?.InstanceType ?? string.Empty,
            Headroom = Headroom,
            HeadroomService = HeadroomService,
            Services = Services.Select(s => s.Name).ToList(),
            GroupMin = Group?.MinSize,
            GroupDesired = Group?.DesiredCapacity,
            GroupMax = Group?.MaxSize,
        };
    }

    private static string Lifecycle(IReadOnlyList<CapacityInstance> instances)
    {
        List<string> kinds = instances.Select(i => i.Lifecycle).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return kinds.Count switch { 0 => string.Empty, 1 => kinds[0], _ => "mixed" };
    }
}

/// <summary>An instance type and what an instance of it registers with ECS (its CPU units, MiB and the agent's reserved ports).</summary>
public sealed record InstanceSize(string InstanceType, int Cpu, int Memory, IReadOnlySet<HostPort> ReservedPorts);

/// <summary>
/// Get-MightyCapacity's engine: turns a <see cref="CapacitySnapshot"/> into one
/// <see cref="GroupCapacity"/> per group of instances (docs/design/capacity-and-placement.md):
/// which services count in which group, what cannot be placed and why, InstancesNeeded by bin
/// packing, and Headroom by placing tasks of the group's largest service on what is free. Pure:
/// nothing is read here.
/// </summary>
public static class CapacityReport
{
    /// <summary>The most tasks Headroom counts.</summary>
    public const int HeadroomLimit = 1000;

    /// <summary>Every group of <paramref name="snapshot"/>'s instances, by name, the ungrouped instances last.</summary>
    public static IReadOnlyList<GroupCapacity> Build(CapacitySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        List<CapacityInstance> instances = snapshot.Instances.Where(i => i.IsActive || i.IsDraining).ToList();
        Dictionary<string, List<CapacityInstance>> byGroup = instances
            .GroupBy(i => i.AutoScalingGroup ?? string.Empty, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Dictionary<string, List<CapacityService>> servicesOf = Assign(snapshot, instances);
        foreach (string name in servicesOf.Keys.Where(k => !byGroup.ContainsKey(k)))
        {
            byGroup[name] = [];
        }
        return byGroup.Keys
            .OrderBy(k => k.Length == 0)
            .ThenBy(k => k, StringComparer.Ordinal)
            .Select(name => Group(snapshot, name, byGroup[name], servicesOf.GetValueOrDefault(name) ?? []))
            .ToList();
    }

    /// <summary>
    /// The group each service counts in: the one holding every instance it may use, or when it may
    /// use several groups the one where it may use the most memory (ties by name); services no
    /// instance may take count with the ungrouped instances, where they show as unplaceable.
    /// </summary>
    public static Dictionary<string, List<CapacityService>> Assign(CapacitySnapshot snapshot, IReadOnlyList<CapacityInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var assigned = new Dictionary<string, List<CapacityService>>(StringComparer.Ordinal);
        foreach (CapacityService service in snapshot.Services.Where(s => s.OnEc2 || s.OnExternal))
        {
            string? group = Eligible(snapshot, service, instances)
                .GroupBy(i => i.AutoScalingGroup ?? string.Empty, StringComparer.Ordinal)
                .OrderByDescending(g => g.Sum(i => (long)i.RegisteredMemory))
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key)
                .FirstOrDefault();
            group ??= string.Empty;
            if (!assigned.TryGetValue(group, out List<CapacityService>? list))
            {
                assigned[group] = list = [];
            }
            list.Add(service);
        }
        return assigned;
    }

    /// <summary>The instances <paramref name="service"/> may use at all (its free resources aside).</summary>
    public static IEnumerable<CapacityInstance> Eligible(CapacitySnapshot snapshot, CapacityService service, IEnumerable<CapacityInstance> instances)
    {
        IReadOnlyList<string> providers = service.CapacityProviders;
        HashSet<string>? providerGroups = providers.Count == 0
            ? null
            : snapshot.Providers.Where(p => providers.Contains(p.Name ?? string.Empty, StringComparer.Ordinal))
                .Select(p => p.AutoScalingGroupProvider?.AutoScalingGroupArn).OfType<string>()
                .Select(arn => arn.Contains("autoScalingGroupName/", StringComparison.Ordinal) ? arn[(arn.IndexOf("autoScalingGroupName/", StringComparison.Ordinal) + "autoScalingGroupName/".Length)..] : arn)
                .ToHashSet(StringComparer.Ordinal);
        return instances.Where(i =>
            i.Ec2InstanceId.StartsWith("mi-", StringComparison.Ordinal) == service.OnExternal
            && (providerGroups is null || (i.AutoScalingGroup is string g && providerGroups.Contains(g)))
            && service.Placement.Refuses(i) is null);
    }

    private static GroupCapacity Group(CapacitySnapshot snapshot, string name, List<CapacityInstance> instances, List<CapacityService> services)
    {
        AutoScalingGroup? group = name.Length > 0 ? snapshot.Groups.GetValueOrDefault(name) : null;
        services = [.. services.OrderBy(s => s.Name, StringComparer.Ordinal)];
        InstanceSize? size = SizeOf(instances);

        // What is missing is placed first (ECS keeps trying to place it), then the headroom is counted on what is left.
        var simulator = new PlacementSimulator(instances);
        var unplaceable = new List<MightyUnplaceable>();
        foreach (CapacityService service in services)
        {
            if (service.Missing == 0)
            {
                continue;
            }
            int placed = 0;
            PlacementResult last = default;
            for (; placed < service.Missing; placed++)
            {
                last = simulator.Place(service.Name, service.Task, service.Placement, service.Running + service.Pending + placed);
                if (!last.Placed)
                {
                    break;
                }
            }
            if (placed < service.Missing)
            {
                unplaceable.Add(new MightyUnplaceable
                {
                    Cluster = snapshot.Cluster,
                    Service = service.Name,
                    Tasks = service.Missing - placed,
                    Reason = service.PlacementEvent is PlacementEvent ecs ? $"ECS: {ecs.Reason}" : Explain(last, service.Task),
                });
            }
        }

        (CapacityService? largest, int extra) = Largest(services, size);
        int headroom = largest is null ? 0 : simulator.PlaceUpTo(largest.Name, largest.Task, largest.Placement, largest.Running + largest.Pending + largest.Missing, HeadroomLimit);

        int? needed = null;
        if (size is not null)
        {
            PackResult packed = Pack(services, size, largest, extra);
            needed = packed.Instances;
            if (packed.TooLarge > 0)
            {
                unplaceable.Add(new MightyUnplaceable
                {
                    Cluster = snapshot.Cluster,
                    Service = string.Join(", ", services.Where(s => !BinPacking.FitsEmpty(Item(s, size), size.Cpu, size.Memory, size.ReservedPorts)).Select(s => s.Name)),
                    Tasks = packed.TooLarge,
                    Reason = $"a task needs more than an empty {size.InstanceType} has ({size.Cpu.ToString("N0", CultureInfo.InvariantCulture)} CPU, {size.Memory.ToString("N0", CultureInfo.InvariantCulture)} MiB)",
                });
            }
        }
        return new GroupCapacity
        {
            Cluster = snapshot.Cluster,
            Name = name,
            Group = group,
            Provider = group is null ? null : snapshot.ProviderOf(group),
            Instances = instances,
            Services = services,
            Size = size,
            InstancesNeeded = needed,
            Unplaceable = unplaceable,
            Headroom = headroom,
            HeadroomService = largest?.Name ?? string.Empty,
        };
    }

    /// <summary>
    /// The group's instance type (the most common among its instances; ties to the smaller) and
    /// what one instance of it registers (the most any of them registered).
    /// </summary>
    public static InstanceSize? SizeOf(IReadOnlyList<CapacityInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        IGrouping<string, CapacityInstance>? common = instances
            .GroupBy(i => i.InstanceType ?? string.Empty, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Max(i => i.RegisteredMemory))
            .FirstOrDefault();
        if (common is null)
        {
            return null;
        }
        return new InstanceSize(
            common.Key,
            common.Max(i => i.RegisteredCpu),
            common.Max(i => i.RegisteredMemory),
            common.SelectMany(i => i.ReservedPorts).ToHashSet());
    }

    /// <summary>
    /// The group's largest service: the one whose next rollout needs the most room (its extra
    /// tasks times the larger share of an instance each takes), and those extra tasks.
    /// </summary>
    public static (CapacityService? Service, int ExtraTasks) Largest(IReadOnlyList<CapacityService> services, InstanceSize? size)
    {
        ArgumentNullException.ThrowIfNull(services);
        CapacityService? largest = services
            .Where(s => !s.IsDaemon)
            .OrderByDescending(s => s.Rollout.ExtraTasks * (size is null ? s.Task.Memory : s.Task.DominantShare(size.Cpu, size.Memory)))
            .ThenByDescending(s => size is null ? s.Task.Memory : s.Task.DominantShare(size.Cpu, size.Memory))
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return largest is null ? (null, 0) : (largest, largest.Rollout.ExtraTasks);
    }

    /// <summary>
    /// InstancesNeeded: every wanted task (the desired count, tasks held back, and the live tasks of
    /// a rollout in progress) and the extra tasks of the largest service's next rollout, unless one
    /// is in progress already, packed into instances of <paramref name="size"/> less what each
    /// instance's daemon tasks take.
    /// </summary>
    public static PackResult Pack(IReadOnlyList<CapacityService> services, InstanceSize size, CapacityService? largest, int largestExtra)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(size);
        int cpu = size.Cpu - services.Where(s => s.IsDaemon).Sum(s => s.Task.Cpu);
        int memory = size.Memory - services.Where(s => s.IsDaemon).Sum(s => s.Task.Memory);
        var items = new List<PackItem>();
        foreach (CapacityService service in services.Where(s => !s.IsDaemon))
        {
            int count = service.Desired + service.Additional + service.InFlightExtra;
            if (ReferenceEquals(service, largest) && service.InFlightExtra == 0)
            {
                count += largestExtra;
            }
            PackItem item = Item(service, size);
            items.AddRange(Enumerable.Repeat(item, count));
        }
        return BinPacking.InstancesNeeded(items, Math.Max(0, cpu), Math.Max(0, memory), size.ReservedPorts);
    }

    private static PackItem Item(CapacityService service, InstanceSize size) =>
        new(service.Task.Cpu, service.Task.Memory, service.Task.StaticPorts, service.Placement.DistinctInstance ? service.Name : null);

    /// <summary>Why a task found no place, from the simulation: ECS's reason with the numbers of the closest instance.</summary>
    public static string Explain(PlacementResult result, TaskRequirements task)
    {
        ArgumentNullException.ThrowIfNull(task);
        CapacityInstance? closest = result.Closest;
        string reason = PlacementFailureText.Short(result.Failure ?? PlacementFailure.NoInstances);
        return (result.Failure, closest) switch
        {
            (PlacementFailure.Memory, not null) => $"{reason}: the closest instance ({closest.Ec2InstanceId}) has {Mib(closest.RemainingMemory)} free, a task needs {Mib(task.Memory)}",
            (PlacementFailure.Cpu, not null) => $"{reason}: the closest instance ({closest.Ec2InstanceId}) has {closest.RemainingCpu.ToString("N0", CultureInfo.InvariantCulture)} CPU units free, a task needs {task.Cpu.ToString("N0", CultureInfo.InvariantCulture)}",
            (PlacementFailure.Ports, not null) => $"{reason}: every instance it may use holds host port {string.Join(", ", task.StaticPorts)} already",
            _ => reason,
        };
    }

    private static string Mib(int mib) => $"{mib.ToString("N0", CultureInfo.InvariantCulture)} MiB";
}
