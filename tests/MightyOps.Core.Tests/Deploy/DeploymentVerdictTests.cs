using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>ECS's ledger status to what MightyOps reports, and the waits a strategy adds to the timeout (docs/design/ecs-service-deployments.md).</summary>
public sealed class DeploymentVerdictTests
{
    [Theory]
    [InlineData("SUCCESSFUL", false, false, MightyDeploymentStatus.Completed)]
    [InlineData("SUCCESSFUL", true, true, MightyDeploymentStatus.Completed)]
    [InlineData("ROLLBACK_SUCCESSFUL", true, false, MightyDeploymentStatus.RolledBack)]
    [InlineData("ROLLBACK_SUCCESSFUL", false, false, MightyDeploymentStatus.RolledBack)]
    [InlineData("ROLLBACK_FAILED", true, false, MightyDeploymentStatus.Failed)]
    [InlineData("STOPPED", false, true, MightyDeploymentStatus.Superseded)]
    [InlineData("STOPPED", true, true, MightyDeploymentStatus.Superseded)]
    [InlineData("STOPPED", true, false, MightyDeploymentStatus.Failed)]
    [InlineData("STOPPED", false, false, MightyDeploymentStatus.Stopped)]
    [InlineData("PENDING", false, false, MightyDeploymentStatus.InProgress)]
    [InlineData("IN_PROGRESS", true, false, MightyDeploymentStatus.InProgress)]
    [InlineData("STOP_REQUESTED", false, false, MightyDeploymentStatus.InProgress)]
    [InlineData("ROLLBACK_REQUESTED", false, false, MightyDeploymentStatus.InProgress)]
    [InlineData("ROLLBACK_IN_PROGRESS", true, false, MightyDeploymentStatus.InProgress)]
    [InlineData("SOMETHING_NEW", false, false, MightyDeploymentStatus.InProgress)]
    [InlineData(null, false, false, MightyDeploymentStatus.InProgress)]
    public void MapsEcsStatus(string? status, bool failureDetected, bool superseded, MightyDeploymentStatus expected) =>
        Assert.Equal(expected, DeploymentVerdict.Of(status, failureDetected, superseded));

    [Theory]
    [InlineData("SUCCESSFUL", true)]
    [InlineData("STOPPED", true)]
    [InlineData("ROLLBACK_SUCCESSFUL", true)]
    [InlineData("ROLLBACK_FAILED", true)]
    [InlineData("PENDING", false)]
    [InlineData("IN_PROGRESS", false)]
    [InlineData("STOP_REQUESTED", false)]
    [InlineData("ROLLBACK_REQUESTED", false)]
    [InlineData("ROLLBACK_IN_PROGRESS", false)]
    public void KnowsFinalStatuses(string status, bool final)
    {
        Assert.Equal(final, DeploymentVerdict.IsFinal(status));
        Assert.Equal(!final, DeploymentVerdict.Open.Contains(status));
    }

    [Theory]
    [InlineData("TRIGGERED", null, null, true)]
    [InlineData("MONITORING", "alarm-1", null, true)]
    [InlineData("MONITORING", null, "FAILED", true)]
    [InlineData("MONITORING", null, "TIMED_OUT", true)]
    [InlineData("MONITORING", null, "AWAITING_ACTION", false)]
    [InlineData("MONITORING_COMPLETE", null, "SUCCEEDED", false)]
    [InlineData(null, null, null, false)]
    public void DetectsFailures(string? breaker, string? alarm, string? hook, bool detected)
    {
        var deployment = new EcsServiceDeployment
        {
            DeploymentCircuitBreaker = breaker is null ? null : new EcsServiceDeploymentCircuitBreaker { Status = breaker, FailureCount = 3, Threshold = 3 },
            Alarms = alarm is null ? null : new EcsServiceDeploymentAlarms { Status = "TRIGGERED", TriggeredAlarmNames = [alarm] },
            LifecycleHookDetails = hook is null ? null : [new EcsDeploymentLifecycleHookDetail { HookId = "h", Status = hook }],
        };
        Assert.Equal(detected, DeploymentVerdict.FailureDetected(deployment));
    }

    [Theory]
    [InlineData("ROLLING", 30, 0)]
    [InlineData(null, 30, 0)]
    [InlineData("BLUE_GREEN", 7, 7)]
    [InlineData("LINEAR", 1, 1 + (2 - 1) * 1)]
    [InlineData("CANARY", 1, 1 + 1)]
    public void AddsDeliberateWaitsToTheTimeout(string? strategy, int bake, int minutes)
    {
        var configuration = new EcsDeploymentConfiguration
        {
            Strategy = strategy,
            BakeTimeInMinutes = bake,
            LinearConfiguration = new EcsLinearConfiguration { StepPercent = 50, StepBakeTimeInMinutes = 1 },
            CanaryConfiguration = new EcsCanaryConfiguration { CanaryPercent = 10, CanaryBakeTimeInMinutes = 1 },
        };
        Assert.Equal(TimeSpan.FromMinutes(minutes), DeploymentStrategy.Waits(configuration));
        Assert.Equal(TimeSpan.FromMinutes(15 + minutes), DeploymentStrategy.EffectiveTimeout(TimeSpan.FromMinutes(15), configuration));
    }

    [Theory]
    [InlineData("ROLLING", 4, 200, 4)]
    [InlineData("ROLLING", 4, 150, 2)]
    [InlineData("BLUE_GREEN", 4, 200, 4)]
    [InlineData("LINEAR", 3, 100, 3)]
    public void CountsTheTasksADeploymentAdds(string strategy, int desired, int maximumPercent, int extra) =>
        Assert.Equal(extra, DeploymentStrategy.ExtraTasks(new EcsDeploymentConfiguration { Strategy = strategy, MaximumPercent = maximumPercent }, desired));

    [Theory]
    [InlineData(0, "15 min left of 15 min")]
    [InlineData(8 * 60 + 10, "7 min left of 15 min")]
    [InlineData(14 * 60 + 30, "30 s left of 15 min")]
    [InlineData(16 * 60, "0 s left of 15 min")]
    [InlineData(-120, "15 min left of 15 min")]
    public void CountsTheBakeTimeDown(int secondsSinceBakeBegan, string expected)
    {
        var began = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var deployment = new WatchedDeployment { Cluster = "production", Service = "API", DeploymentId = string.Empty, TaskDefinitionArn = "td", PreviousTaskDefinitionArn = "old" };
        var entry = new EcsServiceDeployment
        {
            LifecycleStage = "BAKE_TIME",
            UpdatedAt = began,
            DeploymentConfiguration = new EcsDeploymentConfiguration { Strategy = "BLUE_GREEN", BakeTimeInMinutes = 15 },
            TargetServiceRevision = new EcsServiceRevisionSummary { RequestedTaskCount = 2, RunningTaskCount = 2 },
        };
        string text = RolloutWatcher.ProgressText(deployment, entry, began.AddSeconds(secondsSinceBakeBegan));
        Assert.Equal($"BLUE_GREEN BAKE_TIME; bake time: {expected}, rollback still possible; running 2/2, pending 0", text);
    }
}
