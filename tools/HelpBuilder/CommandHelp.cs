namespace MightyOps.HelpBuilder;

/// <summary>One docs/&lt;Verb-Noun&gt;.md page, parsed and checked.</summary>
internal sealed record CommandHelp
{
    public required string Name { get; init; }

    public required string SourcePath { get; init; }

    public string? OnlineVersion { get; init; }

    public required IReadOnlyList<TextBlock> Synopsis { get; init; }

    public required IReadOnlyList<TextBlock> Description { get; init; }

    /// <summary>In the order of the SYNTAX section; one unnamed set when the page has no set headings.</summary>
    public required IReadOnlyList<SyntaxSet> Syntax { get; init; }

    public required IReadOnlyList<ParameterHelp> Parameters { get; init; }

    public required IReadOnlyList<TypeHelp> Inputs { get; init; }

    public required IReadOnlyList<TypeHelp> Outputs { get; init; }

    public required IReadOnlyList<TextBlock> Notes { get; init; }

    public required IReadOnlyList<ExampleHelp> Examples { get; init; }

    public required IReadOnlyList<LinkHelp> Links { get; init; }

    public string Verb => Name.Split('-', 2)[0];

    public string Noun => Name.Contains('-') ? Name.Split('-', 2)[1] : string.Empty;
}

/// <param name="Name">The parameter set name; null for the single unnamed set.</param>
/// <param name="ParameterOrder">Parameter names in the order the syntax line shows them.</param>
internal sealed record SyntaxSet(string? Name, bool IsDefault, IReadOnlyList<string> ParameterOrder, int Line);

internal sealed record ParameterHelp(string Name, IReadOnlyList<TextBlock> Description, IReadOnlyList<ParameterMetadata> Variants, int Line)
{
    /// <summary>The metadata that applies in <paramref name="set"/>, or null when the parameter is not in it.</summary>
    public ParameterMetadata? For(SyntaxSet set) =>
        Variants.FirstOrDefault(v => set.Name is null || v.IsInAllSets || v.Sets.Contains(set.Name, StringComparer.OrdinalIgnoreCase));
}

/// <summary>One ```yaml block of a parameter (platyPS writes one per distinct metadata).</summary>
internal sealed record ParameterMetadata
{
    public required string Type { get; init; }

    /// <summary>Empty when the yaml says (All).</summary>
    public required IReadOnlyList<string> Sets { get; init; }

    public required IReadOnlyList<string> Aliases { get; init; }

    public required IReadOnlyList<string> AcceptedValues { get; init; }

    public required bool Required { get; init; }

    /// <summary>"named" or a 0-based position.</summary>
    public required string Position { get; init; }

    public string? DefaultValue { get; init; }

    public required bool ByValue { get; init; }

    public required bool ByPropertyName { get; init; }

    public required bool Globbing { get; init; }

    public required int Line { get; init; }

    public bool IsInAllSets => Sets.Count == 0;

    public bool IsSwitch => Type is "SwitchParameter" or "switch" or "Switch" or "System.Management.Automation.SwitchParameter";

    /// <summary>How Get-Help shows pipeline input, as platyPS writes it.</summary>
    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

/// <summary>An INPUTS or OUTPUTS entry.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<TextBlock> Description);

internal sealed record ExampleHelp(string Title, string Code, IReadOnlyList<TextBlock> Remarks, int Line);

/// <param name="Uri">Absolute URI, or null for a link to another page of these docs.</param>
internal sealed record LinkHelp(string Text, string? Uri);
