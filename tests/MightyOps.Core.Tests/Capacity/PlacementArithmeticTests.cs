using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;
using Xunit;

namespace MightyOps.Core.Tests.Capacity;

/// <summary>
/// What a task reserves and which instances a cluster query selects, as ECS counts them
/// (docs/design/capacity-and-placement.md, "What a task reserves", "Cluster query language").
/// </summary>
public sealed class PlacementArithmeticTests
{
    private static EcsContainerDefinition Container(int? cpu, int? memory, int? reservation, params (int Container, int? Host, string? Protocol)[] ports) => new()
    {
        Name = "c",
        Cpu = cpu,
        Memory = memory,
        MemoryReservation = reservation,
        PortMappings = ports.Select(p => new EcsPortMapping { ContainerPort = p.Container, HostPort = p.Host, Protocol = p.Protocol }).ToList(),
    };

    public static TheoryData<string, string?, string?, string?, EcsContainerDefinition[], int, int, string> Tasks => new()
    {
        // name, task cpu, task memory, network mode, containers, cpu, MiB, static ports
        { "task-level cpu and memory win over the containers'", "1024", "2048", "bridge", [Container(128, 512, null)], 1024, 2048, "" },
        { "task-level in ECS's other spellings", "1 vCPU", "2 GB", "bridge", [], 1024, 2048, "" },
        { "the soft limit counts when there is one", null, null, "bridge", [Container(128, 1024, 256)], 128, 256, "" },
        { "else the hard limit", null, null, "bridge", [Container(128, 1024, null)], 128, 1024, "" },
        { "the containers' sum", null, null, "bridge", [Container(256, null, 512), Container(64, 128, null)], 320, 640, "" },
        { "bridge: a fixed host port is held, a dynamic one is not", null, null, "bridge", [Container(64, 128, null, (80, 80, "tcp"), (3000, 0, "tcp"), (3001, null, "tcp"))], 64, 128, "80" },
        { "host: every container port is a host port, per protocol", null, null, "host", [Container(64, 128, null, (53, null, "udp"), (8080, null, null))], 64, 128, "53/udp,8080" },
        { "awsvpc holds no host port", null, null, "awsvpc", [Container(64, 128, null, (80, 80, "tcp"))], 64, 128, "" },
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void A_task_reserves_what_ECS_counts(string name, string? taskCpu, string? taskMemory, string? mode, EcsContainerDefinition[] containers, int cpu, int memory, string ports)
    {
        TaskRequirements task = TaskRequirements.Of(taskCpu, taskMemory, mode, containers);
        Assert.True((cpu, memory) == (task.Cpu, task.Memory), $"{name}: {task}");
        Assert.Equal(ports, string.Join(',', task.StaticPorts.Select(p => p.ToString()).Order(StringComparer.Ordinal)));
    }

    private sealed class Instance(string id, Dictionary<string, string> attributes, bool agent = true) : IClusterQueryTarget
    {
        public string? Attribute(string name) => attributes.TryGetValue(name, out string? value) ? value : null;

        public string Ec2InstanceId => id;

        public bool AgentConnected => agent;
    }

    private static readonly Instance Web = new("i-0aaa", new() { ["role"] = "web", ["ecs.instance-type"] = "m5.large", ["ecs.availability-zone"] = "us-east-1a", ["ecs.capability.docker-remote-api.1.44"] = "" });
    private static readonly Instance Worker = new("i-0bbb", new() { ["role"] = "workers", ["ecs.instance-type"] = "t3.medium", ["ecs.availability-zone"] = "us-east-1b" }, agent: false);

    [Theory]
    [InlineData("attribute:role == web", true, false)]
    [InlineData("attribute:role equals 'workers'", false, true)]
    [InlineData("attribute:role != web", false, true)]
    [InlineData("attribute:ecs.instance-type in [m5.large, m5.xlarge]", true, false)]
    [InlineData("attribute:ecs.instance-type !in [m5.large]", false, true)]
    [InlineData("attribute:ecs.instance-type =~ t3.*", false, true)]
    [InlineData("attribute:ecs.instance-type =~ t3", false, false)]
    [InlineData("attribute:ecs.capability.docker-remote-api.1.44 exists", true, false)]
    [InlineData("attribute:color not_exists", true, true)]
    [InlineData("ec2InstanceId in ['i-0aaa', 'i-0ccc']", true, false)]
    [InlineData("agentConnected == true", true, false)]
    [InlineData("attribute:role == web or (attribute:ecs.availability-zone == us-east-1b and not agentConnected == true)", true, true)]
    [InlineData("!(attribute:role == web) && attribute:role exists", false, true)]
    public void The_cluster_query_subset_selects_as_ECS_does(string expression, bool web, bool worker)
    {
        Assert.True(ClusterQuery.TryParse(expression, out ClusterQuery? query, out string? problem), problem);
        Assert.Equal((web, worker), (query!.Matches(Web), query.Matches(Worker)));
    }

    [Theory]
    [InlineData("task:group == web", "task:group")]
    [InlineData("attribute:role ==", "")]
    [InlineData("attribute:role == web and", "")]
    [InlineData("(attribute:role == web", "")]
    public void What_it_cannot_evaluate_is_refused_not_guessed(string expression, string named)
    {
        Assert.False(ClusterQuery.TryParse(expression, out _, out string? problem));
        Assert.False(string.IsNullOrEmpty(problem));
        Assert.Contains(named, problem, StringComparison.Ordinal);
    }
}
