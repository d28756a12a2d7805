using System.Collections;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace MightyOps.Core.Aws.Query;

/// <summary>
/// Reads query-protocol answers the way botocore's <c>QueryParser</c> does
/// (docs/design/query-protocol.md, "Answers" and "Errors"): the result inside
/// <c>&lt;{Operation}Result&gt;</c>, <c>ResponseMetadata</c> beside it, lists as the children of
/// their element (<c>&lt;member&gt;</c>), maps as <c>&lt;entry&gt;&lt;key/&gt;&lt;value/&gt;&lt;/entry&gt;</c>,
/// XML namespaces and unknown elements ignored; and the error document
/// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;</c>.
/// </summary>
internal static class QueryXmlReader
{
    /// <summary>The member of a response that receives the root's <c>ResponseMetadata</c> (botocore adds it to every answer).</summary>
    public const string MetadataMember = "ResponseMetadata";

    /// <summary>Parses an answer's XML: no DTD, no external entities (an endpoint is not trusted to define any).</summary>
    public static XElement Load(byte[] body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreProcessingInstructions = true };
        using var stream = new MemoryStream(body, writable: false);
        using var reader = XmlReader.Create(stream, settings);
        return XElement.Load(reader);
    }

    /// <summary>
    /// The result of <paramref name="operation"/> from the answer's root: the members of
    /// <c>&lt;{operation}Result&gt;</c> (absent for an operation without output), and
    /// <see cref="MetadataMember"/> from the root. Throws <see cref="FormatException"/> for a value
    /// that is not of its member's type.
    /// </summary>
    public static T ReadResult<T>(XElement root, string operation)
        where T : class, new()
    {
        T result = Child(root, operation + "Result") is { } wrapper ? (T)ReadStructure(wrapper, typeof(T)) : new T();
        if (typeof(T).GetProperty(MetadataMember) is { CanWrite: true } metadata && Child(root, MetadataMember) is { } node)
        {
            metadata.SetValue(result, ReadStructure(node, metadata.PropertyType));
        }
        return result;
    }

    /// <summary>
    /// An error answer as botocore reads it: <c>Code</c> and <c>Message</c> of the <c>Error</c>
    /// element (under the root, or under <c>Errors</c>), the root's <c>RequestId</c> (else the
    /// header's; EC2's <c>RequestID</c> is not the query protocol's). A body that is not XML (a proxy's page) gives the HTTP status as the code.
    /// </summary>
    public static AwsErrorResponse ReadError(int status, byte[] body, string? headerRequestId)
    {
        string? code = null;
        string? message = null;
        string? requestId = null;
        try
        {
            XElement root = Load(body);
            XElement? error = Child(root, "Error") ?? Child(Child(root, "Errors"), "Error");
            code = Child(error, "Code")?.Value.Trim();
            message = Child(error, "Message")?.Value;
            requestId = Child(root, "RequestId")?.Value.Trim();
        }
        catch (XmlException)
        {
            // Not XML: the status is the code, as botocore does for a generic error page.
        }
        return new AwsErrorResponse(
            status,
            string.IsNullOrEmpty(code) ? status.ToString(CultureInfo.InvariantCulture) : code,
            message ?? string.Empty,
            string.IsNullOrEmpty(requestId) ? (string.IsNullOrEmpty(headerRequestId) ? null : headerRequestId) : requestId);
    }

    private static object ReadStructure(XElement node, Type type)
    {
        object result = Activator.CreateInstance(type) ?? throw new NotSupportedException($"{type} has no parameterless constructor.");
        var children = node.Elements().GroupBy(e => e.Name.LocalName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (QueryMember member in QueryShapes.Members(type))
        {
            // A flattened list with a named member repeats that name under the structure (botocore's _member_key_name).
            string name = member.Parts.ListFlattened && member.Parts.ListMember is { } element ? element : member.Name;
            if (member.Property.CanWrite && children.TryGetValue(name, out List<XElement>? found))
            {
                member.Property.SetValue(result, ReadValue(found, member.Property.PropertyType, member.Parts));
            }
        }
        return result;
    }

    private static object? ReadValue(List<XElement> nodes, Type type, QueryParts parts)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (QueryShapes.IsScalar(t))
        {
            string text = nodes[0].Value;
            // An empty number or timestamp (<MaxInstanceLifetime />, in AWS's own documented
            // examples) is absent; botocore fails on it. An empty boolean is false, as botocore reads it.
            return text.Length == 0 && t != typeof(string) && t != typeof(bool) && t != typeof(byte[]) ? null : Scalar(text, t);
        }
        if (QueryShapes.MapValueType(t) is { } valueType)
        {
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
            foreach (XElement entry in parts.MapFlattened ? nodes : nodes[0].Elements())
            {
                string? key = Child(entry, parts.MapKey)?.Value;
                if (key is not null)
                {
                    map[key] = Child(entry, parts.MapValue) is { } value ? ReadValue([value], valueType, QueryParts.Default) : null;
                }
            }
            return map;
        }
        if (QueryShapes.ListElementType(t) is { } elementType)
        {
            // Every child is an element, whatever its name (botocore does not check for <member>).
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            foreach (XElement item in parts.ListFlattened ? nodes : nodes[0].Elements())
            {
                list.Add(ReadValue([item], elementType, QueryParts.Default));
            }
            if (t.IsArray)
            {
                var array = Array.CreateInstance(elementType, list.Count);
                list.CopyTo(array, 0);
                return array;
            }
            return list;
        }
        return ReadStructure(nodes[0], t);
    }

    private static object Scalar(string text, Type type)
    {
        if (type == typeof(string))
        {
            return text;   // <a></a> is "", not null
        }
        if (type == typeof(bool))
        {
            return text == "true";
        }
        if (type == typeof(int))
        {
            return int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        if (type == typeof(long))
        {
            return long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        if (type == typeof(double))
        {
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        if (type == typeof(float))
        {
            return float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        if (type == typeof(DateTimeOffset))
        {
            return Timestamp(text);
        }
        return Convert.FromBase64String(text);
    }

    /// <summary>ISO 8601 (the query protocol's answers), or epoch seconds as botocore also accepts.</summary>
    private static DateTimeOffset Timestamp(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            ? DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);
}
