using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// The ECS side of the sandbox: one method per ECS operation over the shared world, with the
/// deployment/task simulation behind it.
/// </summary>
public sealed partial class EcsApi
{
    // Members per operation: the input shapes of the ECS model in botocore 1.43 (a test
    // compares this table with the installed model).
    private static readonly Dictionary<string, Operation> OperationTable = new(StringComparer.Ordinal)
    {
        ["ListClusters"] = new(["nextToken", "maxResults"], (api, r) => api.ListClusters(r)),
        ["CreateCluster"] = new(
            ["clusterName", "tags", "settings", "configuration", "capacityProviders", "defaultCapacityProviderStrategy", "serviceConnectDefaults"],
            (api, r) => api.CreateCluster(r)),
        ["DescribeClusters"] = new(["clusters", "include"], (api, r) => api.DescribeClusters(r)),
        ["ListServices"] = new(["cluster", "nextToken", "maxResults", "launchType", "schedulingStrategy", "resourceManagementType"], (api, r) => api.ListServices(r)),
        ["DescribeServices"] = new(["cluster", "services", "include"], (api, r) => api.DescribeServices(r)),
        ["CreateService"] = new(
            ["cluster", "serviceName", "taskDefinition", "availabilityZoneRebalancing", "loadBalancers", "serviceRegistries",
             "desiredCount", "clientToken", "launchType", "capacityProviderStrategy", "platformVersion", "role",
             "deploymentConfiguration", "placementConstraints", "placementStrategy", "networkConfiguration",
             "healthCheckGracePeriodSeconds", "schedulingStrategy", "deploymentController", "tags", "enableECSManagedTags",
             "propagateTags", "enableExecuteCommand", "serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"],
            (api, r) => api.CreateService(r)),
        ["UpdateService"] = new(
            ["cluster", "service", "desiredCount", "taskDefinition", "capacityProviderStrategy", "deploymentConfiguration",
             "availabilityZoneRebalancing", "networkConfiguration", "placementConstraints", "placementStrategy", "platformVersion",
             "forceNewDeployment", "healthCheckGracePeriodSeconds", "deploymentController", "enableExecuteCommand",
             "enableECSManagedTags", "loadBalancers", "propagateTags", "serviceRegistries", "serviceConnectConfiguration",
             "volumeConfigurations", "vpcLatticeConfigurations"],
            (api, r) => api.UpdateService(r)),
        ["DeleteService"] = new(["cluster", "service", "force"], (api, r) => api.DeleteService(r)),
        ["DescribeTaskDefinition"] = new(["taskDefinition", "include"], (api, r) => api.DescribeTaskDefinition(r)),
        ["RegisterTaskDefinition"] = new(
            ["family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes", "placementConstraints",
             "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode", "proxyConfiguration", "inferenceAccelerators",
             "ephemeralStorage", "runtimePlatform", "enableFaultInjection"],
            (api, r) => api.RegisterTaskDefinition(r)),
        ["DeregisterTaskDefinition"] = new(["taskDefinition"], (api, r) => api.DeregisterTaskDefinition(r)),
        ["ListTaskDefinitions"] = new(["familyPrefix", "status", "sort", "nextToken", "maxResults"], (api, r) => api.ListTaskDefinitions(r)),
        ["ListTaskDefinitionFamilies"] = new(["familyPrefix", "status", "nextToken", "maxResults"], (api, r) => api.ListTaskDefinitionFamilies(r)),
        ["ListTasks"] = new(
            ["cluster", "containerInstance", "family", "nextToken", "maxResults", "startedBy", "serviceName", "desiredStatus",
             "launchType", "daemonName"],
            (api, r) => api.ListTasks(r)),
        ["DescribeTasks"] = new(["cluster", "tasks", "include"], (api, r) => api.DescribeTasks(r)),
        ["StopTask"] = new(["cluster", "task", "reason"], (api, r) => api.StopTask(r)),
        ["RunTask"] = new(
            ["capacityProviderStrategy", "cluster", "count", "enableECSManagedTags", "enableExecuteCommand", "group", "launchType",
             "networkConfiguration", "overrides", "placementConstraints", "placementStrategy", "platformVersion", "propagateTags",
             "referenceId", "startedBy", "tags", "taskDefinition", "clientToken", "volumeConfigurations"],
            (api, r) => api.RunTask(r)),
        ["ListContainerInstances"] = new(["cluster", "filter", "nextToken", "maxResults", "status"], (api, r) => api.ListContainerInstances(r)),
        ["DescribeContainerInstances"] = new(["cluster", "containerInstances", "include"], (api, r) => api.DescribeContainerInstances(r)),
        ["UpdateContainerInstancesState"] = new(["cluster", "containerInstances", "status"], (api, r) => api.UpdateContainerInstancesState(r)),
        ["DescribeCapacityProviders"] = new(["capacityProviders", "cluster", "include", "maxResults", "nextToken"], (api, r) => api.DescribeCapacityProviders(r)),
        ["TagResource"] = new(["resourceArn", "tags"], (api, r) => api.TagResource(r)),
        ["UntagResource"] = new(["resourceArn", "tagKeys"], (api, r) => api.UntagResource(r)),
        ["ListTagsForResource"] = new(["resourceArn"], (api, r) => api.ListTagsForResource(r)),
        ["ListServiceDeployments"] = new(["service", "cluster", "status", "createdAt", "nextToken", "maxResults"], (api, r) => api.ListServiceDeployments(r)),
        ["DescribeServiceDeployments"] = new(["serviceDeploymentArns"], (api, r) => api.DescribeServiceDeployments(r)),
        ["DescribeServiceRevisions"] = new(["serviceRevisionArns"], (api, r) => api.DescribeServiceRevisions(r)),
        ["StopServiceDeployment"] = new(["serviceDeploymentArn", "stopType"], (api, r) => api.StopServiceDeployment(r)),
        ["ContinueServiceDeployment"] = new(["serviceDeploymentArn", "hookId", "action"], (api, r) => api.ContinueServiceDeployment(r)),
    };

