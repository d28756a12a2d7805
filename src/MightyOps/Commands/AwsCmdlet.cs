using System.Management.Automation;
using System.Net;
using System.Security;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws;
using MightyOps.Core.Config;

namespace MightyOps.Commands;

/// <summary>
/// Base of cmdlets that call AWS: the common -Region, -ProfileName and -EndpointUrl parameters,
/// AWS.Tools' credential parameters with their names and aliases (-AccessKey, -SecretKey,
/// -SessionToken, -Credential, -ProfileLocation), AWS.Tools' session defaults, the application's
/// mighty.psd1 (-ConfigPath), and one resolved <see cref="AwsSession"/> per invocation. A
/// parameter given wins over the file; the file wins over AWS.Tools' session defaults, the
/// environment and built-in defaults.
/// </summary>
public abstract class AwsCmdlet : MightyCmdlet
{
    private AwsSession? _aws;
    private MightyConfig? _config;

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

    /// <summary>The mighty.psd1 to use instead of the one found from the current location upward.</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    /// <summary>The session resolved in BeginProcessing.</summary>
    protected AwsSession Aws => _aws ?? throw new InvalidOperationException("BeginProcessing has not run.");

    /// <summary>The application's settings read in BeginProcessing (empty when there is no file).</summary>
    protected MightyConfig Config => _config ?? throw new InvalidOperationException("BeginProcessing has not run.");

    /// <summary>The cluster to use when -Cluster is not given: the config's, else ECS's 'default'.</summary>
    protected string DefaultCluster => Config.Cluster ?? "default";

    /// <summary>
    /// Reads the config, then resolves region and credentials once. A config error stops the
    /// cmdlet before any AWS call; so does a session failure, with a message that says what to set.
    /// </summary>
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            string? configPath = ConfigPath is null ? null : ConfigProviderPath(ConfigPath);
            string here = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            _config = Run(ct => ConfigLocator.LoadAsync(configPath, here, Log, ct));
            AwsOptions options = AwsOptionsFromParameters(_config);
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
    private AwsOptions AwsOptionsFromParameters(MightyConfig config)
    {
        object? credential = Credential?.BaseObject;
        AwsCredentialSnapshot? keys = ExplicitKeys(credential as PSCredential);
        (string? sessionRegion, object? sessionCredentials) = AwsToolsSession.Read(SessionState);
        AwsOptions fromConfig = config.AwsOptions(Region, ProfileName, EndpointUrl);
        if (ProfileName is null && (credential is not null || sessionCredentials is not null))
        {
            // The file's profile, like AWS_PROFILE, gives way to credentials named in the session
            // (-Credential, Set-AWSCredential).
            fromConfig = fromConfig with { ProfileName = null };
        }
        return fromConfig with
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
            throw new MightyOpsException(AwsErrorIds.AwsCredentialsIncomplete,
                "-AccessKey, -SecretKey and -SessionToken go together: pass both -AccessKey and -SecretKey (and -SessionToken for temporary keys), or use -ProfileName or -Credential instead.",
                AccessKey);
        }
        string? token = SessionToken is { Length: > 0 } ? Plain(SessionToken) : null;
        return new AwsCredentialSnapshot(AccessKey.Trim(), Plain(SecretKey), token);
    }

    private static string Plain(SecureString secure) => new NetworkCredential(string.Empty, secure).Password;

    // A path on a drive that does not exist, or on a provider that is not the file system, is a
    // missing file for this cmdlet, not a PowerShell exception.
    private string ConfigProviderPath(string path)
    {
        try
        {
            return GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            throw new MightyOpsException(ConfigErrorIds.ConfigNotFound, $"The config file '{path}' named by -ConfigPath cannot be found: {e.Message}", path, e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aws?.Dispose();
        }
        base.Dispose(disposing);
    }
}
