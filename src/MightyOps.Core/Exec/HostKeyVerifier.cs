using MightyOps.Core.Config;

namespace MightyOps.Core.Exec;

/// <summary>
/// Decides whether to trust the key a host presents, the way OpenSSH does with
/// <c>StrictHostKeyChecking accept-new</c> or <c>yes</c>: a known key is trusted; a different key
/// for a known host is refused (<c>HostKeyMismatch</c>, always); a revoked key is refused
/// (<c>HostKeyRevoked</c>); an unknown host is recorded (AcceptNew) or refused
/// (<c>HostKeyUnknown</c>, Strict).
/// </summary>
public sealed class HostKeyVerifier
{
    // Connections to many hosts run in parallel; reading and appending the file is one step.
    private static readonly object FileLock = new();

    private readonly KnownHostsFile _file;
    private readonly HostKeyPolicy _policy;
    private readonly IOperationLog _log;

    public HostKeyVerifier(KnownHostsFile file, HostKeyPolicy policy, IOperationLog log)
    {
        _file = file;
        _policy = policy;
        _log = log;
    }

    /// <summary>The key types known for a host, so the key exchange can ask for one of them first (as OpenSSH does).</summary>
    public IReadOnlyList<string> KnownKeyTypes(string host, int port)
    {
        lock (FileLock)
        {
            return _file.Find(host, port).Where(e => e.Marker.Length == 0).Select(e => e.KeyType).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Trusts <paramref name="key"/> for the host or throws the reason not to.</summary>
    public void Verify(string host, int port, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string name = KnownHostsFile.HostName(host, port);
        string type = KnownHostsFile.KeyType(key);
        string presented = KnownHostsFile.Fingerprint(key);
        lock (FileLock)
        {
            IReadOnlyList<KnownHostEntry> entries = _file.Find(host, port);
            if (entries.FirstOrDefault(e => e.Marker == "@revoked" && e.Key.AsSpan().SequenceEqual(key)) is { } revoked)
            {
                throw new MightyOpsException(
                    ExecErrorIds.HostKeyRevoked,
                    $"The host key of {name} ({type} {presented}) is marked @revoked in {_file.Path} line {revoked.LineNumber}. Do not connect; ask who runs the instance.",
                    name);
            }
            List<KnownHostEntry> known = entries.Where(e => e.Marker.Length == 0).ToList();
            if (known.Any(e => e.Key.AsSpan().SequenceEqual(key)))
            {
                return;
            }
            if (known.Count > 0)
            {
                // A different key of the same type, or only keys of other types: OpenSSH refuses both.
                KnownHostEntry expected = known.FirstOrDefault(e => e.KeyType == type) ?? known[0];
                throw new MightyOpsException(
                    ExecErrorIds.HostKeyMismatch,
                    $"The host key of {name} has changed: {_file.Path} line {expected.LineNumber} expects {expected.KeyType} {expected.Fingerprint}, " +
                    $"but the host presented {type} {presented}. An instance replaced at the same address does this, and so does someone in the middle. " +
                    $"If you know the instance was replaced, remove line {expected.LineNumber} ({Shorten(expected.Line)}) from {_file.Path}, " +
                    $"e.g. ssh-keygen -R '{name}' -f '{_file.Path}', and connect again.",
                    name);
            }
            if (_policy == HostKeyPolicy.Strict)
            {
                throw new MightyOpsException(
                    ExecErrorIds.HostKeyUnknown,
                    $"{name} is not in {_file.Path} and the host key policy is Strict; it presented {type} {presented}. " +
                    $"Check that fingerprint with whoever runs the instance, then add it (ssh-keyscan -p {port} {host} >> '{_file.Path}') or connect once with -HostKeyPolicy AcceptNew.",
                    name);
            }
            _file.Append(host, port, key);
            _log.Verbose($"Permanently added '{name}' ({type} {presented}) to {_file.Path}.");
        }
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..77] + "...";
}
