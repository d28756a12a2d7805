namespace MightyOps.Sandbox.Ec2;

/// <summary>
/// The instance types the sandbox launches: vCPUs, and the memory the operating system of an
/// ECS-optimized AMI reports, which is what the ECS agent registers less ECS_RESERVED_MEMORY
/// (docs/design/capacity-and-placement.md, "What an instance registers"). The installed memory
/// of a type is more: an m4.large has 8 GiB installed and its OS reports 7,985 MiB (AWS's own
/// example); the others are of the same order, a few percent under the installed memory.
/// </summary>
internal static class InstanceTypes
{
    private static readonly Dictionary<string, (int Vcpus, int OsMemoryMiB)> Known = new(StringComparer.Ordinal)
    {
        ["t3.medium"] = (2, 3_904),
        ["t3.large"] = (2, 7_821),
        ["c5.large"] = (2, 3_704),
        ["c5.xlarge"] = (4, 7_500),
        ["m4.large"] = (2, 7_985),
        ["m5.large"] = (2, 7_680),
        ["m5.xlarge"] = (4, 15_576),
        ["m5.2xlarge"] = (8, 31_366),
        ["r5.large"] = (2, 15_576),
    };

    /// <summary>The types the sandbox knows, for messages.</summary>
    public static IEnumerable<string> Names => Known.Keys;

    public static bool IsKnown(string type) => Known.ContainsKey(type);

    /// <summary>What the ECS agent registers on an instance of <paramref name="type"/>: 1,024 CPU units per vCPU, the OS's memory less <paramref name="reservedMemoryMiB"/>.</summary>
    public static (int Cpu, int MemoryMiB) Registered(string type, int reservedMemoryMiB)
    {
        (int vcpus, int memory) = Known.TryGetValue(type, out (int, int) known) ? known : throw new ArgumentException($"The sandbox does not know instance type '{type}'.", nameof(type));
        return (vcpus * 1024, memory - reservedMemoryMiB);
    }
}
