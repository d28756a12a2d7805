using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MightyOps.HelpBuilder;

/// <summary>
/// Writes MAML the way platyPS 0.14.2 does (src/Markdown.MAML/Renderer/MamlRenderer.cs): the same
/// elements, attributes and namespaces, so Get-Help treats the file exactly like a platyPS one.
/// Where platyPS emits a &lt;maml:para&gt; per source line (blank ones included) this writes one per
/// paragraph, because PowerShell trims each para and prints a blank line after it: one per
/// paragraph reads as the markdown does and lets Get-Help wrap to the console width.
/// </summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    // platyPS centres example titles in dashes up to this width (PadExampleTitle).
    public const int ExampleTitleWidth = 64;

    public static XDocument Document(IEnumerable<CommandHelp> commands) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), commands.Select(CommandElement)));

    /// <summary>Writes UTF-8 (no BOM), two-space indented, LF line ends.</summary>
    public static void Save(XDocument document, string path)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using XmlWriter writer = XmlWriter.Create(path, settings);
        document.Save(writer);
    }

    private static XElement CommandElement(CommandHelp command) =>
        new(
            Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(
                Command + "details",
                new XElement(Command + "name", command.Name),
                new XElement(Command + "verb", command.Verb),
                new XElement(Command + "noun", command.Noun),
                new XElement(Maml + "description", Paragraphs(command.Synopsis))),
            new XElement(Maml + "description", Paragraphs(command.Description)),
            new XElement(Command + "syntax", command.Syntax.Select(set => SyntaxItem(command, set))),
            new XElement(Command + "parameters", command.Parameters.Select(p => Parameter(p, p.Variants[0], inSyntax: false))),
            new XElement(Command + "inputTypes", command.Inputs.Select(t => TypeEntry("inputType", t))),
            new XElement(Command + "returnValues", command.Outputs.Select(t => TypeEntry("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
            new XElement(Command + "examples", command.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(command)));

    /// <summary>
    /// One syntaxItem per parameter set, built from the parameters' yaml (as platyPS does; the
    /// syntax code block only fixes the order, so Get-Help shows the parameters the way the page does).
    /// </summary>
    private static XElement SyntaxItem(CommandHelp command, SyntaxSet set)
    {
        IEnumerable<(ParameterHelp Parameter, ParameterMetadata Metadata)> members = command.Parameters
            .Select(p => (Parameter: p, Metadata: p.For(set)))
            .Where(m => m.Metadata is not null)
            .Select(m => (m.Parameter, m.Metadata!))
            .OrderBy(m => Index(set.ParameterOrder, m.Parameter.Name));
        return new XElement(
            Command + "syntaxItem",
            new XElement(Maml + "name", command.Name),
            members.Select(m => Parameter(m.Parameter, m.Metadata, inSyntax: true)));
    }

    private static int Index(IReadOnlyList<string> order, string name)
    {
        for (int i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        string type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
        return new XElement(
            Command + "parameter",
            new XAttribute("required", metadata.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", metadata.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            new XElement(Maml + "description", Paragraphs(parameter.Description)),
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(
                    Command + "parameterValueGroup",
                    metadata.AcceptedValues.Select(v => new XElement(
                        Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute(Command + "variableLength", "false"),
                        v)))
                : null,
            // Inside syntax, platyPS leaves out the value of a switch so Get-Help shows [-Name], not [-Name <SwitchParameter>].
            !inSyntax || !metadata.IsSwitch
                ? new XElement(
                    Command + "parameterValue",
                    new XAttribute("required", metadata.IsSwitch ? "false" : "true"),
                    new XAttribute("variableLength", "false"),
                    type)
                : null,
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", metadata.DefaultValue ?? (metadata.IsSwitch ? "False" : "None")));
    }

    private static XElement TypeEntry(string element, TypeHelp type) =>
        new(
            Command + element,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            new XElement(Maml + "description", Paragraphs(type.Description)));

    private static XElement Example(ExampleHelp example) =>
        new(
            Command + "example",
            new XElement(Maml + "title", PadExampleTitle(example.Title)),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static IEnumerable<XElement> Links(CommandHelp command)
    {
        // platyPS turns 'online version:' into the first link; Get-Help -Online opens the first link with a URI.
        if (command.OnlineVersion is not null)
        {
            yield return Link("Online Version:", command.OnlineVersion);
        }
        foreach (LinkHelp link in command.Links)
        {
            yield return Link(link.Text, link.Uri ?? string.Empty);
        }
    }

    private static XElement Link(string text, string uri) =>
        new(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", uri));

    /// <summary>
    /// The platyPS title: "Example 1: Title" centred in dashes, e.g.
    /// "---------- Example 1: Get every service ----------". Titles of 62+ characters stay as they are.
    /// </summary>
    public static string PadExampleTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= ExampleTitleWidth - 2)
        {
            return title;
        }
        string dashes = new('-', (ExampleTitleWidth - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }

    private static IEnumerable<XElement> Paragraphs(IReadOnlyList<TextBlock> blocks) =>
        blocks.Select(b => new XElement(Maml + "para", ParaText(b)));

    /// <summary>
    /// The text of one maml:para. PowerShell trims a para as a whole but keeps its inner line breaks
    /// and indentation, so code, lists and tables stay laid out; paragraphs are one line that Get-Help wraps.
    /// </summary>
    private static string ParaText(TextBlock block) => block switch
    {
        ParagraphText paragraph => paragraph.Text,
        CodeText code => code.Text,
        ListText list => string.Join('\n', list.Entries.Select(e =>
            new string(' ', e.Depth * 2) + (e.Marker.Length > 0 ? e.Marker + " " : "  ") + e.Text.Replace("\n", "\n" + new string(' ', e.Depth * 2 + 2), StringComparison.Ordinal))),
        TableText table => TextLayout.Table(table, indent: 0, width: 100),
        _ => string.Empty,
    };
}
