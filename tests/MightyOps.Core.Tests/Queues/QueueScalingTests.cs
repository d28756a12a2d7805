using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Queues;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Queues;

/// <summary>
/// QueueSnapshot and QueueScaler against the demo sandbox (one service per queue) and a real
/// redis-server filled by the real Sidekiq client. The scaler's clock is the sandbox's simulated
/// clock, so the scaled-at tags, the service events and the cooldown are all on one clock and the
/// cooldown passes by advancing it.
/// </summary>
public sealed class QueueScalingTests
{
    [Fact]
    public async Task A_backlog_scales_out_at_once_and_a_second_pass_changes_nothing()
    {
        await using World world = await World.StartAsync();
        await SidekiqRuby.PushAsync(world.Redis.Url(), new Dictionary<string, int> { ["mailers"] = 412, ["default"] = 150 }, TimeSpan.FromMinutes(2));

        QueueSnapshotResult first = await world.ReadAsync();
        QueueState mailers = first.Queues.Single(q => q.Queue == "mailers");
        Assert.Equal("mailers", mailers.Service?.ServiceName);
        Assert.Equal(2, mailers.Service!.DesiredCount);
        Assert.Equal(new ScaleDecision(5, "412 waiting, 100 per task → 5"), mailers.Suggested);
        Assert.Equal(2, first.Queues.Single(q => q.Queue == "default").Suggested.To);

        var before = SandboxFixture.Snapshot(world.Host);
        List<MightyQueueScale> applied = await world.AutoAsync(first);
        Assert.Equal(["mailers"], applied.Select(a => a.Queue));
        Assert.Equal((2, 5), (applied[0].From, applied[0].To));
        Assert.Equal(1, SandboxFixture.Delta(world.Host, before, "ecs.UpdateService"));
        Assert.Equal(1, SandboxFixture.Delta(world.Host, before, "ecs.TagResource"));

        QueueSnapshotResult second = await world.ReadAsync();
        QueueState after = second.Queues.Single(q => q.Queue == "mailers");
        Assert.Equal(5, after.Service!.DesiredCount);
        Assert.Equal(world.Host.World.Clock.UtcNow, after.ScaledAt!.Value, TimeSpan.FromMinutes(1));
        before = SandboxFixture.Snapshot(world.Host);
        Assert.Empty(await world.AutoAsync(second));
        Assert.Equal(0, SandboxFixture.Delta(world.Host, before, "ecs.UpdateService"));
        Assert.Equal(0, SandboxFixture.Delta(world.Host, before, "ecs.TagResource"));
    }

    [Fact]
    public async Task An_empty_idle_queue_goes_to_MinCount_only_after_the_cooldown()
    {
        await using World world = await World.StartAsync();
        await SidekiqRuby.PushAsync(world.Redis.Url(), new Dictionary<string, int> { ["imports"] = 700 }, TimeSpan.Zero);
        await world.AutoAsync(await world.ReadAsync());
        await SidekiqRuby.RunAsync(world.Redis.Url(), "Sidekiq::Queue.new('imports').clear; Sidekiq.redis { |c| c.sadd('queues', 'imports') }");

        world.Host.AdvanceTime(TimeSpan.FromMinutes(6));
        QueueState cooling = (await world.ReadAsync()).Queues.Single(q => q.Queue == "imports");
        Assert.Equal(7, cooling.Service!.DesiredCount);
        Assert.Equal(7, cooling.Suggested.To);
        Assert.Matches(@"^0 waiting, 100 per task → 0; cooldown: [34] min left$", cooling.Suggested.Reason);
        var before = SandboxFixture.Snapshot(world.Host);
        Assert.Empty(await world.AutoAsync(await world.ReadAsync()));
        Assert.Equal(0, SandboxFixture.Delta(world.Host, before, "ecs.UpdateService"));

        world.Host.AdvanceTime(TimeSpan.FromMinutes(5));
        List<MightyQueueScale> applied = await world.AutoAsync(await world.ReadAsync());
        Assert.Equal((7, 0), (applied.Single().From, applied.Single().To));
    }

