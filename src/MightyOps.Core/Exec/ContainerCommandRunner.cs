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
    /// container gone, timeout).
    /// </summary>
    public async Task RunAsync(
        IReadOnlyList<ContainerTarget> targets,
        string command,
        int throttleLimit,
        TimeSpan? timeout,
        Action<MightyContainerResult> onResult,
        Action<ContainerTarget, MightyOpsException> onError,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(onResult);
        ArgumentNullException.ThrowIfNull(onError);
        int done = 0;
        await Parallel.ForEachAsync(
            targets,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttleLimit), CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                try
                {
                    onResult(await RunOneAsync(target, command, timeout, ct).ConfigureAwait(false));
                }
                catch (MightyOpsException e)
                {
                    onError(target, e);
                }
                progress?.Report(Interlocked.Increment(ref done));
            }).ConfigureAwait(false);
    }

    /// <summary>Runs the command in one container; throws <see cref="MightyOpsException"/> when it could not run.</summary>
    public async Task<MightyContainerResult> RunOneAsync(ContainerTarget target, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        SshHost host = _settings.EndpointFor(target.Task);
        SshConnection connection = await ConnectionAsync(host, cancellationToken).ConfigureAwait(false);
        SemaphoreSlim channels = _channels.GetOrAdd(host.Address, _ => new SemaphoreSlim(ChannelsPerHost));
        await channels.WaitAsync(cancellationToken).ConfigureAwait(false);
        RemoteResult result;
        try
        {
            result = await connection.RunAsync(DockerExec.Command(target.Container.RuntimeId, command), timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            channels.Release();
        }
        if (DockerExec.Failure(result, target, connection.Target) is MightyOpsException failure)
        {
            throw failure;
        }
        return new MightyContainerResult
        {
            Cluster = target.Task.Cluster,
            Service = target.Task.Service,
            TaskId = target.Task.TaskId,
            Container = target.Container.Name,
            Host = host.Port == 22 ? host.Host : host.Address,
            Command = command,
            ExitCode = result.ExitCode,
            Output = result.Output,
            Error = result.Error,
            Duration = result.Duration,
        };
    }

    /// <summary>The error written (non-terminating) for a command that exited non-zero; it carries the result.</summary>
    public static MightyOpsException Failed(MightyContainerResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string error = result.Error.Trim();
        string said = error.Length == 0 ? string.Empty : $": {TerminalText.Quote(error.Split('\n')[^1].Trim(), TerminalText.LineLength)}";
        return new MightyOpsException(
            "ContainerCommandFailed",
            MightyErrorKind.Failed,
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

    // One connection per host, opened by whichever task of the host asks first; a failed one
    // fails every task of that host with the same error.
    private Task<SshConnection> ConnectionAsync(SshHost host, CancellationToken cancellationToken) =>
        _connections.GetOrAdd(host.ToString(), _ => new Lazy<Task<SshConnection>>(() => SshConnection.OpenAsync(host, _settings, _key, _log, cancellationToken))).Value;
}
