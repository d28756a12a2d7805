using System.Security;
using MightyOps.Core.Config;

namespace MightyOps.Core.Exec;

/// <summary>A host to SSH to: <c>[user@]host[:port]</c>.</summary>
/// <param name="User">The login, or null for the default.</param>
/// <param name="Host">A name or address.</param>
/// <param name="Port">The SSH port.</param>
public sealed record SshHost(string? User, string Host, int Port)
{
    /// <summary>
    /// Parses <c>[user@]host[:port]</c> (IPv6 addresses in brackets: <c>[::1]:2222</c>). Throws
    /// <c>InvalidSshEndpoint</c>.
    /// </summary>
    public static SshHost Parse(string text, int defaultPort = 22)
    {
        ArgumentNullException.ThrowIfNull(text);
        string rest = text.Trim();
        string? user = null;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
        }
        string host = rest;
        int port = defaultPort;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']');
            host = close > 0 ? rest[1..close] : string.Empty;
            string after = close > 0 ? rest[(close + 1)..] : string.Empty;
            if (after.StartsWith(':') && !int.TryParse(after[1..], out port))
            {
                host = string.Empty;
            }
        }
        else if (rest.Count(c => c == ':') == 1)
        {
            int colon = rest.IndexOf(':');
            host = rest[..colon];
            if (!int.TryParse(rest[(colon + 1)..], out port))
            {
                host = string.Empty;
            }
        }
        if (host.Length == 0 || user is { Length: 0 } || port is < 1 or > 65535)
        {
            throw new MightyOpsException(
                ExecErrorIds.InvalidSshEndpoint,
                $"'{text}' is not a host to SSH to; write it as [user@]host[:port], e.g. ops@bastion.example.com:22.",
                text);
        }
        return new SshHost(user, host, port);
    }

    /// <summary><c>host:port</c>, with brackets around IPv6 addresses.</summary>
    public string Address => (Host.Contains(':') ? $"[{Host}]" : Host) + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => (User is null ? string.Empty : User + "@") + Address;
}

/// <summary>How to SSH to a task's instance, resolved from parameters, mighty.psd1 and defaults.</summary>
public sealed record SshOptions
{
    /// <summary>The login on the instances (ECS-optimized Amazon Linux: ec2-user).</summary>
    public string User { get; init; } = "ec2-user";

    /// <summary>The private key file (OpenSSH or PEM; ed25519, ecdsa or rsa).</summary>
    public required string KeyFilePath { get; init; }

    /// <summary>The key's passphrase, when it has one.</summary>
    public SecureString? KeyPassphrase { get; init; }

    /// <summary>The SSH port on the instances.</summary>
    public int Port { get; init; } = 22;

    /// <summary>A jump host the connection runs through, or null.</summary>
    public SshHost? Bastion { get; init; }

    /// <summary>Which address of the instance to connect to.</summary>
    public SshAddressKind Address { get; init; } = SshAddressKind.Private;

    /// <summary>What to do with an unknown host key.</summary>
    public HostKeyPolicy HostKeyPolicy { get; init; } = HostKeyPolicy.AcceptNew;

    /// <summary>The known_hosts file (default <c>~/.ssh/known_hosts</c>).</summary>
    public string KnownHostsPath { get; init; } = DefaultKnownHostsPath;

    /// <summary>How long connecting (TCP, key exchange, authentication) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>~/.ssh/known_hosts</c>.</summary>
    public static string DefaultKnownHostsPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");

    /// <summary>The instance address these settings connect to for a task, or <c>TaskHasNoAddress</c>.</summary>
    public SshHost EndpointFor(MightyTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        string address = Address == SshAddressKind.Public ? task.PublicIpAddress : task.PrivateIpAddress;
        if (address.Length == 0)
        {
            string which = Address == SshAddressKind.Public ? "public" : "private";
            string hint = Address == SshAddressKind.Public
                ? "Use the private address (Ssh.Address = 'Private', through a bastion if needed)."
                : "Check that the instance still exists (Get-MightyTask shows its Ec2InstanceId).";
            throw new MightyOpsException(
                ExecErrorIds.TaskHasNoAddress,
                $"Instance {task.Ec2InstanceId} of task {task.TaskId} has no {which} IP address. {hint}",
                task.TaskId);
        }
        return new SshHost(User, address, Port);
    }
}
