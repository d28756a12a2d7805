namespace MightyOps.Core.Deploy;

/// <summary>The errors of deploying, watching and restoring services (docs/design/deploy.md).</summary>
public static class DeployErrorIds
{
    public static readonly MightyError ContainerNotInEcr = new("ContainerNotInEcr",
        "-Container names a container whose image is not in this account's ECR in this region, so -Tag cannot retag it: use -Image for it.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError DeploymentControllerUnsupported = new("DeploymentControllerUnsupported",
        "The service uses another deployment controller than ECS (CODE_DEPLOY, EXTERNAL); MightyOps deploys services of the ECS deployment controller only.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError DeploymentFailed = new("DeploymentFailed",
        "The deployment failed or was rolled back; the message tells what failed, the stopped tasks' reasons and exit codes and the crash's last log lines.",
        MightyErrorKind.Failed);

    public static readonly MightyError DeploymentNotInProgress = new("DeploymentNotInProgress",
        "The service has no deployment in progress to stop or resume (the message says how its last one ended); Get-MightyDeployment lists them.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError DeploymentNotPaused = new("DeploymentNotPaused",
        "The deployment is not waiting at a pause hook, so there is nothing to continue or roll back with Resume-MightyDeployment; Stop-MightyDeployment -Rollback rolls it back.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError DeploymentNotFound = new("DeploymentNotFound",
        "The service has no PRIMARY deployment to wait for.",
        MightyErrorKind.NotFound);

    public static readonly MightyError DeploymentInProgress = new("DeploymentInProgress",
        "Another deployment of the service is in progress (the message names it: its ARN, when it started, its images); wait for it (Wait-MightyDeployment) or stop it (Stop-MightyDeployment), or deploy over it with -Force.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError DeploymentStopped = new("DeploymentStopped",
        "ECS stopped the deployment before it completed (StopServiceDeployment, STOPPED): the service runs what the message names.",
        MightyErrorKind.Failed);

    public static readonly MightyError DeploymentTimedOut = new("DeploymentTimedOut",
        "The deployment did not finish within -Timeout.",
        MightyErrorKind.Timeout);

    public static readonly MightyError ResumeActionRequired = new("ResumeActionRequired",
        "Resume-MightyDeployment needs one of -Continue (go on past the pause hook) or -Rollback (roll the deployment back).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ServiceDeploymentsUnavailable = new("ServiceDeploymentsUnavailable",
        "ECS's service-deployment ledger is not available for this account and region (or the credentials may not read it), so deployments cannot be listed, stopped or resumed there.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError ExecutionRoleRequired = new("ExecutionRoleRequired",
        "Secrets go to the service as an S3 env file, but its task definition has no executionRoleArn that ECS could read the file with: give it one.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError ImageTagNotFound = new("ImageTagNotFound",
        "The ECR repository has no image with the tag or digest to deploy; the message names the newest tags there.",
        MightyErrorKind.NotFound);

    public static readonly MightyError InvalidImage = new("InvalidImage",
        "-Image is empty, or not container names with images: pass a tag, an image, or @{ container = 'tag or image' }.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError InvalidTimeout = new("InvalidTimeout",
        "-Timeout is not positive, or -UnreachableTimeout is under one second.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError NoEcrContainer = new("NoEcrContainer",
        "No container of the service runs an image from this account's ECR in this region, so -Tag has nothing to change: name the images with -Image.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError PreviousTaskDefinitionUnknown = new("PreviousTaskDefinitionUnknown",
        "The running revision was not deployed by MightyOps and no older deployment is left: name the revision with -TaskDefinition.",
        MightyErrorKind.NotFound);

    public static readonly MightyError SecretsInvalid = new("SecretsInvalid",
        "The secrets document in S3 cannot be used (not JSON, not an object, a value that is not a string, a bad name); the message names the key, never a value.",
        MightyErrorKind.InvalidData);

    public static readonly MightyError SecretsNotFound = new("SecretsNotFound",
        "The secrets document named by Secrets.Source in mighty.psd1 (its object or its bucket) does not exist.",
        MightyErrorKind.NotFound);

    public static readonly MightyError ServiceNotActive = new("ServiceNotActive",
        "The service is being deleted (not ACTIVE) and cannot be deployed.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError TagConflict = new("TagConflict",
        "The pipeline gave one Publish-MightyService call two different tags: deploy them in two calls.",
        MightyErrorKind.InvalidArgument);
}
