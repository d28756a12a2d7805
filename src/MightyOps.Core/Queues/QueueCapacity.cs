using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

namespace MightyOps.Core.Queues;

/// <summary>What the capacity check made of a set of queue scale plans.</summary>
/// <param name="Plans">The plans to apply: with -Auto, scale-outs cut to what fits (the rest held back).</param>
/// <param name="Refused">With -Count and CapacityCheck Strict: the changes refused (InsufficientCapacity), not in <paramref name="Plans"/>.</param>
/// <param name="Warnings">With -Count and CapacityCheck Warn: what does not fit, in words.</param>
/// <param name="Notes">Scale-outs a capacity provider with managed scaling serves: ECS adds the instances.</param>
public sealed record QueueCapacityResult(IReadOnlyList<QueueScalePlan> Plans, IReadOnlyList<MightyOpsException> Refused, IReadOnlyList<string> Warnings, IReadOnlyList<string> Notes);

/// <summary>
/// The capacity check of Set-MightyQueueScale (docs/design/queue-scaling.md, "Room for the tasks"):
/// the scale-outs of one cluster placed together on the free capacity, as a deploy's rollout is.
/// -Auto never asks for tasks that would not fit: each plan's count is cut to what fits (the queues
/// waiting longest get a task first in each round) and the rest is held back, with the instances
/// that would place it. A count set by hand is warned about, or refused with CapacityCheck Strict.
/// </summary>
public sealed class QueueCapacity
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public QueueCapacity(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// Checks the scale-outs among <paramref name="plans"/> (all of <paramref name="cluster"/>).
    /// <paramref name="holdBack"/>: -Auto (cut to what fits) rather than a count set by hand.
    /// </summary>
    public async Task<QueueCapacityResult> CheckAsync(string cluster, IReadOnlyList<QueueScalePlan> plans, bool holdBack, CapacityCheck mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plans);
        List<QueueScalePlan> growing = plans.Where(p => p.Queue.Service is not null && p.To > p.From).ToList();
        if (mode == CapacityCheck.Off || growing.Count == 0)
        {
            return new QueueCapacityResult(plans, [], [], []);
        }
        Dictionary<string, EcsTaskDefinition> definitions = await new CapacityReader(_aws, _log)
            .DescribeTaskDefinitionsAsync(growing.Select(p => p.Queue.Service!.TaskDefinition).OfType<string>(), cancellationToken).ConfigureAwait(false);
        var demands = new List<(QueueScalePlan Plan, CapacityDemand Demand)>();
        foreach (QueueScalePlan plan in growing.OrderByDescending(p => p.Queue.Stats.Latency).ThenBy(p => p.Queue.Queue, StringComparer.Ordinal))
        {
            EcsService service = plan.Queue.Service!;
            if (service.TaskDefinition is not string arn || !definitions.TryGetValue(arn, out EcsTaskDefinition? definition))
            {
                continue;
            }
            TaskPlacement placement = TaskPlacement.Of(service.ServiceName ?? string.Empty, service.PlacementConstraints, service.PlacementStrategy,
                definition.PlacementConstraints, definition.RequiresAttributes, e => _log.Warning(e.Message));
            demands.Add((plan, new CapacityDemand(service, TaskRequirements.Of(definition), placement, plan.To - plan.From)));
        }
        CapacityVerdict verdict = await new CapacityPreflight(_aws, _log).CheckAsync(cluster, demands.Select(d => d.Demand).ToList(), e => _log.Warning(e.Message), cancellationToken).ConfigureAwait(false);
        List<string> notes = verdict.Managed.Select(n => CapacityPreflight.Describe(n, CapacityPurpose.ScaleOut)).ToList();
        if (verdict.Fits)
        {
            _log.Verbose($"Cluster '{cluster}' has room for the {demands.Sum(d => d.Demand.ExtraTasks)} new tasks.");
            return new QueueCapacityResult(plans, [], [], notes);
        }
        var adjusted = new Dictionary<QueueScalePlan, QueueScalePlan>();
        var refused = new List<MightyOpsException>();
        var warnings = new List<string>();
        foreach (GroupShortfall shortfall in verdict.Shortfalls)
        {
            string message = CapacityPreflight.Describe(shortfall, CapacityPurpose.ScaleOut);
            if (!holdBack)
            {
                if (mode == CapacityCheck.Strict)
                {
                    foreach (DemandResult result in shortfall.Demands)
                    {
                        QueueScalePlan plan = demands.First(d => ReferenceEquals(d.Demand, result.Demand)).Plan;
                        adjusted[plan] = plan with { To = plan.From };
                        refused.Add(new MightyOpsException(CapacityErrorIds.InsufficientCapacity,
                            $"{message} Nothing was changed for queue '{TerminalText.Quote(plan.Queue.Queue)}' (-CapacityCheck Strict).", plan.Queue.Queue));
                    }
                }
                else
                {
                    warnings.Add(message);
                }
                continue;
            }
            foreach (DemandResult result in shortfall.Demands.Where(r => r.Short > 0))
            {
                QueueScalePlan plan = demands.First(d => ReferenceEquals(d.Demand, result.Demand)).Plan;
                int to = plan.From + result.Fits;
                string place = shortfall.InstancesToAdd is int add
                    ? $"{add} more {shortfall.InstanceType} instance{(add == 1 ? string.Empty : "s")}{(shortfall.Group.Length > 0 ? $" of {shortfall.Group}" : string.Empty)} would place them"
                    : "no room on the instances it may use";
                adjusted[plan] = plan with
                {
                    To = to,
                    Reason = $"{plan.Reason}; {result.Short} held back ({place})",
                    HeldBack = result.Short,
                    InstancesToPlace = shortfall.InstancesToAdd,
                    AutoScalingGroup = shortfall.Group,
                };
                _log.Verbose($"Queue '{TerminalText.Quote(plan.Queue.Queue)}': {result.Short} of {result.Demand.ExtraTasks} new tasks held back, no room for them ({message})");
            }
        }
        List<QueueScalePlan> kept = plans
            .Select(p => adjusted.TryGetValue(p, out QueueScalePlan? changed) ? changed : p)
            .Where(p => !refused.Any(r => Equals(r.Target, p.Queue.Queue)))
            .ToList();
        return new QueueCapacityResult(kept, refused, warnings, notes);
    }
}
