using System.Diagnostics;

namespace MightyOps.Sandbox.Routing;

/// <summary>
/// ECS API throttling as documented (ECS API reference "request-throttling", docs/design/ecs-deployments-and-events.md, "API throttling"):
/// one token bucket per action category, per account and region. A request takes a token or is
/// answered with ThrottlingException "Rate exceeded". Buckets refill in real time: the limit is on
/// how fast a client calls, not on simulated time.
/// </summary>
internal sealed class EcsRateLimiter
{
    private static readonly Dictionary<string, (string Category, double Burst, double PerSecond)> Categories = Build();

    private readonly object _gate = new();
    private readonly Dictionary<string, (double Tokens, long Stamp)> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token for <paramref name="operation"/>; false when its bucket is empty. Unlisted operations are never throttled.</summary>
    public bool TryTake(string operation)
    {
        if (!Categories.TryGetValue(operation, out (string Category, double Burst, double PerSecond) limit))
        {
            return true;
        }
        lock (_gate)
        {
            long now = Stopwatch.GetTimestamp();
            (double tokens, long stamp) = _buckets.TryGetValue(limit.Category, out (double, long) bucket) ? bucket : (limit.Burst, now);
            tokens = Math.Min(limit.Burst, tokens + (Stopwatch.GetElapsedTime(stamp, now).TotalSeconds * limit.PerSecond));
            bool ok = tokens >= 1;
            _buckets[limit.Category] = (ok ? tokens - 1 : tokens, now);
            return ok;
        }
    }

    private static Dictionary<string, (string, double, double)> Build()
    {
        var map = new Dictionary<string, (string, double, double)>(StringComparer.Ordinal);
        void Add(string category, double burst, double perSecond, params string[] operations)
        {
            foreach (string operation in operations)
            {
                map[operation] = (category, burst, perSecond);
            }
        }
        Add("ClusterRead", 50, 20, "DescribeClusters", "ListClusters");
        Add("ServiceRead", 100, 20, "DescribeServices", "ListServices");
        Add("ServiceModify", 50, 5, "CreateService", "DeleteService", "UpdateService");
        Add("ClusterResourceRead", 100, 20, "DescribeContainerInstances", "DescribeTasks", "ListTasks", "ListContainerInstances", "ListAttributes");
        Add("ClusterResourceModify", 100, 40, "RunTask", "StartTask", "StopTask");
        Add("TaskDefinitionRead", 50, 20, "DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies");
        Add("TaskDefinitionModify", 20, 1, "RegisterTaskDefinition", "DeregisterTaskDefinition");
        Add("TagRead", 50, 20, "ListTagsForResource");
        Add("TagModify", 20, 10, "TagResource", "UntagResource");
        return map;
    }
}
