using System.Globalization;
using System.Text.Json;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Whether a Sidekiq container gets the time its shutdown needs: ECS sends SIGTERM, waits the
/// container's <c>stopTimeout</c> (30 s when not set) and then sends SIGKILL; Sidekiq, on SIGTERM,
/// stops fetching, waits up to its shutdown timeout (<c>-t</c>/<c>--timeout</c>, 25 s by default)
/// for running jobs, then pushes the unfinished ones back to Redis. A stopTimeout shorter than the
/// shutdown timeout kills jobs mid-flight (docs/design/load-balanced-deploys.md, "Sidekiq").
/// </summary>
public static class SidekiqShutdown
{
    /// <summary>Sidekiq's shutdown timeout when the command does not set one.</summary>
    public const int DefaultTimeout = 25;

    /// <summary>ECS's stopTimeout when the container definition does not set one (EC2 and Fargate).</summary>
    public const int DefaultStopTimeout = 30;

    /// <summary>
    /// The shutdown timeout a Sidekiq command line sets (<c>-t 60</c>, <c>-t60</c>, <c>--timeout 60</c>,
    /// <c>--timeout=60</c>, also inside a <c>sh -c "…"</c> string); the default when it sets none;
    /// null when the command does not run Sidekiq.
    /// </summary>
    public static int? Timeout(IReadOnlyList<string> commandLine) =>
        Read(commandLine) is { } read ? read.Seconds ?? DefaultTimeout : null;

    /// <summary>Whether the command runs Sidekiq, and the timeout it sets (null: none, the default applies); null when it does not run Sidekiq.</summary>
    private static (int? Seconds, bool Sidekiq)? Read(IReadOnlyList<string> commandLine)
    {
        List<string> words = commandLine.SelectMany(a => a.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToList();
        int sidekiq = words.FindIndex(w => Path.GetFileName(w) == "sidekiq");
        if (sidekiq < 0)
        {
            return null;
        }
        for (int i = sidekiq + 1; i < words.Count; i++)
        {
            string word = words[i];
            string? value = word switch
            {
                "-t" or "--timeout" when i + 1 < words.Count => words[i + 1],
                _ when word.StartsWith("--timeout=", StringComparison.Ordinal) => word["--timeout=".Length..],
                _ when word.StartsWith("-t", StringComparison.Ordinal) && word.Length > 2 && char.IsAsciiDigit(word[2]) => word[2..],
                _ => null,
            };
            if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
            {
                return (seconds, true);
            }
        }
        return (null, true);
    }

    /// <summary>One warning per Sidekiq container whose stopTimeout is not longer than its shutdown timeout.</summary>
    public static IEnumerable<string> Warnings(string service, IEnumerable<EcsContainerDefinition> containers)
    {
        foreach (EcsContainerDefinition container in containers)
        {
            if (Read([.. container.EntryPoint ?? [], .. container.Command ?? []]) is not { } read)
            {
                continue;
            }
            int timeout = read.Seconds ?? DefaultTimeout;
            int stop = container.Other is not null && container.Other.TryGetValue("stopTimeout", out JsonElement value) && value.ValueKind == JsonValueKind.Number
                ? value.GetInt32()
                : DefaultStopTimeout;
            if (stop > timeout)
            {
                continue;
            }
            string stopSource = container.Other?.ContainsKey("stopTimeout") == true ? $"stopTimeout {stop}" : $"no stopTimeout (ECS waits {stop} s)";
            string timeoutSource = read.Seconds is null ? $"Sidekiq's default shutdown timeout is {timeout} s" : $"Sidekiq's shutdown timeout is {timeout} s (-t {timeout})";
            yield return $"{service}: container '{container.Name}' has {stopSource} but {timeoutSource}: ECS kills the container {stop} s after SIGTERM, while jobs may still run and before Sidekiq pushes them back. Set StopTimeout to at least {Math.Min(timeout + 5, 120)} in mighty.psd1 (ECS allows up to 120), or lower -t.";
        }
    }
}
