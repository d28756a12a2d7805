using System.Collections.Concurrent;

namespace MightyOps.Core.Exec;

/// <summary>
/// Runs one command in many containers (Invoke-MightyContainer): at most ThrottleLimit commands at
/// once, one SSH connection per host reused for every task on that host (each command is its own
/// channel), at most <see cref="ChannelsPerHost"/> channels at once per connection.
/// </summary>
public sealed class ContainerCommandRunner : IDisposable
{
    /// <summary>Below OpenSSH's default MaxSessions (10) per connection.</summary>
    public const int ChannelsPerHost = 8;

    private readonly SshOptions _settings;
    private readonly SshKey _key;
    private readonly IOperationLog _log;
    private readonly ConcurrentDictionary<string, Lazy<Task<SshConnection>>> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _channels = new(StringComparer.Ordinal);

    public ContainerCommandRunner(SshOptions settings, SshKey key, IOperationLog log)
    {
        _settings = settings;
        _key = key;
        _log = log;
    }

    /// <summary>
    /// Runs <paramref name="command"/> in every target. Each result goes to
    /// <paramref name="onResult"/> as it arrives (whatever its exit code); a target that could not
    /// run it goes to <paramref name="onError"/> with the reason (connection, host key, docker,
    /// container gone, timeout). With <paramref name="outFile"/> (one target only) standard
    /// output is written to that file byte for byte.
    /// </summary>
    public async Task RunAsync(
        IReadOnlyList<ContainerTarget> targets,
        string command,
        int throttleLimit,
        TimeSpan? timeout,
        string? outFile,
        Action<MightyContainerResult> onResult,
        Action<ContainerTarget, MightyOpsException> onError,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(onResult);
        ArgumentNullException.ThrowIfNull(onError);
        DockerExec.CheckCommand(command);
        CheckOutFile(outFile, targets.Count);
        int done = 0;
        await Parallel.ForEachAsync(
            targets,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttleLimit), CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                try
                {
                    onResult(await RunOneAsync(target, command, timeout, outFile, ct).ConfigureAwait(false));
                }
                catch (MightyOpsException e)
                {
                    onError(target, e);
                }
                progress?.Report(Interlocked.Increment(ref done));
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the command in one container; throws <see cref="MightyOpsException"/> when it could
    /// not run. When <paramref name="timeout"/> passes or <paramref name="cancellationToken"/>
    /// fires, the command's processes in the container are ended before this returns, or the
    /// error says that they could not be.
    /// </summary>
    public async Task<MightyContainerResult> RunOneAsync(ContainerTarget target, string command, TimeSpan? timeout, string? outFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        string execId = DockerExec.NewExecId();
        string commandLine = DockerExec.Command(target.Container.RuntimeId, command, execId);
        SshHost host = _settings.EndpointFor(target.Task);
        SshConnection connection = await ConnectionAsync(host, cancellationToken).ConfigureAwait(false);
        SemaphoreSlim channels = _channels.GetOrAdd(host.Address, _ => new SemaphoreSlim(ChannelsPerHost));
        await channels.WaitAsync(cancellationToken).ConfigureAwait(false);
        RemoteResult result;
        OutputTail output;
        try
        {
            await using FileStream? file = outFile is null ? null : OpenOutFile(outFile);
            output = new OutputTail(copy: file);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout is TimeSpan span)
            {
                limit.CancelAfter(span);
            }
            string? ended = null;
            try
            {
                result = await connection.RunAsync(commandLine, output, new OutputTail(), async () => ended = await StopAsync(connection, execId, target).ConfigureAwait(false), limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                ended ??= "it may still be running there";
                string saved = outFile is null ? string.Empty : $" Standard output up to then ({output.CopiedBytes} bytes) is in {outFile}.";
                if (cancellationToken.IsCancellationRequested)
                {
                    _log.Warning($"Stopped '{command}' in container '{target.Container.Name}' of task {target.Task.TaskId}: {ended}.{saved}");
                    throw;
                }
                throw new MightyOpsException(
                    ExecErrorIds.CommandTimedOut,
                    $"The command did not finish in container '{target.Container.Name}' of task {target.Task.TaskId} on {connection.Target.Address} within {timeout!.Value.TotalSeconds:0.###} s; {ended}.{saved} Raise -Timeout if it needs longer.",
                    connection.Target.Address);
            }
        }
        finally
        {
            channels.Release();
        }
        if (DockerExec.Failure(result, target, connection.Target) is MightyOpsException failure)
        {
            throw failure;
        }
        var done = new MightyContainerResult
        {
            Cluster = target.Task.Cluster,
            Service = target.Task.Service,
            TaskId = target.Task.TaskId,
            Container = target.Container.Name,
            Host = host.Port == 22 ? host.Host : host.Address,
            Command = command,
            ExitCode = result.ExitCode,
            Output = outFile is null ? result.Output : string.Empty,
            Error = result.Error,
            OutputBytes = result.OutputBytes,
            ErrorBytes = result.ErrorBytes,
            OutputTruncated = outFile is null && result.OutputTruncated,
            ErrorTruncated = result.ErrorTruncated,
            OutputFile = outFile ?? string.Empty,
            Duration = result.Duration,
        };
        if (output.CopyError is IOException copyError)
        {
            throw new MightyOpsException(
                ExecErrorIds.OutFileWriteFailed,
                MightyErrorKind.Failed,
                $"Writing the output to {outFile} failed after {output.CopiedBytes} of {result.OutputBytes} bytes ({copyError.Message}); the command itself ran to its end with exit code {result.ExitCode}. The result (TargetObject) has its exit code and standard error.",
                done,
                copyError);
        }
        if (done.OutputTruncated || done.ErrorTruncated)
        {
            string kept = Size(output.Limit);
            string what = (done.OutputTruncated, done.ErrorTruncated) switch
            {
                (true, true) => $"wrote {Size(done.OutputBytes)} to standard output and {Size(done.ErrorBytes)} to standard error; the result keeps the last {kept} of each (OutputTruncated, ErrorTruncated)",
                (true, false) => $"wrote {Size(done.OutputBytes)} to standard output; the result's Output keeps the last {kept} of it (OutputTruncated)",
                _ => $"wrote {Size(done.ErrorBytes)} to standard error; the result's Error keeps the last {kept} of it (ErrorTruncated)",
            };
            string shown = command.Length > 60 ? command[..60] + "…" : command;
            _log.Warning($"'{shown}' in container '{done.Container}' of task {done.TaskId} {what}. -OutFile saves standard output whole, byte for byte.");
        }
        return done;
    }

    /// <summary>The error written (non-terminating) for a command that exited non-zero; it carries the result.</summary>
    public static MightyOpsException Failed(MightyContainerResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string error = result.Error.Trim();
        string said = error.Length == 0 ? string.Empty : $": {TerminalText.Quote(error.Split('\n')[^1].Trim(), TerminalText.LineLength)}";
        return new MightyOpsException(
            ExecErrorIds.ContainerCommandFailed,
            $"The command exited with code {result.ExitCode} in container '{result.Container}' of task {result.TaskId}{said}. The result object (TargetObject) has its whole output.",
            result);
    }

    public void Dispose()
    {
        foreach (Lazy<Task<SshConnection>> connection in _connections.Values)
        {
            if (connection.IsValueCreated && connection.Value.IsCompletedSuccessfully)
            {
                connection.Value.Result.Dispose();
            }
        }
        foreach (SemaphoreSlim channels in _channels.Values)
        {
            channels.Dispose();
        }
    }

    /// <summary>The longest the stopping of a command may take (SIGTERM, about 2 s of grace, SIGKILL).</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Ends a command's processes in the container over the same connection, on a channel of its
    /// own; returns what happened, as the end of a sentence about the command.
    /// </summary>
    private async Task<string> StopAsync(SshConnection connection, string execId, ContainerTarget target)
    {
        string marker = $"its processes there have {DockerExec.MarkerVariable}={execId} in their environment";
        try
        {
            using var limit = new CancellationTokenSource(StopTimeout);
            RemoteResult stop = await connection.RunAsync(DockerExec.Stop(target.Container.RuntimeId, execId), new OutputTail(4096), new OutputTail(4096), null, limit.Token).ConfigureAwait(false);
            string said = stop.Output.Trim();
            if (stop.ExitCode == 0 && said.StartsWith("ended ", StringComparison.Ordinal) && int.TryParse(said.AsSpan(6), out int count))
            {
                _log.Verbose($"Ended {count} process(es) of the command in container '{target.Container.Name}' of task {target.Task.TaskId} ({DockerExec.MarkerVariable}={execId}).");
                return count == 0
                    ? "it had already ended when MightyOps went to stop it"
                    : $"MightyOps ended it and its child processes there ({count} process{(count == 1 ? string.Empty : "es")})";
            }
            string why = said.Length > 0 ? said : stop.Error.Trim().Split('\n')[0];
            return $"it may still be running there: ending it failed ({why}); {marker}";
        }
        catch (OperationCanceledException)
        {
            return $"it may still be running there: ending it got no answer within {StopTimeout.TotalSeconds:0} s; {marker}";
        }
        catch (MightyOpsException e)
        {
            return $"it may still be running there: ending it failed ({e.Message}); {marker}";
        }
    }

    private static FileStream OpenOutFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MightyOpsException(
                ExecErrorIds.OutFileWriteFailed,
                $"-OutFile cannot write {path}: {e.Message} Nothing was run.",
                path,
                e);
        }
    }

    /// <summary><c>OutFileNeedsOneContainer</c> when an output file is asked for more than one container.</summary>
    public static void CheckOutFile(string? outFile, int targets)
    {
        if (outFile is not null && targets > 1)
        {
            throw new MightyOpsException(
                ExecErrorIds.OutFileNeedsOneContainer,
                $"-OutFile writes one container's output, and the input names {targets} tasks; nothing was run. Name one task (-TaskId, or one service without -AllTasks), or run the command once per task with its own file.",
                targets);
        }
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024.0):0.#} MiB"
        : $"{bytes / 1024.0:0.#} KiB";

    // One connection per host, opened by whichever task of the host asks first; a failed one
    // fails every task of that host with the same error.
    private Task<SshConnection> ConnectionAsync(SshHost host, CancellationToken cancellationToken) =>
        _connections.GetOrAdd(host.ToString(), _ => new Lazy<Task<SshConnection>>(() => SshConnection.OpenAsync(host, _settings, _key, _log, cancellationToken))).Value;
}
