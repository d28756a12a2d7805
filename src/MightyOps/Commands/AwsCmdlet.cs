using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws;

namespace MightyOps.Commands;

/// <summary>
/// Base of cmdlets that call AWS: the common -Region, -ProfileName and -EndpointUrl parameters
/// (AWS.Tools spellings) and one resolved <see cref="AwsSession"/> per invocation.
/// </summary>
public abstract class AwsCmdlet : MightyCmdlet
{
    private AwsSession? _aws;

    [Parameter]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [Alias("Profile", "StoredCredentials")]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string? ProfileName { get; set; }

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
            _aws = Run(ct => AwsSession.CreateAsync(new AwsOptions(Region, ProfileName, EndpointUrl) { AttemptTimeout = TimeSpan.FromSeconds(TimeoutSec) }, Log, ct));
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
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
