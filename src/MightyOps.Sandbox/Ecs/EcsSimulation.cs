using System.Globalization;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// The ECS state and the simulation that moves it through simulated time: the container agent
/// (pull, start, stop, crash) and the service scheduler (rolling deployments bounded by
/// minimumHealthyPercent/maximumPercent, scale up/down, the circuit breaker and its rollback,
/// service events), as reference/aws-protocol.md §5 describes them.
/// </summary>
/// <remarks>
/// Time advances lazily: every request first brings the state up to the clock's "now". The
/// work is event driven (each task knows when its next transition is due; the scheduler looks
/// at a service on a fixed 5 s grid only when something changed), so an idle hour or an idle
/// week costs a handful of steps, not one per simulated second.
/// </remarks>
internal sealed class EcsSimulation
{
    private const int MaxStepsPerInstant = 100_000;

    private readonly SandboxWorld _world;
    private readonly Random _random;
    private readonly HashSet<TaskState> _timedTasks = [];
    private readonly HashSet<ServiceState> _scheduledServices = [];
    private long _seq;

    public EcsSimulation(SandboxWorld world)
    {
        _world = world;
        // A fixed RandomSeed makes ids, jitter and so whole runs repeatable.
        _random = world.Options.RandomSeed is int seed ? new Random(unchecked(seed * 31 + 0x0EC5)) : new Random();
        Arns = new EcsArns(world.Region, world.AccountId, _random);
        Now = Truncate(world.Clock.UtcNow);
    }

    public EcsArns Arns { get; }

    public SandboxWorld World => _world;

    /// <summary>The simulated instant the state reflects.</summary>
    public DateTimeOffset Now { get; private set; }

    public Dictionary<string, ClusterState> Clusters { get; } = new(StringComparer.Ordinal);

    /// <summary>Revisions per family, in revision order.</summary>
    public Dictionary<string, List<TaskDefinitionState>> Families { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, TaskDefinitionState> TaskDefinitionsByArn { get; } = new(StringComparer.Ordinal);

    public long NextSeq() => ++_seq;

    /// <summary>Moves the simulation start into the past, for a seed that replays history. Only before anything runs.</summary>
    public void RewindTo(DateTimeOffset past)
    {
        if (_timedTasks.Count > 0 || _scheduledServices.Count > 0 || Clusters.Values.Any(c => c.Tasks.Count > 0))
        {
            throw new InvalidOperationException("The ECS simulation can only be rewound before it has tasks.");
        }
        Now = Truncate(past);
    }

    /// <summary>Runs everything that is due up to <paramref name="target"/>, in order.</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        target = Truncate(target);
        int stepsAtThisInstant = 0;
        while (true)
        {
            DateTimeOffset? due = NextDue();
            if (due is null || due.Value > target)
            {
                break;
            }
            if (due.Value > Now)
            {
                Now = due.Value;
                stepsAtThisInstant = 0;
            }
            if (++stepsAtThisInstant > MaxStepsPerInstant)
            {
                throw new InvalidOperationException($"The ECS simulation does not settle at {Now:O}.");
            }
            RunDue();
        }
        if (target > Now)
        {
            Now = target;
        }
        Expire();
    }

    private DateTimeOffset? NextDue()
    {
        DateTimeOffset? next = null;
        foreach (TaskState task in _timedTasks)
        {
            if (next is null || task.NextTransitionAt < next)
            {
                next = task.NextTransitionAt;
            }
        }
        foreach (ServiceState service in _scheduledServices)
        {
            if (next is null || service.NextEvaluationAt < next)
            {
                next = service.NextEvaluationAt;
            }
        }
        return next;
    }

    private void RunDue()
    {
        // The agent reports first, then the scheduler reacts to what it reported.
        List<TaskState> tasks = _timedTasks.Where(t => t.NextTransitionAt <= Now)
            .OrderBy(t => t.NextTransitionAt).ThenBy(t => t.Seq).ToList();
        foreach (TaskState task in tasks)
        {
            if (task.NextTransitionAt <= Now)
            {
                Step(task);
            }
        }
        List<ServiceState> services = _scheduledServices.Where(s => s.NextEvaluationAt <= Now).OrderBy(s => s.Seq).ToList();
        foreach (ServiceState service in services)
        {
            Evaluate(service);
        }
    }

