using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// Builds response JSON from the sandbox state through the Core wire models (so whatever the
/// sandbox says, the MightyOps client can read), then adds the few members real responses carry
/// that the models do not type (task overrides and attributes, cluster settings, ...). Absent
/// values are left out; counters are always written, as ECS does.
/// </summary>
internal static partial class EcsWire
{
    public static JsonObject ToObject<T>(T value) => JsonSerializer.SerializeToNode(value, AwsJson.Options)!.AsObject();

    public static JsonArray ToArray<T>(IEnumerable<T> values) => JsonSerializer.SerializeToNode(values.ToList(), AwsJson.Options)!.AsArray();

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static JsonObject Failure(string arn, string reason = "MISSING") =>
        new() { ["arn"] = arn, ["reason"] = reason };

    // ------------------------------------------------------------------ clusters

    public static JsonObject Cluster(ClusterState cluster, ICollection<string> include)
    {
        List<TaskState> tasks = cluster.Tasks.Values.ToList();
        int running = tasks.Count(t => t.IsRunning);
        int pending = tasks.Count(t => t.IsPending);
        int activeServices = cluster.Services.Values.Count(s => s.Status == "ACTIVE");
        var wire = new EcsCluster
        {
            ClusterArn = cluster.Arn,
            ClusterName = cluster.Name,
            Status = "ACTIVE",
            RegisteredContainerInstancesCount = cluster.ContainerInstances.Count,
            RunningTasksCount = running,
            PendingTasksCount = pending,
            ActiveServicesCount = activeServices,
            CapacityProviders = [.. cluster.CapacityProviders],
        };
        if (include.Contains("STATISTICS"))
        {
            int runningFargate = tasks.Count(t => t.IsRunning && t.LaunchType == "FARGATE");
            int pendingFargate = tasks.Count(t => t.IsPending && t.LaunchType == "FARGATE");
            wire.Statistics =
            [
                Stat("runningEC2TasksCount", running - runningFargate),
                Stat("runningFargateTasksCount", runningFargate),
                Stat("pendingEC2TasksCount", pending - pendingFargate),
                Stat("pendingFargateTasksCount", pendingFargate),
                Stat("runningExternalTasksCount", 0),
                Stat("pendingExternalTasksCount", 0),
                Stat("activeEC2ServiceCount", cluster.Services.Values.Count(s => s.Status == "ACTIVE" && s.LaunchType == "EC2")),
                Stat("activeFargateServiceCount", cluster.Services.Values.Count(s => s.Status == "ACTIVE" && s.LaunchType == "FARGATE")),
                Stat("drainingEC2ServiceCount", cluster.Services.Values.Count(s => s.Status == "DRAINING" && s.LaunchType == "EC2")),
                Stat("drainingFargateServiceCount", cluster.Services.Values.Count(s => s.Status == "DRAINING" && s.LaunchType == "FARGATE")),
                Stat("activeExternalServiceCount", 0),
                Stat("drainingExternalServiceCount", 0),
            ];
        }
        if (include.Contains("TAGS"))
        {
            wire.Tags = cluster.Tags;
        }
        JsonObject node = ToObject(wire);
        node["defaultCapacityProviderStrategy"] = new JsonArray();
        if (include.Contains("SETTINGS"))
        {
            node["settings"] = new JsonArray(new JsonObject { ["name"] = "containerInsights", ["value"] = cluster.ContainerInsights });
        }
        if (include.Contains("ATTACHMENTS"))
        {
            node["attachments"] = new JsonArray();
        }
        return node;
    }

    private static EcsKeyValuePair Stat(string name, int value) =>
        new() { Name = name, Value = value.ToString(CultureInfo.InvariantCulture) };

    // ------------------------------------------------------------------ capacity providers

