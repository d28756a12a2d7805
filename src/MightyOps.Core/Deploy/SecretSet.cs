using System.Diagnostics;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Secret environment variables for one service: names in the open, values sealed. Nothing that
/// is printed, logged or thrown shows a value: <see cref="ToString"/> and <see cref="Masked"/>
/// list names only; the values come out only through <see cref="Reveal"/>, whose callers write
/// them where they belong (an env file in S3, or the task definition in Environment mode).
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class SecretSet
{
    /// <summary>What a masked value looks like.</summary>
    public const string Mask = "********";

    private readonly IReadOnlyDictionary<string, string> _values;

    /// <summary>A set from name/value pairs (names are case-sensitive, as environment variables are).</summary>
    public SecretSet(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string value) in values)
        {
            copy[key] = value;
        }
        _values = copy;
    }

    /// <summary>No secrets.</summary>
    public static SecretSet Empty { get; } = new([]);

    /// <summary>The variable names, sorted ordinally.</summary>
    public IReadOnlyCollection<string> Keys => (IReadOnlyCollection<string>)_values.Keys;

    public int Count => _values.Count;

    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>Every name with its value replaced by <see cref="Mask"/>: for diffs, tables and logs.</summary>
    public IReadOnlyDictionary<string, string> Masked => _values.ToDictionary(v => v.Key, _ => Mask, StringComparer.Ordinal);

    /// <summary>
    /// The values themselves. Only for writing them where they are delivered; never for a
    /// message, a log line or an output object.
    /// </summary>
    public IReadOnlyDictionary<string, string> Reveal() => _values;

    /// <summary>This set with <paramref name="over"/>'s values replacing this one's where both have a name (last wins).</summary>
    public SecretSet Overlay(SecretSet over)
    {
        ArgumentNullException.ThrowIfNull(over);
        return new SecretSet(_values.Concat(over._values));
    }

    /// <summary>Names added, removed and changed from <paramref name="before"/> to this set; values are compared, never shown.</summary>
    public IReadOnlyList<SecretChange> ChangesFrom(SecretSet before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var changes = new List<SecretChange>();
        foreach (string key in before._values.Keys.Union(_values.Keys).Order(StringComparer.Ordinal))
        {
            bool had = before._values.TryGetValue(key, out string? old);
            bool has = _values.TryGetValue(key, out string? now);
            if (had != has || !string.Equals(old, now, StringComparison.Ordinal))
            {
                changes.Add(new SecretChange(key, !had ? SecretChangeKind.Added : !has ? SecretChangeKind.Removed : SecretChangeKind.Changed));
            }
        }
        return changes;
    }

    /// <summary>The names, never the values: <c>3 secrets: A, B, C (values masked)</c>.</summary>
    public override string ToString() =>
        _values.Count == 0 ? "no secrets" : $"{_values.Count} secret{(_values.Count == 1 ? string.Empty : "s")}: {string.Join(", ", _values.Keys)} (values masked)";
}

/// <summary>How a secret differs between two sets.</summary>
public enum SecretChangeKind
{
    Added,
    Removed,
    Changed,
}

/// <summary>One secret name that differs between two sets; the values stay out of it.</summary>
public sealed record SecretChange(string Key, SecretChangeKind Kind);
