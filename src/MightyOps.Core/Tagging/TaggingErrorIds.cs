namespace MightyOps.Core.Tagging;

/// <summary>The errors of making and reading release tags with git.</summary>
public static class TaggingErrorIds
{
    public static readonly MightyError CommitNotFound = new("CommitNotFound",
        "The commit to tag (-Commit) is not in the repository.",
        MightyErrorKind.NotFound);

    public static readonly MightyError DetachedHead = new("DetachedHead",
        "HEAD is detached, so there is no branch to name the tag after: pass -Branch, or check out a branch.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError GitFailed = new("GitFailed",
        "git failed in a way no other id describes; the message quotes git.",
        MightyErrorKind.Failed);

    public static readonly MightyError GitIdentityUnknown = new("GitIdentityUnknown",
        "git does not know who you are, and an annotated tag records its tagger: set user.name and user.email.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError GitNotFound = new("GitNotFound",
        "git cannot be run: install it and put it on PATH.",
        MightyErrorKind.NotFound);

    public static readonly MightyError InvalidBranchName = new("InvalidBranchName",
        "The branch name has no letters or digits a Docker tag can carry.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError NotAGitRepository = new("NotAGitRepository",
        "The folder is not in a git repository: run the command inside a clone, or pass -Path.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ReleaseTagNotFound = new("ReleaseTagNotFound",
        "There is no release tag of the branch asked for.",
        MightyErrorKind.NotFound);

    public static readonly MightyError RemoteAccessDenied = new("RemoteAccessDenied",
        "The git remote refused the credentials git uses (MightyOps never prompts, so they must work without a prompt).",
        MightyErrorKind.Authentication);

    public static readonly MightyError RemoteNotFound = new("RemoteNotFound",
        "The repository has no remote of that name (-Remote).",
        MightyErrorKind.NotFound);

    public static readonly MightyError RemoteUnreachable = new("RemoteUnreachable",
        "The git remote cannot be reached: check its URL and the network.",
        MightyErrorKind.Connection);

    public static readonly MightyError TagNumberExhausted = new("TagNumberExhausted",
        "The branch already has the highest possible release number: tag under another -Branch name.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError TagPushRejected = new("TagPushRejected",
        "The remote refused the tag: for another reason than a race (PermissionDenied), or others kept taking the next number until the attempts ran out (ResourceBusy); nothing was left behind.",
        MightyErrorKind.PermissionDenied, MightyErrorKind.Conflict);
}
