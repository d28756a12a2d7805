using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace MightyOps.HelpBuilder;

/// <summary>
/// A markdown file split the way platyPS reads it: front matter, the level-1 title, and level-2
/// sections, each with the blocks before its first level-3 heading and its level-3 subsections.
/// </summary>
internal sealed class MarkdownPage
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePipeTables()
        .UsePreciseSourceLocation()
        .Build();

    private MarkdownPage(string path, string displayPath)
    {
        Path = path;
        DisplayPath = displayPath;
    }

    public string Path { get; }

    /// <summary>The path as messages show it (relative to the current directory when possible).</summary>
    public string DisplayPath { get; }

    /// <summary>Front matter keys (case-insensitive) with their 1-based lines; empty when there is none.</summary>
    public Dictionary<string, (string Value, int Line)> FrontMatter { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool HasFrontMatter { get; private set; }

    public HeadingBlock? Title { get; private set; }

    /// <summary>Blocks between the title and the first level-2 heading.</summary>
    public List<Block> Preamble { get; } = [];

    public List<Section> Sections { get; } = [];

    /// <summary>Every top-level block after the front matter, in order (about topics are rendered from these).</summary>
    public List<Block> Blocks { get; } = [];

    public static MarkdownPage Load(string path, string displayPath, PageProblems problems)
    {
        string text = File.ReadAllText(path);
        var page = new MarkdownPage(path, displayPath);
        MarkdownDocument document = Markdown.Parse(text, Pipeline);
        Section? section = null;
        Subsection? subsection = null;
        foreach (Block block in document)
        {
            if (block is not YamlFrontMatterBlock and not BlankLineBlock and not LinkReferenceDefinitionGroup)
            {
                page.Blocks.Add(block);
            }
            switch (block)
            {
                case YamlFrontMatterBlock yaml:
                    page.ReadFrontMatter(yaml, problems);
                    break;
                case HeadingBlock { Level: 1 } heading when page.Title is null && section is null:
                    page.Title = heading;
                    break;
                case HeadingBlock { Level: 1 } heading:
                    problems.Error(displayPath, LineOf(heading), string.Empty, $"A second level-1 heading '{PlainText.Of(heading)}': a page has one '# Name' title; use '##' for sections.");
                    break;
                case HeadingBlock { Level: 2 } heading:
                    section = new Section(PlainText.Of(heading).Trim(), LineOf(heading));
                    subsection = null;
                    page.Sections.Add(section);
                    break;
                case HeadingBlock { Level: 3 } heading when section is not null:
                    subsection = new Subsection(PlainText.Of(heading).Trim(), LineOf(heading));
                    section.Subsections.Add(subsection);
                    break;
                case BlankLineBlock:
                case LinkReferenceDefinitionGroup:
                case HtmlBlock:
                    // HTML in a help page is an author's comment (<!-- -->); a console shows none of it.
                    break;
                default:
                    if (subsection is not null)
                    {
                        subsection.Blocks.Add(block);
                    }
                    else if (section is not null)
                    {
                        section.Blocks.Add(block);
                    }
                    else
                    {
                        page.Preamble.Add(block);
                    }
                    break;
            }
        }
        return page;
    }

    /// <summary>The 1-based line a block starts on.</summary>
    public static int LineOf(Block block) => block.Line + 1;

    public Section? Find(string name) =>
        Sections.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private void ReadFrontMatter(YamlFrontMatterBlock yaml, PageProblems problems)
    {
        HasFrontMatter = true;
        int firstLine = LineOf(yaml);
        foreach (Markdig.Helpers.StringLine line in yaml.Lines)
        {
            string text = line.ToString();
            int lineNumber = line.Line + 1;
            if (string.IsNullOrWhiteSpace(text) || text.Trim() == "---" || text.TrimStart().StartsWith('#'))
            {
                continue;
            }
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                problems.Error(DisplayPath, lineNumber > 0 ? lineNumber : firstLine, "front matter", $"'{text.Trim()}' is not a 'key: value' line.");
                continue;
            }
            string key = text[..colon].Trim();
            string value = Unquote(text[(colon + 1)..].Trim());
            FrontMatter[key] = (value, lineNumber > 0 ? lineNumber : firstLine);
        }
    }

    /// <summary>Removes one pair of matching quotes, as YAML would.</summary>
    public static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}

/// <summary>A level-2 section: the blocks before its first level-3 heading, then its subsections.</summary>
internal sealed class Section(string name, int line)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public List<Block> Blocks { get; } = [];

    public List<Subsection> Subsections { get; } = [];

    public bool IsEmpty => Blocks.Count == 0 && Subsections.Count == 0;
}

/// <summary>A level-3 heading and the blocks under it.</summary>
internal sealed class Subsection(string name, int line)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public List<Block> Blocks { get; } = [];
}
