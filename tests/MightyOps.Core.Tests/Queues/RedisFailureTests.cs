using MightyOps.Core.Queues;
using MightyOps.Core.Tests.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Queues;

/// <summary>
/// A real redis-server that stops answering (SIGSTOP) or goes away in the middle of a read
/// (SIGKILL while the pipeline is in flight): each is reported as what happened, with the time
/// waited, never as "could not connect".
/// </summary>
public sealed class RedisFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_server_frozen_before_the_handshake_is_RedisTimeout_after_the_connect_timeout()
    {
        await using RedisServer redis = await RedisServer.StartAsync(password: "s3cret");
        await redis.FreezeAsync();
        try
        {
            var error = await Assert.ThrowsAsync<MightyOpsException>(() => SidekiqStats.ConnectAsync(RedisLocation.Parse(redis.Url()), null, Timeout, null, new RecordingLog(), CancellationToken.None));

            Assert.Equal("RedisTimeout", error.ErrorId);
            Assert.Equal(MightyErrorKind.Timeout, error.Kind);
            Assert.Contains($"Redis at redis://:***@127.0.0.1:{redis.Port}/0 accepted the connection but did not answer within 1 s", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Could not connect", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await redis.ThawAsync();
        }
    }

    [Fact]
    public async Task A_server_that_freezes_during_a_read_is_RedisTimeout_after_the_timeout()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["mailers"] = 3 }, TimeSpan.Zero);
        await using SidekiqStats stats = await SidekiqStats.ConnectAsync(RedisLocation.Parse(redis.Url()), null, Timeout, null, new RecordingLog(), CancellationToken.None);
        await redis.FreezeAsync();
        try
        {
            var error = await Assert.ThrowsAsync<MightyOpsException>(() => stats.ReadAsync(CancellationToken.None));

            Assert.Equal("RedisTimeout", error.ErrorId);
            Assert.Equal(MightyErrorKind.Timeout, error.Kind);
            Assert.Contains($"Redis at redis://127.0.0.1:{redis.Port}/0 did not answer within 1 s while Sidekiq's queues were read", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Could not connect", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await redis.ThawAsync();
        }
    }

    [Fact]
    public async Task A_connection_dropped_while_the_pipeline_is_in_flight_is_RedisConnectionLost()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await SidekiqRuby.PushAsync(redis.Url(), new Dictionary<string, int> { ["mailers"] = 3 }, TimeSpan.Zero);
        await using SidekiqStats stats = await SidekiqStats.ConnectAsync(RedisLocation.Parse(redis.Url()), null, TimeSpan.FromSeconds(5), null, new RecordingLog(), CancellationToken.None);
        // Frozen, the server takes the pipeline into its socket buffer and does not answer; killed
        // then, its connections are reset under the read.
        await redis.FreezeAsync();
        Task<SidekiqReading> read = stats.ReadAsync(CancellationToken.None);
        await Task.Delay(200);
        Assert.False(read.IsCompleted);
        await redis.KillAsync();

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => read);

        Assert.Equal("RedisConnectionLost", error.ErrorId);
        Assert.Equal(MightyErrorKind.Connection, error.Kind);
        Assert.Contains($"The connection to Redis at redis://127.0.0.1:{redis.Port}/0 was lost while Sidekiq's queues were read", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Could not connect", error.Message, StringComparison.Ordinal);
    }
}
