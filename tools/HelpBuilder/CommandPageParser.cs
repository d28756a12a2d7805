using System.Text.RegularExpressions;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace MightyOps.HelpBuilder;

/// <summary>
/// Reads a cmdlet page in platyPS 0.14 layout (schema 2.0.0) and checks what Get-Help needs:
/// front matter, '# Verb-Noun', SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES (two or more, each with
/// code), PARAMETERS (description + yaml metadata each), INPUTS, OUTPUTS, optional NOTES and
/// RELATED LINKS. Every problem is reported with its line; a page with errors yields null.
/// </summary>
internal sealed partial class CommandPageParser
{
    private const int MinimumExamples = 2;

    private static readonly string[] KnownSections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    private static readonly string[] RequiredSections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS"];

    /// <summary>Get-Help lists these itself under [&lt;CommonParameters&gt;]; a page must not document them as parameters.</summary>
    private static readonly HashSet<string> CommonParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "Debug", "ErrorAction", "ErrorVariable", "InformationAction", "InformationVariable", "OutBuffer",
        "OutVariable", "PipelineVariable", "ProgressAction", "Verbose", "WarningAction", "WarningVariable",
    };

    private readonly MarkdownPage _page;
    private readonly BuildOptions _options;
    private readonly PageProblems _problems;
    private readonly int _errorsBefore;

    private CommandPageParser(MarkdownPage page, BuildOptions options, PageProblems problems)
    {
        _page = page;
        _options = options;
        _problems = problems;
        _errorsBefore = problems.ErrorCount;
    }

    private string Path => _page.DisplayPath;

    public static CommandHelp? Parse(MarkdownPage page, BuildOptions options, PageProblems problems) =>
        new CommandPageParser(page, options, problems).Parse();

    private CommandHelp? Parse()
    {
        string expectedName = System.IO.Path.GetFileNameWithoutExtension(_page.Path);
        CheckPlaceholders();
        CheckFrontMatter();

        if (_page.Title is null)
        {
            Error(1, string.Empty, $"The page has no '# {expectedName}' title.");
        }
        else if (!string.Equals(PlainText.Of(_page.Title), expectedName, StringComparison.Ordinal))
        {
            Error(MarkdownPage.LineOf(_page.Title), string.Empty, $"The title is '# {PlainText.Of(_page.Title)}' but the file is {expectedName}.md; they must match (Get-Help finds the page by the command name).");
        }
        foreach (Block stray in _page.Preamble)
        {
            Error(MarkdownPage.LineOf(stray), string.Empty, "Text between the title and '## SYNOPSIS' is not part of any section.");
        }

        CheckSections();

        List<SyntaxSet> syntax = ParseSyntax();
        List<ParameterHelp> parameters = ParseParameters();
        CheckSyntaxAgainstParameters(syntax, parameters);

        var help = new CommandHelp
        {
            Name = expectedName,
            SourcePath = Path,
            OnlineVersion = OnlineVersion(),
            Synopsis = ParseSynopsis(),
            Description = RequiredText("DESCRIPTION"),
            Syntax = syntax,
            Parameters = parameters,
            Inputs = ParseTypes("INPUTS"),
            Outputs = ParseTypes("OUTPUTS"),
            Notes = OptionalText("NOTES"),
            Examples = ParseExamples(),
            Links = ParseLinks(),
        };
        return _problems.ErrorCount == _errorsBefore ? help : null;
    }

    private void Error(int line, string section, string message) => _problems.Error(Path, line, section, message);

    private void Warning(int line, string section, string message) => _problems.Warning(Path, line, section, message);

    // platyPS's New-MarkdownHelp writes "{{ Fill in the Synopsis }}" and friends; shipping one is a bug.
    private void CheckPlaceholders()
    {
        string[] lines = File.ReadAllLines(_page.Path);
        for (int i = 0; i < lines.Length; i++)
        {
            Match placeholder = PlaceholderPattern().Match(lines[i]);
            if (placeholder.Success)
            {
                Error(i + 1, string.Empty, $"Template placeholder '{placeholder.Value}' left in the page; write the real text.");
            }
        }
    }

    private void CheckFrontMatter()
    {
        if (!_page.HasFrontMatter)
        {
            Error(1, "front matter", $"The page has no front matter. Start it with:\n---\nexternal help file: {_options.HelpFileName}\nModule Name: {_options.ModuleName}\nonline version:\nschema: 2.0.0\n---");
            return;
        }
        CheckFrontMatterValue("external help file", _options.HelpFileName, "every cmdlet page of the module goes into that one MAML file");
        CheckFrontMatterValue("Module Name", _options.ModuleName, "the page belongs to this module");
        CheckFrontMatterValue("schema", "2.0.0", "this is the platyPS markdown schema the builder reads");
    }

    private void CheckFrontMatterValue(string key, string expected, string why)
    {
        if (!_page.FrontMatter.TryGetValue(key, out var entry))
        {
            Error(1, "front matter", $"'{key}: {expected}' is missing ({why}).");
        }
        else if (!string.Equals(entry.Value, expected, StringComparison.Ordinal))
        {
            Error(entry.Line, "front matter", $"'{key}: {entry.Value}' should be '{key}: {expected}' ({why}).");
        }
    }

    private string? OnlineVersion()
    {
        if (!_page.FrontMatter.TryGetValue("online version", out var online) || online.Value.Length == 0)
        {
            return null;
        }
        if (!PlainText.IsAbsoluteUrl(online.Value))
        {
            Error(online.Line, "front matter", $"'online version: {online.Value}' must be an absolute http(s) URL or empty (Get-Help -Online opens it).");
            return null;
        }
        return online.Value;
    }

    private void CheckSections()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Section section in _page.Sections)
        {
            if (!KnownSections.Contains(section.Name, StringComparer.OrdinalIgnoreCase))
            {
                Error(section.Line, section.Name, $"Unknown section '## {section.Name}'. A cmdlet page has: {string.Join(", ", KnownSections.Select(s => "## " + s))}.");
            }
            else if (!seen.Add(section.Name))
            {
                Error(section.Line, section.Name, $"'## {section.Name}' appears twice.");
            }
        }
        foreach (string required in RequiredSections.Where(r => !seen.Contains(r)))
        {
            Error(_page.Title is null ? 1 : MarkdownPage.LineOf(_page.Title), required, $"The page has no '## {required}' section.");
        }
    }

    private List<TextBlock> ParseSynopsis()
    {
        List<TextBlock> synopsis = RequiredText("SYNOPSIS");
        Section? section = _page.Find("SYNOPSIS");
        if (section is not null && (synopsis.Count > 1 || synopsis.Any(b => b is not ParagraphText)))
        {
            Error(section.Line, "SYNOPSIS", "The synopsis must be one paragraph of plain text (Get-Help shows it as one line under SYNOPSIS); move the rest to DESCRIPTION.");
        }
        return synopsis;
    }

    private List<TextBlock> RequiredText(string name)
    {
        Section? section = _page.Find(name);
        if (section is null)
        {
            return [];
        }
        List<TextBlock> text = SectionText(section);
        if (text.Count == 0)
        {
            Error(section.Line, name, $"'## {name}' is empty.");
        }
        return text;
    }

    private List<TextBlock> OptionalText(string name)
    {
        Section? section = _page.Find(name);
        return section is null ? [] : SectionText(section);
    }

    /// <summary>A free-text section; level-3 headings inside it become paragraphs of their own.</summary>
    private static List<TextBlock> SectionText(Section section)
    {
        List<TextBlock> text = PlainText.Blocks(section.Blocks);
        foreach (Subsection subsection in section.Subsections)
        {
            text.Add(new ParagraphText(subsection.Name));
            text.AddRange(PlainText.Blocks(subsection.Blocks));
        }
        return text;
    }

    private List<SyntaxSet> ParseSyntax()
    {
        var sets = new List<SyntaxSet>();
        Section? section = _page.Find("SYNTAX");
        if (section is null)
        {
            return sets;
        }
        List<CodeBlock> unnamed = section.Blocks.OfType<CodeBlock>().ToList();
        if (unnamed.Count > 0 && section.Subsections.Count > 0)
        {
            Error(MarkdownPage.LineOf(unnamed[0]), "SYNTAX", "Either one syntax block for a cmdlet with one parameter set, or a '### SetName' heading before each set's block, not both.");
        }
        if (unnamed.Count > 1)
        {
            Error(MarkdownPage.LineOf(unnamed[1]), "SYNTAX", "More than one syntax block without a '### SetName' heading; give each parameter set its heading ('### Name (Default)' for the default set).");
        }
        if (unnamed.Count == 1 && section.Subsections.Count == 0)
        {
            sets.Add(new SyntaxSet(null, true, SyntaxOrder(unnamed[0], "SYNTAX"), MarkdownPage.LineOf(unnamed[0])));
        }
        foreach (Subsection subsection in section.Subsections)
        {
            string name = subsection.Name;
            bool isDefault = false;
            if (name.EndsWith("(Default)", StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^"(Default)".Length].Trim();
                isDefault = true;
            }
            List<CodeBlock> code = subsection.Blocks.OfType<CodeBlock>().ToList();
            if (code.Count != 1)
            {
                Error(subsection.Line, "SYNTAX", $"'### {subsection.Name}' must be followed by exactly one code block with the syntax line.");
                continue;
            }
            if (name == "__AllParameterSets")
            {
                name = string.Empty;
            }
            if (sets.Any(s => string.Equals(s.Name ?? string.Empty, name, StringComparison.OrdinalIgnoreCase)))
            {
                Error(subsection.Line, "SYNTAX", $"Parameter set '{name}' is listed twice.");
                continue;
            }
            sets.Add(new SyntaxSet(name.Length == 0 ? null : name, isDefault, SyntaxOrder(code[0], $"SYNTAX {name}"), subsection.Line));
        }
        if (sets.Count == 0)
        {
            Error(section.Line, "SYNTAX", $"No syntax block. Write one per parameter set, e.g. a code block with '{System.IO.Path.GetFileNameWithoutExtension(_page.Path)} [-Name <String>] [<CommonParameters>]'.");
        }
        else if (sets.Count > 1 && sets.Count(s => s.IsDefault) != 1)
        {
            Error(section.Line, "SYNTAX", "With several parameter sets, exactly one heading must end in '(Default)'.");
        }
        else if (sets.Count > 1 && sets.Any(s => s.Name is null))
        {
            Error(section.Line, "SYNTAX", "With several parameter sets, every set needs a '### SetName' heading.");
        }
        return sets;
    }

    /// <summary>The -Name tokens of a syntax line, in order; also checks it starts with the command name.</summary>
    private List<string> SyntaxOrder(CodeBlock block, string section)
    {
        string code = PlainText.CodeOf(block);
        string expected = System.IO.Path.GetFileNameWithoutExtension(_page.Path);
        if (!code.TrimStart().StartsWith(expected + " ", StringComparison.Ordinal) && code.Trim() != expected)
        {
            Error(MarkdownPage.LineOf(block), section, $"The syntax line must start with the command name '{expected}'.");
        }
        return SyntaxParameterPattern().Matches(code).Select(m => m.Groups["name"].Value).ToList();
    }

    private List<ParameterHelp> ParseParameters()
    {
        var parameters = new List<ParameterHelp>();
        Section? section = _page.Find("PARAMETERS");
        if (section is null)
        {
            return parameters;
        }
        foreach (Block stray in section.Blocks)
        {
            Error(MarkdownPage.LineOf(stray), "PARAMETERS", "Text under '## PARAMETERS' must belong to a '### -Name' heading.");
        }
        foreach (Subsection subsection in section.Subsections)
        {
            if (subsection.Name is "CommonParameters" or "WorkflowCommonParameters")
            {
                // Get-Help writes the common-parameters paragraph itself.
                continue;
            }
            if (!subsection.Name.StartsWith('-') || subsection.Name.Length < 2 || subsection.Name.Contains(' '))
            {
                Error(subsection.Line, "PARAMETERS", $"'### {subsection.Name}' is not a parameter heading; write '### -Name' (or '### CommonParameters').");
                continue;
            }
            string name = subsection.Name[1..];
            if (CommonParameters.Contains(name))
            {
                Error(subsection.Line, "PARAMETERS", $"-{name} is a common parameter; Get-Help lists it under CommonParameters, so remove its section.");
                continue;
            }
            if (parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                Error(subsection.Line, "PARAMETERS", $"-{name} is documented twice.");
                continue;
            }
            var variants = new List<ParameterMetadata>();
            var description = new List<Block>();
            foreach (Block block in subsection.Blocks)
            {
                if (block is FencedCodeBlock fenced && string.Equals(fenced.Info, "yaml", StringComparison.OrdinalIgnoreCase))
                {
                    ParameterMetadata? metadata = ParameterYaml.Parse(fenced, "-" + name, Path, _problems);
                    if (metadata is not null)
                    {
                        variants.Add(metadata);
                    }
                }
                else
                {
                    description.Add(block);
                }
            }
            if (!subsection.Blocks.Any(b => b is FencedCodeBlock f && string.Equals(f.Info, "yaml", StringComparison.OrdinalIgnoreCase)))
            {
                Error(subsection.Line, $"PARAMETERS -{name}", "No ```yaml metadata block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters).");
            }
            List<TextBlock> text = PlainText.Blocks(description);
            if (text.Count == 0)
            {
                Error(subsection.Line, $"PARAMETERS -{name}", "The parameter has no description; say what it does above its yaml block.");
            }
            CheckVariants(name, variants, subsection.Line);
            parameters.Add(new ParameterHelp(name, text, variants, subsection.Line));
        }
        return parameters;
    }

    private void CheckVariants(string name, List<ParameterMetadata> variants, int line)
    {
        if (variants.Count > 1 && variants.Any(v => v.IsInAllSets))
        {
            Error(line, $"PARAMETERS -{name}", "Several yaml blocks, one of them for (All) parameter sets: each block must name the sets it applies to.");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ParameterMetadata variant in variants)
        {
            foreach (string set in variant.Sets.Where(s => !seen.Add(s)))
            {
                Error(variant.Line, $"PARAMETERS -{name}", $"Parameter set '{set}' is covered by two yaml blocks.");
            }
        }
    }

    /// <summary>Every set a parameter names must be in SYNTAX, and each set's syntax line must list exactly the parameters documented for it.</summary>
    private void CheckSyntaxAgainstParameters(List<SyntaxSet> syntax, List<ParameterHelp> parameters)
    {
        if (syntax.Count == 0)
        {
            return;
        }
        bool unnamed = syntax.Count == 1 && syntax[0].Name is null;
        foreach (ParameterHelp parameter in parameters)
        {
            foreach (ParameterMetadata variant in parameter.Variants)
            {
                foreach (string set in variant.Sets)
                {
                    if (unnamed)
                    {
                        Error(variant.Line, $"PARAMETERS -{parameter.Name}", $"'Parameter Sets: {string.Join(", ", variant.Sets)}' but SYNTAX has no set headings; use '(All)' for a cmdlet with one parameter set, or add '### {set}' to SYNTAX.");
                        break;
                    }
                    if (!syntax.Any(s => string.Equals(s.Name, set, StringComparison.OrdinalIgnoreCase)))
                    {
                        Error(variant.Line, $"PARAMETERS -{parameter.Name}", $"Parameter set '{set}' is not in SYNTAX (sets there: {string.Join(", ", syntax.Select(s => s.Name))}).");
                    }
                }
            }
        }
        foreach (SyntaxSet set in syntax)
        {
            string label = set.Name is null ? "SYNTAX" : $"SYNTAX {set.Name}";
            var documented = parameters.Where(p => p.For(set) is not null).Select(p => p.Name).ToList();
            foreach (string missing in documented.Where(d => !set.ParameterOrder.Contains(d, StringComparer.OrdinalIgnoreCase)))
            {
                Error(set.Line, label, $"-{missing} is documented for this parameter set but missing from its syntax line.");
            }
            foreach (string extra in set.ParameterOrder.Where(o => !documented.Contains(o, StringComparer.OrdinalIgnoreCase)))
            {
                Error(set.Line, label, parameters.Any(p => string.Equals(p.Name, extra, StringComparison.OrdinalIgnoreCase))
                    ? $"The syntax line shows -{extra}, whose yaml 'Parameter Sets' does not include this set."
                    : $"The syntax line shows -{extra}, which has no '### -{extra}' section under PARAMETERS.");
            }
            foreach (string duplicate in set.ParameterOrder.GroupBy(o => o, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                Error(set.Line, label, $"The syntax line shows -{duplicate} twice.");
            }
        }
    }

    private List<TypeHelp> ParseTypes(string name)
    {
        var types = new List<TypeHelp>();
        Section? section = _page.Find(name);
        if (section is null)
        {
            return types;
        }
        foreach (Block stray in section.Blocks)
        {
            Error(MarkdownPage.LineOf(stray), name, $"Text under '## {name}' must follow a '### TypeName' heading (or '### None').");
        }
        if (section.Subsections.Count == 0)
        {
            Error(section.Line, name, $"'## {name}' lists no type; write '### TypeName' with a sentence, or '### None'.");
        }
        foreach (Subsection subsection in section.Subsections)
        {
            types.Add(new TypeHelp(subsection.Name, PlainText.Blocks(subsection.Blocks)));
        }
        return types;
    }

    private List<ExampleHelp> ParseExamples()
    {
        var examples = new List<ExampleHelp>();
        Section? section = _page.Find("EXAMPLES");
        if (section is null)
        {
            return examples;
        }
        foreach (Block stray in section.Blocks)
        {
            Error(MarkdownPage.LineOf(stray), "EXAMPLES", "Text under '## EXAMPLES' must belong to a '### Example N: Title' heading.");
        }
        int number = 0;
        foreach (Subsection subsection in section.Subsections)
        {
            number++;
            Match title = ExampleTitlePattern().Match(subsection.Name);
            if (!title.Success)
            {
                Error(subsection.Line, "EXAMPLES", $"'### {subsection.Name}' should be '### Example {number}: <what it shows>'.");
            }
            else if (int.Parse(title.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture) != number)
            {
                Error(subsection.Line, "EXAMPLES", $"'### {subsection.Name}' is example {number} on the page; number the examples 1, 2, 3, ... in order.");
            }

            if (subsection.Name.Length >= MamlWriter.ExampleTitleWidth - 2)
            {
                Warning(subsection.Line, "EXAMPLES", $"The title is {subsection.Name.Length} characters; from {MamlWriter.ExampleTitleWidth - 2} on, Get-Help shows it without the dashes that set examples apart. Shorten it and say the rest below the code.");
            }

            // dev:code takes the first run of code blocks (a command and its output, as platyPS joins
            // them); text before it and everything after it become the remarks, in page order.
            var remarks = new List<Block>();
            var code = new List<string>();
            int index = 0;
            List<Block> blocks = subsection.Blocks;
            while (index < blocks.Count && blocks[index] is not CodeBlock)
            {
                remarks.Add(blocks[index++]);
            }
            while (index < blocks.Count && blocks[index] is CodeBlock block)
            {
                code.Add(PlainText.CodeOf(block));
                index++;
            }
            remarks.AddRange(blocks.Skip(index));
            if (code.Count == 0 || code.All(c => c.Trim().Length == 0))
            {
                Error(subsection.Line, "EXAMPLES", $"'### {subsection.Name}' has no code block; an example shows a command in a ```powershell block.");
            }
            List<TextBlock> remarkText = PlainText.Blocks(remarks);
            if (!remarkText.Any(r => r is ParagraphText or ListText))
            {
                Error(subsection.Line, "EXAMPLES", $"'### {subsection.Name}' has no explanation; say in a sentence what the example does.");
            }
            examples.Add(new ExampleHelp(subsection.Name, string.Join("\n\n", code), remarkText, subsection.Line));
        }
        if (examples.Count < MinimumExamples)
        {
            Error(section.Line, "EXAMPLES", $"{examples.Count} example(s); every cmdlet page needs at least {MinimumExamples} ('### Example 1: ...', '### Example 2: ...').");
        }
        return examples;
    }

    private List<LinkHelp> ParseLinks()
    {
        var links = new List<LinkHelp>();
        Section? section = _page.Find("RELATED LINKS");
        if (section is null)
        {
            return links;
        }
        foreach (Subsection subsection in section.Subsections)
        {
            Error(subsection.Line, "RELATED LINKS", "'## RELATED LINKS' takes links only, one per line, no headings.");
        }
        foreach (Block block in section.Blocks)
        {
            IEnumerable<LeafBlock> leaves = block switch
            {
                ParagraphBlock paragraph => [paragraph],
                ListBlock list => list.Descendants<ParagraphBlock>(),
                _ => [],
            };
            if (block is not ParagraphBlock and not ListBlock)
            {
                Error(MarkdownPage.LineOf(block), "RELATED LINKS", "'## RELATED LINKS' takes markdown links ([Text](url) or [Get-X](Get-X.md)), one per line.");
            }
            foreach (LeafBlock leaf in leaves)
            {
                AddLinks(links, leaf);
            }
        }
        return links;
    }

    /// <summary>Each line of a paragraph is one link, or plain text (a topic name without an address).</summary>
    private void AddLinks(List<LinkHelp> links, LeafBlock leaf)
    {
        if (leaf.Inline is null)
        {
            return;
        }
        var line = new List<Inline>();
        foreach (Inline inline in leaf.Inline)
        {
            if (inline is LineBreakInline)
            {
                AddLink(links, line, leaf);
                line.Clear();
            }
            else
            {
                line.Add(inline);
            }
        }
        AddLink(links, line, leaf);
    }

    private void AddLink(List<LinkHelp> links, List<Inline> line, LeafBlock leaf)
    {
        List<Inline> content = line.Where(i => !(i is LiteralInline literal && literal.Content.IsEmptyOrWhitespace())).ToList();
        if (content.Count == 0)
        {
            return;
        }
        if (content is [LinkInline { IsImage: false } link])
        {
            string text = PlainText.Of(link).Trim();
            string url = link.Url ?? string.Empty;
            if (PlainText.IsAbsoluteUrl(url))
            {
                links.Add(new LinkHelp(text, url));
                return;
            }
            string target = url.Split('#')[0];
            if (target.Length > 0 && !File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_page.Path)!, target)))
            {
                Warning(MarkdownPage.LineOf(leaf), "RELATED LINKS", $"[{text}]({url}) points to a page that does not exist in the docs folder.");
            }
            links.Add(new LinkHelp(text, null));
            return;
        }
        if (content.Any(i => i is LinkInline))
        {
            Error(MarkdownPage.LineOf(leaf), "RELATED LINKS", "Put each link on its own line (or list item), with no other text beside it.");
            return;
        }
        links.Add(new LinkHelp(string.Concat(content.Select(i => i is LiteralInline l ? l.Content.ToString() : i is CodeInline c ? c.Content : string.Empty)).Trim(), null));
    }

    [GeneratedRegex(@"\{\{\s*(Fill|Add|Update|Manually)\b[^}]*\}\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"(?<=[\s\[])-(?<name>[A-Za-z][A-Za-z0-9_]*)")]
    private static partial Regex SyntaxParameterPattern();

    [GeneratedRegex(@"^Example (?<number>\d+)\b")]
    private static partial Regex ExampleTitlePattern();
}
