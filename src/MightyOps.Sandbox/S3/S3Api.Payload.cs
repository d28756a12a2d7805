using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Http;

namespace MightyOps.Sandbox.S3;

// Request bodies: aws-chunked decoding, Content-MD5 and flexible checksums.
internal sealed partial class S3Api
{
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
}
