using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.S3;

/// <summary>
/// S3 REST, path-style (<c>/bucket/key</c>), over <see cref="SandboxWorld.Buckets"/>: the bucket
/// and object operations the AWS CLI (<c>s3 cp</c>, <c>s3 ls</c>, <c>s3 rm</c>, <c>s3api</c>),
/// AWSSDK.S3 and MightyOps' secrets handling use, multipart uploads included.
/// </summary>
internal sealed partial class S3Api(SandboxWorld world, ConcurrentDictionary<string, long> bodyEncodings)
{
    private static readonly XNamespace Ns = AwsResponses.S3Namespace;

    /// <summary>Sub-resources (query keys) of S3 APIs the sandbox does not serve.</summary>
    private static readonly HashSet<string> UnsupportedSubresources = new(StringComparer.Ordinal)
    {
        "acl", "tagging", "policy", "cors", "lifecycle", "versioning", "website", "logging", "notification",
        "replication", "encryption", "accelerate", "requestPayment", "analytics", "inventory", "metrics",
        "intelligent-tiering", "object-lock", "ownershipControls", "publicAccessBlock", "policyStatus",
        "torrent", "retention", "legal-hold", "restore", "select", "attributes", "versions", "session",
    };

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

    private SandboxBucket RequireBucket(string name) =>
        world.Buckets.TryGetValue(name, out SandboxBucket? bucket)
            ? bucket
            : throw Failure(404, "NoSuchBucket", "The specified bucket does not exist", ("BucketName", name));

    private SandboxObject RequireObject(string bucketName, string key) =>
        RequireBucket(bucketName).Objects.TryGetValue(key, out SandboxObject? obj)
            ? obj
            : throw Failure(404, "NoSuchKey", "The specified key does not exist.", ("Key", key));

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

    /// <summary>
    /// S3 stores keys with characters XML 1.0 cannot carry (U+0000, most other controls) and then
    /// writes them into listings as references XML parsers refuse, so such a key breaks every
    /// listing without <c>encoding-type=url</c>. The sandbox refuses them when they are written.
    /// </summary>
    private static void CheckKey(string key)
    {
        if (Encoding.UTF8.GetByteCount(key) > 1024)
        {
            throw Failure(400, "KeyTooLongError", "Your key is too long");
        }
        int bad = FirstNonXmlCharacter(key);
        if (bad >= 0)
        {
            throw Failure(400, "InvalidArgument",
                $"Object keys must be text XML 1.0 can carry; this one has U+{(int)key[bad]:X4} at position {bad}.",
                ("ArgumentName", "key"), ("ArgumentValue", Uri.EscapeDataString(key)));
        }
    }

    private static int FirstNonXmlCharacter(string key)
    {
        for (int i = 0; i < key.Length; i++)
        {
            char c = key[i];
            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
                continue;
            }
            if (c is not ('\t' or '\n' or '\r' or (>= ' ' and < '\uD800') or (>= '\uE000' and < '\uFFFE')))
            {
                return i;
            }
        }
        return -1;
    }

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

    /// <summary>An S3 error with the extra elements S3 adds to its error document (BucketName, Key, …).</summary>
    private static SandboxException Failure(int status, string code, string message, params (string Name, string Value)[] details) =>
        new(code, message, status) { Details = details };
}
