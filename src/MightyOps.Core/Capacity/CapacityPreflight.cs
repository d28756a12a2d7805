using System.Globalization;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>Extra tasks a command is about to ask ECS for: a rollout's (above the desired count), or a scale-out's.</summary>
/// <param name="Service">The service as described.</param>
/// <param name="Task">What one of the new tasks reserves (for a deploy, the new revision's).</param>
/// <param name="Placement">Where its tasks may go.</param>
/// <param name="ExtraTasks">How many tasks above what runs now.</param>
public sealed record CapacityDemand(EcsService Service, TaskRequirements Task, TaskPlacement Placement, int ExtraTasks)
{
    public string Name => Service.ServiceName ?? string.Empty;
}

/// <summary>What became of one demand: how many of its tasks fit, and in which group they would go.</summary>
public sealed class DemandResult
{
    public required CapacityDemand Demand { get; init; }

    /// <summary>Tasks of the demand that fit on what is free (after the demands before it took theirs).</summary>
    public int Fits { get; init; }

    /// <summary>Tasks that do not fit.</summary>
    public int Short => Demand.ExtraTasks - Fits;

    /// <summary>The group the tasks would go to (empty: instances of no group, or none at all).</summary>
    public string Group { get; init; } = string.Empty;

    /// <summary>A capacity provider with managed scaling serves the service: ECS adds instances for it, so it was not checked.</summary>
    public bool Managed { get; init; }
}

/// <summary>A group that has not enough room for the demands that would go to it, and what would make room.</summary>
public sealed class GroupShortfall
{
    public required string Cluster { get; init; }

    /// <summary>The Auto Scaling group; empty for instances of no group.</summary>
    public required string Group { get; init; }

    public required IReadOnlyList<DemandResult> Demands { get; init; }

    public int Needed => Demands.Sum(d => d.Demand.ExtraTasks);

    public int Room => Demands.Sum(d => d.Fits);

    public int Cpu => Demands.Sum(d => d.Demand.ExtraTasks * d.Demand.Task.Cpu);

    public int Memory => Demands.Sum(d => d.Demand.ExtraTasks * d.Demand.Task.Memory);

    /// <summary>New instances of the group's type that hold the tasks that do not fit; null when the type is not known.</summary>
    public int? InstancesToAdd { get; init; }

    public string? InstanceType { get; init; }

    public int? GroupDesired { get; init; }

    public int? GroupMax { get; init; }

    /// <summary>The group's InstancesNeeded as Get-MightyCapacity works it out now (read only when there is a shortfall).</summary>
    public int? InstancesNeeded { get; init; }

    /// <summary>The Set-MightyClusterCapacity command that makes the room, or null when there is no group to size.</summary>
    public string? Command
    {
        get
        {
            if (Group.Length == 0 || InstancesToAdd is not int add || GroupDesired is not int desired)
            {
                return null;
            }
            int target = desired + add;
            string fit = InstancesNeeded is int needed
                ? target > needed ? $" -Fit -SpareInstances {target - needed}" : " -Fit"
                : $" -DesiredCapacity {target}";
            string raise = GroupMax is int max && Math.Max(target, InstancesNeeded ?? 0) > max ? " -RaiseMaximum" : string.Empty;
            return $"Set-MightyClusterCapacity -AutoScalingGroup {Group}{fit}{raise}";
        }
    }
}

/// <summary>Services a capacity provider with managed scaling serves: ECS adds instances for them.</summary>
public sealed class ManagedNote
{
    public required string Provider { get; init; }

    public required string Group { get; init; }

    public required TimeSpan Warmup { get; init; }

    public required IReadOnlyList<DemandResult> Demands { get; init; }
}

/// <summary>The outcome of a capacity check: per demand, per group short of room, per managed provider.</summary>
public sealed class CapacityVerdict
{
    public static CapacityVerdict Empty { get; } = new();

    public IReadOnlyList<DemandResult> Results { get; init; } = [];

    public IReadOnlyList<GroupShortfall> Shortfalls { get; init; } = [];

    public IReadOnlyList<ManagedNote> Managed { get; init; } = [];

    public bool Fits => Shortfalls.Count == 0;
}

