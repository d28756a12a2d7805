using System.Management.Automation;
using MightyOps.Core;

namespace MightyOps.Completers;

/// <summary>Shared completion plumbing: prefix/wildcard matching and quoting.</summary>
internal static class Completions
{
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> candidates, string? wordToComplete)
    {
        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
        foreach (string candidate in candidates.Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase))
        {
            if (pattern.IsMatch(candidate))
            {
                yield return new CompletionResult(Quote(candidate), candidate, CompletionResultType.ParameterValue, candidate);
            }
        }
    }

    /// <summary>
    /// Runs a read for a completer off the prompt's thread and gives up after <paramref name="timeout"/>,
    /// so a slow endpoint or repository never hangs the prompt. Null when the read failed or took
    /// too long: the completer then completes nothing, rather than print errors at the prompt.
    /// </summary>
    public static IReadOnlyList<string>? Within(TimeSpan timeout, Func<CancellationToken, Task<IReadOnlyList<string>>> read)
    {
        var cts = new CancellationTokenSource(timeout);
        Task<IReadOnlyList<string>> task = Task.Run(() => read(cts.Token));
        try
        {
            return task.WaitAsync(timeout).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is MightyOpsException or OperationCanceledException or TimeoutException)
        {
            return null;
        }
        finally
        {
            // Abandoned reads still hold the token; the source goes with them.
            if (task.IsCompleted)
            {
                cts.Dispose();
            }
        }
    }

    private static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '$' or '`' or '\'' or '"' or ';' or '(' or ')' or '{' or '}' or ',' or '&' or '|' or '@' or '#')
            ? "'" + value.Replace("'", "''") + "'"
            : value;
}
