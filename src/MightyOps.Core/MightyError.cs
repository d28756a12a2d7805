namespace MightyOps.Core;

/// <summary>
/// One error MightyOps can report: its stable id, the kind of failure it is (most ids are one
/// kind; a few, such as <c>AwsEndpointUnreachable</c>, are one of two) and what it means. Each
/// area keeps its errors in one catalog class (<c>AwsErrorIds</c>, <c>DeployErrorIds</c>, …),
/// the only place an id is spelled: code throws and catches the entry, never the string, and a
/// test checks the catalogs against the error table of about_MightyOps.md.
/// </summary>
public sealed class MightyError
{
    /// <summary>An error whose id is <paramref name="id"/>, reported as <paramref name="kind"/> (or one of <paramref name="otherKinds"/>).</summary>
    public MightyError(string id, string meaning, MightyErrorKind kind, params MightyErrorKind[] otherKinds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(meaning);
        Id = id;
        Meaning = meaning;
        Kinds = [kind, .. otherKinds];
    }

    /// <summary>The stable identifier, e.g. <c>ServiceNotFound</c>: the ErrorRecord's error id.</summary>
    public string Id { get; }

    /// <summary>What the error means and what to do, in one line (the row of the error table).</summary>
    public string Meaning { get; }

    /// <summary>The kind this error is reported as when nothing else is said.</summary>
    public MightyErrorKind Kind => Kinds[0];

    /// <summary>Every kind this error may be reported as, <see cref="Kind"/> first.</summary>
    public IReadOnlyList<MightyErrorKind> Kinds { get; }

    public override string ToString() => Id;
}
