using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// One request body, read strictly: members the operation's input shape does not have are
/// rejected (botocore refuses them client side, "Unknown parameter in input"; a hand-written
/// client that sends them, e.g. <c>revision</c> on RegisterTaskDefinition after a describe, must
/// be caught here rather than in production), and a member of the wrong JSON type is a
/// SerializationException, as the real service answers.
/// </summary>
internal readonly struct EcsRequest
{
    private readonly JsonElement _body;

    private EcsRequest(JsonElement body)
    {
        _body = body;
    }

    public static EcsRequest Parse(JsonElement body, IReadOnlyList<string> members)
    {
        if (body.ValueKind == JsonValueKind.Undefined || body.ValueKind == JsonValueKind.Null)
        {
            // botocore always sends {}; an empty HTTP body reads as nothing at all.
            return new EcsRequest(default);
        }
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new SandboxException("SerializationException", "The request body must be a JSON object.");
        }
        foreach (JsonProperty property in body.EnumerateObject())
        {
            if (!members.Contains(property.Name))
            {
                throw new SandboxException(
                    "InvalidParameterException",
                    $"Unknown parameter in input: \"{property.Name}\", must be one of: {string.Join(", ", members)}");
            }
        }
        return new EcsRequest(body);
    }

    public bool Has(string name) => TryGet(name, out _);

    /// <summary>The body as sent, to tell a request sent again from another one.</summary>
    public string Canonical() => _body.ValueKind == JsonValueKind.Object ? JsonNode.Parse(_body.GetRawText())!.ToJsonString() : "{}";

    public string? String(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw TypeError(name, "a string");
    }

    public int? Int(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw TypeError(name, "an integer");
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw TypeError(name, "a boolean"),
        };
    }

    public List<string>? StringList(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(name, "a list of strings");
        }
        var list = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw TypeError(name, "a list of strings");
            }
            list.Add(item.GetString()!);
        }
        return list;
    }

    public JsonArray? Array(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Array
            ? (JsonArray)JsonNode.Parse(value.GetRawText())!
            : throw TypeError(name, "a list");
    }

    public JsonObject? Object(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object
            ? (JsonObject)JsonNode.Parse(value.GetRawText())!
            : throw TypeError(name, "a structure");
    }

    /// <summary>A member as one of the Core wire models.</summary>
    public T? As<T>(string name)
        where T : class
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }
        try
        {
            return value.Deserialize<T>(AwsJson.Options);
        }
        catch (JsonException ex)
        {
            throw new SandboxException("SerializationException", $"The value of '{name}' is not valid: a member has the wrong type at {(ex.Path ?? "$").Replace("$", name, StringComparison.Ordinal)}.");
        }
    }

    /// <summary>The whole body as one of the Core request models.</summary>
    public T Body<T>()
        where T : class, new()
    {
        if (_body.ValueKind != JsonValueKind.Object)
        {
            return new T();
        }
        try
        {
            return _body.Deserialize<T>(AwsJson.Options) ?? new T();
        }
        catch (JsonException ex)
        {
            throw new SandboxException("SerializationException", $"The request could not be read: a member has the wrong type at {ex.Path ?? "$"}.");
        }
    }

    private bool TryGet(string name, out JsonElement value)
    {
        if (_body.ValueKind == JsonValueKind.Object && _body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }
        value = default;
        return false;
    }

    private static SandboxException TypeError(string name, string expected) =>
        new("SerializationException", $"The value of '{name}' must be {expected}.");
}
