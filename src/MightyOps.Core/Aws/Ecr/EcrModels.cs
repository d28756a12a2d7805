// Wire shapes of the ECR API (JSON 1.1, model ecr-2015-09-21), named after the botocore shapes
// with an Ecr prefix. See docs/design/ecs-json-protocol.md.

namespace MightyOps.Core.Aws.Ecr;

public sealed class EcrImageIdentifier
{
    public string? ImageDigest { get; set; }
    public string? ImageTag { get; set; }
}

public sealed class EcrImageScanningConfiguration
{
    public bool ScanOnPush { get; set; }
}

public sealed class EcrEncryptionConfiguration
{
    public string? EncryptionType { get; set; }
    public string? KmsKey { get; set; }
}

public sealed class EcrRepository
{
    public string? RepositoryArn { get; set; }
    public string? RegistryId { get; set; }
    public string? RepositoryName { get; set; }
    public string? RepositoryUri { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public string? ImageTagMutability { get; set; }
    public EcrImageScanningConfiguration? ImageScanningConfiguration { get; set; }
    public EcrEncryptionConfiguration? EncryptionConfiguration { get; set; }
}

public sealed class EcrImageDetail
{
    public string? RegistryId { get; set; }
    public string? RepositoryName { get; set; }
    public string? ImageDigest { get; set; }
    public List<string>? ImageTags { get; set; }
    public long? ImageSizeInBytes { get; set; }
    public DateTimeOffset? ImagePushedAt { get; set; }
    public string? ImageManifestMediaType { get; set; }
    public string? ArtifactMediaType { get; set; }
}

public sealed class EcrImage
{
    public string? RegistryId { get; set; }
    public string? RepositoryName { get; set; }
    public EcrImageIdentifier? ImageId { get; set; }
    public string? ImageManifest { get; set; }
    public string? ImageManifestMediaType { get; set; }
}

public sealed class EcrImageFailure
{
    public EcrImageIdentifier? ImageId { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureReason { get; set; }
}

public sealed class EcrDescribeImagesFilter
{
    public string? TagStatus { get; set; }
}

public sealed class DescribeRepositoriesRequest
{
    public string? RegistryId { get; set; }
    public List<string>? RepositoryNames { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
}

public sealed class DescribeRepositoriesResponse
{
    public List<EcrRepository>? Repositories { get; set; }
    public string? NextToken { get; set; }
}

public sealed class DescribeImagesRequest
{
    public string? RegistryId { get; set; }
    public string? RepositoryName { get; set; }
    public List<EcrImageIdentifier>? ImageIds { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public EcrDescribeImagesFilter? Filter { get; set; }
}

public sealed class DescribeImagesResponse
{
    public List<EcrImageDetail>? ImageDetails { get; set; }
    public string? NextToken { get; set; }
}

public sealed class BatchGetImageRequest
{
    public string? RegistryId { get; set; }
    public string? RepositoryName { get; set; }
    public List<EcrImageIdentifier>? ImageIds { get; set; }
    public List<string>? AcceptedMediaTypes { get; set; }
}

public sealed class BatchGetImageResponse
{
    public List<EcrImage>? Images { get; set; }
    public List<EcrImageFailure>? Failures { get; set; }
}
