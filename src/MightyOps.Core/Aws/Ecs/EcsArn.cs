namespace MightyOps.Core.Aws.Ecs;

/// <summary>Short names from ECS ARNs (long ARN format, reference §5.3).</summary>
public static class EcsArn
{
    /// <summary>The part after the last '/', e.g. the service name of a service ARN; the input when it has none.</summary>
    public static string LastSegment(string arnOrName)
    {
        int slash = arnOrName.LastIndexOf('/');
        return slash >= 0 ? arnOrName[(slash + 1)..] : arnOrName;
    }
}
