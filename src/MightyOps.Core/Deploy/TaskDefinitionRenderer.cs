using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Builds the RegisterTaskDefinition request of a deploy from the live task definition:
/// an allow-list copy (docs/design/task-definition-copy.md), then the configuration's layers,
/// then the new images, then environment and secrets.
/// </summary>
public static class TaskDefinitionRenderer
{
    /// <summary>
    /// The members of RegisterTaskDefinition's input that a described definition also has: the
    /// table of docs/design/task-definition-copy.md, "What is copied", in its order (a test reads
    /// the table and compares).
    /// </summary>
    internal static readonly IReadOnlyList<string> CopiedMembers =
    [
        "family", "containerDefinitions", "taskRoleArn", "executionRoleArn", "networkMode", "volumes",
        "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
        "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
    ];

    /// <summary>
    /// An allow-list copy of <paramref name="live"/> as a register request: only the
    /// <see cref="CopiedMembers"/> (never a read-only member of the described definition), empty
    /// values left out, container members MightyOps does not know passed through as they came.
    /// Tags are not copied here.
    /// </summary>
    public static RegisterTaskDefinitionRequest Copy(EcsTaskDefinition live)
    {
        ArgumentNullException.ThrowIfNull(live);
        JsonObject described = JsonSerializer.SerializeToNode(live, AwsJson.Options)!.AsObject();
        var copy = new JsonObject();
        foreach (string member in CopiedMembers)
        {
            if (described[member] is JsonNode value && !IsEmpty(value))
            {
                copy[member] = Prune(value.DeepClone());
            }
        }
        return copy.Deserialize<RegisterTaskDefinitionRequest>(AwsJson.Options)!;
    }

    /// <summary>
    /// The request for the new revision: <see cref="Copy"/>, then <paramref name="settings"/>
    /// (configuration defaults and the service's settings), then <paramref name="images"/>, then
    /// <paramref name="environment"/> (environment variables and secrets), then the tags.
    /// </summary>
    public static RegisterTaskDefinitionRequest Render(
        EcsTaskDefinition live,
        IReadOnlyDictionary<string, ImageReference> images,
        Action<RegisterTaskDefinitionRequest>? settings,
        Action<RegisterTaskDefinitionRequest>? environment,
        IReadOnlyList<EcsTag> tags)
    {
        RegisterTaskDefinitionRequest request = Copy(live);
        settings?.Invoke(request);
        foreach (EcsContainerDefinition container in request.ContainerDefinitions ?? [])
        {
            if (container.Name is not null && images.TryGetValue(container.Name, out ImageReference? image))
            {
                container.Image = image.ToString();
            }
        }
        environment?.Invoke(request);
        request.Tags = tags.Count > 0 ? tags.ToList() : null;
        return request;
    }

    /// <summary>True when the two requests would register the same definition (tags aside).</summary>
    public static bool SameDefinition(RegisterTaskDefinitionRequest a, RegisterTaskDefinitionRequest b) =>
        JsonNode.DeepEquals(Canonical(a), Canonical(b));

    /// <summary>The request as JSON without its tags and without empty values, for comparing and diffing.</summary>
    internal static JsonObject Canonical(RegisterTaskDefinitionRequest request)
    {
        JsonObject node = JsonSerializer.SerializeToNode(request, AwsJson.Options)!.AsObject();
        node.Remove("tags");
        return (JsonObject)Prune(node);
    }

    // The official deploy action drops empty values before registering (null, "", [] and {} that
    // hold only empty values): ECS fills the same defaults back, and a copy without them compares
    // equal to one rendered again.
    private static JsonNode Prune(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is not JsonNode child || IsEmpty(child))
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        JsonNode pruned = Prune(child);
                        if (!ReferenceEquals(pruned, child))
                        {
                            obj[key] = pruned;
                        }
                    }
                }
                return obj;
            case JsonArray array:
                for (int i = array.Count - 1; i >= 0; i--)
                {
                    if (array[i] is not JsonNode item || IsEmpty(item))
                    {
                        array.RemoveAt(i);
                    }
                    else
                    {
                        Prune(item);
                    }
                }
                return array;
            default:
                return node;
        }
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>().Length == 0,
        JsonObject obj => obj.All(p => IsEmpty(p.Value)),
        JsonArray array => array.All(IsEmpty),
        _ => false,
    };
}
