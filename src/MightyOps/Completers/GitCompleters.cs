using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Core;
using MightyOps.Core.Tagging;

namespace MightyOps.Completers;

/// <summary>
/// Completes -Branch of the tag cmdlets: the repository's local branches plus the branches that
/// have release tags (the Docker-safe names). Local git only, given up after two seconds.
/// </summary>
public sealed class ReleaseBranchCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(
            LocalGit.Read(fakeBoundParameters, async (repo, ct) =>
            {
                IReadOnlyList<string> branches = await repo.LocalBranchesAsync(ct).ConfigureAwait(false);
                IReadOnlyList<string> tags = await repo.LocalTagNamesAsync(null, ct).ConfigureAwait(false);
                var tagBranches = tags
                    .Select(t => ReleaseTagName.TryParse(t, out string branch, out _) && !ReleaseTagName.IsVersionLike(branch) ? branch : null)
                    .OfType<string>();
                return branches.Concat(tagBranches).ToList();
            }),
            wordToComplete);
}

/// <summary>Completes -Remote with the repository's configured remotes.</summary>
public sealed class GitRemoteCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(LocalGit.Read(fakeBoundParameters, static (repo, ct) => repo.RemoteNamesAsync(ct)), wordToComplete);
}

/// <summary>Runs a quick read of the repository named by -Path (or the current location) for a completer.</summary>
internal static class LocalGit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static IReadOnlyList<string> Read(IDictionary fakeBoundParameters, Func<GitRepository, CancellationToken, Task<IReadOnlyList<string>>> read)
    {
        string path;
        try
        {
            path = Location(fakeBoundParameters["Path"] as string);
        }
        catch (Exception e) when (e is RuntimeException or PSInvalidOperationException)
        {
            // A -Path PowerShell cannot resolve completes nothing; errors at the prompt would only get in the way.
            return [];
        }
        return Completions.Within(Timeout, async ct =>
        {
            GitRepository repo = await GitRepository.OpenAsync(path, NullOperationLog.Instance, ct).ConfigureAwait(false);
            return await read(repo, ct).ConfigureAwait(false);
        }) ?? [];
    }

    // The completer runs on the pipeline thread of the prompt's runspace, so a nested pipeline
    // there sees the user's current location (not the process's working directory).
    internal static string Location(string? path)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        if (string.IsNullOrEmpty(path))
        {
            ps.AddCommand("Microsoft.PowerShell.Management\\Get-Location");
            return ps.Invoke<PathInfo>().FirstOrDefault()?.ProviderPath ?? Environment.CurrentDirectory;
        }
        ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(path);
        return ps.Invoke<string>().FirstOrDefault() ?? path;
    }
}
