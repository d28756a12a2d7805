namespace MightyOps.Core.Tasks;

/// <summary>The errors of one-off tasks: starting, waiting for and stopping them, and the before-deploy task (docs/design/one-off-tasks.md).</summary>
public static class TasksErrorIds
{
    public static readonly MightyError BeforeDeployConflict = new("BeforeDeployConflict",
        "-BeforeDeploy gives the before-deploy command and -SkipBeforeDeploy says to run none: use one of them.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError BeforeDeployFailed = new("BeforeDeployFailed",
        "The before-deploy task failed or never ran, so no service was updated; the message gives its exit code or ECS's reason, its last log lines, and the revisions left registered and unused.",
        MightyErrorKind.Failed);

    public static readonly MightyError BeforeDeployServiceNotDeployed = new("BeforeDeployServiceNotDeployed",
        "The before-deploy task runs on the new revision of one service, and this call does not deploy it (or deploys it in several clusters): add the service, deploy one cluster per call, or pass -SkipBeforeDeploy.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError TaskCommandFailed = new("TaskCommandFailed",
        "The one-off task's command exited with a code other than 0; the error's target is the run, with the command's last log lines.",
        MightyErrorKind.Failed);

    public static readonly MightyError TaskCommandInvalid = new("TaskCommandInvalid",
        "The command is empty or holds a NUL character, or with its environment it is longer than the 8192 characters RunTask's overrides take; nothing was run.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError TaskStartFailed = new("TaskStartFailed",
        "The one-off task never ran: RunTask could not place it (the resource and the closest container instance are named), or it stopped before its containers started (image pull, env files); the message gives ECS's reason.",
        MightyErrorKind.Failed);

    public static readonly MightyError TaskStartTimedOut = new("TaskStartTimedOut",
        "The task did not reach RUNNING in the time allowed, so there was nothing to connect to; it may still start: Wait-MightyTask shows how it goes, Stop-MightyTask stops it.",
        MightyErrorKind.Timeout);

    public static readonly MightyError TaskWaitTimedOut = new("TaskWaitTimedOut",
        "The task did not stop within -Timeout; it goes on in ECS: Wait-MightyTask watches it again, Stop-MightyTask stops it.",
        MightyErrorKind.Timeout);
}
