using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

namespace MightyOps.Sandbox.Ecs;

// Clusters and container instances.
public sealed partial class EcsApi
{
    private static readonly Regex ResourceName = new("^[A-Za-z0-9_-]{1,255}$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Creates a cluster (or returns the existing one, as CreateCluster is idempotent). For seeds
    /// and tests; clients use the CreateCluster operation. The caller holds <see cref="SandboxWorld.Sync"/>.
    /// </summary>
    public string CreateCluster(string name)
    {
        _sim.AdvanceTo(_world.Clock.UtcNow);
        return EnsureCluster(name).Arn;
    }

    /// <summary>
    /// Registers an EC2 instance of the world as a container instance of a cluster (what the ECS
    /// agent does when the instance boots) and returns its ARN. The default size is an m5.xlarge
    /// as ECS registers it (4 vCPU = 4096 units, 15 GiB less the agent's reservation).
    /// </summary>
    public string RegisterContainerInstance(string cluster, SandboxInstance instance, int cpu = 4096, int memoryMiB = 15_576)
    {
        _sim.AdvanceTo(_world.Clock.UtcNow);
        return AddContainerInstance(EnsureCluster(cluster), instance, cpu, memoryMiB).Arn;
    }

    /// <summary>
    /// Registers an external (ECS Anywhere) container instance in a cluster, as the agent on an
    /// SSM-managed server does, and returns its ARN. Its <c>ec2InstanceId</c> is the managed
    /// instance id (<c>mi-</c> and 17 hex digits): there is no EC2 instance behind it, so EC2's
    /// DescribeInstances does not know it. Only services of launchType EXTERNAL place tasks on it.
    /// </summary>
    public string RegisterExternalInstance(string cluster, int cpu = 2048, int memoryMiB = 3_800)
    {
        _sim.AdvanceTo(_world.Clock.UtcNow);
        var managed = new SandboxInstance
        {
            InstanceId = "mi-0" + _sim.Arns.Hex(8)[..16],
            InstanceType = string.Empty,
            ImageId = string.Empty,
            LaunchTime = _sim.Now,
        };
        return AddContainerInstance(EnsureCluster(cluster), managed, cpu, memoryMiB).Arn;
    }

    internal ClusterState EnsureCluster(string name)
    {
        if (!ResourceName.IsMatch(name))
        {
            throw new SandboxException("InvalidParameterException",
                "Cluster names must be between 1 and 255 characters long and can contain letters, numbers, underscores and hyphens.");
        }
        if (!_sim.Clusters.TryGetValue(name, out ClusterState? cluster))
        {
            cluster = new ClusterState { Name = name, Arn = _sim.Arns.Cluster(name), Seq = _sim.NextSeq() };
            _sim.Clusters[name] = cluster;
        }
        return cluster;
    }

    internal ContainerInstanceState AddContainerInstance(ClusterState cluster, SandboxInstance instance, int cpu, int memoryMiB)
    {
        // A managed (mi-) instance of ECS Anywhere is not an EC2 instance.
        if (!instance.InstanceId.StartsWith("mi-", StringComparison.Ordinal) && !_world.Instances.ContainsKey(instance.InstanceId))
        {
            _world.Instances[instance.InstanceId] = instance;
        }
        string id = _sim.Arns.NewContainerInstanceId();
        var state = new ContainerInstanceState
        {
            Id = id,
            Arn = _sim.Arns.ContainerInstance(cluster.Name, id),
            Cluster = cluster,
            Ec2Instance = instance,
            Seq = _sim.NextSeq(),
            RegisteredAt = _sim.Now,
            RegisteredCpu = cpu,
            RegisteredMemory = memoryMiB,
        };
        cluster.ContainerInstances[id] = state;
        return state;
    }

    private JsonNode CreateCluster(EcsRequest request)
    {
        string name = request.String("clusterName") ?? "default";
        List<EcsTag> tags = ValidTags(request.As<List<EcsTag>>("tags"));
        // ClusterSetting has the same {name, value} shape as KeyValuePair.
        List<EcsKeyValuePair> settings = request.As<List<EcsKeyValuePair>>("settings") ?? [];
        bool existed = _sim.Clusters.ContainsKey(name);
        ClusterState cluster = EnsureCluster(name);
        if (!existed)
        {
            cluster.Tags.AddRange(tags);
            cluster.ContainerInsights = settings.LastOrDefault(s => s.Name == "containerInsights")?.Value ?? cluster.ContainerInsights;
        }
        return new JsonObject { ["cluster"] = EcsWire.Cluster(cluster, ["SETTINGS", "TAGS"]) };
    }

    private JsonNode ListClusters(EcsRequest request)
    {
        (List<ClusterState> page, string? next) = Paginate(
            _sim.Clusters.Values.OrderBy(c => c.Seq), c => c.Seq, "clusters", request, 100);
        return ListResult("clusterArns", page.Select(c => c.Arn), next);
    }

    private JsonNode DescribeClusters(EcsRequest request)
    {
        HashSet<string> include = Include(request, "ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS");
        List<string> names = request.StringList("clusters") ?? [];
        if (names.Count == 0)
        {
            names.Add("default");
        }
        if (names.Count > 100)
        {
            throw new SandboxException("InvalidParameterException", "clusters can have at most 100 items.");
        }
        return DescribeEach("clusters", names, FindCluster, _sim.Arns.Cluster, cluster => EcsWire.Cluster(cluster, include));
    }

    private JsonNode ListContainerInstances(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string? status = request.String("status");
        RequireEnum(status, "status", "ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED");
        ClusterQuery? filter = null;
        if (request.String("filter") is string expression && !ClusterQuery.TryParse(expression, out filter, out string? problem))
        {
            // The subset of the cluster query language the sandbox evaluates (docs/design/capacity-and-placement.md).
            throw new SandboxException("InvalidParameterException", $"The filter expression '{expression}' is not valid: {problem}.");
        }
        (List<ContainerInstanceState> page, string? next) = Paginate(
            cluster.ContainerInstances.Values
                .Where(i => status is null || i.Status == status)
                .Where(i => filter is null || filter.Matches(new EcsPlacement.QueryTarget(i)))
                .OrderBy(i => i.Seq),
            i => i.Seq, "container-instances/" + cluster.Name, request, 100);
        return ListResult("containerInstanceArns", page.Select(i => i.Arn), next);
    }

    private JsonNode DescribeContainerInstances(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        HashSet<string> include = Include(request, "TAGS", "CONTAINER_INSTANCE_HEALTH");
        List<string> references = request.StringList("containerInstances") ?? [];
        if (references.Count == 0)
        {
            throw new SandboxException("InvalidParameterException", "Container instances cannot be empty.");
        }
        if (references.Count > 100)
        {
            throw new SandboxException("InvalidParameterException", "Container instances cannot be more than 100.");
        }
        return DescribeEach("containerInstances", references, reference => FindContainerInstance(cluster, reference),
            id => _sim.Arns.ContainerInstance(cluster.Name, id), instance => EcsWire.ContainerInstance(instance, include, _sim.Now));
    }

    private JsonNode UpdateContainerInstancesState(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string status = request.String("status")
            ?? throw new SandboxException("InvalidParameterException", "status must be specified.");
        RequireEnum(status, "status", "ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED");
        if (status is not ("ACTIVE" or "DRAINING"))
        {
            throw new SandboxException("InvalidParameterException", $"Container instances can only be set ACTIVE or DRAINING, not {status}.");
        }
        List<string> references = request.StringList("containerInstances") ?? [];
        if (references.Count == 0)
        {
            throw new SandboxException("InvalidParameterException", "Container instances cannot be empty.");
        }
        if (references.Count > 10)
        {
            throw new SandboxException("InvalidParameterException", "Container instances cannot be more than 10.");
        }
        var found = new List<ContainerInstanceState>();
        var failures = new JsonArray();
        foreach (string reference in references)
        {
            if (FindContainerInstance(cluster, reference) is ContainerInstanceState instance)
            {
                found.Add(instance);
            }
            else
            {
                failures.Add(EcsWire.Failure(reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : _sim.Arns.ContainerInstance(cluster.Name, reference)));
            }
        }
        foreach (ContainerInstanceState instance in found)
        {
            _sim.SetStatus(instance, status);
        }
        return new JsonObject
        {
            ["containerInstances"] = new JsonArray(found.Select(i => (JsonNode?)EcsWire.ContainerInstance(i, [], _sim.Now)).ToArray()),
            ["failures"] = failures,
        };
    }

    private JsonNode DescribeCapacityProviders(EcsRequest request)
    {
        HashSet<string> include = Include(request, "TAGS");
        _ = include;
        List<string>? names = request.StringList("capacityProviders");
        if (names is { Count: > 100 })
        {
            throw new SandboxException("InvalidParameterException", "capacityProviders can have at most 100 items.");
        }
        IEnumerable<AutoScaling.SandboxCapacityProvider> all = _world.CapacityProviders.Values.OrderBy(p => p.Name, StringComparer.Ordinal);
        if (names is { Count: > 0 })
        {
            var items = new JsonArray();
            var failures = new JsonArray();
            foreach (string name in names)
            {
                string shortName = name.Contains(":capacity-provider/", StringComparison.Ordinal) ? name[(name.LastIndexOf('/') + 1)..] : name;
                if (_world.CapacityProviders.TryGetValue(shortName, out AutoScaling.SandboxCapacityProvider? provider))
                {
                    items.Add(EcsWire.CapacityProvider(provider, _world));
                }
                else
                {
                    failures.Add(EcsWire.Failure(name.StartsWith("arn:", StringComparison.Ordinal) ? name : $"arn:aws:ecs:{_world.Region}:{_world.AccountId}:capacity-provider/{name}"));
                }
            }
            return new JsonObject { ["capacityProviders"] = items, ["failures"] = failures };
        }
        int pageSize = request.Int("maxResults") ?? 10;
        if (pageSize is < 1 or > 10)
        {
            throw new SandboxException("InvalidParameterException", "maxResults must be between 1 and 10.");
        }
        List<AutoScaling.SandboxCapacityProvider> ordered = all.ToList();
        (List<AutoScaling.SandboxCapacityProvider> page, string? next) = Paginate(ordered, "capacity-providers", request, pageSize);
        var result = new JsonObject
        {
            ["capacityProviders"] = new JsonArray(page.Select(p => (JsonNode?)EcsWire.CapacityProvider(p, _world)).ToArray()),
            ["failures"] = new JsonArray(),
        };
        if (next is not null)
        {
            result["nextToken"] = next;
        }
        return result;
    }

    private static List<EcsTag> ValidTags(List<EcsTag>? tags)
    {
        tags ??= [];
        if (tags.Count > 50)
        {
            throw new SandboxException("InvalidParameterException", "A resource can have at most 50 tags.");
        }
        foreach (EcsTag tag in tags)
        {
            if (string.IsNullOrEmpty(tag.Key) || tag.Key.Length > 128)
            {
                throw new SandboxException("InvalidParameterException", "Tag keys must be between 1 and 128 characters long.");
            }
            if (tag.Value is { Length: > 256 })
            {
                throw new SandboxException("InvalidParameterException", "Tag values can be at most 256 characters long.");
            }
        }
        return tags;
    }
}
