using System.Management.Automation;

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

    private static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '$' or '`' or '\'' or '"' or ';' or '(' or ')' or '{' or '}' or ',' or '&' or '|' or '@' or '#')
            ? "'" + value.Replace("'", "''") + "'"
            : value;
}
