using MightyOps.Core.Aws;
using MightyOps.Core.Aws.AutoScaling;
using MightyOps.Core.Aws.Ec2;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>
/// Reads a cluster's capacity with a fixed number of calls, nothing per task or per instance
/// (docs/design/capacity-and-placement.md, "What a read costs"): ListContainerInstances pages,
/// DescribeContainerInstances in batches of 100, one DescribeInstances (batches of 100), ListServices
/// pages (unless the caller listed them), DescribeServices in batches of 10, one
/// DescribeTaskDefinition per distinct revision, DescribeAutoScalingGroups (50 names a call), and
/// DescribeCapacityProviders only when a service uses a capacity provider or a group carries the
/// tag ECS puts on the groups it manages.
/// </summary>
public sealed class CapacityReader
{
    /// <summary>The tag ECS adds to an Auto Scaling group whose capacity provider has managed scaling.</summary>
    public const string ManagedTag = "AmazonECSManaged";

    private const int ParallelRequests = 4;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly TimeProvider _clock;

    public CapacityReader(AwsSession aws, IOperationLog log, TimeProvider? clock = null)
    {
        _aws = aws;
        _log = log;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// Reads instances, groups and services. <paramref name="serviceArns"/>: the cluster's services
    /// when the caller has listed them already, else null (they are listed here).
    /// <paramref name="additional"/>: tasks wanted beyond a service's desired count, by service name.
    /// A service whose placement cannot be evaluated, or EC2 not knowing an instance, goes to
    /// <paramref name="onProblem"/>; anything ECS refuses throws.
    /// </summary>
    public async Task<CapacitySnapshot> ReadAsync(
        string cluster,
        IReadOnlyList<string>? serviceArns,
        IReadOnlyDictionary<string, int>? additional,
        Action<MightyOpsException> onProblem,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onProblem);
        Task<List<EcsContainerInstance>> instances = DescribeInstancesAsync(cluster, cancellationToken);
        Task<List<EcsService>> services = DescribeServicesAsync(cluster, serviceArns, cancellationToken);
        await Task.WhenAll(instances, services).ConfigureAwait(false);

        Task<Dictionary<string, Ec2Instance>> ec2 = Ec2Async(instances.Result, onProblem, cancellationToken);
        Task<Dictionary<string, EcsTaskDefinition>> definitions = DescribeTaskDefinitionsAsync(services.Result.Select(s => s.TaskDefinition).OfType<string>(), cancellationToken);
        await Task.WhenAll(ec2, definitions).ConfigureAwait(false);

        List<CapacityInstance> views = instances.Result.Select(i => CapacityInstance.From(i, Find(ec2.Result, i.Ec2InstanceId))).ToList();
        Dictionary<string, AutoScalingGroup> groups = await GroupsAsync(views, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _clock.GetUtcNow();
        var capacityServices = new List<CapacityService>();
        foreach (EcsService service in services.Result)
        {
            if (service.TaskDefinition is not string arn || !definitions.Result.TryGetValue(arn, out EcsTaskDefinition? definition))
            {
                continue;
            }
            string name = service.ServiceName ?? string.Empty;
            capacityServices.Add(new CapacityService
            {
                Service = service,
                Task = TaskRequirements.Of(definition),
                Placement = TaskPlacement.Of(name, service.PlacementConstraints, service.PlacementStrategy, definition.PlacementConstraints, definition.RequiresAttributes, onProblem),
                Additional = additional?.GetValueOrDefault(name) ?? 0,
                PlacementEvent = PlacementEvents.Current(service, now),
            });
        }
        IReadOnlyList<EcsCapacityProvider> providers = await ProvidersAsync(capacityServices.SelectMany(s => s.CapacityProviders), groups.Values, cancellationToken).ConfigureAwait(false);
        _log.Verbose($"Cluster '{cluster}': {views.Count} container instances in {groups.Count} Auto Scaling groups, {capacityServices.Count} services, {definitions.Result.Count} task definitions.");
        return new CapacitySnapshot
        {
            Cluster = cluster,
            Instances = views,
            Services = capacityServices,
            Groups = groups,
            Providers = providers,
            ReadAt = now,
        };
    }

    /// <summary>
    /// Reads the instances alone, with their groups and the capacity providers named or managing
    /// a group: what a preflight needs to see where extra tasks fit (the tasks themselves it knows).
    /// </summary>
    public async Task<CapacitySnapshot> ReadInstancesAsync(string cluster, IEnumerable<string> providerNames, Action<MightyOpsException> onProblem, CancellationToken cancellationToken)
    {
        List<EcsContainerInstance> described = await DescribeInstancesAsync(cluster, cancellationToken).ConfigureAwait(false);
        Dictionary<string, Ec2Instance> ec2 = await Ec2Async(described, onProblem, cancellationToken).ConfigureAwait(false);
        List<CapacityInstance> views = described.Select(i => CapacityInstance.From(i, Find(ec2, i.Ec2InstanceId))).ToList();
        Dictionary<string, AutoScalingGroup> groups = await GroupsAsync(views, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<EcsCapacityProvider> providers = await ProvidersAsync(providerNames, groups.Values, cancellationToken).ConfigureAwait(false);
        return new CapacitySnapshot { Cluster = cluster, Instances = views, Groups = groups, Providers = providers, ReadAt = _clock.GetUtcNow() };
    }

    private async Task<List<EcsContainerInstance>> DescribeInstancesAsync(string cluster, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        await foreach (string arn in _aws.Ecs.ListContainerInstancesAsync(cluster, null, cancellationToken).ConfigureAwait(false))
        {
            arns.Add(arn);
        }
        if (arns.Count == 0)
        {
            return [];
        }
        DescribeContainerInstancesResponse described = await _aws.Ecs.DescribeContainerInstancesAsync(cluster, arns, cancellationToken).ConfigureAwait(false);
        return described.ContainerInstances ?? [];
    }

    private async Task<List<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string>? serviceArns, CancellationToken cancellationToken)
    {
        List<string> arns;
        if (serviceArns is null)
        {
            arns = [];
            await foreach (string arn in _aws.Ecs.ListServicesAsync(cluster, cancellationToken).ConfigureAwait(false))
            {
                arns.Add(arn);
            }
        }
        else
        {
            arns = [.. serviceArns];
        }
        if (arns.Count == 0)
        {
            return [];
        }
        DescribeServicesResponse described = await _aws.Ecs.DescribeServicesAsync(cluster, arns, cancellationToken).ConfigureAwait(false);
        return (described.Services ?? []).Where(s => s.Status == "ACTIVE").ToList();
    }

    private async Task<Dictionary<string, Ec2Instance>> Ec2Async(List<EcsContainerInstance> instances, Action<MightyOpsException> onProblem, CancellationToken cancellationToken)
    {
        // ECS Anywhere instances (mi-) are not EC2's: asking about one fails the whole call.
        List<string> ids = instances.Select(i => i.Ec2InstanceId).OfType<string>().Where(id => id.StartsWith("i-", StringComparison.Ordinal)).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
        }
        try
        {
            IReadOnlyList<Ec2Instance> described = await _aws.Ec2.DescribeInstancesAsync(ids, cancellationToken).ConfigureAwait(false);
            return described.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        }
        catch (MightyOpsException e) when (e.Is(AwsErrorIds.Ec2InstanceNotFound))
        {
            onProblem(new MightyOpsException(e.Error, e.Kind,
                $"EC2 does not know every instance of the cluster ({e.Message}); their Auto Scaling groups, types and lifecycle are not shown.", e.Target, e));
            return new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
        }
    }

