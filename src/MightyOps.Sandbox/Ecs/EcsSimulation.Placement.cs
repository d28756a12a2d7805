using System.Globalization;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

namespace MightyOps.Sandbox.Ecs;

// Placement: which container instance takes a task (resources, ports, spread), and the task it starts as.
internal sealed partial class EcsSimulation
{
    private TaskState? Place(ServiceState service, DeploymentState deployment, TaskDefinitionState definition, out string? problem)
    {
        TaskRequirements needs = EcsPlacement.Requirements(definition);
        List<TaskState> siblings = service.Tasks.Where(t => t.IsLive).ToList();
        if (service.LaunchType == "FARGATE")
        {
            problem = null;
            return CreateTask(service.Cluster, service, deployment.Id, $"service:{service.Name}", definition, null, FargateZone(siblings), needs);
        }
        var request = new PlacementRequest(definition, $"service:{service.Name}", service.PlacementConstraints, service.PlacementStrategy,
            service.LaunchType == "EXTERNAL", EcsPlacement.ProviderGroups(_world, service.CapacityProviderStrategy));
        PlacementOutcome outcome = EcsPlacement.Choose(service.Cluster, request, siblings, _random);
        if (outcome.Instance is not ContainerInstanceState chosen)
        {
            problem = outcome.Problem;
            if (outcome.Failure is PlacementFailure.Cpu or PlacementFailure.Memory or PlacementFailure.Ports or PlacementFailure.DistinctInstance or PlacementFailure.NoInstances)
            {
                _world.AutoScaling.ScaleForUnplaced(service, needs);
            }
            return null;
        }
        problem = null;
        return CreateTask(service.Cluster, service, deployment.Id, $"service:{service.Name}", definition, chosen, chosen.IsExternal ? null : chosen.Ec2Instance.AvailabilityZone, needs);
    }

    private static readonly string[] FargateZones = ["a", "b", "c"];

    // Fargate runs a task on capacity of its own (no container instance), in the Availability
    // Zone of one of the task's subnets: spread across three zones by its siblings.
    private string FargateZone(IReadOnlyCollection<TaskState> siblings) =>
        FargateZones
            .Select(z => _world.Region + z)
            .OrderBy(z => siblings.Count(t => t.AvailabilityZone == z))
            .First();

    /// <summary>Ports the agent reserves on every instance (ECS_RESERVED_PORTS).</summary>
    public static readonly IReadOnlyList<int> ReservedPorts = [22, 2375, 2376, 51678, 51679];

    private TaskState CreateTask(
        ClusterState cluster,
        ServiceState? service,
        string? startedBy,
        string group,
        TaskDefinitionState definition,
        ContainerInstanceState? instance,
        string? availabilityZone,
        TaskRequirements needs,
        JsonObject? network = null)
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
            NetworkInterface = awsvpc ? NewNetworkInterface(network ?? service?.NetworkConfiguration) : null,
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
                    string protocol = string.Equals(mapping.Protocol, "udp", StringComparison.OrdinalIgnoreCase) ? "udp" : "tcp";
                    if (hostPort > 0)
                    {
                        instance.StaticPorts.Add(new HostPort(hostPort, protocol));
                    }
                    else
                    {
                        hostPort = NextDynamicPort(instance);
                        instance.DynamicPorts.Add(hostPort);
                    }
                    task.HostPorts.Add(new HostPort(hostPort, protocol));
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

    private TaskNetworkInterface NewNetworkInterface(JsonObject? networkConfiguration)
    {
        string subnet = networkConfiguration?["awsvpcConfiguration"]?["subnets"]?[0]?.GetValue<string>() ?? "subnet-0a1b2c3d4e5f60718";
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
            if (!instance.DynamicPorts.Contains(port) && !instance.StaticPorts.Contains(new HostPort(port, "tcp")))
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
        foreach (HostPort port in task.HostPorts)
        {
            instance.StaticPorts.Remove(port);
            instance.DynamicPorts.Remove(port.Port);
        }
        task.HostPorts.Clear();
        instance.Version++;
    }
}
