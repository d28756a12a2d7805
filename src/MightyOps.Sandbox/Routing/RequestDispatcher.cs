using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Sandbox.Admin;
using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Ec2;
using MightyOps.Sandbox.Ecr;
using MightyOps.Sandbox.Ecs;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.S3;

namespace MightyOps.Sandbox.Routing;

/// <summary>Which service and operation a request is for, and the protocol to answer in.</summary>
internal sealed record Route(AwsProtocol Protocol, string Service, string Operation)
{
    public string CountKey => $"{Service}.{Operation}";
}

/// <summary>
/// Every request goes through here: admin endpoints aside, it is classified (service and
/// operation), counted, captured, its signature verified, faults rolled, then handed to the
/// service. Counting happens first so benchmarks see every call a client made, faults included.
/// </summary>
internal sealed class RequestDispatcher
{
    public const string EcsTargetPrefix = "AmazonEC2ContainerServiceV20141113";
    public const string EcrTargetPrefix = "AmazonEC2ContainerRegistry_V20150921";

    private readonly SandboxHost _host;
    private readonly SignatureVerifier _verifier;
    private readonly EcsApi _ecs;
    private readonly EcrApi _ecr;
    private readonly Ec2Api _ec2;
    private readonly S3Api _s3;
    private readonly AdminApi _admin;
    private readonly EcsRateLimiter? _ecsLimits;

    public RequestDispatcher(SandboxHost host)
    {
        _host = host;
        _verifier = new SignatureVerifier(host.Options);
        _ecs = new EcsApi(host.World);
        _ecr = new EcrApi(host.World);
        _ec2 = new Ec2Api(host.World);
        _s3 = new S3Api(host.World);
        _admin = new AdminApi(host);
        _ecsLimits = host.Options.EcsRateLimits ? new EcsRateLimiter() : null;
    }

