using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Core;
using MightyOps.Core.Config;
using MightyOps.Core.Queues;

namespace MightyOps.Completers;

/// <summary>
/// Completes -Name/-Queue from Sidekiq's <c>queues</c> set in the Redis the command line names
/// (-Redis, else mighty.psd1's Redis, else $env:REDIS_URL; -Namespace or the config's): cached for 30 seconds, abandoned after two so
/// an unreachable Redis never hangs the prompt.
/// </summary>
public sealed class QueueCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<string, (DateTime At, IReadOnlyList<string> Names)> Cache = new(StringComparer.Ordinal);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string here = LocalGit.Location(null);
        string? configPath = fakeBoundParameters["ConfigPath"] as string;
        string? redis = fakeBoundParameters["Redis"] as string;
        string? keyNamespace = fakeBoundParameters["Namespace"] as string;
        IReadOnlyList<string>? names = Completions.Within(Timeout, async ct =>
        {
            MightyConfig config = await ConfigLocator.LoadAsync(configPath is null ? null : Path.Combine(here, configPath), here, NullOperationLog.Instance, ct).ConfigureAwait(false);
            RedisLocation location = RedisLocation.Resolve(redis, config.Redis?.OriginalString, Environment.GetEnvironmentVariable);
            string? prefix = keyNamespace ?? config.Namespace;
            string key = location + "|" + prefix;
            if (Cache.TryGetValue(key, out var hit) && DateTime.UtcNow - hit.At < Lifetime)
            {
                return hit.Names;
            }
            await using SidekiqStats stats = await SidekiqStats.ConnectAsync(location, prefix, Timeout, null, NullOperationLog.Instance, ct).ConfigureAwait(false);
            IReadOnlyList<string> read = await stats.QueueNamesAsync(ct).ConfigureAwait(false);
            Cache[key] = (DateTime.UtcNow, read);
            return read;
        });
        return Completions.Matching(names ?? [], wordToComplete);
    }
}
