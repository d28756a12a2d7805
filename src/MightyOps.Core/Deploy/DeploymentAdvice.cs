using System.Globalization;

namespace MightyOps.Core.Deploy;

/// <summary>A target group's settings that shape a deploy (DescribeTargetGroups and its attributes).</summary>
public sealed record TargetGroupSettings(
    string Name,
    int? DeregistrationDelaySeconds,
    int? HealthCheckIntervalSeconds,
    int? HealthyThresholdCount,
    int? UnhealthyThresholdCount);

/// <summary>
/// Everything the advice rules look at for one finished deployment: its timeline, the service's
/// deployment settings, its target groups, how long its new tasks' image pulls took, and the
/// longest container <c>stopTimeout</c> of the old task definition.
/// </summary>
public sealed record AdviceInput
{
    public required IReadOnlyList<MightyDeploymentPhase> Timeline { get; init; }

    /// <summary>The deployment's final status (the grace-period rule speaks only of failed ones).</summary>
    public string Status { get; init; } = nameof(MightyDeploymentStatus.Completed);

    public int DesiredCount { get; init; }

    public int? MinimumHealthyPercent { get; init; }

    public int? MaximumPercent { get; init; }

    public int? HealthCheckGracePeriodSeconds { get; init; }

    public IReadOnlyList<TargetGroupSettings> TargetGroups { get; init; } = [];

    /// <summary>Each new task's pull (pullStartedAt to pullStoppedAt).</summary>
    public IReadOnlyList<TimeSpan> Pulls { get; init; } = [];

    /// <summary>The old task definition's longest container stopTimeout in seconds (ECS's default is 30); null when not known.</summary>
    public int? StopTimeoutSeconds { get; init; }
}

/// <summary>
/// When one phase of a deploy took most of its time and a setting explains it: the setting, its
/// value, the value that would have saved time and about how much. Each rule and the ECS/ELB
/// behaviour it rests on is written down in docs/design/load-balanced-deploys.md ("Advice"); a
/// rule without the data it needs says nothing.
/// </summary>
public static class DeploymentAdvice
{
    /// <summary>A deploy shorter than this gets no advice: there is nothing worth saving.</summary>
    public static readonly TimeSpan WorthAdvising = TimeSpan.FromMinutes(2);

    /// <summary>A phase this long (and <see cref="DominantShare"/> of the deploy) is worth a word.</summary>
    public static readonly TimeSpan LongPhase = TimeSpan.FromMinutes(1);

    /// <summary>The share of the deploy a phase must take to dominate it.</summary>
    public const double DominantShare = 0.3;

    /// <summary>A deregistration delay that lets a web server (Puma, Unicorn) finish its requests.</summary>
    public const int SuggestedDeregistrationDelay = 30;

    /// <summary>The suggested health check: every 10 s, healthy after 2 passes.</summary>
    public const int SuggestedInterval = 10;

    public const int SuggestedHealthyThreshold = 2;

    /// <summary>ELB's default deregistration delay.</summary>
    public const int DefaultDeregistrationDelay = 300;

    /// <summary>ECS's default container stopTimeout.</summary>
    public const int DefaultStopTimeout = 30;

    public static IReadOnlyList<string> Advise(AdviceInput input)
    {
        var advice = new List<string>();
        if (input.Timeline.Count == 0)
        {
            return advice;
        }
        TimeSpan total = input.Timeline.Max(p => p.End) - input.Timeline.Min(p => p.Start);
        if (total < WorthAdvising)
        {
            return advice;
        }
        Draining(input, total, advice);
        HealthChecks(input, total, advice);
        OneAtATime(input, total, advice);
        ImagePull(input, total, advice);
        StopTimeout(input, total, advice);
        GracePeriod(input, advice);
        return advice;
    }

    private static MightyDeploymentPhase? Dominant(AdviceInput input, string name, TimeSpan total) =>
        input.Timeline.FirstOrDefault(p => p.Name == name && p.Duration >= LongPhase && p.Duration.TotalSeconds >= total.TotalSeconds * DominantShare);

    private static void Draining(AdviceInput input, TimeSpan total, List<string> advice)
    {
        if (Dominant(input, "Draining", total) is not { } phase)
        {
            return;
        }
        foreach (TargetGroupSettings group in input.TargetGroups.Where(g => g.DeregistrationDelaySeconds > SuggestedDeregistrationDelay))
        {
            TimeSpan saved = Min(phase.Duration, TimeSpan.FromSeconds(group.DeregistrationDelaySeconds!.Value - SuggestedDeregistrationDelay));
            string isDefault = group.DeregistrationDelaySeconds == DefaultDeregistrationDelay ? " (default)" : string.Empty;
            advice.Add($"Draining took {Clock(phase.Duration)} of {Clock(total)}: {group.Name}'s deregistration_delay.timeout_seconds is {group.DeregistrationDelaySeconds}{isDefault}; "
                + $"a web server finishes its requests in seconds, {SuggestedDeregistrationDelay} would have saved {Clock(saved)}.");
        }
    }

