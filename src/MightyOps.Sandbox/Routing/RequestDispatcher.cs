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
    public const string LogsTargetPrefix = "Logs_20140328";

    private readonly SandboxHost _host;
    private readonly SignatureVerifier _verifier;
    private readonly EcsApi _ecs;
    private readonly EcrApi _ecr;
    private readonly Logs.LogsApi _logs;
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
        _logs = new Logs.LogsApi(host.World);
        _ec2 = new Ec2Api(host.World);
        _s3 = new S3Api(host.World, host.S3BodyEncodings);
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
            return AwsResponses.Error(route.Protocol, AuthError(route.Protocol, auth), requestId, isHead);
        }

        TimeSpan latency = _host.Faults.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        }
        switch (_host.Faults.Roll())
        {
            case SandboxFault.Throttling:
                return AwsResponses.Throttled(route.Protocol, requestId, isHead);
            case SandboxFault.ServerError:
                return AwsResponses.ServerError(route.Protocol, "The sandbox injected a server error (ServerErrorRate).", requestId, isHead);
        }
        if (_ecsLimits is not null && route.Service == "ecs" && !_ecsLimits.TryTake(route.Operation))
        {
            return AwsResponses.Throttled(route.Protocol, requestId, isHead);
        }

        try
        {
            return route.Protocol switch
            {
                AwsProtocol.Json => AwsResponses.Json(InvokeJson(route, request), requestId),
                AwsProtocol.Ec2Query => _ec2.Handle(route.Operation, request, requestId),
                _ => AwsResponses.WithS3Headers(_s3.Handle(route.Operation, request, auth), requestId),
            };
        }
        catch (SandboxException ex)
        {
            return AwsResponses.Error(route.Protocol, ex, requestId, isHead);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in the sandbox: answer like AWS would (a 500 the client may retry) and say what broke.
            return AwsResponses.ServerError(route.Protocol, $"The sandbox failed: {ex.GetType().Name}: {ex.Message}", requestId, isHead);
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
                LogsTargetPrefix => "logs",
                _ => KnownScopeService(request) ?? "unknown",
            };
            return new Route(AwsProtocol.Json, service, operation.Length == 0 ? "Unknown" : operation);
        }

        string contentType = request.Header("Content-Type") ?? string.Empty;
        if (request.RawPath == "/")
        {
            if (request.Method == "POST" && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                string? action = request.FormValue("Action") ?? request.QueryValue("Action");
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

    /// <summary>Runs a JSON 1.1 operation under the world lock; a malformed body is a SerializationException, as AWS answers.</summary>
    private JsonNode InvokeJson(Route route, HttpRequest request)
    {
        JsonDocument document;
        try
        {
            // botocore always sends {}; an empty body means the same.
            document = request.Body.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(request.Body);
        }
        catch (JsonException)
        {
            throw new SandboxException("SerializationException", "The request body is not valid JSON.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SandboxException("SerializationException", "The request body must be a JSON object.");
            }
            try
            {
                lock (_host.World.Sync)
                {
                    return route.Service switch
                    {
                        "ecs" => _ecs.Invoke(route.Operation, document.RootElement),
                        "ecr" => _ecr.Invoke(route.Operation, document.RootElement),
                        "logs" => _logs.Invoke(route.Operation, document.RootElement),
                        _ => throw new SandboxException("com.amazon.coral.service#UnknownOperationException",
                            $"The sandbox serves the ECS ({EcsTargetPrefix}), ECR ({EcrTargetPrefix}) and CloudWatch Logs ({LogsTargetPrefix}) targets only."),
                    };
                }
            }
            catch (JsonException ex)
            {
                throw new SandboxException("SerializationException", ex.Message);
            }
        }
    }

    /// <summary>
    /// The error each service gives for a refused signature. ECS and ECR answer 400 with the long
    /// coral <c>__type</c> (their clients report "status code: 400" for InvalidSignatureException
    /// and UnrecognizedClientException, e.g. teralytics/prometheus-ecs-discovery#7,
    /// upmc-enterprises/registry-creds#24, aws/aws-sdk-php#1114); EC2 401 AuthFailure; S3 403.
    /// </summary>
    private static SandboxException AuthError(AwsProtocol protocol, SignatureResult auth)
    {
        (int status, string code, string message) = protocol switch
        {
            AwsProtocol.Json => auth.Failure switch
            {
                AuthFailure.Missing => (400, "com.amazon.coral.service#MissingAuthenticationTokenException", auth.Message),
                AuthFailure.UnknownAccessKey => (400, "com.amazon.coral.service#UnrecognizedClientException", auth.Message),
                AuthFailure.Incomplete => (400, "com.amazon.coral.service#IncompleteSignatureException", auth.Message),
                _ => (400, "com.amazon.coral.service#InvalidSignatureException", auth.Message),
            },
            AwsProtocol.Ec2Query => auth.Failure switch
            {
                AuthFailure.Missing => (401, "MissingAuthenticationToken", "Request is missing Authentication Token"),
                AuthFailure.Incomplete => (400, "IncompleteSignature", auth.Message),
                _ => (401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
            },
            _ => auth.Failure switch
            {
                AuthFailure.Missing => (403, "AccessDenied", "Access Denied"),
                AuthFailure.UnknownAccessKey => (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
                AuthFailure.Incomplete => (400, "AuthorizationHeaderMalformed", auth.Message),
                AuthFailure.ContentSha256Mismatch => (400, "XAmzContentSHA256Mismatch", auth.Message),
                _ => (403, "SignatureDoesNotMatch", auth.Message),
            },
        };
        return new SandboxException(code, message, status);
    }
}
