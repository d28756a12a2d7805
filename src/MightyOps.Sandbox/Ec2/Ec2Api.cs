using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using System.Text.RegularExpressions;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Ec2;

/// <summary>
/// EC2 Query protocol (docs/design/aws-sdk-notes.md, "EC2 Query protocol"): form-encoded <c>Action=DescribeInstances&amp;Version=2016-11-15&amp;InstanceId.1=…</c>
/// answered in the 2016-11-15 XML namespace, over <see cref="SandboxWorld.Instances"/>.
/// </summary>
internal sealed class Ec2Api(SandboxWorld world)
{
    /// <summary>
    /// Tag the sandbox adds to an instance that stands in for a real sshd on 127.0.0.1, so a client
    /// can find the port (real EC2 hosts listen on 22).
    /// </summary>
    public const string SshPortTag = "mightyops:sandbox-ssh-port";

    private static readonly XNamespace Ns = AwsResponses.Ec2Namespace;

    public HttpResponse Handle(string action, HttpRequest request, string requestId)
    {
        // The form body first; query parameters count too (a GET-style Query request), but never a second Action.
        var parameters = new List<KeyValuePair<string, string>>(request.Form);
        parameters.AddRange(request.Query.Where(q => q.Key != "Action" || request.FormValue("Action") is null));
        if (Value(parameters, "DryRun") is "true")
        {
            return AwsResponses.Ec2Error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", requestId);
        }
        return action switch
        {
            "DescribeInstances" => DescribeInstances(parameters, requestId),
            _ => AwsResponses.Ec2Error(400, "InvalidAction", $"The action {action} is not valid for this web service.", requestId),
        };
    }