    // ------------------------------------------------------------------ scheduling primitives

    private void Schedule(TaskState task, DateTimeOffset? at)
    {
        task.NextTransitionAt = at;
        if (at is null)
        {
            _timedTasks.Remove(task);
        }
        else
        {
            _timedTasks.Add(task);
        }
    }

    /// <summary>Asks the scheduler to look at a service at the first 5 s tick at or after <paramref name="earliest"/>.</summary>
    public void RequestEvaluation(ServiceState service, DateTimeOffset earliest)
    {
        if (service.Status == "INACTIVE")
        {
            return;
        }
        long tick = (long)EcsTimings.SchedulerTick.TotalMilliseconds;
        long ms = earliest.ToUnixTimeMilliseconds();
        var at = DateTimeOffset.FromUnixTimeMilliseconds((ms + tick - 1) / tick * tick);
        if (service.NextEvaluationAt is null || at < service.NextEvaluationAt)
        {
            service.NextEvaluationAt = at;
            _scheduledServices.Add(service);
        }
    }

    private TimeSpan Jitter(int maxMilliseconds) => TimeSpan.FromMilliseconds(_random.Next(0, maxMilliseconds + 1));

    private static DateTimeOffset Truncate(DateTimeOffset value) => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    // ------------------------------------------------------------------ deployments

    /// <summary>Makes a new PRIMARY deployment (§5.1.1): counts zero, IN_PROGRESS; the old PRIMARY becomes ACTIVE.</summary>
    public DeploymentState StartDeployment(ServiceState service, string taskDefinitionArn, string? reason = null)
    {
        var deployment = new DeploymentState
        {
            Id = Arns.NewDeploymentId(),
            TaskDefinitionArn = taskDefinitionArn,
            CreatedAt = Now,
            UpdatedAt = Now,
            LaunchType = service.LaunchType,
            NetworkConfiguration = (JsonObject?)service.NetworkConfiguration?.DeepClone(),
        };
        deployment.RolloutStateReason = reason ?? $"ECS deployment {deployment.Id} in progress.";
        if (service.Deployments.Count > 0)
        {
            service.Primary.Status = "ACTIVE";
        }
        service.Deployments.Insert(0, deployment);
        service.WasSteady = false;
        RequestEvaluation(service, Now + EcsTimings.DeploymentStartDelay);
        return deployment;
    }

    public static int CircuitBreakerThreshold(int desiredCount) =>
        Math.Clamp((desiredCount + 1) / 2, 3, 200);

    private void TripCircuitBreaker(ServiceState service, DeploymentState deployment, bool rollback)
    {
        deployment.RolloutState = "FAILED";
        deployment.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        deployment.UpdatedAt = Now;
        AddEvent(service, $"(service {service.Name}) (deployment {deployment.Id}) deployment failed: tasks failed to start.", Now);
        // A rollback that fails itself is not rolled back again (that would loop); it stays FAILED.
        if (rollback && ReferenceEquals(service.Primary, deployment) && !deployment.IsRollback
            && service.LastCompletedTaskDefinitionArn is not null)
        {
            // The failed deployment stays listed (ACTIVE, FAILED) until its tasks are gone.
            DeploymentState rollbackDeployment = StartDeployment(service, service.LastCompletedTaskDefinitionArn,
                $"ECS deployment circuit breaker: rolling back to deploymentId {service.LastCompletedDeploymentId}.");
            rollbackDeployment.IsRollback = true;
        }
        RequestEvaluation(service, Now);
    }

    // ------------------------------------------------------------------ the service scheduler

