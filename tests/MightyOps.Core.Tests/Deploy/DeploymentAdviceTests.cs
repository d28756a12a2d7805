using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>
/// The advice rules, one row per case, the expected advice beside it (empty: the data does not
/// support any); docs/design/load-balanced-deploys.md ("Advice") has the rules.
/// </summary>
public sealed class DeploymentAdviceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Phases as "Name start end" in seconds.</summary>
    private static List<MightyDeploymentPhase> Phases(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split(' '))
            .Select(p => new MightyDeploymentPhase { Name = p[0], Start = T0.AddSeconds(int.Parse(p[1])), End = T0.AddSeconds(int.Parse(p[2])) })
            .ToList();

    private static readonly TargetGroupSettings Defaults = new("web-tg", 300, 30, 5, 2);

    private const string Rolling = "Registered 0 0; Placing 0 14; Starting 14 35; HealthChecks 33 186; Draining 185 485; StoppingOld 485 492; Done 500 500";

    public sealed record Row(string Case, AdviceInput Input, string[] Advice)
    {
        public override string ToString() => Case;
    }

    public static readonly TheoryData<Row> Rows = new()
    {
        new("draining dominates with the default delay: the delay and the health checks",
            new AdviceInput { Timeline = Phases(Rolling), DesiredCount = 2, MinimumHealthyPercent = 100, MaximumPercent = 200, TargetGroups = [Defaults] },
            ["Draining took 5:00 of 8:20: web-tg's deregistration_delay.timeout_seconds is 300 (default); a web server finishes its requests in seconds, 30 would have saved 4:30.",
             "HealthChecks took 2:33 of 8:20: web-tg checks every 30 s and wants 5 passes in a row (2:30 before a new task takes traffic); HealthCheckIntervalSeconds 10 with HealthyThresholdCount 2 would have saved 2:10."]),
        new("a delay already lowered to 30 says nothing about draining",
            new AdviceInput { Timeline = Phases("Registered 0 0; Placing 0 14; Starting 14 35; HealthChecks 33 186; Draining 185 215; StoppingOld 215 222; Done 230 230"), TargetGroups = [Defaults with { DeregistrationDelaySeconds = 30 }] },
            ["HealthChecks took 2:33 of 3:50: web-tg checks every 30 s and wants 5 passes in a row (2:30 before a new task takes traffic); HealthCheckIntervalSeconds 10 with HealthyThresholdCount 2 would have saved 2:10."]),
        new("a delay that is not the default is named without '(default)'",
            new AdviceInput { Timeline = Phases("Starting 0 20; HealthChecks 20 40; Draining 40 640; Done 650 650"), TargetGroups = [Defaults with { DeregistrationDelaySeconds = 600, HealthCheckIntervalSeconds = 5, HealthyThresholdCount = 2 }] },
            ["Draining took 10:00 of 10:50: web-tg's deregistration_delay.timeout_seconds is 600; a web server finishes its requests in seconds, 30 would have saved 9:30."]),
        new("all phases short: no advice, however bad the settings",
            new AdviceInput { Timeline = Phases("Registered 0 0; Placing 0 10; Starting 10 30; StoppingOld 40 47; Done 50 50"), DesiredCount = 2, MinimumHealthyPercent = 100, MaximumPercent = 150, TargetGroups = [Defaults], StopTimeoutSeconds = 120 },
            []),
        new("a long draining phase without the target group's settings: no advice",
            new AdviceInput { Timeline = Phases(Rolling) },
            []),
        new("no timeline: no advice",
            new AdviceInput { Timeline = [] },
            []),
        new("one at a time: 100/150 with 2 tasks",
            new AdviceInput { Timeline = Phases("Starting 0 30; StoppingOld 30 40; Starting 40 70; StoppingOld 70 80; Done 240 240"), DesiredCount = 2, MinimumHealthyPercent = 100, MaximumPercent = 150 },
            ["The 2 tasks were replaced one at a time: minimumHealthyPercent 100 with maximumPercent 150 leaves room for 1; maximumPercent 200 would have replaced them all at once and saved about 2:00."]),
        new("100/200 replaces all at once: nothing about pacing",
            new AdviceInput { Timeline = Phases("Starting 0 30; StoppingOld 30 40; Done 240 240"), DesiredCount = 4, MinimumHealthyPercent = 100, MaximumPercent = 200 },
            []),
        new("100/100 cannot replace anything: no pacing advice (the batch is 0, not 1)",
            new AdviceInput { Timeline = Phases("Starting 0 30; Done 240 240"), DesiredCount = 2, MinimumHealthyPercent = 100, MaximumPercent = 100 },
            []),
        new("a cold pull dominates starting",
            new AdviceInput { Timeline = Phases("Placing 0 10; Starting 10 130; StoppingOld 130 137; Done 140 140"), Pulls = [TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(2)] },
            ["Pulling the image took 1:40 on an instance that did not have it and 0:02 where it was cached; ECS_IMAGE_PULL_BEHAVIOR=prefer-cached in the agent's configuration (default: default, which pulls every time) or a smaller image would have saved up to 1:38."]),
        new("pulls alike (all cold): no pull advice",
            new AdviceInput { Timeline = Phases("Placing 0 10; Starting 10 130; Done 140 140"), Pulls = [TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(95)] },
            []),
        new("old tasks killed at the end of a long stopTimeout",
            new AdviceInput { Timeline = Phases("Starting 0 30; StoppingOld 30 150; Done 150 150"), StopTimeoutSeconds = 120 },
            ["Stopping the old tasks took 2:00 of 2:30, the whole stopTimeout (120 s): the containers did not exit on SIGTERM and were killed; exit on SIGTERM, or stopTimeout 30 would have saved 1:30."]),
        new("a long stopTimeout the app did not use: no advice",
            new AdviceInput { Timeline = Phases("Starting 0 30; StoppingOld 30 95; Done 150 150"), StopTimeoutSeconds = 120 },
            []),
        new("a failed deploy with a grace period far longer than the checks need",
            new AdviceInput { Timeline = Phases("Starting 0 30; Done 700 700"), Status = "RolledBack", HealthCheckGracePeriodSeconds = 600, TargetGroups = [Defaults with { HealthyThresholdCount = 3, HealthCheckIntervalSeconds = 10 }] },
            ["healthCheckGracePeriodSeconds is 600 while web-tg needs 30 s to call a task healthy: ECS ignores a failing task's checks that long before it replaces it; 30 would have found the failing tasks 9:30 sooner."]),
        new("the same grace period on a completed deploy: it cost nothing",
            new AdviceInput { Timeline = Phases("Starting 0 30; Done 700 700"), Status = "Completed", HealthCheckGracePeriodSeconds = 600, TargetGroups = [Defaults with { HealthyThresholdCount = 3, HealthCheckIntervalSeconds = 10 }] },
            []),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Advice(Row row) => Assert.Equal(row.Advice, DeploymentAdvice.Advise(row.Input));
}
