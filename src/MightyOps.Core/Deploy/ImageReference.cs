using System.Text.RegularExpressions;

namespace MightyOps.Core.Deploy;

/// <summary>
/// A container image as a task definition names it, <c>[registry/]repository[:tag][@digest]</c>,
/// split the way Docker and the ECS agent split it (docs/design/image-references.md): the
/// registry is the part before the first <c>/</c> when it looks like a host (a <c>.</c>, a
/// <c>:</c>, <c>localhost</c>, or a capital letter), the digest follows the first <c>@</c>, the
/// tag the last <c>:</c> of the repository. Parts are kept as written, so
/// <see cref="ToString"/> gives back the text that was parsed; <see cref="Name"/> is the
/// repository as Docker resolves it (Docker Hub's <c>docker.io/library/nginx</c> for
/// <c>nginx</c>), for telling whether two images are of one repository. Nothing is validated:
/// ECS judges an image when it is registered, MightyOps only reads and writes them.
/// </summary>
/// <param name="Registry">The registry host (with its port) as written; null for Docker Hub without one.</param>
/// <param name="Repository">The repository path within the registry, as written.</param>
/// <param name="Tag">The tag, or null when none is written (Docker then pulls <c>latest</c>, unless there is a digest).</param>
/// <param name="Digest">The digest after <c>@</c> (<c>sha256:…</c>), or null.</param>
public sealed partial record ImageReference(string? Registry, string Repository, string? Tag = null, string? Digest = null)
{
    /// <summary>The tag Docker pulls when none is written.</summary>
    public const string DefaultTag = "latest";

    private const string DockerHub = "docker.io";

    /// <summary>The text, part by part as parsed or given.</summary>
    public override string ToString() =>
        $"{(Registry is null ? string.Empty : Registry + "/")}{Repository}{(Tag is null ? string.Empty : ":" + Tag)}{(Digest is null ? string.Empty : "@" + Digest)}";

    /// <summary>Registry and repository as Docker resolves them: <c>docker.io/library/</c> for a Docker Hub name of one part, <c>docker.io/</c> for the rest of Docker Hub.</summary>
    public string Name
    {
        get
        {
            if (Registry is not (null or DockerHub or "index.docker.io"))
            {
                return $"{Registry}/{Repository}";
            }
            return Repository.Contains('/', StringComparison.Ordinal) ? $"{DockerHub}/{Repository}" : $"{DockerHub}/library/{Repository}";
        }
    }

    /// <summary>The tag a pull by tag asks for: the written one, else <see cref="DefaultTag"/>.</summary>
    public string PulledTag => Tag ?? DefaultTag;

    /// <summary>What a release label names the image by: its digest when it has one (that is what runs), else the tag pulled.</summary>
    public string TagOrDigest => Digest ?? PulledTag;

    /// <summary>The account of a private ECR registry (<c>{account}.dkr.ecr.{region}.amazonaws.com</c>); null for any other registry.</summary>
    public string? EcrAccount => EcrMatch() is { } match ? match.Groups["account"].Value : null;

    /// <summary>The region of a private ECR registry; null for any other registry.</summary>
    public string? EcrRegion => EcrMatch() is { } match ? match.Groups["region"].Value : null;

    /// <summary>True when the image is in the private ECR registry of <paramref name="account"/> in <paramref name="region"/>.</summary>
    public bool IsInEcrOf(string account, string region) =>
        EcrMatch() is { } match && match.Groups["account"].Value == account && match.Groups["region"].Value == region;

    /// <summary>The same repository with <paramref name="tag"/> and no digest.</summary>
    public ImageReference WithTag(string tag) => this with { Tag = tag, Digest = null };

    /// <summary>The private ECR registry host of <paramref name="account"/> in <paramref name="region"/> (<c>.com.cn</c> in the China regions).</summary>
    public static string EcrRegistry(string account, string region) =>
        $"{account}.dkr.ecr.{region}.amazonaws.{(region.StartsWith("cn-", StringComparison.Ordinal) ? "com.cn" : "com")}";

    /// <summary><paramref name="repository"/>:<paramref name="tag"/> in the private ECR registry of <paramref name="account"/> in <paramref name="region"/>.</summary>
    public static ImageReference InEcr(string account, string region, string repository, string tag) =>
        new(EcrRegistry(account, region), repository, tag);

    /// <summary>Splits <paramref name="text"/>; every non-empty text is some reference (see the type's rules).</summary>
    public static ImageReference Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        string rest = text;
        string? digest = null;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }
        string? registry = null;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && IsRegistry(rest[..slash]))
        {
            registry = rest[..slash];
            rest = rest[(slash + 1)..];
        }
        string? tag = null;
        int colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /// <summary><see cref="Parse"/>, or false for null or empty text.</summary>
    public static bool TryParse(string? text, out ImageReference reference)
    {
        reference = null!;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        reference = Parse(text);
        return true;
    }

    // Docker's rule for the first part of a name: a host has a dot or a port, or is localhost;
    // repository paths are lower case, so a capital letter also marks a host.
    private static bool IsRegistry(string part) =>
        part.Contains('.', StringComparison.Ordinal) || part.Contains(':', StringComparison.Ordinal) || part == "localhost" || part.Any(char.IsUpper);

    private Match? EcrMatch() => Registry is null ? null : EcrHost().Match(Registry) is { Success: true } match ? match : null;

    [GeneratedRegex(@"^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$", RegexOptions.CultureInvariant)]
    private static partial Regex EcrHost();
}
