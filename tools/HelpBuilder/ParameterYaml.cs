using System.Globalization;
using Markdig.Syntax;

namespace MightyOps.HelpBuilder;

/// <summary>
/// Reads a parameter's ```yaml block. platyPS 0.14 writes flat <c>Key: value</c> lines with a fixed
/// set of keys, so that is all this accepts; anything else is reported with its line.
/// </summary>
internal static class ParameterYaml
{
    public const string TypeKey = "Type";
    public const string SetsKey = "Parameter Sets";
    public const string AliasesKey = "Aliases";
    public const string AcceptedValuesKey = "Accepted values";
    public const string RequiredKey = "Required";
    public const string PositionKey = "Position";
    public const string DefaultValueKey = "Default value";
    public const string PipelineKey = "Accept pipeline input";
    public const string WildcardKey = "Accept wildcard characters";

    private static readonly string[] Keys =
        [TypeKey, SetsKey, AliasesKey, AcceptedValuesKey, RequiredKey, PositionKey, DefaultValueKey, PipelineKey, WildcardKey];

    /// <summary>Parses one block; returns null (after reporting why) when it cannot be used.</summary>
    public static ParameterMetadata? Parse(FencedCodeBlock block, string parameter, string path, PageProblems problems)
    {
        string section = $"PARAMETERS {parameter}";
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.OrdinalIgnoreCase);
        bool ok = true;
        foreach (Markdig.Helpers.StringLine line in block.Lines)
        {
            string text = line.ToString();
            int lineNumber = line.Line + 1;
            if (string.IsNullOrWhiteSpace(text) || text.TrimStart().StartsWith('#'))
            {
                continue;
            }
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || char.IsWhiteSpace(text[0]))
            {
                problems.Error(path, lineNumber, section, $"'{text.Trim()}' is not a 'Key: value' line. The yaml block takes one 'Key: value' per line with the keys {string.Join(", ", Keys)}.");
                ok = false;
                continue;
            }
            string key = text[..colon].Trim();
            string value = MarkdownPage.Unquote(text[(colon + 1)..].Trim());
            string? known = Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                problems.Error(path, lineNumber, section, $"Unknown key '{key}'. Known keys: {string.Join(", ", Keys)}.");
                ok = false;
                continue;
            }
            if (values.ContainsKey(known))
            {
                problems.Error(path, lineNumber, section, $"'{known}' appears twice in the same yaml block.");
                ok = false;
                continue;
            }
            values[known] = (value, lineNumber);
        }

        int blockLine = MarkdownPage.LineOf(block);
        string Value(string key) => values.TryGetValue(key, out var v) ? v.Value : string.Empty;
        int LineOf(string key) => values.TryGetValue(key, out var v) ? v.Line : blockLine;

        string type = Value(TypeKey);
        if (type.Length == 0)
        {
            problems.Error(path, blockLine, section, $"The yaml block has no '{TypeKey}:' (e.g. 'Type: String', 'Type: SwitchParameter').");
            ok = false;
        }

        bool? required = Boolean(Value(RequiredKey), false, RequiredKey, LineOf(RequiredKey), path, section, problems);
        bool? globbing = Boolean(Value(WildcardKey), false, WildcardKey, LineOf(WildcardKey), path, section, problems);

        string position = Value(PositionKey);
        if (position.Length == 0 || position.Equals("Named", StringComparison.OrdinalIgnoreCase))
        {
            position = "named";
        }
        else if (!int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            problems.Error(path, LineOf(PositionKey), section, $"Position '{position}' is neither 'Named' nor a number (0 is the first position).");
            ok = false;
        }

        (bool ByValue, bool ByPropertyName)? pipeline = Pipeline(Value(PipelineKey));
        if (pipeline is null)
        {
            problems.Error(path, LineOf(PipelineKey), section, $"'{PipelineKey}: {Value(PipelineKey)}' must be False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue).");
            ok = false;
        }

        if (!ok || required is null || globbing is null || pipeline is null)
        {
            return null;
        }

        string sets = Value(SetsKey);
        string defaultValue = Value(DefaultValueKey);
        return new ParameterMetadata
        {
            Type = type,
            Sets = sets.Length == 0 || sets.Equals("(All)", StringComparison.OrdinalIgnoreCase) ? [] : List(sets),
            Aliases = List(Value(AliasesKey)),
            AcceptedValues = List(Value(AcceptedValuesKey)),
            Required = required.Value,
            Position = position,
            DefaultValue = defaultValue.Length == 0 || defaultValue.Equals("None", StringComparison.OrdinalIgnoreCase) ? null : defaultValue,
            ByValue = pipeline.Value.ByValue,
            ByPropertyName = pipeline.Value.ByPropertyName,
            Globbing = globbing.Value,
            Line = blockLine,
        };
    }

    /// <summary>A comma-separated list; "None" and empty mean no entries.</summary>
    private static List<string> List(string value) =>
        value.Length == 0 || value.Equals("None", StringComparison.OrdinalIgnoreCase)
            ? []
            : value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();

    private static bool? Boolean(string value, bool missing, string key, int line, string path, string section, PageProblems problems)
    {
        if (value.Length == 0)
        {
            return missing;
        }
        if (bool.TryParse(value, out bool result))
        {
            return result;
        }
        problems.Error(path, line, section, $"'{key}: {value}' must be True or False.");
        return null;
    }

    private static (bool ByValue, bool ByPropertyName)? Pipeline(string value)
    {
        if (value.Length == 0 || value.Equals("False", StringComparison.OrdinalIgnoreCase))
        {
            return (false, false);
        }
        if (!value.StartsWith("True", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string rest = value[4..].Trim();
        if (rest.Length < 2 || rest[0] != '(' || rest[^1] != ')')
        {
            return null;
        }
        bool byValue = false;
        bool byPropertyName = false;
        foreach (string kind in rest[1..^1].Split(',').Select(k => k.Trim()))
        {
            if (kind.Equals("ByValue", StringComparison.OrdinalIgnoreCase))
            {
                byValue = true;
            }
            else if (kind.Equals("ByPropertyName", StringComparison.OrdinalIgnoreCase))
            {
                byPropertyName = true;
            }
            else
            {
                return null;
            }
        }
        return byValue || byPropertyName ? (byValue, byPropertyName) : null;
    }
}
