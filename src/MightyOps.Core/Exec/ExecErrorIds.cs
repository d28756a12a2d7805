namespace MightyOps.Core.Exec;

/// <summary>
/// The errors of reaching a container: the task and its host, SSH (keys, host keys, the
/// connection), docker exec, the local and remote terminal, -OutFile (docs/design/exec.md,
/// docs/design/ssh.md).
/// </summary>
public static class ExecErrorIds
{
    public static readonly MightyError CommandTimedOut = new("CommandTimedOut",
        "The command, or the host's answer, did not come within the time allowed; the message says whether the command's processes were ended.",
        MightyErrorKind.Timeout);

    public static readonly MightyError ContainerCommandFailed = new("ContainerCommandFailed",
        "The command exited with a code other than 0; the error's target is the result, with the whole output.",
        MightyErrorKind.Failed);

    public static readonly MightyError ContainerNotRunning = new("ContainerNotRunning",
        "The container is not running (stopped, or gone from its host).",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError DockerNotFound = new("DockerNotFound",
        "The instance has no docker command on the SSH user's PATH.",
        MightyErrorKind.NotFound);

    public static readonly MightyError DockerPermissionDenied = new("DockerPermissionDenied",
        "The SSH user may not use Docker on the instance: log in as a user of the docker group (-User, Ssh.User).",
        MightyErrorKind.PermissionDenied);

    public static readonly MightyError HostKeyMismatch = new("HostKeyMismatch",
        "The instance presented another host key than known_hosts holds; the message gives both SHA256 fingerprints and the known_hosts line to remove once checked.",
        MightyErrorKind.PermissionDenied);

    public static readonly MightyError HostKeyRevoked = new("HostKeyRevoked",
        "The instance's host key is marked @revoked in known_hosts: do not connect.",
        MightyErrorKind.PermissionDenied);

    public static readonly MightyError HostKeyUnknown = new("HostKeyUnknown",
        "The host is not in known_hosts and the host key policy is Strict: check the fingerprint, then add it or connect once with -HostKeyPolicy AcceptNew.",
        MightyErrorKind.PermissionDenied);

    public static readonly MightyError InvalidCommand = new("InvalidCommand",
        "The command holds a NUL character, which a command line sent over SSH cannot carry; nothing was run.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError InvalidRuntimeId = new("InvalidRuntimeId",
        "A container's runtime id is not a Docker container id (hex digits).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError InvalidSshEndpoint = new("InvalidSshEndpoint",
        "A bastion or host is not written as [user@]host[:port].",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError NoRunningTask = new("NoRunningTask",
        "The service has no running task; Get-MightyTask -DesiredStatus STOPPED shows why its tasks stopped.",
        MightyErrorKind.NotFound);

    public static readonly MightyError OutFileNeedsOneContainer = new("OutFileNeedsOneContainer",
        "-OutFile writes the output of one container, and the input names several tasks; nothing was run.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError OutFileWriteFailed = new("OutFileWriteFailed",
        "The -OutFile file cannot be created (nothing was run), or writing it failed (the message says how many bytes reached it).",
        MightyErrorKind.InvalidArgument, MightyErrorKind.Failed);

    public static readonly MightyError ServiceAmbiguous = new("ServiceAmbiguous",
        "The command works on one service and the input names several: name one exactly, or use Invoke-MightyContainer for several.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError SshAuthenticationFailed = new("SshAuthenticationFailed",
        "The instance or the bastion refused the SSH user and key; the message names both.",
        MightyErrorKind.Authentication);

    public static readonly MightyError SshConnectionFailed = new("SshConnectionFailed",
        "The SSH handshake with the host failed: check that sshd runs there, and the port (-Port, Ssh.Port).",
        MightyErrorKind.Connection);

    public static readonly MightyError SshConnectionLost = new("SshConnectionLost",
        "The SSH connection broke while the command or the terminal ran; whether the command ran to its end is unknown.",
        MightyErrorKind.Connection);

    public static readonly MightyError SshConnectTimeout = new("SshConnectTimeout",
        "Connecting over SSH did not finish in time; the message names the address and port.",
        MightyErrorKind.Timeout);

    public static readonly MightyError SshHostUnreachable = new("SshHostUnreachable",
        "The instance or the bastion cannot be reached on its SSH port: check that it runs, the port, and the security group.",
        MightyErrorKind.Connection);

    public static readonly MightyError SshKeyNotFound = new("SshKeyNotFound",
        "The SSH key file does not exist: pass -KeyFilePath or set Ssh.KeyFilePath in mighty.psd1.",
        MightyErrorKind.NotFound);

    public static readonly MightyError SshKeyPassphraseRequired = new("SshKeyPassphraseRequired",
        "The SSH key is protected by a passphrase: pass -KeyPassphrase, or run the command interactively to be asked.",
        MightyErrorKind.Authentication);

    public static readonly MightyError SshKeyPassphraseWrong = new("SshKeyPassphraseWrong",
        "The passphrase does not open the SSH key.",
        MightyErrorKind.Authentication);

    public static readonly MightyError SshKeyUnreadable = new("SshKeyUnreadable",
        "The SSH key file cannot be read (its permissions), or is not a private key MightyOps can read (a .pub file, another format).",
        MightyErrorKind.PermissionDenied, MightyErrorKind.InvalidArgument);

    public static readonly MightyError SshLibraryIncompatible = new("SshLibraryIncompatible",
        "The SSH.NET library loaded lacks what Enter-MightyContainer needs: reinstall the module, or use Invoke-MightyContainer.",
        MightyErrorKind.Failed);

    public static readonly MightyError TaskHasNoAddress = new("TaskHasNoAddress",
        "The task's instance has no IP address of the kind needed (private, or public when no bastion is set).",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError TaskHasNoEc2Instance = new("TaskHasNoEc2Instance",
        "The task runs on Fargate or ECS Anywhere, so there is no EC2 host to SSH to: use aws ecs execute-command.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError TaskNotFound = new("TaskNotFound",
        "No task with that id is in the cluster (stopped tasks are kept about an hour).",
        MightyErrorKind.NotFound);

    public static readonly MightyError TerminalFailed = new("TerminalFailed",
        "The local terminal refused raw mode or its size: run the command in a terminal window, or use Invoke-MightyContainer.",
        MightyErrorKind.Failed);

    public static readonly MightyError TerminalRefused = new("TerminalRefused",
        "The host refused a terminal (its sshd may forbid them) or the command.",
        MightyErrorKind.Failed);

    public static readonly MightyError TerminalRequired = new("TerminalRequired",
        "Enter-MightyContainer needs an interactive terminal; scripts and runbooks use Invoke-MightyContainer.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError TooManyTasks = new("TooManyTasks",
        "Enter-MightyContainer opens one session and was given several tasks: pick one with -TaskId.",
        MightyErrorKind.InvalidArgument);
}
