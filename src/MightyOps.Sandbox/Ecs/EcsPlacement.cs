using System.Text.Json.Nodes;
using MightyOps.Core;
using MightyOps.Core.Capacity;

namespace MightyOps.Sandbox.Ecs;

/// <summary>What is being placed: one task of a task group, with the constraints and strategy that apply to it.</summary>
/// <param name="Definition">The revision the task runs.</param>
/// <param name="Group">The task group: <c>service:&lt;name&gt;</c> for a service's tasks, <c>family:&lt;family&gt;</c> by default for a standalone task.</param>
/// <param name="Constraints">The service's (or RunTask's) placement constraints; the definition's are added here.</param>
/// <param name="Strategy">The placement strategy; ECS's default for services (spread across zones) when empty.</param>
/// <param name="External">True for the EXTERNAL launch type: only ECS Anywhere instances; else only EC2 ones.</param>
/// <param name="AutoScalingGroups">With a capacity provider strategy: the groups of its providers; null for a launch type.</param>
/// <param name="Needs">What the task reserves when not the definition's own (a one-off task's cpu/memory overrides); null: the definition's.</param>
internal sealed record PlacementRequest(TaskDefinitionState Definition, string Group, JsonArray? Constraints, JsonArray? Strategy, bool External, IReadOnlySet<string>? AutoScalingGroups, TaskRequirements? Needs = null);

/// <summary>The instance chosen for a task, or why none could take it (the service event's words) and the closest instance.</summary>
internal readonly record struct PlacementOutcome(ContainerInstanceState? Instance, string? Problem, PlacementFailure? Failure, ContainerInstanceState? Closest = null);

/// <summary>
/// The sandbox's ECS task placement (docs/design/capacity-and-placement.md, "Where a task may go"):
/// of the cluster's ACTIVE instances with a connected agent, those that have the attributes the
/// task definition requires, are selected by every memberOf constraint, hold no task of the group
/// when distinctInstance applies, and have the CPU, memory and static host ports the task needs;
/// among them the strategy picks (spread by a field, binpack on cpu or memory, random), ties going
/// to the instance with fewest tasks of the group, then the most memory left. When none qualifies,
/// the closest instance (the one that failed latest in that order) is named in ECS's own words.
/// The service scheduler and standalone tasks both place through here.
/// </summary>
internal static class EcsPlacement
{
    public const string NoInstances = "Reason: No Container Instances were found in your cluster.";

    public static PlacementOutcome Choose(ClusterState cluster, PlacementRequest request, IReadOnlyCollection<TaskState> groupTasks, Random random)
    {
        TaskRequirements needs = request.Needs ?? Requirements(request.Definition);
        TaskPlacement placement = TaskPlacement.Of(request.Group, request.Constraints, request.Strategy,
            request.Definition.Definition.PlacementConstraints, request.Definition.Definition.RequiresAttributes, onProblem: null);
        List<ContainerInstanceState> candidates = cluster.ContainerInstances.Values
            .Where(i => i.Status == "ACTIVE" && i.IsExternal == request.External)
            .Where(i => request.AutoScalingGroups is null || (i.Ec2Instance.Tags.TryGetValue("aws:autoscaling:groupName", out string? g) && request.AutoScalingGroups.Contains(g)))
            .OrderBy(i => i.Seq)
            .ToList();
        if (candidates.Count == 0)
        {
            return new PlacementOutcome(null, NoInstances, PlacementFailure.NoInstances);
        }
        HashSet<ContainerInstanceState> occupied = groupTasks.Where(t => t.IsLive).Select(t => t.ContainerInstance).OfType<ContainerInstanceState>().ToHashSet();
        var fitting = new List<ContainerInstanceState>();
        ContainerInstanceState? closest = null;
        PlacementFailure closestFailure = PlacementFailure.NoInstances;
        foreach (ContainerInstanceState instance in candidates)
        {
            PlacementFailure? failure = Check(instance, needs, placement, occupied);
            if (failure is null)
            {
                fitting.Add(instance);
            }
            else if (closest is null || failure > closestFailure || (failure == closestFailure && instance.RemainingMemory > closest.RemainingMemory))
            {
                closest = instance;
                closestFailure = failure.Value;
            }
        }
        if (fitting.Count == 0)
        {
            return new PlacementOutcome(null, $"The closest matching (container-instance {closest!.Id}) {PlacementFailureText.EcsWords(closestFailure)}.", closestFailure, closest);
        }
        IOrderedEnumerable<ContainerInstanceState> ordered = fitting.OrderBy(_ => 0);
        foreach (PlacementStrategyStep step in placement.Strategy)
        {
            ordered = step.Type switch
            {
                "binpack" when step.Field == "cpu" => ordered.ThenBy(i => i.RemainingCpu),
                "binpack" => ordered.ThenBy(i => i.RemainingMemory),
                "random" => ordered.ThenBy(_ => random.Next()),
                _ => ordered.ThenBy(i => SpreadCount(i, step.Field, groupTasks)),
            };
        }
        ContainerInstanceState chosen = ordered
            .ThenBy(i => groupTasks.Count(t => t.IsLive && ReferenceEquals(t.ContainerInstance, i)))
            .ThenByDescending(i => i.RemainingMemory)
            .ThenBy(i => i.Seq)
            .First();
        return new PlacementOutcome(chosen, null, null);
    }

