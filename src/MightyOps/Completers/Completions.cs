using System.Management.Automation;
using System.Text;
using MightyOps.Core;

namespace MightyOps.Completers;

/// <summary>
/// Shared completion plumbing: prefix/wildcard matching and quoting. Candidates come from outside
/// (Redis, git, ECS): the menu shows them made visible, and a candidate with control characters is
/// inserted as a double-quoted string whose escapes spell them (docs/design/terminal-safety.md).
/// </summary>
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
                string shown = TerminalText.VisibleLine(candidate);
                yield return new CompletionResult(Quote(candidate), shown, CompletionResultType.ParameterValue, shown);
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
        !ReferenceEquals(TerminalText.VisibleLine(value), value) ? Escaped(value)
        : value.Any(c => char.IsWhiteSpace(c) || c is '$' or '`' or '\'' or '"' or ';' or '(' or ')' or '{' or '}' or ',' or '&' or '|' or '@' or '#')
            ? "'" + value.Replace("'", "''") + "'"
            : value;

    // "…" with PowerShell's escapes for every control character: the same string when the command
    // runs, and nothing a terminal would act on while it is typed.
    private static string Escaped(string value)
    {
        var text = new StringBuilder("\"");
        foreach (char c in value)
        {
            text.Append(c switch
            {
                '\0' => "`0",
                '\a' => "`a",
                '\b' => "`b",
                '\f' => "`f",
                '\n' => "`n",
                '\r' => "`r",
                '\t' => "`t",
                '\v' => "`v",
                '\u001b' => "`e",
                // PowerShell also ends a double-quoted string at its typographic quotes.
                '`' or '"' or '$' or '\u201C' or '\u201D' or '\u201E' => "`" + c,
                _ when c < ' ' || c is >= '\u007F' and <= '\u009F' => $"`u{{{(int)c:x}}}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}