/// <summary>Why a command asks for extra tasks, for its messages.</summary>
public enum CapacityPurpose
{
    /// <summary>A deploy: the tasks a rollout runs above the desired count.</summary>
    Rollout,

    /// <summary>A scale-out: the tasks above the current desired count.</summary>
    ScaleOut,
}

/// <summary>
/// The capacity check of the commands that add tasks (docs/design/capacity-and-placement.md,
/// "The preflight"): the extra tasks of every demand together, placed round by round (one task of
/// each demand per round, so demands that compete share what is free) onto the free resources
/// of the instances each may use, as ECS would place them. Nothing changes in AWS. Services a
/// capacity provider with managed scaling serves are never short: when their room is not enough now, a note says ECS adds the instances.
/// Reads the instances (and their groups) only; when something does not fit, it also reads the
/// cluster's services to say which Set-MightyClusterCapacity command makes the room.
/// </summary>
public sealed class CapacityPreflight
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public CapacityPreflight(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>Checks <paramref name="demands"/> of one cluster (demands earlier in the list get a task first in each round).</summary>
    public async Task<CapacityVerdict> CheckAsync(string cluster, IReadOnlyList<CapacityDemand> demands, Action<MightyOpsException> onProblem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demands);
        ArgumentNullException.ThrowIfNull(onProblem);
        List<CapacityDemand> wanted = demands.Where(d => d.ExtraTasks > 0 && OnInstances(d.Service)).ToList();
        if (wanted.Count == 0)
        {
            return CapacityVerdict.Empty;
        }
        var reader = new CapacityReader(_aws, _log);
        CapacitySnapshot snapshot = await reader.ReadInstancesAsync(
            cluster, wanted.SelectMany(d => (d.Service.CapacityProviderStrategy ?? []).Select(s => s.CapacityProvider).OfType<string>()), onProblem, cancellationToken).ConfigureAwait(false);
        CapacityVerdict verdict = Check(snapshot, wanted);
        if (verdict.Fits)
        {
            return verdict;
        }
        // Only when something does not fit: the whole cluster, to name the -Fit that makes room.
        CapacitySnapshot full = await reader.ReadAsync(cluster, null, null, _ => { }, cancellationToken).ConfigureAwait(false);
        Dictionary<string, GroupCapacity> groups = CapacityReport.Build(full).ToDictionary(g => g.Name, StringComparer.Ordinal);
        return new CapacityVerdict
        {
            Results = verdict.Results,
            Managed = verdict.Managed,
            Shortfalls = verdict.Shortfalls.Select(s => new GroupShortfall
            {
                Cluster = s.Cluster,
                Group = s.Group,
                Demands = s.Demands,
                InstancesToAdd = s.InstancesToAdd,
                InstanceType = s.InstanceType,
                GroupDesired = s.GroupDesired,
                GroupMax = s.GroupMax,
                InstancesNeeded = groups.GetValueOrDefault(s.Group)?.InstancesNeeded,
            }).ToList(),
        };
    }

    /// <summary>The check on instances already read: pure, for the tests and for callers that have a snapshot.</summary>
    public static CapacityVerdict Check(CapacitySnapshot snapshot, IReadOnlyList<CapacityDemand> demands)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(demands);
        List<CapacityInstance> usable = snapshot.Instances.Where(i => i.IsActive || i.IsDraining).ToList();
        var simulator = new PlacementSimulator(usable);
        var states = demands.Select(d =>
        {
            var service = new CapacityService { Service = d.Service, Task = d.Task, Placement = d.Placement };
            HashSet<CapacityInstance> eligible = CapacityReport.Eligible(snapshot, service, usable).ToHashSet();
            string group = eligible
                .GroupBy(i => i.AutoScalingGroup ?? string.Empty, StringComparer.Ordinal)
                .OrderByDescending(g => g.Sum(i => (long)i.RegisteredMemory))
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key)
                .FirstOrDefault() ?? string.Empty;
            EcsCapacityProvider? provider = ManagedProvider(snapshot, d.Service);
            return new DemandState(d, eligible, group, provider);
        }).ToList();

        // Round by round, one task of each demand that still fits.
        bool placedAny = true;
        while (placedAny)
        {
            placedAny = false;
            foreach (DemandState state in states.Where(s => !s.Stuck && s.Fits < s.Demand.ExtraTasks))
            {
                PlacementResult result = simulator.Place(state.Demand.Name, state.Demand.Task, state.Demand.Placement,
                    state.Demand.Service.RunningCount + state.Demand.Service.PendingCount + state.Fits, state.Eligible.Contains);
                if (result.Placed)
                {
                    state.Fits++;
                    placedAny = true;
                }
                else
                {
                    state.Stuck = true;
                }
            }
        }

        List<DemandResult> results = states.Select(s => new DemandResult
        {
            Demand = s.Demand,
            Fits = s.Provider is null ? s.Fits : s.Demand.ExtraTasks,
            Group = s.Group,
            Managed = s.Provider is not null,
        }).ToList();
        var shortfalls = new List<GroupShortfall>();
        foreach (IGrouping<string, DemandResult> group in results.Where(r => !r.Managed).GroupBy(r => r.Group, StringComparer.Ordinal))
        {
            if (!group.Any(r => r.Short > 0))
            {
                continue;
            }
            InstanceSize? size = CapacityReport.SizeOf(usable.Where(i => (i.AutoScalingGroup ?? string.Empty) == group.Key).ToList());
            int? add = null;
            if (size is not null)
            {
                List<PackItem> items = group.SelectMany(r => Enumerable.Repeat(
                    new PackItem(r.Demand.Task.Cpu, r.Demand.Task.Memory, r.Demand.Task.StaticPorts, r.Demand.Placement.DistinctInstance ? r.Demand.Name : null), r.Short)).ToList();
                PackResult packed = BinPacking.InstancesNeeded(items, size.Cpu, size.Memory, size.ReservedPorts);
                add = packed.TooLarge > 0 ? null : packed.Instances;
            }
            snapshot.Groups.TryGetValue(group.Key, out Aws.AutoScaling.AutoScalingGroup? asg);
            shortfalls.Add(new GroupShortfall
            {
                Cluster = snapshot.Cluster,
                Group = group.Key,
                Demands = group.ToList(),
                InstancesToAdd = add,
                InstanceType = size?.InstanceType,
                GroupDesired = asg?.DesiredCapacity,
                GroupMax = asg?.MaxSize,
            });
        }
        // A managed provider's services are never short (ECS adds instances); they are mentioned only when the room now is not enough.
        List<ManagedNote> managed = states.Where(s => s.Provider is not null && s.Fits < s.Demand.ExtraTasks)
            .GroupBy(s => s.Provider!.Name ?? string.Empty, StringComparer.Ordinal)
            .Select(g => new ManagedNote
            {
                Provider = g.Key,
                Group = GroupName(g.First().Provider!),
                Warmup = TimeSpan.FromSeconds(g.First().Provider!.AutoScalingGroupProvider?.ManagedScaling?.InstanceWarmupPeriod ?? 300),
                Demands = results.Where(r => g.Any(s => ReferenceEquals(s.Demand, r.Demand))).ToList(),
            })
            .ToList();
        return new CapacityVerdict { Results = results, Shortfalls = shortfalls, Managed = managed };
    }

    /// <summary>
    /// The warning (or, with -CapacityCheck Strict, the error message) for a group short of room:
    /// who needs how much, how much there is, what happens, and the command that makes room.
    /// </summary>
    public static string Describe(GroupShortfall shortfall, CapacityPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(shortfall);
        IReadOnlyList<DemandResult> demands = shortfall.Demands;
        string who = Who(demands.Select(d => d.Demand.Name).ToList());
        bool one = demands.Count == 1;
        string when = purpose == CapacityPurpose.Rollout
            ? one ? "during the rollout" : "during their rollouts"
            : one ? $"to scale out to {demands[0].Demand.Service.DesiredCount + demands[0].Demand.ExtraTasks}" : "to scale out";
        string where = shortfall.Group.Length > 0 ? $"the {shortfall.Group} group" : "the instances they may use";
        var text = new System.Text.StringBuilder();
        text.Append($"{who} need{(one ? "s" : string.Empty)} room for {Tasks(shortfall.Needed, "more ")} ({Number(shortfall.Cpu)} CPU, {Number(shortfall.Memory)} MiB) {when}; {where} has room for {shortfall.Room}.");
        if (purpose == CapacityPurpose.Rollout)
        {
            text.Append(' ').Append(Consequence(shortfall));
        }
        string add = shortfall.InstancesToAdd is int instances ? $"Add {Plural(instances, "instance")}" : "Add instances";
        string how = shortfall.Command is string command ? $"{add} (`{command}`)" : shortfall.Group.Length > 0 ? add : $"{add} the tasks may use";
        string or = purpose == CapacityPurpose.Rollout ? "lower maximumPercent" : "scale out less";
        text.Append($" {how} or {or}.");
        return text.ToString();
    }

    /// <summary>What is said instead of a warning when ECS adds the instances itself.</summary>
    public static string Describe(ManagedNote note, CapacityPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(note);
        string who = Who(note.Demands.Select(d => d.Demand.Name).ToList());
        int tasks = note.Demands.Sum(d => d.Demand.ExtraTasks);
        string when = purpose == CapacityPurpose.Rollout ? "during the rollout" : "to scale out";
        return $"{who} need{(note.Demands.Count == 1 ? "s" : string.Empty)} room for {Tasks(tasks, "more ")} {when}; capacity provider {note.Provider} sizes {(note.Group.Length > 0 ? $"group {note.Group}" : "its group")} with managed scaling, so ECS adds instances where they are short, which usually takes about {Minutes(note.Warmup)} (the provider's instance warm-up).";
    }

    private static string Consequence(GroupShortfall shortfall)
    {
        int minHealthy = shortfall.Demands.Min(d => d.Demand.Service.DeploymentConfiguration?.MinimumHealthyPercent ?? 100);
        if (shortfall.Room > 0)
        {
            return $"The rollout starts {shortfall.Room} at first and the rest as old tasks stop, so it takes longer.";
        }
        return minHealthy < 100
            ? $"ECS stops old tasks first (minimumHealthyPercent {minHealthy}), so fewer tasks run while it rolls out."
            : "With minimumHealthyPercent 100 no old task stops before a new one runs: the rollout waits in ECS with \"unable to place a task\".";
    }

    private static string Who(IReadOnlyList<string> services) => services.Count switch
    {
        1 => services[0],
        2 => $"{services[0]} and {services[1]}",
        3 => $"{services[0]}, {services[1]} and {services[2]}",
        _ => $"The {services.Count} services ({string.Join(", ", services.Take(3))}, …)",
    };

    private static string Tasks(int count, string adjective) => $"{count} {adjective}task{(count == 1 ? string.Empty : "s")}";

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Minutes(TimeSpan time) =>
        time.TotalSeconds < 90 ? $"{time.TotalSeconds:0} s" : $"{Math.Round(time.TotalMinutes):0} minutes";

    private static bool OnInstances(EcsService service) =>
        new CapacityService { Service = service, Task = TaskRequirements.None, Placement = TaskPlacement.Anywhere }.OnEc2 || service.LaunchType == "EXTERNAL";

    private static EcsCapacityProvider? ManagedProvider(CapacitySnapshot snapshot, EcsService service)
    {
        foreach (EcsCapacityProviderStrategyItem item in service.CapacityProviderStrategy ?? [])
        {
            EcsCapacityProvider? provider = snapshot.Providers.FirstOrDefault(p => p.Name == item.CapacityProvider);
            if (provider?.AutoScalingGroupProvider?.ManagedScaling?.Status == "ENABLED")
            {
                return provider;
            }
        }
        return null;
    }

    private static string GroupName(EcsCapacityProvider provider)
    {
        string arn = provider.AutoScalingGroupProvider?.AutoScalingGroupArn ?? string.Empty;
        int at = arn.IndexOf("autoScalingGroupName/", StringComparison.Ordinal);
        return at >= 0 ? arn[(at + "autoScalingGroupName/".Length)..] : arn;
    }

    private sealed class DemandState(CapacityDemand demand, HashSet<CapacityInstance> eligible, string group, EcsCapacityProvider? provider)
    {
        public CapacityDemand Demand { get; } = demand;

        public HashSet<CapacityInstance> Eligible { get; } = eligible;

        public string Group { get; } = group;

        public EcsCapacityProvider? Provider { get; } = provider;

        public int Fits { get; set; }

        public bool Stuck { get; set; }
    }
}
