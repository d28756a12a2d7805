using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MightyOps.Core.Aws;
using MightyOps.Sandbox.Http;

namespace MightyOps.Sandbox.Auth;

/// <summary>Why a request's signature was refused; each protocol turns it into its own error.</summary>
internal enum AuthFailure
{
    None,
    /// <summary>No Authorization header and no presigned query.</summary>
    Missing,
    /// <summary>The Authorization header or credential scope cannot be parsed.</summary>
    Incomplete,
    /// <summary>The access key id is not the sandbox's.</summary>
    UnknownAccessKey,
    /// <summary>The recomputed signature differs (wrong secret, or the request changed on the way).</summary>
    SignatureMismatch,
    /// <summary>x-amz-content-sha256 does not match the body (S3 checks this separately).</summary>
    ContentSha256Mismatch,
    /// <summary>The credential scope names another region than the sandbox's.</summary>
    WrongRegion,
    /// <summary>The request time is more than 15 minutes away from the real clock.</summary>
    TimeSkewed,
    /// <summary>A presigned URL whose X-Amz-Expires has passed.</summary>
    Expired,
}

/// <summary>The outcome of a signature check, and what aws-chunked bodies need to verify their chunks.</summary>
internal sealed record SignatureResult(AuthFailure Failure, string Message)
{
    public static SignatureResult Fail(AuthFailure failure, string message) => new(failure, message);

    public bool Ok => Failure == AuthFailure.None;

    public DateTime SignedAt { get; init; }

    public string Scope { get; init; } = string.Empty;

    public byte[] SigningKey { get; init; } = [];

    public string Signature { get; init; } = string.Empty;

    /// <summary>The payload hash the request was signed with (a hex digest, UNSIGNED-PAYLOAD or STREAMING-*).</summary>
    public string PayloadHash { get; init; } = string.Empty;

    /// <summary>Extra elements of S3's error document for this failure (Region, RequestTime, ServerTime, …).</summary>
    public IReadOnlyList<(string Name, string Value)> Details { get; init; } = [];
}

/// <summary>
/// Checks AWS Signature Version 4 the way AWS does (docs/design/sandbox-hardening.md): rebuild the
/// canonical request from the headers the client says it signed, recompute with the sandbox's
/// secret and compare. The canonical pieces come from <see cref="SigV4"/>, the same code the
/// module's client signs with, and both are pinned to AWS's own test vectors.
/// </summary>
/// <remarks>
/// The credential scope's region must be the sandbox's (unless
/// <see cref="SandboxOptions.AnySigningRegion"/>), and the request time within 15 minutes of the
/// real wall clock, not of the sandbox's simulated clock: clients sign with real time, and a
/// captured request must not be replayable forever.
/// </remarks>
internal sealed class SignatureVerifier(SandboxOptions options, TimeProvider? clock = null)
{
    public static readonly IReadOnlySet<string> Services = new HashSet<string>(StringComparer.Ordinal) { "ecs", "ecr", "ec2", "s3", "logs", "autoscaling", "elasticloadbalancing" };

    /// <summary>How far a request's signing time may be from the real clock, as AWS allows.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>The longest a presigned URL may be valid (S3: 7 days).</summary>
    private const long MaxPresignedSeconds = 7 * 24 * 3600;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>
    /// Everything that can be checked without the body: an Authorization header (or presigned
    /// query) that parses, the sandbox's access key, the credential scope (service, region, date)
    /// and the request time. A large body is only read once this passes.
    /// </summary>
    public SignatureResult CheckHead(HttpRequest request, string expectedService) =>
        ReadHead(request, expectedService, out _) ?? new SignatureResult(AuthFailure.None, string.Empty);

