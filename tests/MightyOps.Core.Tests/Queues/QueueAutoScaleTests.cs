using MightyOps.Core.Queues;
using Xunit;

namespace MightyOps.Core.Tests.Queues;

/// <summary>The -Auto rule on its own (docs/design/queue-scaling.md).</summary>
public sealed class QueueAutoScaleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(412, 2, 0, 10, 5, "412 waiting, 100 per task → 5")]
    [InlineData(5000, 2, 0, 10, 10, "5000 waiting, 100 per task → 50, capped at MaxCount 10")]
    [InlineData(0, 0, 1, 10, 1, "0 waiting, 100 per task → 0, raised to MinCount 1")]
    [InlineData(100, 1, 0, 10, 1, "100 waiting, 100 per task → 1")]
    [InlineData(101, 1, 0, 10, 2, "101 waiting, 100 per task → 2")]
    public void Scales_to_the_backlog_clamped_to_the_policy(long size, int desired, int min, int max, int expected, string reason)
    {
        ScaleDecision decision = QueueAutoScale.Decide(Stats(size), desired, new QueuePolicy(min, max), lastScaledAt: null, cannotPlace: false, Now);
        Assert.Equal(new ScaleDecision(expected, reason), decision);
    }

    [Fact]
    public void Scales_out_at_once_even_right_after_a_change()
    {
        ScaleDecision decision = QueueAutoScale.Decide(Stats(900), 2, QueuePolicy.Default, Now.AddMinutes(-1), cannotPlace: false, Now);
        Assert.Equal(9, decision.To);
    }

    [Fact]
    public void Scales_in_only_after_the_cooldown()
    {
        ScaleDecision waiting = QueueAutoScale.Decide(Stats(0), 5, QueuePolicy.Default, Now.AddMinutes(-6).AddSeconds(-10), cannotPlace: false, Now);
        Assert.Equal(new ScaleDecision(5, "0 waiting, 100 per task → 0; cooldown: 4 min left"), waiting);

        ScaleDecision after = QueueAutoScale.Decide(Stats(0), 5, QueuePolicy.Default, Now.AddMinutes(-10), cannotPlace: false, Now);
        Assert.Equal(0, after.To);
        Assert.Equal(0, QueueAutoScale.Decide(Stats(0), 5, QueuePolicy.Default, lastScaledAt: null, cannotPlace: false, Now).To);
        Assert.Equal(0, QueueAutoScale.Decide(Stats(0), 5, QueuePolicy.Default with { CooldownMinutes = 0 }, Now, cannotPlace: false, Now).To);
    }

    [Fact]
    public void Never_scales_in_below_the_tasks_with_jobs_in_flight()
    {
        ScaleDecision decision = QueueAutoScale.Decide(Stats(0, busy: 3, busyProcesses: 2), 4, QueuePolicy.Default, null, cannotPlace: false, Now);
        Assert.Equal(new ScaleDecision(2, "0 waiting, 100 per task → 0; 3 jobs in flight on 2 tasks → 2"), decision);

        // Never to 0 while a job runs, even when its process is not one of this service's tasks.
        Assert.Equal(1, QueueAutoScale.Decide(Stats(0, busy: 1, busyProcesses: 0), 3, QueuePolicy.Default, null, false, Now).To);
        // The in-flight floor never scales out by itself.
        Assert.Equal(1, QueueAutoScale.Decide(Stats(0, busy: 6, busyProcesses: 3), 1, QueuePolicy.Default, null, false, Now).To);
    }

    [Fact]
    public void Does_not_scale_out_while_ECS_cannot_place_tasks()
    {
        ScaleDecision decision = QueueAutoScale.Decide(Stats(900), 3, QueuePolicy.Default, null, cannotPlace: true, Now);
        Assert.Equal(3, decision.To);
        Assert.Contains("cannot place more tasks", decision.Reason, StringComparison.Ordinal);
        // Scaling in is still allowed.
        Assert.Equal(0, QueueAutoScale.Decide(Stats(0), 3, QueuePolicy.Default, null, cannotPlace: true, Now).To);
    }

    private static SidekiqQueueStats Stats(long size, int busy = 0, int busyProcesses = 0) =>
        new("mailers", size, TimeSpan.FromSeconds(size > 0 ? 30 : 0), busy, busyProcesses);
}
