using System.Management.Automation;
using System.Net;
using System.Security;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws;

namespace MightyOps.Commands;

/// <summary>
/// Base of cmdlets that call AWS: the common -Region, -ProfileName and -EndpointUrl parameters,
/// AWS.Tools' credential parameters with their names and aliases (-AccessKey, -SecretKey,
/// -SessionToken, -Credential, -ProfileLocation), AWS.Tools' session defaults, and one resolved
/// <see cref="AwsSession"/> per invocation.
/// </summary>
public abstract class AwsCmdlet : MightyCmdlet
{
    private AwsSession? _aws;

    [Parameter]
    [Alias("AWSRegion")]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [Alias("Profile", "StoredCredentials", "AWSProfileName")]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string? ProfileName { get; set; }

    [Parameter]
    [Alias("AWSProfilesLocation", "ProfilesLocation")]
    public string? ProfileLocation { get; set; }

    [Parameter]
    [Alias("AK")]
    public string? AccessKey { get; set; }

    [Parameter]
    [Alias("SK", "SecretAccessKey")]
    [SecureStringTransformation]
    public SecureString? SecretKey { get; set; }

    [Parameter]
    [Alias("ST")]
    [SecureStringTransformation]
    public SecureString? SessionToken { get; set; }

    /// <summary>An AWSCredentials object of AWS.Tools (New-AWSCredential), or a PSCredential whose user name is the access key and password the secret key.</summary>
    [Parameter]
    public PSObject? Credential { get; set; }

    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>Seconds one attempt of each AWS call may take (default 10); a call makes up to AWS_MAX_ATTEMPTS (default 5) attempts.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)RetryPolicy.DefaultAttemptTimeout.TotalSeconds;

    /// <summary>The session resolved in BeginProcessing.</summary>
    protected AwsSession Aws => _aws ?? throw new InvalidOperationException("BeginProcessing has not run.");

    /// <summary>Resolves region and credentials once; a failure here stops the cmdlet with a message that says what to set.</summary>
    protected override void BeginProcessing()
    {
        try
        {
            AwsOptions options = AwsOptionsFromParameters();
            _aws = Run(ct => AwsSession.CreateAsync(options, Log, ct));
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
        }
    }

    /// <summary>
    /// The parameters, then AWS.Tools' session defaults ($StoredAWSRegion, $StoredAWSCredentials:
    /// plain variable lookups, so AWS.Tools is never loaded for them). Core applies the order.
    /// </summary>
    private AwsOptions AwsOptionsFromParameters()
    {
        object? credential = Credential?.BaseObject;
        AwsCredentialSnapshot? keys = ExplicitKeys(credential as PSCredential);
        (string? sessionRegion, object? sessionCredentials) = AwsToolsSession.Read(SessionState);
        return new AwsOptions(Region, ProfileName, EndpointUrl)
        {
            AttemptTimeout = TimeSpan.FromSeconds(TimeoutSec),
            Credentials = keys,
            CredentialsSource = keys is null ? null : AccessKey is null ? "-Credential (a PSCredential)" : "-AccessKey",
            CredentialObject = credential is PSCredential ? null : credential,
            ProfileLocation = ProfileLocation,
            SessionRegion = sessionRegion,
            SessionCredentials = sessionCredentials,
        };
    }

    private AwsCredentialSnapshot? ExplicitKeys(PSCredential? credential)
    {
        if (AccessKey is null && SecretKey is null && SessionToken is null)
        {
            return credential is null ? null : new AwsCredentialSnapshot(credential.UserName, credential.GetNetworkCredential().Password);
        }
        if (string.IsNullOrWhiteSpace(AccessKey) || SecretKey is null || SecretKey.Length == 0)
        {
            throw new MightyOpsException("AwsCredentialsIncomplete", MightyErrorKind.InvalidArgument,
                "-AccessKey, -SecretKey and -SessionToken go together: pass both -AccessKey and -SecretKey (and -SessionToken for temporary keys), or use -ProfileName or -Credential instead.",
                AccessKey);
        }
        string? token = SessionToken is { Length: > 0 } ? Plain(SessionToken) : null;
        return new AwsCredentialSnapshot(AccessKey.Trim(), Plain(SecretKey), token);
    }

    private static string Plain(SecureString secure) => new NetworkCredential(string.Empty, secure).Password;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aws?.Dispose();
        }
        base.Dispose(disposing);
    }
}