    public static JsonObject CapacityProvider(AutoScaling.SandboxCapacityProvider provider, SandboxWorld world)
    {
        string groupArn = world.AutoScalingGroups.TryGetValue(provider.GroupName, out AutoScaling.SandboxAutoScalingGroup? group)
            ? group.Arn
            : $"arn:aws:autoscaling:{world.Region}:{world.AccountId}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/{provider.GroupName}";
        return ToObject(new EcsCapacityProvider
        {
            CapacityProviderArn = provider.Arn,
            Name = provider.Name,
            Status = "ACTIVE",
            AutoScalingGroupProvider = new EcsAutoScalingGroupProvider
            {
                AutoScalingGroupArn = groupArn,
                ManagedScaling = new EcsManagedScaling
                {
                    Status = provider.ManagedScaling ? "ENABLED" : "DISABLED",
                    TargetCapacity = provider.TargetCapacity,
                    MinimumScalingStepSize = provider.MinimumScalingStepSize,
                    MaximumScalingStepSize = provider.MaximumScalingStepSize,
                    InstanceWarmupPeriod = provider.InstanceWarmupPeriod,
                },
                ManagedTerminationProtection = "DISABLED",
                ManagedDraining = "ENABLED",
            },
            Type = "EC2_AUTOSCALING",
            Tags = [],
        });
    }

    // ------------------------------------------------------------------ services

    public static JsonObject Service(ServiceState service, bool includeTags)
    {
        var wire = new EcsService
        {
            ServiceArn = service.Arn,
            ServiceName = service.Name,
            ClusterArn = service.Cluster.Arn,
            LoadBalancers = service.LoadBalancers,
            ServiceRegistries = service.ServiceRegistries,
            Status = service.Status,
            DesiredCount = service.DesiredCount,
            RunningCount = service.Tasks.Count(t => t.IsRunning),
            PendingCount = service.Tasks.Count(t => t.IsPending),
            LaunchType = service.CapacityProviderStrategy is null ? service.LaunchType : null,
            PlatformVersion = service.PlatformVersion,
            TaskDefinition = service.Primary.TaskDefinitionArn,
            DeploymentConfiguration = service.DeploymentConfiguration,
            Deployments = service.Deployments.Select(d => Deployment(service, d)).ToList(),
            RoleArn = service.RoleArn,
            Events = service.Events,
            CreatedAt = service.CreatedAt,
            PlacementConstraints = service.PlacementConstraints,
            PlacementStrategy = service.PlacementStrategy,
            NetworkConfiguration = service.NetworkConfiguration,
            HealthCheckGracePeriodSeconds = service.HealthCheckGracePeriodSeconds,
            SchedulingStrategy = service.SchedulingStrategy,
            DeploymentController = new EcsDeploymentController { Type = service.DeploymentController },
            Tags = includeTags ? service.Tags : null,
            CreatedBy = service.CreatedBy,
            EnableECSManagedTags = service.EnableECSManagedTags,
            PropagateTags = service.PropagateTags,
            EnableExecuteCommand = service.EnableExecuteCommand,
        };
        JsonObject node = ToObject(wire);
        if (service.CapacityProviderStrategy is not null)
        {
            node["capacityProviderStrategy"] = service.CapacityProviderStrategy.DeepClone();
        }
        node["availabilityZoneRebalancing"] = service.AvailabilityZoneRebalancing;
        return node;
    }

    private static EcsDeployment Deployment(ServiceState service, DeploymentState deployment) => new()
    {
        Id = deployment.Id,
        Status = deployment.Status,
        TaskDefinition = deployment.TaskDefinitionArn,
        DesiredCount = deployment.DesiredCount,
        PendingCount = service.Tasks.Count(t => t.StartedBy == deployment.Id && t.IsPending),
        RunningCount = service.Tasks.Count(t => t.StartedBy == deployment.Id && t.IsRunning),
        FailedTasks = deployment.FailedTasks,
        CreatedAt = deployment.CreatedAt,
        UpdatedAt = deployment.UpdatedAt,
        LaunchType = service.CapacityProviderStrategy is null ? deployment.LaunchType : null,
        PlatformVersion = deployment.PlatformVersion,
        NetworkConfiguration = deployment.NetworkConfiguration,
        RolloutState = deployment.RolloutState,
        RolloutStateReason = deployment.RolloutStateReason,
    };

