using System.Text;

namespace MightyOps.HelpBuilder;

/// <summary>Console text layout: word wrapping at a width and tables in aligned columns.</summary>
internal static class TextLayout
{
    /// <summary>Wraps <paramref name="text"/> into lines of at most <paramref name="width"/> characters (a longer word gets a line of its own).</summary>
    public static List<string> Wrap(string text, string firstIndent, string indent, int width)
    {
        var lines = new List<string>();
        foreach (string hardLine in text.Split('\n'))
        {
            var line = new StringBuilder(lines.Count == 0 ? firstIndent : indent);
            int start = line.Length;
            foreach (string word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > start && line.Length + 1 + word.Length > width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(indent);
                    start = line.Length;
                }
                if (line.Length > start)
                {
                    line.Append(' ');
                }
                line.Append(word);
            }
            lines.Add(line.ToString().TrimEnd());
        }
        return lines;
    }

    /// <summary>
    /// A table in aligned columns with a dashed rule under the header. When it would not fit in
    /// <paramref name="width"/>, each row becomes a block instead: the first cell, then
    /// "Header: value" lines for the others, wrapped.
    /// </summary>
    public static string Table(TableText table, int indent, int width)
    {
        if (table.Rows.Count == 0)
        {
            return string.Empty;
        }
        int columns = table.Rows.Max(r => r.Count);
        string Cell(IReadOnlyList<string> row, int i) => i < row.Count ? row[i] : string.Empty;
        int[] widths = Enumerable.Range(0, columns).Select(i => table.Rows.Max(r => Cell(r, i).Length)).ToArray();
        string pad = new(' ', indent);
        var sb = new StringBuilder();
        if (indent + widths.Sum() + (2 * (columns - 1)) <= width)
        {
            for (int r = 0; r < table.Rows.Count; r++)
            {
                sb.Append(pad).AppendJoin("  ", Enumerable.Range(0, columns).Select(i => Cell(table.Rows[r], i).PadRight(widths[i])));
                TrimLineEnd(sb);
                sb.Append('\n');
                if (r == 0)
                {
                    sb.Append(pad).AppendJoin("  ", widths.Select(w => new string('-', w)));
                    sb.Append('\n');
                }
            }
            return sb.ToString().TrimEnd('\n');
        }
        IReadOnlyList<string> header = table.Rows[0];
        foreach (IReadOnlyList<string> row in table.Rows.Skip(1))
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }
            foreach (string line in Wrap(Cell(row, 0), pad, pad, width))
            {
                sb.Append(line).Append('\n');
            }
            for (int i = 1; i < columns; i++)
            {
                string label = Cell(header, i).Length > 0 ? Cell(header, i) + ": " : string.Empty;
                foreach (string line in Wrap(label + Cell(row, i), pad + "    ", pad + "      ", width))
                {
                    sb.Append(line).Append('\n');
                }
            }
        }
        return sb.ToString().TrimEnd('\n');
    }

    private static void TrimLineEnd(StringBuilder sb)
    {
        while (sb.Length > 0 && sb[^1] == ' ')
        {
            sb.Length--;
        }
    }
}
