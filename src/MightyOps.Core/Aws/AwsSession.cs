using MightyOps.Core.Aws.Ec2;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;

namespace MightyOps.Core.Aws;

/// <summary>What the user chose on the command line; anything left null comes from the environment.</summary>
/// <param name="Region">-Region; else AWS_REGION, AWS_DEFAULT_REGION, the profile's region.</param>
/// <param name="ProfileName">-ProfileName; else AWS_PROFILE, else the SDK's default chain.</param>
/// <param name="EndpointUrl">-EndpointUrl for every service; else AWS_ENDPOINT_URL_&lt;SERVICE&gt;, AWS_ENDPOINT_URL.</param>
public sealed record AwsOptions(string? Region = null, string? ProfileName = null, string? EndpointUrl = null)
{
    /// <summary>Explicit keys (the sandbox's, a test's): when set, no profile or environment is consulted for credentials.</summary>
    public AwsCredentialSnapshot? Credentials { get; init; }

    /// <summary>Where <see cref="Region"/> came from, for messages (<c>-Region</c>, or the config file's key).</summary>
    public string RegionOrigin { get; init; } = "-Region";

    /// <summary>Where <see cref="ProfileName"/> came from, for messages.</summary>
    public string ProfileOrigin { get; init; } = "-ProfileName";

    /// <summary>Where <see cref="EndpointUrl"/> came from, for messages.</summary>
    public string EndpointOrigin { get; init; } = "-EndpointUrl";

    /// <summary>How long one attempt of an AWS call may take (-TimeoutSec); null for <see cref="RetryPolicy.DefaultAttemptTimeout"/>.</summary>
    public TimeSpan? AttemptTimeout { get; init; }
}

/// <summary>
/// Resolved region, credentials and endpoints, and the service clients built on them. One per
/// cmdlet invocation; cheap to create once credentials are cached by the SDK.
/// </summary>
public sealed class AwsSession : IDisposable
{
    private readonly Lazy<Ec2Client> _ec2;
    private readonly Lazy<S3Client> _s3;

    private AwsSession(string region, string regionSource, CredentialSource credentials, Endpoints endpoints, RetryPolicy retry, IOperationLog log, HttpMessageInvoker? http)
    {
        Region = region;
        RegionSource = regionSource;
        Credentials = credentials;
        Ecs = new EcsClient(new AwsJsonClient(endpoints.Ecs, EcsClient.TargetPrefix, credentials, retry, log, http));
        Ecr = new EcrClient(new AwsJsonClient(endpoints.Ecr, EcrClient.TargetPrefix, credentials, retry, log, http));
        // Lazy, so that a session that never calls EC2 or S3 never loads AWSSDK.EC2 / AWSSDK.S3.
        _ec2 = new Lazy<Ec2Client>(() => new Ec2Client(endpoints.Ec2, credentials));
        _s3 = new Lazy<S3Client>(() => new S3Client(endpoints.S3, credentials));
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
            EndpointResolver.Resolve("s3", region, options.EndpointUrl, endpointOrigin: options.EndpointOrigin));
        foreach (AwsServiceEndpoint endpoint in new[] { endpoints.Ecs, endpoints.Ecr, endpoints.Ec2, endpoints.S3 }.Where(e => e.IsOverride))
        {
            log.Verbose($"{endpoint.Service} endpoint {endpoint.Url} (from {endpoint.Source}), signed for {region}.");
        }
        CredentialSource credentials = await CredentialResolver.ResolveAsync(options, log, cancellationToken).ConfigureAwait(false);
        // Fetch once now: a role to assume or an SSO login to refresh fails here, with its own message,
        // rather than inside the first ECS call.
        AwsCredentialSnapshot snapshot = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        log.Verbose($"AWS region {region} (from {regionSource}); access key {snapshot.AccessKeyId} from {credentials.Description}.");
        return new AwsSession(region, regionSource, credentials, endpoints, retry ?? RetryPolicy.FromEnvironment(log, options.AttemptTimeout), log, http);
    }

    public string Region { get; }

    /// <summary>Where the region came from: <c>-Region</c>, <c>AWS_REGION</c>, <c>profile 'x'</c>, ...</summary>
    public string RegionSource { get; }

    /// <summary>Where the credentials came from, for messages (never a secret).</summary>
    public string CredentialSource => Credentials.Description;

    public EcsClient Ecs { get; }

    public EcrClient Ecr { get; }

    /// <summary>EC2 DescribeInstances (AWSSDK.EC2 underneath, created on first use).</summary>
    public Ec2Client Ec2 => _ec2.Value;

    /// <summary>S3 objects (AWSSDK.S3 underneath, created on first use).</summary>
    public S3Client S3 => _s3.Value;

    internal CredentialSource Credentials { get; }

    /// <summary>The current access key, secret and token: fresh for refreshing providers (roles, SSO, IMDS).</summary>
    public ValueTask<AwsCredentialSnapshot> GetCredentialsAsync(CancellationToken cancellationToken) => Credentials.GetAsync(cancellationToken);

    private sealed record Endpoints(AwsServiceEndpoint Ecs, AwsServiceEndpoint Ecr, AwsServiceEndpoint Ec2, AwsServiceEndpoint S3);

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
