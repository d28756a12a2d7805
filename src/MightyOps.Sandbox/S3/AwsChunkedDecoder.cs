using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MightyOps.Core.Aws;
using MightyOps.Sandbox.Auth;

namespace MightyOps.Sandbox.S3;

/// <summary>
/// Decodes an S3 <c>Content-Encoding: aws-chunked</c> body into the object bytes and its
/// trailers, verifying chunk signatures when the payload is signed. Every variant the SDKs send:
/// <list type="bullet">
/// <item><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>: <c>size;chunk-signature=sig\r\ndata\r\n</c> … <c>0;chunk-signature=sig\r\n\r\n</c> (AWSSDK over http).</item>
/// <item><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: the same, then <c>x-amz-checksum-crc32:…\r\nx-amz-trailer-signature:sig\r\n\r\n</c> (AWSSDK default).</item>
/// <item><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>: <c>size\r\ndata\r\n</c> … <c>0\r\nx-amz-checksum-crc32:…\r\n\r\n</c> (botocore, AWSSDK over https).</item>
/// </list>
/// Each chunk signature chains from the previous one, starting at the request's signature
/// (AWSSDK <c>ChunkedUploadWrapperStream</c>; S3 docs "sigv4-streaming").
/// </summary>
internal static class AwsChunkedDecoder
{
    public const string SignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string SignedPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string UnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>The decoded object bytes and trailer fields (lower-case names).</summary>
    public sealed record Result(byte[] Payload, IReadOnlyDictionary<string, string> Trailers);

    /// <exception cref="SandboxException">The body is malformed (<c>IncompleteBody</c>, <c>InvalidRequest</c>) or a signature is wrong (<c>SignatureDoesNotMatch</c>).</exception>
    public static Result Decode(byte[] body, string mode, SignatureResult auth)
    {
        bool signed = mode is SignedPayload or SignedPayloadTrailer;
        if (!signed && mode != UnsignedPayloadTrailer)
        {
            throw new SandboxException("NotImplemented", $"The sandbox does not support x-amz-content-sha256 '{mode}' (SigV4a streaming is not implemented).", 501);
        }
        string timestamp = auth.SignedAt.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture);
        string previous = auth.Signature;
        using var payload = new MemoryStream(body.Length);
        int pos = 0;
        while (true)
        {
            string header = ReadLine(body, ref pos) ?? throw Incomplete("The aws-chunked body ended before its final chunk.");
            string[] parts = header.Split(';');
            if (!long.TryParse(parts[0].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long size) || size < 0 || size > body.Length - pos)
            {
                throw Incomplete($"Malformed aws-chunked chunk header '{Truncate(header)}'.");
            }
            ReadOnlySpan<byte> data = body.AsSpan(pos, (int)size);
            pos += (int)size;
            if (signed)
            {
                string? signature = parts.Skip(1).Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("chunk-signature=", StringComparison.Ordinal))?["chunk-signature=".Length..];
                if (signature is null)
                {
                    throw Incomplete("A signed aws-chunked chunk has no chunk-signature.");
                }
                string stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-PAYLOAD", timestamp, auth.Scope, previous, SigV4.EmptyPayloadHash, SigV4.HexSha256(data));
                string expected = SigV4.Signature(auth.SigningKey, stringToSign);
                if (!FixedEquals(expected, signature))
                {
                    throw new SandboxException("SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you provided (aws-chunked chunk signature).", 403);
                }
                previous = expected;
            }
            if (size == 0)
            {
                break;
            }
            payload.Write(data);
            if (ReadLine(body, ref pos) is not { Length: 0 })
            {
                throw Incomplete("aws-chunked chunk data is not followed by CRLF.");
            }
        }

        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? trailerSignature = null;
        var canonical = new List<(string Name, string Value)>();
        while (true)
        {
            string? line = ReadLine(body, ref pos);
            if (string.IsNullOrEmpty(line))
            {
                break;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw Incomplete($"Malformed aws-chunked trailer '{Truncate(line)}'.");
            }
            string name = line[..colon].Trim().ToLowerInvariant();
            string value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                trailerSignature = value;
            }
            else
            {
                trailers[name] = value;
                canonical.Add((name, value));
            }
        }
        if (mode == SignedPayloadTrailer)
        {
            if (trailerSignature is null)
            {
                throw Incomplete("The signed trailer has no x-amz-trailer-signature.");
            }
            string canonicalTrailers = string.Concat(canonical.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => $"{t.Name}:{t.Value}\n"));
            string stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-TRAILER", timestamp, auth.Scope, previous, SigV4.HexSha256(Encoding.UTF8.GetBytes(canonicalTrailers)));
            if (!FixedEquals(SigV4.Signature(auth.SigningKey, stringToSign), trailerSignature))
            {
                throw new SandboxException("SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided (aws-chunked trailer signature).", 403);
            }
        }
        return new Result(payload.ToArray(), trailers);
    }

    /// <summary>A CRLF-terminated line starting at <paramref name="pos"/>, or null at the end of the body.</summary>
    private static string? ReadLine(byte[] body, ref int pos)
    {
        if (pos >= body.Length)
        {
            return null;
        }
        int newline = Array.IndexOf(body, (byte)'\n', pos);
        if (newline < 0)
        {
            throw Incomplete("An aws-chunked line is not terminated.");
        }
        int end = newline > pos && body[newline - 1] == '\r' ? newline - 1 : newline;
        string line = Encoding.ASCII.GetString(body, pos, end - pos);
        pos = newline + 1;
        return line;
    }

    private static bool FixedEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual.ToLowerInvariant()));

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static SandboxException Incomplete(string message) => new("IncompleteBody", message);
}
