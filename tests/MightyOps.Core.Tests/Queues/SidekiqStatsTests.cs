using System.Globalization;
using System.Text.Json;
using MightyOps.Core.Queues;
using StackExchange.Redis;
using Xunit;

namespace MightyOps.Core.Tests.Queues;

/// <summary>
/// SidekiqStats against a real redis-server: jobs enqueued by the real Sidekiq client (6.4) and
/// run by a real Sidekiq server, compared with Sidekiq's own API on the same Redis; and the
/// Sidekiq 7 and 8 formats written the way their source writes them
/// (docs/design/sidekiq-redis-format.md).
/// </summary>
public sealed class SidekiqStatsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Sizes_and_latencies_of_jobs_the_Sidekiq_client_enqueued_match_Sidekiqs_API()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["mailers"] = 412, ["default"] = 3 }, TimeSpan.FromMinutes(7));
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["critical"] = 1, ["default"] = 2 }, TimeSpan.Zero);
        // A queue that was used and drained: in the set, with no list.
        await SidekiqRuby.RunAsync(redis.Url(), "Sidekiq::Client.push('queue' => 'low', 'class' => 'X', 'args' => []); Sidekiq::Queue.new('low').clear; Sidekiq.redis { |c| c.sadd('queues', 'low') }");

        var expected = await SidekiqRuby.StatsAsync(redis.Url());
        SidekiqReading reading = await ReadAsync(redis.Url());

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), reading.Queues.Select(q => q.Name));
        foreach (SidekiqQueueStats queue in reading.Queues)
        {
            (long size, double latency, int busy) = expected[queue.Name];
            Assert.Equal(size, queue.Size);
            Assert.InRange(queue.Latency.TotalSeconds, latency - 1, latency + 1);
            Assert.Equal(busy, queue.Busy);
        }
        Assert.Equal(412, reading.Queues.Single(q => q.Name == "mailers").Size);
        // Seven minutes plus however long the pushes above took.
        Assert.InRange(reading.Queues.Single(q => q.Name == "default").Latency.TotalMinutes, 6.99, 7.5);
        Assert.Equal(TimeSpan.Zero, reading.Queues.Single(q => q.Name == "low").Latency);
        Assert.Equal(2, reading.RoundTrips);
    }

    [Fact]
    public async Task Busy_jobs_of_a_real_Sidekiq_server_match_Sidekiq_Workers()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["slow"] = 3 }, TimeSpan.Zero, "SlowJob", sleepSeconds: 120);
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["other"] = 4 }, TimeSpan.Zero);
        await using SidekiqServer server = SidekiqRuby.StartServer(redis.Url(), concurrency: 2, "slow");

        // Sidekiq publishes its in-flight jobs with its heartbeat (every 5 seconds).
        int busy = 0;
        for (DateTime until = DateTime.UtcNow.AddSeconds(40); busy < 2 && DateTime.UtcNow < until && !server.HasExited;)
        {
            await Task.Delay(250);
            busy = await SidekiqRuby.BusyAsync(redis.Url());
        }
        Assert.Equal(2, busy);

        SidekiqReading reading = await ReadAsync(redis.Url());
        var expected = await SidekiqRuby.StatsAsync(redis.Url());

        SidekiqQueueStats slow = reading.Queues.Single(q => q.Name == "slow");
        Assert.Equal(expected["slow"].Busy, slow.Busy);
        Assert.Equal(2, slow.Busy);
        Assert.Equal(1, slow.BusyProcesses);
        Assert.Equal(expected["slow"].Size, slow.Size);
        Assert.Equal(1, slow.Size);
        Assert.Equal(0, reading.Queues.Single(q => q.Name == "other").Busy);
        Assert.Equal(4, reading.Queues.Single(q => q.Name == "other").Size);
        Assert.Equal(1, reading.Processes);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Reads_the_Sidekiq_7_and_8_formats(int version)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        await SidekiqFixture.WriteAsync(redis, version, now, prefix: string.Empty);

        SidekiqReading reading = await ReadAsync(redis.Url());

        AssertFixture(reading);
    }

    [Fact]
    public async Task Reads_keys_under_a_redis_namespace_prefix()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqFixture.WriteAsync(redis, 8, DateTimeOffset.UtcNow, prefix: "myapp:");

        await using (SidekiqStats plain = await SidekiqStats.ConnectAsync(RedisLocation.Parse(redis.Url()), null, Timeout, null, NullOperationLog.Instance, CancellationToken.None))
        {
            var error = await Assert.ThrowsAsync<MightyOpsException>(() => plain.ReadAsync(CancellationToken.None));
            Assert.Equal("SidekiqDataNotFound", error.ErrorId);
            Assert.Contains("-Namespace", error.Message, StringComparison.Ordinal);
        }
        await using SidekiqStats stats = await SidekiqStats.ConnectAsync(RedisLocation.Parse(redis.Url()), "myapp", Timeout, null, NullOperationLog.Instance, CancellationToken.None);
        AssertFixture(await stats.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Queues_asked_for_but_never_used_read_as_empty_and_unknown()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["default"] = 1 }, TimeSpan.Zero);
        await using SidekiqStats stats = await SidekiqStats.ConnectAsync(RedisLocation.Parse(redis.Url()), null, Timeout, null, NullOperationLog.Instance, CancellationToken.None);

        SidekiqReading reading = await stats.ReadAsync(CancellationToken.None);

        Assert.Equal(["default"], reading.Queues.Select(q => q.Name));
        Assert.Equal(new SidekiqQueueStats("fresh", 0, TimeSpan.Zero, 0, 0, Known: false), reading.For("fresh"));
        Assert.True(reading.For("default").Known);
    }

    [Fact]
    public async Task A_database_index_selects_that_database()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(3), new Dictionary<string, int> { ["db3"] = 5 }, TimeSpan.Zero);

        Assert.Equal(5, (await ReadAsync(redis.Url(3))).Queues.Single().Size);
        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(redis.Url(0)));
        Assert.Equal("SidekiqDataNotFound", error.ErrorId);
    }

    [Fact]
    public async Task A_closed_port_is_RedisUnreachable()
    {
        int port = Aws.TestEnvironment.ClosedPort();
        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync($"redis://:s3cret@127.0.0.1:{port}/0"));
        Assert.Equal("RedisUnreachable", error.ErrorId);
        Assert.Equal(MightyErrorKind.Connection, error.Kind);
        Assert.Equal($"redis://:***@127.0.0.1:{port}/0", error.Target);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-password")]
    [InlineData(null)]
    public async Task A_wrong_or_missing_password_is_RedisAuthenticationFailed_and_never_shown(string? given)
    {
        await using RedisServer redis = await RedisServer.StartAsync(password: "right-password");
        string url = given is null ? $"redis://127.0.0.1:{redis.Port}/0" : $"redis://:{given}@127.0.0.1:{redis.Port}/0";

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(url));

        Assert.Equal("RedisAuthenticationFailed", error.ErrorId);
        Assert.Equal(MightyErrorKind.Authentication, error.Kind);
        Assert.DoesNotContain("right-password", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_right_password_works()
    {
        await using RedisServer redis = await RedisServer.StartAsync(password: "p@ss:w/rd");
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["default"] = 2 }, TimeSpan.Zero);
        Assert.Equal(2, (await ReadAsync(redis.Url())).Queues.Single().Size);
    }

    [Theory]
    [InlineData("SET queues not-a-set")]
    [InlineData("SADD queues default|SET queue:default not-a-list")]
    [InlineData("SADD queues default|RPUSH queue:default not-json")]
    [InlineData("SADD queues default|RPUSH queue:default [1,2]")]
    [InlineData("SADD queues default|RPUSH queue:default {\"enqueued_at\":\"yesterday\"}")]
    [InlineData("SADD processes host:1:abc|HSET host:1:abc busy 1|HSET host:1:abc:work t1 garbage")]
    public async Task Data_that_is_not_Sidekiqs_is_SidekiqDataInvalid(string commands)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await ExecuteAsync(redis, commands);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(redis.Url()));

        Assert.Equal("SidekiqDataInvalid", error.ErrorId);
        Assert.Contains("not Sidekiq's data", error.Message, StringComparison.Ordinal);
    }

    // Job arguments hold personal data and secrets: a job that cannot be read is named by its key,
    // its position and what is wrong, never by what it holds.
    [Theory]
    [InlineData("SADD queues default|LPUSH queue:default password=Hunter2Secret;card=4111111111111111", "queue:default", "at index -1 (its oldest job), a job that is not JSON")]
    [InlineData("SADD queues default|LPUSH queue:default {\"args\":[\"password=Hunter2Secret\"],\"enqueued_at\"", "queue:default", "a job that is not JSON (invalid at line 1")]
    [InlineData("SADD queues default|RPUSH queue:default [\"password=Hunter2Secret\"]", "queue:default", "a job that is a JSON array, not a JSON object")]
    [InlineData("SADD queues default|RPUSH queue:default {\"enqueued_at\":\"password=Hunter2Secret\"}", "queue:default", "a job whose enqueued_at is a JSON string, not a number")]
    [InlineData("SADD processes host:1:abc|HSET host:1:abc busy 1|HSET host:1:abc:work t1 password=Hunter2Secret", "host:1:abc:work", "in field 't1', a work entry that is not JSON")]
    [InlineData("SADD processes host:1:abc|HSET host:1:abc busy 1|HSET host:1:abc:workers t2 [\"password=Hunter2Secret\"]", "host:1:abc:workers", "in field 't2', a work entry that is a JSON array")]
    [InlineData("SADD processes host:1:abc|HSET host:1:abc busy 1|HSET host:1:abc:work t1 {\"payload\":\"password=Hunter2Secret\"}", "host:1:abc:work", "a work entry whose payload is not JSON (invalid at line 1")]
    [InlineData("SADD processes host:1:abc|HSET host:1:abc busy 1|HSET host:1:abc:work t1 {\"payload\":{\"args\":[\"password=Hunter2Secret\"]}}", "host:1:abc:work", "in field 't1', a work entry without a queue")]
    public async Task SidekiqDataInvalid_names_key_position_and_fault_never_the_jobs_contents(string commands, string key, string what)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await ExecuteAsync(redis, commands);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(redis.Url()));

        Assert.Equal("SidekiqDataInvalid", error.ErrorId);
        Assert.DoesNotContain("Hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Redis key '{key}' holds", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Equal(key, error.Target);
    }

    [Theory]
    [InlineData("1e308", "a time after the year 9999, more than 1 hour ahead")]
    [InlineData("1e400", "a time after the year 9999, more than 1 hour ahead")]
    [InlineData("99999999999999999999", "a time after the year 9999, more than 1 hour ahead")]
    [InlineData("-1e308", "a time before the year 1, before Sidekiq existed (2012)")]
    [InlineData("-5", "1969-12-31 23:59:59Z, before Sidekiq existed (2012)")]
    [InlineData("-5.0", "1969-12-31 23:59:55Z, before Sidekiq existed (2012)")]
    [InlineData("0", "1970-01-01 00:00:00Z, before Sidekiq existed (2012)")]
    public async Task An_impossible_enqueue_time_is_SidekiqDataInvalid_naming_the_key_never_the_job(string stamp, string expected)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await PushRawJobAsync(redis, "default", stamp);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(redis.Url()));

        Assert.Equal("SidekiqDataInvalid", error.ErrorId);
        Assert.Equal("queue:default", error.Target);
        Assert.Contains($"Redis key 'queue:default' holds, at index -1 (its oldest job), a job whose enqueued_at reads as {expected}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2Secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enqueue_time_ahead_of_the_clock_is_no_wait_within_an_hour_and_invalid_beyond()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await PushRawJobAsync(redis, "soon", (now + 600).ToString("0.000", CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, (await ReadAsync(redis.Url())).Queues.Single().Latency);

        await PushRawJobAsync(redis, "later", ((long)((now + (2 * 86400)) * 1000)).ToString(CultureInfo.InvariantCulture));
        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(redis.Url()));

        Assert.Equal("SidekiqDataInvalid", error.ErrorId);
        Assert.Contains("Redis key 'queue:later' holds, at index -1 (its oldest job), a job whose enqueued_at reads as ", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than 1 hour ahead of this machine's clock", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2Secret", error.ToString(), StringComparison.Ordinal);
    }

    // A job as a client that writes its own enqueued_at would leave it, with a secret in its arguments.
    private static async Task PushRawJobAsync(RedisServer redis, string queue, string enqueuedAt)
    {
        await using ConnectionMultiplexer writer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        IDatabase db = writer.GetDatabase();
        await db.SetAddAsync("queues", queue);
        await db.ListLeftPushAsync($"queue:{queue}", $$"""{"class":"HardJob","args":["password=Hunter2Secret"],"queue":"{{queue}}","jid":"0123456789abcdef01234567","enqueued_at":{{enqueuedAt}}}""");
    }

    [Fact]
    public async Task An_empty_Redis_is_SidekiqDataNotFound()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        var error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(redis.Url()));
        Assert.Equal("SidekiqDataNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Seventy_five_queues_take_two_round_trips()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(), Enumerable.Range(1, 75).ToDictionary(i => $"queue_{i:000}", i => 1 + (i % 4)), TimeSpan.Zero);

        SidekiqReading reading = await ReadAsync(redis.Url());

        Assert.Equal(75, reading.Queues.Count);
        Assert.Equal(2, reading.RoundTrips);
        Assert.Equal(Enumerable.Range(1, 75).Sum(i => 1 + (i % 4)), reading.Queues.Sum(q => q.Size));
    }

    private static void AssertFixture(SidekiqReading reading)
    {
        Assert.Equal(["critical", "default", "mailers"], reading.Queues.Select(q => q.Name));
        SidekiqQueueStats mailers = reading.Queues.Single(q => q.Name == "mailers");
        Assert.Equal(3, mailers.Size);
        // The oldest (last in the list) was enqueued 90.5 s before the fixture's "now".
        Assert.InRange(mailers.Latency.TotalSeconds, 90.5, 91.5);
        Assert.Equal(3, mailers.Busy);
        Assert.Equal(2, mailers.BusyProcesses);
        SidekiqQueueStats critical = reading.Queues.Single(q => q.Name == "critical");
        Assert.Equal(0, critical.Size);
        Assert.Equal(1, critical.Busy);
        // The dead process's leftover work does not count.
        Assert.Equal(0, reading.Queues.Single(q => q.Name == "default").Busy);
        Assert.Equal(2, reading.Processes);
    }

    // Raw Redis commands, '|' between commands and ' ' between arguments.
    private static async Task ExecuteAsync(RedisServer redis, string commands)
    {
        await using ConnectionMultiplexer writer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        foreach (string command in commands.Split('|'))
        {
            string[] parts = command.Split(' ');
            await writer.GetDatabase().ExecuteAsync(parts[0], parts.Skip(1).Select(p => (object)p).ToArray());
        }
    }

    private static async Task<SidekiqReading> ReadAsync(string url)
    {
        await using SidekiqStats stats = await SidekiqStats.ConnectAsync(RedisLocation.Parse(url), null, Timeout, null, NullOperationLog.Instance, CancellationToken.None);
        return await stats.ReadAsync(CancellationToken.None);
    }
}

