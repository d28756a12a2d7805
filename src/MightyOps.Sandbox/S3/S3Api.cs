using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MightyOps.Core.Aws;
using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.S3;

/// <summary>
/// S3 REST, path-style (<c>/bucket/key</c>), over <see cref="SandboxWorld.Buckets"/>: the bucket
/// and object operations the AWS CLI (<c>s3 cp</c>, <c>s3 ls</c>, <c>s3 rm</c>, <c>s3api</c>),
/// AWSSDK.S3 and MightyOps' secrets handling use, multipart uploads included.
/// </summary>
internal sealed class S3Api(SandboxWorld world, ConcurrentDictionary<string, long> bodyEncodings)
{
    private const long MinPartSize = 5L * 1024 * 1024;
    private static readonly XNamespace Ns = AwsResponses.S3Namespace;

    /// <summary>Sub-resources (query keys) of S3 APIs the sandbox does not serve.</summary>
    private static readonly HashSet<string> UnsupportedSubresources = new(StringComparer.Ordinal)
    {
        "acl", "tagging", "policy", "cors", "lifecycle", "versioning", "website", "logging", "notification",
        "replication", "encryption", "accelerate", "requestPayment", "analytics", "inventory", "metrics",
        "intelligent-tiering", "object-lock", "ownershipControls", "publicAccessBlock", "policyStatus",
        "torrent", "retention", "legal-hold", "restore", "select", "attributes", "versions", "session",
    };

    private static readonly string[] StoredHeaderNames = ["Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"];

    /// <summary>Multipart uploads in progress by upload id; guarded by <see cref="SandboxWorld.Sync"/>.</summary>
    private readonly Dictionary<string, MultipartUpload> _uploads = new(StringComparer.Ordinal);

    public static string OperationName(HttpRequest request)
    {
        (string bucket, string key) = SplitPath(request.RawPath);
        if (request.Query.Any(q => UnsupportedSubresources.Contains(q.Key)))
        {
            return "Unsupported";
        }
        if (bucket.Length == 0)
        {
            return request.Method == "GET" ? "ListBuckets" : "Unsupported";
        }
        if (key.Length == 0)
        {
            return request.Method switch
            {
                "GET" when request.HasQuery("location") => "GetBucketLocation",
                "GET" when request.HasQuery("uploads") => "Unsupported",
                "GET" when request.QueryValue("list-type") == "2" => "ListObjectsV2",
                "GET" => "ListObjects",
                "HEAD" => "HeadBucket",
                "PUT" => "CreateBucket",
                "DELETE" => "DeleteBucket",
                "POST" when request.HasQuery("delete") => "DeleteObjects",
                _ => "Unsupported",
            };
        }
        return request.Method switch
        {
            "PUT" when request.HasQuery("uploadId") && request.Header("x-amz-copy-source") is not null => "Unsupported",
            "PUT" when request.HasQuery("uploadId") => "UploadPart",
            "PUT" when request.Header("x-amz-copy-source") is not null => "CopyObject",
            "PUT" => "PutObject",
            "GET" when request.HasQuery("uploadId") => "Unsupported",
            "GET" => "GetObject",
            "HEAD" => "HeadObject",
            "DELETE" when request.HasQuery("uploadId") => "AbortMultipartUpload",
            "DELETE" => "DeleteObject",
            "POST" when request.HasQuery("uploads") => "CreateMultipartUpload",
            "POST" when request.HasQuery("uploadId") => "CompleteMultipartUpload",
            _ => "Unsupported",
        };
    }

    /// <summary>Serves one S3 operation; errors are thrown as <see cref="SandboxException"/> with S3's extra elements.</summary>
    public HttpResponse Handle(string operation, HttpRequest request, SignatureResult auth)
    {
        (string bucket, string key) = SplitPath(request.RawPath);
        return operation switch
        {
            "ListBuckets" => ListBuckets(),
            "GetBucketLocation" => GetBucketLocation(bucket),
            "ListObjectsV2" => ListObjects(request, bucket, v2: true),
            "ListObjects" => ListObjects(request, bucket, v2: false),
            "HeadBucket" => HeadBucket(bucket),
            "CreateBucket" => CreateBucket(bucket),
            "DeleteBucket" => DeleteBucket(bucket),
            "DeleteObjects" => DeleteObjects(request, auth, bucket),
            "PutObject" => PutObject(request, auth, bucket, key),
            "CopyObject" => CopyObject(request, bucket, key),
            "GetObject" or "HeadObject" => GetObject(request, bucket, key),
            "DeleteObject" => DeleteObject(bucket, key),
            "CreateMultipartUpload" => CreateMultipartUpload(request, bucket, key),
            "UploadPart" => UploadPart(request, auth, bucket, key),
            "CompleteMultipartUpload" => CompleteMultipartUpload(request, bucket, key),
            "AbortMultipartUpload" => AbortMultipartUpload(request, bucket, key),
            _ => throw Failure(501, "NotImplemented", "A header or query you provided implies functionality that the sandbox does not implement."),
        };
    }

