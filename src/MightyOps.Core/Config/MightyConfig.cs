using MightyOps.Core.Aws;
using MightyOps.Core.Aws.S3;

namespace MightyOps.Core.Config;

/// <summary>
/// The settings of one application, read from its <c>mighty.psd1</c> by
/// <see cref="MightyConfigReader"/>. Every key is optional: <see cref="Empty"/> is what a command
/// uses when there is no file. Explicit cmdlet parameters win over these values, and these win
/// over built-in defaults. docs/about_MightyOps_Config.md describes every key.
/// </summary>
public sealed record MightyConfig
{
    /// <summary>No file: nothing configured.</summary>
    public static MightyConfig Empty { get; } = new();

    /// <summary>The full path of the file these settings came from; null for <see cref="Empty"/>.</summary>
    public string? Path { get; init; }

    /// <summary>The ECS cluster (name or ARN) commands use when -Cluster is not given.</summary>
    public string? Cluster { get; init; }

    /// <summary>The AWS region used when -Region is not given (before AWS_REGION and the profile's region).</summary>
    public string? Region { get; init; }

    /// <summary>The AWS profile used when -ProfileName is not given (before AWS_PROFILE).</summary>
    public string? ProfileName { get; init; }

    /// <summary>An endpoint URL for every AWS service (a local endpoint such as the sandbox); -EndpointUrl wins.</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>Where deploys read secrets from, and how they hand them to containers; null when not configured.</summary>
    public SecretsSettings? Secrets { get; init; }

    /// <summary>How the exec cmdlets reach container hosts.</summary>
    public SshSettings Ssh { get; init; } = new();

    /// <summary>Sidekiq's Redis, as a URL (<c>redis://host:6379/0</c>, <c>rediss://</c> for TLS); null when not configured.</summary>
    public Uri? Redis { get; init; }

    /// <summary>The Sidekiq Redis namespace (redis-namespace gem), when the application uses one.</summary>
    public string? Namespace { get; init; }

    /// <summary>What deploys and scale-outs do when the tasks would not fit (Warn, Strict, Off); null when not configured (Warn).</summary>
    public CapacityCheck? CapacityCheck { get; init; }

    /// <summary>The one-off task a deploy runs before it updates any service (migrations); null when not configured.</summary>
    public BeforeDeploySettings? BeforeDeploy { get; init; }

    /// <summary>Container settings applied to every container of every service listed in <see cref="Services"/>.</summary>
    public ContainerSettings Defaults { get; init; } = new();

    /// <summary>
    /// The services MightyOps manages, by ECS service name as written (ECS names are
    /// case-sensitive; two names differing only in case cannot both be keys of a psd1 hashtable).
    /// </summary>
    public IReadOnlyDictionary<string, ServiceSettings> Services { get; init; } = new Dictionary<string, ServiceSettings>(StringComparer.Ordinal);

    /// <summary>The services that have a <see cref="ServiceSettings.Queue"/>, i.e. one Sidekiq queue each.</summary>
    public IEnumerable<KeyValuePair<string, ServiceSettings>> QueueServices => Services.Where(s => s.Value.Queue is not null);

    /// <summary>
    /// The AWS options for a command: each parameter given wins; what is left out comes from this
    /// file (Region and EndpointUrl before the environment, since the cluster named here lives
    /// there), and then from the environment. The file's ProfileName gives way to
    /// <c>AWS_PROFILE</c> and to keys in <c>AWS_ACCESS_KEY_ID</c>: a profile named in a committed
    /// file must not break a shell or CI job that brings its own credentials. Messages about a
    /// value taken from the file name the file.
    /// </summary>
    public AwsOptions AwsOptions(string? region, string? profileName, string? endpointUrl)
    {
        bool environmentNamesCredentials =
            !string.IsNullOrWhiteSpace(System.Environment.GetEnvironmentVariable("AWS_PROFILE"))
            || !string.IsNullOrWhiteSpace(System.Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
        string? profile = profileName ?? (environmentNamesCredentials ? null : ProfileName);
        return new AwsOptions(region ?? Region, profile, endpointUrl ?? EndpointUrl)
        {
            RegionOrigin = region is null && Region is not null ? $"Region in {Path}" : "-Region",
            ProfileOrigin = profileName is null && profile is not null ? $"ProfileName in {Path}" : "-ProfileName",
            EndpointOrigin = endpointUrl is null && EndpointUrl is not null ? $"EndpointUrl in {Path}" : "-EndpointUrl",
        };
    }

    /// <summary>
    /// The settings a deploy applies to <paramref name="container"/> of <paramref name="service"/>:
    /// <see cref="Defaults"/>, then the service's <see cref="ServiceSettings.Environment"/>, then
    /// the container's own settings (each key set later wins; environments merge key by key), with
    /// <c>{service}</c> and <c>{container}</c> replaced in log options. Null when the service is not
    /// listed under Services: the config does not manage it, so a deploy changes only its images.
    /// </summary>
    public ContainerSettings? ContainerSettingsFor(string service, string container)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(container);
        if (!Services.TryGetValue(service, out ServiceSettings? settings))
        {
            return null;
        }
        ContainerSettings own = settings.Containers.GetValueOrDefault(container) ?? new ContainerSettings();
        ContainerSettings merged = Defaults
            .Overlay(new ContainerSettings { Environment = settings.Environment })
            .Overlay(own);
        return merged with { LogConfiguration = merged.LogConfiguration?.ForContainer(service, container) };
    }
}

