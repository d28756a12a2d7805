using System.Diagnostics;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace MightyOps.Core.Exec;

/// <summary>What a remote command returned.</summary>
/// <param name="ExitCode">Its exit status (-1 when the server sent none, e.g. killed by a signal).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Duration">From sending the command to its exit.</param>
public sealed record RemoteResult(int ExitCode, string Output, string Error, TimeSpan Duration);

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
    /// Runs a command line (given to the login shell on the host as it is) and collects its
    /// output. <c>CommandTimedOut</c> when <paramref name="timeout"/> passes first: the command is
    /// signalled to stop.
    /// </summary>
    public async Task<RemoteResult> RunAsync(string commandLine, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using SshCommand command = _client.CreateCommand(commandLine);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is TimeSpan span)
        {
            limit.CancelAfter(span);
        }
        var watch = Stopwatch.StartNew();
        try
        {
            await command.ExecuteAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout is TimeSpan passed)
        {
            throw new MightyOpsException(
                "CommandTimedOut",
                MightyErrorKind.Timeout,
                $"The command did not finish on {Target.Address} within {passed.TotalSeconds:0.###} s and was stopped. Raise -Timeout if it needs longer.",
                Target.Address);
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException)
        {
            throw new MightyOpsException(
                "SshConnectionLost",
                MightyErrorKind.Connection,
                $"The SSH connection to {Target.Address} failed while the command ran ({TerminalText.Quote(e.Message, TerminalText.LineLength)}). Whether the command ran to its end is unknown; check before running it again.",
                Target.Address,
                e);
        }
        return new RemoteResult(command.ExitStatus ?? -1, command.Result, command.Error, watch.Elapsed);
    }

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
                "SshAuthenticationFailed",
                MightyErrorKind.Authentication,
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
                    "SshConnectionFailed",
                    MightyErrorKind.Connection,
                    $"SSH to {endpoint.Address} failed: {TerminalText.Quote(e.Message, TerminalText.LineLength)} Check that sshd runs there and -Port (Ssh.Port).",
                    endpoint.Address,
                    e)
                : Unreachable(endpoint, through, e.Message, e);
        }
    }

    private static MightyOpsException TimedOut(SshHost endpoint, string through, SshOptions settings, Exception? inner = null) =>
        new(
            "SshConnectTimeout",
            MightyErrorKind.Timeout,
            $"Connecting to {endpoint.Address}{through} did not finish within {settings.ConnectTimeout.TotalSeconds:0.###} s. " +
            "Check that the address is reachable from here (VPN, bastion: -Bastion or Ssh.Bastion; Ssh.Address = 'Public' for the public IP) and that the security group allows SSH.",
            endpoint.Address,
            inner);

    private static MightyOpsException Unreachable(SshHost endpoint, string through, string reason, Exception inner) =>
        new(
            "SshHostUnreachable",
            MightyErrorKind.Connection,
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
