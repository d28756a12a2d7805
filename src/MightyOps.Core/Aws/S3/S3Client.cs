using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MightyOps.Core.Aws.S3;

/// <summary>An S3 object as read: the bytes and what S3 says about them.</summary>
public sealed record S3ObjectContent(S3Location Location, byte[] Content, string? ContentType, string? ETag, DateTimeOffset? LastModified);

/// <summary>
/// A thin wrapper over AWSSDK.S3 for the few object calls MightyOps makes (secrets JSON in,
/// .env files out), retried by the module's own loop like every AWS call (the SDK makes one
/// attempt). No AWSSDK type leaves this class; every failure is a <see cref="MightyOpsException"/>.
/// </summary>
public sealed class S3Client : IDisposable
{
    private readonly AmazonS3Client _client;

    private readonly CredentialSource _credentials;

    private readonly AwsRetryLoop _retries;

    internal S3Client(AwsServiceEndpoint endpoint, CredentialSource credentials, AwsRetryLoop retries)
    {
        Endpoint = endpoint;
        _credentials = credentials;
        _retries = retries;
        _client = new AmazonS3Client(credentials.Sdk, Config(endpoint));
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint { get; }

    /// <summary>Reads a whole object. A missing object is <c>S3ObjectNotFound</c>, a missing bucket <c>S3BucketNotFound</c>.</summary>
    public Task<S3ObjectContent> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var location = new S3Location(bucket, key);
        return SdkErrors.RunAsync(_retries, Call("GetObject", location), async token =>
        {
            using GetObjectResponse response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, token).ConfigureAwait(false);
            DateTimeOffset? modified = response.LastModified is DateTime m ? new DateTimeOffset(DateTime.SpecifyKind(m.ToUniversalTime(), DateTimeKind.Utc)) : null;
            return new S3ObjectContent(location, buffer.ToArray(), response.Headers?.ContentType, response.ETag, modified);
        }, cancellationToken);
    }

    /// <summary>Reads <c>s3://bucket/key</c>.</summary>
    public Task<S3ObjectContent> GetObjectAsync(S3Location location, CancellationToken cancellationToken) =>
        GetObjectAsync(location.Bucket, location.Key, cancellationToken);

    /// <summary>
    /// Writes a whole object; returns its ETag. Sent again after a failure like a read: the same
    /// bytes under the same key leave the same object (callers name objects by their content).
    /// </summary>
    public Task<string?> PutObjectAsync(string bucket, string key, byte[] content, string? contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return SdkErrors.RunAsync<string?>(_retries, Call("PutObject", new S3Location(bucket, key)), async token =>
        {
            using var stream = new MemoryStream(content, writable: false);
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = stream,
                ContentType = string.IsNullOrEmpty(contentType) ? "application/octet-stream" : contentType,
                // A plain signed body (x-amz-content-sha256 = the payload hash) instead of aws-chunked
                // framing: the objects are small, and local endpoints need not decode chunk signatures.
                UseChunkEncoding = false,
            };
            PutObjectResponse response = await _client.PutObjectAsync(request, token).ConfigureAwait(false);
            return response.ETag;
        }, cancellationToken);
    }

    /// <summary>
    /// True when the object exists. False for a 404 (which S3 also gives for a missing bucket on
    /// HEAD); a 403 is AwsAccessDenied, because without s3:ListBucket S3 hides whether it exists.
    /// </summary>
    public Task<bool> ObjectExistsAsync(string bucket, string key, CancellationToken cancellationToken) =>
        SdkErrors.RunAsync(_retries, Call("HeadObject", new S3Location(bucket, key)), async token =>
        {
            try
            {
                await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, token).ConfigureAwait(false);
                return true;
            }
            catch (AmazonServiceException e) when ((int)e.StatusCode == 404)
            {
                return false;
            }
        }, cancellationToken);

    public void Dispose() => _client.Dispose();

    private static AmazonS3Config Config(AwsServiceEndpoint endpoint)
    {
        AmazonS3Config config = SdkConfig.For<AmazonS3Config>(endpoint);
        if (endpoint.IsOverride)
        {
            // Local endpoints have no per-bucket host names, and S3 look-alikes often cannot check
            // the CRC checksums AWSSDK 4 otherwise adds to every request and response.
            config.ForcePathStyle = true;
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        return config;
    }

    private AwsCall Call(string operation, S3Location location) =>
        new("S3", "s3", operation, Endpoint.Url, Endpoint.Region, _credentials.LastAccessKeyId, location.ToString());
}
