using MightyOps.Core.Aws.AutoScaling;
using MightyOps.Core.Aws.Ec2;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Elbv2;
using MightyOps.Core.Aws.Logs;
using MightyOps.Core.Aws.Query;
using MightyOps.Core.Aws.S3;

namespace MightyOps.Core.Aws;

/// <summary>
/// What the user chose on the command line and in the session; anything left null comes from the
/// environment. Order (docs/design/credentials.md): explicit parameters, then AWS.Tools' session
/// defaults (<see cref="SessionRegion"/>, <see cref="SessionCredentials"/>), then the environment
/// and the shared files.
/// </summary>
/// <param name="Region">-Region; else Set-DefaultAWSRegion, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.</param>
/// <param name="ProfileName">-ProfileName; else AWS_PROFILE, else the SDK's default chain.</param>
/// <param name="EndpointUrl">-EndpointUrl for every service; else AWS_ENDPOINT_URL_&lt;SERVICE&gt;, AWS_ENDPOINT_URL.</param>
public sealed record AwsOptions(string? Region = null, string? ProfileName = null, string? EndpointUrl = null)
{
    /// <summary>Explicit keys (-AccessKey/-SecretKey/-SessionToken, the sandbox's, a test's): when set, no profile or environment is consulted for credentials.</summary>
    public AwsCredentialSnapshot? Credentials { get; init; }

    /// <summary>How long one attempt of an AWS call may take (-TimeoutSec); null for <see cref="RetryPolicy.DefaultAttemptTimeout"/>.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>Where <see cref="Credentials"/> came from, for messages (<c>-AccessKey</c>); "explicit credentials" when null.</summary>
    public string? CredentialsSource { get; init; }

    /// <summary>
    /// -Credential: an AWSCredentials object of AWS Tools for PowerShell (any AWSSDK.Core version,
    /// any load context), read through its public GetCredentialsAsync()/GetCredentials() by
    /// reflection, never cast.
    /// </summary>
    public object? CredentialObject { get; init; }

    /// <summary>-ProfileLocation: a shared credentials file to read <see cref="ProfileName"/> (or the selected profile) from.</summary>
    public string? ProfileLocation { get; init; }

    /// <summary>AWS.Tools' session region (<c>$StoredAWSRegion</c>, set by Set-DefaultAWSRegion).</summary>
    public string? SessionRegion { get; init; }

    /// <summary>
    /// AWS.Tools' session credentials (<c>$StoredAWSCredentials</c>, set by Set-AWSCredential): a
    /// profile name, or a credentials object read like <see cref="CredentialObject"/>.
    /// </summary>
    public object? SessionCredentials { get; init; }

    /// <summary>Where <see cref="Region"/> came from, for messages (<c>-Region</c>, or the config file's key).</summary>
    public string RegionOrigin { get; init; } = "-Region";

    /// <summary>Where <see cref="ProfileName"/> came from, for messages.</summary>
    public string ProfileOrigin { get; init; } = "-ProfileName";

    /// <summary>Where <see cref="EndpointUrl"/> came from, for messages.</summary>
    public string EndpointOrigin { get; init; } = "-EndpointUrl";
}

/// <summary>
/// Resolved region, credentials and endpoints, and the service clients built on them. One per
/// cmdlet invocation; cheap to create once credentials are cached by the SDK.
/// </summary>
public sealed class AwsSession : IDisposable
{
    private readonly Lazy<EcsClient> _ecs;
    private readonly Lazy<EcrClient> _ecr;
    private readonly Lazy<Ec2Client> _ec2;
    private readonly Lazy<S3Client> _s3;
    private readonly Lazy<LogsClient> _logs;
    private readonly Lazy<AutoScalingClient> _autoScaling;
    private readonly Lazy<Elbv2Client> _elbv2;

    private AwsSession(string region, string regionSource, CredentialSource credentials, Endpoints endpoints, RetryPolicy retry, IOperationLog log, HttpMessageInvoker? http)
    {
        Region = region;
        RegionSource = regionSource;
        Credentials = credentials;
        // Lazy, so that a session that never calls EC2 or S3 never loads AWSSDK.EC2 / AWSSDK.S3,
        // and -Verbose names the endpoints of the services a cmdlet really calls.
        _ecs = new Lazy<EcsClient>(() => new EcsClient(new AwsJsonClient(Announce(endpoints.Ecs, log), EcsClient.TargetPrefix, credentials, retry, log, http)));
        _ecr = new Lazy<EcrClient>(() => new EcrClient(new AwsJsonClient(Announce(endpoints.Ecr, log), EcrClient.TargetPrefix, credentials, retry, log, http)));
        // The SDK-based clients retry through the same loop, policy and quota as the JSON ones.
        _ec2 = new Lazy<Ec2Client>(() => new Ec2Client(Announce(endpoints.Ec2, log), credentials, new AwsRetryLoop(retry, log)));
        _s3 = new Lazy<S3Client>(() => new S3Client(Announce(endpoints.S3, log), credentials, new AwsRetryLoop(retry, log)));
        _logs = new Lazy<LogsClient>(() => new LogsClient(new AwsJsonClient(Announce(endpoints.Logs, log), LogsClient.TargetPrefix, credentials, retry, log, http)));
        _autoScaling = new Lazy<AutoScalingClient>(() => new AutoScalingClient(new AwsQueryClient(Announce(endpoints.AutoScaling, log), AutoScalingClient.ApiVersion, credentials, retry, log, http)));
        _elbv2 = new Lazy<Elbv2Client>(() => new Elbv2Client(new AwsQueryClient(Announce(endpoints.Elbv2, log), Elbv2Client.ApiVersion, credentials, retry, log, http)));
    }

