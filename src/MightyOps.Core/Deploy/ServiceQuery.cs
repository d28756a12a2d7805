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
    private const int ParallelRequests = 4;

    // Most clusters to name in a ClusterNotFound message before "and N more".
    private const int ClustersNamed = 20;

    // Keyed by endpoint and ARN: the ARN alone names one revision in AWS, but two local endpoints
    // (sandboxes started one after the other) reuse the same ARNs for different contents.
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
    /// A cluster that does not exist is <c>ClusterNotFound</c>, naming the clusters that do.
    /// </summary>
    public async IAsyncEnumerable<MightyService> GetAsync(
        string cluster,
        IReadOnlyList<string>? patterns,
        bool includeImages,
        Action<MightyOpsException> onNotFound,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<Wildcard> wildcards = (patterns ?? []).Distinct(StringComparer.OrdinalIgnoreCase).Select(p => new Wildcard(p)).ToList();
        IReadOnlyList<string> names;
        try
        {
            names = await _aws.Ecs.ListServiceNamesAsync(cluster, cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (e.ErrorId == "ClusterNotFound")
        {
            throw await ClusterNotFoundAsync(cluster, e, cancellationToken).ConfigureAwait(false);
        }
        _log.Verbose($"Cluster '{cluster}' has {names.Count} services.");

        List<string> selected = names.Where(n => wildcards.Count == 0 || wildcards.Any(w => w.IsMatch(n))).ToList();
        foreach (Wildcard missing in wildcards.Where(w => w.IsLiteral && !names.Any(w.IsMatch)))
        {
            onNotFound(NotFound(cluster, missing.Literal));
        }

        // Describe a few batches at a time, but hand them out in name order.
        List<string[]> batches = selected.Chunk(EcsClient.DescribeServicesBatchSize).ToList();
        var pending = new Queue<Task<DescribeServicesResponse>>();
        int next = 0;
        while (next < batches.Count || pending.Count > 0)
        {
            while (next < batches.Count && pending.Count < ParallelRequests)
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
        string endpoint = _aws.Ecs.Endpoint.Url.ToString();
        string[] arns = services.Select(s => s.TaskDefinition).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        await Parallel.ForEachAsync(
            arns.Where(a => !ImagesByTaskDefinition.ContainsKey(endpoint + a)),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = cancellationToken },
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
                ImagesByTaskDefinition[endpoint + arn] = images.AsReadOnly();
            }).ConfigureAwait(false);
        return arns.ToDictionary(a => a, a => ImagesByTaskDefinition[endpoint + a], StringComparer.Ordinal);
    }

    // ECS only says "Cluster not found."; the clusters that do exist answer the next question
    // (a first Get-MightyService without -Cluster looks for the cluster named 'default').
    private async Task<MightyOpsException> ClusterNotFoundAsync(string cluster, MightyOpsException notFound, CancellationToken cancellationToken)
    {
        string what;
        try
        {
            IReadOnlyList<string> clusters = await _aws.Ecs.ListClusterNamesAsync(cancellationToken).ConfigureAwait(false);
            string more = clusters.Count > ClustersNamed ? $" and {clusters.Count - ClustersNamed} more" : string.Empty;
            what = clusters.Count == 0
                ? "The account has no ECS clusters there: check -Region and the credentials (-ProfileName)."
                : $"Pass -Cluster with one of the clusters there: {string.Join(", ", clusters.Take(ClustersNamed))}{more}.";
        }
        catch (MightyOpsException e)
        {
            _log.Debug($"Could not list the clusters: {e.Message}");
            what = "Check -Cluster and -Region ('aws ecs list-clusters' lists the clusters).";
        }
        return new MightyOpsException(
            "ClusterNotFound",
            MightyErrorKind.NotFound,
            $"Cluster '{cluster}' was not found in {_aws.Region}. {what}",
            cluster,
            notFound)
        { RequestId = notFound.RequestId };
    }

    private MightyOpsException NotFound(string cluster, string service) =>
        new(
            "ServiceNotFound",
            MightyErrorKind.NotFound,
            $"Service '{service}' was not found in cluster '{cluster}' ({_aws.Region}). Run Get-MightyService -Cluster {cluster} to see the services there.",
            service);
}
