using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>What a deploy of one service would do, worked out before anything is changed.</summary>
public sealed class ServicePlan
{
    public required string Cluster { get; init; }

    public required string Service { get; init; }

    /// <summary>The service as DescribeServices gave it when the deploy was planned (its desired count, deployment configuration, placement).</summary>
    public EcsService? Described { get; init; }

    /// <summary>The creation time of the service's newest deployment when the deploy looked (DeploymentGuard); null without the ledger.</summary>
    public DateTimeOffset? LookedAt { get; set; }

    /// <summary>The live task definition (described with its tags).</summary>
    public required EcsTaskDefinition Live { get; init; }

    /// <summary>The request that registers the new revision; null when <see cref="Unchanged"/>.</summary>
    public RegisterTaskDefinitionRequest? Rendered { get; init; }

    /// <summary>Container name to image, as the service will run them.</summary>
    public required IReadOnlyDictionary<string, string> Images { get; init; }

    /// <summary>Field-level differences between the live and the new definition (no values of environment variables).</summary>
    public required IReadOnlyList<DefinitionChange> Changes { get; init; }

    /// <summary>The rendered definition equals the live one: nothing to register.</summary>
    public bool Unchanged => Rendered is null;

    /// <summary>
    /// The family's newest revision when it equals <see cref="Rendered"/> (registered by an
    /// earlier run that did not get to update the service): deployed instead of registering another.
    /// </summary>
    public string? ExistingRevision { get; internal set; }

    /// <summary>The family's newest revision number when the deploy was planned; a registration's look searches only newer ones.</summary>
    public int NewestRevision { get; internal set; }

    /// <summary>The service's PRIMARY deployment when the deploy was planned: a deployment other than this one is ours.</summary>
    public string? PrimaryDeploymentId { get; init; }

    /// <summary>
    /// When <see cref="Unchanged"/>: the service's rollout of the live revision, still in progress
    /// (started by an earlier run or someone else); the deploy watches it instead of saying Unchanged.
    /// </summary>
    public WatchedDeployment? InFlight { get; init; }

    /// <summary>Start new tasks even when <see cref="Unchanged"/> (-ForceNewDeployment).</summary>
    public bool ForceNewDeployment { get; init; }

    /// <summary>The env file with the service's secrets, uploaded (if absent) before the revision is registered; null without one.</summary>
    public EnvironmentFile? SecretsFile { get; init; }

    /// <summary>The secrets document the file is written next to.</summary>
    public S3Location? SecretsSource { get; init; }

    /// <summary>The live task definition ARN.</summary>
    public string LiveArn => Live.TaskDefinitionArn ?? string.Empty;
}

/// <summary>The deploy options shared by every service of one Publish-MightyService call.</summary>
/// <param name="Images">-Tag / -Image / -Container.</param>
/// <param name="ForceNewDeployment">Start new tasks even when nothing changed.</param>
/// <param name="Config">mighty.psd1: container settings, environment, where the secrets are (<see cref="MightyConfig.Empty"/> without a file).</param>
/// <param name="Force">Deploy even while another deployment of the service is in progress (-Force).</param>
public sealed record DeployOptions(ImageRequest Images, bool ForceNewDeployment, MightyConfig Config, bool Force = false);
