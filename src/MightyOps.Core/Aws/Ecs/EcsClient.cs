namespace MightyOps.Core.Aws.Ecs;

/// <summary>A page-following, batch-splitting ECS client over the JSON 1.1 protocol.</summary>
public sealed class EcsClient
{
    /// <summary>Every service ARN in the cluster (ListServices pages of 100).</summary>
    public IAsyncEnumerable<string> ListServicesAsync(string cluster, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>DescribeServices in batches of 10; unknown names come back in Failures.</summary>
    public Task<DescribeServicesResponse> DescribeServicesAsync(string cluster, IEnumerable<string> services, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>A task definition by family, family:revision or ARN; tags only when asked (include TAGS).</summary>
    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(string taskDefinition, bool includeTags, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Cluster short names, for completion.</summary>
    public Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Service short names of a cluster, for completion.</summary>
    public Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
