using System.Runtime.CompilerServices;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Aws.Ecr;

/// <summary>A page-following, batch-splitting ECR client over the JSON 1.1 protocol.</summary>
/// <remarks>
/// ECR cannot combine nextToken/maxResults with repositoryNames or imageIds (docs/design/batch-limits.md), so a
/// call either names things (batches of 100) or pages (1000 per page). Unlike ECS, an unknown
/// name fails the whole DescribeRepositories/DescribeImages call (RepositoryNotFound /
/// ImageNotFound); BatchGetImage reports unknown images in Failures instead.
/// </remarks>
public sealed class EcrClient
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921";
    public const int BatchSize = 100;
    public const int PageSize = 1000;

    internal EcrClient(AwsJsonClient json)
    {
        Json = json;
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint => Json.Endpoint;

    internal AwsJsonClient Json { get; }

    /// <summary>The named repositories (batches of 100), or every repository of the registry when <paramref name="repositoryNames"/> is null or empty.</summary>
    public async Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IEnumerable<string>? repositoryNames, string? registryId, CancellationToken cancellationToken)
    {
        List<string> names = repositoryNames is null ? [] : EcsClient.Distinct(repositoryNames);
        var result = new List<EcrRepository>();
        if (names.Count > 0)
        {
            foreach (string[] batch in names.Chunk(BatchSize))
            {
                DescribeRepositoriesResponse page = await Json.InvokeAsync<DescribeRepositoriesRequest, DescribeRepositoriesResponse>(
                    "DescribeRepositories",
                    new DescribeRepositoriesRequest { RegistryId = registryId, RepositoryNames = [.. batch] },
                    batch.Length == 1 ? batch[0] : string.Join(", ", batch),
                    cancellationToken).ConfigureAwait(false);
                result.AddRange(page.Repositories ?? []);
            }
            return result;
        }
        string? token = null;
        do
        {
            DescribeRepositoriesResponse page = await Json.InvokeAsync<DescribeRepositoriesRequest, DescribeRepositoriesResponse>(
                "DescribeRepositories",
                new DescribeRepositoriesRequest { RegistryId = registryId, MaxResults = PageSize, NextToken = token },
                registryId,
                cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Repositories ?? []);
            token = EcsClient.NextToken(token, page.NextToken, "DescribeRepositories");
        }
        while (token is not null);
        return result;
    }

    /// <summary>Every image of a repository (pages of 1000), optionally filtered by tag status (TAGGED, UNTAGGED, ANY).</summary>
    public async IAsyncEnumerable<EcrImageDetail> DescribeAllImagesAsync(
        string repositoryName,
        string? tagStatus,
        string? registryId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            DescribeImagesResponse page = await Json.InvokeAsync<DescribeImagesRequest, DescribeImagesResponse>(
                "DescribeImages",
                new DescribeImagesRequest
                {
                    RegistryId = registryId,
                    RepositoryName = repositoryName,
                    MaxResults = PageSize,
                    NextToken = token,
                    Filter = string.IsNullOrEmpty(tagStatus) ? null : new EcrDescribeImagesFilter { TagStatus = tagStatus },
                },
                repositoryName,
                cancellationToken).ConfigureAwait(false);
            foreach (EcrImageDetail image in page.ImageDetails ?? [])
            {
                yield return image;
            }
            token = EcsClient.NextToken(token, page.NextToken, "DescribeImages");
        }
        while (token is not null);
    }

    /// <summary>
    /// The named images (batches of 100). ECR fails the call with ImageNotFound when any of them is
    /// missing; use <see cref="BatchGetImageAsync"/> to learn which ones are.
    /// </summary>
    public async Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(
        string repositoryName,
        IEnumerable<EcrImageIdentifier> imageIds,
        string? registryId,
        CancellationToken cancellationToken)
    {
        var result = new List<EcrImageDetail>();
        foreach (EcrImageIdentifier[] batch in Identifiers(imageIds).Chunk(BatchSize))
        {
            DescribeImagesResponse page = await Json.InvokeAsync<DescribeImagesRequest, DescribeImagesResponse>(
                "DescribeImages",
                new DescribeImagesRequest { RegistryId = registryId, RepositoryName = repositoryName, ImageIds = [.. batch] },
                batch.Length == 1 ? $"{repositoryName}:{Describe(batch[0])}" : repositoryName,
                cancellationToken).ConfigureAwait(false);
            result.AddRange(page.ImageDetails ?? []);
        }
        return result;
    }

    /// <summary>Manifests of the named images (batches of 100); unknown tags or digests come back in Failures.</summary>
    public async Task<BatchGetImageResponse> BatchGetImageAsync(
        string repositoryName,
        IEnumerable<EcrImageIdentifier> imageIds,
        IEnumerable<string>? acceptedMediaTypes,
        string? registryId,
        CancellationToken cancellationToken)
    {
        List<string>? mediaTypes = acceptedMediaTypes?.Where(m => !string.IsNullOrWhiteSpace(m)).Distinct(StringComparer.Ordinal).ToList();
        var result = new BatchGetImageResponse { Images = [], Failures = [] };
        foreach (EcrImageIdentifier[] batch in Identifiers(imageIds).Chunk(BatchSize))
        {
            BatchGetImageResponse page = await Json.InvokeAsync<BatchGetImageRequest, BatchGetImageResponse>(
                "BatchGetImage",
                new BatchGetImageRequest
                {
                    RegistryId = registryId,
                    RepositoryName = repositoryName,
                    ImageIds = [.. batch],
                    AcceptedMediaTypes = mediaTypes is { Count: > 0 } ? mediaTypes : null,
                },
                repositoryName,
                cancellationToken).ConfigureAwait(false);
            result.Images.AddRange(page.Images ?? []);
            result.Failures.AddRange(page.Failures ?? []);
        }
        return result;
    }

    private static List<EcrImageIdentifier> Identifiers(IEnumerable<EcrImageIdentifier> imageIds)
    {
        ArgumentNullException.ThrowIfNull(imageIds);
        var seen = new HashSet<(string?, string?)>();
        var list = new List<EcrImageIdentifier>();
        foreach (EcrImageIdentifier id in imageIds)
        {
            string? digest = string.IsNullOrWhiteSpace(id.ImageDigest) ? null : id.ImageDigest;
            string? tag = string.IsNullOrWhiteSpace(id.ImageTag) ? null : id.ImageTag;
            if ((digest is not null || tag is not null) && seen.Add((digest, tag)))
            {
                list.Add(new EcrImageIdentifier { ImageDigest = digest, ImageTag = tag });
            }
        }
        return list;
    }

    private static string Describe(EcrImageIdentifier id) => id.ImageTag ?? id.ImageDigest ?? string.Empty;
}