    // ------------------------------------------------------------------ task definitions

    public static JsonObject TaskDefinition(TaskDefinitionState definition) => ToObject(definition.Definition);

    // ------------------------------------------------------------------ tasks

    public static JsonObject Task(TaskState task, bool includeTags)
    {
        var wire = new EcsTask
        {
            TaskArn = task.Arn,
            ClusterArn = task.Cluster.Arn,
            TaskDefinitionArn = task.TaskDefinition.Arn,
            ContainerInstanceArn = task.ContainerInstance?.Arn,
            Containers = task.Containers.Select(c => Container(task, c)).ToList(),
            AvailabilityZone = task.AvailabilityZone,
            Connectivity = "CONNECTED",
            ConnectivityAt = task.ConnectivityAt,
            Cpu = task.Cpu,
            Memory = task.Memory,
            CreatedAt = task.CreatedAt,
            DesiredStatus = task.DesiredStatus,
            LastStatus = task.LastStatus,
            EnableExecuteCommand = task.Service?.EnableExecuteCommand ?? false,
            Group = task.Group,
            HealthStatus = "UNKNOWN",
            LaunchType = task.LaunchType,
            PlatformVersion = task.PlatformVersion,
            PlatformFamily = task.PlatformVersion is null ? null : "Linux",
            PullStartedAt = task.PullStartedAt,
            PullStoppedAt = task.PullStoppedAt,
            StartedAt = task.StartedAt,
            StartedBy = task.StartedBy,
            StopCode = task.StopCode,
            StoppedAt = task.StoppedAt,
            StoppedReason = task.StoppedReason,
            StoppingAt = task.StoppingAt,
            ExecutionStoppedAt = task.ExecutionStoppedAt,
            Tags = includeTags ? task.Tags : null,
            Version = task.Version,
            Attachments = task.NetworkInterface is TaskNetworkInterface eni
                ?
                [
                    new EcsAttachment
                    {
                        Id = eni.AttachmentId,
                        Type = "ElasticNetworkInterface",
                        Status = task.Phase == TaskPhase.Stopped ? "DELETED" : "ATTACHED",
                        Details =
                        [
                            Detail("subnetId", eni.SubnetId),
                            Detail("networkInterfaceId", eni.NetworkInterfaceId),
                            Detail("macAddress", eni.MacAddress),
                            Detail("privateDnsName", eni.PrivateDnsName),
                            Detail("privateIPv4Address", eni.PrivateIpv4Address),
                        ],
                    },
                ]
                : [],
        };
        JsonObject node = ToObject(wire);
        if (task.PlatformVersion is not null)
        {
            // Fargate's default ephemeral storage (Task.ephemeralStorage in the service model).
            node["ephemeralStorage"] = new JsonObject { ["sizeInGiB"] = 20 };
        }
        node["attributes"] = new JsonArray(new JsonObject { ["name"] = "ecs.cpu-architecture", ["value"] = "x86_64" });
        node["overrides"] = TaskOverrides.Wire(task.Overrides, task.Containers.Select(c => c.Name));
        if (task.CapacityProviderName is not null)
        {
            node["capacityProviderName"] = task.CapacityProviderName;
        }
        return node;
    }

    private static EcsKeyValuePair Detail(string name, string value) => new() { Name = name, Value = value };

