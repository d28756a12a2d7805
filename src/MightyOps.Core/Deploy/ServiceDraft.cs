using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;

namespace MightyOps.Core.Deploy;

/// <summary>
/// One service on its way through <see cref="DeployPlanner.PlanAsync"/>: the service and its live
/// task definition as read, then the images chosen for its containers. Each step takes the draft
/// the step before gave, so the images are worked out once.
/// </summary>
/// <param name="Service">The service as DescribeServices gave it (ACTIVE, rolling controller).</param>
/// <param name="Described">Its live task definition, described with its tags.</param>
internal sealed record ServiceDraft(EcsService Service, DescribeTaskDefinitionResponse Described)
{
    /// <summary>Container name to new image; empty when nothing was asked (a forced redeploy, a config-only change).</summary>
    public IReadOnlyDictionary<string, ImageReference> Images { get; init; } = new Dictionary<string, ImageReference>(StringComparer.Ordinal);

    public string Name => Service.ServiceName!;

    public EcsTaskDefinition Live => Described.TaskDefinition!;

    /// <summary>The service's account, from its ARN: whose ECR is "this account's ECR".</summary>
    public string Account => EcsArn.TryParse(Service.ServiceArn ?? string.Empty, out EcsArn arn) ? arn.Account : string.Empty;
}

/// <summary>A rendered revision: the register request, and the secrets env file it points at (null without one).</summary>
internal sealed record RenderedRevision(RegisterTaskDefinitionRequest Request, EnvironmentFile? SecretsFile, S3Location? SecretsSource);
