using System.Text;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace MightyOps.HelpBuilder;

/// <summary>
/// Markdown to the plain text a console shows. Emphasis and code-span markers go (a backtick is
/// PowerShell's escape character, so keeping them would mislead); a link keeps its text, plus the
/// address when it points outside these docs.
/// </summary>
internal static class PlainText
{
    public static string Of(LeafBlock block) => block.Inline is null ? string.Empty : Of(block.Inline).Trim();

    public static string Of(ContainerInline container)
    {
        var sb = new StringBuilder();
        Append(sb, container);
        return Collapse(sb.ToString());
    }

    /// <summary>The text blocks of a run of markdown blocks. Headings below the section level become paragraphs.</summary>
    public static List<TextBlock> Blocks(IEnumerable<Block> blocks)
    {
        var result = new List<TextBlock>();
        foreach (Block block in blocks)
        {
            AddBlock(result, block);
        }
        return result;
    }

    /// <summary>True when <paramref name="url"/> is an absolute web or mail address (not a link to another page of these docs).</summary>
    public static bool IsAbsoluteUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" or "mailto";

    /// <summary>The text of a code block, without the fence and with its line breaks as "\n".</summary>
    public static string CodeOf(CodeBlock code)
    {
        var lines = new List<string>();
        foreach (Markdig.Helpers.StringLine line in code.Lines)
        {
            lines.Add(line.ToString().TrimEnd());
        }
        // Markdig keeps a trailing empty line of an indented block; a help page should not.
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return string.Join('\n', lines);
    }

    private static void AddBlock(List<TextBlock> result, Block block)
    {
        switch (block)
        {
            case HeadingBlock heading:
                result.Add(new ParagraphText(Of(heading)));
                break;
            case ParagraphBlock paragraph:
                string text = Of(paragraph);
                if (text.Length > 0)
                {
                    result.Add(new ParagraphText(text));
                }
                break;
            case FencedCodeBlock fenced:
                result.Add(new CodeText(CodeOf(fenced), fenced.Info ?? string.Empty));
                break;
            case CodeBlock code:
                result.Add(new CodeText(CodeOf(code), string.Empty));
                break;
            case ListBlock list:
                var entries = new List<ListEntry>();
                AddList(entries, list, 0);
                result.Add(new ListText(entries));
                break;
            case Table table:
                result.Add(new TableText(TableRows(table)));
                break;
            case QuoteBlock quote:
                foreach (Block inner in quote)
                {
                    AddBlock(result, inner);
                }
                break;
            default:
                // HTML comments, thematic breaks: nothing a console reader needs.
                break;
        }
    }

    private static void AddList(List<ListEntry> entries, ListBlock list, int depth)
    {
        int number = int.TryParse(list.OrderedStart, out int start) ? start : 1;
        foreach (Block item in list)
        {
            string marker = list.IsOrdered ? $"{number++}." : "-";
            bool first = true;
            foreach (Block inner in (ListItemBlock)item)
            {
                switch (inner)
                {
                    case ListBlock nested:
                        AddList(entries, nested, depth + 1);
                        break;
                    case CodeBlock code:
                        entries.Add(new ListEntry(first ? marker : string.Empty, CodeOf(code), depth));
                        first = false;
                        break;
                    case LeafBlock leaf:
                        entries.Add(new ListEntry(first ? marker : string.Empty, Of(leaf), depth));
                        first = false;
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private static List<IReadOnlyList<string>> TableRows(Table table)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (Block row in table)
        {
            var cells = new List<string>();
            foreach (Block cell in (TableRow)row)
            {
                cells.Add(string.Join(' ', ((TableCell)cell).OfType<LeafBlock>().Select(Of)));
            }
            rows.Add(cells);
        }
        return rows;
    }

    private static void Append(StringBuilder sb, ContainerInline container)
    {
        foreach (Inline inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    sb.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    sb.Append(code.Content);
                    break;
                case AutolinkInline autolink:
                    sb.Append(autolink.Url);
                    break;
                case LinkInline link:
                    int before = sb.Length;
                    Append(sb, link);
                    string text = sb.ToString(before, sb.Length - before);
                    if (!link.IsImage && IsAbsoluteUrl(link.Url) && !string.Equals(text.Trim(), link.Url, StringComparison.OrdinalIgnoreCase))
                    {
                        sb.Append(" (").Append(link.Url).Append(')');
                    }
                    break;
                case LineBreakInline lineBreak:
                    sb.Append(lineBreak.IsHard ? '\n' : ' ');
                    break;
                case HtmlEntityInline entity:
                    sb.Append(entity.Transcoded.ToString());
                    break;
                case HtmlInline html:
                    if (html.Tag.StartsWith("<br", StringComparison.OrdinalIgnoreCase))
                    {
                        sb.Append('\n');
                    }
                    break;
                case ContainerInline inner:
                    Append(sb, inner);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Runs of spaces to one (soft line breaks leave them), trimmed around hard breaks.</summary>
    private static string Collapse(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (string line in text.Split('\n'))
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }
            bool space = false;
            foreach (char c in line.Trim())
            {
                if (c == ' ' || c == '\t')
                {
                    space = true;
                    continue;
                }
                if (space)
                {
                    sb.Append(' ');
                    space = false;
                }
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