    /// <summary>What a task of <paramref name="definition"/> reserves (docs/design/capacity-and-placement.md, "What a task reserves").</summary>
    public static TaskRequirements Requirements(TaskDefinitionState definition) => TaskRequirements.Of(definition.Definition);

    /// <summary>Why a task of a service may not use a capacity provider strategy's instances, or null: the groups its providers scale.</summary>
    public static HashSet<string>? ProviderGroups(SandboxWorld world, JsonArray? strategy)
    {
        if (strategy is null || strategy.Count == 0)
        {
            return null;
        }
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonNode? item in strategy)
        {
            if (item?["capacityProvider"]?.GetValue<string>() is string name && world.CapacityProviders.TryGetValue(name, out AutoScaling.SandboxCapacityProvider? provider))
            {
                groups.Add(provider.GroupName);
            }
        }
        return groups;
    }

    private static PlacementFailure? Check(ContainerInstanceState instance, TaskRequirements needs, TaskPlacement placement, HashSet<ContainerInstanceState> occupied)
    {
        if (!instance.AgentConnected)
        {
            return PlacementFailure.Agent;
        }
        if (placement.Refuses(new QueryTarget(instance)) is PlacementFailure refused)
        {
            return refused;
        }
        if (placement.DistinctInstance && occupied.Contains(instance))
        {
            return PlacementFailure.DistinctInstance;
        }
        if (needs.Cpu > instance.RemainingCpu)
        {
            return PlacementFailure.Cpu;
        }
        if (needs.Memory > instance.RemainingMemory)
        {
            return PlacementFailure.Memory;
        }
        return needs.StaticPorts.Any(p => instance.StaticPorts.Contains(p) || (p.Protocol == "tcp" && EcsSimulation.ReservedPorts.Contains(p.Port)))
            ? PlacementFailure.Ports
            : null;
    }

    private static int SpreadCount(ContainerInstanceState instance, string? field, IReadOnlyCollection<TaskState> groupTasks)
    {
        if (field is null or "instanceId" or "host")
        {
            return groupTasks.Count(t => t.IsLive && ReferenceEquals(t.ContainerInstance, instance));
        }
        string name = field.StartsWith("attribute:", StringComparison.Ordinal) ? field["attribute:".Length..] : field;
        string? value = new QueryTarget(instance).Attribute(name);
        return groupTasks.Count(t => t.IsLive && t.ContainerInstance is ContainerInstanceState other && new QueryTarget(other).Attribute(name) == value);
    }

    /// <summary>A container instance as the cluster query language sees it.</summary>
    internal sealed class QueryTarget(ContainerInstanceState instance) : IClusterQueryTarget
    {
        public string Ec2InstanceId => instance.Ec2Instance.InstanceId;

        public bool AgentConnected => instance.AgentConnected;

        public string? Attribute(string name)
        {
            foreach (Core.Aws.Ecs.EcsAttribute attribute in instance.Attributes())
            {
                if (attribute.Name == name)
                {
                    return attribute.Value ?? string.Empty;
                }
            }
            return null;
        }
    }
}
