using MightyOps.Core.Queues;

namespace MightyOps.Commands.Queues;

/// <summary>
/// What the queue cmdlets take from mighty.psd1: the cluster, the Redis URL and namespace, and per
/// service its queue and policy.
/// </summary>
internal static class QueueCmdletSettings
{
    public static QueueSnapshotRequest Request(string? cluster, string? redis, string? keyNamespace) =>
        new(
            cluster,
            DefaultCluster: ConfiguredCluster() ?? "default",
            RedisLocation.Resolve(redis, ConfiguredRedis(), Environment.GetEnvironmentVariable),
            keyNamespace ?? ConfiguredNamespace(),
            ConfiguredServices());

    public static string? ConfiguredCluster() => null;

    public static string? ConfiguredRedis() => null;

    public static string? ConfiguredNamespace() => null;

    public static IReadOnlyDictionary<string, QueueServiceSettings> ConfiguredServices() =>
        new Dictionary<string, QueueServiceSettings>(StringComparer.Ordinal);
}
