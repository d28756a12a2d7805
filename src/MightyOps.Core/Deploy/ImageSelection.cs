using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Targeting;

namespace MightyOps.Core.Deploy;

/// <summary>What the user asked to run: <c>-Tag</c> (optionally narrowed by <c>-Container</c>) or <c>-Image</c>.</summary>
/// <param name="Tag">The new tag for every container whose image is in this account's and region's ECR.</param>
/// <param name="Images">Per container name: a tag, <c>repository:tag</c>, or a full image URI.</param>
/// <param name="Containers">With <paramref name="Tag"/>: only these containers.</param>
public sealed record ImageRequest(string? Tag, IReadOnlyDictionary<string, string>? Images, IReadOnlyList<string>? Containers)
{
    /// <summary>
    /// One image, <c>repository:tag</c> or a full URI, given without container names: it goes to
    /// the containers that run its repository now (or that mighty.psd1 gives that
    /// <c>Repository</c>), else to the task definition's only container.
    /// </summary>
    public string? Image { get; init; }

    /// <summary>Nothing asked: the same images (a forced redeploy or a config-only change).</summary>
    public bool IsEmpty => Tag is null && Image is null && (Images is null || Images.Count == 0);

    /// <summary>
    /// <c>-Image</c> given as one string rather than per container: a bare tag (<c>master.5</c>)
    /// means what <c>-Tag</c> means; <c>repository:tag</c> or a full URI is <see cref="Image"/>.
    /// </summary>
    public static ImageRequest FromImageText(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string value = text.Trim();
        return ImageSelection.IsBareTag(value) ? new ImageRequest(value, null, null) : new ImageRequest(null, null, null) { Image = value };
    }

    /// <summary>What <c>mightyops:release</c> says: the tag, or <c>container=tag</c> pairs (the digest for an image named by one) for -Image.</summary>
    public string? ReleaseLabel(IReadOnlyDictionary<string, ImageReference> chosen)
    {
        if (Tag is not null)
        {
            return Tag;
        }
        if (chosen.Count == 0)
        {
            return null;
        }
        return string.Join(" ", chosen.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value.TagOrDigest}"));
    }
}

/// <summary>Where the repository of a container's new image was named, for messages about a wrong one.</summary>
public enum RepositorySource
{
    /// <summary>The image the live task definition runs (-Tag, or a bare tag in -Image, retags it).</summary>
    TaskDefinition,

    /// <summary>-Image, as <c>repository:tag</c> or a full URI.</summary>
    Parameter,

    /// <summary>The container's <c>Repository</c> in mighty.psd1.</summary>
    Config,
}

