using System.Security.Cryptography;
using System.Text;
using MightyOps.Core.Deploy;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// What the container agent finds when it pulls an image: images in the sandbox's own ECR
/// registry (<c>{account}.dkr.ecr.{region}.amazonaws.com/repo:tag</c> or <c>@sha256:...</c>) are
/// looked up in <see cref="SandboxWorld.Repositories"/>; anything else (Docker Hub, another
/// registry) is assumed to exist and start.
/// </summary>
internal static class ImageLookup
{
    /// <summary>The outcome of one pull.</summary>
    internal readonly record struct PullResult(string Digest, SandboxImage? Image, string? Error);

    /// <summary>
    /// Pulls <paramref name="image"/>; with <paramref name="pinnedDigest"/> (the digest a service
    /// revision resolved its tag to) that digest is pulled, wherever the tag points now.
    /// </summary>
    public static PullResult Pull(SandboxWorld world, string image, string? pinnedDigest = null)
    {
        ImageReference reference = ImageReference.Parse(image);
        if (!world.InRegistry(reference))
        {
            return new PullResult(SyntheticDigest(image), null, null);
        }
        if (!world.Repositories.TryGetValue(reference.Repository, out SandboxRepository? repository))
        {
            // What the agent reports for an ECR repository that does not exist.
            return new PullResult(string.Empty, null,
                $"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref {image}: " +
                "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed");
        }
        // A digest decides what is pulled, also next to a tag; without one the tag (latest when none is written).
        SandboxImage? found = (pinnedDigest ?? reference.Digest) is string digest
            ? repository.Images.Find(i => string.Equals(i.Digest, digest, StringComparison.OrdinalIgnoreCase))
            : repository.Images.Find(i => i.Tags.Contains(reference.PulledTag, StringComparer.Ordinal));
        if (found is null)
        {
            return new PullResult(string.Empty, null,
                $"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref {image}: {image}: not found");
        }
        return new PullResult(found.Digest, found, null);
    }

    /// <summary>
    /// The digest <paramref name="image"/> resolves to now, as ECS resolves a service revision's
    /// tags when a deployment starts; null when it does not resolve (no such repository or tag:
    /// the tasks then fail to pull it).
    /// </summary>
    public static string? Resolve(SandboxWorld world, string image)
    {
        PullResult pull = Pull(world, image);
        return pull.Error is null ? pull.Digest : null;
    }

    /// <summary>A stable digest for images outside the registry, so tasks still show an imageDigest.</summary>
    private static string SyntheticDigest(string image) =>
        "sha256:" + EcsArns.ToHex(SHA256.HashData(Encoding.UTF8.GetBytes(image)));
}
