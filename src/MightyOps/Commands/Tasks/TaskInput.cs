using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Exec;
using MightyOps.Core.Targeting;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>
/// The tasks piped into Wait-MightyTask and Stop-MightyTask (MightyTaskRun, MightyTask, task
/// ids or ARNs), gathered per record through <see cref="TaskTargetResolver"/> and described
/// together, each keeping the service and container its record named.
/// </summary>
internal sealed class TaskInput(TaskTargetResolver targets)
{
    private readonly Dictionary<string, (string? Service, string? Container)> _labels = new(StringComparer.Ordinal);

    /// <summary>Adds one record; returns its errors.</summary>
    public IReadOnlyList<MightyOpsException> Add(string? cluster, string? service, string? container, IReadOnlyList<string>? taskIds)
    {
        if (taskIds is not { Count: > 0 })
        {
            return [new MightyOpsException(TargetingErrorIds.ServiceNotNamed,
                "Name the tasks with -TaskId (ids or ARNs), or pipe the output of Start-MightyTask or Get-MightyTask.", cluster)];
        }
        foreach (string id in taskIds)
        {
            _labels[EcsArn.LastSegment(id.Trim())] = (string.IsNullOrEmpty(service) ? null : service, string.IsNullOrEmpty(container) ? null : container);
        }
        // The service names a run was started for; it is a label here, not a filter.
        return targets.Add(cluster, null, taskIds);
    }

    /// <summary>Every task named, described as runs (per cluster); unknown ids go to <paramref name="onError"/>.</summary>
    public async Task<IReadOnlyList<MightyTaskRun>> DescribeAsync(TaskRunner runner, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var runs = new List<MightyTaskRun>();
        foreach (TaskTargets group in await targets.ResolveAsync(onError, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                runs.AddRange(await runner.DescribeAsync(group, id => _labels.GetValueOrDefault(id), onError, cancellationToken).ConfigureAwait(false));
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        return runs;
    }
}
