using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Aws;

/// <summary>What the user chose on the command line; anything left null comes from the environment.</summary>
/// <param name="Region">-Region; else AWS_REGION, AWS_DEFAULT_REGION, the profile's region.</param>
/// <param name="ProfileName">-ProfileName; else AWS_PROFILE, else the SDK's default chain.</param>
/// <param name="EndpointUrl">-EndpointUrl for every service; else AWS_ENDPOINT_URL_&lt;SERVICE&gt;, AWS_ENDPOINT_URL.</param>
public sealed record AwsOptions(string? Region = null, string? ProfileName = null, string? EndpointUrl = null);

/// <summary>
/// Resolved region, credentials and endpoints, and the service clients built on them. One per
/// cmdlet invocation; cheap to create once credentials are cached by the SDK.
/// </summary>
public sealed class AwsSession : IDisposable
{
    private AwsSession()
    {
        throw new NotImplementedException();
    }

    /// <summary>
    /// Resolves region and credentials. Throws <see cref="MightyOpsException"/> with id
    /// <c>AwsRegionNotSet</c> or <c>AwsCredentialsNotFound</c> (kind InvalidOperation /
    /// Authentication) and a message that says how to set them.
    /// </summary>
    public static Task<AwsSession> CreateAsync(AwsOptions options, IOperationLog log, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    public string Region => throw new NotImplementedException();

    public EcsClient Ecs => throw new NotImplementedException();

    public EcrClient Ecr => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