    [Fact]
    public async Task An_empty_queue_with_jobs_in_flight_keeps_their_tasks()
    {
        await using World world = await World.StartAsync();
        await SidekiqRuby.PushAsync(world.Redis.Url(), new Dictionary<string, int> { ["webhooks"] = 0 }, TimeSpan.Zero);
        await SidekiqFixture.HeartbeatAsync(world.Redis, "ip-10-0-1-20:1:aaaa", ("webhooks", "t1"), ("webhooks", "t2"));
        await SidekiqFixture.HeartbeatAsync(world.Redis, "ip-10-0-2-37:1:bbbb", ("webhooks", "t3"));
        await SidekiqRuby.RunAsync(world.Redis.Url(), "Sidekiq.redis { |c| c.sadd('queues', 'webhooks') }");

        QueueState webhooks = (await world.ReadAsync()).Queues.Single(q => q.Queue == "webhooks");
        Assert.Equal((0L, 3, 2), (webhooks.Stats.Size, webhooks.Stats.Busy, webhooks.Service!.DesiredCount));
        Assert.Equal(2, webhooks.Suggested.To);

        // With one task's jobs in flight it scales in to that one task, never to 0.
        await using World single = await World.StartAsync();
        await SidekiqFixture.HeartbeatAsync(single.Redis, "ip-10-0-1-20:1:cccc", ("webhooks", "t1"));
        await SidekiqRuby.RunAsync(single.Redis.Url(), "Sidekiq.redis { |c| c.sadd('queues', 'webhooks') }");
        List<MightyQueueScale> applied = await single.AutoAsync(await single.ReadAsync());
        Assert.Equal((2, 1), (applied.Single().From, applied.Single().To));
        Assert.Contains("1 job in flight on 1 task", applied.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policies_clamp_and_services_map_by_config_then_tag_then_name()
    {
        await using World world = await World.StartAsync(new Dictionary<string, QueueServiceSettings>
        {
            ["reports"] = new("reports_v2", new QueuePolicy(MinCount: 1, MaxCount: 3, JobsPerTask: 50)),
            ["cleanup"] = new(null, new QueuePolicy(MinCount: 2)),
        });
        using AwsSession aws = await SandboxFixture.SessionAsync(world.Host);
        DescribeServicesResponse exports = await aws.Ecs.DescribeServicesAsync("production", ["exports"], CancellationToken.None);
        await aws.Ecs.TagResourceAsync(exports.Services![0].ServiceArn!, [new EcsTag { Key = QueueSnapshot.QueueTag, Value = "csv_exports" }], CancellationToken.None);
        await SidekiqRuby.PushAsync(world.Redis.Url(), new Dictionary<string, int> { ["reports_v2"] = 1000, ["csv_exports"] = 30, ["cleanup"] = 0, ["exports"] = 5, ["orphan"] = 3 }, TimeSpan.Zero);
        await SidekiqRuby.RunAsync(world.Redis.Url(), "Sidekiq.redis { |c| c.sadd('queues', 'cleanup') }");
        var warnings = new List<string>();

        QueueSnapshotResult snapshot = await world.ReadAsync(warnings);
        QueueSnapshot.WarnUnmapped(snapshot.Queues, new ListLog(warnings));

        Dictionary<string, QueueState> queues = snapshot.Queues.ToDictionary(q => q.Queue);
        Assert.Equal("reports", queues["reports_v2"].Service?.ServiceName);
        Assert.Equal(new ScaleDecision(3, "1000 waiting, 50 per task → 20, capped at MaxCount 3"), queues["reports_v2"].Suggested);
        Assert.Equal("exports", queues["csv_exports"].Service?.ServiceName);
        Assert.Equal(1, queues["csv_exports"].Suggested.To);
        // 'exports' is the tagged service's name, but the tag maps it to another queue: no guess.
        Assert.Null(queues["exports"].Service);
        Assert.Null(queues["orphan"].Service);
        Assert.Equal("cleanup", queues["cleanup"].Service?.ServiceName);
        Assert.Equal(new ScaleDecision(2, "0 waiting, 100 per task → 0, raised to MinCount 2"), queues["cleanup"].Suggested);
        Assert.Contains(warnings, w => w.Contains("queue 'orphan'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("queue 'exports'", StringComparison.Ordinal));
        Assert.DoesNotContain(snapshot.Queues, q => q.Queue is "WEB" or "API");
    }

    [Fact]
    public async Task A_service_ECS_cannot_place_is_flagged_and_not_scaled_further()
    {
        await using World world = await World.StartAsync();
        using AwsSession aws = await SandboxFixture.SessionAsync(world.Host);
        // Far more tasks than the demo's four instances hold.
        await aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "production", Service = "image_processing", DesiredCount = 400 }, CancellationToken.None);
        world.Host.AdvanceTime(TimeSpan.FromMinutes(2));
        await SidekiqRuby.PushAsync(world.Redis.Url(), new Dictionary<string, int> { ["image_processing"] = 900, ["mailers"] = 1 }, TimeSpan.Zero);

        QueueState queue = (await world.ReadAsync(policy: new QueuePolicy(MaxCount: 1000, JobsPerTask: 1))).Queues.Single(q => q.Queue == "image_processing");

        Assert.True(queue.CannotPlace);
        Assert.True(queue.Service!.RunningCount < 400);
        Assert.Equal(400, queue.Suggested.To);
        Assert.Contains("900 waiting, 1 per task → 900", queue.Suggested.Reason, StringComparison.Ordinal);
        Assert.False((await world.ReadAsync()).Queues.Single(q => q.Queue == "mailers").CannotPlace);
    }

    private sealed class ListLog(List<string> warnings) : IOperationLog
    {
        public void Verbose(string message) { }

        public void Debug(string message) { }

        public void Warning(string message)
        {
            lock (warnings)
            {
                warnings.Add(message);
            }
        }

        public void Information(object data, string tag) { }
    }

    /// <summary>The sandbox's simulated clock as a TimeProvider.</summary>
    private sealed class SandboxClock(SandboxHost host) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => host.World.Clock.UtcNow;
    }

    private sealed class World : IAsyncDisposable
    {
        private IReadOnlyDictionary<string, QueueServiceSettings> _services = new Dictionary<string, QueueServiceSettings>();

        public SandboxHost Host { get; private set; } = null!;

        public RedisServer Redis { get; private set; } = null!;

        public static async Task<World> StartAsync(IReadOnlyDictionary<string, QueueServiceSettings>? services = null)
        {
            var world = new World
            {
                // Real-time pace: only AdvanceTime moves the clock noticeably.
                Host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 1 }),
                Redis = await RedisServer.StartAsync(),
            };
            world._services = services ?? world._services;
            return world;
        }

