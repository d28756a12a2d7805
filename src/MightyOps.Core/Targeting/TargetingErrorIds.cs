using MightyOps.Core.Aws;

namespace MightyOps.Core.Targeting;

/// <summary>
/// The errors of turning names, wildcards, ARNs and piped objects into clusters, services and
/// containers (docs/design/targeting.md). A service or cluster that is not there is
/// <see cref="AwsErrorIds.ServiceNotFound"/> / <see cref="AwsErrorIds.ClusterNotFound"/>.
/// </summary>
public static class TargetingErrorIds
{
    public static readonly MightyError AwsAccountMismatch = new("AwsAccountMismatch",
        "An ARN names another AWS account than the one the credentials reach: use that account's credentials (-ProfileName), or pass names.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError AwsRegionMismatch = new("AwsRegionMismatch",
        "An ARN names another region than the command runs in: pass -Region with the ARN's region, or a name.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ClusterMismatch = new("ClusterMismatch",
        "A service ARN's cluster differs from the cluster given: leave -Cluster out (the ARN names its cluster), or pass the service's name.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ContainerNameRequired = new("ContainerNameRequired",
        "The task or the image fits more than one container: name the container (-Container, or -Image @{ container = 'image' }).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ContainerNotFound = new("ContainerNotFound",
        "The task definition or task has no container of that name (names are case-sensitive); the message lists its containers.",
        MightyErrorKind.NotFound);

    public static readonly MightyError EcsArnInvalid = new("EcsArnInvalid",
        "A value written as an ARN is not an ECS cluster or service ARN.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError InputNotATarget = new("InputNotATarget",
        "A piped object names no ECS cluster or service: pipe names, ARNs, or objects with a Cluster or Service property.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ServiceNotNamed = new("ServiceNotNamed",
        "A command that changes services was given a cluster but no service: name them with -Service (-Service '*' means every service of the cluster).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError TaskIdNeedsExactService = new("TaskIdNeedsExactService",
        "-TaskId was given with a wildcard service, or none: name the service exactly, or pipe the tasks from Get-MightyTask.",
        MightyErrorKind.InvalidArgument);
}
