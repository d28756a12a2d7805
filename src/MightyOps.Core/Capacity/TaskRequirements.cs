using System.Globalization;
using System.Text.Json;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>A host port a task holds on its container instance while it runs (the PORTS or PORTS_UDP resource).</summary>
/// <param name="Port">The port number.</param>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
public readonly record struct HostPort(int Port, string Protocol)
{
    public override string ToString() => Protocol == "tcp" ? Port.ToString(CultureInfo.InvariantCulture) : $"{Port}/{Protocol}";
}

/// <summary>
/// What one task reserves on the container instance it is placed on: CPU units, MiB of memory and
/// static host ports (docs/design/capacity-and-placement.md, "What a task reserves"). The ECS
/// scheduler and the sandbox count the same way: task-level <c>cpu</c>/<c>memory</c> win; without
/// them, the containers' sum, each container counting its <c>memoryReservation</c> (the soft
/// limit) when it has one and its <c>memory</c> (the hard limit) otherwise.
/// </summary>
/// <param name="Cpu">CPU units (1,024 per vCPU).</param>
/// <param name="Memory">MiB.</param>
/// <param name="StaticPorts">Host ports only one task may hold on an instance (bridge mode's fixed hostPort, every port in host mode).</param>
public sealed record TaskRequirements(int Cpu, int Memory, IReadOnlyList<HostPort> StaticPorts)
{
    /// <summary>A task that reserves nothing.</summary>
    public static TaskRequirements None { get; } = new(0, 0, []);

    /// <summary>The requirements of a registered task definition.</summary>
    public static TaskRequirements Of(EcsTaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Of(definition.Cpu, definition.Memory, definition.NetworkMode, definition.ContainerDefinitions);
    }

    /// <summary>The requirements of a revision about to be registered (a deploy's rendered definition).</summary>
    public static TaskRequirements Of(RegisterTaskDefinitionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Of(request.Cpu, request.Memory, request.NetworkMode, request.ContainerDefinitions);
    }

    /// <summary>
    /// The requirements from the task-level <paramref name="taskCpu"/> and <paramref name="taskMemory"/>
    /// (as ECS takes them: <c>"1024"</c>, <c>"1 vCPU"</c>, <c>"2048"</c>, <c>"2 GB"</c>), the network
    /// mode (<c>bridge</c> when null, the EC2 default) and the containers.
    /// </summary>
    public static TaskRequirements Of(string? taskCpu, string? taskMemory, string? networkMode, IReadOnlyList<EcsContainerDefinition>? containers)
    {
        containers ??= [];
        int cpu = Units(taskCpu, "vcpu") ?? containers.Sum(c => Math.Max(0, c.Cpu ?? 0));
        int memory = Units(taskMemory, "gb") ?? containers.Sum(c => Math.Max(0, c.MemoryReservation ?? c.Memory ?? 0));
        return new TaskRequirements(cpu, memory, StaticPortsOf(networkMode ?? "bridge", containers));
    }

    /// <summary>The larger of the two shares this task takes of an instance of <paramref name="cpu"/> units and <paramref name="memory"/> MiB.</summary>
    public double DominantShare(int cpu, int memory) =>
        Math.Max(cpu > 0 ? (double)Cpu / cpu : 0, memory > 0 ? (double)Memory / memory : 0);

    public override string ToString() =>
        $"{Cpu.ToString("N0", CultureInfo.InvariantCulture)} CPU, {Memory.ToString("N0", CultureInfo.InvariantCulture)} MiB"
        + (StaticPorts.Count > 0 ? $", host port{(StaticPorts.Count == 1 ? string.Empty : "s")} {string.Join(", ", StaticPorts)}" : string.Empty);

    // Host ports fixed by the definition: in host mode every port a container maps is the host's
    // own (hostPort equals containerPort, ranges included); in bridge mode a non-zero hostPort is,
    // while 0 or none takes a dynamic port from the ephemeral range. awsvpc and none map no host port.
    private static IReadOnlyList<HostPort> StaticPortsOf(string networkMode, IReadOnlyList<EcsContainerDefinition> containers)
    {
        if (networkMode is not ("bridge" or "host"))
        {
            return [];
        }
        var ports = new List<HostPort>();
        foreach (EcsPortMapping mapping in containers.SelectMany(c => c.PortMappings ?? []))
        {
            string protocol = string.Equals(mapping.Protocol, "udp", StringComparison.OrdinalIgnoreCase) ? "udp" : "tcp";
            if (networkMode == "host")
            {
                if (mapping.ContainerPort is int port && port > 0)
                {
                    ports.Add(new HostPort(port, protocol));
                }
                else if (Range(mapping, "containerPortRange") is (int first, int last))
                {
                    ports.AddRange(Enumerable.Range(first, last - first + 1).Select(p => new HostPort(p, protocol)));
                }
            }
            else if (mapping.HostPort is int host && host > 0)
            {
                ports.Add(new HostPort(host, protocol));
            }
        }
        return ports.Distinct().ToList();
    }

    private static (int First, int Last)? Range(EcsPortMapping mapping, string member)
    {
        if (mapping.Other?.TryGetValue(member, out JsonElement value) != true || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        string[] parts = value.GetString()!.Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
            && first > 0 && last >= first
            ? (first, last)
            : null;
    }

    // "1024" is units; "1 vCPU" / "0.5 vcpu" is vCPUs of 1,024 units; "2048" MiB; "2 GB" is GiB of 1,024 MiB.
    private static int? Units(string? text, string unit)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        string value = text.Trim();
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int plain))
        {
            return plain;
        }
        if (value.EndsWith(unit, StringComparison.OrdinalIgnoreCase)
            && double.TryParse(value[..^unit.Length].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double scaled) && scaled >= 0)
        {
            return (int)Math.Round(scaled * 1024);
        }
        return null;
    }
}