/// <summary>
/// The <c>BeforeDeploy</c> section: the command Publish-MightyService runs once per call as a
/// one-off task on the new revision of <see cref="Service"/>, after every revision is registered
/// and before any service is updated (docs/design/one-off-tasks.md, "Before a deploy").
/// </summary>
/// <param name="Service">The service whose new revision runs it.</param>
/// <param name="Container">Its container; may be left out when the definition has one.</param>
/// <param name="Command">The command (a string for sh -c, or the words of a list).</param>
/// <param name="Timeout">How long it may run before the deploy gives up (default 30 minutes).</param>
public sealed record BeforeDeploySettings(string Service, string? Container, Tasks.TaskCommand Command, TimeSpan Timeout)
{
    /// <summary>The time a before-deploy task may run when the file does not say.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);
}

/// <summary>How secrets reach containers.</summary>
public enum SecretsMode
{
    /// <summary>A <c>.env</c> object in S3 referenced by the container's <c>environmentFiles</c> (the default): nothing secret in the task definition.</summary>
    EnvironmentFile,

    /// <summary>Values in the task definition's <c>environment</c>: readable by anyone who may describe it (opt-in, warned about).</summary>
    Environment,
}

/// <summary>The <c>Secrets</c> section: an S3 JSON object and the delivery mode.</summary>
/// <param name="Source">The JSON object, <c>s3://bucket/key.json</c>.</param>
/// <param name="Mode">How merged secrets reach the containers.</param>
public sealed record SecretsSettings(S3Location Source, SecretsMode Mode = SecretsMode.EnvironmentFile);

/// <summary>Which address of a container host the exec cmdlets connect to.</summary>
public enum SshAddressKind
{
    /// <summary>The instance's private IP (from inside the VPC, or through a bastion). The default.</summary>
    Private,

    /// <summary>The instance's public IP.</summary>
    Public,
}

/// <summary>A jump host, written <c>user@host[:port]</c> in the config.</summary>
/// <param name="User">The login on the bastion; null means the same user as <see cref="SshSettings.User"/>.</param>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">SSH port on the bastion; null means 22.</param>
public sealed record SshEndpoint(string? User, string Host, int? Port)
{
    public override string ToString() => $"{(User is null ? string.Empty : User + "@")}{Host}{(Port is null ? string.Empty : ":" + Port)}";
}

/// <summary>The <c>Ssh</c> section. Every value null means "not configured" (the exec cmdlets pick their defaults).</summary>
public sealed record SshSettings
{
    /// <summary>Login on the container hosts (ec2-user on Amazon Linux).</summary>
    public string? User { get; init; }

    /// <summary>Private key file, with <c>~</c> expanded and a relative path resolved against the config file's folder.</summary>
    public string? KeyFilePath { get; init; }

    /// <summary>SSH port on the container hosts (1-65535).</summary>
    public int? Port { get; init; }

    /// <summary>A jump host to go through, when set.</summary>
    public SshEndpoint? Bastion { get; init; }

    /// <summary>Private or public instance address.</summary>
    public SshAddressKind? Address { get; init; }

    /// <summary>Host key checking.</summary>
    public HostKeyPolicy? HostKeyPolicy { get; init; }
}

/// <summary>
/// One managed ECS service: its container settings and, for a Sidekiq worker service, its queue
/// and scaling bounds.
/// </summary>
public sealed record ServiceSettings
{
    /// <summary>Scaling defaults when a queue service does not set them.</summary>
    public const int DefaultMinCount = 0, DefaultMaxCount = 10, DefaultJobsPerTask = 100, DefaultCooldownMinutes = 10;

    /// <summary>The Sidekiq queue this service works off; null for a service that is not a queue worker.</summary>
    public string? Queue { get; init; }

    /// <summary>Fewest tasks the scaling policy sets (default 0).</summary>
    public int MinCount { get; init; } = DefaultMinCount;

