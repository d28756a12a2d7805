using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using MightyOps.Core.Aws;
using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.S3;

// Multipart uploads: create, upload part, complete (the multipart ETag), abort.
internal sealed partial class S3Api
{
    private const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>Multipart uploads in progress by upload id; guarded by <see cref="SandboxWorld.Sync"/>.</summary>
    private readonly Dictionary<string, MultipartUpload> _uploads = new(StringComparer.Ordinal);

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

    private sealed record MultipartUpload(string Bucket, string Key, SandboxObject Template, string? ChecksumAlgorithm)
    {
        public SortedDictionary<int, (byte[] Data, string ETag)> Parts { get; } = [];
    }
}
