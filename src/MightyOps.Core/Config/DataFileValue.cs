namespace MightyOps.Core.Config;

/// <summary>Where something is in a data file: 1-based line and column.</summary>
public readonly record struct TextPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>
/// A literal read from a PowerShell data file (.psd1) by <see cref="DataFileParser"/>: a
/// hashtable, an array, a string, a number, a boolean or null. Nothing else can be written in one,
/// so reading a file can never run code.
/// </summary>
public abstract record DataFileValue(TextPosition Position)
{
    /// <summary>What the value is, in the words an error message uses ("a string", "an array").</summary>
    public abstract string Description { get; }
}

/// <summary>A quoted string or here-string, after escape processing.</summary>
public sealed record DataFileString(TextPosition Position, string Value) : DataFileValue(Position)
{
    public override string Description => "a string";
}

/// <summary>An integer literal (decimal or 0x hexadecimal, optionally signed).</summary>
public sealed record DataFileInteger(TextPosition Position, long Value) : DataFileValue(Position)
{
    public override string Description => "an integer";
}

/// <summary>A number with a fraction or exponent (1.5, 2e3).</summary>
public sealed record DataFileDecimal(TextPosition Position, double Value) : DataFileValue(Position)
{
    public override string Description => "a decimal number";
}

/// <summary><c>$true</c> or <c>$false</c>.</summary>
public sealed record DataFileBoolean(TextPosition Position, bool Value) : DataFileValue(Position)
{
    public override string Description => "a boolean";
}

/// <summary><c>$null</c>.</summary>
public sealed record DataFileNull(TextPosition Position) : DataFileValue(Position)
{
    public override string Description => "$null";
}

/// <summary><c>@( ... )</c> or a comma list.</summary>
public sealed record DataFileArray(TextPosition Position, IReadOnlyList<DataFileValue> Items) : DataFileValue(Position)
{
    public override string Description => "an array";
}

/// <summary>One <c>key = value</c> of a hashtable, with where its key was written.</summary>
public sealed record DataFileEntry(string Key, TextPosition KeyPosition, DataFileValue Value);

/// <summary>
/// <c>@{ ... }</c>: entries in the order written. Keys compare case-insensitively, as in a
/// PowerShell hashtable; each keeps the spelling it was written with.
/// </summary>
public sealed record DataFileHashtable(TextPosition Position, IReadOnlyList<DataFileEntry> Entries) : DataFileValue(Position)
{
    public override string Description => "a hashtable";

    /// <summary>The entry whose key equals <paramref name="key"/> ignoring case, or null.</summary>
    public DataFileEntry? Find(string key) =>
        Entries.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
}
