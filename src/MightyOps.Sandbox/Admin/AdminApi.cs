using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Admin;

/// <summary>
/// Unsigned control endpoints under <c>/_sandbox/</c> for scripts driving the standalone
/// executable (README.md in this folder lists them). They are not AWS operations: they are not
/// counted, captured, signed or subject to faults.
/// </summary>
/// <remarks>
/// Unsigned but not open to web pages: the Host header must be the sandbox's own loopback
/// address (a page that rebinds its DNS name to 127.0.0.1 sends its own name), and a POST must be
/// <c>application/json</c>, which a browser only sends cross-site after a CORS preflight the
/// sandbox never grants. Every value is range-checked, so no call leaves the sandbox unusable.
/// </remarks>
internal sealed partial class AdminApi(SandboxHost host)
{
    /// <summary>The largest latency <c>POST /_sandbox/faults</c> accepts (the same bound as <see cref="SandboxFaults.Latency"/>).</summary>
    private const double MaxLatencyMs = 5 * 60 * 1000;

    private static readonly (string Method, string Path, Func<AdminApi, HttpRequest, HttpResponse> Handler)[] Endpoints =
    [
        ("GET", "/_sandbox/info", (admin, _) => Ok(admin.Info())),
        ("GET", "/_sandbox/counts", (admin, _) => Ok(admin.Counts())),
        ("POST", "/_sandbox/reset-counts", (admin, _) => admin.ResetCounts()),
        ("GET", "/_sandbox/faults", (admin, _) => Ok(admin.Faults())),
        ("POST", "/_sandbox/faults", (admin, request) => admin.SetFaults(Body(request))),
        ("GET", "/_sandbox/requests", (admin, request) => Ok(admin.Requests(request))),
        ("DELETE", "/_sandbox/requests", (admin, _) => admin.ClearRequests()),
        ("POST", "/_sandbox/advance-time", (admin, request) => admin.AdvanceTime(request)),
        ("POST", "/_sandbox/bad-image", (admin, request) => admin.BadImage(Body(request))),
        ("POST", "/_sandbox/push-image", (admin, request) => admin.PushImage(Body(request))),
        ("POST", "/_sandbox/external-instances", (admin, request) => admin.ExternalInstance(Body(request))),
        ("POST", "/_sandbox/alarms", (admin, request) => admin.Alarm(Body(request))),
        ("POST", "/_sandbox/hooks", (admin, request) => admin.Hook(Body(request))),
        ("POST", "/_sandbox/service-deployments", (admin, request) => admin.ServiceDeployments(Body(request))),
        ("GET", "/_sandbox/memory", (admin, request) => Ok(admin.Memory(request))),
        ("GET", "/_sandbox/containers", (admin, request) => Ok(admin.Containers(request))),
        ("GET", ContainerPath + "{runtimeId}", (admin, request) => admin.Container(request)),
    ];

    // GET /_sandbox/containers/<runtimeId>: the one endpoint with a path parameter.
    private const string ContainerPath = "/_sandbox/containers/";

    /// <summary>Every endpoint as <c>METHOD /path</c>, for <c>GET /_sandbox/info</c> and the executable's help.</summary>
    public static IReadOnlyList<string> EndpointList { get; } = Endpoints.Select(e => $"{e.Method} {e.Path}").ToArray();

