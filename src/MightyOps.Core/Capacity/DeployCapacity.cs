using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;

namespace MightyOps.Core.Capacity;

/// <summary>
/// The rollouts a deploy is about to start, as capacity demands: for each service that gets a new
/// deployment, the extra tasks its strategy runs above the desired count (<see cref="RolloutRoom"/>),
/// each the size of the new revision's task (docs/design/capacity-and-placement.md, "The preflight").
/// </summary>
public static class DeployCapacity
{
    /// <summary>The demands of <paramref name="plans"/>: none for a plan that starts no deployment (unchanged, or watching one in progress).</summary>
    public static IReadOnlyList<CapacityDemand> Demands(IEnumerable<ServicePlan> plans, Action<MightyOpsException> onProblem)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var demands = new List<CapacityDemand>();
        foreach (ServicePlan plan in plans)
        {
            if (plan.Described is not EcsService service || (plan.Unchanged && !plan.ForceNewDeployment) || plan.InFlight is not null)
            {
                continue;
            }
            RolloutNeed need = RolloutRoom.For(service);
            if (need.ExtraTasks == 0 && service.DesiredCount <= service.RunningCount + service.PendingCount)
            {
                continue;
            }
            TaskRequirements task = plan.Rendered is RegisterTaskDefinitionRequest rendered ? TaskRequirements.Of(rendered) : TaskRequirements.Of(plan.Live);
            TaskPlacement placement = TaskPlacement.Of(plan.Service, service.PlacementConstraints, service.PlacementStrategy,
                plan.Rendered?.PlacementConstraints ?? plan.Live.PlacementConstraints, plan.Live.RequiresAttributes, onProblem);
            // Tasks the service wants and ECS has not placed yet need room before the rollout's extra ones.
            int unplaced = Math.Max(0, service.DesiredCount - service.RunningCount - service.PendingCount);
            demands.Add(new CapacityDemand(service, task, placement, need.ExtraTasks + unplaced));
        }
        return demands;
    }
}
