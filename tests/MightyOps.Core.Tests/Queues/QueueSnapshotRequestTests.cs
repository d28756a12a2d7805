using MightyOps.Core.Config;
using MightyOps.Core.Queues;
using Xunit;

namespace MightyOps.Core.Tests.Queues;

/// <summary>What a queue read needs: Redis for -Auto and wildcards, ECS and the config alone for a count set by hand (docs/design/queue-scaling.md).</summary>
public sealed class QueueSnapshotRequestTests
{
    private static string? NoEnvironment(string name) => null;

    private static string? RedisInEnvironment(string name) => name == RedisLocation.EnvironmentVariable ? "redis://sidekiq.internal:6379/0" : null;

    [Theory]
    [InlineData(new[] { "mailers" }, false)]
    [InlineData(new[] { "mailers", "default" }, false)]
    [InlineData(new[] { "mail*" }, true)]
    [InlineData(new[] { "mailers", "ios_[a-z]*" }, true)]
    public void A_count_by_hand_reads_Redis_only_for_a_wildcard(string[] queues, bool readsRedis)
    {
        QueueSnapshotRequest request = QueueSnapshotRequest.ForCount(MightyConfig.Empty, "production", null, null, RedisInEnvironment, queues);
        Assert.Equal(readsRedis, request.Redis is not null);
        Assert.Equal(readsRedis ? [] : queues, request.NamedQueues);
    }

    [Fact]
    public void A_count_by_hand_for_named_queues_needs_no_Redis_anywhere()
    {
        QueueSnapshotRequest request = QueueSnapshotRequest.ForCount(MightyConfig.Empty, null, null, null, NoEnvironment, ["mailers"]);
        Assert.Null(request.Redis);
        Assert.Equal("default", request.DefaultCluster);
    }

    [Fact]
    public void A_wildcard_without_Redis_says_that_names_need_none()
    {
        MightyOpsException e = Assert.Throws<MightyOpsException>(() => QueueSnapshotRequest.ForCount(MightyConfig.Empty, null, null, null, NoEnvironment, ["mailers", "mail*"]));
        Assert.Equal("RedisNotConfigured", e.ErrorId);
        Assert.Contains("-Queue 'mail*' is a wildcard", e.Message, StringComparison.Ordinal);
        Assert.Contains("-Count with queue names needs no Redis", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_needs_Redis()
    {
        MightyOpsException e = Assert.Throws<MightyOpsException>(() => QueueSnapshotRequest.From(MightyConfig.Empty, null, null, null, NoEnvironment));
        Assert.Equal("RedisNotConfigured", e.ErrorId);
    }
}
