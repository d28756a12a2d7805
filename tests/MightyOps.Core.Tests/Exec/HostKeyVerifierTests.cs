using MightyOps.Core.Exec;
using MightyOps.Core.Tests.Aws;
using Xunit;
using static MightyOps.Core.Tests.Exec.KnownHostsFileTests;

namespace MightyOps.Core.Tests.Exec;

/// <summary>
/// What a presented host key meets in known_hosts (docs/design/ssh.md, policy as OpenSSH's
/// StrictHostKeyChecking): one row per case, the file's lines (| between them), the key the host
/// presents, the policy, and the outcome: trusted, appended, or the error id.
/// </summary>
public sealed class HostKeyVerifierTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "mightyops-host-keys-" + Guid.NewGuid().ToString("n"), "known_hosts");

    public HostKeyVerifierTests() => Directory.CreateDirectory(Path.GetDirectoryName(_path)!);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);

    [Theory]
    [InlineData("10.0.1.20 ssh-ed25519 A", "10.0.1.20", 22, "A", HostKeyPolicy.Strict, "trusted")]
    [InlineData("H22 ssh-ed25519 A", "10.0.1.20", 22, "A", HostKeyPolicy.Strict, "trusted")]                               // hashed name
    [InlineData("[10.0.1.20]:2222 ssh-ed25519 B", "10.0.1.20", 2222, "B", HostKeyPolicy.Strict, "trusted")]
    [InlineData("10.0.1.20 ssh-ed25519 A", "10.0.1.20", 22, "B", HostKeyPolicy.AcceptNew, "HostKeyMismatch")]              // never recorded over the old key
    [InlineData("10.0.1.20 ecdsa-sha2-nistp256 C", "10.0.1.20", 22, "A", HostKeyPolicy.AcceptNew, "HostKeyMismatch")]      // only another type known: refused too
    [InlineData("10.0.1.20 ecdsa-sha2-nistp256 C|10.0.1.20 ssh-ed25519 A", "10.0.1.20", 22, "A", HostKeyPolicy.Strict, "trusted")]
    [InlineData("10.0.1.20 ssh-ed25519 A|@revoked 10.0.1.20 ssh-ed25519 A", "10.0.1.20", 22, "A", HostKeyPolicy.AcceptNew, "HostKeyRevoked")]   // revoked wins
    [InlineData("@revoked * ssh-ed25519 B", "10.0.9.9", 22, "B", HostKeyPolicy.AcceptNew, "HostKeyRevoked")]                // revoked for every host
    [InlineData("@revoked * ssh-ed25519 B", "10.0.9.9", 22, "A", HostKeyPolicy.AcceptNew, "appended")]                      // another key is not revoked
    [InlineData("@cert-authority *.internal ssh-ed25519 A", "web-1.internal", 22, "A", HostKeyPolicy.Strict, "HostKeyUnknown")]   // a CA line does not make a host known
    [InlineData("@cert-authority *.internal ssh-ed25519 A", "web-1.internal", 22, "A", HostKeyPolicy.AcceptNew, "appended")]
    [InlineData("10.0.1.20 ssh-ed25519 A", "10.0.1.20", 2222, "B", HostKeyPolicy.AcceptNew, "appended")]                  // another port is another host
    [InlineData("10.0.1.20 ssh-ed25519 A", "10.0.1.21", 22, "A", HostKeyPolicy.Strict, "HostKeyUnknown")]
    [InlineData("", "10.0.1.20", 22, "A", HostKeyPolicy.AcceptNew, "appended")]
    public void A_presented_key_is_trusted_recorded_or_refused(string lines, string host, int port, string presented, HostKeyPolicy policy, string outcome)
    {
        string before = string.Concat(lines.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(l => Expand(l) + "\n"));
        File.WriteAllText(_path, before);
        var log = new RecordingLog();
        var verifier = new HostKeyVerifier(new KnownHostsFile(_path), policy, log);

        MightyOpsException? refused = Record.Exception(() => verifier.Verify(host, port, Key(presented))) as MightyOpsException;

        string after = File.ReadAllText(_path);
        string actual = refused?.ErrorId ?? (after == before ? "trusted" : "appended");
        Assert.Equal(outcome, actual);
        if (outcome == "appended")
        {
            Assert.Equal(before + $"{KnownHostsFile.HostName(host, port)} {KnownHostsFile.KeyType(Key(presented))} {Expand(presented)}\n", after);
            Assert.Contains(log.VerboseLines, l => l.StartsWith($"Permanently added '{KnownHostsFile.HostName(host, port)}'", StringComparison.Ordinal));
            // The next connection finds it.
            verifier.Verify(host, port, Key(presented));
            Assert.Equal(after, File.ReadAllText(_path));
        }
        else
        {
            Assert.Equal(before, after);
        }
        if (refused is not null)
        {
            Assert.Equal(MightyErrorKind.PermissionDenied, refused.Kind);
            Assert.Equal(KnownHostsFile.HostName(host, port), refused.Target);
            Assert.Contains(KnownHostsFile.Fingerprint(Key(presented)), refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_key_types_known_for_a_host_leave_out_revoked_keys_and_CAs()
    {
        File.WriteAllText(_path, string.Join("\n", Expand("10.0.1.20 ecdsa-sha2-nistp256 C"), Expand("@revoked 10.0.1.20 ssh-ed25519 B"), Expand("@cert-authority * ssh-ed25519 A"), Expand("H22 ssh-ed25519 A"), Expand("10.0.1.20 ssh-ed25519 A")) + "\n");
        var verifier = new HostKeyVerifier(new KnownHostsFile(_path), HostKeyPolicy.Strict, new RecordingLog());
        Assert.Equal(["ecdsa-sha2-nistp256", "ssh-ed25519"], verifier.KnownKeyTypes("10.0.1.20", 22));
        Assert.Empty(verifier.KnownKeyTypes("10.0.1.20", 2222));
    }

    /// <summary>The row's short names written out: A, B, C are the keys, H22 the hashed 10.0.1.20.</summary>
    private static string Expand(string text) => string.Join(' ', text.Split(' ').Select(word => word switch
    {
        "A" => KeyA,
        "B" => KeyB,
        "C" => KeyC,
        "H22" => Hashed22,
        _ => word,
    }));

    private static byte[] Key(string name) => Convert.FromBase64String(Expand(name));
}
