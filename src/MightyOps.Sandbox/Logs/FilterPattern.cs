namespace MightyOps.Sandbox.Logs;

/// <summary>
/// CloudWatch Logs filter patterns for unstructured lines: terms that must all appear
/// (<c>ERROR timeout</c>), quoted phrases (<c>"Completed 500"</c>), <c>?a ?b</c> for any of them, and
/// <c>-term</c> to exclude; case-sensitive, as in CloudWatch. JSON (<c>{ $.x = 1 }</c>) and
/// space-delimited (<c>[ip, ...]</c>) patterns are not simulated and are refused.
/// </summary>
internal sealed class FilterPattern
{
    private readonly List<string> _all = [];
    private readonly List<string> _any = [];
    private readonly List<string> _none = [];

    public static FilterPattern Parse(string? text)
    {
        var pattern = new FilterPattern();
        text = text?.Trim() ?? string.Empty;
        if (text.StartsWith('{') || text.StartsWith('['))
        {
            throw new SandboxException("InvalidParameterException", "The sandbox matches terms and quoted phrases only; JSON and space-delimited filter patterns are not simulated.");
        }
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            char sign = text[i] is '?' or '-' ? text[i++] : ' ';
            string term;
            if (i < text.Length && text[i] == '"')
            {
                int close = text.IndexOf('"', i + 1);
                if (close < 0)
                {
                    throw new SandboxException("InvalidParameterException", "Invalid filter pattern: a quoted phrase is not closed.");
                }
                term = text[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                int end = i;
                while (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
                term = text[i..end];
                i = end;
            }
            (sign switch { '?' => pattern._any, '-' => pattern._none, _ => pattern._all }).Add(term);
        }
        return pattern;
    }

    public bool Matches(string message) =>
        _all.All(t => message.Contains(t, StringComparison.Ordinal))
        && (_any.Count == 0 || _any.Any(t => message.Contains(t, StringComparison.Ordinal)))
        && !_none.Any(t => message.Contains(t, StringComparison.Ordinal));
}
