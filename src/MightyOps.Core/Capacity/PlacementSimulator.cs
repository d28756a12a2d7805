namespace MightyOps.Core.Capacity;

/// <summary>Where a task went in a simulation, or why it could not go anywhere and which instance came closest.</summary>
/// <param name="Instance">The instance that took it; null when none could.</param>
/// <param name="Failure">Why not, for the closest instance; null when placed.</param>
/// <param name="Closest">The instance that met the most requirements (ECS's "closest matching container-instance").</param>
public readonly record struct PlacementResult(CapacityInstance? Instance, PlacementFailure? Failure, CapacityInstance? Closest)
{
    public bool Placed => Instance is not null;
}

/// <summary>
/// Places tasks, one at a time, onto the free resources of a set of container instances the way
/// the ECS scheduler chooses (docs/design/capacity-and-placement.md, "How MightyOps predicts
/// placement"): only ACTIVE instances with a connected agent, then the task's constraints, then
/// CPU, memory and static ports; among the instances left, binpack takes the one with the least of
/// its field left, spread and random the one with the most memory left. Each placement takes its
/// resources, so the next task sees what is left: what a rollout or a scale-out of several services
/// at once would find. Nothing is sent to AWS.
/// </summary>
public sealed class PlacementSimulator
{
    private readonly List<Slot> _slots;
    private readonly Dictionary<string, HashSet<Slot>> _occupiedBy = new(StringComparer.Ordinal);

    public PlacementSimulator(IEnumerable<CapacityInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        _slots = instances.Select(i => new Slot(i)).ToList();
    }

    /// <summary>
    /// Places one task of <paramref name="service"/>. <paramref name="existingTasks"/> is how many
    /// tasks the service runs already: with distinctInstance their instances are taken, and since
    /// which ones is not known without reading every task, the ones with the most memory left are
    /// assumed taken (the cautious guess).
    /// </summary>
    public PlacementResult Place(string service, TaskRequirements task, TaskPlacement placement, int existingTasks = 0, Func<CapacityInstance, bool>? allowed = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(placement);
        HashSet<Slot> occupied = Occupied(service, placement, existingTasks);
        Slot? best = null;
        Slot? closest = null;
        PlacementFailure closestFailure = PlacementFailure.NoInstances;
        foreach (Slot slot in _slots.Where(s => s.Instance.IsActive && (allowed is null || allowed(s.Instance))))
        {
            PlacementFailure? failure = Check(slot, task, placement, occupied);
            if (failure is null)
            {
                if (best is null || Better(slot, best, placement))
                {
                    best = slot;
                }
                continue;
            }
            if (closest is null || failure > closestFailure || (failure == closestFailure && slot.FreeMemory > closest.FreeMemory))
            {
                closest = slot;
                closestFailure = failure.Value;
            }
        }
        if (best is null)
        {
            return new PlacementResult(null, closest is null ? PlacementFailure.NoInstances : closestFailure, closest?.Instance);
        }
        best.Take(task);
        occupied.Add(best);
        return new PlacementResult(best.Instance, null, null);
    }

    /// <summary>How many more tasks of <paramref name="service"/> fit, at most <paramref name="limit"/> (the placements are kept).</summary>
    public int PlaceUpTo(string service, TaskRequirements task, TaskPlacement placement, int existingTasks, int limit, Func<CapacityInstance, bool>? allowed = null)
    {
        int placed = 0;
        while (placed < limit && Place(service, task, placement, existingTasks, allowed).Placed)
        {
            placed++;
        }
        return placed;
    }

    private HashSet<Slot> Occupied(string service, TaskPlacement placement, int existingTasks)
    {
        if (!_occupiedBy.TryGetValue(service, out HashSet<Slot>? occupied))
        {
            occupied = [];
            if (placement.DistinctInstance && existingTasks > 0)
            {
                occupied.UnionWith(_slots
                    .Where(s => s.Instance.IsActive && s.Instance.AgentConnected && placement.Refuses(s.Instance) is null)
                    .OrderByDescending(s => s.FreeMemory)
                    .Take(existingTasks));
            }
            _occupiedBy[service] = occupied;
        }
        return occupied;
    }

    private static PlacementFailure? Check(Slot slot, TaskRequirements task, TaskPlacement placement, HashSet<Slot> occupied)
    {
        if (!slot.Instance.AgentConnected)
        {
            return PlacementFailure.Agent;
        }
        if (placement.Refuses(slot.Instance) is PlacementFailure refused)
        {
            return refused;
        }
        if (placement.DistinctInstance && occupied.Contains(slot))
        {
            return PlacementFailure.DistinctInstance;
        }
        if (task.Cpu > slot.FreeCpu)
        {
            return PlacementFailure.Cpu;
        }
        if (task.Memory > slot.FreeMemory)
        {
            return PlacementFailure.Memory;
        }
        return task.StaticPorts.Any(slot.Ports.Contains) ? PlacementFailure.Ports : null;
    }

    private static bool Better(Slot candidate, Slot best, TaskPlacement placement)
    {
        PlacementStrategyStep? binpack = placement.Strategy.FirstOrDefault(s => s.Type == "binpack");
        if (binpack is not null)
        {
            (int c, int b) = binpack.Field == "cpu" ? (candidate.FreeCpu, best.FreeCpu) : (candidate.FreeMemory, best.FreeMemory);
            return c < b;
        }
        return candidate.FreeMemory > best.FreeMemory;
    }

    private sealed class Slot(CapacityInstance instance)
    {
        public CapacityInstance Instance { get; } = instance;

        public int FreeCpu { get; private set; } = instance.RemainingCpu;

        public int FreeMemory { get; private set; } = instance.RemainingMemory;

        public HashSet<HostPort> Ports { get; } = [.. instance.UsedPorts, .. instance.ReservedPorts];

        public void Take(TaskRequirements task)
        {
            FreeCpu -= task.Cpu;
            FreeMemory -= task.Memory;
            Ports.UnionWith(task.StaticPorts);
        }
    }
}
