using System.Globalization;
using System.Xml.Linq;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Elb;

/// <summary>
/// Elastic Load Balancing v2 over the query protocol (docs/design/query-protocol.md):
/// DescribeLoadBalancers, DescribeTargetGroups, CreateTargetGroup, ModifyTargetGroup, DescribeTargetGroupAttributes,
/// ModifyTargetGroupAttributes and DescribeTargetHealth, answered in the shapes of botocore's
/// elbv2 model (the sandbox's tests check them against it).
/// </summary>
internal sealed class ElbApi
{
    public static readonly XNamespace Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    private readonly SandboxWorld _world;

    public ElbApi(SandboxWorld world)
    {
        _world = world;
    }

    public HttpResponse Handle(string operation, HttpRequest request, string requestId)
    {
        lock (_world.Sync)
        {
            _world.Ecs.AdvanceTo(_world.Clock.UtcNow);
            ElbSimulation elb = _world.Elb;
            elb.Expire(_world.Ecs.Now);
            IEnumerable<XElement> result = operation switch
            {
                "DescribeLoadBalancers" => DescribeLoadBalancers(elb, request),
                "DescribeTargetGroups" => DescribeTargetGroups(elb, request),
                "CreateTargetGroup" => CreateTargetGroup(elb, request),
                "DescribeTargetGroupAttributes" => Attributes(Group(elb, request)),
                "ModifyTargetGroupAttributes" => ModifyAttributes(Group(elb, request), request),
                "ModifyTargetGroup" => ModifyTargetGroup(Group(elb, request), request),
                "DescribeTargetHealth" => DescribeTargetHealth(Group(elb, request)),
                _ => throw new SandboxException("InvalidAction", $"The action {operation} is not valid for this web service."),
            };
            return AwsResponses.Xml(200, new XElement(Namespace + $"{operation}Response",
                    new XElement(Namespace + $"{operation}Result", result),
                    new XElement(Namespace + "ResponseMetadata", new XElement(Namespace + "RequestId", requestId))))
                .With("x-amzn-RequestId", requestId);
        }
    }

    /// <summary>A query-protocol error in this service's namespace (docs/design/query-protocol.md, "Errors").</summary>
    public static HttpResponse Error(int status, string code, string message, string requestId) =>
        AwsResponses.Xml(status, new XElement(Namespace + "ErrorResponse",
                new XElement(Namespace + "Error",
                    new XElement(Namespace + "Type", status >= 500 ? "Receiver" : "Sender"),
                    new XElement(Namespace + "Code", code),
                    new XElement(Namespace + "Message", message)),
                new XElement(Namespace + "RequestId", requestId)))
            .With("x-amzn-RequestId", requestId);

    private static List<string> Members(HttpRequest request, string name)
    {
        var values = new List<string>();
        for (int i = 1; request.FormValue($"{name}.member.{i}") is string value; i++)
        {
            values.Add(value);
        }
        return values;
    }

    private static TargetGroupState Group(ElbSimulation elb, HttpRequest request)
    {
        string arn = request.FormValue("TargetGroupArn") ?? throw new SandboxException("ValidationError", "1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null");
        return elb.TargetGroups.TryGetValue(arn, out TargetGroupState? group)
            ? group
            : throw new SandboxException("TargetGroupNotFound", $"Target groups '{arn}' not found");
    }

    private static IEnumerable<XElement> DescribeLoadBalancers(ElbSimulation elb, HttpRequest request)
    {
        List<string> arns = Members(request, "LoadBalancerArns");
        List<string> names = Members(request, "Names");
        var found = elb.LoadBalancers.Values
            .Where(lb => (arns.Count == 0 || arns.Contains(lb.Arn)) && (names.Count == 0 || names.Contains(lb.Name)))
            .ToList();
        string? missing = arns.FirstOrDefault(a => !elb.LoadBalancers.ContainsKey(a)) ?? names.FirstOrDefault(n => elb.LoadBalancers.Values.All(lb => lb.Name != n));
        if (missing is not null)
        {
            throw new SandboxException("LoadBalancerNotFound", $"Load balancers '[{missing}]' not found");
        }
        yield return new XElement(Namespace + "LoadBalancers", found.Select(lb => new XElement(Namespace + "member",
            new XElement(Namespace + "LoadBalancerArn", lb.Arn),
            new XElement(Namespace + "DNSName", $"{lb.Name}-1234567890.{lb.Arn.Split(':')[3]}.elb.amazonaws.com"),
            new XElement(Namespace + "CanonicalHostedZoneId", "Z35SXDOTRQ7X7K"),
            new XElement(Namespace + "CreatedTime", Time(lb.CreatedAt)),
            new XElement(Namespace + "LoadBalancerName", lb.Name),
            new XElement(Namespace + "Scheme", "internet-facing"),
            new XElement(Namespace + "VpcId", "vpc-0sandbox"),
            new XElement(Namespace + "State", new XElement(Namespace + "Code", "active")),
            new XElement(Namespace + "Type", "application"),
            new XElement(Namespace + "IpAddressType", "ipv4"))));
    }

