using System.Globalization;

namespace MightyOps.Core.Tagging;

/// <summary>What New-MightyTag was asked to do.</summary>
public sealed record TagRequest
{
    /// <summary>A folder inside the repository (already resolved by the host).</summary>
    public required string Path { get; init; }

    /// <summary>The branch the tag is named after; the branch HEAD is on when null.</summary>
    public string? Branch { get; init; }

    /// <summary>A configured remote's name, or a URL.</summary>
    public string Remote { get; init; } = "origin";

    /// <summary>The commit to tag; HEAD when null.</summary>
    public string? Commit { get; init; }

    /// <summary>The first paragraph of the tag message; "Release &lt;tag&gt;" when null.</summary>
    public string? Message { get; init; }

    /// <summary>Create the tag locally only.</summary>
    public bool NoPush { get; init; }

    /// <summary>Tag again even when the commit already has a release tag of the branch.</summary>
    public bool Force { get; init; }
}

/// <summary>
/// The tag New-MightyTag would create, worked out before anything changes so that -WhatIf and
/// ShouldProcess can name it (the number is only known after reading the remote).
/// </summary>
public sealed class TagPlan
{
    internal TagPlan(GitRepository repository) => Repository = repository;

    internal GitRepository Repository { get; }

    /// <summary>The repository's working tree (or git directory when bare).</summary>
    public string RepositoryPath => Repository.Root;

    /// <summary>The git branch name as given or found (<c>feature/login</c>).</summary>
    public required string SourceBranch { get; init; }

    /// <summary>The Docker-safe branch part of the tag (<c>feature-login</c>).</summary>
    public required string Branch { get; init; }

    public required string Commit { get; init; }

    public required string Remote { get; init; }

    /// <summary>False with -NoPush.</summary>
    public required bool Push { get; init; }

    /// <summary>The tagger identity (<c>Name &lt;email&gt;</c>).</summary>
    public required string Tagger { get; init; }

    public string? Message { get; init; }

    /// <summary>The number the tag will get unless someone takes it first.</summary>
    public required int Number { get; init; }

    public string Tag => ReleaseTagName.Format(Branch, Number);

    /// <summary>Set when the commit already carries a release tag of the branch and -Force was not given: nothing to create.</summary>
    public MightyTag? Existing { get; init; }

    /// <summary>The ShouldProcess target: where the change happens.</summary>
    public string Target => Push ? $"{Repository.Root} ({Remote})" : Repository.Root;

    /// <summary>The ShouldProcess action: what changes.</summary>
    public string Action
    {
        get
        {
            string commit = ReleaseTagger.Short(Commit);
            string mapped = SourceBranch == Branch ? string.Empty : $" (branch '{SourceBranch}' as '{Branch}')";
            return Push
                ? $"Create annotated tag {Tag}{mapped} on {commit} and push it to {Remote}"
                : $"Create annotated tag {Tag}{mapped} on {commit} (not pushed)";
        }
    }
}

/// <summary>
/// Creates release tags <c>&lt;branch&gt;.&lt;n&gt;</c>: the next number after the highest on the
/// local repository and the remote, an annotated tag, pushed alone as <c>refs/tags/&lt;tag&gt;</c>.
/// When someone else pushes the same number first, the local tag is dropped and the next number
/// tried, at most <see cref="MaxAttempts"/> times. A run that fails or is cancelled never leaves a
/// local tag that is not on the remote (unless nothing was to be pushed).
/// </summary>
public sealed class ReleaseTagger
{
    /// <summary>Attempts before giving up on a remote where others keep taking the next number.</summary>
    public const int MaxAttempts = 10;

    private readonly IOperationLog _log;
    private readonly TimeProvider _clock;

