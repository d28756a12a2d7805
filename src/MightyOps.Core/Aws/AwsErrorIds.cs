namespace MightyOps.Core.Aws;

/// <summary>
/// The errors of talking to AWS: credentials, region, endpoints, retries, and what AWS's own
/// error answers become (<see cref="AwsErrors"/>), including its not-found answers, which other
/// areas report too (a service, a cluster, a repository that is not there). The error table of
/// about_MightyOps.md lists each with the same meaning.
/// </summary>
public static class AwsErrorIds
{
    public static readonly MightyError AwsAccessDenied = new("AwsAccessDenied",
        "The credentials may not make this AWS call: ask for the IAM permission the message names, or use -ProfileName with a role that has it.",
        MightyErrorKind.PermissionDenied);

    public static readonly MightyError AwsAuthenticationFailed = new("AwsAuthenticationFailed",
        "The endpoint refused the credentials (an unknown or inactive key, a wrong secret, an expired session token, a clock too far off); the message says which and names the endpoint.",
        MightyErrorKind.Authentication);

    public static readonly MightyError AwsConfigUnreadable = new("AwsConfigUnreadable",
        "The AWS credentials or config file cannot be read or parsed; the message names the file, line and profile, never the line's text.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError AwsConflict = new("AwsConflict",
        "AWS refused the change because another change is in progress: wait for it to finish and try again.",
        MightyErrorKind.Conflict);

    public static readonly MightyError AwsCredentialsFailed = new("AwsCredentialsFailed",
        "A credential source (a role, SSO, credential_process, instance metadata) gave no usable credentials; the message names the source and why.",
        MightyErrorKind.Authentication);

    public static readonly MightyError AwsCredentialsIncomplete = new("AwsCredentialsIncomplete",
        "-AccessKey and -SecretKey go together (with -SessionToken for temporary keys): pass both, or use -ProfileName or -Credential.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError AwsCredentialsInvalid = new("AwsCredentialsInvalid",
        "-Credential (or the AWS.Tools session default) is not an AWS credentials object.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError AwsCredentialsNotFound = new("AwsCredentialsNotFound",
        "No AWS credentials were found, or the named profile has none: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with -ProfileName.",
        MightyErrorKind.Authentication);

    public static readonly MightyError AwsEndpointInvalid = new("AwsEndpointInvalid",
        "An endpoint URL (-EndpointUrl, AWS_ENDPOINT_URL, a profile's endpoint_url) is not an absolute http:// or https:// URL.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError AwsEndpointTooSlow = new("AwsEndpointTooSlow",
        "The endpoint accepted the request but gave no complete answer within -TimeoutSec on any attempt: try again later, or allow more time.",
        MightyErrorKind.Timeout);

    public static readonly MightyError AwsEndpointUnreachable = new("AwsEndpointUnreachable",
        "Nothing answered at the endpoint (refused, unknown host, TLS failure, timeout), or ECS gave no answer for -UnreachableTimeout while a rollout was watched (the rollout goes on in ECS).",
        MightyErrorKind.Connection, MightyErrorKind.Timeout);

    public static readonly MightyError AwsInvalidParameter = new("AwsInvalidParameter",
        "AWS rejected a value of the request; the message quotes AWS's reason.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError AwsLimitExceeded = new("AwsLimitExceeded",
        "The call hit an AWS quota (for example the number of task definition revisions): clean up, or raise the quota in Service Quotas.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError AwsProfileLocationNotFound = new("AwsProfileLocationNotFound",
        "The credentials file named by -ProfileLocation does not exist.",
        MightyErrorKind.NotFound);

    public static readonly MightyError AwsProfileNotFound = new("AwsProfileNotFound",
        "The AWS profile named by -ProfileName or AWS_PROFILE is in neither the credentials nor the config file; the message lists the known ones.",
        MightyErrorKind.NotFound);