    public async Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.RawPath == "/_sandbox" || request.RawPath.StartsWith("/_sandbox/", StringComparison.Ordinal))
        {
            return _admin.Handle(request);
        }

        Route route = Classify(request);
        _host.Count(route.CountKey);
        if (_host.Options.CaptureRequests && route.Protocol != AwsProtocol.S3)
        {
            _host.Capture(new SandboxCapturedRequest(route.Service, route.Operation, request.BodyText));
        }
        string requestId = route.Protocol == AwsProtocol.S3 ? AwsResponses.NewS3RequestId() : AwsResponses.NewRequestId();
        bool isHead = request.Method == "HEAD";

        SignatureResult auth = _verifier.Verify(request, route.Service == "unknown" ? "ecs" : route.Service);
        if (!auth.Ok)
        {
            return AuthError(route.Protocol, auth, requestId, isHead);
        }

        if (route.Protocol == AwsProtocol.S3 && request.Method is "PUT" or "POST" && request.Body.Length > 0)
        {
            string payload = SignatureVerifier.IsHexSha256(auth.PayloadHash) ? "sha256" : auth.PayloadHash;
            string checksum = request.Header("x-amz-trailer") is string trailer ? " trailer " + trailer.Trim().ToLowerInvariant()
                : request.Headers.FirstOrDefault(h => h.Key.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase) && h.Key.Length > 15 &&
                    !h.Key.Equals("x-amz-checksum-algorithm", StringComparison.OrdinalIgnoreCase)).Key is string header ? " header " + header.ToLowerInvariant() : string.Empty;
            _host.S3BodyEncodings.AddOrUpdate(route.Operation + " " + payload + checksum, 1, (_, n) => n + 1);
        }

        TimeSpan latency = _host.Faults.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        }
        switch (_host.Faults.Roll())
        {
            case SandboxFault.Throttling:
                return route.Protocol switch
                {
                    AwsProtocol.Json => AwsResponses.JsonError(400, "ThrottlingException", "Rate exceeded", requestId),
                    AwsProtocol.Ec2Query => AwsResponses.Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.", requestId),
                    _ => AwsResponses.S3Error(503, "SlowDown", "Please reduce your request rate.", requestId, isHead),
                };
            case SandboxFault.ServerError:
                return route.Protocol switch
                {
                    AwsProtocol.Json => AwsResponses.JsonError(500, "ServerException", "The sandbox injected a server error (ServerErrorRate).", requestId),
                    AwsProtocol.Ec2Query => AwsResponses.Ec2Error(500, "InternalError", "An internal error has occurred.", requestId),
                    _ => AwsResponses.S3Error(500, "InternalError", "We encountered an internal error. Please try again.", requestId, isHead),
                };
        }

        if (_ecsLimits is not null && route.Service == "ecs" && !_ecsLimits.TryTake(route.Operation))
        {
            return AwsResponses.JsonError(400, "ThrottlingException", "Rate exceeded", requestId);
        }

        try
        {
            return route.Protocol switch
            {
                AwsProtocol.Json => HandleJson(route, request, requestId),
                AwsProtocol.Ec2Query => _ec2.Handle(route.Operation, request, requestId),
                _ => _s3.Handle(route.Operation, request, auth, requestId),
            };
        }
        catch (SandboxException ex)
        {
            return AwsResponses.Error(route.Protocol, ex.StatusCode, ex.Code, ex.Message, requestId, isHead);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in the sandbox: answer like AWS would (a 500 the client may retry) and say what broke.
            string message = $"The sandbox failed: {ex.GetType().Name}: {ex.Message}";
            return route.Protocol switch
            {
                AwsProtocol.Json => AwsResponses.JsonError(500, "ServerException", message, requestId),
                AwsProtocol.Ec2Query => AwsResponses.Ec2Error(500, "InternalError", message, requestId),
                _ => AwsResponses.S3Error(500, "InternalError", message, requestId, isHead),
            };
        }
    }

    internal static Route Classify(HttpRequest request)
    {
        string? target = request.Header("X-Amz-Target");
        if (target is not null)
        {
            int dot = target.LastIndexOf('.');
            string prefix = dot < 0 ? target : target[..dot];
            string operation = dot < 0 ? string.Empty : target[(dot + 1)..];
            string service = prefix switch
            {
                EcsTargetPrefix => "ecs",
                EcrTargetPrefix => "ecr",
                _ => KnownScopeService(request) ?? "unknown",
            };
            return new Route(AwsProtocol.Json, service, operation.Length == 0 ? "Unknown" : operation);
        }

        string contentType = request.Header("Content-Type") ?? string.Empty;
        if (request.RawPath == "/")
        {
            if (request.Method == "POST" && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                string? action = HttpRequest.ParseForm(request.BodyText, plusIsSpace: true).FirstOrDefault(p => p.Key == "Action").Value
                    ?? request.QueryValue("Action");
                return new Route(AwsProtocol.Ec2Query, "ec2", string.IsNullOrEmpty(action) ? "Unknown" : action);
            }
            if (request.QueryValue("Action") is string queryAction && KnownScopeService(request) is "ec2" or null)
            {
                return new Route(AwsProtocol.Ec2Query, "ec2", queryAction.Length == 0 ? "Unknown" : queryAction);
            }
            if (contentType.StartsWith("application/x-amz-json", StringComparison.OrdinalIgnoreCase))
            {
                return new Route(AwsProtocol.Json, KnownScopeService(request) ?? "unknown", "Unknown");
            }
        }
        return new Route(AwsProtocol.S3, "s3", S3Api.OperationName(request));
    }

    private static string? KnownScopeService(HttpRequest request)
    {
        string? service = SignatureVerifier.PeekScopeService(request);
        return service is not null && SignatureVerifier.Services.Contains(service) ? service : null;
    }

    private HttpResponse HandleJson(Route route, HttpRequest request, string requestId)
    {
        JsonDocument document;
        try
        {
            document = request.Body.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(request.Body);
        }
        catch (JsonException)
        {
            return AwsResponses.JsonError(400, "SerializationException", "The request body is not valid JSON.", requestId);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return AwsResponses.JsonError(400, "SerializationException", "The request body must be a JSON object.", requestId);
            }
            try
            {
                JsonNode result;
                switch (route.Service)
                {
                    case "ecs":
                        lock (_host.World.Sync)
                        {
                            result = _ecs.Invoke(route.Operation, document.RootElement);
                        }
                        break;
                    case "ecr":
                        lock (_host.World.Sync)
                        {
                            result = _ecr.Invoke(route.Operation, document.RootElement);
                        }
                        break;
                    default:
                        return AwsResponses.JsonError(400, "com.amazon.coral.service#UnknownOperationException", null, requestId);
                }
                return AwsResponses.Json(result, requestId);
            }
            catch (JsonException ex)
            {
                return AwsResponses.JsonError(400, "SerializationException", ex.Message, requestId);
            }
        }
    }

    private static HttpResponse AuthError(AwsProtocol protocol, SignatureResult auth, string requestId, bool isHead)
    {
        switch (protocol)
        {
            case AwsProtocol.Json:
                return auth.Failure switch
                {
                    AuthFailure.Missing => AwsResponses.JsonError(400, "com.amazon.coral.service#MissingAuthenticationTokenException", auth.Message, requestId),
                    AuthFailure.UnknownAccessKey => AwsResponses.JsonError(403, "com.amazon.coral.service#UnrecognizedClientException", auth.Message, requestId),
                    AuthFailure.Incomplete => AwsResponses.JsonError(400, "com.amazon.coral.service#IncompleteSignatureException", auth.Message, requestId),
                    _ => AwsResponses.JsonError(403, "com.amazon.coral.service#InvalidSignatureException", auth.Message, requestId),
                };
            case AwsProtocol.Ec2Query:
                return auth.Failure switch
                {
                    AuthFailure.Missing => AwsResponses.Ec2Error(401, "MissingAuthenticationToken", "Request is missing Authentication Token", requestId),
                    AuthFailure.UnknownAccessKey => AwsResponses.Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials", requestId),
                    AuthFailure.Incomplete => AwsResponses.Ec2Error(400, "IncompleteSignature", auth.Message, requestId),
                    _ => AwsResponses.Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials", requestId),
                };
            default:
                return auth.Failure switch
                {
                    AuthFailure.Missing => AwsResponses.S3Error(403, "AccessDenied", "Access Denied", requestId, isHead),
                    AuthFailure.UnknownAccessKey => AwsResponses.S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", requestId, isHead),
                    AuthFailure.Incomplete => AwsResponses.S3Error(400, "AuthorizationHeaderMalformed", auth.Message, requestId, isHead),
                    AuthFailure.ContentSha256Mismatch => AwsResponses.S3Error(400, "XAmzContentSHA256Mismatch", auth.Message, requestId, isHead),
                    _ => AwsResponses.S3Error(403, "SignatureDoesNotMatch", auth.Message, requestId, isHead),
                };
        }
    }
}
