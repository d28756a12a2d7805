using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Ecr;

/// <summary>
/// The ECR API operations MightyOps calls (DescribeRepositories, DescribeImages, BatchGetImage)
/// over <see cref="SandboxWorld.Repositories"/>, with ECR's own error rules (docs/design/batch-limits.md,
/// "Partial failures"): unknown images fail DescribeImages but are <c>failures[]</c> in BatchGetImage.
/// The caller holds <see cref="SandboxWorld.Sync"/>.
/// </summary>
internal sealed partial class EcrApi(SandboxWorld world)
{
    private const string ArtifactMediaType = "application/vnd.docker.container.image.v1+json";

    public JsonNode Invoke(string operation, JsonElement body) => operation switch
    {
        "DescribeRepositories" => Serialize(DescribeRepositories(Read<DescribeRepositoriesRequest>(body))),
        "DescribeImages" => Serialize(DescribeImages(Read<DescribeImagesRequest>(body))),
        "BatchGetImage" => Serialize(BatchGetImage(Read<BatchGetImageRequest>(body))),
        _ => throw new SandboxException("UnknownOperationException", $"The sandbox does not implement ECR operation '{operation}'."),
    };

    public DescribeRepositoriesResponse DescribeRepositories(DescribeRepositoriesRequest request)
    {
        bool ours = request.RegistryId is null || request.RegistryId == world.AccountId;
        if (request.RepositoryNames is not null)
        {
            if (request.NextToken is not null || request.MaxResults is not null)
            {
                throw InvalidParameter("Invalid parameter at 'repositoryNames': cannot be combined with 'nextToken' or 'maxResults'.");
            }
            CheckCount(request.RepositoryNames.Count, "repositoryNames", 1, 100);
            var found = new List<EcrRepository>();
            foreach (string name in request.RepositoryNames.Distinct(StringComparer.Ordinal))
            {
                if (!ours || !world.Repositories.TryGetValue(name, out SandboxRepository? repository))
                {
                    throw RepositoryNotFound(name, request.RegistryId);
                }
                found.Add(ToWire(repository));
            }
            return new DescribeRepositoriesResponse { Repositories = found };
        }

        int max = CheckMaxResults(request.MaxResults);
        IEnumerable<SandboxRepository> all = ours ? world.Repositories.Values.OrderBy(r => r.Name, StringComparer.Ordinal) : [];
        string? after = After(request.NextToken, "repositories");
        if (after is not null)
        {
            all = all.Where(r => string.CompareOrdinal(r.Name, after) > 0);
        }
        List<SandboxRepository> page = all.Take(max + 1).ToList();
        return new DescribeRepositoriesResponse
        {
            Repositories = page.Take(max).Select(ToWire).ToList(),
            NextToken = page.Count > max ? PageToken.Write("repositories", page[max - 1].Name) : null,
        };
    }

    public DescribeImagesResponse DescribeImages(DescribeImagesRequest request)
    {
        SandboxRepository repository = FindRepository(request.RepositoryName, request.RegistryId);
        if (request.ImageIds is not null)
        {
            if (request.NextToken is not null || request.MaxResults is not null)
            {
                throw InvalidParameter("Invalid parameter at 'imageIds': cannot be combined with 'nextToken' or 'maxResults'.");
            }
            CheckCount(request.ImageIds.Count, "imageIds", 1, 100);
            var details = new List<EcrImageDetail>();
            foreach (EcrImageIdentifier id in request.ImageIds)
            {
                SandboxImage image = Find(repository, id, out _) ?? throw ImageNotFound(repository, id);
                if (!details.Any(d => d.ImageDigest == image.Digest))
                {
                    details.Add(ToDetail(repository, image));
                }
            }
            return new DescribeImagesResponse { ImageDetails = details };
        }

        int max = CheckMaxResults(request.MaxResults);
        string tagStatus = request.Filter?.TagStatus ?? "ANY";
        Func<SandboxImage, bool> filter = tagStatus switch
        {
            "ANY" => _ => true,
            "TAGGED" => i => i.Tags.Count > 0,
            "UNTAGGED" => i => i.Tags.Count == 0,
            _ => throw InvalidParameter($"Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, ANY, UNTAGGED]' (got '{tagStatus}')."),
        };
        List<SandboxImage> ordered = repository.Images.Where(filter).OrderBy(i => i.PushedAt).ThenBy(i => i.Digest, StringComparer.Ordinal).ToList();
        string scope = $"images/{repository.Name}/{tagStatus}";
        int start = 0;
        string? after = After(request.NextToken, scope);
        if (after is not null)
        {
            int index = ordered.FindIndex(i => i.Digest == after);
            if (index < 0)
            {
                throw InvalidParameter("Invalid parameter at 'nextToken': the token does not belong to this listing.");
            }
            start = index + 1;
        }
        List<SandboxImage> page = ordered.Skip(start).Take(max + 1).ToList();
        return new DescribeImagesResponse
        {
            ImageDetails = page.Take(max).Select(i => ToDetail(repository, i)).ToList(),
            NextToken = page.Count > max ? PageToken.Write(scope, page[max - 1].Digest) : null,
        };
    }

