using System.Text.RegularExpressions;

namespace MightyOps.Core.Exec;

/// <summary>
/// The <c>docker exec</c> command lines sent to an instance and what their failures mean
/// (docs/design/exec.md). The container is always addressed by the runtime id ECS reports, never
/// by a name. The user's command reaches the container's <c>sh -c</c> as one argument: it is
/// quoted once for the instance's login shell, which removes exactly that quoting.
/// </summary>
public static partial class DockerExec
{
    /// <summary>Quotes a word for a POSIX shell: inside single quotes, each <c>'</c> written as <c>'\''</c>.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && SafeWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary><c>docker exec &lt;id&gt; sh -c '&lt;command&gt;'</c>: no terminal, no input; output and exit code come back.</summary>
    public static string Command(string runtimeId, string command) =>
        $"docker exec {Id(runtimeId)} sh -c {Quote(command)}";

    /// <summary>
    /// Asks the container for bash (prints its path; exit 1 without it): the interactive default
    /// is bash, else sh, and this also proves docker and the container answer before a terminal
    /// is opened.
    /// </summary>
    public static string FindBash(string runtimeId) =>
        $"docker exec {Id(runtimeId)} sh -c 'command -v bash'";

    /// <summary><c>docker exec -it &lt;id&gt; …</c>: the program under a terminal; <paramref name="command"/> null runs <paramref name="shell"/>.</summary>
    public static string Interactive(string runtimeId, string? command, string shell) =>
        command is null
            ? $"docker exec -it {Id(runtimeId)} {Quote(shell)}"
            : $"docker exec -it {Id(runtimeId)} sh -c {Quote(command)}";

    /// <summary>
    /// The failure of docker itself (as opposed to the command in the container) that a result
    /// shows, or null: <c>DockerNotFound</c>, <c>DockerPermissionDenied</c>, <c>ContainerNotRunning</c>.
    /// </summary>
    public static MightyOpsException? Failure(RemoteResult result, ContainerTarget target, SshHost host)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(host);
        string error = result.Error;
        if (result.ExitCode == 127 && DockerMissing().IsMatch(error))
        {
            return new MightyOpsException(
                "DockerNotFound",
                MightyErrorKind.NotFound,
                $"There is no docker command for {host.User} on {host.Address} ({TerminalText.Quote(error.Trim(), TerminalText.LineLength)}). MightyOps needs the Docker CLI on the instance's PATH (the ECS-optimized AMIs have it); check -User (Ssh.User).",
                host.Address);
        }
        if (error.Contains("permission denied while trying to connect to the Docker daemon", StringComparison.OrdinalIgnoreCase))
        {
            return new MightyOpsException(
                "DockerPermissionDenied",
                MightyErrorKind.PermissionDenied,
                $"User '{host.User}' on {host.Address} may not use Docker ({FirstLine(error)}). Log in as a user in the docker group (-User, Ssh.User; ec2-user on the ECS-optimized AMIs).",
                host.Address);
        }
        if (NoSuchContainer().IsMatch(error))
        {
            return new MightyOpsException(
                "ContainerNotRunning",
                MightyErrorKind.InvalidOperation,
                $"Container '{target.Container.Name}' of task {target.Task.TaskId} ({target.Container.RuntimeId[..Math.Min(12, target.Container.RuntimeId.Length)]}) is not running on {host.Address} any more: {FirstLine(error)} The task has probably stopped; Get-MightyTask -Cluster {target.Task.Cluster} -Service {target.Task.Service} shows the running ones.",
                target.Container.Name);
        }
        return null;
    }

    // Docker container ids are hex: anything else did not come from ECS and is not sent.
    private static string Id(string runtimeId)
    {
        if (!RuntimeIdPattern().IsMatch(runtimeId))
        {
            throw new MightyOpsException(
                "InvalidRuntimeId",
                MightyErrorKind.InvalidArgument,
                $"'{runtimeId}' is not a Docker container id (hex digits, as ECS reports in runtimeId).",
                runtimeId);
        }
        return runtimeId;
    }

    private static string FirstLine(string text) => TerminalText.Quote(text.Trim().Split('\n')[0].Trim(), TerminalText.LineLength);

    // \z, not $: $ also matches before a final newline, which the login shell would read as the end of the command.
    [GeneratedRegex(@"^[A-Za-z0-9@%+=:,./_-]+\z")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"^[0-9a-f]{12,64}\z")]
    private static partial Regex RuntimeIdPattern();

    [GeneratedRegex(@"docker: (command )?not found", RegexOptions.IgnoreCase)]
    private static partial Regex DockerMissing();

    [GeneratedRegex(@"Error response from daemon: (No such container|Container [0-9a-f]+ is not running)", RegexOptions.IgnoreCase)]
    private static partial Regex NoSuchContainer();
}
