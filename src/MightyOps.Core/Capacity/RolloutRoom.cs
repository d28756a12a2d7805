using System.Text.Json;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>How many tasks a rollout runs beyond the desired count, and why.</summary>
/// <param name="ExtraTasks">Tasks above the desired count while the rollout runs.</param>
/// <param name="Strategy">The deployment strategy it comes from (ROLLING, BLUE_GREEN, ...).</param>
/// <param name="Explanation">In words, for messages: "maximumPercent 200".</param>
public sealed record RolloutNeed(int ExtraTasks, string Strategy, string Explanation);

/// <summary>
/// The room a deployment needs above the desired count, per deployment strategy
/// (docs/design/capacity-and-placement.md, "Room for a rollout"). The one place that knows: the
/// deploy preflight, Get-MightyCapacity's InstancesNeeded and Headroom ask here, so a strategy
/// added to deploys (blue/green, linear, canary) says its need in one switch.
/// </summary>
public static class RolloutRoom
{
    /// <summary>ECS's default maximumPercent for a REPLICA service.</summary>
    public const int DefaultMaximumPercent = 200;

    /// <summary>The room a new deployment of <paramref name="service"/> needs.</summary>
    public static RolloutNeed For(EcsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return For(service.DesiredCount, service.DeploymentConfiguration, service.DeploymentController?.Type, service.SchedulingStrategy);
    }

    /// <summary>
    /// The room a deployment of a service with <paramref name="desired"/> tasks needs:
    /// rolling, floor(desired × maximumPercent / 100) − desired (ECS rounds the task limit down);
    /// blue/green, linear and canary, and the CODE_DEPLOY controller, a full second set; a DAEMON service none.
    /// </summary>
    public static RolloutNeed For(int desired, EcsDeploymentConfiguration? configuration, string? controller, string? schedulingStrategy)
    {
        if (schedulingStrategy == "DAEMON")
        {
            return new RolloutNeed(0, "DAEMON", "a daemon replaces its task on each instance in place");
        }
        string strategy = controller == "CODE_DEPLOY" ? "BLUE_GREEN" : Strategy(configuration);
        switch (strategy)
        {
            case "BLUE_GREEN" or "LINEAR" or "CANARY":
                return new RolloutNeed(Math.Max(0, desired), strategy, $"{strategy} starts a full second set of {desired} tasks");
            default:
                int maximumPercent = configuration?.MaximumPercent ?? DefaultMaximumPercent;
                int extra = Math.Max(0, (int)((long)desired * maximumPercent / 100) - desired);
                return new RolloutNeed(extra, "ROLLING", $"maximumPercent {maximumPercent}");
        }
    }

    private static string Strategy(EcsDeploymentConfiguration? configuration) =>
        configuration?.Other?.TryGetValue("strategy", out JsonElement value) == true && value.ValueKind == JsonValueKind.String
            ? value.GetString()!.ToUpperInvariant()
            : "ROLLING";
}