    public BatchGetImageResponse BatchGetImage(BatchGetImageRequest request)
    {
        SandboxRepository repository = FindRepository(request.RepositoryName, request.RegistryId);
        if (request.ImageIds is null)
        {
            throw InvalidParameter("Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must not be null'.");
        }
        CheckCount(request.ImageIds.Count, "imageIds", 1, 100);
        var images = new List<EcrImage>();
        var failures = new List<EcrImageFailure>();
        foreach (EcrImageIdentifier id in request.ImageIds)
        {
            if (id.ImageDigest is null && id.ImageTag is null)
            {
                failures.Add(Failure(id, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"));
                continue;
            }
            if (id.ImageDigest is not null && !DigestPattern().IsMatch(id.ImageDigest))
            {
                failures.Add(Failure(id, "InvalidImageDigest", "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"));
                continue;
            }
            SandboxImage? image = Find(repository, id, out bool tagMismatch);
            if (image is null)
            {
                failures.Add(tagMismatch
                    ? Failure(id, "ImageTagDoesNotMatchDigest", "Invalid request parameters: image tag does not match digest")
                    : Failure(id, "ImageNotFound", "Requested image not found"));
                continue;
            }
            // acceptedMediaTypes is advisory: the manifest comes back as stored when ECR cannot
            // convert it (docs/design/batch-limits.md, "Partial failures").
            images.Add(new EcrImage
            {
                RegistryId = world.AccountId,
                RepositoryName = repository.Name,
                ImageId = new EcrImageIdentifier { ImageDigest = image.Digest, ImageTag = id.ImageTag },
                ImageManifest = image.Manifest,
                ImageManifestMediaType = image.ManifestMediaType,
            });
        }
        return new BatchGetImageResponse { Images = images, Failures = failures };
    }

    /// <summary>Finds an image by digest and/or tag; <paramref name="tagMismatch"/> when the digest exists but does not carry the tag.</summary>
    private static SandboxImage? Find(SandboxRepository repository, EcrImageIdentifier id, out bool tagMismatch)
    {
        tagMismatch = false;
        if (id.ImageDigest is not null)
        {
            SandboxImage? byDigest = repository.Images.FirstOrDefault(i => i.Digest == id.ImageDigest);
            if (byDigest is not null && id.ImageTag is not null && !byDigest.Tags.Contains(id.ImageTag))
            {
                tagMismatch = true;
                return null;
            }
            return byDigest;
        }
        return id.ImageTag is null ? null : repository.Images.FirstOrDefault(i => i.Tags.Contains(id.ImageTag));
    }

    private SandboxRepository FindRepository(string? name, string? registryId)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw InvalidParameter("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'.");
        }
        if ((registryId is not null && registryId != world.AccountId) || !world.Repositories.TryGetValue(name, out SandboxRepository? repository))
        {
            throw RepositoryNotFound(name, registryId);
        }
        return repository;
    }

    private EcrRepository ToWire(SandboxRepository repository) => new()
    {
        RepositoryArn = $"arn:aws:ecr:{world.Region}:{world.AccountId}:repository/{repository.Name}",
        RegistryId = world.AccountId,
        RepositoryName = repository.Name,
        RepositoryUri = $"{world.RegistryHost}/{repository.Name}",
        CreatedAt = repository.CreatedAt,
        ImageTagMutability = repository.ImageTagMutability,
        ImageScanningConfiguration = new EcrImageScanningConfiguration { ScanOnPush = false },
        EncryptionConfiguration = new EcrEncryptionConfiguration { EncryptionType = "AES256" },
    };

    private EcrImageDetail ToDetail(SandboxRepository repository, SandboxImage image) => new()
    {
        RegistryId = world.AccountId,
        RepositoryName = repository.Name,
        ImageDigest = image.Digest,
        ImageTags = image.Tags.Count == 0 ? null : [.. image.Tags],
        ImageSizeInBytes = image.SizeInBytes,
        ImagePushedAt = image.PushedAt,
        ImageManifestMediaType = image.ManifestMediaType,
        ArtifactMediaType = ArtifactMediaType,
    };

    private static EcrImageFailure Failure(EcrImageIdentifier id, string code, string reason) =>
        new() { ImageId = new EcrImageIdentifier { ImageDigest = id.ImageDigest, ImageTag = id.ImageTag }, FailureCode = code, FailureReason = reason };

    private SandboxException RepositoryNotFound(string name, string? registryId) =>
        new("RepositoryNotFoundException",
            $"The repository with name '{name}' does not exist in the registry with id '{registryId ?? world.AccountId}'");

    private SandboxException ImageNotFound(SandboxRepository repository, EcrImageIdentifier id) =>
        new("ImageNotFoundException",
            $"The image with imageId {{imageDigest:'{id.ImageDigest ?? "null"}', imageTag:'{id.ImageTag ?? "null"}'}} does not exist within the repository with name '{repository.Name}' in the registry with id '{world.AccountId}'");

    private static SandboxException InvalidParameter(string message) => new("InvalidParameterException", message);

    private static void CheckCount(int count, string member, int min, int max)
    {
        if (count < min)
        {
            throw InvalidParameter($"Invalid parameter at '{member}' failed to satisfy constraint: 'Member must have length greater than or equal to {min}'");
        }
        if (count > max)
        {
            throw InvalidParameter($"Invalid parameter at '{member}' failed to satisfy constraint: 'Member must have length less than or equal to {max}'");
        }
    }

    private static int CheckMaxResults(int? maxResults)
    {
        if (maxResults is null)
        {
            return 100;
        }
        if (maxResults < 1)
        {
            throw InvalidParameter("Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'");
        }
        if (maxResults > 1000)
        {
            throw InvalidParameter("Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'");
        }
        return maxResults.Value;
    }

    /// <summary>The last item a token says was returned; null without a token.</summary>
    private static string? After(string? token, string scope) =>
        token is null ? null
        : PageToken.TryRead(token, scope, out string? last) ? last
        : throw InvalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");

    private static T Read<T>(JsonElement body)
        where T : new() => body.Deserialize<T>(AwsJson.Options) ?? new T();

    private static JsonNode Serialize<T>(T response) => JsonSerializer.SerializeToNode(response, AwsJson.Options)!;

    [GeneratedRegex("^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$")]
    private static partial Regex DigestPattern();
}
