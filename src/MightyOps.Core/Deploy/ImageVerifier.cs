using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecr;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Checks that the images a deploy would run exist in ECR before anything is registered: one
/// BatchGetImage per repository for all the tags wanted from it (however many services ask), and
/// for a missing tag one DescribeImages listing to name the newest tags that do exist.
/// </summary>
public sealed class ImageVerifier
{
    private const int NewestTagsNamed = 3;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public ImageVerifier(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// The problems with <paramref name="images"/> by image: <c>ImageTagNotFound</c> (naming the
    /// repository, the tag and the newest tags there) or <c>RepositoryNotFound</c>. Images outside
    /// this region's ECR are not checked (a Docker Hub image, another region's registry). An image
    /// with a digest is looked up by its digest (what ECS pulls), else by its tag (latest when none
    /// is written).
    /// </summary>
    public async Task<IReadOnlyDictionary<ImageReference, MightyOpsException>> VerifyAsync(IEnumerable<ImageReference> images, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<ImageReference, MightyOpsException>();
        var byRepository = new Dictionary<(string Account, string Repository), List<ImageReference>>();
        foreach (ImageReference image in images.Distinct())
        {
            if (image.EcrAccount is not string account || image.EcrRegion != _aws.Region)
            {
                _log.Verbose($"Image {image} is not in ECR in {_aws.Region}; not checked.");
                continue;
            }
            (string, string) key = (account, image.Repository);
            if (!byRepository.TryGetValue(key, out List<ImageReference>? list))
            {
                byRepository[key] = list = [];
            }
            list.Add(image);
        }

        await Parallel.ForEachAsync(byRepository, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            ((string account, string repository), List<ImageReference> wanted) = (entry.Key, entry.Value);
            Dictionary<ImageReference, MightyOpsException> found = await CheckRepositoryAsync(account, repository, wanted, ct).ConfigureAwait(false);
            lock (problems)
            {
                foreach ((ImageReference image, MightyOpsException problem) in found)
                {
                    problems[image] = problem;
                }
            }
        }).ConfigureAwait(false);
        return problems;
    }

    private async Task<Dictionary<ImageReference, MightyOpsException>> CheckRepositoryAsync(string account, string repository, List<ImageReference> wanted, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<ImageReference, MightyOpsException>();
        BatchGetImageResponse response;
        try
        {
            response = await _aws.Ecr.BatchGetImageAsync(
                repository,
                wanted.Select(w => new EcrImageIdentifier { ImageTag = w.Digest is null ? w.PulledTag : null, ImageDigest = w.Digest }),
                acceptedMediaTypes: null,
                registryId: account,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (e.Is(AwsErrorIds.RepositoryNotFound))
        {
            foreach (ImageReference image in wanted)
            {
                problems[image] = new MightyOpsException(AwsErrorIds.RepositoryNotFound,
                    $"ECR repository '{repository}' was not found in {_aws.Region} (account {account}), so {image} cannot run.",
                    image.ToString(), e);
            }
            return problems;
        }
        _log.Verbose($"ECR {repository}: {wanted.Count} image(s) checked, {response.Failures?.Count ?? 0} missing.");
        List<ImageReference> missing = wanted.Where(w => (response.Failures ?? []).Any(f =>
            (w.Digest is null && f.ImageId?.ImageTag == w.PulledTag) || (w.Digest is not null && f.ImageId?.ImageDigest == w.Digest))).ToList();
        if (missing.Count == 0)
        {
            return problems;
        }
        string newest = await NewestTagsAsync(account, repository, cancellationToken).ConfigureAwait(false);
        foreach (ImageReference image in missing)
        {
            string what = image.Digest is null ? $"tag '{image.PulledTag}'" : $"digest {image.Digest}";
            problems[image] = new MightyOpsException(DeployErrorIds.ImageTagNotFound,
                $"ECR repository '{repository}' has no image with {what}. {newest} Push the image first (CI builds it from the release tag), or deploy a tag that exists.",
                image.ToString());
        }
        return problems;
    }

    private async Task<string> NewestTagsAsync(string account, string repository, CancellationToken cancellationToken)
    {
        var tagged = new List<EcrImageDetail>();
        await foreach (EcrImageDetail image in _aws.Ecr.DescribeAllImagesAsync(repository, "TAGGED", account, cancellationToken).ConfigureAwait(false))
        {
            tagged.Add(image);
        }
        List<string> tags = tagged
            .OrderByDescending(i => i.ImagePushedAt)
            .SelectMany(i => (i.ImageTags ?? []).Order(StringComparer.Ordinal))
            .Take(NewestTagsNamed)
            .ToList();
        return tags.Count == 0
            ? "The repository has no tagged images."
            : $"The newest tags there: {string.Join(", ", tags)}.";
    }
}
