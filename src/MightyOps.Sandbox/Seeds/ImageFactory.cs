using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MightyOps.Sandbox.Seeds;

/// <summary>
/// Makes ECR images that look like the real thing: a Docker image manifest v2 (schema 2) with a
/// config blob and gzipped layers, and the image digest computed from the manifest bytes the way
/// a registry does (<c>sha256:</c> of the manifest as stored).
/// </summary>
internal static class ImageFactory
{
    public const string DefaultFailureReason = "Essential container in task exited";
    public const string DockerManifestV2 = "application/vnd.docker.distribution.manifest.v2+json";
    private const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    private const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>A new image tagged <paramref name="tag"/>; the tag moves off any image that had it.</summary>
    public static SandboxImage Push(SandboxWorld world, string repositoryName, string tag, bool failsToStart = false, string? failureReason = null, DateTimeOffset? pushedAt = null)
    {
        if (!world.Repositories.TryGetValue(repositoryName, out SandboxRepository? repository))
        {
            repository = new SandboxRepository { Name = repositoryName, CreatedAt = pushedAt ?? world.Clock.UtcNow };
            world.Repositories.Add(repositoryName, repository);
        }
        foreach (SandboxImage old in repository.Images)
        {
            old.Tags.Remove(tag);
        }
        DateTimeOffset when = pushedAt ?? world.Clock.UtcNow;
        SandboxImage image = Build($"{repositoryName}:{tag}:{when.UtcTicks}:{repository.Images.Count}", when);
        image.Tags.Add(tag);
        image.FailsToStart = failsToStart;
        image.FailureReason = failsToStart ? failureReason ?? DefaultFailureReason : null;
        repository.Images.Add(image);
        return image;
    }

    /// <summary>An image whose manifest (and so digest) is derived from <paramref name="seed"/>.</summary>
    public static SandboxImage Build(string seed, DateTimeOffset pushedAt)
    {
        // Base layers are shared by every image of a repository, as with a real Rails image built
        // FROM ruby: only the top (application) layers differ between builds.
        string baseSeed = seed.Split(':')[0];
        var layers = new List<(string Digest, long Size)>
        {
            (Digest($"{baseSeed}/base/0"), 29_126_484 + Size(baseSeed, 0, 1_000_000)),
            (Digest($"{baseSeed}/base/1"), 15_764_801 + Size(baseSeed, 1, 500_000)),
            (Digest($"{baseSeed}/base/2"), 48_212_096 + Size(baseSeed, 2, 2_000_000)),
            (Digest($"{seed}/app/0"), 91_482_117 + Size(seed, 3, 5_000_000)),
            (Digest($"{seed}/app/1"), 1_204_331 + Size(seed, 4, 200_000)),
        };
        long configSize = 7_023 + Size(seed, 5, 2_000);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", DockerManifestV2);
            json.WriteStartObject("config");
            json.WriteString("mediaType", DockerConfig);
            json.WriteNumber("size", configSize);
            json.WriteString("digest", Digest($"{seed}/config"));
            json.WriteEndObject();
            json.WriteStartArray("layers");
            foreach ((string digest, long size) in layers)
            {
                json.WriteStartObject();
                json.WriteString("mediaType", DockerLayer);
                json.WriteNumber("size", size);
                json.WriteString("digest", digest);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        byte[] manifest = buffer.ToArray();
        return new SandboxImage
        {
            Digest = "sha256:" + Convert.ToHexString(SHA256.HashData(manifest)).ToLowerInvariant(),
            Manifest = Encoding.UTF8.GetString(manifest),
            ManifestMediaType = DockerManifestV2,
            SizeInBytes = layers.Sum(l => l.Size) + configSize,
            PushedAt = pushedAt,
        };
    }

    private static string Digest(string seed) =>
        "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(seed))).ToLowerInvariant();

    private static long Size(string seed, int salt, int range) =>
        (long)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}#{salt}")), 0) % (uint)range);
}
