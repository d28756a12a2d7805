using System.Text.Json;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// The nested input shapes of the ECS operations the sandbox serves, as botocore's model has them
/// (<c>EcsInputShapes.json</c>, written by <c>tests/tools/ecs_input_shapes.py</c>; a test keeps the
/// two equal). An unknown member anywhere in a request, e.g. <c>containerDefinitions[0].bogus</c>,
/// is refused with botocore's own wording, the way unknown top-level members are
/// (<see cref="EcsRequest"/>): ECS's server-side answer to them is not published, and every SDK
/// refuses them before sending (docs/design/sandbox-hardening.md).
/// </summary>
internal static class EcsInputShapes
{
    private static readonly Lazy<JsonDocument> Model = new(Load);

    /// <summary>Throws InvalidParameterException for the first member below the top level that its structure does not have.</summary>
    public static void RejectUnknownNestedMembers(string operation, JsonElement body)
    {
        JsonElement root = Model.Value.RootElement;
        if (body.ValueKind != JsonValueKind.Object ||
            !root.GetProperty("operations").TryGetProperty(operation, out JsonElement inputShape) ||
            !Shape(inputShape.GetString()!, out JsonElement input))
        {
            return;
        }
        JsonElement members = input.GetProperty("members");
        foreach (JsonProperty property in body.EnumerateObject())
        {
            if (members.TryGetProperty(property.Name, out JsonElement memberShape))
            {
                Check(property.Value, memberShape.GetString()!, property.Name);
            }
        }
    }

    private static void Check(JsonElement value, string shapeName, string path)
    {
        if (!Shape(shapeName, out JsonElement shape))
        {
            return; // a scalar
        }
        if (shape.TryGetProperty("members", out JsonElement members) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in value.EnumerateObject())
            {
                if (!members.TryGetProperty(property.Name, out JsonElement memberShape))
                {
                    string allowed = string.Join(", ", members.EnumerateObject().Select(m => m.Name));
                    throw new SandboxException("InvalidParameterException",
                        $"Unknown parameter in {path}: \"{property.Name}\", must be one of: {allowed}");
                }
                Check(property.Value, memberShape.GetString()!, $"{path}.{property.Name}");
            }
        }
        else if (shape.TryGetProperty("list", out JsonElement itemShape) && value.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                Check(item, itemShape.GetString()!, $"{path}[{index++}]");
            }
        }
        else if (shape.TryGetProperty("map", out JsonElement valueShape) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty entry in value.EnumerateObject())
            {
                Check(entry.Value, valueShape.GetString()!, $"{path}.{entry.Name}");
            }
        }
    }

    private static bool Shape(string name, out JsonElement shape) =>
        Model.Value.RootElement.GetProperty("shapes").TryGetProperty(name, out shape);

    private static JsonDocument Load()
    {
        using Stream stream = typeof(EcsInputShapes).Assembly.GetManifestResourceStream("MightyOps.Sandbox.Ecs.EcsInputShapes.json")
            ?? throw new InvalidOperationException("The embedded ECS input shapes are missing from the sandbox assembly.");
        return JsonDocument.Parse(stream);
    }
}