    /// <summary>The task definitions of <paramref name="arns"/>, one DescribeTaskDefinition per distinct ARN, a few at a time.</summary>
    public async Task<Dictionary<string, EcsTaskDefinition>> DescribeTaskDefinitionsAsync(IEnumerable<string> arns, CancellationToken cancellationToken)
    {
        var definitions = new Dictionary<string, EcsTaskDefinition>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            arns.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = cancellationToken },
            async (arn, ct) =>
            {
                DescribeTaskDefinitionResponse response = await _aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: false, ct).ConfigureAwait(false);
                if (response.TaskDefinition is EcsTaskDefinition definition)
                {
                    lock (definitions)
                    {
                        definitions[arn] = definition;
                    }
                }
            }).ConfigureAwait(false);
        return definitions;
    }

    private async Task<Dictionary<string, AutoScalingGroup>> GroupsAsync(List<CapacityInstance> instances, CancellationToken cancellationToken)
    {
        List<string> names = instances.Select(i => i.AutoScalingGroup).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return new Dictionary<string, AutoScalingGroup>(StringComparer.Ordinal);
        }
        IReadOnlyList<AutoScalingGroup> groups = await _aws.AutoScaling.DescribeGroupsAsync(names, cancellationToken).ConfigureAwait(false);
        return groups.Where(g => g.AutoScalingGroupName is not null).ToDictionary(g => g.AutoScalingGroupName!, StringComparer.Ordinal);
    }

    private async Task<IReadOnlyList<EcsCapacityProvider>> ProvidersAsync(IEnumerable<string> named, IEnumerable<AutoScalingGroup> groups, CancellationToken cancellationToken)
    {
        List<string> names = named.Where(n => n is not ("FARGATE" or "FARGATE_SPOT")).Distinct(StringComparer.Ordinal).ToList();
        bool managedGroup = groups.Any(g => g.Tags?.Any(t => t.Key == ManagedTag) == true);
        if (names.Count == 0 && !managedGroup)
        {
            return [];
        }
        // A group ECS manages names no provider; every provider of the account is read then (pages of 10).
        DescribeCapacityProvidersResponse response = await _aws.Ecs.DescribeCapacityProvidersAsync(managedGroup ? null : names, cancellationToken).ConfigureAwait(false);
        return response.CapacityProviders ?? [];
    }

    private static Ec2Instance? Find(Dictionary<string, Ec2Instance> ec2, string? id) =>
        id is not null && ec2.TryGetValue(id, out Ec2Instance? instance) ? instance : null;
}
