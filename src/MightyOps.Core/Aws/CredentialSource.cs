using Amazon.Runtime;

namespace MightyOps.Core.Aws;

/// <summary>
/// Where a session's credentials come from. Refreshing providers (roles, SSO, IMDS, containers)
/// renew themselves inside AWSSDK.Core, so every request asks for a fresh snapshot.
/// </summary>
internal sealed class CredentialSource
{
    private readonly AwsCredentialSnapshot? _static;

    private CredentialSource(AWSCredentials sdk, string description, AwsCredentialSnapshot? fixedSnapshot)
    {
        Sdk = sdk;
        Description = description;
        _static = fixedSnapshot;
    }

    /// <summary>The same credentials for the AWSSDK-based clients (S3, EC2).</summary>
    public AWSCredentials Sdk { get; }

    /// <summary>For Verbose output and messages: "environment variables", "profile 'prod'", ... never a secret.</summary>
    public string Description { get; }

    /// <summary>The access key id of the last snapshot handed out (not secret), for messages about calls the SDK signed.</summary>
    public string? LastAccessKeyId { get; private set; }

    public static CredentialSource Static(AwsCredentialSnapshot snapshot, string description = "explicit credentials")
    {
        AWSCredentials sdk = string.IsNullOrEmpty(snapshot.SessionToken)
            ? new BasicAWSCredentials(snapshot.AccessKeyId, snapshot.SecretAccessKey)
            : new SessionAWSCredentials(snapshot.AccessKeyId, snapshot.SecretAccessKey, snapshot.SessionToken);
        return new CredentialSource(sdk, description, snapshot);
    }

    public static CredentialSource FromSdk(AWSCredentials credentials, string description) => new(credentials, description, null);

    /// <summary>The current keys; throws <c>AwsCredentialsFailed</c> (or a more specific id) when a provider cannot produce them.</summary>
    public async ValueTask<AwsCredentialSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (_static is not null)
        {
            LastAccessKeyId = _static.AccessKeyId;
            return _static;
        }
        ImmutableCredentials credentials;
        try
        {
            credentials = await Sdk.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not MightyOpsException)
        {
            throw CredentialResolver.Failed(e, Description);
        }
        if (credentials is null || string.IsNullOrEmpty(credentials.AccessKey) || string.IsNullOrEmpty(credentials.SecretKey))
        {
            throw new MightyOpsException(AwsErrorIds.AwsCredentialsFailed,
                $"The credentials from {Description} are empty. Check that source and try again.", Description);
        }
        LastAccessKeyId = credentials.AccessKey;
        return new AwsCredentialSnapshot(credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null);
    }
}
