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
    private readonly AutoScaling.AutoScalingApi _autoScaling;
    private readonly Elb.ElbApi _elb;
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
        _autoScaling = new AutoScaling.AutoScalingApi(host.World);
        _elb = new Elb.ElbApi(host.World);
        _ecsLimits = host.Options.EcsRateLimits ? new EcsRateLimiter() : null;
        Screen = new HttpRequestScreen { BeforeBody = BeforeBody, ProtocolError = ProtocolError };
    }

    /// <summary>The checks the HTTP server makes before reading a large body, and the shape of its protocol errors.</summary>
    public HttpRequestScreen Screen { get; }

    public async Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (IsAdmin(request))
        {
            return _admin.Handle(request);
        }

        Route route = Classify(request);
        _host.Count(route.CountKey);
        _host.BeginRequest();
        try
        {
            return await HandleAwsAsync(request, route, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _host.EndRequest();
        }
    }

    private async Task<HttpResponse> HandleAwsAsync(HttpRequest request, Route route, CancellationToken cancellationToken)
    {
        if (_host.Options.CaptureRequests && route.Protocol != AwsProtocol.S3)
        {
            _host.Capture(new SandboxCapturedRequest(route.Service, route.Operation, request.BodyText));
        }
        string requestId = route.Protocol == AwsProtocol.S3 ? AwsResponses.NewS3RequestId() : AwsResponses.NewRequestId();
        bool isHead = request.Method == "HEAD";

        SignatureResult auth = _verifier.Verify(request, route.Service == "unknown" ? "ecs" : route.Service);
        if (!auth.Ok)
        {
            return AwsResponses.Error(route.Protocol, AuthError(route.Protocol, auth), requestId, isHead, route.Service);
        }

        // Held back first, handled after: a client that gives up waiting does not stop the request,
        // as with AWS (docs/design/retries-and-timeouts.md, "Writes that must not happen twice").
        await _host.Faults.DelayAsync(route.Service, route.CountKey, cancellationToken).ConfigureAwait(false);
        switch (_host.Faults.Roll(route.Service, route.CountKey))
        {
            case SandboxFault.Throttling:
                return AwsResponses.Throttled(route.Protocol, requestId, isHead, route.Service);
            case SandboxFault.ServerError:
                return AwsResponses.ServerError(route.Protocol, "The sandbox injected a server error (ServerErrorRate).", requestId, isHead, route.Service);
        }
        if (_ecsLimits is not null && route.Service == "ecs" && !_ecsLimits.TryTake(route.Operation))
        {
            return AwsResponses.Throttled(route.Protocol, requestId, isHead, route.Service);
        }

        try
        {
            return route.Protocol switch
            {
                AwsProtocol.Json => AwsResponses.Json(InvokeJson(route, request), requestId),
                AwsProtocol.Ec2Query => _ec2.Handle(route.Operation, request, requestId),
                AwsProtocol.Query when route.Service == "elasticloadbalancing" => _elb.Handle(route.Operation, request, requestId),
                AwsProtocol.Query => _autoScaling.Handle(route.Operation, request, requestId),
                _ => AwsResponses.WithS3Headers(_s3.Handle(route.Operation, request, auth), requestId),
            };
        }
        catch (SandboxException ex)
        {
            return AwsResponses.Error(route.Protocol, ex, requestId, isHead, route.Service);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in the sandbox: answer like AWS would (a 500 the client may retry) and say what broke.
            return AwsResponses.ServerError(route.Protocol, $"The sandbox failed: {ex.GetType().Name}: {ex.Message}", requestId, isHead, route.Service);
        }
    }

    internal static Route Classify(HttpRequest request)
    {
        (AwsProtocol protocol, string service) = ClassifyHead(request);
        string operation = protocol switch
        {
            AwsProtocol.Json => JsonOperation(request),
            AwsProtocol.Ec2Query or AwsProtocol.Query => (IsForm(request) ? request.FormValue("Action") : null) ?? request.QueryValue("Action") ?? string.Empty,
            _ => S3Api.OperationName(request),
        };
        return new Route(protocol, service, operation.Length == 0 ? "Unknown" : operation);
    }

    /// <summary>The protocol and service from the request line and headers alone (EC2's Action may be in the unread body).</summary>
    private static (AwsProtocol Protocol, string Service) ClassifyHead(HttpRequest request)
    {
        string? target = request.Header("X-Amz-Target");
        if (target is not null)
        {
            int dot = target.LastIndexOf('.');
            string service = (dot < 0 ? target : target[..dot]) switch
            {
                EcsTargetPrefix => "ecs",
                EcrTargetPrefix => "ecr",
                LogsTargetPrefix => "logs",
                _ => KnownScopeService(request) ?? "unknown",
            };
            return (AwsProtocol.Json, service);
        }
        if (request.RawPath == "/")
        {
            // Auto Scaling, ELBv2 and EC2 all post forms to "/": the signing scope tells them apart.
            if (request.Method == "POST" && IsForm(request) && KnownScopeService(request) is "autoscaling" or "elasticloadbalancing")
            {
                return (AwsProtocol.Query, KnownScopeService(request)!);
            }
            if (request.Method == "POST" && IsForm(request))
            {
                return (AwsProtocol.Ec2Query, "ec2");
            }
            if (request.QueryValue("Action") is not null && KnownScopeService(request) is "ec2" or null)
            {
                return (AwsProtocol.Ec2Query, "ec2");
            }
            if ((request.Header("Content-Type") ?? string.Empty).StartsWith("application/x-amz-json", StringComparison.OrdinalIgnoreCase))
            {
                return (AwsProtocol.Json, KnownScopeService(request) ?? "unknown");
            }
        }
        return (AwsProtocol.S3, "s3");
    }

    private static string JsonOperation(HttpRequest request)
    {
        string target = request.Header("X-Amz-Target") ?? string.Empty;
        int dot = target.LastIndexOf('.');
        return dot < 0 ? string.Empty : target[(dot + 1)..];
    }

    private static bool IsForm(HttpRequest request) =>
        (request.Header("Content-Type") ?? string.Empty).StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static bool IsAdmin(HttpRequest request) =>
        request.RawPath == "/_sandbox" || request.RawPath.StartsWith("/_sandbox/", StringComparison.Ordinal);

    /// <summary>
    /// Before a large or chunked body is read: an AWS request must carry a signature whose
    /// headers check out (present, well-formed, the sandbox's key, scope, region and time), so an
    /// unsigned upload costs neither memory nor disk. The refusal is counted like any other call.
    /// </summary>
    private HttpResponse? BeforeBody(HttpRequest head)
    {
        if (IsAdmin(head))
        {
            // A chunked admin body is read (to disk past the threshold); AdminApi refuses it if large.
            return head.Header("Content-Length") is null ? null : AdminApi.TooLarge();
        }
        (AwsProtocol protocol, string service) = ClassifyHead(head);
        SignatureResult check = _verifier.CheckHead(head, service == "unknown" ? "ecs" : service);
        if (check.Ok)
        {
            return null;
        }
        string operation = protocol switch
        {
            AwsProtocol.Json => JsonOperation(head),
            AwsProtocol.S3 => S3Api.OperationName(head),
            _ => head.QueryValue("Action") ?? string.Empty,
        };
        _host.Count(new Route(protocol, service, operation.Length == 0 ? "Unknown" : operation).CountKey);
        string requestId = protocol == AwsProtocol.S3 ? AwsResponses.NewS3RequestId() : AwsResponses.NewRequestId();
        return AwsResponses.Error(protocol, AuthError(protocol, check), requestId, head.Method == "HEAD", service);
    }

    /// <summary>
    /// A request the HTTP server could not take (malformed, too large, too slow, unsupported
    /// framing or version), answered in the error shape of the service its head names; null (plain
    /// text) when not even the request line was readable.
    /// </summary>
    private static HttpResponse? ProtocolError(HttpRequest? head, Http.HttpProtocolException error)
    {
        if (head is null)
        {
            return null;
        }
        if (IsAdmin(head))
        {
            return AdminApi.Error(error.Status, error.Message);
        }
        (AwsProtocol protocol, _) = ClassifyHead(head);
        string code = error.Status switch
        {
            408 => "RequestTimeout",
            413 => "EntityTooLarge",
            431 => "RequestHeaderSectionTooLarge",
            501 => "NotImplemented",
            505 => "HttpVersionNotSupported",
            _ => protocol == AwsProtocol.Json ? "SerializationException" : "InvalidRequest",
        };
        IReadOnlyList<(string, string)> details = error.ProposedSize is long proposed
            ? [("ProposedSize", proposed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
               ("MaxSizeAllowed", HttpServer.MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : [];
        string requestId = protocol == AwsProtocol.S3 ? AwsResponses.NewS3RequestId() : AwsResponses.NewRequestId();
        return AwsResponses.Error(protocol, new SandboxException(code, error.Message, error.Status) { Details = details }, requestId, isHead: false);
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
            RequireReadableStrings(document.RootElement);
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
    /// Every name and string in the body must be text: invalid UTF-8, or an escaped lone surrogate
    /// (<c>"\ud800"</c>), is a SerializationException (400), as ECS answers, not a 500 when an
    /// operation reads the value.
    /// </summary>
    private static void RequireReadableStrings(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        RequireReadableStrings(property.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        RequireReadableStrings(item);
                    }
                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            throw new SandboxException("SerializationException", "The request body is not valid UTF-8 text (an invalid byte sequence or a lone surrogate).");
        }
    }

    /// <summary>
    /// The error each service gives for a refused signature (docs/design/sigv4.md, "How the
    /// sandbox verifies"): ECS and ECR answer 400 with the long coral <c>__type</c>, EC2 401
    /// AuthFailure, S3 403.
    /// </summary>
    private static SandboxException AuthError(AwsProtocol protocol, SignatureResult auth)
    {
        (int status, string code, string message) = protocol switch
        {
            AwsProtocol.Json => auth.Failure switch
            {
                AuthFailure.Missing => (400, "com.amazon.coral.service#MissingAuthenticationTokenException", auth.Message),
                AuthFailure.TimeSkewed => (400, "com.amazon.coral.service#InvalidSignatureException", auth.Message),
                AuthFailure.UnknownAccessKey => (400, "com.amazon.coral.service#UnrecognizedClientException", auth.Message),
                AuthFailure.Incomplete => (400, "com.amazon.coral.service#IncompleteSignatureException", auth.Message),
                _ => (400, "com.amazon.coral.service#InvalidSignatureException", auth.Message),
            },
            AwsProtocol.Query => auth.Failure switch
            {
                AuthFailure.Missing => (403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
                AuthFailure.Incomplete => (400, "IncompleteSignature", auth.Message),
                AuthFailure.TimeSkewed => (400, "RequestExpired", auth.Message),
                AuthFailure.UnknownAccessKey => (403, "InvalidClientTokenId", "The security token included in the request is invalid."),
                _ => (403, "SignatureDoesNotMatch", auth.Message),
            },
            AwsProtocol.Ec2Query => auth.Failure switch
            {
                AuthFailure.Missing => (401, "MissingAuthenticationToken", "Request is missing Authentication Token"),
                AuthFailure.Incomplete => (400, "IncompleteSignature", auth.Message),
                AuthFailure.TimeSkewed => (400, "RequestExpired", auth.Message),
                AuthFailure.WrongRegion => (401, "AuthFailure", auth.Message),
                _ => (401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
            },
            _ => auth.Failure switch
            {
                AuthFailure.Missing => (403, "AccessDenied", "Access Denied"),
                AuthFailure.UnknownAccessKey => (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
                AuthFailure.Incomplete => (400, "AuthorizationHeaderMalformed", auth.Message),
                AuthFailure.ContentSha256Mismatch => (400, "XAmzContentSHA256Mismatch", auth.Message),
                AuthFailure.WrongRegion => (400, "AuthorizationHeaderMalformed", auth.Message),
                AuthFailure.TimeSkewed => (403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
                AuthFailure.Expired => (403, "AccessDenied", auth.Message),
                _ => (403, "SignatureDoesNotMatch", auth.Message),
            },
        };
        return new SandboxException(code, message, status) { Details = protocol == AwsProtocol.S3 ? auth.Details : [] };
    }
}
