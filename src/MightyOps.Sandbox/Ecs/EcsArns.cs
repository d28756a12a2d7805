using System.Globalization;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// ARNs and identifiers in the formats ECS uses today (docs/design/ecs-deployments-and-events.md, "ARN formats"): the long
/// ARN format with the cluster in task, service and container-instance ARNs, 32-hex task ids,
/// <c>ecs-svc/</c> + 19 digits for deployments, 64-hex Docker ids for containers on EC2.
/// </summary>
internal sealed class EcsArns
{
    private readonly string _prefix;
    private readonly Random _random;

    public EcsArns(string region, string accountId, Random random)
    {
        Region = region;
        AccountId = accountId;
        _prefix = $"arn:aws:ecs:{region}:{accountId}:";
        _random = random;
    }

    public string Region { get; }

    public string AccountId { get; }

    public string Cluster(string name) => $"{_prefix}cluster/{name}";

    public string Service(string cluster, string name) => $"{_prefix}service/{cluster}/{name}";

    public string Task(string cluster, string id) => $"{_prefix}task/{cluster}/{id}";

    public string Container(string cluster, string taskId, string uuid) => $"{_prefix}container/{cluster}/{taskId}/{uuid}";

    public string ContainerInstance(string cluster, string id) => $"{_prefix}container-instance/{cluster}/{id}";

    public string ServiceDeployment(string cluster, string service, string id) => $"{_prefix}service-deployment/{cluster}/{service}/{id}";

    public string ServiceRevision(string cluster, string service, string id) => $"{_prefix}service-revision/{cluster}/{service}/{id}";

    /// <summary>21 characters of letters, digits, '_' and '-', as the ids of service deployments look.</summary>
    public string NewServiceDeploymentId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        return string.Create(21, _random, (chars, random) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }
        });
    }

    public string TaskDefinition(string family, int revision) =>
        $"{_prefix}task-definition/{family}:{revision.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The resource part of an ECS ARN of this account and region (<c>service/prod/web</c>), or
    /// null when <paramref name="value"/> is not such an ARN. An ARN of another account or region
    /// names something the sandbox does not have, so it is reported as not found by the caller.
    /// </summary>
    public string? ResourceOf(string value, string resourceType, out bool isArn)
    {
        isArn = value.StartsWith("arn:", StringComparison.Ordinal);
        if (!isArn)
        {
            return null;
        }
        string expected = _prefix + resourceType + "/";
        return value.StartsWith(expected, StringComparison.Ordinal) ? value[expected.Length..] : string.Empty;
    }

    public string NewTaskId() => Hex(16);

    public string NewContainerInstanceId() => Hex(16);

    public string NewRuntimeId() => Hex(32);

    public string NewDeploymentId()
    {
        // 19 digits, the first one non-zero: ECS ids are positive longs of that length.
        long value = _random.NextInt64(1_000_000_000_000_000_000L, long.MaxValue);
        return "ecs-svc/" + value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A random (version 4) UUID, drawn from the sandbox's seeded random source.</summary>
    public string NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        string hex = ToHex(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    public string Hex(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        _random.NextBytes(bytes);
        return ToHex(bytes);
    }

    /// <summary>Lower-case hex, as ECS and Docker ids are written.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
