namespace MightyOps.Core.Exec;

/// <summary>
/// Enter-MightyContainer's session: <c>docker exec -it</c> under a remote pty of the window's
/// size, the local terminal in raw mode, bytes copied both ways unchanged, the pty resized when
/// the window is, and the terminal restored however the session ends
/// (docs/design/interactive-terminal.md).
/// </summary>
public static class InteractiveSession
{
    // How often the window size is compared while no key is typed; short enough that a resize
    // reaches the program before the user looks.
    private const int PollMilliseconds = 100;

    /// <summary>
    /// Runs <paramref name="command"/> (null: bash, or sh when the image has no bash) in the
    /// container and returns its exit code. The container is checked first without a terminal,
    /// so docker and container errors arrive as errors, not as text on the screen.
    /// </summary>
    public static async Task<int> RunAsync(SshConnection connection, ContainerTarget target, string? command, IOperationLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(target);
        string runtimeId = target.Container.RuntimeId;
        RemoteResult probe = await connection.RunAsync(DockerExec.FindBash(runtimeId), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (DockerExec.Failure(probe, target, connection.Target) is MightyOpsException failure)
        {
            throw failure;
        }
        string shell = probe.ExitCode == 0 ? "bash" : "sh";
        if (command is null && shell == "sh")
        {
            log.Verbose("The image has no bash; starting sh.");
        }
        string remote = DockerExec.Interactive(runtimeId, command, shell);
        string terminalName = Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term ? term : "xterm-256color";
        (int columns, int rows) = RawTerminal.Size();
        log.Verbose($"{remote} on {connection.Target.Address}, terminal {terminalName} {columns}x{rows}.");

        using RawTerminal terminal = RawTerminal.Enter();
        using PtyChannel channel = PtyChannel.Open(connection.Client, remote, terminalName, columns, rows, RawTerminal.Write);
        var buffer = new byte[4096];
        while (!channel.Exited.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            int count = terminal.Read(buffer, PollMilliseconds);
            if (count < 0)
            {
                break;
            }
            if (count > 0)
            {
                channel.Send(buffer, 0, count);
            }
            (int Columns, int Rows) size = RawTerminal.Size();
            if (size != (columns, rows))
            {
                (columns, rows) = size;
                channel.Resize(columns, rows);
            }
        }
        // The remote side sends its exit status just before it closes the channel.
        await Task.WhenAny(channel.Exited, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
        return channel.Exited.IsCompleted ? await channel.Exited.ConfigureAwait(false) : -1;
    }
}
