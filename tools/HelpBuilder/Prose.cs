namespace MightyOps.HelpBuilder;

/// <summary>
/// Markdown body text reduced to what a console help page can show: paragraphs (wrapped by the
/// reader), code (kept line for line), lists and tables.
/// </summary>
internal abstract record TextBlock;

/// <summary>One paragraph as a single line; a hard line break in the markdown stays a newline.</summary>
internal sealed record ParagraphText(string Text) : TextBlock;

/// <summary>A code block, line breaks and indentation kept.</summary>
internal sealed record CodeText(string Text, string Language) : TextBlock;

/// <summary>A bulleted or numbered list, nested lists flattened with a depth.</summary>
internal sealed record ListText(IReadOnlyList<ListEntry> Entries) : TextBlock;

/// <param name="Marker">"-" or "1." for an item, empty for a further paragraph of the same item.</param>
/// <param name="Depth">0 for top-level items.</param>
internal sealed record ListEntry(string Marker, string Text, int Depth);

/// <summary>A pipe table: header row first.</summary>
internal sealed record TableText(IReadOnlyList<IReadOnlyList<string>> Rows) : TextBlock;
