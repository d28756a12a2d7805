using System.Globalization;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// Placement: which container instance takes a task (resources, ports, spread), and the task it starts as.
internal sealed partial class EcsSimulation
{
    /// <summary>What a task needs from a container instance.</summary>
    private readonly record struct Requirements(int Cpu, int Memory, List<int> StaticPorts);

    private static Requirements RequirementsOf(TaskDefinitionState definition)
    {
        EcsTaskDefinition td = definition.Definition;
        List<EcsContainerDefinition> containers = td.ContainerDefinitions ?? [];
        int cpu = int.TryParse(td.Cpu, NumberStyles.Integer, CultureInfo.InvariantCulture, out int taskCpu)
            ? taskCpu
            : containers.Sum(c => c.Cpu ?? 0);
        int memory = int.TryParse(td.Memory, NumberStyles.Integer, CultureInfo.InvariantCulture, out int taskMemory)
            ? taskMemory
            : containers.Sum(c => c.MemoryReservation ?? c.Memory ?? 0);
        var ports = new List<int>();
        if (definition.NetworkMode != "awsvpc")
        {
            foreach (EcsPortMapping mapping in containers.SelectMany(c => c.PortMappings ?? []))
            {
                int hostPort = definition.NetworkMode == "host" ? mapping.ContainerPort ?? 0 : mapping.HostPort ?? 0;
                if (hostPort > 0)
                {
                    ports.Add(hostPort);
                }
            }
        }
        return new Requirements(cpu, memory, ports);
    }

    private TaskState? Place(ServiceState service, DeploymentState deployment, TaskDefinitionState definition, out string? problem)
    {
        Requirements needs = RequirementsOf(definition);
        List<TaskState> siblings = service.Tasks.Where(t => t.IsLive).ToList();
        if (service.LaunchType == "FARGATE")
        {
            // Fargate runs the task on capacity of its own (no container instance), in the
            // Availability Zone of one of the service's subnets: spread across three zones.
            string zone = FargateZones
                .Select(z => _world.Region + z)
                .OrderBy(z => siblings.Count(t => t.AvailabilityZone == z))
                .First();
            problem = null;
            return CreateTask(service.Cluster, service, deployment.Id, $"service:{service.Name}", definition, null, zone, needs);
        }
        List<ContainerInstanceState> instances = service.Cluster.ContainerInstances.Values
            .Where(i => i.Status == "ACTIVE" && i.AgentConnected && i.IsExternal == (service.LaunchType == "EXTERNAL"))
            .OrderBy(i => i.Seq)
            .ToList();
        if (instances.Count == 0)
        {
            problem = "Reason: No Container Instances were found in your cluster.";
            return null;
        }
        var fitting = instances.Where(i => Fits(i, needs) is null).ToList();
        if (fitting.Count == 0)
        {
            ContainerInstanceState closest = instances.OrderByDescending(i => i.RemainingMemory).First();
            problem = $"The closest matching (container-instance {closest.Id}) {Fits(closest, needs)}.";
            return null;
        }
        // Spread across Availability Zones, then across instances (the console's default for EC2 services).
        ContainerInstanceState chosen = fitting
            .OrderBy(i => siblings.Count(t => t.AvailabilityZone == i.Ec2Instance.AvailabilityZone))
            .ThenBy(i => siblings.Count(t => ReferenceEquals(t.ContainerInstance, i)))
            .ThenByDescending(i => i.RemainingMemory)
            .ThenBy(i => i.Seq)
            .First();
        problem = null;
        return CreateTask(service.Cluster, service, deployment.Id, $"service:{service.Name}", definition, chosen, chosen.IsExternal ? null : chosen.Ec2Instance.AvailabilityZone, needs);
    }

    private static string? Fits(ContainerInstanceState instance, Requirements needs)
    {
        if (needs.Cpu > instance.RemainingCpu)
        {
            return "has insufficient CPU units available";
        }
        if (needs.Memory > instance.RemainingMemory)
        {
            return "has insufficient memory available";
        }
        if (needs.StaticPorts.Any(instance.StaticPorts.Contains) || needs.StaticPorts.Any(ReservedPorts.Contains))
        {
            return "is already using a port required by your task";
        }
        return null;
    }

    private static readonly string[] FargateZones = ["a", "b", "c"];

    /// <summary>Ports the agent reserves on every instance (ECS_RESERVED_PORTS).</summary>
    public static readonly IReadOnlyList<int> ReservedPorts = [22, 2375, 2376, 51678, 51679];

