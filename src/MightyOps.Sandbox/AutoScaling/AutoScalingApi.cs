using System.Globalization;
using System.Xml.Linq;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.AutoScaling;

/// <summary>
/// EC2 Auto Scaling over the query protocol (docs/design/query-protocol.md): a form-encoded
/// <c>POST /</c> with <c>Action</c> and <c>Version=2011-01-01</c>, answered in the
/// <c>http://autoscaling.amazonaws.com/doc/2011-01-01/</c> namespace; the operations MightyOps
/// and its users call, over <see cref="SandboxWorld.AutoScalingGroups"/>. Errors are the query
/// protocol's <c>&lt;ErrorResponse&gt;</c> (ValidationError for a value AWS refuses).
/// </summary>
internal sealed class AutoScalingApi(SandboxWorld world)
{
    public const string Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    public const string ApiVersion = "2011-01-01";

    private static readonly XNamespace Ns = Namespace;

    // The members of each operation's input shape in botocore's autoscaling model (the prefixes
    // of the form names; a test compares them with the installed model).
    private static readonly Dictionary<string, string[]> Members = new(StringComparer.Ordinal)
    {
        ["DescribeAutoScalingGroups"] = ["AutoScalingGroupNames", "IncludeInstances", "NextToken", "MaxRecords", "Filters"],
        ["SetDesiredCapacity"] = ["AutoScalingGroupName", "DesiredCapacity", "HonorCooldown"],
        ["TerminateInstanceInAutoScalingGroup"] = ["InstanceId", "ShouldDecrementDesiredCapacity"],
        ["DescribeScalingActivities"] = ["ActivityIds", "AutoScalingGroupName", "IncludeDeletedGroups", "MaxRecords", "NextToken", "Filters"],
        ["UpdateAutoScalingGroup"] =
        [
            "AutoScalingGroupName", "LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy", "MinSize", "MaxSize", "DesiredCapacity",
            "DefaultCooldown", "AvailabilityZones", "AvailabilityZoneIds", "HealthCheckType", "HealthCheckGracePeriod", "PlacementGroup", "VPCZoneIdentifier",
            "TerminationPolicies", "NewInstancesProtectedFromScaleIn", "ServiceLinkedRoleARN", "MaxInstanceLifetime", "CapacityRebalance", "Context",
            "DesiredCapacityType", "DefaultInstanceWarmup", "InstanceMaintenancePolicy", "AvailabilityZoneDistribution", "AvailabilityZoneImpairmentPolicy",
            "SkipZonalShiftValidation", "CapacityReservationSpecification", "InstanceLifecyclePolicy", "DeletionProtection",
        ],
    };

    /// <summary>The operations served, with the members each accepts.</summary>
    public static IReadOnlyDictionary<string, string[]> Operations => Members;

