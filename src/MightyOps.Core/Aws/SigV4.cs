using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace MightyOps.Core.Aws;

/// <summary>An access key, its secret and, for temporary credentials, the session token.</summary>
public sealed record AwsCredentialSnapshot(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Never print the secret or the token.</summary>
    public override string ToString() => $"AwsCredentialSnapshot {{ AccessKeyId = {AccessKeyId} }}";
}

/// <summary>
/// AWS Signature Version 4 (header signing). The pieces are public so the sandbox can verify a
/// request with exactly the canonical forms the client signs with; both are checked against AWS's
/// own test vectors (tests/MightyOps.Core.Tests/sigv4-test-suite, docs/design/sigv4.md) and against botocore and AWSSDK as real peers.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>
    /// The canonical URI. Services other than S3 encode the (already encoded) path once more;
    /// S3 signs the path as sent.
    /// </summary>
    public static string CanonicalUri(string rawPath, bool isS3)
    {
        if (string.IsNullOrEmpty(rawPath))
        {
            return "/";
        }
        return isS3 ? rawPath : Encode(rawPath, keepSlash: true);
    }

    /// <summary>The canonical query string: each pair decoded, re-encoded the AWS way, sorted.</summary>
    public static string CanonicalQuery(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery))
        {
            return string.Empty;
        }
        var pairs = new List<(string Key, string Value)>();
        foreach (string part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string key = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? string.Empty : part[(eq + 1)..];
            pairs.Add((Encode(Uri.UnescapeDataString(key), keepSlash: false), Encode(Uri.UnescapeDataString(value), keepSlash: false)));
        }
        pairs.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(a.Key, b.Key);
            return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => $"{p.Key}={p.Value}"));
    }

    /// <summary>
    /// The canonical header block (each line ends with a newline) for the headers named in
    /// <paramref name="signedHeaders"/>; repeated headers are joined with commas.
    /// </summary>
    public static string CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers, IReadOnlyList<string> signedHeaders)
    {
        var sb = new StringBuilder();
        foreach (string name in signedHeaders)
        {
            IEnumerable<string> values = headers
                .Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                .Select(h => CollapseSpaces(h.Value));
            sb.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }
        return sb.ToString();
    }

    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery, string canonicalHeaders, IReadOnlyList<string> signedHeaders, string payloadHash) =>
        string.Join('\n', method, canonicalUri, canonicalQuery, canonicalHeaders, string.Join(';', signedHeaders), payloadHash);

    public static string Scope(DateTime signedAt, string region, string service) =>
        $"{signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";

    public static string StringToSign(DateTime signedAt, string scope, string canonicalRequest) =>
        string.Join('\n', Algorithm, signedAt.ToString(DateFormat, CultureInfo.InvariantCulture), scope, HexSha256(Encoding.UTF8.GetBytes(canonicalRequest)));

    public static byte[] SigningKey(string secretAccessKey, DateTime signedAt, string region, string service)
    {
        byte[] key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Convert.ToHexString(Hmac(signingKey, stringToSign)).ToLowerInvariant();

    public static string AuthorizationHeader(string accessKeyId, string scope, IReadOnlyList<string> signedHeaders, string signature) =>
        $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}";

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    /// <summary>
    /// Signs a request in place: adds Host, X-Amz-Date, X-Amz-Security-Token (temporary
    /// credentials) and Authorization over every header already on the request and its content
    /// headers. <paramref name="body"/> must be the exact bytes of the content.
    /// </summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, AwsCredentialSnapshot credentials, string region, string service, DateTime signedAtUtc)
    {
        Uri uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        request.Headers.Host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signedAtUtc.ToString(DateFormat, CultureInfo.InvariantCulture));
        request.Headers.Remove("X-Amz-Security-Token");
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        }

        var headers = new List<KeyValuePair<string, string>>();
        AddHeaders(headers, request.Headers);
        if (request.Content is not null)
        {
            AddHeaders(headers, request.Content.Headers);
        }
        // Headers HttpClient may add or rewrite on the way out are left unsigned, as the SDKs do.
        List<string> signed = headers
            .Select(h => h.Key.ToLowerInvariant())
            .Where(n => n is not ("user-agent" or "expect" or "transfer-encoding" or "authorization" or "content-length" or "x-amzn-trace-id" or "amz-sdk-invocation-id" or "amz-sdk-request"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        string creq = CanonicalRequest(
            request.Method.Method,
            CanonicalUri(uri.AbsolutePath, isS3: false),
            CanonicalQuery(uri.Query),
            CanonicalHeaders(headers, signed),
            signed,
            HexSha256(body));
        string scope = Scope(signedAtUtc, region, service);
        string signature = Signature(SigningKey(credentials.SecretAccessKey, signedAtUtc, region, service), StringToSign(signedAtUtc, scope, creq));
        // Not AuthenticationHeaderValue.Parse: its RFC 7235 parser rejects the '/' in Credential=AKID/scope.
        // The constructor only checks the scheme and sends "scheme parameter" as given.
        string authorization = AuthorizationHeader(credentials.AccessKeyId, scope, signed, signature);
        request.Headers.Authorization = new AuthenticationHeaderValue(Algorithm, authorization[(Algorithm.Length + 1)..]);
    }

    /// <summary>RFC 3986 encoding: unreserved characters stay, everything else is %XX (upper case).</summary>
    public static string Encode(string value, bool keepSlash)
    {
        var sb = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static void AddHeaders(List<KeyValuePair<string, string>> into, HttpHeaders headers)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            foreach (string value in header.Value)
            {
                into.Add(new(header.Key, value));
            }
        }
    }

    private static string CollapseSpaces(string value)
    {
        var sb = new StringBuilder(value.Length);
        bool space = false;
        foreach (char c in value.Trim())
        {
            if (c == ' ')
            {
                if (!space)
                {
                    sb.Append(c);
                }
                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }
        return sb.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