    private HttpResponse DescribeInstances(List<KeyValuePair<string, string>> parameters, string requestId)
    {
        List<string> ids = Indexed(parameters, "InstanceId");
        List<(string Name, List<string> Values)> filters = Filters(parameters);
        string? maxText = Value(parameters, "MaxResults");
        string? nextToken = Value(parameters, "NextToken");

        int? max = null;
        if (maxText is not null)
        {
            if (ids.Count > 0)
            {
                throw new SandboxException("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
            }
            if (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out int m) || m < 5 || m > 1000)
            {
                throw new SandboxException("InvalidParameterValue", $"Value ( {maxText} ) for parameter maxResults is invalid. Expecting a value greater than 5.");
            }
            max = m;
        }
        foreach (string id in ids)
        {
            if (!IsInstanceId(id))
            {
                throw new SandboxException("InvalidInstanceID.Malformed", $"Invalid id: \"{id}\" (expecting \"i-...\")");
            }
        }

        List<SandboxInstance> instances;
        lock (world.Sync)
        {
            // Instances boot and terminate on the simulated clock.
            world.Ecs.AdvanceTo(world.Clock.UtcNow);
            List<string> missing = ids.Where(id => !world.Instances.ContainsKey(id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                throw new SandboxException("InvalidInstanceID.NotFound",
                    missing.Count == 1 ? $"The instance ID '{missing[0]}' does not exist" : $"The instance IDs '{string.Join(", ", missing)}' do not exist");
            }
            IEnumerable<SandboxInstance> selected = ids.Count > 0
                ? ids.Distinct().Select(id => world.Instances[id])
                : world.Instances.Values.OrderBy(i => i.LaunchTime).ThenBy(i => i.InstanceId, StringComparer.Ordinal);
            foreach ((string name, List<string> values) in filters)
            {
                Func<SandboxInstance, IEnumerable<string?>> field = FilterField(name);
                selected = selected.Where(i => field(i).Any(v => v is not null && values.Any(pattern => FilterMatches(v, pattern))));
            }
            instances = selected.ToList();
        }

        string? newToken = null;
        if (nextToken is not null)
        {
            string after = PageToken.TryRead(nextToken, "instances", out string? last)
                ? last
                : throw new SandboxException("InvalidParameterValue", $"The parameter NextToken is invalid: {nextToken}");
            int index = instances.FindIndex(i => i.InstanceId == after);
            instances = index < 0 ? [] : instances.Skip(index + 1).ToList();
        }
        if (max is int limit && instances.Count > limit)
        {
            instances = instances.Take(limit).ToList();
            newToken = PageToken.Write("instances", instances[^1].InstanceId);
        }

        var reservations = new XElement(Ns + "reservationSet");
        foreach (SandboxInstance instance in instances)
        {
            reservations.Add(new XElement(Ns + "item",
                new XElement(Ns + "reservationId", "r-" + Hex(instance.InstanceId + "/reservation", 17)),
                new XElement(Ns + "ownerId", world.AccountId),
                new XElement(Ns + "groupSet"),
                new XElement(Ns + "instancesSet", InstanceXml(instance))));
        }
        var root = new XElement(Ns + "DescribeInstancesResponse",
            new XElement(Ns + "requestId", requestId),
            reservations);
        if (newToken is not null)
        {
            root.Add(new XElement(Ns + "nextToken", newToken));
        }
        return AwsResponses.Xml(200, root);
    }

    private XElement InstanceXml(SandboxInstance instance)
    {
        (int code, string state) = instance.State switch
        {
            "pending" => (0, "pending"),
            "shutting-down" => (32, "shutting-down"),
            "terminated" => (48, "terminated"),
            "stopping" => (64, "stopping"),
            "stopped" => (80, "stopped"),
            _ => (16, "running"),
        };
        string az = AvailabilityZone(instance);
        string subnet = SubnetOf(az);
        string vpc = "vpc-" + Hex(world.AccountId + "/vpc", 17);
        string privateDns = instance.PrivateDnsName.Length > 0
            ? instance.PrivateDnsName
            : $"ip-{instance.PrivateIpAddress.Replace('.', '-')}.{(world.Region == "us-east-1" ? "ec2.internal" : world.Region + ".compute.internal")}";
        string launchTime = instance.LaunchTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        var item = new XElement(Ns + "item",
            new XElement(Ns + "instanceId", instance.InstanceId),
            new XElement(Ns + "imageId", instance.ImageId),
            new XElement(Ns + "instanceState", new XElement(Ns + "code", code), new XElement(Ns + "name", state)),
            new XElement(Ns + "privateDnsName", privateDns),
            new XElement(Ns + "dnsName", instance.PublicDnsName ?? string.Empty),
            new XElement(Ns + "reason"));
        if (instance.KeyName is not null)
        {
            item.Add(new XElement(Ns + "keyName", instance.KeyName));
        }
        item.Add(
            new XElement(Ns + "amiLaunchIndex", 0),
            new XElement(Ns + "productCodes"),
            new XElement(Ns + "instanceType", instance.InstanceType),
            new XElement(Ns + "launchTime", launchTime),
            new XElement(Ns + "placement",
                new XElement(Ns + "availabilityZone", az),
                new XElement(Ns + "groupName"),
                new XElement(Ns + "tenancy", "default")),
            new XElement(Ns + "monitoring", new XElement(Ns + "state", "disabled")),
            new XElement(Ns + "subnetId", subnet),
            new XElement(Ns + "vpcId", vpc),
            new XElement(Ns + "privateIpAddress", instance.PrivateIpAddress));
        if (instance.PublicIpAddress is not null)
        {
            item.Add(new XElement(Ns + "ipAddress", instance.PublicIpAddress));
        }
        item.Add(
            new XElement(Ns + "sourceDestCheck", "true"),
            new XElement(Ns + "groupSet", new XElement(Ns + "item",
                new XElement(Ns + "groupId", "sg-" + Hex(world.AccountId + "/ecs-sg", 17)),
                new XElement(Ns + "groupName", "ecs-instances"))),
            new XElement(Ns + "architecture", "x86_64"),
            new XElement(Ns + "rootDeviceType", "ebs"),
            new XElement(Ns + "rootDeviceName", "/dev/xvda"),
            new XElement(Ns + "blockDeviceMapping", new XElement(Ns + "item",
                new XElement(Ns + "deviceName", "/dev/xvda"),
                new XElement(Ns + "ebs",
                    new XElement(Ns + "volumeId", "vol-" + Hex(instance.InstanceId + "/vol", 17)),
                    new XElement(Ns + "status", "attached"),
                    new XElement(Ns + "attachTime", launchTime),
                    new XElement(Ns + "deleteOnTermination", "true")))),
            new XElement(Ns + "virtualizationType", "hvm"),
            new XElement(Ns + "clientToken"),
            new XElement(Ns + "iamInstanceProfile",
                new XElement(Ns + "arn", $"arn:aws:iam::{world.AccountId}:instance-profile/ecsInstanceRole"),
                new XElement(Ns + "id", "AIPA" + Hex(world.AccountId + "/profile", 17).ToUpperInvariant())),
            new XElement(Ns + "hypervisor", "xen"),
            instance.InstanceLifecycle is string lifecycle ? new XElement(Ns + "instanceLifecycle", lifecycle) : null,
            new XElement(Ns + "ebsOptimized", "false"),
            new XElement(Ns + "enaSupport", "true"));

        var tags = new List<KeyValuePair<string, string>>(instance.Tags);
        if (instance.SshPort is int port)
        {
            tags.Add(new(SshPortTag, port.ToString(CultureInfo.InvariantCulture)));
        }
        if (tags.Count > 0)
        {
            item.Add(new XElement(Ns + "tagSet", tags.Select(t =>
                new XElement(Ns + "item", new XElement(Ns + "key", t.Key), new XElement(Ns + "value", t.Value)))));
        }
        return item;
    }

    private string AvailabilityZone(SandboxInstance instance) =>
        instance.AvailabilityZone.Length > 0 ? instance.AvailabilityZone : world.Region + "a";

    private Func<SandboxInstance, IEnumerable<string?>> FilterField(string name)
    {
        if (name.StartsWith("tag:", StringComparison.Ordinal))
        {
            string key = name[4..];
            return i => i.Tags.TryGetValue(key, out string? v) ? [v] : [];
        }
        return name switch
        {
            "instance-id" => i => [i.InstanceId],
            "instance-state-name" => i => [i.State],
            "instance-type" => i => [i.InstanceType],
            "image-id" => i => [i.ImageId],
            "private-ip-address" or "network-interface.addresses.private-ip-address" => i => [i.PrivateIpAddress],
            "ip-address" => i => [i.PublicIpAddress],
            "private-dns-name" => i => [i.PrivateDnsName],
            "dns-name" => i => [i.PublicDnsName],
            "availability-zone" => i => [AvailabilityZone(i)],
            "key-name" => i => [i.KeyName],
            "tag-key" => i => i.Tags.Keys,
            "tag-value" => i => i.Tags.Values,
            _ => throw new SandboxException("InvalidParameterValue", $"The filter '{name}' is invalid"),
        };
    }

    private static List<(string Name, List<string> Values)> Filters(List<KeyValuePair<string, string>> parameters)
    {
        var result = new List<(string, List<string>)>();
        for (int n = 1; ; n++)
        {
            string? name = Value(parameters, $"Filter.{n}.Name");
            if (name is null)
            {
                return result;
            }
            List<string> values = Indexed(parameters, $"Filter.{n}.Value");
            if (values.Count == 0)
            {
                throw new SandboxException("InvalidParameterValue", $"The filter '{name}' needs at least one value");
            }
            result.Add((name, values));
        }
    }

    /// <summary>The values of <c>Prefix.1</c>, <c>Prefix.2</c>, … in index order.</summary>
    private static List<string> Indexed(List<KeyValuePair<string, string>> parameters, string prefix) =>
        parameters
            .Select(p => (p.Value, Index: p.Key.StartsWith(prefix + ".", StringComparison.Ordinal) &&
                int.TryParse(p.Key.AsSpan(prefix.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : -1))
            .Where(x => x.Index > 0)
            .OrderBy(x => x.Index)
            .Select(x => x.Value)
            .ToList();

    private static string? Value(List<KeyValuePair<string, string>> parameters, string name) =>
        parameters.FirstOrDefault(p => p.Key == name).Value;

    private static bool IsInstanceId(string id) =>
        id.StartsWith("i-", StringComparison.Ordinal) && id.Length is 10 or 19 && id[2..].All(char.IsAsciiHexDigitLower);

    /// <summary>EC2 filter values are case-sensitive and take <c>*</c> and <c>?</c> wildcards (backslash escapes them).</summary>
    private static bool FilterMatches(string value, string pattern)
    {
        if (pattern.IndexOfAny(['*', '?', '\\']) < 0)
        {
            return value == pattern;
        }
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else
            {
                regex.Append(c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) });
            }
        }
        return Regex.IsMatch(value, regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>The subnet id the sandbox gives an Availability Zone.</summary>
    public static string SubnetOf(string zone) => "subnet-" + Hex(zone + "/subnet", 17);

    private static string Hex(string seed, int length) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(seed))).ToLowerInvariant()[..length];
}
