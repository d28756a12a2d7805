using System.Globalization;

namespace MightyOps.Core.Tagging;

/// <summary>A tag as git reports it, locally (<c>for-each-ref</c>) or on a remote (<c>ls-remote</c>).</summary>
/// <param name="Name">The tag name without <c>refs/tags/</c>.</param>
/// <param name="ObjectId">The tag object (annotated) or the commit (lightweight).</param>
/// <param name="Commit">The commit the tag names (the peeled object).</param>
public sealed record GitTag(string Name, string ObjectId, string Commit)
{
    public bool Annotated { get; init; }

    public DateTimeOffset? Date { get; init; }

    public string Tagger { get; init; } = string.Empty;

    public string Subject { get; init; } = string.Empty;

    /// <summary>The <c>Release-Branch</c> trailer New-MightyTag writes: the git branch as spelled before the Docker-safe mapping.</summary>
    public string SourceBranch { get; init; } = string.Empty;
}

/// <summary>
/// A git repository on disk, read through the git CLI's machine-readable commands
/// (<c>rev-parse</c>, <c>for-each-ref --format</c>, <c>ls-remote</c>, <c>config --get</c>), never
/// through output meant for people.
/// </summary>
public sealed class GitRepository
{
    /// <summary>The trailer key that records the git branch name in a MightyOps tag message.</summary>
    public const string BranchTrailer = "Release-Branch";

    // Fields of one for-each-ref record, NUL-separated; a record never spans lines because every
    // field is single-line (the trailer is asked for with a separator instead of line ends).
    private const string TagFormat =
        "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(creatordate:iso-strict)%00%(taggername)%00%(taggeremail)%00%(contents:subject)%00%(contents:trailers:key="
        + BranchTrailer + ",valueonly,separator=%x20)";

    private GitRepository(GitCli git, string root, string gitDirectory, bool isBare)
    {
        Git = git;
        Root = root;
        GitDirectory = gitDirectory;
        IsBare = isBare;
    }

    public GitCli Git { get; }

    /// <summary>The working tree's top directory, or the git directory of a bare repository.</summary>
    public string Root { get; }

    public string GitDirectory { get; }

    public bool IsBare { get; }

