namespace MightyOps.Core.Aws.Ecs;

/// <summary>
/// An ECS ARN taken apart: <c>arn:&lt;partition&gt;:ecs:&lt;region&gt;:&lt;account&gt;:&lt;type&gt;/&lt;path&gt;</c>
/// (docs/design/targeting.md has the formats).
/// </summary>
/// <param name="Arn">The ARN as given.</param>
/// <param name="Partition">aws, aws-cn, aws-us-gov, ...</param>
/// <param name="Region">The region the resource lives in.</param>
/// <param name="Account">The 12-digit account id that owns the resource.</param>
/// <param name="ResourceType"><c>cluster</c>, <c>service</c>, <c>task</c>, <c>task-definition</c>, ...</param>
/// <param name="Cluster">The cluster of a cluster ARN, or of a service/task ARN in the long format; null in the old short format.</param>
/// <param name="Name">The last path segment: the cluster, service or task name/id.</param>
public sealed record EcsArn(string Arn, string Partition, string Region, string Account, string ResourceType, string? Cluster, string Name)
{
    /// <summary>The part after the last '/', e.g. the service name of a service ARN; the input when it has none.</summary>
    public static string LastSegment(string arnOrName)
    {
        int slash = arnOrName.LastIndexOf('/');
        return slash >= 0 ? arnOrName[(slash + 1)..] : arnOrName;
    }

    /// <summary>True when <paramref name="value"/> starts like an ARN; it may still be malformed.</summary>
    public static bool LooksLikeArn(string value) => value.StartsWith("arn:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses an ECS ARN. Service and task ARNs in the long format (<c>service/cluster/name</c>)
    /// carry their cluster; the old short format (<c>service/name</c>) does not.
    /// </summary>
    public static bool TryParse(string value, out EcsArn arn)
    {
        arn = null!;
        string[] parts = value.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "ecs" || parts[1].Length == 0 || parts[3].Length == 0 || parts[4].Length == 0)
        {
            return false;
        }
        string[] path = parts[5].Split('/');
        if (path.Length < 2 || path.Any(p => p.Length == 0))
        {
            return false;
        }
        string type = path[0];
        string? cluster = type switch
        {
            "cluster" when path.Length == 2 => path[1],
            "cluster" => null,
            _ when path.Length >= 3 => path[1],
            _ => null,
        };
        if (type == "cluster" && cluster is null)
        {
            return false;
        }
        arn = new EcsArn(value, parts[1], parts[3], parts[4], type, cluster, path[^1]);
        return true;
    }
}
