using System.Diagnostics;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace MightyOps.Core.Exec;

/// <summary>What a remote command returned.</summary>
/// <param name="ExitCode">Its exit status (-1 when the server sent none, e.g. killed by a signal).</param>
/// <param name="Output">Standard output (its end, when <see cref="OutputTruncated"/>).</param>
/// <param name="Error">Standard error (its end, when <see cref="ErrorTruncated"/>).</param>
/// <param name="Duration">From sending the command to its exit.</param>
public sealed record RemoteResult(int ExitCode, string Output, string Error, TimeSpan Duration)
{
    /// <summary>Every byte written to standard output.</summary>
    public long OutputBytes { get; init; }

    /// <summary>Every byte written to standard error.</summary>
    public long ErrorBytes { get; init; }

    /// <summary>True when <see cref="Output"/> keeps only the end of what was written.</summary>
    public bool OutputTruncated { get; init; }

    /// <summary>True when <see cref="Error"/> keeps only the end of what was written.</summary>
    public bool ErrorTruncated { get; init; }
}

/// <summary>
/// One authenticated SSH connection to an instance, directly or through a bastion (a local port
/// forwarded over the bastion connection; both host keys are checked against known_hosts under
/// their own names). Commands run on it as separate channels, so one connection serves every
/// task on the host.
/// </summary>
public sealed class SshConnection : IDisposable
{
    private readonly SshClient _client;
    private readonly SshClient? _bastion;
    private readonly ForwardedPortLocal? _forward;

    private SshConnection(SshHost target, SshClient client, SshClient? bastion, ForwardedPortLocal? forward)
    {
        Target = target;
        _client = client;
        _bastion = bastion;
        _forward = forward;
    }

    /// <summary>The instance (user, address, port) as the user would name it.</summary>
    public SshHost Target { get; }

    internal SshClient Client => _client;

