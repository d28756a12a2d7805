using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ec2;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Targeting;

namespace MightyOps.Core.Exec;

/// <summary>What to look for: a cluster and either services (every task of each) or task ids.</summary>
/// <param name="Cluster">The cluster's short name or ARN.</param>
/// <param name="Services">Exact service names; null or empty with no task ids means every task of the cluster.</param>
/// <param name="TaskIds">Task ids or ARNs; when given, services only filter the result.</param>
/// <param name="DesiredStatus">RUNNING (the default) or STOPPED.</param>
public sealed record TaskQuery(string Cluster, IReadOnlyList<string>? Services = null, IReadOnlyList<string>? TaskIds = null, string DesiredStatus = "RUNNING")
{
    /// <summary>Also read each task's target health: DescribeServices for the services' target groups, one DescribeTargetHealth per group.</summary>
    public bool IncludeTargetHealth { get; init; }

    /// <summary>The lookup for what <see cref="TaskTargetResolver"/> resolved.</summary>
    public static TaskQuery For(TaskTargets targets, string desiredStatus = "RUNNING") =>
        new(targets.Cluster, targets.Services, targets.TaskIds, desiredStatus);
}

/// <summary>
/// Finds tasks and where they run: the task → container instance → EC2 instance chain that SSH
/// needs. Batched to the minimum (docs/design/exec.md): ListTasks pages per service,
/// DescribeTasks 100 at a time for all of them, DescribeContainerInstances 100 at a time for the
/// distinct instances, and one DescribeInstances for every EC2 instance behind them.
/// </summary>
public sealed class TaskLocator
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public TaskLocator(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// The tasks the query names, sorted by service and start time (oldest first). A service or
    /// task id that is not there is passed to <paramref name="onNotFound"/> (<c>ServiceNotFound</c>,
    /// <c>TaskNotFound</c>) and the rest still come back. A missing cluster throws <c>ClusterNotFound</c>, naming
    /// the clusters there (<see cref="MissingCluster"/>).
    /// </summary>
    public async Task<IReadOnlyList<MightyTask>> GetAsync(TaskQuery query, Action<MightyOpsException> onNotFound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(onNotFound);
        string cluster = EcsArn.LastSegment(query.Cluster);
        List<string> services = (query.Services ?? []).Select(EcsArn.LastSegment).Distinct(StringComparer.Ordinal).ToList();
        List<string> taskIds = (query.TaskIds ?? []).Select(EcsArn.LastSegment).Distinct(StringComparer.Ordinal).ToList();

        List<string> taskArns;
        DescribeTasksResponse described;
        try
        {
            taskArns = taskIds.Count > 0 ? taskIds : await ListAsync(cluster, services, query.DesiredStatus, onNotFound, cancellationToken).ConfigureAwait(false);
            if (taskArns.Count == 0)
            {
                return [];
            }
            // With tags: a one-off task names the service it was started for in one (ServiceOf).
            described = await _aws.Ecs.DescribeTasksAsync(cluster, taskArns, includeTags: true, cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (e.Is(AwsErrorIds.ClusterNotFound))
        {
            throw await MissingCluster.ExplainAsync(_aws, _log, cluster, query.Cluster, named: null, [], e, cancellationToken).ConfigureAwait(false);
        }
        foreach (EcsFailure failure in described.Failures ?? [])
        {
            string id = EcsArn.LastSegment(failure.Arn ?? string.Empty);
            onNotFound(new MightyOpsException(
                ExecErrorIds.TaskNotFound,
                $"Task '{id}' was not found in cluster '{cluster}' ({_aws.Region}); stopped tasks are kept about an hour. Run Get-MightyTask -Cluster {cluster} to see its tasks.",
                id));
        }
        List<EcsTask> tasks = described.Tasks ?? [];
        if (services.Count > 0 && taskIds.Count > 0)
        {
            tasks = tasks.Where(t => services.Contains(ServiceOf(t), StringComparer.Ordinal)).ToList();
        }

        Dictionary<string, EcsContainerInstance> instances = await ContainerInstancesAsync(cluster, tasks, cancellationToken).ConfigureAwait(false);
        Dictionary<string, Ec2Instance> hosts = await Ec2InstancesAsync(instances.Values, cancellationToken).ConfigureAwait(false);
        _log.Verbose($"{tasks.Count} tasks on {instances.Count} container instances ({hosts.Count} EC2 instances) in cluster '{cluster}'.");

        TargetHealthByTask health = query.IncludeTargetHealth ? await TargetHealthAsync(cluster, tasks, instances, cancellationToken).ConfigureAwait(false) : [];
        return tasks
            .Select(t => ToMightyTask(t, cluster, instances, hosts, health.GetValueOrDefault(t.TaskArn ?? string.Empty)))
            .OrderBy(t => t.Service, StringComparer.Ordinal)
            .ThenBy(t => t.StartedAt ?? DateTimeOffset.MaxValue)
            .ThenBy(t => t.TaskId, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<List<string>> ListAsync(string cluster, List<string> services, string desiredStatus, Action<MightyOpsException> onNotFound, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        List<string?> filters = services.Count == 0 ? [null] : [.. services];
        foreach (string? service in filters)
        {
            var filter = new ListTasksRequest { Cluster = cluster, ServiceName = service, DesiredStatus = desiredStatus };
            try
            {
                await foreach (string arn in _aws.Ecs.ListTasksAsync(filter, cancellationToken).ConfigureAwait(false))
                {
                    arns.Add(arn);
                }
            }
            catch (MightyOpsException e) when (e.Is(AwsErrorIds.ServiceNotFound) && service is not null)
            {
                onNotFound(new MightyOpsException(
                    AwsErrorIds.ServiceNotFound,
                    $"Service '{service}' was not found in cluster '{cluster}' ({_aws.Region}). Run Get-MightyService -Cluster {cluster} to see the services there.",
                    service,
                    e));
            }
        }
        return arns;
    }

    private async Task<Dictionary<string, EcsContainerInstance>> ContainerInstancesAsync(string cluster, List<EcsTask> tasks, CancellationToken cancellationToken)
    {
        List<string> arns = tasks.Select(t => t.ContainerInstanceArn).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (arns.Count == 0)
        {
            return new Dictionary<string, EcsContainerInstance>(StringComparer.Ordinal);
        }
        DescribeContainerInstancesResponse response = await _aws.Ecs.DescribeContainerInstancesAsync(cluster, arns, cancellationToken).ConfigureAwait(false);
        foreach (EcsFailure failure in response.Failures ?? [])
        {
            // Deregistered since the task stopped: the task is still worth showing.
            _log.Verbose($"Container instance {failure.Arn} is gone ({TerminalText.Quote(failure.Reason)}).");
        }
        return (response.ContainerInstances ?? [])
            .Where(i => i.ContainerInstanceArn is not null)
            .ToDictionary(i => i.ContainerInstanceArn!, StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, Ec2Instance>> Ec2InstancesAsync(IEnumerable<EcsContainerInstance> instances, CancellationToken cancellationToken)
    {
        List<string> ids = instances.Select(i => Ec2IdOf(i)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return result;
        }
        try
        {
            foreach (Ec2Instance instance in await _aws.Ec2.DescribeInstancesAsync(ids, cancellationToken).ConfigureAwait(false))
            {
                result[instance.InstanceId] = instance;
            }
        }
        catch (MightyOpsException e) when (e.Is(AwsErrorIds.Ec2InstanceNotFound))
        {
            // EC2 refuses the whole call for one unknown id (an instance terminated long ago):
            // the tasks are still listed, without addresses, and the warning says why.
            _log.Warning($"Could not read the EC2 instances behind the tasks: {e.Message}");
        }
        return result;
    }

    // An external (ECS Anywhere) instance reports its SSM managed-instance id (mi-...) as
    // ec2InstanceId; only i-... ids are EC2 instances that DescribeInstances and SSH can reach.
    private static string? Ec2IdOf(EcsContainerInstance? instance) =>
        instance?.Ec2InstanceId is string id && id.StartsWith("i-", StringComparison.Ordinal) ? id : null;

    // A task without a host (Fargate) is reached at its own network interface's address, which
    // ECS reports in the task's ElasticNetworkInterface attachment and on each container.
    private static string? EniAddressOf(EcsTask task) =>
        (task.Attachments ?? [])
            .Where(a => a.Type == "ElasticNetworkInterface")
            .SelectMany(a => a.Details ?? [])
            .FirstOrDefault(d => d.Name == "privateIPv4Address")?.Value
        ?? (task.Containers ?? []).SelectMany(c => c.NetworkInterfaces ?? []).Select(n => n.PrivateIpv4Address).FirstOrDefault(a => !string.IsNullOrEmpty(a));

    /// <summary>
    /// The service a task belongs to, from its group (<c>service:NAME</c>); for a one-off task
    /// MightyOps started, the service it was started for (its <c>mightyops:service</c> tag, read
    /// when the task was described with its tags); else empty.
    /// </summary>
    public static string ServiceOf(EcsTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        const string prefix = "service:";
        return task.Group is string group && group.StartsWith(prefix, StringComparison.Ordinal)
            ? group[prefix.Length..]
            : task.Tags?.FirstOrDefault(t => t.Key == Tasks.TaskRunner.ServiceTag)?.Value ?? string.Empty;
    }

    private sealed class TargetHealthByTask : Dictionary<string, List<MightyTargetHealth>>
    {
        public TargetHealthByTask()
            : base(StringComparer.Ordinal)
        {
        }
    }

    /// <summary>
    /// Each task's target in its service's target groups (docs/design/load-balanced-deploys.md):
    /// an instance target is the task's EC2 instance and a host port of its containers, an IP
    /// target its ENI address and a container port. A read that fails leaves the health out.
    /// </summary>
    private async Task<TargetHealthByTask> TargetHealthAsync(string cluster, List<EcsTask> tasks, Dictionary<string, EcsContainerInstance> instances, CancellationToken cancellationToken)
    {
        var result = new TargetHealthByTask();
        List<string> services = tasks.Select(ServiceOf).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (services.Count == 0)
        {
            return result;
        }
        try
        {
            DescribeServicesResponse described = await _aws.Ecs.DescribeServicesAsync(cluster, services, cancellationToken).ConfigureAwait(false);
            var groupsByService = (described.Services ?? []).ToDictionary(s => s.ServiceName ?? string.Empty, s => Deploy.TargetHealthTracker.TargetGroupArns(s.LoadBalancers), StringComparer.Ordinal);
            var health = new Dictionary<string, IReadOnlyList<Aws.Elbv2.TargetHealthDescription>>(StringComparer.Ordinal);
            foreach (string group in groupsByService.Values.SelectMany(g => g).Distinct(StringComparer.Ordinal))
            {
                health[group] = await _aws.Elbv2.DescribeTargetHealthAsync(group, cancellationToken).ConfigureAwait(false);
            }
            foreach (EcsTask task in tasks)
            {
                string? ec2Id = task.ContainerInstanceArn is string arn ? Ec2IdOf(instances.GetValueOrDefault(arn)) : null;
                string? address = EniAddressOf(task);
                var bindings = (task.Containers ?? []).SelectMany(c => c.NetworkBindings ?? []).ToList();
                foreach (string group in groupsByService.GetValueOrDefault(ServiceOf(task)) ?? [])
                {
                    Aws.Elbv2.TargetHealthDescription? target = health[group].FirstOrDefault(t =>
                        (t.Target?.Id == ec2Id && bindings.Any(b => b.HostPort == t.Target?.Port))
                        || (address is not null && t.Target?.Id == address));
                    if (target?.TargetHealth is { } state)
                    {
                        (result.TryGetValue(task.TaskArn ?? string.Empty, out List<MightyTargetHealth>? list) ? list : result[task.TaskArn ?? string.Empty] = []).Add(new MightyTargetHealth
                        {
                            TargetGroup = Aws.Elbv2.Elbv2Client.ShortName(group),
                            State = state.State ?? string.Empty,
                            Reason = state.Reason ?? string.Empty,
                            Description = state.Description ?? string.Empty,
                        });
                    }
                }
            }
        }
        catch (MightyOpsException e)
        {
            _log.Verbose($"Reading the target health of the tasks in cluster '{cluster}' failed ({e.Message}); TargetHealth is left empty.");
        }
        return result;
    }

    private static MightyTask ToMightyTask(EcsTask task, string cluster, Dictionary<string, EcsContainerInstance> instances, Dictionary<string, Ec2Instance> hosts, List<MightyTargetHealth>? targetHealth)
    {
        EcsContainerInstance? instance = task.ContainerInstanceArn is string arn ? instances.GetValueOrDefault(arn) : null;
        string? ec2Id = Ec2IdOf(instance);
        Ec2Instance? host = ec2Id is null ? null : hosts.GetValueOrDefault(ec2Id);
        return new MightyTask
        {
            Cluster = task.ClusterArn is null ? cluster : EcsArn.LastSegment(task.ClusterArn),
            Service = ServiceOf(task),
            TaskId = EcsArn.LastSegment(task.TaskArn ?? string.Empty),
            TaskArn = task.TaskArn ?? string.Empty,
            TaskDefinitionArn = task.TaskDefinitionArn ?? string.Empty,
            LastStatus = task.LastStatus ?? string.Empty,
            DesiredStatus = task.DesiredStatus ?? string.Empty,
            HealthStatus = task.HealthStatus ?? string.Empty,
            LaunchType = task.LaunchType ?? string.Empty,
            StartedAt = task.StartedAt,
            StoppedAt = task.StoppedAt,
            StoppedReason = task.StoppedReason ?? string.Empty,
            ContainerInstanceId = task.ContainerInstanceArn is null ? string.Empty : EcsArn.LastSegment(task.ContainerInstanceArn),
            Ec2InstanceId = ec2Id ?? string.Empty,
            PrivateIpAddress = host?.PrivateIpAddress ?? (instance is null ? EniAddressOf(task) : null) ?? string.Empty,
            PublicIpAddress = host?.PublicIpAddress ?? string.Empty,
            AvailabilityZone = task.AvailabilityZone ?? host?.AvailabilityZone ?? string.Empty,
            Containers = (task.Containers ?? [])
                .Select(c => new MightyTaskContainer
                {
                    Name = c.Name ?? string.Empty,
                    RuntimeId = c.RuntimeId ?? string.Empty,
                    Image = c.Image ?? string.Empty,
                    LastStatus = c.LastStatus ?? string.Empty,
                    ExitCode = c.ExitCode,
                    Reason = c.Reason ?? string.Empty,
                })
                .ToList(),
            TargetHealth = targetHealth ?? [],
        };
    }
}
