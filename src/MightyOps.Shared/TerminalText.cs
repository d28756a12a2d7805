using System.Buffers;
using System.Globalization;
using System.Text;

namespace MightyOps;

/// <summary>
/// Text from outside MightyOps (the cluster, its logs, Redis, git, config files) made safe to show
/// on a terminal: a control character in it would otherwise be obeyed by the terminal (ESC ] 0 sets
/// the window title, ESC ] 52 writes the clipboard, ESC [ 2J clears the screen, a bare CR
/// overwrites the line). Every default view and every message goes through here; the objects keep
/// the exact text (docs/design/terminal-safety.md).
/// </summary>
public static class TerminalText
{
    /// <summary>How much of an outside value a message quotes by default (a name, a key, an error text).</summary>
    public const int QuoteLength = 200;

    /// <summary>How much of one outside line (a log line, a service event, a stopped reason) a message quotes.</summary>
    public const int LineLength = 1000;

    // Everything that changes: C0 controls except TAB (09) and LF (0A), DEL and the C1 controls.
    private static readonly SearchValues<char> Controls = SearchValues.Create(Range(0x00, 0x08) + Range(0x0B, 0x1F) + Range(0x7F, 0x9F));

    // The same and LF too: for a value inside a one-line sentence.
    private static readonly SearchValues<char> ControlsAndBreaks = SearchValues.Create(Range(0x00, 0x08) + Range(0x0A, 0x1F) + Range(0x7F, 0x9F));

    /// <summary>
    /// <paramref name="text"/> with its control characters made visible; line breaks (LF, and CR LF
    /// as LF) and tabs stay. A C0 control becomes its Unicode control picture (ESC → ␛, BEL → ␇,
    /// NUL → ␀, a CR not followed by LF → ␍), DEL becomes ␡, a C1 control becomes <c>\x9b</c>.
    /// Text without any comes back as the same instance; null becomes empty.
    /// </summary>
    public static string Visible(string? text) => Convert(text, keepBreaks: true);

    /// <summary>Like <see cref="Visible"/>, but line breaks become visible too (LF → ␊, CR LF → ␍␊): the text stays on one line. Tabs stay.</summary>
    public static string VisibleLine(string? text) => Convert(text, keepBreaks: false);

    /// <summary>
    /// At most <paramref name="max"/> characters of <paramref name="text"/>; a longer text is cut and
    /// ends in "… (N characters)", N being the whole text's length. Control characters are left as
    /// they are (see <see cref="Quote(string?, int)"/>). Null becomes empty.
    /// </summary>
    public static string Shorten(string? text, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (text is null)
        {
            return string.Empty;
        }
        if (text.Length <= max)
        {
            return text;
        }
        // Never half a surrogate pair.
        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return string.Concat(text.AsSpan(0, cut), "… (", text.Length.ToString("N0", CultureInfo.InvariantCulture), " characters)");
    }

    /// <summary>An outside value as a sentence may quote it: shortened to <see cref="QuoteLength"/> characters and made visible on one line. Adds no quotation marks.</summary>
    public static string Quote(string? value) => Quote(value, QuoteLength);

    /// <summary>An outside value as a sentence may quote it: shortened to <paramref name="max"/> characters and made visible on one line. Adds no quotation marks.</summary>
    public static string Quote(string? value, int max) => VisibleLine(Shorten(value, max));

    /// <summary>True when <paramref name="text"/> holds a character <see cref="Visible"/> would change.</summary>
    public static bool HasControls(string? text) => text is not null && text.AsSpan().IndexOfAny(Controls) >= 0;

    private static string Convert(string? text, bool keepBreaks)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        int first = text.AsSpan().IndexOfAny(keepBreaks ? Controls : ControlsAndBreaks);
        if (first < 0)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r' && keepBreaks && i + 1 < text.Length && text[i + 1] == '\n')
            {
                // CR LF is a line break: the LF alone says the same and moves nothing back.
                continue;
            }
            if (c == '\t' || (c == '\n' && keepBreaks))
            {
                builder.Append(c);
            }
            else if (c < '\u0020')
            {
                builder.Append((char)(0x2400 + c));
            }
            else if (c == '\u007F')
            {
                builder.Append('\u2421');
            }
            else if (c is >= '\u0080' and <= '\u009F')
            {
                builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static string Range(int first, int last) => new(Enumerable.Range(first, last - first + 1).Select(c => (char)c).ToArray());
}