    /// <summary>
    /// Resolves region and credentials. Throws <see cref="MightyOpsException"/> with id
    /// <c>AwsRegionNotSet</c> or <c>AwsCredentialsNotFound</c> (kind InvalidOperation /
    /// Authentication) and a message that says how to set them.
    /// </summary>
    public static Task<AwsSession> CreateAsync(AwsOptions options, IOperationLog log, CancellationToken cancellationToken) =>
        CreateAsync(options, log, retry: null, http: null, cancellationToken);

    /// <summary>As <see cref="CreateAsync(AwsOptions, IOperationLog, CancellationToken)"/>, with a retry policy and HTTP stack of the caller's (tests).</summary>
    internal static async Task<AwsSession> CreateAsync(AwsOptions options, IOperationLog log, RetryPolicy? retry, HttpMessageInvoker? http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        (string region, string regionSource) = RegionResolver.Resolve(options, log);
        // Bad endpoint URLs fail here, before anything is fetched.
        var endpoints = new Endpoints(
            EndpointResolver.Resolve("ecs", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin),
            EndpointResolver.Resolve("ecr", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin),
            EndpointResolver.Resolve("ec2", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin),
            EndpointResolver.Resolve("s3", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin),
            EndpointResolver.Resolve("logs", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin),
            EndpointResolver.Resolve("autoscaling", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin),
            EndpointResolver.Resolve("elasticloadbalancing", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin));
        CredentialSource credentials = await CredentialResolver.ResolveAsync(options, log, cancellationToken).ConfigureAwait(false);
        // Fetch once now: a role to assume or an SSO login to refresh fails here, with its own message,
        // rather than inside the first ECS call.
        AwsCredentialSnapshot snapshot = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        log.Verbose($"AWS region {region} (from {regionSource}); access key {AccessKeyId.Mask(snapshot.AccessKeyId)} from {credentials.Description}.");
        return new AwsSession(region, regionSource, credentials, endpoints, retry ?? RetryPolicy.FromEnvironment(log, options.AttemptTimeout), log, http);
    }

    public string Region { get; }

    /// <summary>Where the region came from: <c>-Region</c>, <c>AWS_REGION</c>, <c>profile 'x'</c>, ...</summary>
    public string RegionSource { get; }

    /// <summary>Where the credentials came from, for messages (never a secret).</summary>
    public string CredentialSource => Credentials.Description;

    /// <summary>ECS (created on first use).</summary>
    public EcsClient Ecs => _ecs.Value;

    /// <summary>ECR (created on first use).</summary>
    public EcrClient Ecr => _ecr.Value;

    /// <summary>CloudWatch Logs (FilterLogEvents, GetLogEvents, DescribeLogStreams; created on first use).</summary>
    public LogsClient Logs => _logs.Value;

    /// <summary>Auto Scaling groups: describe, size, terminate (the query protocol; created on first use).</summary>
    public AutoScalingClient AutoScaling => _autoScaling.Value;
    /// <summary>Elastic Load Balancing v2: target groups and target health (the query protocol; created on first use).</summary>
    public Elbv2Client Elbv2 => _elbv2.Value;

    /// <summary>EC2 DescribeInstances (AWSSDK.EC2 underneath, created on first use).</summary>
    public Ec2Client Ec2 => _ec2.Value;

    /// <summary>S3 objects (AWSSDK.S3 underneath, created on first use).</summary>
    public S3Client S3 => _s3.Value;

    internal CredentialSource Credentials { get; }

    /// <summary>The current access key, secret and token: fresh for refreshing providers (roles, SSO, IMDS).</summary>
    public ValueTask<AwsCredentialSnapshot> GetCredentialsAsync(CancellationToken cancellationToken) => Credentials.GetAsync(cancellationToken);

    private static AwsServiceEndpoint Announce(AwsServiceEndpoint endpoint, IOperationLog log)
    {
        if (endpoint.IsOverride)
        {
            log.Verbose($"{endpoint.Service} endpoint {endpoint.Url} (from {endpoint.Source}), signed for {endpoint.Region}.");
        }
        return endpoint;
    }

    private sealed record Endpoints(AwsServiceEndpoint Ecs, AwsServiceEndpoint Ecr, AwsServiceEndpoint Ec2, AwsServiceEndpoint S3, AwsServiceEndpoint Logs, AwsServiceEndpoint AutoScaling, AwsServiceEndpoint Elbv2);

    public void Dispose()
    {
        if (_ec2.IsValueCreated)
        {
            _ec2.Value.Dispose();
        }
        if (_s3.IsValueCreated)
        {
            _s3.Value.Dispose();
        }
    }
}
