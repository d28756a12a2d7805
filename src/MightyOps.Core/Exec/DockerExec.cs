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

    /// <summary>The variable that marks a command's processes in the container, so that <see cref="Stop"/> can find them.</summary>
    public const string MarkerVariable = "MIGHTYOPS_EXEC";

    /// <summary>
    /// <c>docker exec &lt;id&gt; env MIGHTYOPS_EXEC=&lt;execId&gt; sh -c '&lt;command&gt;'</c>: no
    /// terminal, no input; output and exit code come back. The variable marks the command and
    /// every child it starts, which is how <see cref="Stop"/> finds them.
    /// </summary>
    public static string Command(string runtimeId, string command, string execId)
    {
        CheckCommand(command);
        return $"docker exec {Id(runtimeId)} env {MarkerVariable}={ExecId(execId)} sh -c {Quote(command)}";
    }

    /// <summary>A fresh id for <see cref="Command"/> and <see cref="Stop"/>.</summary>
    public static string NewExecId() => Guid.NewGuid().ToString("n");

    /// <summary>
    /// Ends the processes of a command started by <see cref="Command"/> in the container: every
    /// process whose environment holds its marker gets SIGTERM, those still there after about
    /// 2 s SIGKILL. Prints <c>ended N</c> (the processes found), or <c>left PIDS</c> and exits 1
    /// when some survived. Needs only sh, tr, grep and /proc in the container (busybox has them).
    /// A docker exec process runs in the container's PID namespace, so /proc there shows only
    /// the container's processes; killing the command also ends the docker client on the host.
    /// </summary>
    public static string Stop(string runtimeId, string execId) =>
        $"docker exec {Id(runtimeId)} sh -c {Quote(StopScript(ExecId(execId)))}";

    /// <summary>
    /// Refuses a command an SSH exec request cannot carry: a NUL ends the string on the server,
    /// which drops the connection (<c>InvalidCommand</c>, before anything is sent).
    /// </summary>
    public static void CheckCommand(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        int nul = command.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new MightyOpsException(
                ExecErrorIds.InvalidCommand,
                $"The command has a NUL character at position {nul + 1}; a command line sent over SSH cannot carry one, so nothing was run. Remove it (in PowerShell it is written `0).",
                command.Length > 80 ? command[..80] + "…" : command);
        }
    }

    /// <summary>
    /// Asks the container for bash (prints its path; exit 1 without it): the interactive default
    /// is bash, else sh, and this also proves docker and the container answer before a terminal
    /// is opened.
    /// </summary>
    public static string FindBash(string runtimeId) =>
        $"docker exec {Id(runtimeId)} sh -c 'command -v bash'";

    /// <summary><c>docker exec -it &lt;id&gt; …</c>: the program under a terminal; <paramref name="command"/> null runs <paramref name="shell"/>.</summary>
    public static string Interactive(string runtimeId, string? command, string shell)
    {
        if (command is null)
        {
            return $"docker exec -it {Id(runtimeId)} {Quote(shell)}";
        }
        CheckCommand(command);
        return $"docker exec -it {Id(runtimeId)} sh -c {Quote(command)}";
    }

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
                ExecErrorIds.DockerNotFound,
                $"There is no docker command for {host.User} on {host.Address} ({TerminalText.Quote(error.Trim(), TerminalText.LineLength)}). MightyOps needs the Docker CLI on the instance's PATH (the ECS-optimized AMIs have it); check -User (Ssh.User).",
                host.Address);
        }
        if (error.Contains("permission denied while trying to connect to the Docker daemon", StringComparison.OrdinalIgnoreCase))
        {
            return new MightyOpsException(
                ExecErrorIds.DockerPermissionDenied,
                $"User '{host.User}' on {host.Address} may not use Docker ({FirstLine(error)}). Log in as a user in the docker group (-User, Ssh.User; ec2-user on the ECS-optimized AMIs).",
                host.Address);
        }
        if (NoSuchContainer().IsMatch(error))
        {
            return new MightyOpsException(
                ExecErrorIds.ContainerNotRunning,
                $"Container '{target.Container.Name}' of task {target.Task.TaskId} ({target.Container.RuntimeId[..Math.Min(12, target.Container.RuntimeId.Length)]}) is not running on {host.Address} any more: {FirstLine(error)} The task has probably stopped; Get-MightyTask -Cluster {target.Task.Cluster} -Service {target.Task.Service} shows the running ones.",
                target.Container.Name);
        }
        return null;
    }

    private static string StopScript(string execId) => $$"""
        m={{MarkerVariable}}={{execId}}
        marked() { for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = "$$" ] && continue; tr "\000" "\n" 2>/dev/null < "$d/environ" | grep -qxF "$m" && printf "%s " "$p"; done; }
        pids=$(marked)
        if [ -z "$pids" ]; then echo "ended 0"; exit 0; fi
        kill -TERM $pids 2>/dev/null
        n=0
        while [ $n -lt 10 ]; do left=$(marked); [ -z "$left" ] && break; kill -TERM $left 2>/dev/null; sleep 0.2 2>/dev/null || sleep 1; n=$((n+1)); done
        left=$(marked)
        if [ -n "$left" ]; then kill -KILL $left 2>/dev/null; sleep 0.2 2>/dev/null || sleep 1; left=$(marked); fi
        set -- $pids
        if [ -n "$left" ]; then echo "left $left"; exit 1; fi
        echo "ended $#"
        """;

    private static string ExecId(string execId) =>
        ExecIdPattern().IsMatch(execId) ? execId : throw new ArgumentException("An exec id is 32 hex digits (NewExecId).", nameof(execId));

    // Docker container ids are hex: anything else did not come from ECS and is not sent.
    private static string Id(string runtimeId)
    {
        if (!RuntimeIdPattern().IsMatch(runtimeId))
        {
            throw new MightyOpsException(
                ExecErrorIds.InvalidRuntimeId,
                $"'{runtimeId}' is not a Docker container id (hex digits, as ECS reports in runtimeId).",
                runtimeId);
        }
        return runtimeId;
    }

    private static string FirstLine(string text) => TerminalText.Quote(text.Trim().Split('\n')[0].Trim(), TerminalText.LineLength);

    // \z, not $, in these three: $ also matches before a final newline, which the login shell would read as the end of the command.
    [GeneratedRegex(@"^[A-Za-z0-9@%+=:,./_-]+\z")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"^[0-9a-f]{12,64}\z")]
    private static partial Regex RuntimeIdPattern();

    [GeneratedRegex(@"^[0-9a-f]{32}\z")]
    private static partial Regex ExecIdPattern();

    [GeneratedRegex(@"docker: (command )?not found", RegexOptions.IgnoreCase)]
    private static partial Regex DockerMissing();

    [GeneratedRegex(@"Error response from daemon: (No such container|Container [0-9a-f]+ is not running)", RegexOptions.IgnoreCase)]
    private static partial Regex NoSuchContainer();
}
