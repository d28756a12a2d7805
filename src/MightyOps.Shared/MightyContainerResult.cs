namespace MightyOps;

/// <summary>
/// What one command in one container returned, as Invoke-MightyContainer reports it: the output
/// and exit code come back as data, so a runbook can check them.
/// </summary>
public sealed class MightyContainerResult
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service the task belongs to, or empty for a standalone task.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The task id.</summary>
    public string TaskId { get; init; } = string.Empty;

    /// <summary>The container name.</summary>
    public string Container { get; init; } = string.Empty;

    /// <summary>The address SSH connected to (the instance's), as host or host:port when the port is not 22.</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>The command as given.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>The command's exit code (the remote <c>docker exec</c>'s, which passes the container command's through).</summary>
    public int ExitCode { get; init; }

    /// <summary>
    /// What the command wrote to standard output, as UTF-8 text: its last 1 MiB when it wrote
    /// more (<see cref="OutputTruncated"/>); empty with -OutFile, which has every byte.
    /// </summary>
    public string Output { get; init; } = string.Empty;

    /// <summary>What the command wrote to standard error: its last 1 MiB when it wrote more (<see cref="ErrorTruncated"/>).</summary>
    public string Error { get; init; } = string.Empty;

    /// <summary>How many bytes the command wrote to standard output in all.</summary>
    public long OutputBytes { get; init; }

    /// <summary>How many bytes the command wrote to standard error in all.</summary>
    public long ErrorBytes { get; init; }

    /// <summary>True when <see cref="Output"/> holds only the end of standard output.</summary>
    public bool OutputTruncated { get; init; }

    /// <summary>True when <see cref="Error"/> holds only the end of standard error.</summary>
    public bool ErrorTruncated { get; init; }

    /// <summary>With -OutFile: the file that holds standard output byte for byte; otherwise empty.</summary>
    public string OutputFile { get; init; } = string.Empty;

    /// <summary>From sending the command to its exit, without connecting.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>True when the exit code is 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <inheritdoc />
    public override string ToString() => TerminalText.Visible(Output);
}
