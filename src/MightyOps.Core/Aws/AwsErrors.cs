using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MightyOps.Core.Aws;

/// <summary>An AWS error response, read the way botocore reads JSON 1.1 errors (docs/design/ecs-json-protocol.md, "Errors").</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Code">The short error code, e.g. <c>ClusterNotFoundException</c>; the status as text when the body has none.</param>
/// <param name="Message">The service's message, possibly empty.</param>
/// <param name="RequestId">The <c>x-amzn-RequestId</c> header, when present.</param>
public sealed record AwsErrorResponse(int StatusCode, string Code, string Message, string? RequestId);

/// <summary>Which call failed, for error messages: never holds a secret.</summary>
/// <param name="Service">Display name: ECS, ECR, EC2, S3.</param>
/// <param name="SigningName">The SigV4 service name: ecs, ecr, ec2, s3.</param>
/// <param name="Operation">The API operation, e.g. DescribeServices.</param>
/// <param name="Endpoint">The endpoint the request went to.</param>
/// <param name="Region">The region the request was signed for.</param>
/// <param name="AccessKeyId">The access key id used, when known; messages show it shortened (<see cref="MightyOps.Core.Aws.AccessKeyId.Mask(string)"/>).</param>
/// <param name="Target">What the call was about (cluster, service, repository, bucket/key), when known.</param>
public sealed record AwsCall(string Service, string SigningName, string Operation, Uri Endpoint, string Region, string? AccessKeyId = null, object? Target = null);