    public HttpResponse Handle(HttpRequest request)
    {
        string path = request.RawPath.TrimEnd('/');
        if (path == "/_sandbox")
        {
            path = "/_sandbox/info";
        }
        if (!IsOwnHost(request.Header("Host")))
        {
            return Error(403, $"Admin endpoints answer only requests for the sandbox's own address (Host: 127.0.0.1:{host.Endpoint.Port} or localhost:{host.Endpoint.Port}).");
        }
        if (request.Method == "POST" && !IsJson(request.Header("Content-Type")))
        {
            return Error(415, "Admin POSTs must be sent with Content-Type: application/json (even without a body).");
        }
        if (request.Content is { IsSpooled: true })
        {
            return TooLarge();
        }
        if (path.StartsWith(ContainerPath, StringComparison.Ordinal) && path.Length > ContainerPath.Length)
        {
            path = ContainerPath + "{runtimeId}";
        }
        try
        {
            foreach ((string method, string endpoint, Func<AdminApi, HttpRequest, HttpResponse> handler) in Endpoints)
            {
                if (endpoint == path && method == request.Method)
                {
                    return handler(this, request);
                }
            }
            return Endpoints.Any(e => e.Path == path)
                ? Error(405, $"{request.Method} is not allowed on {path}.")
                : Error(404, $"No admin endpoint {path}; see GET /_sandbox/info for the list.");
        }
        catch (MightyOpsException ex)
        {
            return Error(ex.Kind == MightyErrorKind.NotFound ? 404 : 400, ex.Message);
        }
        catch (JsonException ex)
        {
            return Error(400, "The body is not the JSON this endpoint expects: " + ex.Message);
        }
        catch (FormatException ex)
        {
            return Error(400, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            // JsonNode.GetValue on a member of the wrong JSON type.
            return Error(400, "A member of the body has the wrong type: " + ex.Message);
        }
    }

    private JsonObject Info() => new()
    {
        ["endpoint"] = host.Endpoint.ToString().TrimEnd('/'),
        ["region"] = host.Options.Region,
        ["accountId"] = host.Options.AccountId,
        ["accessKeyId"] = host.Options.AccessKeyId,
        ["seed"] = host.Options.Seed,
        ["timeScale"] = host.Options.TimeScale,
        ["randomSeed"] = host.Options.RandomSeed,
        ["ecsRateLimits"] = host.Options.EcsRateLimits,
        ["now"] = Now(),
        ["endpoints"] = new JsonArray(EndpointList.Select(e => (JsonNode?)e).ToArray()),
    };

    private JsonObject Counts()
    {
        var counts = new JsonObject();
        foreach (KeyValuePair<string, long> pair in host.RequestCounts)
        {
            counts[pair.Key] = pair.Value;
        }
        return counts;
    }

    private HttpResponse ResetCounts()
    {
        host.ResetRequestCounts();
        return Ok(new JsonObject { ["reset"] = true });
    }

    private JsonObject Memory(HttpRequest request)
    {
        bool collect = request.QueryValue("collect") is string text && (text == "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase));
        SandboxFootprint footprint = host.Footprint(collect);
        return new JsonObject
        {
            ["simulatedNow"] = footprint.SimulatedNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["services"] = footprint.Services,
            ["tasks"] = footprint.Tasks,
            ["stoppedTasks"] = footprint.StoppedTasks,
            ["oldestStoppedAt"] = footprint.OldestStoppedAt?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["deployments"] = footprint.Deployments,
            ["serviceEvents"] = footprint.ServiceEvents,
            ["mostEventsPerService"] = footprint.MostEventsPerService,
            ["taskDefinitions"] = footprint.TaskDefinitions,
            ["logGroups"] = footprint.LogGroups,
            ["logStreams"] = footprint.LogStreams,
            ["logEvents"] = footprint.LogEvents,
            ["mostEventsPerStream"] = footprint.MostEventsPerStream,
            ["s3Objects"] = footprint.S3Objects,
            ["s3Bytes"] = footprint.S3Bytes,
            ["requestCountKeys"] = footprint.RequestCountKeys,
            ["capturedRequests"] = footprint.CapturedRequests,
            ["connections"] = footprint.Connections,
            ["managedHeapBytes"] = footprint.ManagedHeapBytes,
            ["workingSetBytes"] = footprint.WorkingSetBytes,
        };
    }

    private JsonObject Faults() => new()
    {
        ["throttlingRate"] = host.Faults.ThrottlingRate,
        ["serverErrorRate"] = host.Faults.ServerErrorRate,
        ["latencyMs"] = host.Faults.Latency.TotalMilliseconds,
        ["only"] = new JsonArray(host.Faults.RatesScope.Select(s => (JsonNode?)s).ToArray()),
        ["latencyOnly"] = new JsonArray(host.Faults.LatencyScope.Select(s => (JsonNode?)s).ToArray()),
        ["injected"] = new JsonObject(host.Faults.InjectedCounts.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["inProgress"] = host.RequestsInProgress,
    };

    private HttpResponse SetFaults(JsonObject body)
    {
        double throttling = Number(body, "throttlingRate") ?? host.Faults.ThrottlingRate;
        double serverError = Number(body, "serverErrorRate") ?? host.Faults.ServerErrorRate;
        double? latencyMs = Number(body, "latencyMs");
        if (latencyMs is double requested && !(requested >= 0 && requested <= MaxLatencyMs))
        {
            return Error(400, $"latencyMs must be between 0 and {MaxLatencyMs} (5 minutes), not {requested.ToString(CultureInfo.InvariantCulture)}.");
        }
        TimeSpan latency = latencyMs is double ms ? TimeSpan.FromMilliseconds(ms) : host.Faults.Latency;
        IReadOnlyList<string> only = Strings(body, "only") ?? host.Faults.RatesScope;
        IReadOnlyList<string> latencyOnly = Strings(body, "latencyOnly") ?? host.Faults.LatencyScope;
        host.Faults.Set(throttling, serverError, only, latency, latencyOnly);
        return Ok(Faults());
    }

    private JsonArray Requests(HttpRequest request)
    {
        string? service = request.QueryValue("service");
        string? operation = request.QueryValue("operation");
        var list = new JsonArray();
        foreach (SandboxCapturedRequest captured in host.CapturedRequests)
        {
            if ((service is null || captured.Service == service) && (operation is null || captured.Operation == operation))
            {
                list.Add(new JsonObject { ["service"] = captured.Service, ["operation"] = captured.Operation, ["body"] = captured.Body });
            }
        }
        return list;
    }

    private HttpResponse ClearRequests()
    {
        host.ClearCapturedRequests();
        return Ok(new JsonObject { ["cleared"] = true });
    }

    private HttpResponse AdvanceTime(HttpRequest request)
    {
        double? seconds = null;
        if (request.QueryValue("seconds") is string text)
        {
            seconds = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        else if (request.Body.Length > 0)
        {
            seconds = Number(Body(request), "seconds");
        }
        if (seconds is not double s || double.IsNaN(s) || double.IsInfinity(s))
        {
            return Error(400, "Say how far to move simulated time: {\"seconds\": 60} or ?seconds=60.");
        }
        if (!(s >= 0 && s <= SandboxHost.MaxAdvance.TotalSeconds))
        {
            return Error(400, $"seconds must be between 0 and {SandboxHost.MaxAdvance.TotalSeconds} (a year), not {s.ToString(CultureInfo.InvariantCulture)}.");
        }
        host.AdvanceTime(TimeSpan.FromSeconds(s));
        return Ok(new JsonObject { ["now"] = Now() });
    }

    private HttpResponse BadImage(JsonObject body)
    {
        (string repository, string tag) = ImageOf(body);
        if (body["failsHealthChecks"]?.GetValue<bool>() is bool failsChecks)
        {
            // Starts fine, then answers the load balancer's health checks with 502.
            return Ok(ImageJson(repository, tag, host.SetImageFailsHealthChecks(repository, tag, failsChecks)));
        }
        bool fails = body["failsToStart"]?.GetValue<bool>() ?? true;
        SandboxImage image = host.SetImageFailsToStart(repository, tag, fails, body["reason"]?.GetValue<string>());
        return Ok(ImageJson(repository, tag, image));
    }

    private HttpResponse PushImage(JsonObject body)
    {
        (string repository, string tag) = ImageOf(body);
        bool fails = body["failsToStart"]?.GetValue<bool>() ?? false;
        SandboxImage image = host.PushImage(repository, tag, fails, body["reason"]?.GetValue<string>());
        return Ok(ImageJson(repository, tag, image));
    }

    private HttpResponse ExternalInstance(JsonObject body)
    {
        string? cluster = body["cluster"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(cluster))
        {
            return Error(400, "Name the cluster: {\"cluster\": \"production\"}.");
        }
        (string arn, string id) = host.RegisterExternalInstance(cluster);
        return Ok(new JsonObject { ["containerInstanceArn"] = arn, ["ec2InstanceId"] = id });
    }

    // {"name":"web-5xx","state":"ALARM"}: a CloudWatch alarm goes into ALARM (or back to OK).
    private HttpResponse Alarm(JsonObject body)
    {
        string? name = body["name"]?.GetValue<string>();
        string? state = body["state"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(name) || state is not ("ALARM" or "OK"))
        {
            return Error(400, "Name the alarm and its state: {\"name\":\"web-5xx\",\"state\":\"ALARM\"} (or \"OK\").");
        }
        host.SetAlarm(name, state == "ALARM");
        return Ok(new JsonObject { ["name"] = name, ["state"] = state });
    }

    // {"hookTargetArn":"arn:aws:lambda:…","answer":"IN_PROGRESS"}: what a Lambda lifecycle hook answers from now on.
    private HttpResponse Hook(JsonObject body)
    {
        string? arn = body["hookTargetArn"]?.GetValue<string>();
        string? answer = body["answer"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(arn) || answer is not ("SUCCEEDED" or "FAILED" or "IN_PROGRESS"))
        {
            return Error(400, "Name the hook's function and its answer: {\"hookTargetArn\":\"arn:aws:lambda:…\",\"answer\":\"IN_PROGRESS\"} (holds the deployment; SUCCEEDED or FAILED releases it).");
        }
        host.SetLambdaHookAnswer(arn, answer);
        return Ok(new JsonObject { ["hookTargetArn"] = arn, ["answer"] = answer });
    }

    // {"available":false}: the ledger's operations answer UnsupportedFeatureException, as in a region without them.
    private HttpResponse ServiceDeployments(JsonObject body)
    {
        if (body["available"] is not JsonValue value || !value.TryGetValue(out bool available))
        {
            return Error(400, "Say whether the service-deployment operations answer: {\"available\":false}.");
        }
        host.SetServiceDeploymentsAvailable(available);
        return Ok(new JsonObject { ["available"] = available });
    }

    private JsonArray Containers(HttpRequest request) =>
        new(host.Containers(request.QueryValue("cluster"), request.QueryValue("service")).Select(c => (JsonNode?)ContainerJson(c)).ToArray());

    private HttpResponse Container(HttpRequest request)
    {
        string runtimeId = Uri.UnescapeDataString(request.RawPath.TrimEnd('/')[ContainerPath.Length..]);
        if (host.Container(runtimeId) is not SandboxContainer container)
        {
            return Error(404, $"No such container: {runtimeId} (GET /_sandbox/containers lists them).");
        }
        return request.QueryValue("format") switch
        {
            null or "json" => Ok(ContainerJson(container)),
            "sh" => ShellAnswer(container),
            string other => Error(400, $"Unknown format '{other}': pass format=json (the default) or format=sh."),
        };
    }

    // ?format=sh: the container for a POSIX sh that has no JSON parser (the SSH test rig's docker
    // stand-in evals it): its status, and its environment prepended to "$@" as NAME=value words
    // for env(1), every word single-quoted.
    private static HttpResponse ShellAnswer(SandboxContainer container)
    {
        var text = new StringBuilder();
        text.Append("last_status=").Append(ShellQuote(container.LastStatus ?? string.Empty)).Append('\n');
        text.Append("set --");
        foreach ((string name, string value) in container.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(' ').Append(ShellQuote($"{name}={value}"));
        }
        text.Append(" \"$@\"\n");
        return new HttpResponse(200) { Body = Encoding.UTF8.GetBytes(text.ToString()) }.With("Content-Type", "text/plain; charset=utf-8");
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static JsonObject ContainerJson(SandboxContainer container)
    {
        var environment = new JsonObject();
        foreach ((string name, string value) in container.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            environment[name] = value;
        }
        return new JsonObject
        {
            ["runtimeId"] = container.RuntimeId,
            ["name"] = container.Name,
            ["cluster"] = container.Cluster,
            ["service"] = container.Service,
            ["taskArn"] = container.TaskArn,
            ["taskDefinitionArn"] = container.TaskDefinitionArn,
            ["image"] = container.Image,
            ["lastStatus"] = container.LastStatus,
            ["exitCode"] = container.ExitCode,
            ["environment"] = environment,
        };
    }

    private JsonObject ImageJson(string repository, string tag, SandboxImage image) => new()
    {
        ["repository"] = repository,
        ["tag"] = tag,
        ["digest"] = image.Digest,
        ["imageUri"] = host.World.Image(repository, tag).ToString(),
        ["failsToStart"] = image.FailsToStart,
        ["failsHealthChecks"] = image.FailsHealthChecks,
        ["failureReason"] = image.FailureReason,
    };

    /// <summary>Accepts <c>{"image":"app:master.5"}</c> (a full image URI too: its registry is left out) or <c>{"repository":"app","tag":"master.5"}</c>.</summary>
    private static (string Repository, string Tag) ImageOf(JsonObject body)
    {
        string? repository = body["repository"]?.GetValue<string>();
        string? tag = body["tag"]?.GetValue<string>();
        if (ImageReference.TryParse(body["image"]?.GetValue<string>(), out ImageReference image) && image.Digest is null && !string.IsNullOrEmpty(image.Tag))
        {
            (repository, tag) = (image.Repository, image.Tag);
        }
        if (string.IsNullOrEmpty(repository) || string.IsNullOrEmpty(tag))
        {
            throw new FormatException("Name the image as {\"image\":\"app:master.5\"} or {\"repository\":\"app\",\"tag\":\"master.5\"}.");
        }
        // ECR's own rules for names and tags, so a pushed image can be listed by every client.
        if (repository.Length > 256 || !RepositoryName().IsMatch(repository))
        {
            throw new FormatException($"'{repository}' is not an ECR repository name (lower-case letters, digits, '.', '_', '-' and '/', at most 256 characters).");
        }
        if (!ImageTag().IsMatch(tag))
        {
            throw new FormatException($"'{tag}' is not an image tag (letters, digits, '_', '.', '-', at most 128 characters, not starting with '.' or '-').");
        }
        return (repository, tag);
    }

    [GeneratedRegex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ImageTag();

    private bool IsOwnHost(string? hostHeader)
    {
        string port = host.Endpoint.Port.ToString(CultureInfo.InvariantCulture);
        return hostHeader is not null &&
            (hostHeader.Equals("127.0.0.1:" + port, StringComparison.OrdinalIgnoreCase) ||
             hostHeader.Equals("localhost:" + port, StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private string Now() => host.World.Clock.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static double? Number(JsonObject body, string name) => body[name]?.GetValue<double>();

    private static List<string>? Strings(JsonObject body, string name) =>
        body[name] is JsonArray array ? array.Select(item => item?.GetValue<string>() ?? string.Empty).ToList() : null;

    private static JsonObject Body(HttpRequest request)
    {
        if (request.Body.Length == 0)
        {
            return [];
        }
        return JsonNode.Parse(request.Body) as JsonObject ?? throw new JsonException("Expected a JSON object.");
    }

    private static HttpResponse Ok(JsonNode body) =>
        new HttpResponse(200) { Body = Encoding.UTF8.GetBytes(body.ToJsonString(AwsResponses.JsonWriteOptions)) }
            .With("Content-Type", "application/json");

    /// <summary>413 for an admin body that would not fit in memory's small-body budget.</summary>
    internal static HttpResponse TooLarge() =>
        Error(413, $"Admin bodies are small JSON documents; this one is larger than {RequestBody.SpoolThresholdBytes} bytes.");

    /// <summary>An admin error: <c>{"error": "…"}</c> with <paramref name="status"/>.</summary>
    internal static HttpResponse Error(int status, string message) =>
        new HttpResponse(status) { Body = Encoding.UTF8.GetBytes(new JsonObject { ["error"] = message }.ToJsonString(AwsResponses.JsonWriteOptions)) }
            .With("Content-Type", "application/json");
}