    private static EcsContainer Container(TaskState task, ContainerState container) => new()
    {
        ContainerArn = container.Arn,
        TaskArn = task.Arn,
        Name = container.Name,
        Image = container.Image,
        ImageDigest = container.ImageDigest,
        RuntimeId = container.RuntimeId,
        LastStatus = container.LastStatus,
        ExitCode = container.ExitCode,
        Reason = container.Reason,
        NetworkBindings = container.NetworkBindings,
        NetworkInterfaces = task.NetworkInterface is TaskNetworkInterface eni
            ? [new EcsNetworkInterface { AttachmentId = eni.AttachmentId, PrivateIpv4Address = eni.PrivateIpv4Address }]
            : [],
        HealthStatus = "UNKNOWN",
        Cpu = container.Cpu,
        Memory = container.Memory,
        MemoryReservation = container.MemoryReservation,
    };

    // ------------------------------------------------------------------ container instances

    public static JsonObject ContainerInstance(ContainerInstanceState instance, ICollection<string> include, DateTimeOffset now)
    {
        List<TaskState> tasks = instance.Cluster.Tasks.Values.Where(t => ReferenceEquals(t.ContainerInstance, instance)).ToList();
        SandboxInstance ec2 = instance.Ec2Instance;
        var wire = new EcsContainerInstance
        {
            ContainerInstanceArn = instance.Arn,
            Ec2InstanceId = ec2.InstanceId,
            Version = instance.Version,
            VersionInfo = new EcsVersionInfo
            {
                AgentVersion = instance.AgentVersion,
                AgentHash = instance.AgentHash,
                DockerVersion = instance.DockerVersion,
            },
            RemainingResources = Resources(instance.RemainingCpu, instance.RemainingMemory,
                EcsSimulation.ReservedPorts.Select(p => new HostPort(p, "tcp")).Concat(instance.StaticPorts)),
            RegisteredResources = Resources(instance.RegisteredCpu, instance.RegisteredMemory, EcsSimulation.ReservedPorts.Select(p => new HostPort(p, "tcp"))),
            Status = instance.Status,
            AgentConnected = instance.AgentConnected,
            RunningTasksCount = tasks.Count(t => t.IsRunning),
            PendingTasksCount = tasks.Count(t => t.IsPending),
            Attributes = instance.Attributes(),
            RegisteredAt = instance.RegisteredAt,
            Tags = include.Contains("TAGS") ? instance.Tags : null,
        };
        JsonObject node = ToObject(wire);
        node["attachments"] = new JsonArray();
        if (include.Contains("CONTAINER_INSTANCE_HEALTH"))
        {
            node["healthStatus"] = new JsonObject
            {
                ["overallStatus"] = "OK",
                ["details"] = new JsonArray(new JsonObject
                {
                    ["type"] = "CONTAINER_RUNTIME",
                    ["status"] = "OK",
                    ["lastUpdated"] = Timestamp(now),
                    ["lastStatusChange"] = Timestamp(instance.RegisteredAt),
                }),
            };
        }
        return node;
    }

    private static List<EcsResource> Resources(int cpu, int memory, IEnumerable<HostPort> ports)
    {
        List<HostPort> all = ports.Distinct().ToList();
        return
        [
            new EcsResource { Name = "CPU", Type = "INTEGER", IntegerValue = cpu },
            new EcsResource { Name = "MEMORY", Type = "INTEGER", IntegerValue = memory },
            new EcsResource { Name = "PORTS", Type = "STRINGSET", StringSetValue = Numbers(all, "tcp") },
            new EcsResource { Name = "PORTS_UDP", Type = "STRINGSET", StringSetValue = Numbers(all, "udp") },
        ];
    }

    private static List<string> Numbers(List<HostPort> ports, string protocol) =>
        ports.Where(p => p.Protocol == protocol).Select(p => p.Port.ToString(CultureInfo.InvariantCulture)).ToList();

    /// <summary>A timestamp as the wire models write it (epoch seconds), for members the models do not type.</summary>
    private static JsonNode Timestamp(DateTimeOffset value) => JsonSerializer.SerializeToNode(value, AwsJson.Options)!;
}