        public async Task<QueueSnapshotResult> ReadAsync(List<string>? warnings = null, QueuePolicy? policy = null)
        {
            using AwsSession aws = await SandboxFixture.SessionAsync(Host);
            IReadOnlyDictionary<string, QueueServiceSettings> services = policy is null
                ? _services
                : new Dictionary<string, QueueServiceSettings> { ["image_processing"] = new(null, policy) };
            var request = new QueueSnapshotRequest("production", "default", RedisLocation.Parse(Redis.Url()), null, services);
            return await new QueueSnapshot(aws, warnings is null ? NullOperationLog.Instance : new ListLog(warnings), new SandboxClock(Host)).ReadAsync(request, CancellationToken.None);
        }

        /// <summary>What Set-MightyQueueScale -Auto does with every queue that has a service: apply the changes.</summary>
        public async Task<List<MightyQueueScale>> AutoAsync(QueueSnapshotResult snapshot)
        {
            using AwsSession aws = await SandboxFixture.SessionAsync(Host);
            var scaler = new QueueScaler(aws, NullOperationLog.Instance, new SandboxClock(Host));
            var applied = new List<MightyQueueScale>();
            foreach (QueueState queue in snapshot.Queues.Where(q => q.Service is not null))
            {
                QueueScalePlan plan = QueueScaler.Plan(queue, count: null, force: false);
                if (plan.Changes)
                {
                    applied.Add(await scaler.ApplyAsync(plan, CancellationToken.None));
                }
            }
            return applied;
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }
}