/// <summary>Turns an <see cref="ImageRequest"/> into the new image of each container of one task definition.</summary>
public static class ImageSelection
{
    /// <summary>
    /// Where <see cref="Resolve"/> took the repository of <paramref name="container"/>'s image
    /// from: -Image when it names a repository (one image, or <c>repository:tag</c> / a URI for
    /// the container), else the container's configured <paramref name="configuredRepository"/>,
    /// else the live task definition.
    /// </summary>
    public static RepositorySource SourceOf(ImageRequest request, string container, string? configuredRepository)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Image is not null || (request.Images?.TryGetValue(container, out string? value) == true && !IsBareTag(value)))
        {
            return RepositorySource.Parameter;
        }
        return configuredRepository is null ? RepositorySource.TaskDefinition : RepositorySource.Config;
    }

    /// <summary>
    /// The containers that get a new image, and that image. Throws <c>ContainerNotFound</c>
    /// (listing the names the definition has) for a container it lacks, and
    /// <c>NoEcrContainer</c> when <c>-Tag</c> finds no container running an image from this
    /// account's and region's ECR.
    /// </summary>
    /// <param name="live">The service's task definition as it runs now.</param>
    /// <param name="request">-Tag (with -Container) or -Image.</param>
    /// <param name="account">The account of this account's ECR (the service's).</param>
    /// <param name="region">The session's region.</param>
    /// <param name="service">The service's name, for messages.</param>
    /// <param name="repositoryOf">
    /// The ECR repository mighty.psd1 names for a container (<c>Repository</c>), or null. A tag
    /// (<c>-Tag</c>, or a bare tag in <c>-Image</c>) then means that repository of this
    /// account's ECR, whatever the live definition runs: a placeholder image before the first
    /// real deploy, or a public image being replaced by the team's own build.
    /// </param>
    public static IReadOnlyDictionary<string, ImageReference> Resolve(EcsTaskDefinition live, ImageRequest request, string account, string region, string service, Func<string, string?>? repositoryOf = null)
    {
        repositoryOf ??= _ => null;
        List<EcsContainerDefinition> containers = live.ContainerDefinitions ?? [];
        var byName = containers.Where(c => c.Name is not null).ToDictionary(c => c.Name!, StringComparer.Ordinal);
        IEnumerable<string> named = (request.Images?.Keys ?? Enumerable.Empty<string>()).Concat(request.Containers ?? []);
        foreach (string name in named)
        {
            if (!byName.ContainsKey(name))
            {
                string suggestion = byName.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) is string near
                    ? $" Did you mean '{near}'? Container names are case-sensitive."
                    : string.Empty;
                throw new MightyOpsException(TargetingErrorIds.ContainerNotFound,
                    $"Service '{service}' has no container '{name}': its task definition {MightyServiceDeployment.ShortTaskDefinition(live.TaskDefinitionArn ?? string.Empty)} has {string.Join(", ", byName.Keys.Select(k => $"'{k}'"))}.{suggestion}",
                    name);
            }
        }

        var chosen = new Dictionary<string, ImageReference>(StringComparer.Ordinal);
        if (request.Image is string image)
        {
            return ForOneImage(containers, image, account, region, service, live.TaskDefinitionArn, repositoryOf);
        }
        if (request.Tag is string tag)
        {
            HashSet<string>? only = request.Containers is { Count: > 0 } ? new HashSet<string>(request.Containers, StringComparer.Ordinal) : null;
            foreach (EcsContainerDefinition container in containers)
            {
                if (only is not null && !only.Contains(container.Name!))
                {
                    continue;
                }
                // Only this account's and region's ECR: a Docker Hub sidecar (datadog, envoy) keeps its own version.
                if (repositoryOf(container.Name!) is string repository)
                {
                    chosen[container.Name!] = ImageReference.InEcr(account, region, repository, tag);
                }
                else if (ImageReference.TryParse(container.Image, out ImageReference running) && running.IsInEcrOf(account, region))
                {
                    chosen[container.Name!] = running.WithTag(tag);
                }
                else if (only is not null)
                {
                    throw new MightyOpsException(DeployErrorIds.ContainerNotInEcr,
                        $"Container '{container.Name}' of service '{service}' runs '{container.Image}', which is not in this account's ECR in {region}, so -Tag cannot retag it. Use -Image @{{ {container.Name} = '<image>:<tag>' }} instead.",
                        container.Name);
                }
            }
            if (chosen.Count == 0)
            {
                throw new MightyOpsException(DeployErrorIds.NoEcrContainer,
                    $"No container of service '{service}' runs an image from this account's ECR in {region} ({string.Join(", ", containers.Select(c => $"{c.Name}: {c.Image}"))}), so -Tag {tag} has nothing to change. Use -Image to name the images.",
                    service);
            }
            return chosen;
        }
        foreach ((string name, string value) in request.Images ?? new Dictionary<string, string>())
        {
            chosen[name] = repositoryOf(name) is string repository && IsBareTag(value)
                ? ImageReference.InEcr(account, region, repository, value.Trim())
                : ImageFor(byName[name].Image, value, account, region);
        }
        return chosen;
    }

    /// <summary>True for a value with no repository, registry or digest part: a tag alone.</summary>
    public static bool IsBareTag(string value) =>
        value.IndexOfAny([':', '/', '@']) < 0;

    // One image for the containers that run its repository (the same registry and name, any tag),
    // or that mighty.psd1 gives that repository; with none, the only container; else the user
    // must say which container.
    private static Dictionary<string, ImageReference> ForOneImage(List<EcsContainerDefinition> containers, string image, string account, string region, string service, string? taskDefinitionArn, Func<string, string?> repositoryOf)
    {
        ImageReference full = ImageFor(null, image, account, region);
        string name = full.Name;
        List<EcsContainerDefinition> running = containers.Where(c =>
            (repositoryOf(c.Name!) is string repository && ImageReference.InEcr(account, region, repository, ImageReference.DefaultTag).Name == name)
            || (ImageReference.TryParse(c.Image, out ImageReference current) && current.Name == name)).ToList();
        if (running.Count == 0 && containers.Count == 1)
        {
            running = containers;
        }
        if (running.Count == 0)
        {
            string first = containers.Select(c => c.Name).FirstOrDefault() ?? "application";
            throw new MightyOpsException(TargetingErrorIds.ContainerNameRequired,
                $"No container of service '{service}' runs {name}, and its task definition {MightyServiceDeployment.ShortTaskDefinition(taskDefinitionArn ?? string.Empty)} has several ({string.Join(", ", containers.Select(c => $"{c.Name}: {c.Image}"))}), so -Image '{image}' does not say which to change. Name the container: -Image @{{ {first} = '{image}' }}.",
                image);
        }
        return running.ToDictionary(c => c.Name!, _ => full, StringComparer.Ordinal);
    }

    /// <summary>
    /// A full image reference from a tag, <c>repository:tag</c>, or a full URI: a value with a
    /// registry is taken as written; one with a repository (or a digest) names a repository of
    /// this account's ECR; a bare tag retags <paramref name="currentImage"/>.
    /// </summary>
    public static ImageReference ImageFor(string? currentImage, string value, string account, string region)
    {
        value = value.Trim();
        ImageReference given = ImageReference.Parse(value);
        if (given.Registry is not null)
        {
            return given;
        }
        if (!IsBareTag(value))
        {
            return given with { Registry = ImageReference.EcrRegistry(account, region) };
        }
        // A tag for the image the container runs, from whichever registry: same image, new tag.
        return ImageReference.TryParse(currentImage, out ImageReference current) ? current.WithTag(value) : new ImageReference(null, string.Empty, value);
    }
}
