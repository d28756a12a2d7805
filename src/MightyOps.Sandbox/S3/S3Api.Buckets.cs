using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using MightyOps.Core.Aws;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.S3;

// Buckets: list, create, head, delete, location; object listings (v1 and v2).
internal sealed partial class S3Api
{
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
            resumeAfter = PageToken.TryRead(continuation, "objects/" + bucketName, out string? lastKey)
                ? lastKey
                : throw Failure(400, "InvalidArgument", "The continuation token provided is incorrect", ("ArgumentName", "continuation-token"));
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
                root.Add(new XElement(Ns + "NextContinuationToken", PageToken.Write("objects/" + bucketName, last)));
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

    private XElement Owner() => new(Ns + "Owner",
        new XElement(Ns + "ID", Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(world.AccountId + "/canonical-user"))).ToLowerInvariant()),
        new XElement(Ns + "DisplayName", "mighty-sandbox"));

    private static bool IsValidBucketName(string name) =>
        name.Length is >= 3 and <= 63 &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.') &&
        char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]) &&
        !name.Contains("..", StringComparison.Ordinal) &&
        !System.Net.IPAddress.TryParse(name, out _);
}
