using System.Globalization;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// What each deployment strategy does, as docs/design/ecs-service-deployments.md describes it: the
/// lifecycle stages a deployment goes through, the defaults of the linear and canary settings,
/// how production traffic moves, and the checks CreateService and UpdateService make.
/// </summary>
internal static class DeploymentStrategies
{
    public const string Rolling = "ROLLING";
    public const string BlueGreen = "BLUE_GREEN";
    public const string Linear = "LINEAR";
    public const string Canary = "CANARY";

    public static readonly IReadOnlyList<string> All = [Rolling, BlueGreen, Linear, Canary];

    /// <summary>The hook stages of the model; PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage but not a reported lifecycle stage.</summary>
    public static readonly IReadOnlyList<string> HookStages =
    [
        "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
    ];

    /// <summary>The stages of a blue/green, linear or canary deployment, in order (RECONCILE_SERVICE only when a hook runs there).</summary>
    private static readonly string[] TrafficStages =
    [
        "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
    ];

    public const double DefaultLinearStepPercent = 10.0;
    public const int DefaultLinearStepBakeMinutes = 6;
    public const double DefaultCanaryPercent = 5.0;
    public const int DefaultCanaryBakeMinutes = 10;
    public const int DefaultHookTimeoutMinutes = 1440;

    public static bool ShiftsTraffic(string? strategy) => strategy is BlueGreen or Linear or Canary;

    /// <summary>The stages a deployment goes through; a rolling one reports SCALE_UP until it completes.</summary>
    public static IReadOnlyList<string> Stages(EcsDeploymentConfiguration configuration)
    {
        if (!ShiftsTraffic(configuration.Strategy))
        {
            return ["SCALE_UP"];
        }
        bool reconcile = (configuration.LifecycleHooks ?? []).Any(h => (h.LifecycleStages ?? []).Contains("RECONCILE_SERVICE"));
        return reconcile ? ["RECONCILE_SERVICE", .. TrafficStages] : TrafficStages;
    }

    /// <summary>The hooks that run when a deployment enters <paramref name="stage"/>.</summary>
    public static IEnumerable<EcsDeploymentLifecycleHook> HooksAt(EcsDeploymentConfiguration configuration, string stage) =>
        (configuration.LifecycleHooks ?? []).Where(h => (h.LifecycleStages ?? []).Any(s =>
            s == stage || (stage == "PRODUCTION_TRAFFIC_SHIFT" && s == "PRE_PRODUCTION_TRAFFIC_SHIFT")));

    /// <summary>The production traffic on the target after the next step, and how long to wait before the one after (null: none).</summary>
    public static (double Traffic, TimeSpan? Wait) NextShift(EcsDeploymentConfiguration configuration, double current)
    {
        switch (configuration.Strategy)
        {
            case Linear:
            {
                double step = configuration.LinearConfiguration?.StepPercent ?? DefaultLinearStepPercent;
                double next = Math.Min(100, Math.Round(current + step, 1));
                // No step bake time after the last step: the deployment bake time follows.
                return (next, next >= 100 ? null : TimeSpan.FromMinutes(configuration.LinearConfiguration?.StepBakeTimeInMinutes ?? DefaultLinearStepBakeMinutes));
            }
            case Canary when current <= 0:
            {
                double canary = Math.Min(100, configuration.CanaryConfiguration?.CanaryPercent ?? DefaultCanaryPercent);
                return (canary, canary >= 100 ? null : TimeSpan.FromMinutes(configuration.CanaryConfiguration?.CanaryBakeTimeInMinutes ?? DefaultCanaryBakeMinutes));
            }
            default:
                return (100, null);
        }
    }

    /// <summary>The deployment bake time: how long blue and green both run once all production traffic is on green.</summary>
    public static TimeSpan BakeTime(EcsDeploymentConfiguration configuration) =>
        ShiftsTraffic(configuration.Strategy) ? TimeSpan.FromMinutes(configuration.BakeTimeInMinutes ?? 0) : TimeSpan.Zero;

    /// <summary>
    /// Throws InvalidParameterException for a configuration ECS refuses: an unknown strategy, a
    /// value outside its documented range, a hook without what its type needs.
    /// </summary>
    public static void Validate(EcsDeploymentConfiguration configuration)
    {
        if (configuration.Strategy is string strategy && !All.Contains(strategy))
        {
            throw Invalid($"deploymentConfiguration.strategy '{strategy}' is not valid. Valid values: {string.Join(", ", All)}.");
        }
        InRange(configuration.BakeTimeInMinutes, 0, 1440, "bakeTimeInMinutes");
        if (configuration.LinearConfiguration is EcsLinearConfiguration linear)
        {
            InRange(linear.StepPercent, 3.0, 100.0, "linearConfiguration.stepPercent");
            InRange(linear.StepBakeTimeInMinutes, 0, 1440, "linearConfiguration.stepBakeTimeInMinutes");
        }
        if (configuration.CanaryConfiguration is EcsCanaryConfiguration canary)
        {
            InRange(canary.CanaryPercent, 0.1, 100.0, "canaryConfiguration.canaryPercent");
            InRange(canary.CanaryBakeTimeInMinutes, 0, 1440, "canaryConfiguration.canaryBakeTimeInMinutes");
        }
        foreach (EcsDeploymentLifecycleHook hook in configuration.LifecycleHooks ?? [])
        {
            if (hook.TargetType is not ("AWS_LAMBDA" or "PAUSE"))
            {
                throw Invalid($"lifecycleHooks.targetType '{hook.TargetType}' is not valid. Valid values: AWS_LAMBDA, PAUSE.");
            }
            if (hook.TargetType == "AWS_LAMBDA" && string.IsNullOrEmpty(hook.HookTargetArn))
            {
                throw Invalid("A lifecycle hook of type AWS_LAMBDA needs a hookTargetArn.");
            }
            if (hook.LifecycleStages is not { Count: > 0 })
            {
                throw Invalid("A lifecycle hook needs at least one of lifecycleStages.");
            }
            foreach (string stage in hook.LifecycleStages.Where(s => !HookStages.Contains(s)))
            {
                throw Invalid($"lifecycleHooks.lifecycleStages '{stage}' is not valid. Valid values: {string.Join(", ", HookStages)}.");
            }
            InRange(hook.TimeoutConfiguration?.TimeoutInMinutes, 1, 20160, "lifecycleHooks.timeoutConfiguration.timeoutInMinutes");
            if (hook.TimeoutConfiguration?.Action is string action && action is not ("CONTINUE" or "ROLLBACK"))
            {
                throw Invalid($"lifecycleHooks.timeoutConfiguration.action '{action}' is not valid. Valid values: ROLLBACK, CONTINUE.");
            }
        }
    }

    private static void InRange(double? value, double min, double max, string member)
    {
        if (value is double v && (v < min || v > max))
        {
            throw Invalid($"{member} must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, not {v.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    private static SandboxException Invalid(string message) => new("InvalidParameterException", message);
}