    /// <param name="log">Where git commands (Verbose) and warnings go.</param>
    /// <param name="clock">The tag date; the system clock when null.</param>
    public ReleaseTagger(IOperationLog log, TimeProvider? clock = null)
    {
        _log = log;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Reads the repository and the remote and works out the tag; changes nothing.</summary>
    public async Task<TagPlan> PlanAsync(TagRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        GitRepository repo = await GitRepository.OpenAsync(request.Path, _log, cancellationToken).ConfigureAwait(false);

        string sourceBranch = request.Branch
            ?? await repo.CurrentBranchAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new MightyOpsException(
                TaggingErrorIds.DetachedHead,
                $"HEAD is detached in {repo.Root}, so there is no branch to name the tag after. Pass -Branch (e.g. -Branch master), or check out a branch.",
                repo.Root);
        string branch = ReleaseTagName.ToTagBranch(sourceBranch);
        if (branch != sourceBranch)
        {
            _log.Verbose($"The branch '{sourceBranch}' is '{branch}' in a Docker tag.");
        }

        string commit = await repo.ResolveCommitAsync(request.Commit ?? "HEAD", cancellationToken).ConfigureAwait(false);
        string tagger = await repo.TaggerAsync(cancellationToken).ConfigureAwait(false);

        if ((request.Commit is null or "HEAD") && await repo.HasUncommittedChangesAsync(cancellationToken).ConfigureAwait(false))
        {
            _log.Warning($"{repo.Root} has uncommitted changes. The tag names the commit {Short(commit)} (HEAD), not the files on disk; commit and try again if the changes belong in the release.");
        }

        bool remoteKnown = await repo.HasRemoteAsync(request.Remote, cancellationToken).ConfigureAwait(false);
        if (!remoteKnown && !request.NoPush)
        {
            throw new MightyOpsException(
                TaggingErrorIds.RemoteNotFound,
                $"{repo.Root} has no remote named '{request.Remote}'. Pass -Remote with one of its remotes (git remote -v), or -NoPush to tag locally only.",
                request.Remote);
        }

        IReadOnlyList<string> localNames = await repo.LocalTagNamesAsync(branch, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<GitTag> localAtCommit = await repo.LocalTagsAsync(branch, pointsAt: commit, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<GitTag> remote = [];
        if (remoteKnown)
        {
            progress?.Report($"Reading the release tags of '{branch}' on {request.Remote}");
            remote = await repo.RemoteTagsAsync(request.Remote, branch, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _log.Warning($"{repo.Root} has no remote named '{request.Remote}'; the number comes from local tags only.");
        }

        MightyTag? existing = request.Force ? null : FindExisting(repo, request, branch, commit, localAtCommit, remote);
        if (existing is not null)
        {
            string where = existing.Remote.Length > 0 ? $"on {existing.Remote}" : "locally";
            _log.Warning($"The commit {Short(commit)} already carries the release tag {existing.Tag} ({where}); returning it. Use -Force to give it another number.");
        }

        return new TagPlan(repo)
        {
            SourceBranch = sourceBranch,
            Branch = branch,
            Commit = commit,
            Remote = request.Remote,
            Push = !request.NoPush,
            Tagger = tagger,
            Message = request.Message,
            Number = ReleaseTagName.NextNumber(localNames.Concat(remote.Select(t => t.Name)), branch),
            Existing = existing,
        };
    }

    /// <summary>Creates the planned tag (with the next free number if the planned one was taken meanwhile) and pushes it.</summary>
    public async Task<MightyTag> CreateAsync(TagPlan plan, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        GitRepository repo = plan.Repository;
        int number = plan.Number;
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            string tag = ReleaseTagName.Format(plan.Branch, number);
            DateTimeOffset now = _clock.GetLocalNow();
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            bool created = false;
            bool keep = false;
            try
            {
                created = await CreateLocalAsync(repo, plan, tag, now, cancellationToken).ConfigureAwait(false);
                if (!created)
                {
                    _log.Verbose($"{tag} exists locally already (another run in this clone?); trying the next number.");
                    number = await NextNumberAsync(repo, plan, number, readRemote: true, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (!plan.Push)
                {
                    keep = true;
                    return Created(plan, tag, number, now, pushed: false);
                }

                progress?.Report($"Pushing {tag} to {plan.Remote}");
                GitResult push = await repo.Git.RunAsync(
                    ["push", "--porcelain", "--no-follow-tags", "--recurse-submodules=no", plan.Remote, $"refs/tags/{tag}:refs/tags/{tag}"],
                    cancellationToken).ConfigureAwait(false);
                PushStatus status = PushStatus.Parse(push.Output, tag);
                if (push.Succeeded && status.Accepted)
                {
                    keep = true;
                    return Created(plan, tag, number, now, pushed: true);
                }
                if (!status.Rejected)
                {
                    throw repo.RemoteFailure(plan.Remote, push, $"push {tag} to");
                }

                // Rejected: either someone pushed this number first (try the next one), or the
                // remote refuses the tag for its own reasons (a hook, protected tags).
                IReadOnlyList<GitTag> remote = await repo.RemoteTagsAsync(plan.Remote, plan.Branch, cancellationToken).ConfigureAwait(false);
                if (!remote.Any(t => t.Name == tag))
                {
                    throw new MightyOpsException(
                        TaggingErrorIds.TagPushRejected,
                        $"{plan.Remote} refused the tag {tag}: {TerminalText.Quote(status.Reason, TerminalText.LineLength)}. Nothing was left behind; ask whoever runs the remote why it refuses new tags.",
                        tag);
                }
                _log.Warning($"{tag} was taken on {plan.Remote} by someone else meanwhile; trying the next number (attempt {attempt + 1} of {MaxAttempts}).");
                int localNext = await NextNumberAsync(repo, plan, number, readRemote: false, cancellationToken).ConfigureAwait(false);
                number = Math.Max(localNext, ReleaseTagName.NextNumber(remote.Select(t => t.Name), plan.Branch));
            }
            finally
            {
                if (created && !keep)
                {
                    await DeleteLocalAsync(repo, tag).ConfigureAwait(false);
                }
            }
            // Everyone who lost the same race would otherwise go for the same next number at once.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 60) * attempt), cancellationToken).ConfigureAwait(false);
        }
        throw new MightyOpsException(
            TaggingErrorIds.TagPushRejected,
            MightyErrorKind.Conflict,
            $"Others kept taking the next release number of '{plan.Branch}' on {plan.Remote}; gave up after {MaxAttempts} attempts. Nothing was left behind; try again.",
            plan.Branch);
    }

    // localAtCommit: the local tags of the branch that name the commit (for-each-ref --points-at).
    private static MightyTag? FindExisting(GitRepository repo, TagRequest request, string branch, string commit, IReadOnlyList<GitTag> localAtCommit, IReadOnlyList<GitTag> remote)
    {
        // When pushing, only a tag the remote has counts: a local-only tag (from -NoPush) is not a release yet.
        IEnumerable<GitTag> candidates = request.NoPush ? localAtCommit.Concat(remote) : remote;
        GitTag? hit = null;
        int hitNumber = 0;
        foreach (GitTag tag in candidates)
        {
            if (tag.Commit == commit && ReleaseTagName.TryGetNumber(tag.Name, branch, out int n) && n > hitNumber)
            {
                hit = tag;
                hitNumber = n;
            }
        }
        if (hit is null)
        {
            return null;
        }
        GitTag details = localAtCommit.FirstOrDefault(t => t.Name == hit.Name && t.ObjectId == hit.ObjectId) ?? hit;
        bool onRemote = remote.Any(t => t.Name == hit.Name && t.ObjectId == hit.ObjectId);
        return ToMightyTag(details, branch, hitNumber, repo.Root, onRemote ? request.Remote : string.Empty);
    }

    /// <summary>Builds the output object for a tag git reported.</summary>
    public static MightyTag ToMightyTag(GitTag tag, string branch, int number, string repository, string remote, bool pushed = false) => new()
    {
        Tag = tag.Name,
        Branch = branch,
        GitBranch = string.IsNullOrEmpty(tag.SourceBranch) ? branch : tag.SourceBranch,
        Number = number,
        Commit = tag.Commit,
        Date = tag.Date,
        Tagger = tag.Tagger,
        Message = tag.Subject,
        Annotated = tag.Annotated,
        Remote = remote,
        Pushed = pushed,
        Repository = repository,
    };

    private static MightyTag Created(TagPlan plan, string tag, int number, DateTimeOffset date, bool pushed) =>
        ToMightyTag(
            new GitTag(tag, string.Empty, plan.Commit) { Annotated = true, Date = date, Tagger = plan.Tagger, Subject = Subject(plan, tag), SourceBranch = plan.SourceBranch },
            plan.Branch,
            number,
            plan.RepositoryPath,
            pushed ? plan.Remote : string.Empty,
            pushed);

    /// <summary>The annotated tag's message: who, when, which commit, and the git branch as a trailer Get-MightyTag reads back.</summary>
    internal static string TagMessage(TagPlan plan, string tag, DateTimeOffset date) =>
        $"""
        {(string.IsNullOrWhiteSpace(plan.Message) ? $"Release {tag}" : plan.Message.Trim())}

        Release {tag} of branch {plan.SourceBranch}: commit {plan.Commit}, tagged by {plan.Tagger} on {date.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)} with New-MightyTag.

        {GitRepository.BranchTrailer}: {plan.SourceBranch}
        """;

    private static string Subject(TagPlan plan, string tag) =>
        string.IsNullOrWhiteSpace(plan.Message) ? $"Release {tag}" : plan.Message.Trim().Split('\n')[0].Trim();

    private static async Task<bool> CreateLocalAsync(GitRepository repo, TagPlan plan, string tag, DateTimeOffset date, CancellationToken cancellationToken)
    {
        // The tag object carries the same second as the message and the returned object.
        var environment = new Dictionary<string, string>
        {
            ["GIT_COMMITTER_DATE"] = $"@{date.ToUnixTimeSeconds()} {(date.Offset < TimeSpan.Zero ? '-' : '+')}{date.Offset:hhmm}",
        };
        GitResult result = await repo.Git.RunAsync(
            ["tag", "--annotate", "--cleanup=whitespace", "--message", TagMessage(plan, tag, date), tag, plan.Commit],
            environment,
            cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return true;
        }
        if (result.Error.Contains("already exists", StringComparison.Ordinal))
        {
            return false;
        }
        throw repo.Git.Failed(result);
    }

    private async Task DeleteLocalAsync(GitRepository repo, string tag)
    {
        // Runs even when the caller was cancelled: leaving a local tag the remote does not have is
        // exactly what must not happen.
        GitResult result = await repo.Git.RunAsync(["tag", "--delete", tag], CancellationToken.None).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            _log.Warning($"Could not delete the local tag {tag} after a failed push: {result.Complaint} Delete it with: git tag -d {tag}");
        }
    }

    private static async Task<int> NextNumberAsync(GitRepository repo, TagPlan plan, int atLeast, bool readRemote, CancellationToken cancellationToken)
    {
        IEnumerable<string> tags = await repo.LocalTagNamesAsync(plan.Branch, cancellationToken).ConfigureAwait(false);
        if (readRemote && plan.Push)
        {
            tags = tags.Concat((await repo.RemoteTagsAsync(plan.Remote, plan.Branch, cancellationToken).ConfigureAwait(false)).Select(t => t.Name));
        }
        return Math.Max(atLeast + 1, ReleaseTagName.NextNumber(tags, plan.Branch));
    }

    /// <summary>The first 12 characters of a commit id, as <see cref="MightyTag.ShortCommit"/> shows it.</summary>
    internal static string Short(string commit) => commit[..Math.Min(12, commit.Length)];
}

/// <summary>What <c>git push --porcelain</c> said about one ref: <c>&lt;flag&gt;\t&lt;from&gt;:&lt;to&gt;\t&lt;summary&gt; (&lt;reason&gt;)</c>.</summary>
internal readonly record struct PushStatus(char Flag, string Reason)
{
    /// <summary>The remote created the tag (<c>*</c>, "[new tag]").</summary>
    public bool Accepted => Flag == '*';

    /// <summary>
    /// Refused (<c>!</c>), or already there (<c>=</c>): an identical tag object (same commit,
    /// tagger, second and message) was pushed by another run, which therefore owns the number.
    /// </summary>
    public bool Rejected => Flag is '!' or '=';

    public static PushStatus Parse(string porcelain, string tag)
    {
        string refspec = $"refs/tags/{tag}:refs/tags/{tag}";
        foreach (string line in porcelain.Split('\n'))
        {
            string[] fields = line.Split('\t');
            if (fields.Length >= 3 && fields[0].Length == 1 && fields[1] == refspec)
            {
                return new PushStatus(fields[0][0], fields[2].Trim());
            }
        }
        return new PushStatus('?', string.Empty);
    }
}
