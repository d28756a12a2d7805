namespace MightyOps.Core.Capacity;

/// <summary>One task to pack: its CPU units, MiB, static host ports, and its service when the service allows one task per instance.</summary>
public sealed record PackItem(int Cpu, int Memory, IReadOnlyList<HostPort> Ports, string? DistinctGroup = null);

/// <summary>How many instances a set of tasks needs.</summary>
/// <param name="Instances">Instances of the given size that hold every task that fits one at all.</param>
/// <param name="LowerBound">No packing can use fewer (total CPU, total memory, a port or a distinctInstance service counted per instance).</param>
/// <param name="TooLarge">Tasks that do not fit even an empty instance of this size (left out of <see cref="Instances"/>).</param>
/// <param name="Ordering">Which ordering gave the result.</param>
public sealed record PackResult(int Instances, int LowerBound, int TooLarge, string Ordering);

/// <summary>
/// InstancesNeeded: a multi-resource bin packing of a group's wanted tasks into instances of the
/// group's size. First-fit decreasing, run with the tasks in a few orders (by the scarcer resource
/// of each task, by memory, by CPU, by their sum, constrained tasks first) and the smallest result
/// kept; it stops early at the lower bound. Why this algorithm, and how close it comes to the
/// optimum on cases small enough to search exhaustively: docs/design/capacity-and-placement.md,
/// "InstancesNeeded".
/// </summary>
public static class BinPacking
{
    private static readonly (string Name, Func<PackItem, int, int, double> Key)[] Orderings =
    [
        ("scarcer resource", (t, cpu, memory) => Share(t, cpu, memory)),
        ("memory", (t, _, memory) => memory > 0 ? (double)t.Memory / memory : 0),
        ("cpu", (t, cpu, _) => cpu > 0 ? (double)t.Cpu / cpu : 0),
        ("sum", (t, cpu, memory) => (cpu > 0 ? (double)t.Cpu / cpu : 0) + (memory > 0 ? (double)t.Memory / memory : 0)),
        ("constrained first", (t, cpu, memory) => (t.Ports.Count > 0 || t.DistinctGroup is not null ? 2 : 0) + Share(t, cpu, memory)),
    ];

    /// <summary>
    /// The instances of <paramref name="cpu"/> units and <paramref name="memory"/> MiB (less
    /// <paramref name="reservedPorts"/>, which no task may take) that hold <paramref name="items"/>.
    /// </summary>
    public static PackResult InstancesNeeded(IReadOnlyList<PackItem> items, int cpu, int memory, IReadOnlySet<HostPort>? reservedPorts = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        reservedPorts ??= new HashSet<HostPort>();
        List<PackItem> packable = items.Where(t => FitsEmpty(t, cpu, memory, reservedPorts)).ToList();
        int tooLarge = items.Count - packable.Count;
        int lower = LowerBound(packable, cpu, memory);
        if (packable.Count == 0)
        {
            return new PackResult(0, 0, tooLarge, "none");
        }
        PackResult? best = null;
        foreach ((string name, Func<PackItem, int, int, double> key) in Orderings)
        {
            List<PackItem> ordered = packable
                .OrderByDescending(t => key(t, cpu, memory))
                .ThenByDescending(t => t.Ports.Count)
                .ToList();
            int bins = FirstFit(ordered, cpu, memory, reservedPorts);
            if (best is null || bins < best.Instances)
            {
                best = new PackResult(bins, lower, tooLarge, name);
            }
            if (bins == lower)
            {
                break;
            }
        }
        return best!;
    }

    /// <summary>
    /// No packing needs fewer instances than this: the total CPU and the total memory each over
    /// one instance's, the tasks sharing a static port (one per instance), the tasks of one
    /// distinctInstance service (one per instance).
    /// </summary>
    public static int LowerBound(IReadOnlyList<PackItem> items, int cpu, int memory)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return 0;
        }
        long totalCpu = items.Sum(t => (long)t.Cpu);
        long totalMemory = items.Sum(t => (long)t.Memory);
        int bound = Math.Max(cpu > 0 ? (int)((totalCpu + cpu - 1) / cpu) : 0, memory > 0 ? (int)((totalMemory + memory - 1) / memory) : 0);
        int perPort = items.SelectMany(t => t.Ports).GroupBy(p => p).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        int perService = items.Where(t => t.DistinctGroup is not null).GroupBy(t => t.DistinctGroup).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        return Math.Max(1, Math.Max(bound, Math.Max(perPort, perService)));
    }

    /// <summary>True when the task fits an empty instance of this size.</summary>
    public static bool FitsEmpty(PackItem item, int cpu, int memory, IReadOnlySet<HostPort> reservedPorts) =>
        item.Cpu <= cpu && item.Memory <= memory && !item.Ports.Any(reservedPorts.Contains) && item.Ports.Distinct().Count() == item.Ports.Count;

    private static int FirstFit(List<PackItem> ordered, int cpu, int memory, IReadOnlySet<HostPort> reservedPorts)
    {
        var bins = new List<Bin>();
        foreach (PackItem item in ordered)
        {
            Bin? home = null;
            foreach (Bin bin in bins)
            {
                if (bin.Fits(item, cpu, memory))
                {
                    home = bin;
                    break;
                }
            }
            if (home is null)
            {
                home = new Bin(reservedPorts);
                bins.Add(home);
            }
            home.Add(item);
        }
        return bins.Count;
    }

    private static double Share(PackItem t, int cpu, int memory) =>
        Math.Max(cpu > 0 ? (double)t.Cpu / cpu : 0, memory > 0 ? (double)t.Memory / memory : 0);

    private sealed class Bin(IReadOnlySet<HostPort> reserved)
    {
        private readonly HashSet<HostPort> _ports = [.. reserved];
        private HashSet<string>? _groups;
        private int _cpu;
        private int _memory;

        public bool Fits(PackItem item, int cpu, int memory) =>
            _cpu + item.Cpu <= cpu
            && _memory + item.Memory <= memory
            && (item.DistinctGroup is null || _groups?.Contains(item.DistinctGroup) != true)
            && (item.Ports.Count == 0 || !item.Ports.Any(_ports.Contains));

        public void Add(PackItem item)
        {
            _cpu += item.Cpu;
            _memory += item.Memory;
            _ports.UnionWith(item.Ports);
            if (item.DistinctGroup is not null)
            {
                (_groups ??= new HashSet<string>(StringComparer.Ordinal)).Add(item.DistinctGroup);
            }
        }
    }
}
