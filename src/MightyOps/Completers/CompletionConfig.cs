using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MightyOps.Core;
using MightyOps.Core.Aws;
using MightyOps.Core.Config;

namespace MightyOps.Completers;

/// <summary>
/// The mighty.psd1 a command line would use, for completers: -ConfigPath if already typed, else
/// MIGHTYOPS_CONFIG, else the search from the session's current location. Completion must never
/// fail, so a missing or broken file just means no config (the command itself reports it).
/// </summary>
internal static class CompletionConfig
{
    public static MightyConfig For(IDictionary bound)
    {
        try
        {
            string? here = CurrentLocation();
            if (here is null)
            {
                return MightyConfig.Empty;
            }
            return ConfigLocator.LoadAsync(bound["ConfigPath"] as string, here, NullOperationLog.Instance, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is MightyOpsException or InvalidOperationException or IOException or RuntimeException)
        {
            return MightyConfig.Empty;
        }
    }

    // A completer runs inside the pipeline of TabExpansion2, where the runspace's SessionStateProxy
    // refuses access; a nested pipeline on the same thread may ask for the location.
    private static string? CurrentLocation()
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand(@"Microsoft.PowerShell.Management\Get-Location").AddParameter("PSProvider", "FileSystem");
        return shell.Invoke<PathInfo>().FirstOrDefault()?.ProviderPath;
    }

    /// <summary>The AWS options of the command line being completed: typed parameters, then the config.</summary>
    public static AwsOptions AwsOptions(IDictionary bound, MightyConfig config) =>
        config.AwsOptions(bound["Region"] as string, bound["ProfileName"] as string, bound["EndpointUrl"] as string);
}
