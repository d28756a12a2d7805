using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// Resource tags: TagResource, UntagResource and ListTagsForResource on clusters, services, task
// definitions, tasks and container instances, all by ARN (the API takes nothing else).
public sealed partial class EcsApi
{
    private JsonNode TagResource(EcsRequest request)
    {
        List<EcsTag> tagged = TagsOf(request, notFoundCode: "ResourceNotFoundException");
        List<EcsTag> tags = ValidTags(request.As<List<EcsTag>>("tags"));
        if (tags.Count == 0)
        {
            throw new SandboxException("InvalidParameterException", "Tags cannot be empty.");
        }
        foreach (EcsTag tag in tags)
        {
            RejectReserved(tag.Key!);
            // A key that is already there gets the new value (ECS: "the tag is overwritten").
            tagged.RemoveAll(t => t.Key == tag.Key);
            tagged.Add(new EcsTag { Key = tag.Key, Value = tag.Value ?? string.Empty });
        }
        if (tagged.Count > 50)
        {
            throw new SandboxException("InvalidParameterException", "A resource can have at most 50 tags.");
        }
        return new JsonObject();
    }

    private JsonNode UntagResource(EcsRequest request)
    {
        List<EcsTag> tagged = TagsOf(request, notFoundCode: "ResourceNotFoundException");
        List<string> keys = request.StringList("tagKeys") ?? [];
        if (keys.Count == 0)
        {
            throw new SandboxException("InvalidParameterException", "TagKeys cannot be empty.");
        }
        foreach (string key in keys)
        {
            RejectReserved(key);
            // A key the resource does not have is no error.
            tagged.RemoveAll(t => t.Key == key);
        }
        return new JsonObject();
    }

    private JsonNode ListTagsForResource(EcsRequest request) =>
        new JsonObject { ["tags"] = EcsWire.ToArray(TagsOf(request, notFoundCode: "InvalidParameterException")) };

    /// <summary>The live tag list of the resource an ARN names (the caller changes it in place).</summary>
    private List<EcsTag> TagsOf(EcsRequest request, string notFoundCode)
    {
        string arn = request.String("resourceArn")
            ?? throw new SandboxException("InvalidParameterException", "resourceArn must be specified.");
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw new SandboxException("InvalidParameterException", "Invalid identifier: resourceArn must be an ARN.");
        }
        SandboxException notFound = new(notFoundCode, "The specified resource could not be found.");
        if (_sim.Arns.ResourceOf(arn, "task-definition", out _) is { Length: > 0 })
        {
            return (FindTaskDefinition(arn) ?? throw notFound).Tags;
        }
        if (_sim.Arns.ResourceOf(arn, "cluster", out _) is { Length: > 0 })
        {
            return (FindCluster(arn) ?? throw new SandboxException("ClusterNotFoundException", "Cluster not found.")).Tags;
        }
        foreach (string type in (string[])["service", "task", "container-instance"])
        {
            string? resource = _sim.Arns.ResourceOf(arn, type, out _);
            if (resource is not { Length: > 0 })
            {
                continue;
            }
            // Long ARN format only: service/cluster/name, task/cluster/id, container-instance/cluster/id.
            int slash = resource.IndexOf('/');
            ClusterState cluster = slash > 0 && _sim.Clusters.TryGetValue(resource[..slash], out ClusterState? found)
                ? found
                : throw new SandboxException("ClusterNotFoundException", "Cluster not found.");
            List<EcsTag>? tags = type switch
            {
                "service" => FindService(cluster, arn) is { Status: not "INACTIVE" } service ? service.Tags : null,
                "task" => FindTask(cluster, arn)?.Tags,
                _ => FindContainerInstance(cluster, arn)?.Tags,
            };
            return tags ?? throw notFound;
        }
        throw new SandboxException("InvalidParameterException", "The specified resource type is not supported for tagging.");
    }

    private static void RejectReserved(string key)
    {
        if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new SandboxException("InvalidParameterException", "Tag keys starting with 'aws:' are reserved for AWS use.");
        }
    }
}
