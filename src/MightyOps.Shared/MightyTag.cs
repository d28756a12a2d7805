namespace MightyOps;

/// <summary>
/// One release tag <c>&lt;branch&gt;.&lt;n&gt;</c> (e.g. <c>master.5</c>), as New-MightyTag creates it and
/// Get-MightyTag lists it. The image build for the tag is tagged the same, so <see cref="Tag"/> is
/// what deploys name: the object pipes into Publish-MightyService, which binds <c>Tag</c> by
/// property name, and <see cref="ToString"/> returns the tag so it also works as a plain string.
/// </summary>
public sealed class MightyTag
{
    /// <summary>The tag name, e.g. <c>feature-login.3</c>; also a valid Docker image tag.</summary>
    public string Tag { get; init; } = string.Empty;

    /// <summary>
    /// The branch part of the tag, made Docker-tag-safe (<c>feature-login</c> for the git branch
    /// <c>feature/login</c>). Tags are grouped, sorted and numbered by this name.
    /// </summary>
    public string Branch { get; init; } = string.Empty;

    /// <summary>
    /// The git branch the tag was made for, as git spells it (<c>feature/login</c>), read from the
    /// tag message New-MightyTag writes. For a tag that does not record it (made by another tool,
    /// lightweight, or only seen on a remote) it is <see cref="Branch"/>, the best name known.
    /// </summary>
    public string GitBranch { get; init; } = string.Empty;

    /// <summary>The release number <c>n</c>.</summary>
    public int Number { get; init; }

    /// <summary>The full id of the commit the tag names.</summary>
    public string Commit { get; init; } = string.Empty;

    /// <summary>The first 12 characters of <see cref="Commit"/>.</summary>
    public string ShortCommit => Commit.Length > 12 ? Commit[..12] : Commit;

    /// <summary>When the tag was made (the tagger date; the commit date for a lightweight tag); null when only the remote is known.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>Who made the tag (<c>Name &lt;email&gt;</c>); empty for lightweight tags or when only the remote is known.</summary>
    public string Tagger { get; init; } = string.Empty;

    /// <summary>The tag message's first line.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>True for an annotated tag (a tag object), false for a lightweight one.</summary>
    public bool Annotated { get; init; }

    /// <summary>The remote the tag is known to be on (e.g. <c>origin</c>); empty when it is only local.</summary>
    public string Remote { get; init; } = string.Empty;

    /// <summary>True when this New-MightyTag run pushed the tag to <see cref="Remote"/>.</summary>
    public bool Pushed { get; init; }

    /// <summary>The repository: its working tree, or the git directory of a bare repository.</summary>
    public string Repository { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine(Tag);
}