    private static IEnumerable<XElement> DescribeTargetGroups(ElbSimulation elb, HttpRequest request)
    {
        List<string> arns = Members(request, "TargetGroupArns");
        List<string> names = Members(request, "Names");
        string? loadBalancer = request.FormValue("LoadBalancerArn");
        string? missing = arns.FirstOrDefault(a => !elb.TargetGroups.ContainsKey(a)) ?? names.FirstOrDefault(n => elb.TargetGroups.Values.All(g => g.Name != n));
        if (missing is not null)
        {
            throw new SandboxException("TargetGroupNotFound", $"Target groups '[{missing}]' not found");
        }
        var found = elb.TargetGroups.Values
            .Where(g => (arns.Count == 0 || arns.Contains(g.Arn)) && (names.Count == 0 || names.Contains(g.Name)) && (loadBalancer is null || g.LoadBalancer?.Arn == loadBalancer))
            .ToList();
        yield return TargetGroups(found);
    }

    private static XElement TargetGroups(IEnumerable<TargetGroupState> found) =>
        new(Namespace + "TargetGroups", found.Select(g => new XElement(Namespace + "member",
            new XElement(Namespace + "TargetGroupArn", g.Arn),
            new XElement(Namespace + "TargetGroupName", g.Name),
            new XElement(Namespace + "Protocol", "HTTP"),
            new XElement(Namespace + "Port", g.Port),
            new XElement(Namespace + "VpcId", "vpc-0sandbox"),
            new XElement(Namespace + "HealthCheckProtocol", "HTTP"),
            new XElement(Namespace + "HealthCheckPort", "traffic-port"),
            new XElement(Namespace + "HealthCheckEnabled", "true"),
            new XElement(Namespace + "HealthCheckIntervalSeconds", g.HealthCheckIntervalSeconds),
            new XElement(Namespace + "HealthCheckTimeoutSeconds", g.HealthCheckTimeoutSeconds),
            new XElement(Namespace + "HealthyThresholdCount", g.HealthyThresholdCount),
            new XElement(Namespace + "UnhealthyThresholdCount", g.UnhealthyThresholdCount),
            new XElement(Namespace + "HealthCheckPath", g.HealthCheckPath),
            new XElement(Namespace + "Matcher", new XElement(Namespace + "HttpCode", "200")),
            new XElement(Namespace + "LoadBalancerArns", g.LoadBalancer is null ? null : new XElement(Namespace + "member", g.LoadBalancer.Arn)),
            new XElement(Namespace + "TargetType", "instance"),
            new XElement(Namespace + "ProtocolVersion", "HTTP1"),
            new XElement(Namespace + "IpAddressType", "ipv4"))));