/// <summary>
/// Sidekiq 7 and 8 data written key by key the way their source writes it: Client#atomic_push
/// (SADD queues, LPUSH queue:&lt;name&gt; with enqueued_at as epoch float seconds in 7, integer
/// milliseconds in 8) and Launcher#heartbeat (SADD processes, HSET &lt;identity&gt; info/busy/beat/...,
/// HSET &lt;identity&gt;:work tid → {"queue","payload" (the job as a JSON string),"run_at"}).
/// </summary>
public static class SidekiqFixture
{
    public static async Task WriteAsync(RedisServer redis, int version, DateTimeOffset now, string prefix)
    {
        await using ConnectionMultiplexer writer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},password={redis.Password}");
        IDatabase db = writer.GetDatabase();
        // mailers: three waiting, the oldest 90.5 s ago; default: one waiting; critical: drained.
        foreach ((string queue, double age) in new[] { ("mailers", 90.5), ("mailers", 30.0), ("mailers", 1.25), ("default", 5.0) })
        {
            await db.SetAddAsync(prefix + "queues", queue);
            await db.ListLeftPushAsync(prefix + "queue:" + queue, Job(version, queue, now - TimeSpan.FromSeconds(age)));
        }
        await db.SetAddAsync(prefix + "queues", "critical");

