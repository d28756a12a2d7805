using System.Globalization;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// What a service's deployment configuration means for a deploy: its strategy, how long ECS
/// waits on purpose (bake time, linear and canary steps), how many tasks it needs beyond the
/// desired count (docs/design/ecs-service-deployments.md).
/// </summary>
public static class DeploymentStrategy
{
    public const string Rolling = "ROLLING";
    public const string BlueGreen = "BLUE_GREEN";
    public const string Linear = "LINEAR";
    public const string Canary = "CANARY";

    // ECS's defaults for the linear and canary settings left out.
    private const double DefaultStepPercent = 10.0;
    private const int DefaultStepBakeMinutes = 6;
    private const int DefaultCanaryBakeMinutes = 10;

    /// <summary>The strategy; ROLLING when the configuration names none.</summary>
    public static string Of(EcsDeploymentConfiguration? configuration) => configuration?.Strategy ?? Rolling;

    /// <summary>Blue/green and its linear and canary variants shift traffic between two full sets of tasks.</summary>
    public static bool ShiftsTraffic(string? strategy) => strategy is BlueGreen or Linear or Canary;

    /// <summary>The deployment bake time (blue/green, linear, canary); zero for rolling.</summary>
    public static TimeSpan BakeTime(EcsDeploymentConfiguration? configuration) =>
        ShiftsTraffic(Of(configuration)) ? TimeSpan.FromMinutes(configuration?.BakeTimeInMinutes ?? 0) : TimeSpan.Zero;

    /// <summary>
    /// How long ECS waits on purpose during a deployment: the bake time, and the step bake times
    /// between linear steps (none after the last) or the canary bake time.
    /// </summary>
    public static TimeSpan Waits(EcsDeploymentConfiguration? configuration)
    {
        TimeSpan waits = BakeTime(configuration);
        switch (Of(configuration))
        {
            case Linear:
                double step = configuration?.LinearConfiguration?.StepPercent ?? DefaultStepPercent;
                int steps = (int)Math.Ceiling(100 / Math.Max(step, 0.1) - 1e-9);
                waits += TimeSpan.FromMinutes(Math.Max(steps - 1, 0) * (configuration?.LinearConfiguration?.StepBakeTimeInMinutes ?? DefaultStepBakeMinutes));
                break;
            case Canary:
                waits += TimeSpan.FromMinutes(configuration?.CanaryConfiguration?.CanaryBakeTimeInMinutes ?? DefaultCanaryBakeMinutes);
                break;
        }
        return waits;
    }

    /// <summary>
    /// The tasks a deployment runs beyond <paramref name="desired"/> at its peak: a full second set
    /// for the strategies that shift traffic, up to maximumPercent for rolling.
    /// </summary>
    public static int ExtraTasks(EcsDeploymentConfiguration? configuration, int desired) =>
        ShiftsTraffic(Of(configuration))
            ? desired
            : Math.Max(0, desired * (configuration?.MaximumPercent ?? 200) / 100 - desired);

    /// <summary>The timeout a watch uses when -Timeout was not given: the default plus the deliberate waits.</summary>
    public static TimeSpan EffectiveTimeout(TimeSpan defaultTimeout, EcsDeploymentConfiguration? configuration) => defaultTimeout + Waits(configuration);

    /// <summary>"7 min", "45 s": a duration as the progress line says it.</summary>
    public static string Minutes(TimeSpan time) =>
        time >= TimeSpan.FromMinutes(1)
            ? Math.Ceiling(time.TotalMinutes).ToString("0", CultureInfo.InvariantCulture) + " min"
            : Math.Max(0, Math.Ceiling(time.TotalSeconds)).ToString("0", CultureInfo.InvariantCulture) + " s";
}
