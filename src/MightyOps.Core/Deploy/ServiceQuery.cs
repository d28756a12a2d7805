using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Targeting;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Finds services (through <see cref="ServiceTargetResolver"/>) and describes them: ListServices pages, then DescribeServices
/// in batches of 10 (the API limit), nothing per service. Task definitions are read only when
/// images are asked for, once per distinct revision, and kept for the process (a revision never
/// changes).
/// </summary>
public sealed class ServiceQuery
{
    private const int ParallelRequests = 4;

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
    /// The services of <paramref name="cluster"/> (a name or cluster ARN) that
    /// <paramref name="patterns"/> name (names, wildcards, service ARNs; all when null or empty),
    /// sorted by name, as each batch is described: <see cref="ServiceTargetResolver"/> in
    /// <see cref="TargetingMode.Read"/>, then <see cref="DescribeAsync"/>. Every failure
    /// (<c>ServiceNotFound</c>, <c>ClusterNotFound</c>, ...) goes to <paramref name="onError"/>.
    /// </summary>
    public async IAsyncEnumerable<MightyService> GetAsync(
        string? cluster,
        IReadOnlyList<string>? patterns,
        bool includeImages,
        Action<MightyOpsException> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var targets = new ServiceTargetResolver(_aws, _log, TargetingMode.Read);
        foreach (MightyOpsException error in targets.Add(cluster, patterns))
        {
            onError(error);
        }
        await foreach (MightyService service in GetAsync(targets, includeImages, onError, cancellationToken).ConfigureAwait(false))
        {
            yield return service;
        }
    }

    /// <summary>
    /// The services <paramref name="targets"/> resolves to, cluster after cluster, each cluster's
    /// sorted by name. Resolution failures go to <paramref name="onError"/> as well.
    /// </summary>
    public async IAsyncEnumerable<MightyService> GetAsync(
        ServiceTargetResolver targets,
        bool includeImages,
        Action<MightyOpsException> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        await foreach (ClusterTargets cluster in targets.ResolveAsync(onError, cancellationToken).ConfigureAwait(false))
        {
            await foreach (MightyService service in DescribeAsync(cluster, includeImages, onError, cancellationToken).ConfigureAwait(false))
            {
                yield return service;
            }
        }
    }

    /// <summary>
    /// Describes resolved services, sorted by name, as each batch is described. A service deleted
    /// since it was listed is passed to <paramref name="onNotFound"/> as <c>ServiceNotFound</c>.
    /// </summary>
    public async IAsyncEnumerable<MightyService> DescribeAsync(
        ClusterTargets targets,
        bool includeImages,
        Action<MightyOpsException> onNotFound,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        string cluster = targets.Cluster;

        // Describe a few batches at a time, but hand them out in name order.
        List<string[]> batches = targets.ServiceNames.Chunk(EcsClient.DescribeServicesBatchSize).ToList();
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
            foreach (EcsService service in services.OrderBy(s => s.ServiceName, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.ServiceName, StringComparer.Ordinal))
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
            DesiredTasks = service.DesiredCount,
            RunningTasks = service.RunningCount,
            PendingTasks = service.PendingCount,
            TaskDefinitionArn = service.TaskDefinition ?? string.Empty,
            Images = images,
            LaunchType = service.LaunchType ?? string.Empty,
            CreatedAt = service.CreatedAt,
            Deployments = (service.Deployments ?? [])
                .OrderBy(d => d.Status == "PRIMARY" ? 0 : 1)
                .ThenByDescending(d => d.CreatedAt)
                .Select(d => new MightyServiceDeployment
                {
                    Id = d.Id ?? string.Empty,
                    Status = d.Status ?? string.Empty,
                    TaskDefinitionArn = d.TaskDefinition ?? string.Empty,
                    DesiredTasks = d.DesiredCount,
                    PendingTasks = d.PendingCount,
                    RunningTasks = d.RunningCount,
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

    private MightyOpsException NotFound(string cluster, string service) =>
        new(
            AwsErrorIds.ServiceNotFound,
            $"Service '{service}' was deleted from cluster '{cluster}' ({_aws.Region}) while it was being read. Run Get-MightyService -Cluster {cluster} to see the services there.",
            service);
}
