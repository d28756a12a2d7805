using System.Text;
using Markdig.Syntax;

namespace MightyOps.HelpBuilder;

/// <summary>
/// Renders docs/about_&lt;Topic&gt;.md as the classic about_&lt;Topic&gt;.help.txt that
/// <c>Get-Help about_Topic</c> prints as it is:
/// <code>
/// TOPIC
///     about_Topic
///
/// SHORT DESCRIPTION
///     One sentence.
///
/// LONG DESCRIPTION
///     Text wrapped at 80 columns, indented four.
///
///         Code indented eight, never wrapped.
///
///   A SUBSECTION
///     ...
/// </code>
/// Level-2 headings are upper-cased at the margin, level-3 upper-cased and indented two, deeper
/// ones indented four as written.
/// </summary>
internal static class AboutTopic
{
    private const int Width = 80;
    private const string Body = "    ";
    private const string CodeIndent = "        ";

    private static readonly string[] RequiredSections = ["SHORT DESCRIPTION", "LONG DESCRIPTION"];

    /// <summary>The help.txt text, or null (with problems reported) when the page is not a valid about topic.</summary>
    public static string? Render(MarkdownPage page, PageProblems problems)
    {
        int errorsBefore = problems.ErrorCount;
        string topic = Path.GetFileNameWithoutExtension(page.Path);
        if (page.Title is null)
        {
            problems.Error(page.DisplayPath, 1, string.Empty, $"The page has no '# {topic}' title.");
        }
        else if (!string.Equals(PlainText.Of(page.Title), topic, StringComparison.OrdinalIgnoreCase))
        {
            problems.Error(page.DisplayPath, MarkdownPage.LineOf(page.Title), string.Empty, $"The title is '# {PlainText.Of(page.Title)}' but the file is {topic}.md; Get-Help finds the topic by the file name, so they must match.");
        }
        foreach (string required in RequiredSections.Where(r => page.Find(r) is null))
        {
            problems.Error(page.DisplayPath, 1, required, $"An about topic needs a '## {required}' section (then '## LONG DESCRIPTION', sections, '## SEE ALSO').");
        }
        foreach (string required in RequiredSections)
        {
            Section? section = page.Find(required);
            if (section is not null && section.IsEmpty)
            {
                problems.Error(page.DisplayPath, section.Line, required, $"'## {required}' is empty.");
            }
        }
        foreach (Block stray in page.Preamble)
        {
            problems.Error(page.DisplayPath, MarkdownPage.LineOf(stray), string.Empty, "Text between the title and '## SHORT DESCRIPTION' is not part of any section.");
        }
        if (problems.ErrorCount != errorsBefore)
        {
            return null;
        }

        var sb = new StringBuilder();
        sb.Append("TOPIC\n").Append(Body).Append(topic).Append('\n');
        bool seeAlso = false;
        bool pendingBlank = true;
        foreach (Block block in page.Blocks)
        {
            if (block == page.Title)
            {
                continue;
            }
            if (block is HeadingBlock heading)
            {
                string text = PlainText.Of(heading);
                sb.Append('\n');
                sb.Append(heading.Level switch
                {
                    <= 2 => text.ToUpperInvariant(),
                    3 => "  " + text.ToUpperInvariant(),
                    _ => Body + text,
                }).Append('\n');
                seeAlso = heading.Level <= 2 && string.Equals(text, "SEE ALSO", StringComparison.OrdinalIgnoreCase);
                pendingBlank = false;
                continue;
            }
            List<TextBlock> texts = PlainText.Blocks([block]);
            foreach (TextBlock text in texts)
            {
                if (pendingBlank)
                {
                    sb.Append('\n');
                }
                AppendBlock(sb, text, seeAlso);
                pendingBlank = true;
            }
        }
        return sb.ToString();
    }

    private static void AppendBlock(StringBuilder sb, TextBlock block, bool seeAlso)
    {
        switch (block)
        {
            case ParagraphText paragraph when seeAlso:
                // SEE ALSO lists one topic per line, as the classic topics do.
                foreach (string line in paragraph.Text.Split('\n'))
                {
                    sb.Append(Body).Append(line.Trim()).Append('\n');
                }
                break;
            case ParagraphText paragraph:
                AppendLines(sb, TextLayout.Wrap(paragraph.Text, Body, Body, Width));
                break;
            case CodeText code:
                foreach (string line in code.Text.Split('\n'))
                {
                    sb.Append(line.Length == 0 ? string.Empty : CodeIndent + line).Append('\n');
                }
                break;
            case ListText list:
                foreach (ListEntry entry in list.Entries)
                {
                    string indent = Body + new string(' ', entry.Depth * 2);
                    if (seeAlso)
                    {
                        sb.Append(indent).Append(entry.Text).Append('\n');
                        continue;
                    }
                    string marker = entry.Marker.Length > 0 ? entry.Marker + " " : new string(' ', 2);
                    string hanging = indent + new string(' ', marker.Length);
                    AppendLines(sb, TextLayout.Wrap(entry.Text, indent + marker, hanging, Width));
                }
                break;
            case TableText table:
                sb.Append(TextLayout.Table(table, Body.Length, Width)).Append('\n');
                break;
        }
    }

    private static void AppendLines(StringBuilder sb, IEnumerable<string> lines)
    {
        foreach (string line in lines)
        {
            sb.Append(line).Append('\n');
        }
    }
}