    public SignatureResult Verify(HttpRequest request, string expectedService)
    {
        if (ReadHead(request, expectedService, out SigningHead head) is SignatureResult failure)
        {
            return failure;
        }
        bool isS3 = expectedService == "s3";
        if (!head.SignedHeaders.Contains("host"))
        {
            return SignatureResult.Fail(AuthFailure.SignatureMismatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
        if (!head.Presigned && request.Header("X-Amz-Security-Token") is not null && !head.SignedHeaders.Contains("x-amz-security-token"))
        {
            return SignatureResult.Fail(AuthFailure.SignatureMismatch, "'X-Amz-Security-Token' must be a 'SignedHeader' when it is sent.");
        }

        string payloadHash;
        string? declared = request.Header("x-amz-content-sha256");
        if (head.Presigned)
        {
            payloadHash = isS3 ? "UNSIGNED-PAYLOAD" : request.BodySha256Hex();
        }
        else if (declared is not null)
        {
            payloadHash = declared;
            if (IsHexSha256(declared) && !string.Equals(declared, request.BodySha256Hex(), StringComparison.OrdinalIgnoreCase))
            {
                return SignatureResult.Fail(AuthFailure.ContentSha256Mismatch,
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
        }
        else if (isS3)
        {
            return SignatureResult.Fail(AuthFailure.Incomplete, "Missing required header for this request: x-amz-content-sha256");
        }
        else
        {
            payloadHash = request.BodySha256Hex();
        }

        string query = head.Presigned ? WithoutSignatureParameter(request.RawQuery) : request.RawQuery;
        string canonicalRequest = SigV4.CanonicalRequest(
            request.Method,
            SigV4.CanonicalUri(request.RawPath, isS3),
            SigV4.CanonicalQuery(query),
            SigV4.CanonicalHeaders(request.Headers, head.SignedHeaders),
            head.SignedHeaders,
            payloadHash);
        string scope = SigV4.Scope(head.SignedAt, head.Region, head.Service);
        byte[] key = SigV4.SigningKey(options.SecretAccessKey, head.SignedAt, head.Region, head.Service);
        string expected = SigV4.Signature(key, SigV4.StringToSign(head.SignedAt, scope, canonicalRequest));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(head.Signature.ToLowerInvariant())))
        {
            return SignatureResult.Fail(AuthFailure.SignatureMismatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }
        return new SignatureResult(AuthFailure.None, string.Empty)
        {
            SignedAt = head.SignedAt,
            Scope = scope,
            SigningKey = key,
            Signature = expected,
            PayloadHash = payloadHash,
        };
    }

    /// <summary>The parts of a signature readable from the head: null when they pass, else why not.</summary>
    private SignatureResult? ReadHead(HttpRequest request, string expectedService, out SigningHead head)
    {
        head = default;
        string? authorization = request.Header("Authorization");
        bool presigned = authorization is null && request.QueryValue("X-Amz-Algorithm") is not null;

        string? credential;
        string? signedHeadersText;
        string? signature;
        string? dateText;
        if (presigned)
        {
            if (request.QueryValue("X-Amz-Algorithm") != SigV4.Algorithm)
            {
                return SignatureResult.Fail(AuthFailure.Incomplete, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".");
            }
            credential = request.QueryValue("X-Amz-Credential");
            signedHeadersText = request.QueryValue("X-Amz-SignedHeaders");
            signature = request.QueryValue("X-Amz-Signature");
            dateText = request.QueryValue("X-Amz-Date");
        }
        else
        {
            if (authorization is null)
            {
                return SignatureResult.Fail(AuthFailure.Missing, "Missing Authentication Token");
            }
            if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
            {
                return SignatureResult.Fail(AuthFailure.Incomplete, "Authorization header requires the AWS4-HMAC-SHA256 algorithm (Signature Version 4).");
            }
            Dictionary<string, string> parts = ParseAuthorization(authorization[(SigV4.Algorithm.Length + 1)..]);
            parts.TryGetValue("Credential", out credential);
            parts.TryGetValue("SignedHeaders", out signedHeadersText);
            parts.TryGetValue("Signature", out signature);
            dateText = request.Header("X-Amz-Date");
        }

        if (string.IsNullOrEmpty(credential) || string.IsNullOrEmpty(signedHeadersText) || string.IsNullOrEmpty(signature))
        {
            return SignatureResult.Fail(AuthFailure.Incomplete,
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }
        string[] scopeParts = credential.Split('/');
        if (scopeParts.Length != 5 || scopeParts[4] != "aws4_request" || scopeParts[1].Length != 8)
        {
            return SignatureResult.Fail(AuthFailure.Incomplete,
                $"Credential should be scoped to a valid region, service and date: '{credential}'.");
        }
        string accessKey = scopeParts[0];
        string scopeDate = scopeParts[1];
        string region = scopeParts[2];
        string service = scopeParts[3];
        if (!string.Equals(accessKey, options.AccessKeyId, StringComparison.Ordinal))
        {
            return SignatureResult.Fail(AuthFailure.UnknownAccessKey, "The security token included in the request is invalid.");
        }
        if (!Services.Contains(service))
        {
            return SignatureResult.Fail(AuthFailure.Incomplete,
                $"Credential should be scoped to a valid service: the sandbox serves ecs, ecr, ec2, s3, logs and autoscaling, not '{service}'.");
        }
        if (service != expectedService)
        {
            return SignatureResult.Fail(AuthFailure.SignatureMismatch,
                $"Credential should be scoped to correct service: '{expectedService}'.");
        }
        if (region != options.Region && !options.AnySigningRegion)
        {
            return SignatureResult.Fail(AuthFailure.WrongRegion,
                $"Credential should be scoped to a valid region: the sandbox serves '{options.Region}', the request was signed for '{region}'.") with
            {
                Details = [("Region", options.Region)],
            };
        }

        dateText ??= request.Header("Date");
        if (!TryParseSigningDate(dateText, out DateTime signedAt))
        {
            return SignatureResult.Fail(AuthFailure.Incomplete,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }
        if (signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture) != scopeDate)
        {
            return SignatureResult.Fail(AuthFailure.SignatureMismatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{signedAt:yyyyMMdd}'.");
        }
        if (CheckTime(request, presigned, signedAt) is SignatureResult late)
        {
            return late;
        }
        head = new SigningHead(presigned, signedHeadersText.Split(';').ToList(), signature, signedAt, region, service);
        return null;
    }

    /// <summary>The signing time against the real clock: within 15 minutes, or for a presigned URL, before it expires.</summary>
    private SignatureResult? CheckTime(HttpRequest request, bool presigned, DateTime signedAt)
    {
        DateTime now = _clock.GetUtcNow().UtcDateTime;
        string Stamp(DateTime t) => t.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture);
        if (signedAt > now + MaxSkew || (!presigned && signedAt < now - MaxSkew))
        {
            string message = signedAt > now
                ? $"Signature not yet current: {Stamp(signedAt)} is still later than {Stamp(now + MaxSkew)} ({Stamp(now)} + 15 min.)"
                : $"Signature expired: {Stamp(signedAt)} is now earlier than {Stamp(now - MaxSkew)} ({Stamp(now)} - 15 min.)";
            return SignatureResult.Fail(AuthFailure.TimeSkewed, message) with
            {
                Details =
                [
                    ("RequestTime", Stamp(signedAt)),
                    ("ServerTime", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                    ("MaxAllowedSkewMilliseconds", ((long)MaxSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)),
                ],
            };
        }
        if (presigned)
        {
            string? expiresText = request.QueryValue("X-Amz-Expires");
            if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out long expires) || expires < 1 || expires > MaxPresignedSeconds)
            {
                return SignatureResult.Fail(AuthFailure.Incomplete, "X-Amz-Expires must be a number of seconds between 1 and 604800 (7 days).");
            }
            if (now > signedAt.AddSeconds(expires))
            {
                return SignatureResult.Fail(AuthFailure.Expired, "Request has expired") with
                {
                    Details =
                    [
                        ("X-Amz-Expires", expiresText!),
                        ("Expires", signedAt.AddSeconds(expires).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                        ("ServerTime", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                    ],
                };
            }
        }
        return null;
    }

    private readonly record struct SigningHead(bool Presigned, List<string> SignedHeaders, string Signature, DateTime SignedAt, string Region, string Service);

    /// <summary>The credential scope's service, read without verifying anything (for routing hints).</summary>
    public static string? PeekScopeService(HttpRequest request)
    {
        string? credential = request.QueryValue("X-Amz-Credential");
        string? authorization = request.Header("Authorization");
        if (authorization is not null && authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            ParseAuthorization(authorization[(SigV4.Algorithm.Length + 1)..]).TryGetValue("Credential", out credential);
        }
        string[]? parts = credential?.Split('/');
        return parts is { Length: 5 } ? parts[3] : null;
    }

    public static bool IsHexSha256(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    private static Dictionary<string, string> ParseAuthorization(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in text.Split(','))
        {
            string trimmed = part.Trim();
            int eq = trimmed.IndexOf('=');
            if (eq > 0)
            {
                result[trimmed[..eq]] = trimmed[(eq + 1)..];
            }
        }
        return result;
    }

    private static bool TryParseSigningDate(string? text, out DateTime signedAt)
    {
        if (text is not null &&
            (DateTime.TryParseExact(text, SigV4.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out signedAt) ||
             DateTime.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out signedAt)))
        {
            signedAt = DateTime.SpecifyKind(signedAt, DateTimeKind.Utc);
            return true;
        }
        signedAt = default;
        return false;
    }

    private static string WithoutSignatureParameter(string rawQuery) =>
        string.Join('&', rawQuery.Split('&').Where(p => !p.StartsWith("X-Amz-Signature=", StringComparison.Ordinal)));
}