    /// <summary>Most tasks the scaling policy sets (default 10).</summary>
    public int MaxCount { get; init; } = DefaultMaxCount;

    /// <summary>Queued jobs one task is expected to handle; desired count = ceiling(queue size / this), within the bounds (default 100).</summary>
    public int JobsPerTask { get; init; } = DefaultJobsPerTask;

    /// <summary>Minutes after a change of the desired count before a scale-in (default 10; scale-outs never wait).</summary>
    public int CooldownMinutes { get; init; } = DefaultCooldownMinutes;

    /// <summary>Environment for every container of this service (after Defaults.Environment, before secrets).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = ContainerSettings.NoEnvironment;

    /// <summary>Per-container settings by container name as written (case-sensitive, as in ECS).</summary>
    public IReadOnlyDictionary<string, ContainerSettings> Containers { get; init; } = new Dictionary<string, ContainerSettings>(StringComparer.Ordinal);

    /// <summary>
    /// Where each key of <see cref="Containers"/> is written in the file (line and column), so a
    /// container name that only the live task definition can prove wrong is reported like every
    /// other mistake in the file.
    /// </summary>
    public IReadOnlyDictionary<string, TextPosition> ContainerPositions { get; init; } = new Dictionary<string, TextPosition>(StringComparer.Ordinal);
}

/// <summary>
/// Container settings: a container of a service, or <see cref="MightyConfig.Defaults"/>. Each is
/// optional; null means "leave what the live task definition has". The set is kept small on
/// purpose: what a Rails + Sidekiq service needs to change between deploys.
/// </summary>
public sealed record ContainerSettings
{
    internal static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>ECR repository name of the container's image (in the account and region of the session), e.g. <c>app</c>.</summary>
    public string? Repository { get; init; }

    /// <summary>CPU units reserved for the container (1024 = one vCPU).</summary>
    public int? Cpu { get; init; }

    /// <summary>Hard memory limit in MiB; the container is killed above it.</summary>
    public int? Memory { get; init; }

    /// <summary>Soft memory reservation in MiB, used for placement.</summary>
    public int? MemoryReservation { get; init; }

    /// <summary>Container ports (TCP); the host port is chosen by ECS (dynamic port mapping).</summary>
    public IReadOnlyList<int>? PortMappings { get; init; }

    /// <summary>The container's command (<c>bundle exec sidekiq -q default</c> as separate words).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The container's entry point, as separate words.</summary>
    public IReadOnlyList<string>? EntryPoint { get; init; }

    /// <summary>Plain (not secret) environment variables, merged key by key over the live ones.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = NoEnvironment;

    /// <summary>The log driver and its options.</summary>
    public LogSettings? LogConfiguration { get; init; }

    /// <summary>Whether the task stops when this container stops.</summary>
    public bool? Essential { get; init; }

    /// <summary>Seconds between SIGTERM and SIGKILL when the container is stopped (Sidekiq needs its shutdown timeout plus a margin).</summary>
    public int? StopTimeout { get; init; }

    /// <summary>
    /// These settings with every value that <paramref name="over"/> sets replacing this one's;
    /// environments merge key by key (the later value wins).
    /// </summary>
    public ContainerSettings Overlay(ContainerSettings over)
    {
        ArgumentNullException.ThrowIfNull(over);
        var environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach ((string key, string value) in over.Environment)
        {
            environment[key] = value;
        }
        return new ContainerSettings
        {
            Repository = over.Repository ?? Repository,
            Cpu = over.Cpu ?? Cpu,
            Memory = over.Memory ?? Memory,
            MemoryReservation = over.MemoryReservation ?? MemoryReservation,
            PortMappings = over.PortMappings ?? PortMappings,
            Command = over.Command ?? Command,
            EntryPoint = over.EntryPoint ?? EntryPoint,
            Environment = environment,
            LogConfiguration = over.LogConfiguration ?? LogConfiguration,
            Essential = over.Essential ?? Essential,
            StopTimeout = over.StopTimeout ?? StopTimeout,
        };
    }
}

/// <summary>A container's log configuration (<c>LogDriver</c> = awslogs, fluentd, ...; <c>Options</c> = the driver's options).</summary>
public sealed record LogSettings(string LogDriver, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>The placeholders an option value may contain.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["{service}", "{container}"];

    /// <summary>These settings with <c>{service}</c> and <c>{container}</c> replaced in every option value.</summary>
    public LogSettings ForContainer(string service, string container) =>
        this with
        {
            Options = Options.ToDictionary(
                o => o.Key,
                o => o.Value.Replace("{service}", service, StringComparison.Ordinal).Replace("{container}", container, StringComparison.Ordinal),
                StringComparer.Ordinal),
        };
}