    /// <summary>Opens the repository that contains <paramref name="path"/>; <c>NotAGitRepository</c> when there is none.</summary>
    public static async Task<GitRepository> OpenAsync(string path, IOperationLog log, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            throw NotARepository(path, File.Exists(path) ? "it is a file, not a folder" : "the folder does not exist");
        }
        var git = new GitCli(path, log);
        // --show-toplevel fails in a bare repository after printing the first two answers, which is
        // how a bare repository is told apart in one process instead of two.
        GitResult result = await git.RunAsync(["rev-parse", "--is-bare-repository", "--absolute-git-dir", "--show-toplevel"], cancellationToken).ConfigureAwait(false);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length >= 2 && lines[0] == "true")
        {
            return new GitRepository(new GitCli(lines[1], log), lines[1], lines[1], isBare: true);
        }
        if (!result.Succeeded || lines.Length < 3)
        {
            throw NotARepository(path, result.Complaint);
        }
        return new GitRepository(new GitCli(lines[2], log), lines[2], lines[1], isBare: false);
    }

    /// <summary>The branch HEAD is on (<c>feature/login</c>), or null when HEAD is detached.</summary>
    public async Task<string?> CurrentBranchAsync(CancellationToken cancellationToken)
    {
        GitResult result = await Git.RunAsync(["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken).ConfigureAwait(false);
        // Exit 1 with nothing on stderr is git's documented answer for a detached HEAD.
        if (result.ExitCode == 1)
        {
            return null;
        }
        if (!result.Succeeded)
        {
            throw Git.Failed(result);
        }
        return result.Output.Trim();
    }

    /// <summary>The full commit id a revision names; <c>CommitNotFound</c> when it names no commit.</summary>
    public async Task<string> ResolveCommitAsync(string revision, CancellationToken cancellationToken)
    {
        GitResult result = await Git.RunAsync(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"], cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return result.Output.Trim();
        }
        string message = revision == "HEAD"
            ? $"The repository {Root} has no commits yet (HEAD names no commit). Commit something first, or pass -Commit."
            : $"'{revision}' does not name a commit in {Root}. Pass a commit id, branch or tag that exists here (fetch first if it only exists on a remote).";
        throw new MightyOpsException(TaggingErrorIds.CommitNotFound, message, revision);
    }

    /// <summary>True when tracked files differ from HEAD (untracked files are not counted).</summary>
    public async Task<bool> HasUncommittedChangesAsync(CancellationToken cancellationToken)
    {
        if (IsBare)
        {
            return false;
        }
        string output = await Git.OutputAsync(["status", "--porcelain=v1", "--untracked-files=no", "--ignore-submodules=dirty"], cancellationToken).ConfigureAwait(false);
        return output.Length > 0;
    }

    /// <summary>The committer identity git will put on a tag (<c>Name &lt;email&gt;</c>); <c>GitIdentityUnknown</c> when git has none.</summary>
    public async Task<string> TaggerAsync(CancellationToken cancellationToken)
    {
        GitResult result = await Git.RunAsync(["var", "GIT_COMMITTER_IDENT"], cancellationToken).ConfigureAwait(false);
        string ident = result.Output.Trim();
        int close = ident.LastIndexOf('>');
        if (!result.Succeeded || close < 0)
        {
            throw new MightyOpsException(
                TaggingErrorIds.GitIdentityUnknown,
                $"git does not know who you are, and an annotated tag records its tagger. Run: git config --global user.name 'Your Name'; git config --global user.email you@example.com (or set them in {Root} without --global).",
                Root);
        }
        return ident[..(close + 1)];
    }

    /// <summary>
    /// True when <paramref name="remote"/> is a configured remote, or a URL or path, which git
    /// push and ls-remote take as they are.
    /// </summary>
    public async Task<bool> HasRemoteAsync(string remote, CancellationToken cancellationToken)
    {
        GitResult result = await Git.RunAsync(["config", "--get", $"remote.{remote}.url"], cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            || remote.Contains(':', StringComparison.Ordinal) || remote.Contains('/', StringComparison.Ordinal) || remote.Contains('\\', StringComparison.Ordinal);
    }

    /// <summary>The names of the configured remotes.</summary>
    public async Task<IReadOnlyList<string>> RemoteNamesAsync(CancellationToken cancellationToken)
    {
        GitResult result = await Git.RunAsync(["config", "--name-only", "--get-regexp", @"^remote\..*\.url$"], cancellationToken).ConfigureAwait(false);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(key => key["remote.".Length..^".url".Length])
            .ToList();
    }

    /// <summary>Local branch names as git spells them (<c>feature/login</c>).</summary>
    public async Task<IReadOnlyList<string>> LocalBranchesAsync(CancellationToken cancellationToken)
    {
        string output = await Git.OutputAsync(["for-each-ref", "--format=%(refname:strip=2)", "refs/heads"], cancellationToken).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Local tags with date, tagger and message: all of them, or those that may belong to
    /// <paramref name="tagBranch"/> (<c>refs/tags/&lt;tagBranch&gt;.*</c>), optionally only those
    /// naming <paramref name="pointsAt"/>. Reading details opens every tag object, so callers that
    /// only count use <see cref="LocalTagNamesAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<GitTag>> LocalTagsAsync(string? tagBranch, string? pointsAt, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "for-each-ref", "--format=" + TagFormat };
        if (pointsAt is not null)
        {
            arguments.Add("--points-at=" + pointsAt);
        }
        arguments.Add(TagPattern(tagBranch));
        string output = await Git.OutputAsync(arguments, cancellationToken).ConfigureAwait(false);
        return ParseForEachRef(output);
    }

    /// <summary>Local tag names only (from the ref store, no object is opened: quick with 10,000 tags).</summary>
    public async Task<IReadOnlyList<string>> LocalTagNamesAsync(string? tagBranch, CancellationToken cancellationToken)
    {
        string output = await Git.OutputAsync(["for-each-ref", "--format=%(refname:strip=2)", TagPattern(tagBranch)], cancellationToken).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The tags on a remote (<c>git ls-remote --tags</c>), all or those that may belong to
    /// <paramref name="tagBranch"/>. <c>RemoteUnreachable</c> or <c>RemoteAccessDenied</c> when it cannot be read.
    /// </summary>
    public async Task<IReadOnlyList<GitTag>> RemoteTagsAsync(string remote, string? tagBranch, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "ls-remote", "--tags", remote };
        if (tagBranch is not null)
        {
            arguments.Add(tagBranch + ".*");
        }
        GitResult result = await Git.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw RemoteFailure(remote, result, "read the tags on");
        }
        return ParseLsRemote(result.Output);
    }

    /// <summary>Turns a failed conversation with a remote into <c>RemoteAccessDenied</c> or <c>RemoteUnreachable</c>.</summary>
    public MightyOpsException RemoteFailure(string remote, GitResult result, string doing)
    {
        string complaint = result.Complaint;
        bool denied = result.Error.Contains("Authentication failed", StringComparison.OrdinalIgnoreCase)
            || result.Error.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
            || result.Error.Contains("terminal prompts disabled", StringComparison.OrdinalIgnoreCase)
            || result.Error.Contains("could not read Username", StringComparison.OrdinalIgnoreCase)
            || result.Error.Contains("returned error: 401", StringComparison.Ordinal)
            || result.Error.Contains("returned error: 403", StringComparison.Ordinal);
        return denied
            ? new MightyOpsException(
                TaggingErrorIds.RemoteAccessDenied,
                $"git could not {doing} '{remote}': {complaint} Check the credentials git uses for it (ssh-agent, credential helper); MightyOps never prompts, so they must work without a prompt.",
                remote)
            : new MightyOpsException(
                TaggingErrorIds.RemoteUnreachable,
                $"git could not {doing} '{remote}': {complaint} Check the remote's URL (git remote -v) and the network, then try again.",
                remote);
    }

    /// <summary>Parses <c>for-each-ref --format=</c><see cref="TagFormat"/> output.</summary>
    internal static IReadOnlyList<GitTag> ParseForEachRef(string output)
    {
        var tags = new List<GitTag>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\0');
            if (f.Length < 9)
            {
                continue;
            }
            bool annotated = f[1] == "tag";
            string commit = annotated ? f[3] : f[2];
            DateTimeOffset? date = DateTimeOffset.TryParse(f[4], CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset d) ? d : null;
            tags.Add(new GitTag(f[0], f[2], commit)
            {
                Annotated = annotated,
                Date = date,
                Tagger = annotated ? $"{f[5]} {f[6]}".Trim() : string.Empty,
                // A lightweight tag has no message of its own; git would report the commit's.
                Subject = annotated ? f[7] : string.Empty,
                SourceBranch = annotated ? f[8].Trim() : string.Empty,
            });
        }
        return tags;
    }

    /// <summary>Parses <c>ls-remote --tags</c> output: <c>&lt;oid&gt;\trefs/tags/&lt;name&gt;</c>, plus a peeled <c>^{}</c> line for annotated tags.</summary>
    internal static IReadOnlyList<GitTag> ParseLsRemote(string output)
    {
        const string Prefix = "refs/tags/";
        var objects = new Dictionary<string, string>(StringComparer.Ordinal);
        var peeled = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int tab = line.IndexOf('\t');
            if (tab < 0 || string.CompareOrdinal(line, tab + 1, Prefix, 0, Prefix.Length) != 0)
            {
                continue;
            }
            string oid = line[..tab];
            string name = line[(tab + 1 + Prefix.Length)..];
            if (name.EndsWith("^{}", StringComparison.Ordinal))
            {
                peeled[name[..^3]] = oid;
            }
            else if (objects.TryAdd(name, oid))
            {
                order.Add(name);
            }
        }
        return order
            .Select(name => peeled.TryGetValue(name, out string? commit)
                ? new GitTag(name, objects[name], commit) { Annotated = true }
                : new GitTag(name, objects[name], objects[name]))
            .ToList();
    }

    // A Docker-safe branch part has no fnmatch characters, so the pattern is exact.
    private static string TagPattern(string? tagBranch) => tagBranch is null ? "refs/tags" : $"refs/tags/{tagBranch}.*";

    private static MightyOpsException NotARepository(string path, string why) =>
        new(
            TaggingErrorIds.NotAGitRepository,
            $"{path} is not in a git repository ({why}). Run the command inside a clone, or pass -Path with the repository's folder.",
            path);
}