    public static readonly MightyError AwsRegionInvalid = new("AwsRegionInvalid",
        "The region given is not an AWS region name; the message suggests the nearest one.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError AwsRegionNotSet = new("AwsRegionNotSet",
        "No AWS region is set: pass -Region, run Set-DefaultAWSRegion, set AWS_REGION, or add region to the profile.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError AwsRequestFailed = new("AwsRequestFailed",
        "An AWS call failed in a way no other id describes; the message quotes AWS's answer.",
        MightyErrorKind.Failed);

    public static readonly MightyError AwsResponseInvalid = new("AwsResponseInvalid",
        "The endpoint answered with something MightyOps cannot use (not the expected JSON, a page token repeated, an ARN or deployment missing): check the endpoint, try again.",
        MightyErrorKind.Failed);

    public static readonly MightyError AwsServerError = new("AwsServerError",
        "AWS kept failing on its side (HTTP 5xx) after every retry: try again later.",
        MightyErrorKind.Failed);

    public static readonly MightyError AwsSsoLoginRequired = new("AwsSsoLoginRequired",
        "The profile uses AWS SSO and has no valid login: run aws sso login with that profile.",
        MightyErrorKind.Authentication);

    public static readonly MightyError AwsThrottled = new("AwsThrottled",
        "AWS kept throttling the calls after every retry: wait a minute, make fewer concurrent calls, or raise AWS_MAX_ATTEMPTS.",
        MightyErrorKind.Throttled);

    public static readonly MightyError AwsWriteOutcomeUnknown = new("AwsWriteOutcomeUnknown",
        "A write that must not happen twice (a registration, a service update) lost its answer and whether it happened could not be found out; it happened at most once, and the message says what to look for.",
        MightyErrorKind.Timeout, MightyErrorKind.Failed);

    public static readonly MightyError ClusterNotFound = new("ClusterNotFound",
        "The ECS cluster does not exist in this region and account; the message lists the clusters there and the nearest name.",
        MightyErrorKind.NotFound);

    public static readonly MightyError Ec2InstanceNotFound = new("Ec2InstanceNotFound",
        "The EC2 instance of a task is not there (any more).",
        MightyErrorKind.NotFound);

    public static readonly MightyError ImageNotFound = new("ImageNotFound",
        "ECR has no image with that tag or digest in the repository.",
        MightyErrorKind.NotFound);

    public static readonly MightyError LogGroupNotFound = new("LogGroupNotFound",
        "CloudWatch Logs has no such log group (deleted, or never created because awslogs-create-group is off).",
        MightyErrorKind.NotFound);

    public static readonly MightyError LogStreamNotFound = new("LogStreamNotFound",
        "CloudWatch Logs has no such log stream: the container never wrote a line, or the stream was deleted.",
        MightyErrorKind.NotFound);

    public static readonly MightyError RepositoryNotFound = new("RepositoryNotFound",
        "The ECR repository does not exist in this region and account; for a deploy the message says where its name came from (-Image, mighty.psd1, the live task definition).",
        MightyErrorKind.NotFound);

    public static readonly MightyError S3BucketNotFound = new("S3BucketNotFound",
        "The S3 bucket does not exist.",
        MightyErrorKind.NotFound);

    public static readonly MightyError S3ObjectNotFound = new("S3ObjectNotFound",
        "The S3 object does not exist.",
        MightyErrorKind.NotFound);

    public static readonly MightyError S3UriInvalid = new("S3UriInvalid",
        "A value that should name an S3 object is not written as s3://bucket/key.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ServiceNotFound = new("ServiceNotFound",
        "The ECS service does not exist or is not active in the cluster (names are case-sensitive), or a wildcard matched no service.",
        MightyErrorKind.NotFound);

    public static readonly MightyError TaskDefinitionNotFound = new("TaskDefinitionNotFound",
        "The task definition (family, family:revision or ARN) does not exist in this region.",
        MightyErrorKind.NotFound);
}
