using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox;

/// <summary>
/// Everything the sandbox knows, shared by its services: ECS reads ECR images (does this image
/// exist, does it start) and EC2 instances (what backs a container instance). Requests are
/// served one at a time under <see cref="Sync"/>, so the state needs no finer locking.
/// </summary>
public sealed class SandboxWorld
{
    private EcsSimulation? _ecs;

    public SandboxWorld(SandboxOptions options)
    {
        Options = options;
        Clock = new SimulatedClock(options.TimeScale);
    }

    public SandboxOptions Options { get; }

    public string Region => Options.Region;

    public string AccountId => Options.AccountId;

    public SimulatedClock Clock { get; }

    /// <summary>Held while a request reads or changes the world.</summary>
    public object Sync { get; } = new();

    /// <summary>The ECR registry host: <c>{account}.dkr.ecr.{region}.amazonaws.com</c>.</summary>
    public string RegistryHost => $"{AccountId}.dkr.ecr.{Region}.amazonaws.com";

    public Dictionary<string, SandboxRepository> Repositories { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SandboxInstance> Instances { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SandboxBucket> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The ECS state and the simulation that moves it, made on first use: the seed and every
    /// <see cref="EcsApi"/> over this world share it. The caller holds <see cref="Sync"/>.
    /// </summary>
    internal EcsSimulation Ecs => _ecs ??= new EcsSimulation(this);
}

/// <summary>An ECR repository and its images.</summary>
public sealed class SandboxRepository
{
    public required string Name { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string ImageTagMutability { get; init; } = "MUTABLE";

    public List<SandboxImage> Images { get; } = [];
}

/// <summary>An image in a repository. <see cref="FailsToStart"/> images never reach RUNNING in ECS.</summary>
public sealed class SandboxImage
{
    public required string Digest { get; init; }

    public List<string> Tags { get; } = [];

    public long SizeInBytes { get; init; }

    public DateTimeOffset PushedAt { get; init; }

    public string ManifestMediaType { get; init; } = "application/vnd.docker.distribution.manifest.v2+json";

    public required string Manifest { get; init; }

    /// <summary>Set on purpose so failed deployments can be shown.</summary>
    public bool FailsToStart { get; set; }

    /// <summary>What the container reports when it fails (e.g. an exit reason).</summary>
    public string? FailureReason { get; set; }

    /// <summary>The exit code a container of this image stops with when <see cref="FailsToStart"/> (1 unless set, e.g. 137 for an OOM kill).</summary>
    public int FailureExitCode { get; set; } = 1;
}

/// <summary>An EC2 instance (they back the ECS container instances).</summary>
public sealed class SandboxInstance
{
    public required string InstanceId { get; init; }

    public string InstanceType { get; init; } = "m5.large";

    public string ImageId { get; init; } = "ami-0abcdef1234567890";

    public string State { get; set; } = "running";

    public string PrivateIpAddress { get; init; } = "127.0.0.1";

    public string? PublicIpAddress { get; init; }

    public string PrivateDnsName { get; init; } = string.Empty;

    public string? PublicDnsName { get; init; }

    public string AvailabilityZone { get; init; } = string.Empty;

    public string? KeyName { get; init; }

    public DateTimeOffset LaunchTime { get; init; }

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>Port of a real sshd on 127.0.0.1 standing in for this host (Enter-MightyContainer tests).</summary>
    public int? SshPort { get; set; }
}

/// <summary>An S3 bucket.</summary>
public sealed class SandboxBucket
{
    public required string Name { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public SortedDictionary<string, SandboxObject> Objects { get; } = new(StringComparer.Ordinal);
}

/// <summary>An S3 object.</summary>
public sealed class SandboxObject
{
    public required string Key { get; init; }

    public required byte[] Content { get; init; }

    public string ContentType { get; init; } = "binary/octet-stream";

    public required string ETag { get; init; }

    public DateTimeOffset LastModified { get; init; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Standard headers stored with the object and returned by GET/HEAD (Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Full-object checksums by algorithm (<c>CRC32</c>, <c>CRC32C</c>, <c>CRC64NVME</c>, <c>SHA1</c>, <c>SHA256</c>), base64, as S3 returns them in <c>x-amz-checksum-*</c>.</summary>
    public Dictionary<string, string> Checksums { get; } = new(StringComparer.OrdinalIgnoreCase);
}
