using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>The timeline from what the watch observed (docs/design/load-balanced-deploys.md, "The timeline").</summary>
public sealed class DeploymentTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    private static TaskTimes New(int created, int pullStart, int pullStop, int started) => new(At(created), At(pullStart), At(pullStop), At(started), null, null);

    private static TaskTimes Old(int stopping, int stopped) => new(At(-3600), null, null, At(-3590), At(stopping), At(stopped));

    [Fact]
    public void A_load_balanced_rolling_deploy_has_every_phase_in_order_with_its_times()
    {
        var seen = new TimelineObservations
        {
            StartedAt = T0,
            CompletedAt = At(500),
            LoadBalanced = true,
            NewTasks = [New(14, 15, 30, 33), New(14, 15, 31, 35)],
            OldTasks = [Old(487, 493), Old(487, 494)],
            DrainingStarted = [At(185), At(186)],
        };
        IReadOnlyList<MightyDeploymentPhase> phases = DeploymentTimeline.Build(seen);
        Assert.Equal(["Registered", "Placing", "Starting", "HealthChecks", "Draining", "StoppingOld", "Done"], phases.Select(p => p.Name));
        Assert.Equal(
            [(0, 0), (0, 14), (14, 35), (33, 186), (185, 487), (487, 494), (500, 500)],
            phases.Select(p => ((int)(p.Start - T0).TotalSeconds, (int)(p.End - T0).TotalSeconds)));
        Assert.Equal("Draining", DeploymentTimeline.Slowest(phases));
    }

    [Fact]
    public void Without_a_load_balancer_there_are_no_health_check_or_draining_phases()
    {
        var seen = new TimelineObservations
        {
            StartedAt = T0,
            CompletedAt = At(60),
            NewTasks = [New(10, 11, 26, 28)],
            OldTasks = [Old(45, 52)],
        };
        IReadOnlyList<MightyDeploymentPhase> phases = DeploymentTimeline.Build(seen);
        Assert.Equal(["Registered", "Placing", "Starting", "StoppingOld", "Done"], phases.Select(p => p.Name));
        Assert.Equal("Starting", DeploymentTimeline.Slowest(phases));
    }

    [Fact]
    public void A_bake_time_is_a_phase_from_its_start_to_the_end()
    {
        var seen = new TimelineObservations { StartedAt = T0, CompletedAt = At(900), NewTasks = [New(10, 11, 26, 28)], OldTasks = [Old(45, 52)], BakeTimeStartedAt = At(300) };
        MightyDeploymentPhase bake = Assert.Single(DeploymentTimeline.Build(seen), p => p.Name == "BakeTime");
        Assert.Equal(TimeSpan.FromSeconds(600), bake.Duration);
    }

    [Fact]
    public void A_first_deploy_without_old_tasks_is_healthy_when_it_completes_and_nothing_is_guessed()
    {
        var seen = new TimelineObservations { StartedAt = T0, CompletedAt = At(200), LoadBalanced = true, NewTasks = [New(12, 13, 28, 30)] };
        IReadOnlyList<MightyDeploymentPhase> phases = DeploymentTimeline.Build(seen);
        Assert.Equal(["Registered", "Placing", "Starting", "HealthChecks", "Done"], phases.Select(p => p.Name));
        Assert.Equal(At(200), phases.Single(p => p.Name == "HealthChecks").End);
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59.6, "1:00")]
    [InlineData(270, "4:30")]
    [InlineData(3725, "1:02:05")]
    [InlineData(-5, "0:00")]
    public void Durations_are_written_as_minutes_and_seconds(double seconds, string expected) =>
        Assert.Equal(expected, MightyDeploymentPhase.Clock(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_bar_is_ascii_fills_each_phase_share_and_ends_with_the_total()
    {
        IReadOnlyList<MightyDeploymentPhase> phases =
        [
            new() { Name = "Registered", Start = T0, End = T0 },
            new() { Name = "Starting", Start = T0, End = At(100) },
            new() { Name = "Draining", Start = At(100), End = At(400) },
        ];
        Assert.Equal("[SDDD] 6:40", MightyDeploymentPhase.Bar(phases, width: 4));
        Assert.Equal(string.Empty, MightyDeploymentPhase.Bar([]));
    }
}
