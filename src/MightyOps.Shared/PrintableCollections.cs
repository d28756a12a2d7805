using System.Collections.ObjectModel;
using System.Globalization;

namespace MightyOps;

/// <summary>
/// A read-only list whose <see cref="ToString"/> lists its items, so that <c>Export-Csv</c>,
/// <c>ConvertTo-Csv</c> and string interpolation show the values instead of the type's name.
/// Format-List and Select-Object still see an ordinary list.
/// </summary>
/// <typeparam name="T">The item type; each item is shown by its own ToString.</typeparam>
public sealed class PrintableList<T> : ReadOnlyCollection<T>
{
    /// <summary>The empty list.</summary>
    public static new readonly PrintableList<T> Empty = new(Array.Empty<T>());

    /// <summary>Wraps <paramref name="items"/> (copied, so later changes to the source are not seen).</summary>
    public PrintableList(IEnumerable<T> items)
        : base(items.ToArray())
    {
    }

    /// <summary>The items' text, joined with "; ".</summary>
    public override string ToString() => TerminalText.VisibleLine(string.Join("; ", this.Select(item => Convert.ToString(item, CultureInfo.CurrentCulture))));

    /// <summary>The list itself when it already is one, else a printable copy; null stays null.</summary>
    internal static PrintableList<T>? From(IEnumerable<T>? items) => items switch
    {
        null => null,
        PrintableList<T> printable => printable,
        _ => new PrintableList<T>(items),
    };
}

/// <summary>
/// A read-only dictionary with string keys whose <see cref="ToString"/> reads <c>key=value; key=value</c>,
/// so that <c>Export-Csv</c> writes the entries instead of the type's name. Keys keep their order.
/// </summary>
/// <typeparam name="TValue">The value type; each value is shown by its own ToString.</typeparam>
public sealed class PrintableDictionary<TValue> : ReadOnlyDictionary<string, TValue>
{
    private readonly IReadOnlyList<string> _order;

    /// <summary>The empty dictionary.</summary>
    public static new readonly PrintableDictionary<TValue> Empty = new([]);

    /// <summary>Copies <paramref name="entries"/>; lookups use <paramref name="comparer"/> (ordinal by default).</summary>
    public PrintableDictionary(IEnumerable<KeyValuePair<string, TValue>> entries, IEqualityComparer<string>? comparer = null)
        : base(new Dictionary<string, TValue>(entries, comparer ?? StringComparer.Ordinal))
    {
        _order = entries.Select(entry => entry.Key).ToArray();
    }

    /// <summary>The entries as <c>key=value</c>, joined with "; ", in the order they were given.</summary>
    public override string ToString() =>
        TerminalText.VisibleLine(string.Join("; ", _order.Select(key => $"{key}={Convert.ToString(this[key], CultureInfo.CurrentCulture)}")));

    /// <summary>The dictionary itself when it already is one, else a printable copy; null stays null.</summary>
    internal static PrintableDictionary<TValue>? From(IReadOnlyDictionary<string, TValue>? entries) => entries switch
    {
        null => null,
        PrintableDictionary<TValue> printable => printable,
        _ => new PrintableDictionary<TValue>(entries),
    };
}