    // ---- buckets ----

    private HttpResponse ListBuckets()
    {
        var buckets = new XElement(Ns + "Buckets");
        lock (world.Sync)
        {
            foreach (SandboxBucket bucket in world.Buckets.Values.OrderBy(b => b.Name, StringComparer.Ordinal))
            {
                buckets.Add(new XElement(Ns + "Bucket",
                    new XElement(Ns + "Name", bucket.Name),
                    new XElement(Ns + "CreationDate", XmlTime(bucket.CreatedAt)),
                    new XElement(Ns + "BucketRegion", world.Region)));
            }
        }
        return AwsResponses.Xml(200, new XElement(Ns + "ListAllMyBucketsResult", Owner(), buckets), "application/xml");
    }

    private HttpResponse GetBucketLocation(string name)
    {
        lock (world.Sync)
        {
            RequireBucket(name);
        }
        // us-east-1 is reported as an empty LocationConstraint, for historical reasons.
        return AwsResponses.Xml(200, new XElement(Ns + "LocationConstraint", world.Region == "us-east-1" ? null : world.Region), "application/xml");
    }

    private HttpResponse HeadBucket(string name)
    {
        lock (world.Sync)
        {
            RequireBucket(name);
        }
        return new HttpResponse(200)
            .With("x-amz-bucket-region", world.Region)
            .With("x-amz-access-point-alias", "false")
            .With("Content-Type", "application/xml");
    }

    private HttpResponse CreateBucket(string name)
    {
        if (!IsValidBucketName(name))
        {
            throw Failure(400, "InvalidBucketName", "The specified bucket is not valid.", ("BucketName", name));
        }
        lock (world.Sync)
        {
            if (world.Buckets.ContainsKey(name))
            {
                // In us-east-1 S3 answers 200 to re-creating your own bucket; elsewhere 409.
                if (world.Region != "us-east-1")
                {
                    throw Failure(409, "BucketAlreadyOwnedByYou",
                        "Your previous request to create the named bucket succeeded and you already own it.", ("BucketName", name));
                }
            }
            else
            {
                world.Buckets[name] = new SandboxBucket { Name = name, CreatedAt = Now() };
            }
        }
        return new HttpResponse(200).With("Location", "/" + name);
    }