    private void Evaluate(ServiceState service)
    {
        service.NextEvaluationAt = null;
        _scheduledServices.Remove(service);
        if (service.Status == "INACTIVE")
        {
            return;
        }
        DeploymentState primary = service.Primary;
        int desired = service.Status == "DRAINING" ? 0 : service.DesiredCount;
        // A FAILED primary (circuit breaker without rollback) launches nothing and leaves the old
        // deployment serving; a deleted service drains regardless.
        bool primaryFailed = primary.RolloutState == "FAILED" && service.Status == "ACTIVE";
        if (!primaryFailed && primary.DesiredCount != desired)
        {
            primary.DesiredCount = desired;
            primary.UpdatedAt = Now;
        }
        int maximumPercent = service.DeploymentConfiguration.MaximumPercent ?? 200;
        int minimumHealthyPercent = service.DeploymentConfiguration.MinimumHealthyPercent ?? 100;
        int maxLive = desired * maximumPercent / 100;                      // rounded down
        int minHealthy = (desired * minimumHealthyPercent + 99) / 100;    // rounded up

        var stopped = new List<TaskState>();
        if (!primaryFailed)
        {
            // Old deployments, failed ones first, then oldest first.
            List<DeploymentState> old = service.Deployments.Skip(1)
                .OrderByDescending(d => d.RolloutState == "FAILED")
                .ThenBy(d => d.CreatedAt)
                .ToList();
            // Tasks that are not healthy yet protect nothing: stop them right away.
            foreach (DeploymentState deployment in old)
            {
                foreach (TaskState task in LiveTasks(service, deployment).Where(t => !t.IsHealthy).ToList())
                {
                    StopByScheduler(task, deployment.Id, stopped);
                }
            }
            int canStop = service.Tasks.Count(t => t.IsHealthy) - minHealthy;
            foreach (DeploymentState deployment in old)
            {
                foreach (TaskState task in LiveTasks(service, deployment).Where(t => t.IsHealthy).ToList())
                {
                    if (canStop <= 0)
                    {
                        break;
                    }
                    StopByScheduler(task, deployment.Id, stopped);
                    canStop--;
                }
            }
            // Scale-in of the primary: pending tasks go first, then the newest running ones.
            List<TaskState> primaryLive = LiveTasks(service, primary).ToList();
            int excess = primaryLive.Count - desired;
            foreach (TaskState task in primaryLive.OrderBy(t => t.IsHealthy).ThenByDescending(t => t.Seq).Take(Math.Max(0, excess)))
            {
                StopByScheduler(task, primary.Id, stopped);
            }
        }

        var started = new List<TaskState>();
        if (!primaryFailed && service.Status == "ACTIVE")
        {
            int need = desired - LiveTasks(service, primary).Count();
            int room = maxLive - service.Tasks.Count(t => t.IsLive);
            int toStart = Math.Min(need, room);
            if (toStart > 0 && primary.NextLaunchAt > Now)
            {
                RequestEvaluation(service, primary.NextLaunchAt.Value);
            }
            else if (toStart > 0)
            {
                TaskDefinitionState definition = TaskDefinitionsByArn[primary.TaskDefinitionArn];
                for (int i = 0; i < toStart; i++)
                {
                    TaskState? task = Place(service, primary, definition, out string? placementProblem);
                    if (task is null)
                    {
                        ReportPlacementFailure(service, placementProblem!);
                        RequestEvaluation(service, Now + EcsTimings.PlacementRetry);
                        break;
                    }
                    started.Add(task);
                }
                if (started.Count == toStart)
                {
                    service.PlacementFailureReportedAt = null;
                }
            }
        }

        if (stopped.Count > 0)
        {
            AddEvent(service, $"(service {service.Name}) has stopped {stopped.Count} running tasks: {TaskList(stopped)}.", Now);
        }
        if (started.Count > 0)
        {
            AddEvent(service, $"(service {service.Name}) has started {started.Count} tasks: {TaskList(started)}.", Now);
        }

        // Old deployments shrink as their tasks stop and disappear (INACTIVE) once none is left.
        foreach (DeploymentState deployment in service.Deployments.Skip(1).ToList())
        {
            int live = LiveTasks(service, deployment).Count();
            if (deployment.DesiredCount != live)
            {
                deployment.DesiredCount = live;
                deployment.UpdatedAt = Now;
            }
            if (!service.Tasks.Any(t => t.StartedBy == deployment.Id && t.Phase != TaskPhase.Stopped))
            {
                service.Deployments.Remove(deployment);
            }
        }

        bool primaryAtDesired = LiveTasks(service, primary).Count() == desired
            && service.Tasks.Count(t => t.StartedBy == primary.Id && t.IsHealthy) == desired;
        DateTimeOffset steadyAt = Now;
        if (primary.RolloutState == "IN_PROGRESS" && service.Deployments.Count == 1 && primaryAtDesired && service.Status == "ACTIVE")
        {
            primary.RolloutState = "COMPLETED";
            primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
            primary.UpdatedAt = Now;
            service.LastCompletedDeploymentId = primary.Id;
            service.LastCompletedTaskDefinitionArn = primary.TaskDefinitionArn;
            AddEvent(service, $"(service {service.Name}) (deployment {primary.Id}) deployment completed.", Now);
            // ECS logs the steady state right after, about a millisecond later.
            steadyAt = Now.AddMilliseconds(1);
        }

        if (service.Status == "DRAINING" && service.Tasks.All(t => t.Phase == TaskPhase.Stopped))
        {
            service.Status = "INACTIVE";
            service.InactiveAt = Now;
            service.WasSteady = false;
            return;
        }

        bool steady = service.Status == "ACTIVE"
            && service.Deployments.Count == 1
            && primary.RolloutState == "COMPLETED"
            && primaryAtDesired
            && !service.Tasks.Any(t => t.Phase == TaskPhase.Stopping);
        if (steady)
        {
            if (!service.WasSteady || service.LastSteadyEventAt is null || Now - service.LastSteadyEventAt >= EcsTimings.SteadyStateRepeat)
            {
                AddEvent(service, $"(service {service.Name}) has reached a steady state.", steadyAt);
                service.LastSteadyEventAt = steadyAt;
            }
            RequestEvaluation(service, service.LastSteadyEventAt!.Value + EcsTimings.SteadyStateRepeat);
        }
        service.WasSteady = steady;
    }