    /// <summary>
    /// Connects and authenticates. Errors: <c>HostKeyMismatch</c>, <c>HostKeyUnknown</c>,
    /// <c>HostKeyRevoked</c>, <c>SshHostUnreachable</c>, <c>SshConnectTimeout</c>,
    /// <c>SshAuthenticationFailed</c>, <c>SshConnectionFailed</c>.
    /// </summary>
    public static async Task<SshConnection> OpenAsync(SshHost target, SshOptions settings, SshKey key, IOperationLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(key);
        var verifier = new HostKeyVerifier(new KnownHostsFile(settings.KnownHostsPath), settings.HostKeyPolicy, log);
        string user = target.User ?? settings.User;
        if (settings.Bastion is not SshHost bastionEndpoint)
        {
            SshClient direct = await ConnectAsync(target with { User = user }, target.Host, target.Port, key, verifier, settings, null, log, cancellationToken).ConfigureAwait(false);
            return new SshConnection(target with { User = user }, direct, null, null);
        }

        SshHost jump = bastionEndpoint with { User = bastionEndpoint.User ?? user };
        SshClient bastion = await ConnectAsync(jump, jump.Host, jump.Port, key, verifier, settings, null, log, cancellationToken).ConfigureAwait(false);
        ForwardedPortLocal? forward = null;
        try
        {
            forward = new ForwardedPortLocal("127.0.0.1", target.Host, (uint)target.Port);
            bastion.AddForwardedPort(forward);
            forward.Start();
            log.Verbose($"Through bastion {jump}: 127.0.0.1:{forward.BoundPort} forwards to {target.Address}.");
            SshClient client = await ConnectAsync(target with { User = user }, "127.0.0.1", (int)forward.BoundPort, key, verifier, settings, jump, log, cancellationToken).ConfigureAwait(false);
            return new SshConnection(target with { User = user }, client, bastion, forward);
        }
        catch
        {
            forward?.Dispose();
            bastion.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a short command line (given to the login shell on the host as it is) and collects
    /// its output. <c>CommandTimedOut</c> when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<RemoteResult> RunAsync(string commandLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await RunAsync(commandLine, new OutputTail(), new OutputTail(), null, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MightyOpsException(
                ExecErrorIds.CommandTimedOut,
                $"{Target.Address} did not answer within {timeout.TotalSeconds:0.###} s.",
                Target.Address);
        }
    }

    /// <summary>
    /// Runs a command line (given to the login shell on the host as it is) and reads its
    /// standard output and error into <paramref name="output"/> and <paramref name="error"/> as
    /// they arrive. When <paramref name="cancellationToken"/> fires first,
    /// <paramref name="whenCancelled"/> runs while the command's channel is still open (closing
    /// the channel does not end a remote process: sshd signals nothing to a command without a
    /// terminal, so the caller ends it there, see <see cref="DockerExec.Stop"/>), then the
    /// channel is closed and <see cref="OperationCanceledException"/> thrown.
    /// <c>SshConnectionLost</c> when the connection fails.
    /// </summary>
    public async Task<RemoteResult> RunAsync(string commandLine, OutputTail output, OutputTail error, Func<Task>? whenCancelled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var watch = Stopwatch.StartNew();
        Task pumps = Task.CompletedTask;
        try
        {
            SshCommand command = _client.CreateCommand(commandLine);
            try
            {
                // Not ExecuteAsync's own cancellation: it signals the process (which sshd ignores
                // without a terminal) and waits for a reply, then closes the channel.
                Task run = command.ExecuteAsync(CancellationToken.None);
                pumps = Task.WhenAll(Pump(output, command.OutputStream), Pump(error, command.ExtendedOutputStream));
                var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => cancelled.TrySetResult()))
                {
                    if (await Task.WhenAny(run, cancelled.Task).ConfigureAwait(false) != run)
                    {
                        if (whenCancelled is not null)
                        {
                            await whenCancelled().ConfigureAwait(false);
                        }
                        // A command that was ended exits and closes its channel by itself.
                        await Task.WhenAny(run, Task.Delay(ChannelCloseWait, CancellationToken.None)).ConfigureAwait(false);
                        throw new OperationCanceledException(cancellationToken);
                    }
                }
                await run.ConfigureAwait(false);
            }
            finally
            {
                // Disposing the command closes its channel and ends both streams, so the readers
                // finish whether the command did or not.
                command.Dispose();
                await pumps.ConfigureAwait(false);
            }
            return new RemoteResult(command.ExitStatus ?? -1, output.Text(), error.Text(), watch.Elapsed)
            {
                OutputBytes = output.TotalBytes,
                ErrorBytes = error.TotalBytes,
                OutputTruncated = output.Truncated,
                ErrorTruncated = error.Truncated,
            };
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException)
        {
            throw new MightyOpsException(
                ExecErrorIds.SshConnectionLost,
                $"The SSH connection to {Target.Address} failed while the command ran ({TerminalText.Quote(e.Message, TerminalText.LineLength)}). Whether the command ran to its end is unknown; check before running it again.",
                Target.Address,
                e);
        }
    }

    private static readonly TimeSpan ChannelCloseWait = TimeSpan.FromSeconds(2);

    // SSH.NET's output streams read only synchronously: each gets a thread of its own, so that
    // many commands at once do not starve the thread pool. A stream disposed with its command
    // simply ends.
    private static Task Pump(OutputTail tail, Stream stream) =>
        Task.Factory.StartNew(
            () =>
            {
                try
                {
                    tail.ReadAll(stream);
                }
                catch (ObjectDisposedException)
                {
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    public void Dispose()
    {
        _client.Dispose();
        _forward?.Dispose();
        _bastion?.Dispose();
    }

    private static async Task<SshClient> ConnectAsync(
        SshHost endpoint, string connectHost, int connectPort, SshKey key, HostKeyVerifier verifier, SshOptions settings, SshHost? via, IOperationLog log, CancellationToken cancellationToken)
    {
        string user = endpoint.User!;
        var info = new ConnectionInfo(connectHost, connectPort, user, new PrivateKeyAuthenticationMethod(user, key.File))
        {
            Timeout = settings.ConnectTimeout,
        };
        PreferKnownKeyTypes(info, verifier.KnownKeyTypes(endpoint.Host, endpoint.Port));
        var client = new SshClient(info);
        MightyOpsException? refused = null;
        client.HostKeyReceived += (_, e) =>
        {
            try
            {
                verifier.Verify(endpoint.Host, endpoint.Port, e.HostKey);
                e.CanTrust = true;
            }
            catch (MightyOpsException x)
            {
                refused = x;
                e.CanTrust = false;
            }
        };
        string through = via is null ? string.Empty : $" through bastion {via.Address}";
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.ConnectTimeout);
        try
        {
            log.Verbose($"SSH to {user}@{endpoint.Address}{through} with key {key.Path} ({key.KeyType}).");
            await client.ConnectAsync(limit.Token).ConfigureAwait(false);
            return client;
        }
        catch (Exception e) when (e is not MightyOpsException && refused is not null)
        {
            client.Dispose();
            throw refused;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw TimedOut(endpoint, through, settings);
        }
        catch (SshOperationTimeoutException e)
        {
            client.Dispose();
            throw TimedOut(endpoint, through, settings, e);
        }
        catch (SshAuthenticationException e)
        {
            client.Dispose();
            throw new MightyOpsException(
                ExecErrorIds.SshAuthenticationFailed,
                $"{endpoint.Address}{through} refused user '{user}' with key {key.Path} ({key.KeyType} {key.Fingerprint}): {TerminalText.Quote(e.Message, TerminalText.LineLength)} " +
                "Check the user (-User, Ssh.User; ec2-user on Amazon Linux) and that this is the key pair the instance was launched with.",
                endpoint.Address,
                e);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw Unreachable(endpoint, through, e.Message, e);
        }
        catch (Exception e) when (e is SshException or ProxyException or IOException)
        {
            client.Dispose();
            // Through a bastion, a target that cannot be reached shows up as the forwarded
            // connection closing before the key exchange.
            throw via is null
                ? new MightyOpsException(
                    ExecErrorIds.SshConnectionFailed,
                    $"SSH to {endpoint.Address} failed: {TerminalText.Quote(e.Message, TerminalText.LineLength)} Check that sshd runs there and -Port (Ssh.Port).",
                    endpoint.Address,
                    e)
                : Unreachable(endpoint, through, e.Message, e);
        }
    }

    private static MightyOpsException TimedOut(SshHost endpoint, string through, SshOptions settings, Exception? inner = null) =>
        new(
            ExecErrorIds.SshConnectTimeout,
            $"Connecting to {endpoint.Address}{through} did not finish within {settings.ConnectTimeout.TotalSeconds:0.###} s. " +
            "Check that the address is reachable from here (VPN, bastion: -Bastion or Ssh.Bastion; Ssh.Address = 'Public' for the public IP) and that the security group allows SSH.",
            endpoint.Address,
            inner);

    private static MightyOpsException Unreachable(SshHost endpoint, string through, string reason, Exception inner) =>
        new(
            ExecErrorIds.SshHostUnreachable,
            $"Cannot reach {endpoint.Address}{through}: {reason.TrimEnd('.')}. Check that the instance runs, that sshd listens on port {endpoint.Port} (-Port, Ssh.Port) and that the security group allows SSH from here.",
            endpoint.Address,
            inner);

    // As OpenSSH does: when a host is known, ask first for the key types known for it, so a host
    // with several keys presents the one known_hosts can check.
    private static void PreferKnownKeyTypes(ConnectionInfo info, IReadOnlyList<string> knownTypes)
    {
        if (knownTypes.Count == 0)
        {
            return;
        }
        var all = info.HostKeyAlgorithms.ToList();
        bool Known(string algorithm) => knownTypes.Any(t => algorithm == t || (t == "ssh-rsa" && algorithm.StartsWith("rsa-sha2-", StringComparison.Ordinal)));
        info.HostKeyAlgorithms.Clear();
        foreach (KeyValuePair<string, Func<byte[], Renci.SshNet.Security.KeyHostAlgorithm>> pair in all.Where(p => Known(p.Key)).Concat(all.Where(p => !Known(p.Key))))
        {
            info.HostKeyAlgorithms.Add(pair.Key, pair.Value);
        }
    }
}