    private TaskState CreateTask(
        ClusterState cluster,
        ServiceState? service,
        string startedBy,
        string group,
        TaskDefinitionState definition,
        ContainerInstanceState? instance,
        string? availabilityZone,
        Requirements needs)
    {
        string id = Arns.NewTaskId();
        EcsTaskDefinition td = definition.Definition;
        List<EcsContainerDefinition> containerDefinitions = td.ContainerDefinitions ?? [];
        bool awsvpc = definition.NetworkMode == "awsvpc";
        var task = new TaskState
        {
            Id = id,
            Arn = Arns.Task(cluster.Name, id),
            Cluster = cluster,
            Service = service,
            TaskDefinition = definition,
            ContainerInstance = instance,
            Seq = NextSeq(),
            StartedBy = startedBy,
            Group = group,
            LaunchType = instance is null ? "FARGATE" : instance.IsExternal ? "EXTERNAL" : "EC2",
            PlatformVersion = instance is null ? FargatePlatformVersion(service?.PlatformVersion) : null,
            AvailabilityZone = availabilityZone,
            Cpu = td.Cpu ?? containerDefinitions.Sum(c => c.Cpu ?? 0).ToString(CultureInfo.InvariantCulture),
            Memory = td.Memory ?? containerDefinitions.Sum(c => c.Memory ?? c.MemoryReservation ?? 0).ToString(CultureInfo.InvariantCulture),
            CreatedAt = Now,
            ConnectivityAt = Now,
            Phase = TaskPhase.Placed,
            ReservedCpu = needs.Cpu,
            ReservedMemory = needs.Memory,
            NetworkInterface = awsvpc ? NewNetworkInterface(service) : null,
        };
        foreach (EcsContainerDefinition definitionOfContainer in containerDefinitions)
        {
            var container = new ContainerState
            {
                Name = definitionOfContainer.Name ?? string.Empty,
                Arn = Arns.Container(cluster.Name, id, Arns.NewUuid()),
                Image = definitionOfContainer.Image ?? string.Empty,
                PinnedDigest = service?.Deployments.Find(d => d.Id == startedBy)?.Revision?.DigestOf(definitionOfContainer.Name ?? string.Empty),
                Essential = definitionOfContainer.Essential ?? true,
                Cpu = (definitionOfContainer.Cpu ?? 0).ToString(CultureInfo.InvariantCulture),
                Memory = definitionOfContainer.Memory?.ToString(CultureInfo.InvariantCulture),
                MemoryReservation = definitionOfContainer.MemoryReservation?.ToString(CultureInfo.InvariantCulture),
            };
            if (!awsvpc && instance is not null)
            {
                foreach (EcsPortMapping mapping in definitionOfContainer.PortMappings ?? [])
                {
                    int containerPort = mapping.ContainerPort ?? 0;
                    int hostPort = definition.NetworkMode == "host" ? containerPort : mapping.HostPort ?? 0;
                    if (hostPort > 0)
                    {
                        instance.StaticPorts.Add(hostPort);
                    }
                    else
                    {
                        hostPort = NextDynamicPort(instance);
                        instance.DynamicPorts.Add(hostPort);
                    }
                    task.HostPorts.Add(hostPort);
                    container.NetworkBindings.Add(new EcsNetworkBinding
                    {
                        BindIP = "0.0.0.0",
                        ContainerPort = containerPort,
                        HostPort = hostPort,
                        Protocol = mapping.Protocol ?? "tcp",
                    });
                }
            }
            task.Containers.Add(container);
        }
        if (service is not null)
        {
            if (service.PropagateTags == "SERVICE")
            {
                task.Tags.AddRange(service.Tags.Select(t => new EcsTag { Key = t.Key, Value = t.Value }));
            }
            else if (service.PropagateTags == "TASK_DEFINITION")
            {
                task.Tags.AddRange(definition.Tags.Select(t => new EcsTag { Key = t.Key, Value = t.Value }));
            }
            if (service.EnableECSManagedTags)
            {
                task.Tags.Add(new EcsTag { Key = "aws:ecs:clusterName", Value = cluster.Name });
                task.Tags.Add(new EcsTag { Key = "aws:ecs:serviceName", Value = service.Name });
            }
        }
        if (instance is not null)
        {
            instance.UsedCpu += needs.Cpu;
            instance.UsedMemory += needs.Memory;
            instance.Version++;
        }
        cluster.Tasks[id] = task;
        service?.Tasks.Add(task);
        Schedule(task, Now + (awsvpc ? EcsTimings.EniProvisioning : EcsTimings.AgentPickup) + Jitter(400));
        return task;
    }

    // What a Fargate task reports: the platform version LATEST resolved to (Linux).
    private static string FargatePlatformVersion(string? requested) =>
        requested is null or "LATEST" ? "1.4.0" : requested;

    private TaskNetworkInterface NewNetworkInterface(ServiceState? service)
    {
        string subnet = service?.NetworkConfiguration?["awsvpcConfiguration"]?["subnets"]?[0]?.GetValue<string>() ?? "subnet-0a1b2c3d4e5f60718";
        string ip = $"10.0.{_random.Next(1, 4)}.{_random.Next(10, 250)}";
        string dns = _world.Region == "us-east-1"
            ? $"ip-{ip.Replace('.', '-')}.ec2.internal"
            : $"ip-{ip.Replace('.', '-')}.{_world.Region}.compute.internal";
        string mac = string.Join(":", Enumerable.Range(0, 6).Select(i => Arns.Hex(1)));
        return new TaskNetworkInterface(Arns.NewUuid(), "eni-0" + Arns.Hex(8)[..16], subnet, mac, ip, dns);
    }

    private static int NextDynamicPort(ContainerInstanceState instance)
    {
        // The default ephemeral range of Amazon Linux (ip_local_port_range), which ECS uses for hostPort 0.
        for (int port = 32768; port <= 60999; port++)
        {
            if (!instance.DynamicPorts.Contains(port) && !instance.StaticPorts.Contains(port))
            {
                return port;
            }
        }
        throw new SandboxException("ServerException", "The container instance has no free ephemeral port.", 500);
    }

    private static void Release(TaskState task)
    {
        ContainerInstanceState? instance = task.ContainerInstance;
        if (instance is null)
        {
            return;
        }
        instance.UsedCpu -= task.ReservedCpu;
        instance.UsedMemory -= task.ReservedMemory;
        foreach (int port in task.HostPorts)
        {
            instance.StaticPorts.Remove(port);
            instance.DynamicPorts.Remove(port);
        }
        task.HostPorts.Clear();
        instance.Version++;
    }
}
