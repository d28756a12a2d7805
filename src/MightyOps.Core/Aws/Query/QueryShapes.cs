using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace MightyOps.Core.Aws.Query;

/// <summary>
/// The member's name on the wire when the model gives it one (a <c>locationName</c>) that
/// differs from the property's: Auto Scaling's <c>CpuPerformanceFactorRequest.References</c> is sent as <c>Reference</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class QueryNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// A list member's wire form when it is not the default: the element name the model gives the
/// list's member (default <c>member</c>), or a flattened list (no element level: <c>Name.1</c>,
/// <c>Name.2</c>, or <c>Member.1</c> when the member is named; in XML the elements repeat under the parent).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class QueryListAttribute : Attribute
{
    /// <summary>The model's name for the list's member, or null for <c>member</c>.</summary>
    public string? Member { get; init; }

    public bool Flattened { get; init; }
}

/// <summary>A map member's wire form when it is not the default <c>entry.N.key</c>/<c>entry.N.value</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class QueryMapAttribute : Attribute
{
    public string Key { get; init; } = "key";

    public string Value { get; init; } = "value";

    public bool Flattened { get; init; }
}

/// <summary>How a list's or a map's parts are named on the wire (botocore's defaults unless the model says otherwise).</summary>
/// <param name="ListMember">The element name of a list's members; null when the model names none (<c>member</c>).</param>
/// <param name="ListFlattened">A flattened list: no element level.</param>
/// <param name="MapKey">The name of an entry's key.</param>
/// <param name="MapValue">The name of an entry's value.</param>
/// <param name="MapFlattened">A flattened map: no <c>entry</c> level.</param>
internal sealed record QueryParts(string? ListMember, bool ListFlattened, string MapKey, string MapValue, bool MapFlattened)
{
    /// <summary>The defaults: what a list or map nested in another has, since no attribute can reach it.</summary>
    public static readonly QueryParts Default = new(null, false, "key", "value", false);
}

/// <summary>One member of a structure: its property, its wire name and how its parts are named.</summary>
internal sealed record QueryMember(PropertyInfo Property, string Name, QueryParts Parts);

/// <summary>The kinds of value a query-protocol model holds, and the members of its structures (read once per type).</summary>
internal static class QueryShapes
{
    public const string DefaultListMember = "member";

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<QueryMember>> Cache = new();

    /// <summary>The structure's members in declaration order (the order they are sent in).</summary>
    public static IReadOnlyList<QueryMember> Members(Type type) => Cache.GetOrAdd(type, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead)
            .OrderBy(p => p.MetadataToken)
            .Select(p =>
            {
                QueryListAttribute? list = p.GetCustomAttribute<QueryListAttribute>();
                QueryMapAttribute? map = p.GetCustomAttribute<QueryMapAttribute>();
                var parts = new QueryParts(list?.Member, list?.Flattened ?? false, map?.Key ?? "key", map?.Value ?? "value", map?.Flattened ?? false);
                return new QueryMember(p, p.GetCustomAttribute<QueryNameAttribute>()?.Name ?? p.Name, parts);
            })
            .ToList());

    /// <summary>A string, number, boolean, timestamp or blob: one value on the wire.</summary>
    public static bool IsScalar(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(double)
            || t == typeof(float) || t == typeof(DateTimeOffset) || t == typeof(byte[]);
    }

    /// <summary>The value type of a <c>Dictionary&lt;string, T&gt;</c> (or its read-only interface), or null.</summary>
    public static Type? MapValueType(Type type)
    {
        Type? dictionary = type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>) || d == typeof(Dictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is null)
        {
            return null;
        }
        Type[] arguments = dictionary.GetGenericArguments();
        return arguments[0] == typeof(string) ? arguments[1] : throw new NotSupportedException($"A query-protocol map has string keys, not {arguments[0]}.");
    }

    /// <summary>The element type of a list (<c>List&lt;T&gt;</c>, <c>T[]</c>, <c>IReadOnlyList&lt;T&gt;</c>), or null.</summary>
    public static Type? ListElementType(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]) || MapValueType(type) is not null)
        {
            return null;
        }
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        Type? enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0] ?? (typeof(IEnumerable).IsAssignableFrom(type) ? typeof(object) : null);
    }
}