    public HttpResponse Handle(string action, HttpRequest request, string requestId)
    {
        var form = new Form(request.Form);
        if (!Members.TryGetValue(action, out string[]? members))
        {
            throw new SandboxException("InvalidAction", $"The action {action} is not valid for this web service.");
        }
        if (form.Value("Version") is string version && version != ApiVersion)
        {
            throw new SandboxException("InvalidAction", $"Version {version} is not valid for Auto Scaling; use {ApiVersion}.");
        }
        if (form.Unknown(members) is string unknown)
        {
            throw new SandboxException("ValidationError", $"Unknown parameter {unknown} for {action}.");
        }
        XElement? result;
        lock (world.Sync)
        {
            world.Ecs.AdvanceTo(world.Clock.UtcNow);
            result = action switch
            {
                "DescribeAutoScalingGroups" => DescribeAutoScalingGroups(form),
                "SetDesiredCapacity" => SetDesiredCapacity(form),
                "TerminateInstanceInAutoScalingGroup" => TerminateInstance(form),
                "DescribeScalingActivities" => DescribeScalingActivities(form),
                _ => UpdateAutoScalingGroup(form),
            };
        }
        var root = new XElement(Ns + $"{action}Response");
        if (result is not null)
        {
            root.Add(result);
        }
        root.Add(new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId)));
        return AwsResponses.Xml(200, root).With("x-amzn-RequestId", requestId);
    }

    private XElement DescribeAutoScalingGroups(Form form)
    {
        List<string> names = form.List("AutoScalingGroupNames");
        int max = form.Int("MaxRecords", 1, 100) ?? 50;
        bool instances = form.Bool("IncludeInstances") ?? true;
        List<(string Name, List<string> Values)> filters = form.Filters();
        IEnumerable<SandboxAutoScalingGroup> groups = world.AutoScalingGroups.Values.OrderBy(g => g.Name, StringComparer.Ordinal);
        if (names.Count > 0)
        {
            groups = groups.Where(g => names.Contains(g.Name, StringComparer.Ordinal));
        }
        foreach ((string name, List<string> values) in filters)
        {
            groups = name switch
            {
                _ when name.StartsWith("tag:", StringComparison.Ordinal) => groups.Where(g => g.Tags.Any(t => t.Key == name[4..] && values.Contains(t.Value))),
                "tag-key" => groups.Where(g => g.Tags.Any(t => values.Contains(t.Key))),
                "tag-value" => groups.Where(g => g.Tags.Any(t => values.Contains(t.Value))),
                _ => throw new SandboxException("ValidationError", $"Filter name {name} is not valid; use tag:<key>, tag-key or tag-value."),
            };
        }
        (List<SandboxAutoScalingGroup> page, string? next) = Page(groups.ToList(), g => g.Name, "groups", form.Value("NextToken"), max);
        var result = new XElement(Ns + "DescribeAutoScalingGroupsResult",
            new XElement(Ns + "AutoScalingGroups", page.Select(g => Group(g, instances))));
        if (next is not null)
        {
            result.Add(new XElement(Ns + "NextToken", next));
        }
        return result;
    }

    private XElement? SetDesiredCapacity(Form form)
    {
        SandboxAutoScalingGroup group = Group(form.Required("AutoScalingGroupName"));
        int desired = form.Int("DesiredCapacity", 0, int.MaxValue) ?? throw Missing("DesiredCapacity");
        world.AutoScaling.SetDesiredCapacity(group, desired);
        return null;
    }

    private XElement? UpdateAutoScalingGroup(Form form)
    {
        SandboxAutoScalingGroup group = Group(form.Required("AutoScalingGroupName"));
        world.AutoScaling.Update(group, form.Int("MinSize", 0, int.MaxValue), form.Int("MaxSize", 0, int.MaxValue), form.Int("DesiredCapacity", 0, int.MaxValue));
        return null;
    }

    private XElement TerminateInstance(Form form)
    {
        string instanceId = form.Required("InstanceId");
        bool decrement = form.Bool("ShouldDecrementDesiredCapacity") ?? throw Missing("ShouldDecrementDesiredCapacity");
        SandboxScalingActivity activity = world.AutoScaling.Terminate(instanceId, decrement);
        SandboxAutoScalingGroup group = world.AutoScalingGroups.Values.First(g => g.Activities.Contains(activity));
        return new XElement(Ns + "TerminateInstanceInAutoScalingGroupResult", Activity(activity, group, "Activity"));
    }

    private XElement DescribeScalingActivities(Form form)
    {
        string? name = form.Value("AutoScalingGroupName");
        List<string> ids = form.List("ActivityIds");
        int max = form.Int("MaxRecords", 1, 100) ?? 100;
        IEnumerable<SandboxAutoScalingGroup> groups = name is null ? world.AutoScalingGroups.Values : world.AutoScalingGroups.TryGetValue(name, out SandboxAutoScalingGroup? one) ? [one] : [];
        // AWS: in-progress activities first, then by start time, newest first.
        List<(SandboxScalingActivity Activity, SandboxAutoScalingGroup Group)> activities = groups
            .SelectMany(g => g.Activities.Select(a => (a, g)))
            .Where(x => ids.Count == 0 || ids.Contains(x.a.ActivityId))
            .OrderByDescending(x => x.a.StatusCode == "InProgress")
            .ThenByDescending(x => x.a.StartTime)
            .ThenBy(x => x.a.ActivityId, StringComparer.Ordinal)
            .ToList();
        (List<(SandboxScalingActivity Activity, SandboxAutoScalingGroup Group)> page, string? next) = Page(activities, x => x.Activity.ActivityId, "activities", form.Value("NextToken"), max);
        var result = new XElement(Ns + "DescribeScalingActivitiesResult",
            new XElement(Ns + "Activities", page.Select(x => Activity(x.Activity, x.Group, "member"))));
        if (next is not null)
        {
            result.Add(new XElement(Ns + "NextToken", next));
        }
        return result;
    }

    private SandboxAutoScalingGroup Group(string name) =>
        world.AutoScalingGroups.TryGetValue(name, out SandboxAutoScalingGroup? group)
            ? group
            : throw new SandboxException("ValidationError", $"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found");

    private static XElement Group(SandboxAutoScalingGroup group, bool includeInstances)
    {
        var member = new XElement(Ns + "member",
            new XElement(Ns + "AutoScalingGroupName", group.Name),
            new XElement(Ns + "AutoScalingGroupARN", group.Arn),
            LaunchTemplate(group.Launch),
            new XElement(Ns + "MinSize", group.MinSize),
            new XElement(Ns + "MaxSize", group.MaxSize),
            new XElement(Ns + "DesiredCapacity", group.DesiredCapacity),
            new XElement(Ns + "DefaultCooldown", group.DefaultCooldown),
            new XElement(Ns + "AvailabilityZones", group.AvailabilityZones.Select(z => new XElement(Ns + "member", z))),
            new XElement(Ns + "LoadBalancerNames"),
            new XElement(Ns + "TargetGroupARNs"),
            new XElement(Ns + "HealthCheckType", "EC2"),
            new XElement(Ns + "HealthCheckGracePeriod", group.HealthCheckGracePeriod));
        if (includeInstances)
        {
            member.Add(new XElement(Ns + "Instances", group.Instances.Select(i => new XElement(Ns + "member",
                new XElement(Ns + "InstanceId", i.InstanceId),
                new XElement(Ns + "InstanceType", group.Launch.InstanceType),
                new XElement(Ns + "AvailabilityZone", i.AvailabilityZone),
                new XElement(Ns + "LifecycleState", i.LifecycleState),
                new XElement(Ns + "HealthStatus", "Healthy"),
                LaunchTemplate(group.Launch),
                new XElement(Ns + "ProtectedFromScaleIn", i.ProtectedFromScaleIn ? "true" : "false")))));
        }
        member.Add(
            new XElement(Ns + "CreatedTime", Timestamp(group.CreatedAt)),
            new XElement(Ns + "SuspendedProcesses"),
            new XElement(Ns + "VPCZoneIdentifier", string.Join(",", group.AvailabilityZones.Select(Ec2.Ec2Api.SubnetOf))),
            new XElement(Ns + "EnabledMetrics"),
            new XElement(Ns + "Tags", group.Tags.Select(t => new XElement(Ns + "member",
                new XElement(Ns + "ResourceId", group.Name),
                new XElement(Ns + "ResourceType", "auto-scaling-group"),
                new XElement(Ns + "Key", t.Key),
                new XElement(Ns + "Value", t.Value),
                new XElement(Ns + "PropagateAtLaunch", t.Propagate ? "true" : "false")))),
            new XElement(Ns + "TerminationPolicies", new XElement(Ns + "member", "Default")),
            new XElement(Ns + "NewInstancesProtectedFromScaleIn", "false"),
            new XElement(Ns + "ServiceLinkedRoleARN", $"arn:aws:iam::{group.Arn.Split(':')[4]}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"),
            new XElement(Ns + "CapacityRebalance", "false"),
            new XElement(Ns + "TrafficSources"));
        return member;
    }

    private static XElement LaunchTemplate(SandboxLaunchSpec launch) =>
        new(Ns + "LaunchTemplate",
            new XElement(Ns + "LaunchTemplateId", launch.LaunchTemplateId),
            new XElement(Ns + "LaunchTemplateName", launch.LaunchTemplateName),
            new XElement(Ns + "Version", launch.Version));

    private static XElement Activity(SandboxScalingActivity activity, SandboxAutoScalingGroup group, string element)
    {
        var node = new XElement(Ns + element,
            new XElement(Ns + "ActivityId", activity.ActivityId),
            new XElement(Ns + "AutoScalingGroupName", group.Name),
            new XElement(Ns + "Description", activity.Description),
            new XElement(Ns + "Cause", activity.Cause),
            new XElement(Ns + "StartTime", Timestamp(activity.StartTime)));
        if (activity.EndTime is DateTimeOffset end)
        {
            node.Add(new XElement(Ns + "EndTime", Timestamp(end)));
        }
        node.Add(
            new XElement(Ns + "StatusCode", activity.StatusCode),
            new XElement(Ns + "Progress", activity.Progress),
            new XElement(Ns + "Details", activity.Details),
            new XElement(Ns + "AutoScalingGroupARN", group.Arn));
        return node;
    }

    // Pages by position: the token names the last item of the page before.
    private static (List<T> Page, string? Next) Page<T>(List<T> items, Func<T, string> key, string scope, string? token, int max)
    {
        int start = 0;
        if (token is not null)
        {
            if (!PageToken.TryRead(token, scope, out string? after))
            {
                throw new SandboxException("InvalidNextToken", "The NextToken value is not valid.");
            }
            start = items.FindIndex(i => key(i) == after) + 1;
        }
        List<T> page = items.Skip(start).Take(max).ToList();
        string? next = start + page.Count < items.Count && page.Count > 0 ? PageToken.Write(scope, key(page[^1])) : null;
        return (page, next);
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static SandboxException Missing(string name) =>
        new("ValidationError", $"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    /// <summary>The form's name/value pairs, read the way the query protocol writes them.</summary>
    private sealed class Form(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        public string? Value(string name) => pairs.FirstOrDefault(p => p.Key == name).Value;

        public string Required(string name) => Value(name) is string value && value.Length > 0 ? value : throw Missing(name);

        public int? Int(string name, int min, int max)
        {
            if (Value(name) is not string text)
            {
                return null;
            }
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                throw new SandboxException("ValidationError", $"Value '{text}' for {name} is not valid.");
            }
            return value;
        }

        public bool? Bool(string name) => Value(name) switch
        {
            null => null,
            "true" => true,
            "false" => false,
            string other => throw new SandboxException("ValidationError", $"Value '{other}' for {name} is not a boolean."),
        };

        /// <summary><c>Name.member.1</c>, <c>Name.member.2</c>, ... in index order; <c>Name=</c> alone is the empty list.</summary>
        public List<string> List(string name) =>
            pairs
                .Select(p => (p.Value, Index: p.Key.StartsWith(name + ".member.", StringComparison.Ordinal)
                    && int.TryParse(p.Key.AsSpan(name.Length + 8), NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : -1))
                .Where(x => x.Index > 0)
                .OrderBy(x => x.Index)
                .Select(x => x.Value)
                .ToList();

        public List<(string Name, List<string> Values)> Filters()
        {
            var filters = new List<(string, List<string>)>();
            for (int n = 1; Value($"Filters.member.{n}.Name") is string filter; n++)
            {
                filters.Add((filter, List($"Filters.member.{n}.Values")));
            }
            return filters;
        }

        /// <summary>The first parameter that is not a member of the operation's input (nor Action or Version).</summary>
        public string? Unknown(string[] members) =>
            pairs.Select(p => p.Key.Split('.')[0]).FirstOrDefault(k => k is not ("Action" or "Version") && !members.Contains(k, StringComparer.Ordinal));
    }
}
