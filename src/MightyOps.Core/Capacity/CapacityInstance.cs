using MightyOps.Core.Aws.Ec2;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>
/// One container instance as capacity sees it: what ECS registered and has left
/// (DescribeContainerInstances), and from EC2 its type, Spot or On-Demand, and its Auto Scaling
/// group (the <c>aws:autoscaling:groupName</c> tag).
/// </summary>
public sealed class CapacityInstance : IClusterQueryTarget
{
    /// <summary>The tag EC2 Auto Scaling puts on every instance it launches.</summary>
    public const string GroupTag = "aws:autoscaling:groupName";

    private readonly IReadOnlyDictionary<string, string> _attributes;

    public CapacityInstance(
        string containerInstanceArn,
        string ec2InstanceId,
        string status,
        bool agentConnected,
        (int Cpu, int Memory) registered,
        (int Cpu, int Memory) remaining,
        IReadOnlySet<HostPort> usedPorts,
        IReadOnlyDictionary<string, string> attributes)
    {
        ContainerInstanceArn = containerInstanceArn;
        Ec2InstanceId = ec2InstanceId;
        Status = status;
        AgentConnected = agentConnected;
        RegisteredCpu = registered.Cpu;
        RegisteredMemory = registered.Memory;
        RemainingCpu = remaining.Cpu;
        RemainingMemory = remaining.Memory;
        UsedPorts = usedPorts;
        _attributes = attributes;
    }

    public string ContainerInstanceArn { get; }

    /// <summary>The 32-hex id at the end of the ARN.</summary>
    public string Id => EcsArn.LastSegment(ContainerInstanceArn);

    public string Ec2InstanceId { get; }

    /// <summary>ACTIVE, DRAINING, REGISTERING, ...</summary>
    public string Status { get; }

    public bool AgentConnected { get; }

    public bool IsActive => Status == "ACTIVE";

    public bool IsDraining => Status == "DRAINING";

    public int RegisteredCpu { get; }

    public int RegisteredMemory { get; }

    public int RemainingCpu { get; }

    public int RemainingMemory { get; }

    /// <summary>Host ports in use (the agent's reserved ports included), from the PORTS and PORTS_UDP remaining resources.</summary>
    public IReadOnlySet<HostPort> UsedPorts { get; }

    /// <summary>Host ports the agent reserves (the registered PORTS resources): never free for a task.</summary>
    public IReadOnlySet<HostPort> ReservedPorts { get; init; } = new HashSet<HostPort>();

    public int RunningTasks { get; init; }

    public int PendingTasks { get; init; }

    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>The Auto Scaling group that launched it, or null.</summary>
    public string? AutoScalingGroup { get; init; }

    public string? InstanceType { get; init; }

    /// <summary><c>spot</c> or <c>on-demand</c>; null when EC2 does not know the instance (ECS Anywhere).</summary>
    public string? Lifecycle { get; init; }

    public string? AvailabilityZone => Attribute("ecs.availability-zone");

    public string? Attribute(string name) => _attributes.TryGetValue(name, out string? value) ? value : null;

    /// <summary>Builds the view from ECS's description and, when EC2 knows the instance, EC2's.</summary>
    public static CapacityInstance From(EcsContainerInstance described, Ec2Instance? ec2)
    {
        ArgumentNullException.ThrowIfNull(described);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (EcsAttribute attribute in described.Attributes ?? [])
        {
            if (!string.IsNullOrEmpty(attribute.Name))
            {
                attributes[attribute.Name] = attribute.Value ?? string.Empty;
            }
        }
        return new CapacityInstance(
            described.ContainerInstanceArn ?? string.Empty,
            described.Ec2InstanceId ?? string.Empty,
            described.Status ?? string.Empty,
            described.AgentConnected,
            Resources(described.RegisteredResources),
            Resources(described.RemainingResources),
            Ports(described.RemainingResources),
            attributes)
        {
            ReservedPorts = Ports(described.RegisteredResources),
            RunningTasks = described.RunningTasksCount,
            PendingTasks = described.PendingTasksCount,
            RegisteredAt = described.RegisteredAt,
            AutoScalingGroup = ec2?.Tags.TryGetValue(GroupTag, out string? group) == true ? group : null,
            InstanceType = ec2?.InstanceType ?? (attributes.TryGetValue("ecs.instance-type", out string? type) ? type : null),
            Lifecycle = ec2 is null ? null : ec2.InstanceLifecycle == "spot" ? "spot" : "on-demand",
        };
    }

    private static (int Cpu, int Memory) Resources(List<EcsResource>? resources) =>
        (resources?.FirstOrDefault(r => r.Name == "CPU")?.IntegerValue ?? 0, resources?.FirstOrDefault(r => r.Name == "MEMORY")?.IntegerValue ?? 0);

    private static HashSet<HostPort> Ports(List<EcsResource>? resources)
    {
        var ports = new HashSet<HostPort>();
        foreach (EcsResource resource in resources ?? [])
        {
            string? protocol = resource.Name switch { "PORTS" => "tcp", "PORTS_UDP" => "udp", _ => null };
            if (protocol is null)
            {
                continue;
            }
            foreach (string text in resource.StringSetValue ?? [])
            {
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port))
                {
                    ports.Add(new HostPort(port, protocol));
                }
            }
        }
        return ports;
    }
}