    private static IEnumerable<TaskState> LiveTasks(ServiceState service, DeploymentState deployment) =>
        service.Tasks.Where(t => t.StartedBy == deployment.Id && t.IsLive);

    private static string TaskList(List<TaskState> tasks) =>
        string.Join(" ", tasks.Select(t => $"(task {t.Id})"));

    public void AddEvent(ServiceState service, string message, DateTimeOffset at)
    {
        service.Events.Insert(0, new EcsServiceEvent { Id = Arns.NewUuid(), CreatedAt = at, Message = message });
        if (service.Events.Count > EcsTimings.MaxServiceEvents)
        {
            service.Events.RemoveRange(EcsTimings.MaxServiceEvents, service.Events.Count - EcsTimings.MaxServiceEvents);
        }
    }

    private void ReportPlacementFailure(ServiceState service, string problem)
    {
        if (service.PlacementFailureReportedAt is not null && Now - service.PlacementFailureReportedAt < EcsTimings.PlacementEventInterval)
        {
            return;
        }
        service.PlacementFailureReportedAt = Now;
        AddEvent(service,
            $"(service {service.Name}) was unable to place a task because no container instance met all of its requirements. {problem} " +
            "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", Now);
    }

    // ------------------------------------------------------------------ placement

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
        List<ContainerInstanceState> instances = service.Cluster.ContainerInstances.Values
            .Where(i => i.Status == "ACTIVE" && i.AgentConnected)
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
        List<TaskState> siblings = service.Tasks.Where(t => t.IsLive).ToList();
        ContainerInstanceState chosen = fitting
            .OrderBy(i => siblings.Count(t => t.AvailabilityZone == i.Ec2Instance.AvailabilityZone))
            .ThenBy(i => siblings.Count(t => ReferenceEquals(t.ContainerInstance, i)))
            .ThenByDescending(i => i.RemainingMemory)
            .ThenBy(i => i.Seq)
            .First();
        problem = null;
        return CreateTask(service.Cluster, service, deployment.Id, $"service:{service.Name}", definition, chosen, needs);
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

    /// <summary>Ports the agent reserves on every instance (ECS_RESERVED_PORTS).</summary>
    public static readonly IReadOnlyList<int> ReservedPorts = [22, 2375, 2376, 51678, 51679];

