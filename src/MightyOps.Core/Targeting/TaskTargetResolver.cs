using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Targeting;

/// <summary>One cluster's share of a task lookup: exact services, task ids, or the whole cluster.</summary>
/// <param name="Cluster">The cluster's short name.</param>
/// <param name="Services">Exact service names (from <see cref="ServiceTargetResolver"/>); null when the tasks are named by id or the whole cluster is meant.</param>
/// <param name="TaskIds">Task ids, when the input named tasks; the services given with them (if any) only filter.</param>
public sealed record TaskTargets(string Cluster, IReadOnlyList<string>? Services, IReadOnlyList<string>? TaskIds);

/// <summary>
/// The targeting of the task and container cmdlets (docs/design/targeting.md): services go
/// through <see cref="ServiceTargetResolver"/> (exact names, -like wildcards, ARNs honoured whole),
/// task ids and task ARNs are looked up directly, and, in <see cref="TargetingMode.Read"/>, a
/// cluster without services means every task of the cluster (tasks that belong to no service too).
/// </summary>
/// <remarks>
/// Use as <see cref="ServiceTargetResolver"/>: <see cref="Add"/> per pipeline record, then
/// <see cref="ResolveAsync"/> once, then the task lookup (Core/Exec's TaskLocator, through TaskQuery.For) per result.
/// </remarks>
public sealed class TaskTargetResolver
{
    private readonly ServiceTargetResolver _services;
    private readonly TargetingMode _mode;
    private readonly string _defaultCluster;
    private readonly List<string> _wholeClusters = [];
    private readonly List<(string Cluster, List<string> TaskIds, HashSet<string>? Services)> _tasks = [];

    public TaskTargetResolver(AwsSession aws, IOperationLog log, TargetingMode mode, string defaultCluster = "default")
    {
        _services = new ServiceTargetResolver(aws, log, mode, defaultCluster);
        _mode = mode;
        _defaultCluster = defaultCluster;
    }

    /// <summary>
    /// Adds one input record. With <paramref name="taskIds"/> the tasks are named (a task ARN in the
    /// long format names its cluster) and <paramref name="services"/> only filters them; otherwise
    /// the services are resolved by <see cref="ServiceTargetResolver"/>. Returns this record's errors.
    /// </summary>
    public IReadOnlyList<MightyOpsException> Add(string? cluster, IReadOnlyList<string>? services, IReadOnlyList<string>? taskIds)
    {
        List<string> ids = (taskIds ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
        List<string> names = (services ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        string? clusterName = string.IsNullOrWhiteSpace(cluster) ? null : EcsArn.LastSegment(cluster.Trim());
        if (ids.Count > 0)
        {
            foreach (IGrouping<string, string> group in ids.GroupBy(id => EcsArn.TryParse(id, out EcsArn arn) && arn.Cluster is not null ? arn.Cluster : clusterName ?? _defaultCluster))
            {
                int index = _tasks.FindIndex(t => t.Cluster == group.Key);
                if (index < 0)
                {
                    _tasks.Add((group.Key, [], new HashSet<string>(StringComparer.Ordinal)));
                    index = _tasks.Count - 1;
                }
                (string _, List<string> known, HashSet<string>? filter) = _tasks[index];
                known.AddRange(group.Select(EcsArn.LastSegment).Where(id => !known.Contains(id)));
                if (names.Count == 0 || filter is null)
                {
                    // One record without a service filter means every named task of this cluster is wanted.
                    _tasks[index] = (group.Key, known, null);
                }
                else
                {
                    filter.UnionWith(names.Select(EcsArn.LastSegment));
                }
            }
            return [];
        }
        if (names.Count == 0 && _mode == TargetingMode.Read)
        {
            string whole = clusterName ?? _defaultCluster;
            if (!_wholeClusters.Contains(whole))
            {
                _wholeClusters.Add(whole);
            }
            return [];
        }
        return _services.Add(cluster, names);
    }

    /// <summary>
    /// Resolves the services (one ListServices per cluster) and returns what to look up, per
    /// cluster: whole clusters first, then services, then task ids. Failures go to <paramref name="onError"/>.
    /// </summary>
    public async Task<IReadOnlyList<TaskTargets>> ResolveAsync(Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var result = new List<TaskTargets>();
        result.AddRange(_wholeClusters.Select(c => new TaskTargets(c, null, null)));
        await foreach (ClusterTargets group in _services.ResolveAsync(onError, cancellationToken).ConfigureAwait(false))
        {
            // A whole cluster already includes these services' tasks.
            if (!_wholeClusters.Contains(group.Cluster))
            {
                result.Add(new TaskTargets(group.Cluster, group.ServiceNames, null));
            }
        }
        result.AddRange(_tasks.Select(t => new TaskTargets(t.Cluster, t.Services?.ToList(), t.TaskIds)));
        return result;
    }
}
