using System.Text.RegularExpressions;

namespace MightyOps.Core.Deploy;

/// <summary>
/// An image in an ECR private registry: <c>{account}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}</c>
/// (or <c>@sha256:…</c>). Anything else (Docker Hub, another registry) is not an ECR image and
/// <see cref="TryParse"/> says so.
/// </summary>
public sealed partial record EcrImageUri(string Account, string Region, string Repository, string? Tag, string? Digest)
{
    /// <summary>The registry host: <c>{account}.dkr.ecr.{region}.amazonaws.com</c>.</summary>
    public string Registry => RegistryHost(Account, Region);

    /// <summary>The full reference, with the tag or digest it carries.</summary>
    public override string ToString() =>
        Digest is not null ? $"{Registry}/{Repository}@{Digest}" : $"{Registry}/{Repository}:{Tag ?? "latest"}";

    /// <summary>The same repository with another tag.</summary>
    public EcrImageUri WithTag(string tag) => this with { Tag = tag, Digest = null };

    public static string RegistryHost(string account, string region) =>
        $"{account}.dkr.ecr.{region}.amazonaws.{(region.StartsWith("cn-", StringComparison.Ordinal) ? "com.cn" : "com")}";

    /// <summary>Reads an ECR image reference; false for images of any other registry.</summary>
    public static bool TryParse(string? image, out EcrImageUri uri)
    {
        uri = null!;
        if (image is null)
        {
            return false;
        }
        Match match = Pattern().Match(image);
        if (!match.Success)
        {
            return false;
        }
        string rest = match.Groups["rest"].Value;
        string? digest = null;
        string? tag = null;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }
        int colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        if (rest.Length == 0)
        {
            return false;
        }
        uri = new EcrImageUri(match.Groups["account"].Value, match.Groups["region"].Value, rest, digest is null ? tag ?? "latest" : tag, digest);
        return true;
    }

    [GeneratedRegex(@"^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?<rest>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
