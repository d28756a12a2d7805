using MightyOps.Core.Deploy;
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
    private AutoScaling.AutoScalingSimulation? _autoScaling;

    /// <summary>An empty world for <paramref name="options"/> (region, account, time scale); seeds fill it.</summary>
    public SandboxWorld(SandboxOptions options)
    {
        Options = options;
        Clock = new SimulatedClock(options.TimeScale);
    }

    /// <summary>The options the world was made with.</summary>
    public SandboxOptions Options { get; }

    /// <summary>The region in every ARN and URI, e.g. <c>us-east-1</c>.</summary>
    public string Region => Options.Region;

    /// <summary>The 12-digit account in every ARN and the registry host.</summary>
    public string AccountId => Options.AccountId;

    /// <summary>Simulated time: ECS timestamps and the deployment simulation follow it.</summary>
    public SimulatedClock Clock { get; }

    /// <summary>Held while a request reads or changes the world.</summary>
    public object Sync { get; } = new();

    /// <summary>The ECR registry host: <c>{account}.dkr.ecr.{region}.amazonaws.com</c>.</summary>
    public string RegistryHost => $"{AccountId}.dkr.ecr.{Region}.amazonaws.com";

    /// <summary><paramref name="repository"/>:<paramref name="tag"/> in this registry.</summary>
    public ImageReference Image(string repository, string tag) => new(RegistryHost, repository, tag);

    /// <summary>True when <paramref name="image"/> is in this registry (a pull of it asks the sandbox's ECR).</summary>
    public bool InRegistry(ImageReference image) => string.Equals(image.Registry, RegistryHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>ECR repositories by name.</summary>
    public Dictionary<string, SandboxRepository> Repositories { get; } = new(StringComparer.Ordinal);

    /// <summary>EC2 instances by id (<c>i-0…</c>); container instances point at them.</summary>
    public Dictionary<string, SandboxInstance> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>S3 buckets by name.</summary>
    public Dictionary<string, SandboxBucket> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>EC2 Auto Scaling groups by name.</summary>
    internal Dictionary<string, AutoScaling.SandboxAutoScalingGroup> AutoScalingGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>ECS capacity providers (over Auto Scaling groups) by name.</summary>
    internal Dictionary<string, AutoScaling.SandboxCapacityProvider> CapacityProviders { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The Auto Scaling simulation: groups that launch, boot and register instances with their
    /// cluster, and terminate them. The caller holds <see cref="Sync"/>.
    /// </summary>
    internal AutoScaling.AutoScalingSimulation AutoScaling => _autoScaling ??= new AutoScaling.AutoScalingSimulation(this);

    /// <summary>
    /// The ECS state and the simulation that moves it, made on first use: the seed and every
    /// <see cref="EcsApi"/> over this world share it. The caller holds <see cref="Sync"/>.
    /// </summary>
    internal EcsSimulation Ecs => _ecs ??= new EcsSimulation(this);

    /// <summary>CloudWatch Logs: the awslogs groups and streams the simulated containers write. The caller holds <see cref="Sync"/>.</summary>
    internal Logs.LogStore Logs { get; } = new();

    /// <summary>Elastic Load Balancing: load balancers, target groups and the targets ECS registers. The caller holds <see cref="Sync"/>.</summary>
    internal Elb.ElbSimulation Elb { get; } = new();
}

/// <summary>An ECR repository and its images.</summary>
public sealed class SandboxRepository
{
    /// <summary>The repository name, e.g. <c>app</c>.</summary>
    public required string Name { get; init; }

    /// <summary>When the repository was created (DescribeRepositories <c>createdAt</c>).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>MUTABLE</c> or <c>IMMUTABLE</c>, as DescribeRepositories reports it (sandbox pushes move tags either way).</summary>
    public string ImageTagMutability { get; init; } = "MUTABLE";

    /// <summary>The images in push order; an image whose tags moved on stays, untagged.</summary>
    public List<SandboxImage> Images { get; } = [];
}

/// <summary>An image in a repository. <see cref="FailsToStart"/> images never reach RUNNING in ECS.</summary>
public sealed class SandboxImage
{
    /// <summary><c>sha256:</c> and 64 hex digits: the SHA-256 of <see cref="Manifest"/>, as a registry computes it.</summary>
    public required string Digest { get; init; }

    /// <summary>The tags on this image now (none for an untagged image).</summary>
    public List<string> Tags { get; } = [];

    /// <summary>The compressed size of its layers and config.</summary>
    public long SizeInBytes { get; init; }

    /// <summary>When it was pushed (DescribeImages <c>imagePushedAt</c>).</summary>
    public DateTimeOffset PushedAt { get; init; }

    /// <summary>The media type of <see cref="Manifest"/>.</summary>
    public string ManifestMediaType { get; init; } = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>The image manifest as stored (BatchGetImage <c>imageManifest</c>).</summary>
    public required string Manifest { get; init; }

    /// <summary>Its containers run, but answer a load balancer's health check with HTTP 502 (docs/design/load-balanced-deploys.md).</summary>
    public bool FailsHealthChecks { get; set; }

    /// <summary>Set on purpose so failed deployments can be shown.</summary>
    public bool FailsToStart { get; set; }

    /// <summary>What the container reports when it fails (e.g. an exit reason).</summary>
    public string? FailureReason { get; set; }

    /// <summary>The message of the exception its containers print before they exit, when <see cref="FailsToStart"/>; null for <see cref="DefaultCrashMessage"/>.</summary>
    public string? CrashMessage { get; set; }

    /// <summary>What a failing image's containers die of unless told otherwise.</summary>
    public const string DefaultCrashMessage = "connection to server at \"10.0.3.17\", port 5432 failed: Connection refused (ActiveRecord::ConnectionNotEstablished)";

    /// <summary>The exit code a container of this image stops with when <see cref="FailsToStart"/> (1 unless set, e.g. 137 for an OOM kill).</summary>
    public int FailureExitCode { get; set; } = 1;
}

/// <summary>An EC2 instance (they back the ECS container instances).</summary>
public sealed class SandboxInstance
{
    /// <summary>The instance id: <c>i-</c> and 8 or 17 lower-case hex digits.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The instance type, e.g. <c>m5.large</c>.</summary>
    public string InstanceType { get; init; } = "m5.large";

    /// <summary><c>spot</c> for a Spot Instance; null for On-Demand (EC2 leaves <c>instanceLifecycle</c> out then).</summary>
    public string? InstanceLifecycle { get; init; }

    /// <summary>The AMI it was launched from.</summary>
    public string ImageId { get; init; } = "ami-0abcdef1234567890";

    /// <summary><c>pending</c>, <c>running</c>, <c>stopping</c>, <c>stopped</c>, <c>shutting-down</c> or <c>terminated</c>.</summary>
    public string State { get; set; } = "running";

    /// <summary>The private address; 127.0.0.1 by default, so SSH to it reaches a local sshd.</summary>
    public string PrivateIpAddress { get; init; } = "127.0.0.1";

    /// <summary>The public address, when it has one.</summary>
    public string? PublicIpAddress { get; init; }

    /// <summary>The private DNS name; derived from the address and region when empty.</summary>
    public string PrivateDnsName { get; init; } = string.Empty;

    /// <summary>The public DNS name, when it has one.</summary>
    public string? PublicDnsName { get; init; }

    /// <summary>E.g. <c>us-east-1a</c>; the region's first zone when empty.</summary>
    public string AvailabilityZone { get; init; } = string.Empty;

    /// <summary>The EC2 key pair it was launched with.</summary>
    public string? KeyName { get; init; }

    /// <summary>When it was launched.</summary>
    public DateTimeOffset LaunchTime { get; init; }

    /// <summary>EC2 tags (DescribeInstances filters on them with <c>tag:Key</c>).</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>Port of a real sshd on 127.0.0.1 standing in for this host (Enter-MightyContainer tests).</summary>
    public int? SshPort { get; set; }
}

/// <summary>An S3 bucket.</summary>
public sealed class SandboxBucket
{
    /// <summary>The bucket name.</summary>
    public required string Name { get; init; }

    /// <summary>When the bucket was created (ListBuckets <c>CreationDate</c>).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Objects by key, in the byte order S3 lists them.</summary>
    public SortedDictionary<string, SandboxObject> Objects { get; } = new(StringComparer.Ordinal);
}

/// <summary>An S3 object.</summary>
public sealed class SandboxObject
{
    /// <summary>The object key.</summary>
    public required string Key { get; init; }

    /// <summary>The object bytes.</summary>
    public required byte[] Content { get; init; }

    /// <summary>The Content-Type it was stored with (S3's default is <c>binary/octet-stream</c>).</summary>
    public string ContentType { get; init; } = "binary/octet-stream";

    /// <summary>The quoted ETag: the MD5 of the content, or for a multipart upload the MD5 of the part MD5s and <c>-N</c>.</summary>
    public required string ETag { get; init; }

    /// <summary>When it was written, to the second.</summary>
    public DateTimeOffset LastModified { get; init; }

    /// <summary>User metadata (<c>x-amz-meta-*</c>), names in lower case without the prefix.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Standard headers stored with the object and returned by GET/HEAD (Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Full-object checksums by algorithm (<c>CRC32</c>, <c>CRC32C</c>, <c>CRC64NVME</c>, <c>SHA1</c>, <c>SHA256</c>), base64, as S3 returns them in <c>x-amz-checksum-*</c>.</summary>
    public Dictionary<string, string> Checksums { get; } = new(StringComparer.OrdinalIgnoreCase);
}
