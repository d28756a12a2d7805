using System.Globalization;
using System.Net;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// S3 rules beyond the round trips of <see cref="S3SdkTests"/>: conditional reads, response
/// overrides, v1 listings and URL-encoded keys, bucket location, multipart and copy errors, and
/// what the sandbox refuses to pretend it does.
/// </summary>
public sealed class S3BehaviourTests : IAsyncLifetime
{
    private const string Bucket = "mighty-secrets";
    private SandboxHost _host = null!;
    private SignedClient _raw = null!;
    private AmazonS3Client _s3 = null!;

    public async Task InitializeAsync()
    {
        _host = await Sandboxes.StartAsync("demo");
        _raw = new SignedClient(_host);
        _s3 = Client(_host);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        _raw.Dispose();
        await _host.StopAsync();
    }

    private static AmazonS3Client Client(SandboxHost host) =>
        new(new BasicAWSCredentials(host.Options.AccessKeyId, host.Options.SecretAccessKey), new AmazonS3Config
        {
            ServiceURL = host.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = host.Options.Region,
            MaxErrorRetry = 0,
        });

    [Fact]
    public async Task A_key_with_a_NUL_byte_is_refused_and_listings_keep_working()
    {
        AmazonS3Exception error = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "a\0b", ContentBody = "x" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("InvalidArgument", error.ErrorCode);
        Assert.Contains("U+0000", error.Message);

        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "ok-\U0001F600\t.txt", ContentBody = "x" });
        ListObjectsV2Response listing = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Contains("ok-\U0001F600\t.txt", listing.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Conditional_reads_follow_the_precedence_S3_documents()
    {
        SandboxObject secrets = _host.World.Buckets[Bucket].Objects["production.json"];
        string etag = secrets.ETag;
        string before = secrets.LastModified.AddDays(-1).ToString("R", CultureInfo.InvariantCulture);
        string after = secrets.LastModified.AddDays(1).ToString("R", CultureInfo.InvariantCulture);

        using (HttpResponseMessage unchanged = await GetAsync(("If-None-Match", etag)))
        {
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            Assert.Equal(etag, unchanged.Headers.ETag?.ToString());
            Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        }
        using (HttpResponseMessage changed = await GetAsync(("If-None-Match", "\"0123\""), ("If-Modified-Since", after)))
        {
            // If-None-Match is answered, so If-Modified-Since is not looked at.
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }
        using (HttpResponseMessage notModified = await GetAsync(("If-Modified-Since", after)))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        using (HttpResponseMessage wrongTag = await GetAsync(("If-Match", "\"0123\"")))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, wrongTag.StatusCode);
            Assert.Equal("If-Match", Element(await wrongTag.Content.ReadAsStringAsync(), "Condition"));
        }
        using (HttpResponseMessage modified = await GetAsync(("If-Unmodified-Since", before)))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, modified.StatusCode);
            Assert.Equal("If-Unmodified-Since", Element(await modified.Content.ReadAsStringAsync(), "Condition"));
        }
        using (HttpResponseMessage matchWins = await GetAsync(("If-Match", etag), ("If-Unmodified-Since", before)))
        {
            // S3: If-Match true and If-Unmodified-Since false gives 200.
            Assert.Equal(HttpStatusCode.OK, matchWins.StatusCode);
        }
    }

    [Fact]
    public async Task Response_overrides_replace_or_add_headers_on_a_download()
    {
        using GetObjectResponse response = await _s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = Bucket,
            Key = "production.json",
            ResponseHeaderOverrides = new ResponseHeaderOverrides
            {
                ContentType = "text/plain",
                ContentDisposition = "attachment; filename=\"secrets.json\"",
                CacheControl = "no-store",
            },
        });
        Assert.Equal("text/plain", response.Headers.ContentType);
        Assert.Equal("attachment; filename=\"secrets.json\"", response.Headers.ContentDisposition);
        Assert.Equal("no-store", response.Headers.CacheControl);
    }

    [Fact]
    public async Task ListObjects_v1_pages_with_markers_and_v2_can_url_encode_keys()
    {
        await _s3.PutBucketAsync("mighty-v1");
        string[] keys = ["a.txt", "b c.txt", "d/1.txt", "d/2.txt", "e+f.txt"];
        foreach (string key in keys)
        {
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "mighty-v1", Key = key, ContentBody = key });
        }

        var seen = new List<string>();
        string? marker = null;
        int pages = 0;
        do
        {
            ListObjectsResponse page = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "mighty-v1", MaxKeys = 2, Marker = marker, Delimiter = "/" });
            seen.AddRange((page.CommonPrefixes ?? []).Concat((page.S3Objects ?? []).Select(o => o.Key)));
            marker = page.IsTruncated == true ? page.NextMarker : null;
            pages++;
        }
        while (marker is not null);
        Assert.Equal(["a.txt", "b c.txt", "d/", "e+f.txt"], seen.Order(StringComparer.Ordinal));
        Assert.Equal(2, pages);

        using HttpResponseMessage encoded = await _raw.S3Async(HttpMethod.Get, "/mighty-v1?list-type=2&encoding-type=url");
        XElement result = XElement.Parse(await encoded.Content.ReadAsStringAsync());
        Assert.Equal("url", result.Elements().Single(e => e.Name.LocalName == "EncodingType").Value);
        List<string> wireKeys = result.Elements().Where(e => e.Name.LocalName == "Contents")
            .Select(c => c.Elements().Single(e => e.Name.LocalName == "Key").Value).ToList();
        Assert.Contains("b%20c.txt", wireKeys);
        Assert.Contains("e%2Bf.txt", wireKeys);
        Assert.Contains("d/1.txt", wireKeys);
    }

    [Fact]
    public async Task Bucket_location_and_recreation_depend_on_the_region()
    {
        using (HttpResponseMessage location = await _raw.S3Async(HttpMethod.Get, "/mighty-secrets?location"))
        {
            // us-east-1 is an empty LocationConstraint, for historical reasons.
            Assert.Equal(string.Empty, XElement.Parse(await location.Content.ReadAsStringAsync()).Value);
        }
        await _s3.PutBucketAsync(Bucket);   // us-east-1 answers 200 to re-creating your own bucket

        await using SandboxHost ireland = await Sandboxes.StartAsync("demo", o => o with { Region = "eu-west-1" });
        using AmazonS3Client s3 = Client(ireland);
        using var raw = new SignedClient(ireland);
        using (HttpResponseMessage location = await raw.S3Async(HttpMethod.Get, "/mighty-secrets?location"))
        {
            Assert.Equal("eu-west-1", XElement.Parse(await location.Content.ReadAsStringAsync()).Value);
        }
        using (HttpResponseMessage head = await raw.S3Async(HttpMethod.Head, "/mighty-secrets"))
        {
            Assert.Equal("eu-west-1", head.Headers.GetValues("x-amz-bucket-region").Single());
        }
        var again = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutBucketAsync(Bucket));
        Assert.Equal("BucketAlreadyOwnedByYou", again.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Multipart_uploads_check_part_sizes_and_order_and_can_be_aborted()
    {
        string uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "parts.bin")).UploadId;
        var etags = new List<PartETag>();
        for (int part = 1; part <= 2; part++)
        {
            UploadPartResponse uploaded = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket,
                Key = "parts.bin",
                UploadId = uploadId,
                PartNumber = part,
                InputStream = new MemoryStream(new byte[1024]),
            });
            etags.Add(new PartETag(part, uploaded.ETag));
        }

        // AWSSDK sorts the parts itself, so the wrong order goes over the wire by hand.
        string body = $"<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{etags[1].ETag}</ETag></Part>" +
            $"<Part><PartNumber>1</PartNumber><ETag>{etags[0].ETag}</ETag></Part></CompleteMultipartUpload>";
        using (HttpResponseMessage outOfOrder = await _raw.S3Async(HttpMethod.Post, $"/{Bucket}/parts.bin?uploadId={uploadId}", System.Text.Encoding.UTF8.GetBytes(body)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, outOfOrder.StatusCode);
            Assert.Equal("InvalidPartOrder", Element(await outOfOrder.Content.ReadAsStringAsync(), "Code"));
        }
        var tooSmall = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "parts.bin", UploadId = uploadId, PartETags = etags,
        }));
        Assert.Equal("EntityTooSmall", tooSmall.ErrorCode);   // every part but the last must be 5 MiB

        await _s3.AbortMultipartUploadAsync(Bucket, "parts.bin", uploadId);
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = "parts.bin", UploadId = uploadId, PartETags = [etags[1]],
        }));
        Assert.Equal("NoSuchUpload", gone.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False(_host.World.Buckets[Bucket].Objects.ContainsKey("parts.bin"));
    }

    [Fact]
    public async Task Copying_onto_itself_needs_a_metadata_change()
    {
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.CopyObjectAsync(Bucket, "production.json", Bucket, "production.json"));
        Assert.Equal("InvalidRequest", refused.ErrorCode);

        await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "production.json",
            DestinationBucket = Bucket,
            DestinationKey = "production.json",
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = "application/json",
            Metadata = { ["rotated"] = "yes" },
        });
        GetObjectMetadataResponse head = await _s3.GetObjectMetadataAsync(Bucket, "production.json");
        Assert.Equal("yes", head.Metadata["rotated"]);
    }

    [Fact]
    public async Task What_the_sandbox_does_not_serve_is_refused_not_faked()
    {
        var acl = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = Bucket, Key = "production.json" }));
        Assert.Equal("NotImplemented", acl.ErrorCode);
        Assert.Equal(HttpStatusCode.NotImplemented, acl.StatusCode);

        var longKey = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = new string('k', 1025), ContentBody = "x" }));
        Assert.Equal("KeyTooLongError", longKey.ErrorCode);
    }

    private Task<HttpResponseMessage> GetAsync(params (string Name, string Value)[] headers) =>
        _raw.S3Async(HttpMethod.Get, "/mighty-secrets/production.json", null, headers);

    private static string Element(string xml, string name) =>
        XElement.Parse(xml).Elements().Single(e => e.Name.LocalName == name).Value;
}