        // Two live processes and one whose heartbeat key expired but whose work hash lingers.
        string[] live = ["ip-10-0-1-20:1:5f1a2b3c4d5e", "ip-10-0-2-37:1:0a9b8c7d6e5f"];
        await Heartbeat(db, prefix, live[0], version, now, ("mailers", "tid1"), ("mailers", "tid2"), ("critical", "tid3"));
        await Heartbeat(db, prefix, live[1], version, now, ("mailers", "tid4"));
        string dead = "ip-10-0-3-54:1:deadbeef0000";
        await db.SetAddAsync(prefix + "processes", dead);
        await db.HashSetAsync(prefix + dead + ":work", "tid9", Work(version, "default", now));
    }

    /// <summary>A live Sidekiq 8 process (heartbeat written now) working on <paramref name="work"/>.</summary>
    public static async Task HeartbeatAsync(RedisServer redis, string identity, params (string Queue, string Tid)[] work)
    {
        await using ConnectionMultiplexer writer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},password={redis.Password}");
        await Heartbeat(writer.GetDatabase(), string.Empty, identity, 8, DateTimeOffset.UtcNow, work);
    }

    private static async Task Heartbeat(IDatabase db, string prefix, string identity, int version, DateTimeOffset now, params (string Queue, string Tid)[] work)
    {
        await db.SetAddAsync(prefix + "processes", identity);
        string info = JsonSerializer.Serialize(new { hostname = identity.Split(':')[0], started_at = now.ToUnixTimeMilliseconds() / 1000.0, pid = 1, tag = "app", concurrency = 5, queues = new[] { "mailers", "critical" }, labels = Array.Empty<string>(), identity, version = version == 8 ? "8.1.7" : "7.3.10" });
        await db.HashSetAsync(prefix + identity,
        [
            new HashEntry("info", info), new HashEntry("busy", work.Length), new HashEntry("beat", Seconds(now)),
            new HashEntry("rtt_us", 180), new HashEntry("quiet", "false"), new HashEntry("rss", 240_000),
        ]);
        // Launcher#heartbeat in 7 and 8 writes an empty-string-free hash; Sidekiq::WorkSet skips empty entries anyway.
        await db.HashSetAsync(prefix + identity + ":work", work.Select(w => new HashEntry(w.Tid, Work(version, w.Queue, now))).ToArray());
    }

    private static string Job(int version, string queue, DateTimeOffset enqueuedAt)
    {
        // Sidekiq 8 stores epoch milliseconds (an integer); 7 stores epoch seconds (a float).
        string stamp = version >= 8 ? enqueuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : Seconds(enqueuedAt);
        return $$"""{"retry":true,"queue":"{{queue}}","class":"HardJob","args":[1],"jid":"{{Guid.NewGuid():n}}","created_at":{{stamp}},"enqueued_at":{{stamp}}}""";
    }

    private static string Work(int version, string queue, DateTimeOffset now) =>
        JsonSerializer.Serialize(new { queue, payload = Job(version, queue, now - TimeSpan.FromSeconds(2)), run_at = now.ToUnixTimeSeconds() });

    private static string Seconds(DateTimeOffset at) => (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000###", CultureInfo.InvariantCulture);
}