    private static void HealthChecks(AdviceInput input, TimeSpan total, List<string> advice)
    {
        if (Dominant(input, "HealthChecks", total) is not { } phase)
        {
            return;
        }
        int suggested = SuggestedInterval * SuggestedHealthyThreshold;
        foreach (TargetGroupSettings group in input.TargetGroups)
        {
            if (group.HealthCheckIntervalSeconds is not int interval || group.HealthyThresholdCount is not int threshold || interval * threshold <= suggested)
            {
                continue;
            }
            TimeSpan saved = Min(phase.Duration, TimeSpan.FromSeconds(interval * threshold - suggested));
            advice.Add($"HealthChecks took {Clock(phase.Duration)} of {Clock(total)}: {group.Name} checks every {interval} s and wants {threshold} passes in a row ({Clock(TimeSpan.FromSeconds(interval * threshold))} before a new task takes traffic); "
                + $"HealthCheckIntervalSeconds {SuggestedInterval} with HealthyThresholdCount {SuggestedHealthyThreshold} would have saved {Clock(saved)}.");
        }
    }

    private static void OneAtATime(AdviceInput input, TimeSpan total, List<string> advice)
    {
        int n = input.DesiredCount;
        if (n < 2 || input.MinimumHealthyPercent is not int min || input.MaximumPercent is not int max)
        {
            return;
        }
        // How many tasks ECS may replace at once: the room above desired (maximumPercent, rounded
        // down) plus the room below it (minimumHealthyPercent, rounded up).
        int batch = Math.Max(0, n * max / 100 - n) + Math.Max(0, n - (n * min + 99) / 100);
        if (batch != 1)
        {
            return;
        }
        TimeSpan saved = total * (n - 1) / n;
        advice.Add($"The {n} tasks were replaced one at a time: minimumHealthyPercent {min} with maximumPercent {max} leaves room for 1; "
            + $"maximumPercent 200 would have replaced them all at once and saved about {Clock(saved)}.");
    }

    private static void ImagePull(AdviceInput input, TimeSpan total, List<string> advice)
    {
        if (Dominant(input, "Starting", total) is null || input.Pulls.Count < 2)
        {
            return;
        }
        TimeSpan slowest = input.Pulls.Max();
        TimeSpan fastest = input.Pulls.Min();
        if (slowest < TimeSpan.FromSeconds(30) || slowest.Ticks < fastest.Ticks * 3)
        {
            return;
        }
        advice.Add($"Pulling the image took {Clock(slowest)} on an instance that did not have it and {Clock(fastest)} where it was cached; "
            + $"ECS_IMAGE_PULL_BEHAVIOR=prefer-cached in the agent's configuration (default: default, which pulls every time) or a smaller image would have saved up to {Clock(slowest - fastest)}.");
    }

    private static void StopTimeout(AdviceInput input, TimeSpan total, List<string> advice)
    {
        if (Dominant(input, "StoppingOld", total) is not { } phase || input.StopTimeoutSeconds is not int timeout || timeout <= DefaultStopTimeout)
        {
            return;
        }
        // SIGTERM to exit took (nearly) the whole stopTimeout: the app did not exit on SIGTERM and
        // was killed with SIGKILL at the end of it.
        if (phase.Duration.TotalSeconds < timeout * 0.9)
        {
            return;
        }
        advice.Add($"Stopping the old tasks took {Clock(phase.Duration)} of {Clock(total)}, the whole stopTimeout ({timeout} s): the containers did not exit on SIGTERM and were killed; "
            + $"exit on SIGTERM, or stopTimeout {DefaultStopTimeout} would have saved {Clock(TimeSpan.FromSeconds(timeout - DefaultStopTimeout))}.");
    }

    private static void GracePeriod(AdviceInput input, List<string> advice)
    {
        if (input.Status is nameof(MightyDeploymentStatus.Completed) or nameof(MightyDeploymentStatus.Superseded) || input.HealthCheckGracePeriodSeconds is not int grace)
        {
            return;
        }
        foreach (TargetGroupSettings group in input.TargetGroups)
        {
            if (group.HealthCheckIntervalSeconds is not int interval || group.HealthyThresholdCount is not int threshold)
            {
                continue;
            }
            int needed = interval * threshold;
            if (grace < 120 || grace < needed * 2)
            {
                continue;
            }
            advice.Add($"healthCheckGracePeriodSeconds is {grace} while {group.Name} needs {needed} s to call a task healthy: ECS ignores a failing task's checks that long before it replaces it; "
                + $"{needed} would have found the failing tasks {Clock(TimeSpan.FromSeconds(grace - needed))} sooner.");
        }
    }

    private static string Clock(TimeSpan value) => MightyDeploymentPhase.Clock(value);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
