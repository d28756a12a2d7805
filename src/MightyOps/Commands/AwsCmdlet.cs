using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws;
using MightyOps.Core.Config;

namespace MightyOps.Commands;

/// <summary>
/// Base of cmdlets that call AWS: the common -Region, -ProfileName and -EndpointUrl parameters
/// (AWS.Tools spellings), the application's mighty.psd1 (-ConfigPath), and one resolved
/// <see cref="AwsSession"/> per invocation. A parameter given wins over the file; the file wins
/// over the environment and built-in defaults.
/// </summary>
public abstract class AwsCmdlet : MightyCmdlet
{
    private AwsSession? _aws;
    private MightyConfig? _config;

    [Parameter]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [Alias("Profile", "StoredCredentials")]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string? ProfileName { get; set; }

    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>The mighty.psd1 to use instead of the one found from the current location upward.</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    /// <summary>Seconds one attempt of each AWS call may take (default 10); a call makes up to AWS_MAX_ATTEMPTS (default 5) attempts.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)RetryPolicy.DefaultAttemptTimeout.TotalSeconds;

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
        try
        {
            string? configPath = ConfigPath is null ? null : ConfigProviderPath(ConfigPath);
            string here = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            _config = Run(ct => ConfigLocator.LoadAsync(configPath, here, Log, ct));
            _aws = Run(ct => AwsSession.CreateAsync(SessionOptions(_config) with { AttemptTimeout = TimeSpan.FromSeconds(TimeoutSec) }, Log, ct));
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
        }
    }

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
            throw new MightyOpsException(ConfigErrors.NotFoundId, MightyErrorKind.NotFound, $"The config file '{path}' named by -ConfigPath cannot be found: {e.Message}", path, e);
        }
    }

    private AwsOptions SessionOptions(MightyConfig config)
    {
        string fromFile = $"{config.Path}";
        // A committed file's profile must not break a shell or CI job that names its own
        // credentials (AWS_PROFILE, or keys in AWS_ACCESS_KEY_ID): the environment wins there.
        bool environmentNamesCredentials =
            !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AWS_PROFILE"))
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
        string? profile = ProfileName ?? (environmentNamesCredentials ? null : config.ProfileName);
        return new AwsOptions(Region ?? config.Region, profile, EndpointUrl ?? config.EndpointUrl)
        {
            RegionOrigin = Region is null && config.Region is not null ? $"Region in {fromFile}" : "-Region",
            ProfileOrigin = ProfileName is null && profile is not null ? $"ProfileName in {fromFile}" : "-ProfileName",
            EndpointOrigin = EndpointUrl is null && config.EndpointUrl is not null ? $"EndpointUrl in {fromFile}" : "-EndpointUrl",
        };
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
