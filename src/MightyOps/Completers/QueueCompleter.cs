using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Core;
using MightyOps.Commands.Queues;
using MightyOps.Core.Queues;

namespace MightyOps.Completers;

/// <summary>
/// Completes -Name/-Queue from Sidekiq's <c>queues</c> set in the Redis the command line names
/// (-Redis, else $env:REDIS_URL, and -Namespace): cached for 30 seconds, abandoned after two so
/// an unreachable Redis never hangs the prompt.
/// </summary>
public sealed class QueueCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<string, (DateTime At, IReadOnlyList<string> Names)> Cache = new(StringComparer.Ordinal);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? url = fakeBoundParameters["Redis"] as string ?? QueueCmdletSettings.ConfiguredRedis() ?? Environment.GetEnvironmentVariable(RedisLocation.EnvironmentVariable);
        string? keyNamespace = fakeBoundParameters["Namespace"] as string ?? QueueCmdletSettings.ConfiguredNamespace();
        if (string.IsNullOrWhiteSpace(url))
        {
            return [];
        }
        string key = url + "|" + keyNamespace;
        if (!Cache.TryGetValue(key, out var hit) || DateTime.UtcNow - hit.At >= Lifetime)
        {
            IReadOnlyList<string>? names = Completions.Within(Timeout, async ct =>
            {
                RedisLocation location = RedisLocation.Parse(url);
                await using SidekiqStats stats = await SidekiqStats.ConnectAsync(location, keyNamespace, Timeout, null, NullOperationLog.Instance, ct).ConfigureAwait(false);
                return await stats.QueueNamesAsync(ct).ConfigureAwait(false);
            });
            if (names is null)
            {
                return [];
            }
            hit = (DateTime.UtcNow, names);
            Cache[key] = hit;
        }
        return Completions.Matching(hit.Names, wordToComplete);
    }
}
