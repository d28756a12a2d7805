using System.Text.Json.Nodes;

namespace MightyOps.Core.Capacity;

/// <summary>A placement strategy step: <c>spread</c>, <c>binpack</c> or <c>random</c>, and its field.</summary>
public sealed record PlacementStrategyStep(string Type, string? Field);

/// <summary>
/// Where a service's tasks may go and how ECS picks among the instances that may take them: its
/// <c>memberOf</c> constraints (the service's and the task definition's), <c>distinctInstance</c>,
/// the attributes the task definition requires, and the placement strategy
/// (docs/design/capacity-and-placement.md, "Where a task may go").
/// </summary>
public sealed class TaskPlacement
{
    /// <summary>ECS's default strategy for a service: spread across Availability Zones.</summary>
    public static readonly IReadOnlyList<PlacementStrategyStep> DefaultStrategy = [new("spread", "attribute:ecs.availability-zone")];

    /// <summary>A task that may go anywhere, spread across Availability Zones (ECS's default for services).</summary>
    public static TaskPlacement Anywhere { get; } = new([], false, [], DefaultStrategy);

    public TaskPlacement(IReadOnlyList<ClusterQuery> memberOf, bool distinctInstance, IReadOnlyList<KeyValuePair<string, string?>> requiredAttributes, IReadOnlyList<PlacementStrategyStep> strategy)
    {
        MemberOf = memberOf;
        DistinctInstance = distinctInstance;
        RequiredAttributes = requiredAttributes;
        Strategy = strategy;
    }

    /// <summary>Every expression an instance must match.</summary>
    public IReadOnlyList<ClusterQuery> MemberOf { get; }

    /// <summary>At most one task of the service on an instance.</summary>
    public bool DistinctInstance { get; }

    /// <summary>Attributes (name, and value when one is required) the instance must have: the task definition's <c>requiresAttributes</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> RequiredAttributes { get; }

    public IReadOnlyList<PlacementStrategyStep> Strategy { get; }

    /// <summary>
    /// Reads the placement of <paramref name="service"/> from the service's constraints and strategy
    /// and its task definition's constraints and required attributes. An expression MightyOps
    /// cannot evaluate goes to <paramref name="onProblem"/> (PlacementExpressionInvalid) and is left out:
    /// ECS accepted it, so the instances it selects are unknown, not none.
    /// </summary>
    public static TaskPlacement Of(
        string service,
        JsonArray? serviceConstraints,
        JsonArray? serviceStrategy,
        JsonArray? definitionConstraints,
        JsonArray? requiresAttributes,
        Action<MightyOpsException>? onProblem)
    {
        var memberOf = new List<ClusterQuery>();
        bool distinct = false;
        foreach (JsonNode? constraint in (serviceConstraints ?? []).Concat(definitionConstraints ?? []))
        {
            string? type = Text(constraint, "type");
            if (type == "distinctInstance")
            {
                distinct = true;
            }
            else if (type == "memberOf" && Text(constraint, "expression") is string expression)
            {
                if (ClusterQuery.TryParse(expression, out ClusterQuery? query, out string? problem))
                {
                    memberOf.Add(query!);
                }
                else
                {
                    onProblem?.Invoke(new MightyOpsException(CapacityErrorIds.PlacementExpressionInvalid,
                        $"Service '{service}' has the placement constraint memberOf '{TerminalText.Quote(expression)}', which MightyOps cannot evaluate ({problem}); its tasks are counted as if it let them go anywhere.",
                        service));
                }
            }
        }
        var required = new List<KeyValuePair<string, string?>>();
        foreach (JsonNode? attribute in requiresAttributes ?? [])
        {
            string? target = Text(attribute, "targetType");
            if (Text(attribute, "name") is string name && (target is null || target == "container-instance"))
            {
                required.Add(new(name, Text(attribute, "value")));
            }
        }
        var strategy = new List<PlacementStrategyStep>();
        foreach (JsonNode? step in serviceStrategy ?? [])
        {
            if (Text(step, "type") is string type)
            {
                strategy.Add(new PlacementStrategyStep(type, Text(step, "field")));
            }
        }
        return new TaskPlacement(memberOf, distinct, required, strategy.Count > 0 ? strategy : DefaultStrategy);
    }

    /// <summary>Why <paramref name="instance"/> may not take this task at all, or null when it may (its free resources aside).</summary>
    public PlacementFailure? Refuses(IClusterQueryTarget instance)
    {
        foreach ((string name, string? value) in RequiredAttributes)
        {
            string? has = instance.Attribute(name);
            if (has is null || (value is not null && has != value))
            {
                return PlacementFailure.Attribute;
            }
        }
        return MemberOf.All(q => q.Matches(instance)) ? null : PlacementFailure.MemberOf;
    }

    private static string? Text(JsonNode? node, string member) =>
        node is JsonObject o && o[member] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
