using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Finds services by name or wildcard and describes them: ListServices pages, then DescribeServices
/// in batches of 10 (the API limit), nothing per service. Task definitions are read only when
/// images are asked for, once per distinct revision, and kept for the process (a revision never
/// changes).
/// </summary>
public sealed class ServiceQuery
{
    private const int DescribeBatchSize = 10;
    private const int ParallelBatches = 4;

    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> ImagesByTaskDefinition = new(StringComparer.Ordinal);

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public ServiceQuery(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// The services of <paramref name="cluster"/> whose names match <paramref name="patterns"/>
    /// (all when null or empty), sorted by name, as each batch is described. A literal name that
    /// matches nothing is passed to <paramref name="onNotFound"/> as a <c>ServiceNotFound</c> error.
    /// </summary>
    public async IAsyncEnumerable<MightyService> GetAsync(
        string cluster,
        IReadOnlyList<string>? patterns,
        bool includeImages,
        Action<MightyOpsException> onNotFound,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<Wildcard> wildcards = (patterns ?? []).Select(p => new Wildcard(p)).ToList();
        var names = new List<string>();
        try
        {
            await foreach (string arn in _aws.Ecs.ListServicesAsync(cluster, cancellationToken).ConfigureAwait(false))
            {
                names.Add(EcsArn.LastSegment(arn));
            }
        }
        catch (MightyOpsException e) when (e.ErrorId == "ClusterNotFound")
        {
            throw new MightyOpsException(
                "ClusterNotFound",
                MightyErrorKind.NotFound,
                $"Cluster '{cluster}' was not found in {_aws.Region}. Check -Cluster and -Region (Get-ECSClusterList or 'aws ecs list-clusters' lists the clusters).",
                cluster,
                e);
        }
        _log.Verbose($"Cluster '{cluster}' has {names.Count} services.");

        List<string> selected = wildcards.Count == 0
            ? names
            : names.Where(n => wildcards.Any(w => w.IsMatch(n))).ToList();
        selected.Sort(StringComparer.OrdinalIgnoreCase);

        foreach (Wildcard missing in wildcards.Where(w => w.IsLiteral && !names.Any(w.IsMatch)))
        {
            onNotFound(NotFound(cluster, missing.Literal));
        }

        // Describe up to four batches at a time, but hand them out in name order.
        List<string[]> batches = selected.Chunk(DescribeBatchSize).ToList();
        var pending = new Queue<Task<DescribeServicesResponse>>();
        int next = 0;
        while (next < batches.Count || pending.Count > 0)
        {
            while (next < batches.Count && pending.Count < ParallelBatches)
            {
                pending.Enqueue(_aws.Ecs.DescribeServicesAsync(cluster, batches[next++], cancellationToken));
            }
            DescribeServicesResponse response = await pending.Dequeue().ConfigureAwait(false);
            foreach (EcsFailure failure in response.Failures ?? [])
            {
                // Deleted between ListServices and DescribeServices.
                onNotFound(NotFound(cluster, EcsArn.LastSegment(failure.Arn ?? string.Empty)));
            }
            List<EcsService> services = response.Services ?? [];
            IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> images = includeImages
                ? await ImagesAsync(services, cancellationToken).ConfigureAwait(false)
                : new Dictionary<string, IReadOnlyDictionary<string, string>>();
            foreach (EcsService service in services.OrderBy(s => s.ServiceName, StringComparer.OrdinalIgnoreCase))
            {
                yield return ToMightyService(service, cluster, _aws.Region, images.GetValueOrDefault(service.TaskDefinition ?? string.Empty));
            }
        }
    }

    /// <summary>Maps the wire shape to the output type.</summary>
    public static MightyService ToMightyService(EcsService service, string cluster, string region, IReadOnlyDictionary<string, string>? images)
    {
        EcsServiceEvent? last = service.Events?.OrderByDescending(e => e.CreatedAt).FirstOrDefault();
        string clusterName = service.ClusterArn is null ? cluster : EcsArn.LastSegment(service.ClusterArn);
        return new MightyService
        {
            Cluster = clusterName,
            Service = service.ServiceName ?? string.Empty,
            ServiceArn = service.ServiceArn ?? string.Empty,
            Region = region,
            Status = service.Status ?? string.Empty,
            DesiredCount = service.DesiredCount,
            RunningCount = service.RunningCount,
            PendingCount = service.PendingCount,
            TaskDefinition = service.TaskDefinition ?? string.Empty,
            Images = images,
            LaunchType = service.LaunchType ?? string.Empty,
            CreatedAt = service.CreatedAt,
            Deployments = (service.Deployments ?? [])
                .OrderBy(d => d.Status == "PRIMARY" ? 0 : 1)
                .ThenByDescending(d => d.CreatedAt)
                .Select(d => new MightyDeployment
                {
                    Id = d.Id ?? string.Empty,
                    Status = d.Status ?? string.Empty,
                    TaskDefinition = d.TaskDefinition ?? string.Empty,
                    DesiredCount = d.DesiredCount,
                    PendingCount = d.PendingCount,
                    RunningCount = d.RunningCount,
                    FailedTasks = d.FailedTasks,
                    RolloutState = d.RolloutState ?? string.Empty,
                    RolloutStateReason = d.RolloutStateReason ?? string.Empty,
                    CreatedAt = d.CreatedAt,
                    UpdatedAt = d.UpdatedAt,
                })
                .ToList(),
            LastEvent = last is null
                ? null
                : new MightyServiceEvent
                {
                    Cluster = clusterName,
                    Service = service.ServiceName ?? string.Empty,
                    Id = last.Id ?? string.Empty,
                    CreatedAt = last.CreatedAt ?? default,
                    Message = last.Message ?? string.Empty,
                },
        };
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ImagesAsync(IEnumerable<EcsService> services, CancellationToken cancellationToken)
    {
        string[] arns = services.Select(s => s.TaskDefinition).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        await Parallel.ForEachAsync(
            arns.Where(a => !ImagesByTaskDefinition.ContainsKey(a)),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = cancellationToken },
            async (arn, ct) =>
            {
                DescribeTaskDefinitionResponse response = await _aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: false, ct).ConfigureAwait(false);
                var images = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (EcsContainerDefinition container in response.TaskDefinition?.ContainerDefinitions ?? [])
                {
                    if (container.Name is not null)
                    {
                        images[container.Name] = container.Image ?? string.Empty;
                    }
                }
                ImagesByTaskDefinition[arn] = MightyService.ReadOnly(images);
            }).ConfigureAwait(false);
        return arns.ToDictionary(a => a, a => ImagesByTaskDefinition[a], StringComparer.Ordinal);
    }

    private MightyOpsException NotFound(string cluster, string service) =>
        new(
            "ServiceNotFound",
            MightyErrorKind.NotFound,
            $"Service '{service}' was not found in cluster '{cluster}' ({_aws.Region}). Run Get-MightyService -Cluster {cluster} to see the services there.",
            service);
}
