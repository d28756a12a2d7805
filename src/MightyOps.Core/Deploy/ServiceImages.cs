using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>What tab completion offers for a service: its containers, and the tags of the ECR repositories they run.</summary>
public static class ServiceImages
{
    /// <summary>The container names of the service's live task definition, in definition order.</summary>
    public static async Task<IReadOnlyList<string>> ContainerNamesAsync(AwsSession aws, string cluster, string service, CancellationToken cancellationToken)
    {
        EcsTaskDefinition? live = await LiveAsync(aws, cluster, service, cancellationToken).ConfigureAwait(false);
        return (live?.ContainerDefinitions ?? []).Select(c => c.Name).OfType<string>().ToList();
    }

    /// <summary>The tags of the ECR repositories the service's containers run, newest push first.</summary>
    public static async Task<IReadOnlyList<string>> TagsAsync(AwsSession aws, string cluster, string service, CancellationToken cancellationToken)
    {
        EcsTaskDefinition? live = await LiveAsync(aws, cluster, service, cancellationToken).ConfigureAwait(false);
        var images = new List<EcrImageDetail>();
        foreach (ImageReference ecr in (live?.ContainerDefinitions ?? [])
            .Select(c => ImageReference.TryParse(c.Image, out ImageReference image) && image.EcrRegion == aws.Region ? image : null)
            .OfType<ImageReference>()
            .DistinctBy(i => (i.EcrAccount, i.Repository)))
        {
            await foreach (EcrImageDetail image in aws.Ecr.DescribeAllImagesAsync(ecr.Repository, "TAGGED", ecr.EcrAccount, cancellationToken).ConfigureAwait(false))
            {
                images.Add(image);
            }
        }
        return images.OrderByDescending(i => i.ImagePushedAt).SelectMany(i => i.ImageTags ?? []).Distinct(StringComparer.Ordinal).ToList();
    }

    private static async Task<EcsTaskDefinition?> LiveAsync(AwsSession aws, string cluster, string service, CancellationToken cancellationToken)
    {
        DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync(cluster, [service], cancellationToken).ConfigureAwait(false);
        string? arn = described.Services?.FirstOrDefault()?.TaskDefinition;
        return arn is null ? null : (await aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: false, cancellationToken).ConfigureAwait(false)).TaskDefinition;
    }
}
