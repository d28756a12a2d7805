using System.Globalization;
using System.Text;
using System.Xml.Linq;
using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.S3;

// Objects: put, copy, get/head (ranges, conditions, checksums), delete, batch delete.
internal sealed partial class S3Api
{
    private static readonly string[] StoredHeaderNames = ["Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"];

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

        (string? failedCondition, bool notModified) = EvaluateConditions(request, obj);
        if (failedCondition is not null)
        {
            throw Failure(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", ("Condition", failedCondition));
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
        foreach (string name in StoredHeaderNames)
        {
            // response-* query parameters (presigned downloads) win over what is stored, stored or not.
            string? value = request.QueryValue("response-" + name.ToLowerInvariant()) ?? obj.Headers.GetValueOrDefault(name);
            if (value is not null)
            {
                response.With(name, value);
            }
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

    /// <summary>
    /// The conditional headers as S3 applies them (RFC 9110 §13.2.2): If-Match, or else
    /// If-Unmodified-Since, can fail the request (412, naming the header); If-None-Match, or else
    /// If-Modified-Since, can make it 304. When If-Match holds, If-Unmodified-Since is not looked at.
    /// </summary>
    private static (string? FailedCondition, bool NotModified) EvaluateConditions(HttpRequest request, SandboxObject obj)
    {
        if (request.Header("If-Match") is string ifMatch)
        {
            if (ifMatch.Trim() != "*" && !ifMatch.Split(',').Any(e => Unquote(e.Trim()) == Unquote(obj.ETag)))
            {
                return ("If-Match", false);
            }
        }
        else if (request.Header("If-Unmodified-Since") is string unmodified && TryParseHttpDate(unmodified, out DateTimeOffset since) && obj.LastModified > since)
        {
            return ("If-Unmodified-Since", false);
        }
        if (request.Header("If-None-Match") is string ifNoneMatch)
        {
            return (null, ifNoneMatch.Trim() == "*" || ifNoneMatch.Split(',').Any(e => Unquote(e.Trim()) == Unquote(obj.ETag)));
        }
        return (null, request.Header("If-Modified-Since") is string modified && TryParseHttpDate(modified, out DateTimeOffset modifiedSince)
            && obj.LastModified <= modifiedSince);
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

    private static bool TryParseHttpDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value) ||
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
}
