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
    /// this region's ECR are not checked (a Docker Hub image, another region's registry).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, MightyOpsException>> VerifyAsync(IEnumerable<string> images, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, MightyOpsException>(StringComparer.Ordinal);
        var byRepository = new Dictionary<(string Account, string Repository), List<EcrImageUri>>();
        foreach (string image in images.Distinct(StringComparer.Ordinal))
        {
            if (!EcrImageUri.TryParse(image, out EcrImageUri uri) || uri.Region != _aws.Region)
            {
                _log.Verbose($"Image {image} is not in ECR in {_aws.Region}; not checked.");
                continue;
            }
            (string, string) key = (uri.Account, uri.Repository);
            if (!byRepository.TryGetValue(key, out List<EcrImageUri>? list))
            {
                byRepository[key] = list = [];
            }
            list.Add(uri);
        }

        await Parallel.ForEachAsync(byRepository, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            ((string account, string repository), List<EcrImageUri> wanted) = (entry.Key, entry.Value);
            Dictionary<string, MightyOpsException> found = await CheckRepositoryAsync(account, repository, wanted, ct).ConfigureAwait(false);
            lock (problems)
            {
                foreach ((string image, MightyOpsException problem) in found)
                {
                    problems[image] = problem;
                }
            }
        }).ConfigureAwait(false);
        return problems;
    }

    private async Task<Dictionary<string, MightyOpsException>> CheckRepositoryAsync(string account, string repository, List<EcrImageUri> wanted, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, MightyOpsException>(StringComparer.Ordinal);
        BatchGetImageResponse response;
        try
        {
            response = await _aws.Ecr.BatchGetImageAsync(
                repository,
                wanted.Select(w => new EcrImageIdentifier { ImageTag = w.Digest is null ? w.Tag : null, ImageDigest = w.Digest }),
                acceptedMediaTypes: null,
                registryId: account,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (e.Is(AwsErrorIds.RepositoryNotFound))
        {
            foreach (EcrImageUri uri in wanted)
            {
                problems[uri.ToString()] = new MightyOpsException(AwsErrorIds.RepositoryNotFound,
                    $"ECR repository '{repository}' was not found in {_aws.Region} (account {account}), so {uri} cannot run.",
                    uri.ToString(), e);
            }
            return problems;
        }
        _log.Verbose($"ECR {repository}: {wanted.Count} image(s) checked, {response.Failures?.Count ?? 0} missing.");
        List<EcrImageUri> missing = wanted.Where(w => (response.Failures ?? []).Any(f =>
            (w.Digest is null && f.ImageId?.ImageTag == w.Tag) || (w.Digest is not null && f.ImageId?.ImageDigest == w.Digest))).ToList();
        if (missing.Count == 0)
        {
            return problems;
        }
        string newest = await NewestTagsAsync(account, repository, cancellationToken).ConfigureAwait(false);
        foreach (EcrImageUri uri in missing)
        {
            string what = uri.Digest is null ? $"tag '{uri.Tag}'" : $"digest {uri.Digest}";
            problems[uri.ToString()] = new MightyOpsException(DeployErrorIds.ImageTagNotFound,
                $"ECR repository '{repository}' has no image with {what}. {newest} Push the image first (CI builds it from the release tag), or deploy a tag that exists.",
                uri.ToString());
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
