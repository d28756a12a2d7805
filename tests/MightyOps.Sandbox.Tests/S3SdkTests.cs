using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>AWSSDK.S3 (4.x) against the sandbox: signed aws-chunked uploads with CRC32 trailers, plain uploads, listing, ranges, copies, multipart.</summary>
public sealed class S3SdkTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo");

    public async Task DisposeAsync() => await _host.StopAsync();

    private AmazonS3Client Client(string? secret = null, RequestChecksumCalculation checksums = RequestChecksumCalculation.WHEN_SUPPORTED) =>
        new(new BasicAWSCredentials(_host.Options.AccessKeyId, secret ?? _host.Options.SecretAccessKey), new AmazonS3Config
        {
            ServiceURL = _host.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = _host.Options.Region,
            RequestChecksumCalculation = checksums,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_SUPPORTED,
            MaxErrorRetry = 0,
        });

    [Theory]
    [InlineData(true, "WHEN_SUPPORTED", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER trailer x-amz-checksum-crc32")]
    [InlineData(true, "WHEN_REQUIRED", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")]
    [InlineData(false, "WHEN_SUPPORTED", "sha256 header x-amz-checksum-crc32")]
    public async Task PutObjectThenGetObjectRoundTrips(bool chunked, string checksumSetting, string expectedEncoding)
    {
        // The SDK picks the body encoding from these two settings (docs/design/aws-sdk-notes.md, "S3 request bodies"); the sandbox
        // records which one arrived so the test proves each variant was really decoded.
        RequestChecksumCalculation checksums = checksumSetting == "WHEN_REQUIRED" ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED;
        using AmazonS3Client s3 = Client(checksums: checksums);
        byte[] content = RandomNumberGenerator.GetBytes(300_000); // several 80 KiB aws-chunked chunks
        string key = $"round-trip/{chunked}-{checksumSetting}.bin";
        PutObjectResponse put = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "mighty-secrets",
            Key = key,
            InputStream = new MemoryStream(content),
            UseChunkEncoding = chunked,
            ContentType = "application/octet-stream",
            Metadata = { ["build"] = "master.5" },
        });
        Assert.Equal($"\"{Convert.ToHexString(MD5.HashData(content)).ToLowerInvariant()}\"", put.ETag);

        SandboxObject stored = _host.World.Buckets["mighty-secrets"].Objects[key];
        Assert.Equal(content, stored.Content);
        Assert.DoesNotContain("aws-chunked", stored.Headers.Values);

        using GetObjectResponse get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "mighty-secrets", Key = key, ChecksumMode = ChecksumMode.ENABLED });
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
        Assert.Equal("application/octet-stream", get.Headers.ContentType);
        Assert.Equal("master.5", get.Metadata["build"]);
        Assert.Equal(put.ETag, get.ETag);
        Assert.Equal(1, _host.S3BodyEncodings.GetValueOrDefault("PutObject " + expectedEncoding));
    }

    [Fact]
    public async Task WrongSecretIsSignatureDoesNotMatch()
    {
        using AmazonS3Client s3 = Client(secret: "wrong");
        var ex = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync("mighty-secrets", "production.json"));
        Assert.Equal("SignatureDoesNotMatch", ex.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, ex.StatusCode);
    }

    [Fact]
    public async Task MissingThingsAreNoSuchKeyAndNoSuchBucket()
    {
        using AmazonS3Client s3 = Client();
        var noKey = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync("mighty-secrets", "nope.json"));
        Assert.Equal("NoSuchKey", noKey.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noKey.StatusCode);
        Assert.False(string.IsNullOrEmpty(noKey.RequestId));
        var noBucket = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "no-such-bucket" }));
        Assert.Equal("NoSuchBucket", noBucket.ErrorCode);
        var head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync("mighty-secrets", "nope.json"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task BucketLifecycle()
    {
        using AmazonS3Client s3 = Client();
        await s3.PutBucketAsync("mighty-scratch");
        ListBucketsResponse buckets = await s3.ListBucketsAsync();
        Assert.Contains(buckets.Buckets, b => b.BucketName == "mighty-scratch");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "mighty-scratch", Key = "a.txt", ContentBody = "a" });
        var notEmpty = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.DeleteBucketAsync("mighty-scratch"));
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        await s3.DeleteObjectAsync("mighty-scratch", "a.txt");
        await s3.DeleteBucketAsync("mighty-scratch");
        Assert.False(_host.World.Buckets.ContainsKey("mighty-scratch"));
        var invalid = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutBucketAsync("Bad_Name"));
        Assert.Equal("InvalidBucketName", invalid.ErrorCode);
    }

    [Fact]
    public async Task ListObjectsV2WithPrefixDelimiterAndPages()
    {
        using AmazonS3Client s3 = Client();
        await s3.PutBucketAsync("mighty-list");
        string[] keys = ["a/1.txt", "a/2.txt", "b/1.txt", "b/sub/2.txt", "c.txt", "d e+f.txt"];
        foreach (string key in keys)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "mighty-list", Key = key, ContentBody = key });
        }

        ListObjectsV2Response top = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "mighty-list", Delimiter = "/" });
        Assert.Equal(["a/", "b/"], top.CommonPrefixes);
        Assert.Equal(["c.txt", "d e+f.txt"], top.S3Objects.Select(o => o.Key));

        ListObjectsV2Response underB = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "mighty-list", Prefix = "b/", Delimiter = "/" });
        Assert.Equal(["b/sub/"], underB.CommonPrefixes);
        Assert.Equal(["b/1.txt"], underB.S3Objects.Select(o => o.Key));

        var all = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            ListObjectsV2Response page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "mighty-list", MaxKeys = 2, ContinuationToken = token });
            all.AddRange(page.S3Objects.Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);
        Assert.Equal(keys, all);
        Assert.Equal(3, pages);

        // Pages over common prefixes do not repeat a prefix.
        var grouped = new List<string>();
        token = null;
        do
        {
            ListObjectsV2Response page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "mighty-list", Delimiter = "/", MaxKeys = 1, ContinuationToken = token });
            grouped.AddRange(page.CommonPrefixes ?? []);
            grouped.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        Assert.Equal(["a/", "b/", "c.txt", "d e+f.txt"], grouped);
    }

    [Fact]
    public async Task RangeCopyAndDelete()
    {
        using AmazonS3Client s3 = Client();
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "mighty-secrets", Key = "digits.txt", ContentBody = "0123456789" });

        using (GetObjectResponse range = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "mighty-secrets", Key = "digits.txt", ByteRange = new ByteRange(2, 5) }))
        {
            Assert.Equal(System.Net.HttpStatusCode.PartialContent, range.HttpStatusCode);
            Assert.Equal("2345", await new StreamReader(range.ResponseStream).ReadToEndAsync());
            Assert.Equal("bytes 2-5/10", range.ContentRange);
        }
        var badRange = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = "mighty-secrets", Key = "digits.txt", ByteRange = new ByteRange(50, 60) }));
        Assert.Equal("InvalidRange", badRange.ErrorCode);

        await s3.CopyObjectAsync("mighty-secrets", "digits.txt", "mighty-secrets", "copied/digits.txt");
        using (GetObjectResponse copied = await s3.GetObjectAsync("mighty-secrets", "copied/digits.txt"))
        {
            Assert.Equal("0123456789", await new StreamReader(copied.ResponseStream).ReadToEndAsync());
        }

        await s3.DeleteObjectAsync("mighty-secrets", "digits.txt");
        Assert.False(_host.World.Buckets["mighty-secrets"].Objects.ContainsKey("digits.txt"));
        DeleteObjectsResponse deleted = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = "mighty-secrets",
            Objects = [new KeyVersion { Key = "copied/digits.txt" }, new KeyVersion { Key = "never-was.txt" }],
        });
        Assert.Equal(2, deleted.DeletedObjects.Count);
        Assert.False(_host.World.Buckets["mighty-secrets"].Objects.ContainsKey("copied/digits.txt"));
    }

    [Fact]
    public async Task TransferUtilityMultipartUpload()
    {
        using AmazonS3Client s3 = Client();
        using var transfer = new TransferUtility(s3, new TransferUtilityConfig { MinSizeBeforePartUpload = 5 * 1024 * 1024 });
        byte[] content = RandomNumberGenerator.GetBytes(11 * 1024 * 1024);
        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = "mighty-secrets",
            Key = "big/eleven.bin",
            InputStream = new MemoryStream(content),
            PartSize = 5 * 1024 * 1024,
        });
        SandboxObject stored = _host.World.Buckets["mighty-secrets"].Objects["big/eleven.bin"];
        Assert.Equal(content, stored.Content);
        Assert.EndsWith("-3\"", stored.ETag);
        Assert.Equal(1, _host.RequestCounts["s3.CreateMultipartUpload"]);
        Assert.Equal(3, _host.RequestCounts["s3.UploadPart"]);
        Assert.Equal(1, _host.RequestCounts["s3.CompleteMultipartUpload"]);
    }

    [Fact]
    public async Task ContentMd5MismatchIsBadDigest()
    {
        using AmazonS3Client s3 = Client();
        var ex = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "mighty-secrets",
            Key = "md5.txt",
            ContentBody = "hello",
            MD5Digest = Convert.ToBase64String(MD5.HashData("other"u8)),
            UseChunkEncoding = false,
        }));
        Assert.Equal("BadDigest", ex.ErrorCode);
        Assert.False(_host.World.Buckets["mighty-secrets"].Objects.ContainsKey("md5.txt"));
    }
}
