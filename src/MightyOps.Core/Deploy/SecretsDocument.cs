using System.Text.Json;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>How a secrets document is laid out.</summary>
public enum SecretsLayout
{
    /// <summary><c>{"KEY": "value", ...}</c>: the same secrets for every service.</summary>
    Flat,

    /// <summary><c>{"shared": {...}, "WEB": {...}}</c>: shared secrets, then each service's own over them.</summary>
    PerService,
}

/// <summary>
/// The secrets JSON object read from S3. It is <see cref="SecretsLayout.Flat"/> when every
/// top-level value is a string, <see cref="SecretsLayout.PerService"/> when every top-level value
/// is an object (the key <c>shared</c>, and ECS service names); anything else is refused, so a
/// typo cannot silently turn a service's secrets into one odd variable. docs/design/secrets.md
/// has the rules. Error messages name keys, their JSON types and positions, never a value.
/// </summary>
public sealed class SecretsDocument
{
    /// <summary>The key of the secrets every service gets in the per-service layout.</summary>
    public const string SharedKey = "shared";

    private readonly SecretSet _shared;
    private readonly IReadOnlyDictionary<string, SecretSet> _services;

    private SecretsDocument(S3Location source, SecretsLayout layout, SecretSet shared, IReadOnlyDictionary<string, SecretSet> services)
    {
        Source = source;
        Layout = layout;
        _shared = shared;
        _services = services;
    }

    /// <summary>Where the document was read from.</summary>
    public S3Location Source { get; }

    public SecretsLayout Layout { get; }

    /// <summary>The secrets every service gets: the <c>shared</c> section, or all of a flat document.</summary>
    public SecretSet Shared => _shared;

    /// <summary>The services that have their own section (per-service layout), as written.</summary>
    public IReadOnlyCollection<string> Services => (IReadOnlyCollection<string>)_services.Keys;

    /// <summary>
    /// The secrets of <paramref name="service"/>: the shared ones with the service's own over them
    /// (last wins). For a flat document, all of it. The service name matches exactly, as ECS names do.
    /// </summary>
    public SecretSet For(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return _services.TryGetValue(service, out SecretSet? own) ? _shared.Overlay(own) : _shared;
    }

    /// <summary>Parses and checks the UTF-8 JSON in <paramref name="content"/>; errors are <c>SecretsInvalid</c> naming <paramref name="source"/>.</summary>
    public static SecretsDocument Parse(ReadOnlyMemory<byte> content, S3Location source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckUtf8(content.Span, source);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(content, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            // JsonException's own message quotes the offending character, which may be part of a
            // secret: only the position is passed on, and not the exception itself.
            throw Invalid(source, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line). Check it with 'aws s3 cp {source} - | jq .'.");
        }
        using (json)
        {
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, $"is a JSON {Kind(root)}, not an object. Write {{\"KEY\": \"value\"}}, or {{\"shared\": {{...}}, \"<service>\": {{...}}}}.");
            }
            List<JsonProperty> properties = Properties(root, source, path: null);
            bool anyObject = properties.Any(p => p.Value.ValueKind == JsonValueKind.Object);
            if (!anyObject)
            {
                return new SecretsDocument(source, SecretsLayout.Flat, Variables(properties, source, path: null), new Dictionary<string, SecretSet>());
            }
            foreach (JsonProperty stray in properties.Where(p => p.Value.ValueKind != JsonValueKind.Object).Take(1))
            {
                throw Invalid(source, $"mixes sections and variables: '{stray.Name}' is a JSON {Kind(stray.Value)}, but other top-level values are objects. Either every top-level value is a string (one set for all services), or every one is an object ('shared' and service names).");
            }
            SecretSet shared = SecretSet.Empty;
            var services = new Dictionary<string, SecretSet>(StringComparer.Ordinal);
            foreach (JsonProperty section in properties)
            {
                SecretSet variables = Variables(Properties(section.Value, source, section.Name), source, section.Name);
                if (section.Name == SharedKey)
                {
                    shared = variables;
                }
                else if (string.Equals(section.Name, SharedKey, StringComparison.OrdinalIgnoreCase))
                {
                    throw Invalid(source, $"has a section '{section.Name}'; the shared section is spelled '{SharedKey}' (lower case).");
                }
                else
                {
                    services[section.Name] = variables;
                }
            }
            return new SecretsDocument(source, SecretsLayout.PerService, shared, services);
        }
    }

    private static List<JsonProperty> Properties(JsonElement element, S3Location source, string? path)
    {
        var properties = new List<JsonProperty>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!seen.Add(Text(() => property.Name, source, path is null ? "a top-level key" : $"a key in section '{path}'")))
            {
                throw Invalid(source, $"has the key '{Join(path, property.Name)}' twice; which value wins would be up to the JSON reader.");
            }
            properties.Add(property);
        }
        return properties;
    }

    private static SecretSet Variables(List<JsonProperty> properties, S3Location source, string? path)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (JsonProperty property in properties)
        {
            string name = Join(path, property.Name);
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"has a JSON {Kind(property.Value)} for '{name}'; secret values must be strings. Quote the value in the JSON.");
            }
            if (!EnvironmentNames.IsValid(property.Name))
            {
                throw Invalid(source, $"has the key '{name}', which is not an environment variable name ({EnvironmentNames.Rule}).");
            }
            values.Add(new(property.Name, Text(() => property.Value.GetString()!, source, $"the value of '{name}'")));
        }
        return new SecretSet(values);
    }

    /// <summary>
    /// JSON text is UTF-8 (RFC 8259); a document saved in another encoding (UTF-16, Latin-1)
    /// would otherwise fail deep inside the JSON reader. Says where the first bad byte is, never
    /// what it is: it may be part of a secret.
    /// </summary>
    private static void CheckUtf8(ReadOnlySpan<byte> content, S3Location source)
    {
        if (System.Text.Unicode.Utf8.IsValid(content))
        {
            return;
        }
        int at = 0;
        while (System.Text.Rune.DecodeFromUtf8(content[at..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            at += consumed;
        }
        int line = 1 + content[..at].Count((byte)'\n');
        int column = at - (content[..at].LastIndexOf((byte)'\n') + 1) + 1;
        string hint = content.Length >= 2 && ((content[0] == 0xFF && content[1] == 0xFE) || (content[0] == 0xFE && content[1] == 0xFF))
            ? " It starts with a UTF-16 byte order mark: it was saved as UTF-16."
            : string.Empty;
        throw Invalid(source, $"is not UTF-8 text: byte {column} of line {line} does not begin a UTF-8 character, and JSON must be UTF-8.{hint} Save it as UTF-8 and upload it again ('aws s3 cp production.json {source}').");
    }

    // A JSON escape of half a surrogate pair ("\ud800") parses, but is no text.
    private static string Text(Func<string> read, S3Location source, string what)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            throw Invalid(source, $"has an escape of half a UTF-16 surrogate pair (\\uD800-\\uDFFF without its other half) in {what}, which is not text. Remove or complete it.");
        }
    }

    private static string Join(string? path, string name) => path is null ? name : $"{path}.{name}";

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "string",
    };

    internal static MightyOpsException Invalid(S3Location source, string problem) =>
        new(DeployErrorIds.SecretsInvalid, $"The secrets object {source} {problem}", source.ToString());
}
