using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MightyOps.Core.Aws.Ecs;

/// <summary>A page-following, batch-splitting ECS client over the JSON 1.1 protocol.</summary>
/// <remarks>
/// Limits (docs/design/batch-limits.md): ListServices/ListTasks/ListClusters pages of 100 (ListServices
/// defaults to 10 when maxResults is left out), DescribeServices 10 names per call,
/// DescribeTasks/DescribeContainerInstances/DescribeClusters 100. Batch results are merged,
/// failures included, in input order. An empty input list makes no call (ECS rejects it).
/// </remarks>
public sealed class EcsClient
{
    public const string TargetPrefix = "AmazonEC2ContainerServiceV20141113";
    public const int ListPageSize = 100;
    public const int DescribeServicesBatchSize = 10;
    public const int DescribeBatchSize = 100;
    public const int UpdateContainerInstancesBatchSize = 10;
    public const int CapacityProvidersPageSize = 10;
    public const int LedgerBatchSize = 20;
    public const int LedgerPageSize = 100;

    internal EcsClient(AwsJsonClient json)
    {
        Json = json;
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint => Json.Endpoint;

    internal AwsJsonClient Json { get; }

    /// <summary>Every cluster ARN of the account and region (ListClusters pages of 100).</summary>
    public async IAsyncEnumerable<string> ListClustersAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            ListClustersResponse page = await Json.InvokeAsync<ListClustersRequest, ListClustersResponse>(
                "ListClusters", new ListClustersRequest { MaxResults = ListPageSize, NextToken = token }, null, cancellationToken).ConfigureAwait(false);
            foreach (string arn in page.ClusterArns ?? [])
            {
                yield return arn;
            }
            token = NextToken(token, page.NextToken, "ListClusters");
        }
        while (token is not null);
    }

    /// <summary>DescribeClusters in batches of 100; unknown names come back in Failures (reason MISSING).</summary>
    public async Task<DescribeClustersResponse> DescribeClustersAsync(IEnumerable<string> clusters, IEnumerable<string>? include, CancellationToken cancellationToken)
    {
        var result = new DescribeClustersResponse { Clusters = [], Failures = [] };
        List<string>? fields = NonEmpty(include);
        foreach (string[] batch in Distinct(clusters).Chunk(DescribeBatchSize))
        {
            DescribeClustersResponse page = await Json.InvokeAsync<DescribeClustersRequest, DescribeClustersResponse>(
                "DescribeClusters", new DescribeClustersRequest { Clusters = [.. batch], Include = fields }, batch.Length == 1 ? batch[0] : null, cancellationToken).ConfigureAwait(false);
            result.Clusters.AddRange(page.Clusters ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>Every service ARN in the cluster (ListServices pages of 100).</summary>
    public async IAsyncEnumerable<string> ListServicesAsync(string cluster, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            ListServicesResponse page = await Json.InvokeAsync<ListServicesRequest, ListServicesResponse>(
                "ListServices", new ListServicesRequest { Cluster = cluster, MaxResults = ListPageSize, NextToken = token }, cluster, cancellationToken).ConfigureAwait(false);
            foreach (string arn in page.ServiceArns ?? [])
            {
                yield return arn;
            }
            token = NextToken(token, page.NextToken, "ListServices");
        }
        while (token is not null);
    }

    /// <summary>DescribeServices in batches of 10; unknown names come back in Failures.</summary>
    public Task<DescribeServicesResponse> DescribeServicesAsync(string cluster, IEnumerable<string> services, CancellationToken cancellationToken) =>
        DescribeServicesAsync(cluster, services, includeTags: false, cancellationToken);

    /// <summary>DescribeServices in batches of 10, with the services' tags when <paramref name="includeTags"/>.</summary>
    public async Task<DescribeServicesResponse> DescribeServicesAsync(string cluster, IEnumerable<string> services, bool includeTags, CancellationToken cancellationToken)
    {
        var result = new DescribeServicesResponse { Services = [], Failures = [] };
        foreach (string[] batch in Distinct(services).Chunk(DescribeServicesBatchSize))
        {
            DescribeServicesResponse page = await Json.InvokeAsync<DescribeServicesRequest, DescribeServicesResponse>(
                "DescribeServices",
                new DescribeServicesRequest { Cluster = cluster, Services = [.. batch], Include = includeTags ? ["TAGS"] : null },
                cluster,
                cancellationToken).ConfigureAwait(false);
            result.Services.AddRange(page.Services ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>A task definition by family, family:revision or ARN; tags only when asked (include TAGS).</summary>
    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(string taskDefinition, bool includeTags, CancellationToken cancellationToken) =>
        Json.InvokeAsync<DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse>(
            "DescribeTaskDefinition",
            new DescribeTaskDefinitionRequest { TaskDefinition = taskDefinition, Include = includeTags ? ["TAGS"] : null },
            taskDefinition,
            cancellationToken);

    /// <summary>
    /// Registers a new revision. Empty optional lists are left out (the model wants at least one
    /// tag when tags are sent). Registering twice makes two revisions, so an attempt that leaves
    /// open whether it ran is never sent again (AwsWriteOutcomeUnknown).
    /// </summary>
    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken) =>
        RegisterTaskDefinitionAsync(request, new AwsWriteCheck<RegisterTaskDefinitionResponse>($"new revision of family '{request?.Family}'", find: null), cancellationToken);

    /// <summary>
    /// Registers a new revision; after an attempt that leaves open whether it ran, it is sent
    /// again only once <paramref name="write"/> found no trace of it (docs/design/deploy.md,
    /// "Registering at most once").
    /// </summary>
    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, AwsWriteCheck<RegisterTaskDefinitionResponse> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Tags is { Count: 0 })
        {
            request.Tags = null;
        }
        if (request.RequiresCompatibilities is { Count: 0 })
        {
            request.RequiresCompatibilities = null;
        }
        return Json.InvokeAsync<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse>("RegisterTaskDefinition", request, request.Family, write, cancellationToken);
    }

    /// <summary>The newest <paramref name="count"/> ACTIVE revisions of <paramref name="family"/>, newest first (one ListTaskDefinitions page).</summary>
    public async Task<IReadOnlyList<string>> ListNewestRevisionsAsync(string family, int count, CancellationToken cancellationToken)
    {
        ListTaskDefinitionsResponse page = await Json.InvokeAsync<ListTaskDefinitionsRequest, ListTaskDefinitionsResponse>(
            "ListTaskDefinitions",
            new ListTaskDefinitionsRequest { FamilyPrefix = family, Status = "ACTIVE", Sort = "DESC", MaxResults = Math.Clamp(count, 1, ListPageSize) },
            family,
            cancellationToken).ConfigureAwait(false);
        return page.TaskDefinitionArns ?? [];
    }

    /// <summary>Marks a revision (family:revision or ARN) INACTIVE.</summary>
    public Task<DeregisterTaskDefinitionResponse> DeregisterTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken) =>
        Json.InvokeAsync<DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse>(
            "DeregisterTaskDefinition", new DeregisterTaskDefinitionRequest { TaskDefinition = taskDefinition }, taskDefinition, cancellationToken);

    /// <summary>
    /// UpdateService; <c>forceNewDeployment</c> is sent only when true (a primitive boolean in the
    /// model). Sent again after a failure like a read, unless it forces a new deployment (each one
    /// starts another): use <see cref="StartDeploymentAsync"/> for updates that start deployments.
    /// </summary>
    public Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AwsWriteCheck<UpdateServiceResponse>? write = request.ForceNewDeployment == true
            ? new AwsWriteCheck<UpdateServiceResponse>($"new deployment of service '{request.Service}'", find: null)
            : null;
        return SendUpdateAsync(request, write, cancellationToken);
    }

    /// <summary>
    /// UpdateService that starts a deployment (another task definition, or forceNewDeployment), at
    /// most once: after an attempt that leaves open whether it ran, the service is read again, and
    /// a deployment other than <paramref name="primaryBefore"/> (the PRIMARY deployment before the
    /// call) that runs the requested task definition means it did; only without one is it sent
    /// again (docs/design/deploy.md, "Starting a deployment at most once").
    /// </summary>
    public Task<UpdateServiceResponse> StartDeploymentAsync(UpdateServiceRequest request, string? primaryBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string service = request.Service ?? string.Empty;
        string target = request.TaskDefinition is null ? "its task definition" : MightyServiceDeployment.ShortTaskDefinition(request.TaskDefinition);
        Func<CancellationToken, Task<UpdateServiceResponse?>>? find = primaryBefore is null ? null : async ct =>
        {
            DescribeServicesResponse described = await DescribeServicesAsync(request.Cluster ?? "default", [service], ct).ConfigureAwait(false);
            EcsService? now = described.Services?.FirstOrDefault();
            bool started = now?.Deployments?.Any(d => d.Id != primaryBefore && (request.TaskDefinition is null || SameTaskDefinition(d.TaskDefinition, request.TaskDefinition))) == true;
            return started ? new UpdateServiceResponse { Service = now } : null;
        };
        var write = new AwsWriteCheck<UpdateServiceResponse>(
            $"new deployment of {target} on service '{service}'",
            find,
            $"See what service '{service}' runs with Get-MightyService -Service {service}, and run the command again if it is not {target}.");
        return SendUpdateAsync(request, write, cancellationToken);
    }

    private Task<UpdateServiceResponse> SendUpdateAsync(UpdateServiceRequest request, AwsWriteCheck<UpdateServiceResponse>? write, CancellationToken cancellationToken)
    {
        if (request.ForceNewDeployment == false)
        {
            request.ForceNewDeployment = null;
        }
        return Json.InvokeAsync<UpdateServiceRequest, UpdateServiceResponse>("UpdateService", request, request.Service, write, cancellationToken);
    }

    /// <summary>A deployment's task definition ARN against one asked for as an ARN or <c>family:revision</c>.</summary>
    internal static bool SameTaskDefinition(string? deployed, string asked) =>
        deployed is not null && (deployed == asked || MightyServiceDeployment.ShortTaskDefinition(deployed) == asked);

    /// <summary>Adds or overwrites tags on a cluster, service, task or task definition (by ARN).</summary>
    public Task<TagResourceResponse> TagResourceAsync(string resourceArn, IEnumerable<EcsTag> tags, CancellationToken cancellationToken) =>
        Json.InvokeAsync<TagResourceRequest, TagResourceResponse>(
            "TagResource", new TagResourceRequest { ResourceArn = resourceArn, Tags = [.. tags] }, resourceArn, cancellationToken);

    /// <summary>Every task ARN matching the filter (ListTasks pages of 100); NextToken and MaxResults of the filter are ignored.</summary>
    public async IAsyncEnumerable<string> ListTasksAsync(ListTasksRequest filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string? token = null;
        do
        {
            // A copy of the caller's filter (every member, including ones added to the model later) with our paging.
            ListTasksRequest request = JsonSerializer.Deserialize<ListTasksRequest>(JsonSerializer.SerializeToUtf8Bytes(filter, AwsJson.Options), AwsJson.Options)!;
            request.MaxResults = ListPageSize;
            request.NextToken = token;
            ListTasksResponse page = await Json.InvokeAsync<ListTasksRequest, ListTasksResponse>(
                "ListTasks", request, filter.ServiceName ?? filter.Cluster, cancellationToken).ConfigureAwait(false);
            foreach (string arn in page.TaskArns ?? [])
            {
                yield return arn;
            }
            token = NextToken(token, page.NextToken, "ListTasks");
        }
        while (token is not null);
    }

    /// <summary>DescribeTasks in batches of 100 (ARNs or task ids); unknown tasks come back in Failures.</summary>
    public async Task<DescribeTasksResponse> DescribeTasksAsync(string cluster, IEnumerable<string> tasks, bool includeTags, CancellationToken cancellationToken)
    {
        var result = new DescribeTasksResponse { Tasks = [], Failures = [] };
        foreach (string[] batch in Distinct(tasks).Chunk(DescribeBatchSize))
        {
            DescribeTasksResponse page = await Json.InvokeAsync<DescribeTasksRequest, DescribeTasksResponse>(
                "DescribeTasks",
                new DescribeTasksRequest { Cluster = cluster, Tasks = [.. batch], Include = includeTags ? ["TAGS"] : null },
                cluster,
                cancellationToken).ConfigureAwait(false);
            result.Tasks.AddRange(page.Tasks ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>
    /// RunTask. The request carries a <c>clientToken</c> (a new one when it has none): ECS gives the
    /// tasks of the first call to a call sent again with the same token and request, so an attempt
    /// that leaves open whether it ran is sent again like a read, and never starts a second set of
    /// tasks (docs/design/retries-and-timeouts.md, "Writes that must not happen twice").
    /// </summary>
    public Task<RunTaskResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ClientToken ??= Guid.NewGuid().ToString("n");
        return Json.InvokeAsync<RunTaskRequest, RunTaskResponse>("RunTask", request, request.TaskDefinition, cancellationToken);
    }

    /// <summary>StopTask; sent again after a failure like a read: a stopped task is stopped once more with nothing changed.</summary>
    public Task<StopTaskResponse> StopTaskAsync(string cluster, string task, string? reason, CancellationToken cancellationToken) =>
        Json.InvokeAsync<StopTaskRequest, StopTaskResponse>(
            "StopTask", new StopTaskRequest { Cluster = cluster, Task = task, Reason = reason }, task, cancellationToken);

    /// <summary>DescribeContainerInstances in batches of 100; unknown ones come back in Failures.</summary>
    public async Task<DescribeContainerInstancesResponse> DescribeContainerInstancesAsync(string cluster, IEnumerable<string> containerInstances, CancellationToken cancellationToken)
    {
        var result = new DescribeContainerInstancesResponse { ContainerInstances = [], Failures = [] };
        foreach (string[] batch in Distinct(containerInstances).Chunk(DescribeBatchSize))
        {
            DescribeContainerInstancesResponse page = await Json.InvokeAsync<DescribeContainerInstancesRequest, DescribeContainerInstancesResponse>(
                "DescribeContainerInstances",
                new DescribeContainerInstancesRequest { Cluster = cluster, ContainerInstances = [.. batch] },
                cluster,
                cancellationToken).ConfigureAwait(false);
            result.ContainerInstances.AddRange(page.ContainerInstances ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>Every container instance ARN of the cluster (ListContainerInstances pages of 100), of one status or (null) ACTIVE and DRAINING.</summary>
    public async IAsyncEnumerable<string> ListContainerInstancesAsync(string cluster, string? status, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            ListContainerInstancesResponse page = await Json.InvokeAsync<ListContainerInstancesRequest, ListContainerInstancesResponse>(
                "ListContainerInstances",
                new ListContainerInstancesRequest { Cluster = cluster, Status = status, MaxResults = ListPageSize, NextToken = token },
                cluster,
                cancellationToken).ConfigureAwait(false);
            foreach (string arn in page.ContainerInstanceArns ?? [])
            {
                yield return arn;
            }
            token = NextToken(token, page.NextToken, "ListContainerInstances");
        }
        while (token is not null);
    }

    /// <summary>
    /// Sets container instances ACTIVE or DRAINING, 10 to a call (the model's limit). Absolute, so
    /// an attempt whose answer was lost is sent again as it is: DRAINING twice is DRAINING.
    /// </summary>
    public async Task<UpdateContainerInstancesStateResponse> UpdateContainerInstancesStateAsync(string cluster, IEnumerable<string> containerInstances, string status, CancellationToken cancellationToken)
    {
        var result = new UpdateContainerInstancesStateResponse { ContainerInstances = [], Failures = [] };
        foreach (string[] batch in Distinct(containerInstances).Chunk(UpdateContainerInstancesBatchSize))
        {
            UpdateContainerInstancesStateResponse page = await Json.InvokeAsync<UpdateContainerInstancesStateRequest, UpdateContainerInstancesStateResponse>(
                "UpdateContainerInstancesState",
                new UpdateContainerInstancesStateRequest { Cluster = cluster, ContainerInstances = [.. batch], Status = status },
                cluster,
                cancellationToken).ConfigureAwait(false);
            result.ContainerInstances.AddRange(page.ContainerInstances ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>
    /// The service deployments of <paramref name="service"/> (ListServiceDeployments pages of up to
    /// 100), at most <paramref name="limit"/>, optionally only those in <paramref name="statuses"/>
    /// and created at or after <paramref name="createdAfter"/> (ECS's clock).
    /// </summary>
    public async Task<IReadOnlyList<EcsServiceDeploymentBrief>> ListServiceDeploymentsAsync(
        string cluster, string service, IReadOnlyList<string>? statuses, DateTimeOffset? createdAfter, int limit, CancellationToken cancellationToken)
    {
        var result = new List<EcsServiceDeploymentBrief>();
        string? token = null;
        do
        {
            ListServiceDeploymentsResponse page = await Json.InvokeAsync<ListServiceDeploymentsRequest, ListServiceDeploymentsResponse>(
                "ListServiceDeployments",
                new ListServiceDeploymentsRequest
                {
                    Cluster = cluster,
                    Service = service,
                    Status = statuses is { Count: > 0 } ? [.. statuses] : null,
                    CreatedAt = createdAfter is DateTimeOffset after ? new EcsCreatedAtFilter { After = after } : null,
                    MaxResults = Math.Clamp(limit - result.Count, 1, LedgerPageSize),
                    NextToken = token,
                },
                service,
                cancellationToken).ConfigureAwait(false);
            result.AddRange(page.ServiceDeployments ?? []);
            token = NextToken(token, page.NextToken, "ListServiceDeployments");
        }
        while (token is not null && result.Count < limit);
        return result;
    }

    /// <summary>DescribeServiceDeployments in batches of 20; unknown ARNs come back in Failures.</summary>
    public async Task<DescribeServiceDeploymentsResponse> DescribeServiceDeploymentsAsync(IEnumerable<string> serviceDeployments, CancellationToken cancellationToken)
    {
        var result = new DescribeServiceDeploymentsResponse { ServiceDeployments = [], Failures = [] };
        foreach (string[] batch in Distinct(serviceDeployments).Chunk(LedgerBatchSize))
        {
            DescribeServiceDeploymentsResponse page = await Json.InvokeAsync<DescribeServiceDeploymentsRequest, DescribeServiceDeploymentsResponse>(
                "DescribeServiceDeployments", new DescribeServiceDeploymentsRequest { ServiceDeploymentArns = [.. batch] }, batch.Length == 1 ? batch[0] : null, cancellationToken).ConfigureAwait(false);
            result.ServiceDeployments.AddRange(page.ServiceDeployments ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>DescribeServiceRevisions in batches of 20; unknown ARNs come back in Failures.</summary>
    public async Task<DescribeServiceRevisionsResponse> DescribeServiceRevisionsAsync(IEnumerable<string> serviceRevisions, CancellationToken cancellationToken)
    {
        var result = new DescribeServiceRevisionsResponse { ServiceRevisions = [], Failures = [] };
        foreach (string[] batch in Distinct(serviceRevisions).Chunk(LedgerBatchSize))
        {
            DescribeServiceRevisionsResponse page = await Json.InvokeAsync<DescribeServiceRevisionsRequest, DescribeServiceRevisionsResponse>(
                "DescribeServiceRevisions", new DescribeServiceRevisionsRequest { ServiceRevisionArns = [.. batch] }, batch.Length == 1 ? batch[0] : null, cancellationToken).ConfigureAwait(false);
            result.ServiceRevisions.AddRange(page.ServiceRevisions ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    /// <summary>
    /// StopServiceDeployment: ROLLBACK rolls the deployment back, ABORT stops it where it stands.
    /// After an attempt that leaves open whether it ran, the deployment is described again: a
    /// status that shows the stop (or a final one) means it did (docs/design/ecs-service-deployments.md).
    /// </summary>
    public Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(string serviceDeployment, string stopType, CancellationToken cancellationToken)
    {
        string[] shows = stopType == "ROLLBACK"
            ? ["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "SUCCESSFUL", "STOPPED"]
            : ["STOP_REQUESTED", "STOPPED", "SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];
        var write = new AwsWriteCheck<StopServiceDeploymentResponse>(
            $"a {stopType} stop of service deployment {serviceDeployment}",
            async ct => await StatusOfAsync(serviceDeployment, ct).ConfigureAwait(false) is string status && shows.Contains(status)
                ? new StopServiceDeploymentResponse { ServiceDeploymentArn = serviceDeployment }
                : null);
        return Json.InvokeAsync<StopServiceDeploymentRequest, StopServiceDeploymentResponse>(
            "StopServiceDeployment", new StopServiceDeploymentRequest { ServiceDeploymentArn = serviceDeployment, StopType = stopType }, serviceDeployment, write, cancellationToken);
    }

    /// <summary>
    /// ContinueServiceDeployment: the pause hook <paramref name="hookId"/> lets the deployment go on
    /// (CONTINUE) or rolls it back (ROLLBACK). After an attempt that leaves it open, a hook no longer
    /// awaiting action means it happened.
    /// </summary>
    public Task<ContinueServiceDeploymentResponse> ContinueServiceDeploymentAsync(string serviceDeployment, string hookId, string action, CancellationToken cancellationToken)
    {
        var write = new AwsWriteCheck<ContinueServiceDeploymentResponse>(
            $"the answer {action} to lifecycle hook {hookId}",
            async ct =>
            {
                DescribeServiceDeploymentsResponse now = await DescribeServiceDeploymentsAsync([serviceDeployment], ct).ConfigureAwait(false);
                EcsDeploymentLifecycleHookDetail? hook = now.ServiceDeployments?.FirstOrDefault()?.LifecycleHookDetails?.FirstOrDefault(h => h.HookId == hookId);
                return hook is not null && hook.Status != "AWAITING_ACTION" ? new ContinueServiceDeploymentResponse { ServiceDeploymentArn = serviceDeployment } : null;
            });
        return Json.InvokeAsync<ContinueServiceDeploymentRequest, ContinueServiceDeploymentResponse>(
            "ContinueServiceDeployment", new ContinueServiceDeploymentRequest { ServiceDeploymentArn = serviceDeployment, HookId = hookId, Action = action }, serviceDeployment, write, cancellationToken);
    }

    private async Task<string?> StatusOfAsync(string serviceDeployment, CancellationToken cancellationToken) =>
        (await DescribeServiceDeploymentsAsync([serviceDeployment], cancellationToken).ConfigureAwait(false)).ServiceDeployments?.FirstOrDefault()?.Status;

    /// <summary>
    /// The capacity providers named (100 to a call), or with no names every one of the account
    /// (pages of 10, the most a page holds); unknown names come back in Failures.
    /// </summary>
    public async Task<DescribeCapacityProvidersResponse> DescribeCapacityProvidersAsync(IEnumerable<string>? names, CancellationToken cancellationToken)
    {
        var result = new DescribeCapacityProvidersResponse { CapacityProviders = [], Failures = [] };
        List<string> named = names is null ? [] : Distinct(names);
        if (named.Count > 0)
        {
            foreach (string[] batch in named.Chunk(DescribeBatchSize))
            {
                DescribeCapacityProvidersResponse page = await Json.InvokeAsync<DescribeCapacityProvidersRequest, DescribeCapacityProvidersResponse>(
                    "DescribeCapacityProviders", new DescribeCapacityProvidersRequest { CapacityProviders = [.. batch] }, batch.Length == 1 ? batch[0] : null, cancellationToken).ConfigureAwait(false);
                result.CapacityProviders.AddRange(page.CapacityProviders ?? []);
                result.Failures.AddRange(page.Failures ?? []);
            }
            return result;
        }
        string? token = null;
        do
        {
            DescribeCapacityProvidersResponse page = await Json.InvokeAsync<DescribeCapacityProvidersRequest, DescribeCapacityProvidersResponse>(
                "DescribeCapacityProviders", new DescribeCapacityProvidersRequest { MaxResults = CapacityProvidersPageSize, NextToken = token }, null, cancellationToken).ConfigureAwait(false);
            result.CapacityProviders.AddRange(page.CapacityProviders ?? []);
            result.Failures.AddRange(page.Failures ?? []);
            token = NextToken(token, page.NextToken, "DescribeCapacityProviders");
        }
        while (token is not null);
        return result;
    }

    /// <summary>Cluster short names, sorted without regard to case.</summary>
    public Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) =>
        ShortNamesAsync(ListClustersAsync(cancellationToken));

    /// <summary>Service short names of a cluster, sorted without regard to case.</summary>
    public Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
        ShortNamesAsync(ListServicesAsync(cluster, cancellationToken));

    internal static string? NextToken(string? previous, string? next, string operation)
    {
        if (string.IsNullOrEmpty(next))
        {
            return null;
        }
        if (next == previous)
        {
            // A service that hands back the token it was given would page forever.
            throw new MightyOpsException(AwsErrorIds.AwsResponseInvalid,
                $"{operation} returned the same nextToken twice; stopping instead of looping. Try again; report it if it persists.");
        }
        return next;
    }

    internal static List<string> Distinct(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return values.Where(v => !string.IsNullOrWhiteSpace(v) && seen.Add(v)).ToList();
    }

    private static async Task<IReadOnlyList<string>> ShortNamesAsync(IAsyncEnumerable<string> arns)
    {
        var names = new List<string>();
        await foreach (string arn in arns.ConfigureAwait(false))
        {
            names.Add(EcsArn.LastSegment(arn));
        }
        names.Sort(StringComparer.OrdinalIgnoreCase);
        return names;
    }

    private static List<string>? NonEmpty(IEnumerable<string>? values)
    {
        List<string>? list = values?.Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.Ordinal).ToList();
        return list is { Count: > 0 } ? list : null;
    }
}
