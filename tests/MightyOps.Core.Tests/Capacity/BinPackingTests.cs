using MightyOps.Core.Capacity;
using Xunit;
using Xunit.Abstractions;

namespace MightyOps.Core.Tests.Capacity;

/// <summary>
/// InstancesNeeded (docs/design/capacity-and-placement.md, "InstancesNeeded"): table-driven cases
/// with known answers, and generated cases small enough to search every packing, where the
/// heuristic must never be more than one instance above the optimum.
/// </summary>
public sealed class BinPackingTests(ITestOutputHelper output)
{
    private static readonly HostPort Port80 = new(80, "tcp");

    public static TheoryData<string, PackItem[], int, int, int> Known => new()
    {
        // name, tasks, instance CPU, instance MiB, instances needed
        { "nothing to pack", [], 2048, 4096, 0 },
        { "eight 512 MiB tasks fill one 4 GiB instance", Repeat(new PackItem(128, 512, []), 8), 2048, 4096, 1 },
        { "nine need two", Repeat(new PackItem(128, 512, []), 9), 2048, 4096, 2 },
        { "CPU is the scarcer resource", Repeat(new PackItem(1024, 256, []), 5), 2048, 8192, 3 },
        { "a static host port allows one task per instance", Repeat(new PackItem(64, 128, [Port80]), 3), 4096, 16384, 3 },
        { "distinctInstance allows one task of the service per instance", Repeat(new PackItem(64, 128, [], "web"), 4), 4096, 16384, 4 },
        { "two services with distinctInstance share instances", [.. Repeat(new PackItem(64, 128, [], "web"), 2), .. Repeat(new PackItem(64, 128, [], "api"), 2)], 4096, 16384, 2 },
        { "big and small tasks: decreasing order packs the big first", [new(1500, 100, []), new(1500, 100, []), new(500, 100, []), new(500, 100, [])], 2000, 4096, 2 },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void Known_cases(string name, PackItem[] items, int cpu, int memory, int expected)
    {
        PackResult result = BinPacking.InstancesNeeded(items, cpu, memory);
        Assert.True(expected == result.Instances, $"{name}: expected {expected}, got {result.Instances} ({result.Ordering})");
        Assert.True(result.LowerBound <= result.Instances, name);
    }

    [Fact]
    public void A_task_larger_than_an_instance_is_counted_apart_not_packed()
    {
        PackResult result = BinPacking.InstancesNeeded([new PackItem(128, 9000, []), new PackItem(128, 512, [])], 2048, 4096);
        Assert.Equal(1, result.Instances);
        Assert.Equal(1, result.TooLarge);
    }

    [Fact]
    public void A_reserved_port_is_never_given_to_a_task()
    {
        var reserved = new HashSet<HostPort> { Port80 };
        PackResult result = BinPacking.InstancesNeeded([new PackItem(64, 128, [Port80])], 4096, 16384, reserved);
        Assert.Equal(0, result.Instances);
        Assert.Equal(1, result.TooLarge);
    }

    [Fact]
    public void Within_one_instance_of_the_optimum_on_every_generated_small_case()
    {
        var random = new Random(20);
        int cases = 0, optimal = 0, oneAbove = 0;
        for (int n = 0; n < 600; n++)
        {
            int count = random.Next(1, 10);
            int cpu = random.Next(2, 5) * 512;
            int memory = random.Next(2, 9) * 512;
            var items = new List<PackItem>();
            for (int i = 0; i < count; i++)
            {
                IReadOnlyList<HostPort> ports = random.Next(6) == 0 ? [Port80] : [];
                string? distinct = random.Next(6) == 0 ? "svc" + random.Next(2) : null;
                items.Add(new PackItem(random.Next(1, cpu / 128 + 1) * 128, random.Next(1, memory / 128 + 1) * 128, ports, distinct));
            }
            PackResult heuristic = BinPacking.InstancesNeeded(items, cpu, memory);
            int best = Optimum(items, cpu, memory);
            Assert.True(heuristic.Instances <= best + 1, $"case {n}: heuristic {heuristic.Instances}, optimum {best}: {string.Join(", ", items)} on {cpu}/{memory}");
            Assert.True(heuristic.Instances >= best, $"case {n}: the heuristic claims {heuristic.Instances}, fewer than the optimum {best}");
            cases++;
            optimal += heuristic.Instances == best ? 1 : 0;
            oneAbove += heuristic.Instances == best + 1 ? 1 : 0;
        }
        output.WriteLine($"{cases} cases: {optimal} optimal, {oneAbove} one instance above the optimum.");
    }

    private static PackItem[] Repeat(PackItem item, int count) => Enumerable.Repeat(item, count).ToArray();

    /// <summary>The fewest instances that hold every item: every assignment tried, bins in order of first use.</summary>
    private static int Optimum(IReadOnlyList<PackItem> items, int cpu, int memory)
    {
        for (int bins = 1; bins <= items.Count; bins++)
        {
            var state = new (int Cpu, int Memory, HashSet<HostPort> Ports, HashSet<string> Distinct)[bins];
            for (int b = 0; b < bins; b++)
            {
                state[b] = (0, 0, [], []);
            }
            if (Assign(items, 0, state, 0, cpu, memory))
            {
                return bins;
            }
        }
        return items.Count;
    }

    private static bool Assign(IReadOnlyList<PackItem> items, int index, (int Cpu, int Memory, HashSet<HostPort> Ports, HashSet<string> Distinct)[] bins, int used, int cpu, int memory)
    {
        if (index == items.Count)
        {
            return true;
        }
        PackItem item = items[index];
        for (int b = 0; b < Math.Min(used + 1, bins.Length); b++)
        {
            var bin = bins[b];
            if (bin.Cpu + item.Cpu > cpu || bin.Memory + item.Memory > memory || item.Ports.Any(bin.Ports.Contains)
                || (item.DistinctGroup is string group && bin.Distinct.Contains(group)))
            {
                continue;
            }
            bins[b] = (bin.Cpu + item.Cpu, bin.Memory + item.Memory, [.. bin.Ports, .. item.Ports], item.DistinctGroup is null ? bin.Distinct : [.. bin.Distinct, item.DistinctGroup]);
            if (Assign(items, index + 1, bins, Math.Max(used, b + 1), cpu, memory))
            {
                return true;
            }
            bins[b] = bin;
        }
        return false;
    }
}