/// <summary>
/// Classifies AWS errors (retryable or not) and turns them into <see cref="MightyOpsException"/>s
/// with stable ids, for both the hand-written JSON clients and the AWSSDK-based S3/EC2 wrappers.
/// </summary>
public static class AwsErrors
{
    /// <summary>botocore retries/standard.py throttling codes, minus LimitExceededException: for ECS that is a quota (too many revisions), not a rate.</summary>
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError", "InternalFailure", "ServiceUnavailable",
    };

    private static readonly HashSet<string> SignatureCodes = new(StringComparer.Ordinal)
    {
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException",
        "MissingAuthenticationToken", "MissingAuthenticationTokenException", "AuthFailure",
    };

    private static readonly HashSet<string> UnknownKeyCodes = new(StringComparer.Ordinal)
    {
        "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId", "InvalidToken",
    };

    private static readonly HashSet<string> ExpiredCodes = new(StringComparer.Ordinal)
    {
        "ExpiredTokenException", "ExpiredToken", "RequestExpired", "RequestTimeTooSkewed", "TokenRefreshRequired",
    };

    private static readonly HashSet<string> AccessDeniedCodes = new(StringComparer.Ordinal)
    {
        "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthorizationError", "UnauthorizedException",
    };

    private static readonly HashSet<string> InvalidParameterCodes = new(StringComparer.Ordinal)
    {
        "InvalidParameterException", "ClientException", "ValidationException", "SerializationException",
        "InvalidParameterValue", "InvalidParameterValueException", "InvalidParameterCombination", "MissingParameter",
        "InvalidRequest", "InvalidArgument", "InvalidBucketName", "MalformedXML", "InvalidInstanceID.Malformed",
        "UnknownOperationException", "InvalidAction", "ValidationError",
    };

    private static readonly Regex TaskDefinitionMissing = new(
        @"task\s*definition.*(not\s+found|unable\s+to\s+describe|does\s+not\s+exist|unknown)|(unable\s+to\s+describe|unknown)\s+task\s*definition",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// The short code of an <c>__type</c>: anything after the first ':' is dropped, then anything
    /// up to the last '#' (<c>com.amazon.coral.service#UnrecognizedClientException</c>).
    /// </summary>
    public static string NormalizeCode(string type)
    {
        string code = type;
        int colon = code.IndexOf(':');
        if (colon >= 0)
        {
            code = code[..colon];
        }
        int hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }
        return code.Trim();
    }

    /// <summary>Parses a JSON 1.1 error body; a body that is not JSON (a proxy's HTML page) still gives the status as the code.</summary>
    public static AwsErrorResponse Parse(int statusCode, ReadOnlySpan<byte> body, string? requestId)
    {
        string? type = null;
        string? message = null;
        if (!body.IsEmpty)
        {
            try
            {
                var reader = new Utf8JsonReader(body);
                using JsonDocument doc = JsonDocument.ParseValue(ref reader);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    type = StringMember(doc.RootElement, "__type");
                    message = StringMember(doc.RootElement, "message") ?? StringMember(doc.RootElement, "Message");
                }
            }
            catch (JsonException)
            {
                // Not JSON: keep the status code as the error code, like botocore.
            }
        }
        string code = string.IsNullOrWhiteSpace(type) ? statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : NormalizeCode(type);
        return new AwsErrorResponse(statusCode, code, message ?? string.Empty, string.IsNullOrEmpty(requestId) ? null : requestId);
    }

    /// <summary>A rate limit: worth waiting and retrying, even for calls that change things (the request was rejected, not run).</summary>
    public static bool IsThrottling(AwsErrorResponse error) =>
        error.StatusCode == 429 || ThrottlingCodes.Contains(error.Code);

    /// <summary>A server-side hiccup worth retrying: 500/502/503/504 and the timeout codes.</summary>
    public static bool IsTransient(AwsErrorResponse error) =>
        error.StatusCode is 500 or 502 or 503 or 504 || TransientCodes.Contains(error.Code);

    /// <summary>The exception for an error response that will not be retried (or ran out of retries).</summary>
    public static MightyOpsException ToException(AwsErrorResponse error, AwsCall call, int? attempts = 1)
    {
        string code = error.Code;
        string awsSays = Suffix(error);
        string key = call.AccessKeyId is null ? "the access key" : $"access key {AccessKeyId.Mask(call.AccessKeyId)}";
        string what = $"{call.Service} {call.Operation}";
        string target = call.Target?.ToString() ?? string.Empty;

        if (IsThrottling(error))
        {
            return Create(AwsErrorIds.AwsThrottled,
                $"{what} was still throttled by AWS {After(attempts)}. Wait a minute and try again, or make fewer concurrent calls (set AWS_MAX_ATTEMPTS for more retries).{awsSays}",
                call, error);
        }
        if (ExpiredCodes.Contains(code) || error.Message.Contains("Signature expired", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("not yet current", StringComparison.OrdinalIgnoreCase))
        {
            string why = code is "RequestExpired" or "RequestTimeTooSkewed" || error.Message.Contains("Signature", StringComparison.OrdinalIgnoreCase)
                ? "The request time is too far from AWS's clock: set this machine's clock right (NTP) and try again."
                : $"The session token of {key} has expired: get fresh temporary credentials ('aws sso login', or whatever set AWS_SESSION_TOKEN) and try again.";
            return Create(AwsErrorIds.AwsAuthenticationFailed, $"{what} was refused by {call.Endpoint.GetLeftPart(UriPartial.Authority)}. {why}{awsSays}", call, error);
        }
        if (UnknownKeyCodes.Contains(code))
        {
            string endpoint = call.Endpoint.GetLeftPart(UriPartial.Authority);
            string message = IsAwsEndpoint(call.Endpoint)
                ? $"AWS ({endpoint}) does not recognise {key} ({what} in {call.Region}). Check that the key id is right and still active, that AWS_SESSION_TOKEN is set when (and only when) the key is temporary, and that region {call.Region} is enabled for the account."
                : $"The endpoint {endpoint} does not recognise {key} ({what} in {call.Region}). It is not AWS but an endpoint override (-EndpointUrl, $env:AWS_ENDPOINT_URL or $env:AWS_ENDPOINT_URL_{call.Service.ToUpperInvariant().Replace(' ', '_')}), such as a local sandbox that knows only its own keys: use the keys it expects, or remove the override to talk to AWS.";
            return Create(AwsErrorIds.AwsAuthenticationFailed, message + awsSays, call, error);
        }
        if (SignatureCodes.Contains(code))
        {
            return Create(AwsErrorIds.AwsAuthenticationFailed,
                $"AWS rejected the signature of {what} made with {key}. Check the secret access key that goes with this access key id (AWS_SECRET_ACCESS_KEY or aws_secret_access_key in the profile), the system clock, and that {call.Endpoint.GetLeftPart(UriPartial.Authority)} is the {call.Service} endpoint of {call.Region} (the request was signed for {call.Region}/{call.SigningName}).{awsSays}",
                call, error);
        }
        if (AccessDeniedCodes.Contains(code) || error.StatusCode == 403)
        {
            string on = target.Length > 0 ? $" on '{target}'" : string.Empty;
            return Create(AwsErrorIds.AwsAccessDenied,
                $"{Capitalize(key)} is not allowed to call {call.SigningName}:{call.Operation}{on}. Ask for that IAM permission, or use -ProfileName with a role that has it.{awsSays}",
                call, error);
        }

        (MightyError Error, string Sentence)? notFound = code switch
        {
            "ClusterNotFoundException" => (AwsErrorIds.ClusterNotFound, $"ECS cluster{Quoted(target)} was not found in {call.Region}. Check -Cluster and -Region ('aws ecs list-clusters' lists them)."),
            "ServiceNotFoundException" or "ServiceNotActiveException" => (AwsErrorIds.ServiceNotFound, $"ECS service{Quoted(target)} was not found or is not active in {call.Region}. Check -Service, -Cluster and -Region."),
            "RepositoryNotFoundException" => (AwsErrorIds.RepositoryNotFound, $"ECR repository{Quoted(target)} was not found in {call.Region}. Check the repository name, the registry id and -Region."),
            "ImageNotFoundException" => (AwsErrorIds.ImageNotFound, $"The image was not found in ECR repository{Quoted(target)}. Check the tag or digest (Get-ECRImage / 'aws ecr describe-images' lists them)."),
            "NoSuchKey" => (AwsErrorIds.S3ObjectNotFound, $"S3 object{Quoted(target)} does not exist. Check the bucket and key."),
            "NoSuchBucket" => (AwsErrorIds.S3BucketNotFound, $"The S3 bucket of{Quoted(target)} does not exist. Check the bucket name and -Region."),
            "ResourceNotFoundException" when call.SigningName == "logs" && error.Message.Contains("log stream", StringComparison.OrdinalIgnoreCase) => (AwsErrorIds.LogStreamNotFound, $"CloudWatch Logs has no log stream{Quoted(target)} in {call.Region}: the container never wrote a line, or the stream was deleted."),
            "ResourceNotFoundException" when call.SigningName == "logs" => (AwsErrorIds.LogGroupNotFound, $"CloudWatch Logs has no log group{Quoted(target)} in {call.Region} (deleted, or never created: the awslogs driver creates it only with awslogs-create-group). Check the task definition's logConfiguration and -Region."),
            "InvalidInstanceID.NotFound" => (AwsErrorIds.Ec2InstanceNotFound, $"EC2 instance{Quoted(target)} was not found in {call.Region}. Check the instance id and -Region."),
            "ClientException" when TaskDefinitionMissing.IsMatch(error.Message) => (AwsErrorIds.TaskDefinitionNotFound, $"Task definition{Quoted(target)} was not found in {call.Region}. Check the family, family:revision or ARN and -Region."),
            _ => null,
        };
        if (notFound is { } nf)
        {
            return Create(nf.Error, nf.Sentence + awsSays, call, error);
        }

        if (code == "LimitExceededException")
        {
            return Create(AwsErrorIds.AwsLimitExceeded,
                $"{what} hit an AWS quota. Clean up (for example deregister old task definition revisions) or raise the quota in Service Quotas.{awsSays}", call, error);
        }
        // Auto Scaling's "a scaling activity is in progress" and "a pending update" are ECS's conflict in other words.
        if (code is "ConflictException" or "ScalingActivityInProgress" or "ResourceContention")
        {
            return Create(AwsErrorIds.AwsConflict, $"{what} conflicted with another change in progress. Wait for it to finish and try again.{awsSays}", call, error);
        }
        if (InvalidParameterCodes.Contains(code) || error.StatusCode == 400)
        {
            return Create(AwsErrorIds.AwsInvalidParameter,
                $"{what} rejected its input{(target.Length > 0 ? $" for '{target}'" : string.Empty)}: {TerminalText.Quote(error.Message.Length > 0 ? error.Message : code, TerminalText.LineLength)}. Check the values passed.{awsSays}", call, error);
        }
        if (IsTransient(error) || error.StatusCode >= 500)
        {
            return Create(AwsErrorIds.AwsServerError,
                $"{what} failed on the AWS side (HTTP {error.StatusCode}) {After(attempts)}. Try again later; check the AWS Health Dashboard if it persists.{awsSays}", call, error);
        }
        return Create(AwsErrorIds.AwsRequestFailed, $"{what} failed (HTTP {error.StatusCode}).{awsSays}", call, error);
    }

    /// <summary>
    /// True for failures before an answer came back (refused, unknown host, reset, timeout),
    /// and whether the failure happened while connecting (those are retried fewer times).
    /// </summary>
    public static bool IsNetworkFailure(Exception exception, out bool whileConnecting)
    {
        whileConnecting = false;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                whileConnecting = socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData
                    or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.AddressNotAvailable;
                return true;
            }
            if (e is HttpRequestException http)
            {
                whileConnecting = http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
                if (http.InnerException is null or not SocketException)
                {
                    return true;
                }
            }
            if (e is IOException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The exception for an endpoint that gave no answer: refused, unknown host, TLS failure, timeout.</summary>
    public static MightyOpsException Unreachable(Exception failure, AwsCall call, int? attempts, bool timedOut)
    {
        string endpoint = call.Endpoint.GetLeftPart(UriPartial.Authority);
        string reason = timedOut ? "no answer in time" : Describe(failure);
        string hint = call.Endpoint.IsLoopback
            ? " Nothing answers on that loopback address: is the sandbox running (Start-MightySandbox), and is -EndpointUrl / AWS_ENDPOINT_URL right?"
            : $" Check -Region and -EndpointUrl (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_{call.Service.ToUpperInvariant().Replace(' ', '_')}), the network, and any proxy (HTTPS_PROXY).";
        return new MightyOpsException(
            AwsErrorIds.AwsEndpointUnreachable,
            timedOut ? MightyErrorKind.Timeout : MightyErrorKind.Connection,
            $"Could not reach the {call.Service} endpoint {endpoint} for {call.Operation} ({reason}{(attempts is null ? string.Empty : $"; {attempts} attempt{(attempts == 1 ? string.Empty : "s")}")}).{hint}",
            call.Target ?? endpoint,
            failure);
    }

    /// <summary>
    /// The exception for a write that must not happen twice and whose outcome stayed unknown: an
    /// attempt failed in a way that leaves it open, and looking for what it leaves behind
    /// (<paramref name="evidence"/>) found nothing or failed. It was not sent again.
    /// </summary>
    public static MightyOpsException WriteOutcomeUnknown(AwsCall call, string failure, Exception? cause, string evidence, int looks, TimeSpan lookedFor, string? lookFailure, bool mayStillRun, string? whenUnknown)
    {
        string looked = looks == 0
            ? $"there is no way to look for {evidence}"
            : lookFailure is not null
                ? $"looking for {evidence} failed ({lookFailure.TrimEnd('.')})"
                : $"{looks} look{(looks == 1 ? string.Empty : "s")} over {AwsJsonClient.Seconds(lookedFor)} found no {evidence}";
        string running = mayStillRun ? " (it may still be running)" : string.Empty;
        string then = string.IsNullOrEmpty(whenUnknown) ? string.Empty : " " + whenUnknown;
        return new MightyOpsException(
            AwsErrorIds.AwsWriteOutcomeUnknown,
            mayStillRun ? MightyErrorKind.Timeout : MightyErrorKind.Failed,
            $"{call.Service} {call.Operation} may or may not have happened: {failure}{running}, and {looked}. It was not sent again, so it happened at most once.{then}",
            call.Target,
            cause);
    }

    /// <summary>
    /// The exception for an endpoint whose every attempt ran out of time: it took the request (or
    /// at least did not refuse it) and did not answer in time. Slow, not unreachable.
    /// </summary>
    public static MightyOpsException TooSlow(Exception failure, AwsCall call, int attempts, TimeSpan attemptTimeout)
    {
        string endpoint = call.Endpoint.GetLeftPart(UriPartial.Authority);
        string hint = call.Endpoint.IsLoopback
            ? " Something listens there but does not answer: a sandbox stopped in a debugger or with injected latency, or another program on that port."
            : " The service or a proxy on the way is slow or stuck.";
        return new MightyOpsException(
            AwsErrorIds.AwsEndpointTooSlow,
            $"The {call.Service} endpoint {endpoint} answered too slowly: {call.Operation} got no complete answer within {AwsJsonClient.Seconds(attemptTimeout)} on any of {attempts} attempt{(attempts == 1 ? string.Empty : "s")}.{hint} Try again later, or allow more time per attempt with -TimeoutSec or more attempts with $env:AWS_MAX_ATTEMPTS.",
            call.Target ?? endpoint,
            failure);
    }

    private static string Describe(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return "host name not found";
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                    return "connect timed out";
                case SocketException { SocketErrorCode: SocketError.ConnectionReset }:
                    return "connection reset";
                case AuthenticationException:
                    return "TLS handshake failed: check the certificate and AWS_CA_BUNDLE";
                case TimeoutException:
                    return "timed out";
            }
        }
        return failure.Message;
    }

    private static MightyOpsException Create(MightyError id, string message, AwsCall call, AwsErrorResponse error)
    {
        var exception = new MightyOpsException(id, message, call.Target) { RequestId = error.RequestId };
        exception.Data["AwsErrorCode"] = error.Code;
        exception.Data["HttpStatusCode"] = error.StatusCode;
        return exception;
    }

    private static string Suffix(AwsErrorResponse error)
    {
        // The endpoint's own words: quoted shortened and made visible, whoever the endpoint is.
        string text = error.Message.Length > 0 ? $"{TerminalText.Quote(error.Code)}: {TerminalText.Quote(error.Message, TerminalText.LineLength)}" : TerminalText.Quote(error.Code);
        string id = error.RequestId is null ? string.Empty : $"; request id {TerminalText.Quote(error.RequestId)}";
        return $" (AWS {text}{id})";
    }

    private static string After(int? attempts) => attempts is null ? "after the SDK's retries" : $"after {attempts} attempt{(attempts == 1 ? string.Empty : "s")}";

    private static string Quoted(string target) => target.Length > 0 ? $" '{TerminalText.Quote(target)}'" : string.Empty;

    // The public endpoints of every partition end so (amazonaws.com, amazonaws.com.cn, api.aws, ...).
    private static bool IsAwsEndpoint(Uri endpoint) =>
        endpoint.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
        || endpoint.Host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase)
        || endpoint.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase)
        || endpoint.Host.EndsWith(".c2s.ic.gov", StringComparison.OrdinalIgnoreCase)
        || endpoint.Host.EndsWith(".sc2s.sgov.gov", StringComparison.OrdinalIgnoreCase);

    internal static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