    private readonly SandboxWorld _world;
    private readonly EcsSimulation _sim;

    /// <summary>The ECS API over <paramref name="world"/>; every EcsApi of a world shares its ECS state.</summary>
    public EcsApi(SandboxWorld world)
    {
        _world = world;
        // The state lives in the world, so every EcsApi over it (the router's, the seed's, a
        // test's) sees and advances the same ECS.
        _sim = world.Ecs;
    }

    /// <summary>The operations this sandbox implements, with the request members each accepts.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Operations =>
        OperationTable.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Value.Members, StringComparer.Ordinal);

    internal EcsSimulation Simulation => _sim;

    /// <summary>
    /// Runs one ECS operation (the part of X-Amz-Target after the dot) on its JSON body and returns
    /// the JSON response body. Throws <see cref="SandboxException"/> for AWS errors. The caller
    /// holds <see cref="SandboxWorld.Sync"/>.
    /// </summary>
    public JsonNode Invoke(string operation, JsonElement body)
    {
        if (!OperationTable.TryGetValue(operation, out Operation? handler))
        {
            throw new SandboxException("UnknownOperationException", $"The sandbox does not implement ECS {operation}.");
        }
        // Bring the simulation up to now first, so every answer reflects the current simulated time.
        _sim.AdvanceTo(_world.Clock.UtcNow);
        EcsRequest request = EcsRequest.Parse(body, handler.Members);
        EcsInputShapes.RejectUnknownNestedMembers(operation, body);
        return handler.Handler(this, request);
    }

    /// <summary>
    /// Runs an operation at the simulation's current instant without first advancing to the
    /// clock: the seed replays history this way, at simulated times in the past.
    /// </summary>
    internal JsonNode InvokeAtSimulatedNow(string operation, JsonNode body)
    {
        Operation handler = OperationTable[operation];
        using JsonDocument document = JsonDocument.Parse(body.ToJsonString());
        return handler.Handler(this, EcsRequest.Parse(document.RootElement, handler.Members));
    }

    private sealed record Operation(string[] Members, Func<EcsApi, EcsRequest, JsonNode> Handler);

    // ------------------------------------------------------------------ shared resolution

    private ClusterState ResolveCluster(string? reference)
    {
        return FindCluster(reference ?? "default")
            ?? throw new SandboxException("ClusterNotFoundException", "Cluster not found.");
    }

    private ClusterState? FindCluster(string reference)
    {
        string? resource = _sim.Arns.ResourceOf(reference, "cluster", out bool isArn);
        string name = isArn ? resource! : reference;
        return name.Length > 0 && _sim.Clusters.TryGetValue(name, out ClusterState? cluster) ? cluster : null;
    }

    /// <summary>A service by name or ARN (long <c>service/cluster/name</c> or old <c>service/name</c> format).</summary>
    private ServiceState? FindService(ClusterState cluster, string reference)
    {
        string? name = NameInCluster(cluster, reference, "service");
        return name is not null && cluster.Services.TryGetValue(name, out ServiceState? service) ? service : null;
    }

    private TaskState? FindTask(ClusterState cluster, string reference)
    {
        string? id = NameInCluster(cluster, reference, "task");
        return id is not null && cluster.Tasks.TryGetValue(id, out TaskState? task) ? task : null;
    }

    private ContainerInstanceState? FindContainerInstance(ClusterState cluster, string reference)
    {
        string? id = NameInCluster(cluster, reference, "container-instance");
        return id is not null && cluster.ContainerInstances.TryGetValue(id, out ContainerInstanceState? instance) ? instance : null;
    }

    private string? NameInCluster(ClusterState cluster, string reference, string resourceType)
    {
        string? resource = _sim.Arns.ResourceOf(reference, resourceType, out bool isArn);
        if (!isArn)
        {
            return reference;
        }
        int slash = resource!.IndexOf('/');
        if (slash < 0)
        {
            return resource.Length > 0 ? resource : null;
        }
        // An ARN that names another cluster does not find anything in this one.
        return resource[..slash] == cluster.Name ? resource[(slash + 1)..] : null;
    }

    private TaskDefinitionState? FindTaskDefinition(string reference)
    {
        string? resource = _sim.Arns.ResourceOf(reference, "task-definition", out bool isArn);
        string text = isArn ? resource! : reference;
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            // A family alone means its latest ACTIVE revision (an ARN always carries the revision).
            return isArn ? null : _sim.LatestActive(text);
        }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int revision))
        {
            return null;
        }
        return _sim.Families.TryGetValue(text[..colon], out List<TaskDefinitionState>? revisions)
            ? revisions.Find(r => r.Revision == revision)
            : null;
    }

    private static HashSet<string> Include(EcsRequest request, params string[] allowed)
    {
        var include = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in request.StringList("include") ?? [])
        {
            if (!allowed.Contains(value))
            {
                throw new SandboxException("InvalidParameterException",
                    $"include value '{value}' is not valid. Valid values: {string.Join(", ", allowed)}.");
            }
            include.Add(value);
        }
        return include;
    }

    private static void RequireEnum(string? value, string member, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value))
        {
            throw new SandboxException("InvalidParameterException",
                $"{member} '{value}' is not valid. Valid values: {string.Join(", ", allowed)}.");
        }
    }

    // ------------------------------------------------------------------ pagination

    /// <summary>One page of an ordered listing; the token names the last item's sequence number.</summary>
    private static (List<T> Page, string? NextToken) Paginate<T>(
        IEnumerable<T> ordered,
        Func<T, long> position,
        string scope,
        EcsRequest request,
        int defaultPageSize)
    {
        int pageSize = request.Int("maxResults") ?? defaultPageSize;
        if (pageSize < 1 || pageSize > 100)
        {
            throw new SandboxException("InvalidParameterException", "maxResults must be between 1 and 100.");
        }
        long after = 0;
        string? token = request.String("nextToken");
        if (token is not null)
        {
            after = ReadToken(token, scope);
        }
        var page = new List<T>();
        string? next = null;
        foreach (T item in ordered)
        {
            long at = position(item);
            if (at <= after)
            {
                continue;
            }
            if (page.Count == pageSize)
            {
                next = WriteToken(scope, position(page[^1]));
                break;
            }
            page.Add(item);
        }
        return (page, next);
    }

    /// <summary>One page of a listing without sequence numbers of its own: positions are 1-based indexes.</summary>
    private static (List<T> Page, string? NextToken) Paginate<T>(IReadOnlyList<T> ordered, string scope, EcsRequest request, int defaultPageSize)
    {
        (List<int> page, string? next) = Paginate(Enumerable.Range(1, ordered.Count), i => i, scope, request, defaultPageSize);
        return (page.ConvertAll(i => ordered[i - 1]), next);
    }

    private static string WriteToken(string scope, long position) =>
        PageToken.Write(scope, position.ToString(CultureInfo.InvariantCulture));

    private static long ReadToken(string token, string scope) =>
        PageToken.TryRead(token, scope, out string? text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long position)
            ? position
            : throw new SandboxException("InvalidParameterException", "Invalid nextToken.");

    private static JsonObject ListResult(string member, IEnumerable<string> values, string? nextToken)
    {
        var result = new JsonObject { [member] = EcsWire.Strings(values) };
        if (nextToken is not null)
        {
            result["nextToken"] = nextToken;
        }
        return result;
    }

    // ------------------------------------------------------------------ batch describes

    /// <summary>
    /// The batch describes (docs/design/batch-limits.md): each reference found becomes an item, each one not found a
    /// <c>MISSING</c> failure under the ARN it would have, instead of an error for the whole call.
    /// </summary>
    private static JsonObject DescribeEach<T>(
        string member,
        IEnumerable<string> references,
        Func<string, T?> find,
        Func<string, string> arnOfName,
        Func<T, JsonObject> toWire)
        where T : class
    {
        var items = new JsonArray();
        var failures = new JsonArray();
        foreach (string reference in references)
        {
            if (find(reference) is T found)
            {
                items.Add(toWire(found));
            }
            else
            {
                failures.Add(EcsWire.Failure(reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : arnOfName(reference)));
            }
        }
        return new JsonObject { [member] = items, ["failures"] = failures };
    }
}
