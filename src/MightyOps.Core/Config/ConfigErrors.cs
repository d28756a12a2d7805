namespace MightyOps.Core.Config;

/// <summary>The errors of reading mighty.psd1 (<see cref="ConfigErrorIds"/>), and how they quote the file and suggest a key.</summary>
public static class ConfigErrors
{
    /// <summary>How much of a key or value from the file an error message quotes.</summary>
    public const int QuoteLength = 60;

    /// <summary>
    /// <paramref name="text"/> for a message: whole when short, else its first
    /// <see cref="QuoteLength"/> characters, an ellipsis and the full length, made visible on one
    /// line (docs/design/terminal-safety.md), so a huge or hostile value in the file cannot flood
    /// or drive the terminal.
    /// </summary>
    public static string Shorten(string text) => TerminalText.Quote(text, QuoteLength);

    internal static MightyOpsException Invalid(string path, string message) =>
        new(ConfigErrorIds.ConfigInvalid, message, path);

    internal static MightyOpsException NotFound(string path, string origin) =>
        new(ConfigErrorIds.ConfigNotFound, $"The config file '{path}' named by {origin} does not exist. Fix the path, or leave {origin} unset to use the mighty.psd1 found from the current folder upward.", path);

    /// <summary>
    /// The known name closest to <paramref name="unknown"/> when it looks like a typo (a few edits
    /// away, or a prefix such as Profile for ProfileName); null otherwise.
    /// </summary>
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            if (unknown.Length > (2 * candidate.Length) + 3)
            {
                // Too long to be a typo of it; and the distance table would be as large as the key.
                continue;
            }
            int distance = Distance(unknown.ToLowerInvariant(), candidate.ToLowerInvariant());
            bool prefix = unknown.Length >= 3 && candidate.StartsWith(unknown, StringComparison.OrdinalIgnoreCase);
            int allowed = Math.Max(1, Math.Min(3, candidate.Length / 3));
            if ((distance <= allowed || prefix) && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    // neighbouring letters (the most common typo) each count one.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