    private HttpResponse DeleteBucket(string name)
    {
        lock (world.Sync)
        {
            SandboxBucket bucket = RequireBucket(name);
            if (bucket.Objects.Count > 0)
            {
                throw Failure(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", ("BucketName", name));
            }
            world.Buckets.Remove(name);
            foreach (string id in _uploads.Where(u => u.Value.Bucket == name).Select(u => u.Key).ToList())
            {
                _uploads.Remove(id);
            }
        }
        return new HttpResponse(204);
    }

    private HttpResponse ListObjects(HttpRequest request, string bucketName, bool v2)
    {
        string prefix = request.QueryValue("prefix") ?? string.Empty;
        string delimiter = request.QueryValue("delimiter") ?? string.Empty;
        string? encodingType = request.QueryValue("encoding-type");
        if (encodingType is not null && encodingType != "url")
        {
            throw Failure(400, "InvalidArgument", "Invalid Encoding Method specified in Request", ("ArgumentName", "encoding-type"), ("ArgumentValue", encodingType));
        }
        int maxKeys = 1000;
        if (request.QueryValue("max-keys") is string maxText)
        {
            if (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys))
            {
                throw Failure(400, "InvalidArgument", "Provided max-keys not an integer or within integer range", ("ArgumentName", "max-keys"), ("ArgumentValue", maxText));
            }
            maxKeys = Math.Min(maxKeys, 1000);
        }
        string? continuation = v2 ? request.QueryValue("continuation-token") : null;
        string? startAfter = v2 ? request.QueryValue("start-after") : null;
        string? marker = v2 ? null : request.QueryValue("marker");
        string? resumeAfter = marker;
        if (continuation is not null)
        {
            resumeAfter = DecodeContinuation(continuation);
        }
        else if (!string.IsNullOrEmpty(startAfter))
        {
            resumeAfter = startAfter;
        }
        bool fetchOwner = !v2 || request.QueryValue("fetch-owner") == "true";
        Func<string, string> enc = encodingType == "url" ? s => SigV4.Encode(s, keepSlash: true) : s => s;

        var contents = new List<SandboxObject>();
        var prefixes = new List<string>();
        bool truncated = false;
        string? last = null;
        lock (world.Sync)
        {
            SandboxBucket bucket = RequireBucket(bucketName);
            foreach ((string key, SandboxObject obj) in bucket.Objects)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                string? commonPrefix = null;
                if (delimiter.Length > 0)
                {
                    int at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        commonPrefix = key[..(at + delimiter.Length)];
                    }
                }
                if (resumeAfter is not null && (string.CompareOrdinal(key, resumeAfter) <= 0 || commonPrefix == resumeAfter))
                {
                    continue;
                }
                if (commonPrefix is not null && prefixes.Count > 0 && prefixes[^1] == commonPrefix)
                {
                    continue;
                }
                if (contents.Count + prefixes.Count >= maxKeys)
                {
                    truncated = maxKeys > 0;
                    break;
                }
                if (commonPrefix is not null)
                {
                    prefixes.Add(commonPrefix);
                    last = commonPrefix;
                }
                else
                {
                    contents.Add(obj);
                    last = key;
                }
            }
        }

        var root = new XElement(Ns + "ListBucketResult",
            new XElement(Ns + "Name", bucketName),
            new XElement(Ns + "Prefix", enc(prefix)));
        if (v2)
        {
            if (continuation is not null)
            {
                root.Add(new XElement(Ns + "ContinuationToken", continuation));
            }
            if (truncated && last is not null)
            {
                root.Add(new XElement(Ns + "NextContinuationToken", EncodeContinuation(last)));
            }
            if (startAfter is not null)
            {
                root.Add(new XElement(Ns + "StartAfter", enc(startAfter)));
            }
            root.Add(new XElement(Ns + "KeyCount", contents.Count + prefixes.Count));
        }
        else
        {
            root.Add(new XElement(Ns + "Marker", enc(marker ?? string.Empty)));
            if (truncated && last is not null)
            {
                root.Add(new XElement(Ns + "NextMarker", enc(last)));
            }
        }
        root.Add(new XElement(Ns + "MaxKeys", maxKeys));
        if (delimiter.Length > 0)
        {
            root.Add(new XElement(Ns + "Delimiter", enc(delimiter)));
        }
        if (encodingType is not null)
        {
            root.Add(new XElement(Ns + "EncodingType", encodingType));
        }
        root.Add(new XElement(Ns + "IsTruncated", truncated ? "true" : "false"));
        foreach (SandboxObject obj in contents)
        {
            var item = new XElement(Ns + "Contents",
                new XElement(Ns + "Key", enc(obj.Key)),
                new XElement(Ns + "LastModified", XmlTime(obj.LastModified)),
                new XElement(Ns + "ETag", obj.ETag));
            foreach (string algorithm in obj.Checksums.Keys)
            {
                item.Add(new XElement(Ns + "ChecksumAlgorithm", algorithm.ToUpperInvariant()));
            }
            item.Add(new XElement(Ns + "Size", obj.Content.LongLength), new XElement(Ns + "StorageClass", "STANDARD"));
            if (fetchOwner)
            {
                item.Add(Owner());
            }
            root.Add(item);
        }
        foreach (string commonPrefix in prefixes)
        {
            root.Add(new XElement(Ns + "CommonPrefixes", new XElement(Ns + "Prefix", enc(commonPrefix))));
        }
        return AwsResponses.Xml(200, root, "application/xml");
    }

    // ---- objects ----

    private HttpResponse PutObject(HttpRequest request, SignatureResult auth, string bucketName, string key)
    {
        CheckKey(key);
        (byte[] data, Dictionary<string, string> checksums) = ReadPayload("PutObject", request, auth);
        var obj = new SandboxObject
        {
            Key = key,
            Content = data,
            ContentType = request.Header("Content-Type") ?? "binary/octet-stream",
            ETag = Quote(Md5Hex(data)),
            LastModified = Now(),
        };
        CopyRequestAttributes(request, obj);
        foreach ((string algorithm, string value) in checksums)
        {
            obj.Checksums[algorithm] = value;
        }
        lock (world.Sync)
        {
            RequireBucket(bucketName).Objects[key] = obj;
        }
        HttpResponse response = new HttpResponse(200).With("ETag", obj.ETag).With("x-amz-server-side-encryption", "AES256");
        foreach ((string algorithm, string value) in checksums)
        {
            response.With(Checksums.HeaderName(algorithm), value);
        }
        return response;
    }

    private HttpResponse CopyObject(HttpRequest request, string bucketName, string key)
    {
        CheckKey(key);
        string source = request.Header("x-amz-copy-source")!;
        int query = source.IndexOf('?');
        if (query >= 0)
        {
            source = source[..query];
        }
        source = Uri.UnescapeDataString(source).TrimStart('/');
        int slash = source.IndexOf('/');
        if (slash <= 0 || slash == source.Length - 1)
        {
            throw Failure(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                ("ArgumentName", "x-amz-copy-source"), ("ArgumentValue", source));
        }
        string sourceBucket = source[..slash];
        string sourceKey = source[(slash + 1)..];
        bool replace = string.Equals(request.Header("x-amz-metadata-directive"), "REPLACE", StringComparison.OrdinalIgnoreCase);
        SandboxObject copy;
        lock (world.Sync)
        {
            SandboxObject original = RequireObject(sourceBucket, sourceKey);
            if (sourceBucket == bucketName && sourceKey == key && !replace)
            {
                throw Failure(400, "InvalidRequest",
                    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
            }
            copy = new SandboxObject
            {
                Key = key,
                Content = original.Content,
                ContentType = replace ? request.Header("Content-Type") ?? "binary/octet-stream" : original.ContentType,
                ETag = Quote(Md5Hex(original.Content)),
                LastModified = Now(),
            };
            if (replace)
            {
                CopyRequestAttributes(request, copy);
            }
            else
            {
                foreach ((string name, string value) in original.Metadata)
                {
                    copy.Metadata[name] = value;
                }
                foreach ((string name, string value) in original.Headers)
                {
                    copy.Headers[name] = value;
                }
            }
            foreach ((string algorithm, string value) in original.Checksums)
            {
                copy.Checksums[algorithm] = value;
            }
            if (request.Header("x-amz-checksum-algorithm") is string wanted && Checksums.Algorithms.Contains(wanted.ToUpperInvariant()))
            {
                copy.Checksums[wanted.ToUpperInvariant()] = Checksums.Compute(wanted, copy.Content);
            }
            RequireBucket(bucketName).Objects[key] = copy;
        }
        return AwsResponses.Xml(200, new XElement(Ns + "CopyObjectResult",
            new XElement(Ns + "LastModified", XmlTime(copy.LastModified)),
            new XElement(Ns + "ETag", copy.ETag)), "application/xml")
            .With("x-amz-server-side-encryption", "AES256");
    }

    private HttpResponse GetObject(HttpRequest request, string bucketName, string key)
    {
        SandboxObject obj;
        lock (world.Sync)
        {
            obj = RequireObject(bucketName, key);
        }
        bool isHead = request.Method == "HEAD";
        string lastModified = obj.LastModified.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

        if (PreconditionFails(request, obj, out bool notModified))
        {
            throw Failure(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", ("Condition", "If-Match"));
        }
        if (notModified)
        {
            return new HttpResponse(304).With("ETag", obj.ETag).With("Last-Modified", lastModified);
        }

        long total = obj.Content.LongLength;
        long from = 0;
        long to = total - 1;
        int status = 200;
        if (request.Header("Range") is string range && TryParseRange(range, total, out long rangeFrom, out long rangeTo, out bool satisfiable))
        {
            if (!satisfiable)
            {
                throw Failure(416, "InvalidRange", "The requested range is not satisfiable",
                    ("RangeRequested", range), ("ActualObjectSize", total.ToString(CultureInfo.InvariantCulture)));
            }
            (from, to, status) = (rangeFrom, rangeTo, 206);
        }
        long length = total == 0 ? 0 : to - from + 1;
        var response = new HttpResponse(status)
            .With("Content-Type", request.QueryValue("response-content-type") ?? obj.ContentType)
            .With("ETag", obj.ETag)
            .With("Last-Modified", lastModified)
            .With("Accept-Ranges", "bytes")
            .With("x-amz-server-side-encryption", "AES256");
        if (status == 206)
        {
            response.With("Content-Range", $"bytes {from}-{to}/{total}");
        }
        foreach ((string name, string value) in obj.Headers)
        {
            string overrideName = "response-" + name.ToLowerInvariant();
            response.With(name, request.QueryValue(overrideName) ?? value);
        }
        foreach ((string name, string value) in obj.Metadata)
        {
            response.With("x-amz-meta-" + name, value);
        }
        if (status == 200 && string.Equals(request.Header("x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase) && obj.Checksums.Count > 0)
        {
            foreach ((string algorithm, string value) in obj.Checksums)
            {
                response.With(Checksums.HeaderName(algorithm), value);
            }
            response.With("x-amz-checksum-type", "FULL_OBJECT");
        }
        if (isHead)
        {
            response.ContentLengthOverride = length;
        }
        else
        {
            response.Body = status == 206 || from != 0 ? obj.Content.AsSpan((int)from, (int)length).ToArray() : obj.Content;
        }
        return response;
    }

    private HttpResponse DeleteObject(string bucketName, string key)
    {
        lock (world.Sync)
        {
            RequireBucket(bucketName).Objects.Remove(key);
        }
        return new HttpResponse(204);
    }

    private HttpResponse DeleteObjects(HttpRequest request, SignatureResult auth, string bucketName)
    {
        (byte[] body, _) = ReadPayload("DeleteObjects", request, auth);
        XElement root = ParseXml(body);
        bool quiet = string.Equals(Child(root, "Quiet")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        List<string> keys = root.Elements().Where(e => e.Name.LocalName == "Object").Select(o => Child(o, "Key")?.Value ?? string.Empty).ToList();
        if (keys.Count is 0 or > 1000)
        {
            throw Failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        }
        var result = new XElement(Ns + "DeleteResult");
        lock (world.Sync)
        {
            SandboxBucket bucket = RequireBucket(bucketName);
            foreach (string key in keys)
            {
                bucket.Objects.Remove(key);
                if (!quiet)
                {
                    result.Add(new XElement(Ns + "Deleted", new XElement(Ns + "Key", key)));
                }
            }
        }
        return AwsResponses.Xml(200, result, "application/xml");
    }

    // ---- multipart ----

    private HttpResponse CreateMultipartUpload(HttpRequest request, string bucketName, string key)
    {
        CheckKey(key);
        string uploadId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).Replace('+', '.').Replace('/', '_').TrimEnd('=');
        string? algorithm = request.Header("x-amz-checksum-algorithm")?.ToUpperInvariant();
        if (algorithm is not null && !Checksums.Algorithms.Contains(algorithm))
        {
            throw Failure(400, "InvalidRequest", $"Checksum algorithm '{algorithm}' is not supported.");
        }
        var template = new SandboxObject
        {
            Key = key,
            Content = [],
            ContentType = request.Header("Content-Type") ?? "binary/octet-stream",
            ETag = string.Empty,
        };
        CopyRequestAttributes(request, template);
        lock (world.Sync)
        {
            RequireBucket(bucketName);
            _uploads[uploadId] = new MultipartUpload(bucketName, key, template, algorithm);
        }
        HttpResponse response = AwsResponses.Xml(200, new XElement(Ns + "InitiateMultipartUploadResult",
            new XElement(Ns + "Bucket", bucketName),
            new XElement(Ns + "Key", key),
            new XElement(Ns + "UploadId", uploadId)), "application/xml");
        if (algorithm is not null)
        {
            response.With("x-amz-checksum-algorithm", algorithm);
        }
        return response;
    }

    private HttpResponse UploadPart(HttpRequest request, SignatureResult auth, string bucketName, string key)
    {
        string partText = request.QueryValue("partNumber") ?? string.Empty;
        if (!int.TryParse(partText, NumberStyles.None, CultureInfo.InvariantCulture, out int partNumber) || partNumber is < 1 or > 10000)
        {
            throw Failure(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive",
                ("ArgumentName", "partNumber"), ("ArgumentValue", partText));
        }
        (byte[] data, Dictionary<string, string> checksums) = ReadPayload("UploadPart", request, auth);
        string etag = Quote(Md5Hex(data));
        lock (world.Sync)
        {
            MultipartUpload upload = RequireUpload(request, bucketName, key);
            upload.Parts[partNumber] = (data, etag);
        }
        HttpResponse response = new HttpResponse(200).With("ETag", etag).With("x-amz-server-side-encryption", "AES256");
        foreach ((string algorithm, string value) in checksums)
        {
            response.With(Checksums.HeaderName(algorithm), value);
        }
        return response;
    }

    private HttpResponse CompleteMultipartUpload(HttpRequest request, string bucketName, string key)
    {
        XElement root = ParseXml(request.Body);
        var requested = new List<(int Number, string ETag)>();
        foreach (XElement part in root.Elements().Where(e => e.Name.LocalName == "Part"))
        {
            if (!int.TryParse(Child(part, "PartNumber")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                throw Failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
            }
            requested.Add((number, Child(part, "ETag")?.Value ?? string.Empty));
        }
        if (requested.Count == 0)
        {
            throw Failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        }
        SandboxObject obj;
        lock (world.Sync)
        {
            MultipartUpload upload = RequireUpload(request, bucketName, key);
            for (int i = 1; i < requested.Count; i++)
            {
                if (requested[i].Number <= requested[i - 1].Number)
                {
                    throw Failure(400, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
                }
            }
            var parts = new List<(byte[] Data, string ETag)>();
            foreach ((int number, string etag) in requested)
            {
                if (!upload.Parts.TryGetValue(number, out (byte[] Data, string ETag) stored) || Unquote(stored.ETag) != Unquote(etag))
                {
                    throw Failure(400, "InvalidPart",
                        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                        ("UploadId", request.QueryValue("uploadId") ?? string.Empty), ("PartNumber", number.ToString(CultureInfo.InvariantCulture)));
                }
                parts.Add(stored);
            }
            for (int i = 0; i < parts.Count - 1; i++)
            {
                if (parts[i].Data.LongLength < MinPartSize)
                {
                    throw Failure(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.",
                        ("ProposedSize", parts[i].Data.LongLength.ToString(CultureInfo.InvariantCulture)), ("MinSizeAllowed", MinPartSize.ToString(CultureInfo.InvariantCulture)));
                }
            }
            byte[] content = new byte[parts.Sum(p => p.Data.LongLength)];
            int offset = 0;
            using var md5s = new MemoryStream();
            foreach ((byte[] data, string etag) in parts)
            {
                data.CopyTo(content, offset);
                offset += data.Length;
                md5s.Write(Convert.FromHexString(Unquote(etag)));
            }
            // The multipart ETag: MD5 of the concatenated part MD5s, a dash, the part count.
            obj = new SandboxObject
            {
                Key = key,
                Content = content,
                ContentType = upload.Template.ContentType,
                ETag = Quote($"{Convert.ToHexString(MD5.HashData(md5s.ToArray())).ToLowerInvariant()}-{parts.Count}"),
                LastModified = Now(),
            };
            foreach ((string name, string value) in upload.Template.Metadata)
            {
                obj.Metadata[name] = value;
            }
            foreach ((string name, string value) in upload.Template.Headers)
            {
                obj.Headers[name] = value;
            }
            if (upload.ChecksumAlgorithm is not null)
            {
                obj.Checksums[upload.ChecksumAlgorithm] = Checksums.Compute(upload.ChecksumAlgorithm, content);
            }
            RequireBucket(bucketName).Objects[key] = obj;
            _uploads.Remove(request.QueryValue("uploadId")!);
        }
        string host = request.Header("Host") ?? "127.0.0.1";
        return AwsResponses.Xml(200, new XElement(Ns + "CompleteMultipartUploadResult",
            new XElement(Ns + "Location", $"http://{host}/{bucketName}/{SigV4.Encode(key, keepSlash: true)}"),
            new XElement(Ns + "Bucket", bucketName),
            new XElement(Ns + "Key", key),
            new XElement(Ns + "ETag", obj.ETag)), "application/xml")
            .With("x-amz-server-side-encryption", "AES256");
    }

    private HttpResponse AbortMultipartUpload(HttpRequest request, string bucketName, string key)
    {
        lock (world.Sync)
        {
            RequireUpload(request, bucketName, key);
            _uploads.Remove(request.QueryValue("uploadId")!);
        }
        return new HttpResponse(204);
    }

    // ---- helpers ----

    /// <summary>
    /// The object bytes of a PUT/POST: aws-chunked decoded when the SDK streamed it, with
    /// Content-MD5 and any <c>x-amz-checksum-*</c> header or trailer verified. How the body came
    /// is counted in <c>bodyEncodings</c>, so tests can prove which variant an SDK really sent.
    /// </summary>
    private (byte[] Data, Dictionary<string, string> Checksums) ReadPayload(string operation, HttpRequest request, SignatureResult auth)
    {
        string mode = request.Header("x-amz-content-sha256") ?? auth.PayloadHash;
        string? contentEncoding = request.Header("Content-Encoding");
        bool awsChunked = mode.StartsWith("STREAMING-", StringComparison.Ordinal) ||
            (contentEncoding?.Split(',').Any(e => e.Trim().Equals("aws-chunked", StringComparison.OrdinalIgnoreCase)) ?? false);
        byte[] data = request.Body;
        IReadOnlyDictionary<string, string> trailers = request.Trailers.ToDictionary(t => t.Key.ToLowerInvariant(), t => t.Value);
        if (awsChunked)
        {
            AwsChunkedDecoder.Result decoded = AwsChunkedDecoder.Decode(request.Body, mode, auth);
            data = decoded.Payload;
            trailers = decoded.Trailers;
            if (request.Header("x-amz-decoded-content-length") is string declared &&
                (!long.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out long declaredLength) || declaredLength != data.LongLength))
            {
                throw Failure(400, "IncompleteBody", "You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header.");
            }
        }

        if (request.Header("Content-MD5") is string md5Text)
        {
            byte[] md5;
            try
            {
                md5 = Convert.FromBase64String(md5Text);
            }
            catch (FormatException)
            {
                md5 = [];
            }
            if (md5.Length != 16)
            {
                throw Failure(400, "InvalidDigest", "The Content-MD5 you specified was invalid.", ("Content-MD5", md5Text));
            }
            if (!md5.AsSpan().SequenceEqual(MD5.HashData(data)))
            {
                throw Failure(400, "BadDigest", "The Content-MD5 you specified did not match what we received.",
                    ("ExpectedDigest", md5Text), ("CalculatedDigest", Convert.ToBase64String(MD5.HashData(data))));
            }
        }

        var checksums = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string checksumCarrier = string.Empty;
        foreach (string algorithm in Checksums.Algorithms)
        {
            string header = Checksums.HeaderName(algorithm);
            string? value = request.Header(header);
            if (value is not null)
            {
                checksumCarrier = " header " + header;
            }
            else if (trailers.TryGetValue(header, out value))
            {
                checksumCarrier = " trailer " + header;
            }
            else
            {
                continue;
            }
            string computed = Checksums.Compute(algorithm, data);
            if (computed != value)
            {
                throw Failure(400, "BadDigest", $"The {algorithm} you specified did not match the calculated checksum.");
            }
            checksums[algorithm] = value;
        }
        if (request.Header("x-amz-trailer") is string declaredTrailer && !trailers.ContainsKey(declaredTrailer.Trim().ToLowerInvariant()))
        {
            throw Failure(400, "MalformedTrailerError", $"The request declared trailer '{declaredTrailer}' but did not send it.");
        }
        string payload = SignatureVerifier.IsHexSha256(mode) ? "sha256" : mode;
        bodyEncodings.AddOrUpdate($"{operation} {payload}{checksumCarrier}", 1, (_, n) => n + 1);
        return (data, checksums);
    }

    private static void CopyRequestAttributes(HttpRequest request, SandboxObject obj)
    {
        foreach ((string name, string value) in request.Headers)
        {
            if (name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            {
                obj.Metadata[name["x-amz-meta-".Length..].ToLowerInvariant()] = value;
            }
        }
        foreach (string name in StoredHeaderNames)
        {
            string? value = request.Header(name);
            if (name == "Content-Encoding" && value is not null)
            {
                // aws-chunked is how the body travelled, not how the object is encoded.
                value = string.Join(',', value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0 && !v.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase)));
            }
            if (!string.IsNullOrEmpty(value))
            {
                obj.Headers[name] = value;
            }
        }
    }

    private static bool PreconditionFails(HttpRequest request, SandboxObject obj, out bool notModified)
    {
        notModified = false;
        if (request.Header("If-Match") is string ifMatch && ifMatch.Trim() != "*" &&
            !ifMatch.Split(',').Any(e => Unquote(e.Trim()) == Unquote(obj.ETag)))
        {
            return true;
        }
        if (request.Header("If-Unmodified-Since") is string unmodified && TryParseHttpDate(unmodified, out DateTimeOffset since) && obj.LastModified > since)
        {
            return true;
        }
        if (request.Header("If-None-Match") is string ifNoneMatch)
        {
            notModified = ifNoneMatch.Trim() == "*" || ifNoneMatch.Split(',').Any(e => Unquote(e.Trim()) == Unquote(obj.ETag));
        }
        else if (request.Header("If-Modified-Since") is string modified && TryParseHttpDate(modified, out DateTimeOffset modifiedSince))
        {
            notModified = obj.LastModified <= modifiedSince;
        }
        return false;
    }

    /// <summary>One <c>bytes=</c> range (S3 ignores multi-range requests and sends the whole object).</summary>
    private static bool TryParseRange(string header, long total, out long from, out long to, out bool satisfiable)
    {
        from = 0;
        to = total - 1;
        satisfiable = true;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(','))
        {
            return false;
        }
        string spec = header[6..].Trim();
        int dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }
        string first = spec[..dash].Trim();
        string second = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!long.TryParse(second, NumberStyles.None, CultureInfo.InvariantCulture, out long suffix))
            {
                return false;
            }
            if (suffix == 0 || total == 0)
            {
                satisfiable = false;
                return true;
            }
            from = Math.Max(0, total - suffix);
            return true;
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            return false;
        }
        if (second.Length > 0)
        {
            if (!long.TryParse(second, NumberStyles.None, CultureInfo.InvariantCulture, out long end) || end < from)
            {
                return false;
            }
            to = Math.Min(end, total - 1);
        }
        satisfiable = from < total;
        return true;
    }

    private SandboxBucket RequireBucket(string name) =>
        world.Buckets.TryGetValue(name, out SandboxBucket? bucket)
            ? bucket
            : throw Failure(404, "NoSuchBucket", "The specified bucket does not exist", ("BucketName", name));

    private SandboxObject RequireObject(string bucketName, string key) =>
        RequireBucket(bucketName).Objects.TryGetValue(key, out SandboxObject? obj)
            ? obj
            : throw Failure(404, "NoSuchKey", "The specified key does not exist.", ("Key", key));

    private MultipartUpload RequireUpload(HttpRequest request, string bucketName, string key)
    {
        RequireBucket(bucketName);
        string uploadId = request.QueryValue("uploadId") ?? string.Empty;
        if (!_uploads.TryGetValue(uploadId, out MultipartUpload? upload) || upload.Bucket != bucketName || upload.Key != key)
        {
            throw Failure(404, "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", ("UploadId", uploadId));
        }
        return upload;
    }

    private XElement Owner() => new(Ns + "Owner",
        new XElement(Ns + "ID", Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(world.AccountId + "/canonical-user"))).ToLowerInvariant()),
        new XElement(Ns + "DisplayName", "mighty-sandbox"));

    /// <summary>Splits a path-style target into bucket and key (both percent-decoded).</summary>
    internal static (string Bucket, string Key) SplitPath(string rawPath)
    {
        string path = rawPath.StartsWith('/') ? rawPath[1..] : rawPath;
        int slash = path.IndexOf('/');
        string bucket = slash < 0 ? path : path[..slash];
        string key = slash < 0 ? string.Empty : path[(slash + 1)..];
        return (Unescape(bucket), Unescape(key));
    }

    private static string Unescape(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }

    private static void CheckKey(string key)
    {
        if (Encoding.UTF8.GetByteCount(key) > 1024)
        {
            throw Failure(400, "KeyTooLongError", "Your key is too long");
        }
    }

    private static bool IsValidBucketName(string name) =>
        name.Length is >= 3 and <= 63 &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.') &&
        char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]) &&
        !name.Contains("..", StringComparison.Ordinal) &&
        !System.Net.IPAddress.TryParse(name, out _);

    private static XElement ParseXml(byte[] body)
    {
        try
        {
            using var stream = new MemoryStream(body);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XElement.Load(reader);
        }
        catch (XmlException)
        {
            throw Failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        }
    }

    private static XElement? Child(XElement parent, string localName) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static bool TryParseHttpDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value) ||
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);

    /// <summary>Real time, to the second: S3 is not part of the ECS time simulation, and Last-Modified has second precision.</summary>
    private static DateTimeOffset Now()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static string XmlTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Md5Hex(byte[] data) => Convert.ToHexString(MD5.HashData(data)).ToLowerInvariant();

    private static string Quote(string etag) => "\"" + etag + "\"";

    private static string Unquote(string etag) => etag.Trim().Trim('"');

    private static string EncodeContinuation(string lastKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes("1:" + lastKey));

    private static string DecodeContinuation(string token)
    {
        try
        {
            string text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("1:", StringComparison.Ordinal))
            {
                return text[2..];
            }
        }
        catch (FormatException)
        {
        }
        throw Failure(400, "InvalidArgument", "The continuation token provided is incorrect", ("ArgumentName", "continuation-token"));
    }

    private sealed record MultipartUpload(string Bucket, string Key, SandboxObject Template, string? ChecksumAlgorithm)
    {
        public SortedDictionary<int, (byte[] Data, string ETag)> Parts { get; } = [];
    }

    /// <summary>An S3 error with the extra elements S3 adds to its error document (BucketName, Key, …).</summary>
    private static SandboxException Failure(int status, string code, string message, params (string Name, string Value)[] details) =>
        new(code, message, status) { Details = details };
}
