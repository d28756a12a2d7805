using System.Collections;
using System.Globalization;
using System.Text;

namespace MightyOps.Core.Aws.Query;

/// <summary>
/// A request as the query protocol sends it, the way botocore's <c>QuerySerializer</c> writes it
/// and the AWS CLI posts it (docs/design/query-protocol.md, "Requests"): <c>Action</c> and
/// <c>Version</c> first, then every member that has a value in declaration order; structures as
/// <c>A.B</c>, lists as <c>A.member.N</c> (an empty list as <c>A=</c>), maps as
/// <c>A.entry.N.key</c>/<c>A.entry.N.value</c>; the pairs form-encoded.
/// </summary>
internal static class QuerySerializer
{
    /// <summary>The name/value pairs of <paramref name="request"/> (null: no input), in the order they are sent.</summary>
    public static List<KeyValuePair<string, string>> Parameters(string action, string version, object? request)
    {
        var pairs = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", version) };
        if (request is not null)
        {
            WriteStructure(pairs, string.Empty, request);
        }
        return pairs;
    }

    /// <summary>The form body: <c>name=value</c> pairs joined by <c>&amp;</c>, each encoded as Python's <c>urlencode</c> does (what botocore sends).</summary>
    public static byte[] Body(IEnumerable<KeyValuePair<string, string>> pairs) =>
        Encoding.ASCII.GetBytes(string.Join('&', pairs.Select(p => FormEncode(p.Key) + "=" + FormEncode(p.Value))));

    /// <summary>
    /// <c>application/x-www-form-urlencoded</c> as Python's <c>quote_plus</c>: letters, digits and
    /// <c>_.-~</c> as they are, a space as <c>+</c>, every other UTF-8 byte as <c>%XX</c>.
    /// </summary>
    public static string FormEncode(string text)
    {
        var encoded = new StringBuilder(text.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'.' or (byte)'-' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                encoded.Append('+');
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }

    /// <summary>
    /// A timestamp as botocore sends it by default (ISO 8601 in UTC): seconds, and microseconds
    /// only when there are any (<c>2025-06-01T12:00:00Z</c>, <c>2025-06-01T12:00:00.250000Z</c>).
    /// </summary>
    public static string Timestamp(DateTimeOffset value)
    {
        DateTimeOffset utc = value.ToUniversalTime();
        long microseconds = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        string seconds = utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        return microseconds > 0 ? $"{seconds}.{microseconds.ToString("D6", CultureInfo.InvariantCulture)}Z" : seconds + "Z";
    }

    /// <summary>
    /// A double as Python's <c>str</c> writes it (botocore passes the number through): the shortest
    /// digits that read back the same, <c>.0</c> on whole numbers, an exponent below 1e-4 and from 1e16.
    /// </summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = shortest.StartsWith('-');
        string[] parts = shortest.TrimStart('-').Split('E');
        int exponent = parts.Length > 1 ? int.Parse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        int point = parts[0].IndexOf('.') is int dot and >= 0 ? dot : parts[0].Length;
        string digits = parts[0].Replace(".", string.Empty, StringComparison.Ordinal);
        int leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0').TrimEnd('0');
        string sign = negative ? "-" : string.Empty;
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }
        // The value is 0.<digits> x 10^position.
        int position = point - leading + exponent;
        int scientific = position - 1;
        if (scientific is < -4 or >= 16)
        {
            string mantissa = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
            return $"{sign}{mantissa}e{(scientific < 0 ? '-' : '+')}{Math.Abs(scientific).ToString("D2", CultureInfo.InvariantCulture)}";
        }
        if (position <= 0)
        {
            return $"{sign}0.{new string('0', -position)}{digits}";
        }
        return position >= digits.Length
            ? $"{sign}{digits}{new string('0', position - digits.Length)}.0"
            : $"{sign}{digits[..position]}.{digits[position..]}";
    }

    private static void WriteStructure(List<KeyValuePair<string, string>> pairs, string prefix, object structure)
    {
        foreach (QueryMember member in QueryShapes.Members(structure.GetType()))
        {
            if (member.Property.GetValue(structure) is { } value)
            {
                Write(pairs, prefix.Length == 0 ? member.Name : $"{prefix}.{member.Name}", value, member.Parts);
            }
        }
    }

    private static void Write(List<KeyValuePair<string, string>> pairs, string prefix, object value, QueryParts parts)
    {
        switch (value)
        {
            case string text:
                pairs.Add(new(prefix, text));
                return;
            case bool flag:
                pairs.Add(new(prefix, flag ? "true" : "false"));
                return;
            case int or long:
                pairs.Add(new(prefix, Convert.ToString(value, CultureInfo.InvariantCulture)!));
                return;
            case double number:
                pairs.Add(new(prefix, Number(number)));
                return;
            case float number:
                pairs.Add(new(prefix, Number(number)));
                return;
            case DateTimeOffset time:
                pairs.Add(new(prefix, Timestamp(time)));
                return;
            case byte[] blob:
                pairs.Add(new(prefix, Convert.ToBase64String(blob)));
                return;
            case IDictionary map:
                WriteMap(pairs, prefix, map, parts);
                return;
            case IEnumerable list:
                WriteList(pairs, prefix, list, parts);
                return;
            default:
                if (value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal or DateTime)
                {
                    // Models use the types above (DateTimeOffset for timestamps: a DateTime's zone is a guess).
                    throw new NotSupportedException($"The query serializer has no rule for {value.GetType()}.");
                }
                WriteStructure(pairs, prefix, value);
                return;
        }
    }

    private static void WriteList(List<KeyValuePair<string, string>> pairs, string prefix, IEnumerable list, QueryParts parts)
    {
        string elements = parts.ListFlattened
            ? parts.ListMember is null ? prefix : ReplaceLast(prefix, parts.ListMember)
            : $"{prefix}.{parts.ListMember ?? QueryShapes.DefaultListMember}";
        int n = 0;
        foreach (object? element in list)
        {
            n++;
            if (element is not null)
            {
                Write(pairs, $"{elements}.{n.ToString(CultureInfo.InvariantCulture)}", element, QueryParts.Default);
            }
        }
        if (n == 0)
        {
            // botocore sends an empty list as the bare name: "the query protocol serializes empty lists".
            pairs.Add(new(prefix, string.Empty));
        }
    }

    private static void WriteMap(List<KeyValuePair<string, string>> pairs, string prefix, IDictionary map, QueryParts parts)
    {
        string entries = parts.MapFlattened ? prefix : $"{prefix}.entry";
        int n = 0;
        foreach (DictionaryEntry entry in map)
        {
            n++;
            string at = $"{entries}.{n.ToString(CultureInfo.InvariantCulture)}";
            Write(pairs, $"{at}.{parts.MapKey}", entry.Key, QueryParts.Default);
            if (entry.Value is not null)
            {
                Write(pairs, $"{at}.{parts.MapValue}", entry.Value, QueryParts.Default);
            }
        }
    }

    private static string ReplaceLast(string prefix, string name)
    {
        int dot = prefix.LastIndexOf('.');
        return dot < 0 ? name : $"{prefix[..dot]}.{name}";
    }
}