    /// <summary>An instance target group over HTTP with AWS's defaults unless the request sets the health check.</summary>
    private IEnumerable<XElement> CreateTargetGroup(ElbSimulation elb, HttpRequest request)
    {
        string name = request.FormValue("Name") is { Length: > 0 and <= 32 } n && n.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? n
            : throw new SandboxException("ValidationError", "Target group name must be 1 to 32 alphanumeric characters or hyphens");
        if (elb.TargetGroups.Values.FirstOrDefault(g => g.Name == name) is { } existing)
        {
            yield return TargetGroups([existing]);
            yield break;
        }
        int Int(string key, int fallback) => int.TryParse(request.FormValue(key), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : fallback;
        var group = new TargetGroupState
        {
            Arn = $"arn:aws:elasticloadbalancing:{_world.Region}:{_world.AccountId}:targetgroup/{name}/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..16].ToLowerInvariant()}",
            Name = name,
            Port = Int("Port", 80),
            HealthCheckPath = request.FormValue("HealthCheckPath") ?? "/",
            HealthCheckIntervalSeconds = Int("HealthCheckIntervalSeconds", 30),
            HealthCheckTimeoutSeconds = Int("HealthCheckTimeoutSeconds", 5),
            HealthyThresholdCount = Int("HealthyThresholdCount", 5),
            UnhealthyThresholdCount = Int("UnhealthyThresholdCount", 2),
        };
        elb.TargetGroups[group.Arn] = group;
        yield return TargetGroups([group]);
    }

    /// <summary>Changes the health check (interval 5–300 s, timeout 2–120 s, thresholds 2–10, path); answers the group as it is now.</summary>
    private static IEnumerable<XElement> ModifyTargetGroup(TargetGroupState group, HttpRequest request)
    {
        int? Int(string key, int min, int max)
        {
            if (request.FormValue(key) is not string text)
            {
                return null;
            }
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
                ? value
                : throw new SandboxException("ValidationError", $"{key} must be from {min} to {max}, not '{text}'");
        }
        int interval = Int("HealthCheckIntervalSeconds", 5, 300) ?? group.HealthCheckIntervalSeconds;
        int timeout = Int("HealthCheckTimeoutSeconds", 2, 120) ?? group.HealthCheckTimeoutSeconds;
        if (timeout >= interval)
        {
            throw new SandboxException("ValidationError", "Health check timeout must be smaller than the interval");
        }
        group.HealthCheckIntervalSeconds = interval;
        group.HealthCheckTimeoutSeconds = timeout;
        group.HealthyThresholdCount = Int("HealthyThresholdCount", 2, 10) ?? group.HealthyThresholdCount;
        group.UnhealthyThresholdCount = Int("UnhealthyThresholdCount", 2, 10) ?? group.UnhealthyThresholdCount;
        group.HealthCheckPath = request.FormValue("HealthCheckPath") ?? group.HealthCheckPath;
        yield return TargetGroups([group]);
    }

    private static IEnumerable<XElement> Attributes(TargetGroupState group)
    {
        yield return new XElement(Namespace + "Attributes", group.Attributes.Select(a => new XElement(Namespace + "member",
            new XElement(Namespace + "Key", a.Key),
            new XElement(Namespace + "Value", a.Value))));
    }

    private static IEnumerable<XElement> ModifyAttributes(TargetGroupState group, HttpRequest request)
    {
        for (int i = 1; request.FormValue($"Attributes.member.{i}.Key") is string key; i++)
        {
            string value = request.FormValue($"Attributes.member.{i}.Value") ?? string.Empty;
            if (!group.Attributes.ContainsKey(key))
            {
                throw new SandboxException("ValidationError", $"Target group attribute key '{key}' is not recognized");
            }
            if (key == "deregistration_delay.timeout_seconds"
                && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is >= 0 and <= 3600))
            {
                throw new SandboxException("ValidationError", $"'{value}' is not a valid deregistration delay; it must be from 0 to 3600 seconds");
            }
            group.Attributes[key] = value;
        }
        return Attributes(group);
    }

    private IEnumerable<XElement> DescribeTargetHealth(TargetGroupState group)
    {
        DateTimeOffset now = _world.Ecs.Now;
        yield return new XElement(Namespace + "TargetHealthDescriptions", group.Targets.Select(t =>
        {
            (string state, string? reason, string? description) = ElbSimulation.Health(group, t, now);
            return new XElement(Namespace + "member",
                new XElement(Namespace + "Target",
                    new XElement(Namespace + "Id", t.Id),
                    new XElement(Namespace + "Port", t.Port)),
                new XElement(Namespace + "HealthCheckPort", t.Port.ToString(CultureInfo.InvariantCulture)),
                new XElement(Namespace + "TargetHealth",
                    new XElement(Namespace + "State", state),
                    reason is null ? null : new XElement(Namespace + "Reason", reason),
                    description is null ? null : new XElement(Namespace + "Description", description)));
        }));
    }

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