    private TaskState CreateTask(
        ClusterState cluster,
        ServiceState? service,
        string startedBy,
        string group,
        TaskDefinitionState definition,
        ContainerInstanceState instance,
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
            LaunchType = "EC2",
            AvailabilityZone = instance.Ec2Instance.AvailabilityZone,
            Cpu = td.Cpu ?? containerDefinitions.Sum(c => c.Cpu ?? 0).ToString(CultureInfo.InvariantCulture),
            Memory = td.Memory ?? containerDefinitions.Sum(c => c.Memory ?? c.MemoryReservation ?? 0).ToString(CultureInfo.InvariantCulture),
            CreatedAt = Now,
            ConnectivityAt = Now,
            LastStatus = awsvpc ? "PROVISIONING" : "PENDING",
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
                Essential = definitionOfContainer.Essential ?? true,
                Cpu = (definitionOfContainer.Cpu ?? 0).ToString(CultureInfo.InvariantCulture),
                Memory = definitionOfContainer.Memory?.ToString(CultureInfo.InvariantCulture),
                MemoryReservation = definitionOfContainer.MemoryReservation?.ToString(CultureInfo.InvariantCulture),
            };
            if (!awsvpc)
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
        instance.UsedCpu += needs.Cpu;
        instance.UsedMemory += needs.Memory;
        instance.Version++;
        cluster.Tasks[id] = task;
        service?.Tasks.Add(task);
        Schedule(task, Now + (awsvpc ? EcsTimings.EniProvisioning : EcsTimings.AgentPickup) + Jitter(400));
        return task;
    }

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

    // ------------------------------------------------------------------ the container agent

    private void Step(TaskState task)
    {
        switch (task.Phase)
        {
            case TaskPhase.Placed:
                BeginPull(task);
                break;
            case TaskPhase.Pulling:
                task.PullStoppedAt = Now;
                foreach (ContainerState container in task.Containers)
                {
                    task.ContainerInstance?.PulledImages.Add(container.ImageDigest ?? container.Image);
                }
                task.Phase = TaskPhase.Starting;
                Schedule(task, Now + EcsTimings.ContainerStart + Jitter(800));
                break;
            case TaskPhase.PullFailing:
                task.PullStoppedAt = Now;
                foreach (ContainerState container in task.Containers)
                {
                    container.LastStatus = "STOPPED";
                }
                ContainerState failing = task.Containers.FirstOrDefault(c => c.ImageDigest is null) ?? task.Containers[0];
                failing.Reason = task.PullError;
                Finish(task, "TaskFailedToStart", task.PullError!);
                OnTaskFailed(task);
                break;
            case TaskPhase.Starting:
                StartContainers(task);
                break;
            case TaskPhase.Running:
                task.Phase = TaskPhase.Healthy;
                Schedule(task, null);
                OnTaskHealthy(task);
                break;
            case TaskPhase.Crashing:
                foreach (ContainerState container in task.Containers.Where(c => c.LastStatus == "RUNNING"))
                {
                    container.LastStatus = "STOPPED";
                    // The agent stops the other containers once an essential one has exited.
                    container.ExitCode = ReferenceEquals(container, task.CrashingContainer) ? container.RegistryImage!.FailureExitCode : 0;
                }
                task.CrashingContainer!.Reason = task.CrashingContainer.RegistryImage?.FailureReason;
                Finish(task, "EssentialContainerExited", "Essential container in task exited");
                OnTaskFailed(task);
                break;
            case TaskPhase.Stopping:
                foreach (ContainerState container in task.Containers.Where(c => c.LastStatus != "STOPPED"))
                {
                    if (container.LastStatus == "RUNNING")
                    {
                        container.ExitCode = 0;
                    }
                    container.LastStatus = "STOPPED";
                }
                Finish(task, task.StopCode!, task.StoppedReason!);
                if (task.Service is not null)
                {
                    RequestEvaluation(task.Service, Now);
                }
                break;
            default:
                Schedule(task, null);
                break;
        }
    }

    private void BeginPull(TaskState task)
    {
        if (task.LastStatus == "PROVISIONING")
        {
            task.LastStatus = "PENDING";
            task.Version++;
        }
        task.PullStartedAt = Now;
        bool allCached = true;
        foreach (ContainerState container in task.Containers)
        {
            ImageLookup.PullResult pull = ImageLookup.Pull(_world, container.Image);
            if (pull.Error is not null)
            {
                task.PullError ??= pull.Error;
                continue;
            }
            container.ImageDigest = pull.Digest;
            container.RegistryImage = pull.Image;
            container.FailsToStart = pull.Image?.FailsToStart == true;
            allCached &= task.ContainerInstance?.PulledImages.Contains(pull.Digest) == true;
        }
        if (task.PullError is not null)
        {
            task.Phase = TaskPhase.PullFailing;
            Schedule(task, Now + EcsTimings.FailingPull + Jitter(2000));
            return;
        }
        task.Phase = TaskPhase.Pulling;
        Schedule(task, Now + (allCached ? EcsTimings.WarmPull + Jitter(500) : EcsTimings.ColdPull + Jitter(3000)));
    }

    private void StartContainers(TaskState task)
    {
        task.StartedAt = Now;
        task.LastStatus = "RUNNING";
        task.Version++;
        foreach (ContainerState container in task.Containers)
        {
            container.RuntimeId = Arns.NewRuntimeId();
            container.LastStatus = "RUNNING";
            if (container.FailsToStart && !container.Essential)
            {
                // A non-essential container may die without taking the task with it.
                container.LastStatus = "STOPPED";
                container.ExitCode = container.RegistryImage!.FailureExitCode;
                container.Reason = container.RegistryImage?.FailureReason;
            }
        }
        task.CrashingContainer = task.Containers.FirstOrDefault(c => c.FailsToStart && c.Essential);
        Touch(task);
        if (task.CrashingContainer is not null)
        {
            task.Phase = TaskPhase.Crashing;
            Schedule(task, Now + EcsTimings.CrashAfter + Jitter(1000));
        }
        else
        {
            task.Phase = TaskPhase.Running;
            Schedule(task, Now + EcsTimings.HealthyAfter);
        }
    }

    /// <summary>The scheduler decides to stop a task (deployment replacement or scale-in).</summary>
    private void StopByScheduler(TaskState task, string deploymentId, List<TaskState> stopped)
    {
        Stop(task, "ServiceSchedulerInitiated", $"Scaling activity initiated by (deployment {deploymentId})");
        stopped.Add(task);
    }

    /// <summary>Sets the desired status to STOPPED; the agent then stops the containers.</summary>
    public void Stop(TaskState task, string stopCode, string reason)
    {
        if (task.DesiredStatus == "STOPPED")
        {
            return;
        }
        bool wasRunning = task.LastStatus == "RUNNING";
        task.DesiredStatus = "STOPPED";
        task.StopCode = stopCode;
        task.StoppedReason = reason;
        task.StoppingAt = Now;
        task.LastStatus = "STOPPING";
        task.Version++;
        task.Phase = TaskPhase.Stopping;
        Touch(task);
        Schedule(task, Now + (wasRunning ? EcsTimings.StopRunning + Jitter(1500) : EcsTimings.StopPending + Jitter(300)));
    }

    private void Finish(TaskState task, string stopCode, string reason)
    {
        task.DesiredStatus = "STOPPED";
        task.LastStatus = "STOPPED";
        task.StopCode ??= stopCode;
        task.StoppedReason ??= reason;
        task.StoppingAt ??= Now;
        task.ExecutionStoppedAt = Now;
        task.StoppedAt = Now;
        task.Version++;
        task.Phase = TaskPhase.Stopped;
        Schedule(task, null);
        Release(task);
        Touch(task);
    }

    private void Touch(TaskState task)
    {
        DeploymentState? deployment = task.Service?.Deployments.Find(d => d.Id == task.StartedBy);
        if (deployment is not null)
        {
            deployment.UpdatedAt = Now;
        }
    }

    private void OnTaskHealthy(TaskState task)
    {
        ServiceState? service = task.Service;
        if (service is null)
        {
            return;
        }
        DeploymentState? deployment = service.Deployments.Find(d => d.Id == task.StartedBy);
        if (deployment is not null)
        {
            // resetOnHealthyTask: once the deployment runs a healthy task its failure count is 0 and stays out of play.
            deployment.HadHealthyTask = true;
            deployment.FailedTasks = 0;
            deployment.ConsecutiveFailures = 0;
            deployment.NextLaunchAt = null;
        }
        // Tasks started together become healthy within a second or two of each other; looking
        // once they all are gives one "has stopped 2 running tasks" rather than two events of 1.
        DateTimeOffset at = Now;
        foreach (TaskState sibling in service.Tasks)
        {
            if (sibling.StartedBy == task.StartedBy && sibling.Phase == TaskPhase.Running
                && sibling.NextTransitionAt <= Now + EcsTimings.SchedulerTick && sibling.NextTransitionAt > at)
            {
                at = sibling.NextTransitionAt.Value;
            }
        }
        RequestEvaluation(service, at);
    }

    private void OnTaskFailed(TaskState task)
    {
        ServiceState? service = task.Service;
        if (service is null)
        {
            return;
        }
        DeploymentState? deployment = service.Deployments.Find(d => d.Id == task.StartedBy);
        if (deployment is not null)
        {
            deployment.ConsecutiveFailures++;
            deployment.UpdatedAt = Now;
            double factor = Math.Pow(2, Math.Min(deployment.ConsecutiveFailures - 1, 10));
            TimeSpan backoff = TimeSpan.FromTicks((long)Math.Min(EcsTimings.LaunchBackoff.Ticks * factor, EcsTimings.MaxLaunchBackoff.Ticks));
            deployment.NextLaunchAt = Now + backoff;
            if (deployment.RolloutState == "IN_PROGRESS" && !deployment.HadHealthyTask)
            {
                deployment.FailedTasks++;
                EcsDeploymentCircuitBreaker? breaker = service.DeploymentConfiguration.DeploymentCircuitBreaker;
                if (breaker?.Enable == true)
                {
                    if (deployment.FailedTasks >= CircuitBreakerThreshold(deployment.DesiredCount))
                    {
                        TripCircuitBreaker(service, deployment, breaker.Rollback);
                    }
                }
                else if (deployment.FailedTasks >= EcsTimings.UnstableEventAfterFailures && !deployment.UnstableEventSent)
                {
                    deployment.UnstableEventSent = true;
                    AddEvent(service, $"(service {service.Name}) is unable to consistently start tasks successfully.", Now);
                }
            }
        }
        RequestEvaluation(service, Now);
    }

    // ------------------------------------------------------------------ housekeeping

    private void Expire()
    {
        DateTimeOffset stoppedBefore = Now - EcsTimings.StoppedTaskRetention;
        foreach (ClusterState cluster in Clusters.Values)
        {
            List<TaskState>? expired = null;
            foreach (TaskState task in cluster.Tasks.Values)
            {
                if (task.Phase == TaskPhase.Stopped && task.StoppedAt < stoppedBefore)
                {
                    (expired ??= []).Add(task);
                }
            }
            if (expired is not null)
            {
                foreach (TaskState task in expired)
                {
                    cluster.Tasks.Remove(task.Id);
                    task.Service?.Tasks.Remove(task);
                }
            }
            List<ServiceState>? gone = null;
            foreach (ServiceState service in cluster.Services.Values)
            {
                if (service.Status == "INACTIVE" && service.InactiveAt < Now - EcsTimings.InactiveServiceRetention)
                {
                    (gone ??= []).Add(service);
                }
            }
            if (gone is not null)
            {
                foreach (ServiceState service in gone)
                {
                    cluster.Services.Remove(service.Name);
                }
            }
        }
    }

    // ------------------------------------------------------------------ lookups shared by the API

    public TaskDefinitionState? LatestActive(string family) =>
        Families.TryGetValue(family, out List<TaskDefinitionState>? revisions)
            ? revisions.LastOrDefault(r => r.IsActive)
            : null;
}
