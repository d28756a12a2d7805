namespace MightyOps.Core.Tagging;

/// <summary>
/// Lists release tags (Get-MightyTag): local ones from <c>for-each-ref</c>, or a remote's from
/// <c>ls-remote --tags</c> (with date, tagger and message filled in from the local tag object
/// when it is the same one), sorted by branch, then number.
/// </summary>
public sealed class ReleaseTagQuery
{
    private readonly IOperationLog _log;

    public ReleaseTagQuery(IOperationLog log)
    {
        _log = log;
    }

    /// <param name="path">A folder inside the repository.</param>
    /// <param name="branches">
    /// Branch names or wildcards. A pattern matches a tag's Docker-safe branch part, the same
    /// pattern with the Docker-safe mapping applied (so <c>feature/*</c> works), or the git branch
    /// recorded in the tag. Null or empty: every release tag except version-like ones (<c>v1.2.3</c>).
    /// </param>
    /// <param name="latest">Only the highest number of each branch.</param>
    /// <param name="remote">Read this remote's tags instead of the local ones.</param>
    /// <param name="notFound">Called for each branch named without wildcards that has no release tag.</param>
    /// <param name="progress">Status lines while the remote is read.</param>
    /// <param name="cancellationToken">Stops git.</param>
    public async Task<IReadOnlyList<MightyTag>> GetAsync(
        string path,
        IReadOnlyList<string>? branches,
        bool latest,
        string? remote,
        Action<MightyOpsException> notFound,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        GitRepository repo = await GitRepository.OpenAsync(path, _log, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<GitTag> local = await repo.LocalTagsAsync(null, null, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<GitTag> source = local;
        if (remote is not null)
        {
            if (!await repo.HasRemoteAsync(remote, cancellationToken).ConfigureAwait(false))
            {
                throw new MightyOpsException(
                    TaggingErrorIds.RemoteNotFound,
                    $"{repo.Root} has no remote named '{remote}'. Pass -Remote with one of its remotes (git remote -v).",
                    remote);
            }
            progress?.Report($"Reading the tags on {remote}");
            var byName = local.ToDictionary(t => t.Name, StringComparer.Ordinal);
            source = (await repo.RemoteTagsAsync(remote, null, cancellationToken).ConfigureAwait(false))
                .Select(t => byName.TryGetValue(t.Name, out GitTag? mine) && mine.ObjectId == t.ObjectId ? mine : t)
                .ToList();
        }

        var filters = (branches ?? []).Select(p => new BranchFilter(p)).ToList();
        var found = new List<MightyTag>();
        foreach (GitTag tag in source)
        {
            if (!ReleaseTagName.TryParse(tag.Name, out string branch, out int number))
            {
                continue;
            }
            bool wanted = filters.Count == 0 && !ReleaseTagName.IsVersionLike(branch);
            foreach (BranchFilter filter in filters)
            {
                // Every filter sees every tag, so each knows afterwards whether it matched anything.
                wanted |= filter.Matches(branch, tag.SourceBranch);
            }
            if (wanted)
            {
                found.Add(ReleaseTagger.ToMightyTag(tag, branch, number, repo.Root, remote ?? string.Empty));
            }
        }

        foreach (BranchFilter filter in filters.Where(f => f.IsLiteral && !f.Matched))
        {
            string where = remote is null ? repo.Root : $"{remote} (from {repo.Root})";
            notFound(new MightyOpsException(
                TaggingErrorIds.ReleaseTagNotFound,
                $"There is no release tag of the branch '{filter.Pattern}' in {where}. Create one with New-MightyTag -Branch {filter.Pattern}, or list every branch with Get-MightyTag.",
                filter.Pattern));
        }

        IEnumerable<MightyTag> result = found;
        if (latest)
        {
            result = result.GroupBy(t => t.Branch, StringComparer.Ordinal).Select(g => g.MaxBy(t => t.Number)!);
        }
        return result
            .OrderBy(t => t.Branch, StringComparer.OrdinalIgnoreCase)
            .ThenBy(t => t.Branch, StringComparer.Ordinal)
            .ThenBy(t => t.Number)
            .ToList();
    }

    private sealed class BranchFilter
    {
        private readonly Wildcard _asGiven;
        private readonly Wildcard _mapped;

        public BranchFilter(string pattern)
        {
            Pattern = pattern;
            _asGiven = new Wildcard(pattern);
            _mapped = new Wildcard(ReleaseTagName.ToTagBranchPattern(pattern));
            IsLiteral = _asGiven.IsLiteral;
        }

        public string Pattern { get; }

        public bool IsLiteral { get; }

        public bool Matched { get; private set; }

        public bool Matches(string branch, string sourceBranch)
        {
            bool hit = _asGiven.IsMatch(branch) || _mapped.IsMatch(branch) || (sourceBranch.Length > 0 && _asGiven.IsMatch(sourceBranch));
            Matched |= hit;
            return hit;
        }
    }
}
