using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Tagging;

namespace MightyOps.Commands.Tagging;

/// <summary>
/// Where the tag cmdlets look for a repository: -Path resolved against PowerShell's current
/// location (Set-Location does not change the process's working directory), or that location itself.
/// </summary>
internal static class RepositoryLocation
{
    public static string Resolve(PSCmdlet cmdlet, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        }
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (SessionStateException e)
        {
            // A drive or provider that does not exist: this input fails, the next one may not.
            throw new MightyOpsException(
                TaggingErrorIds.NotAGitRepository,
                $"'{path}' is not a path PowerShell can resolve ({e.Message.TrimEnd('.')}); pass -Path with a folder of a git repository.",
                path,
                e);
        }
        if (provider.Name != "FileSystem")
        {
            throw new MightyOpsException(
                TaggingErrorIds.NotAGitRepository,
                $"'{path}' is on the {provider.Name} provider; pass -Path with a folder of a git repository.",
                path);
        }
        return resolved;
    }
}
