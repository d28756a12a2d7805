using MightyOps.Core.Exec;
using Xunit;

namespace MightyOps.Core.Tests.Exec;

/// <summary>
/// known_hosts lines as OpenSSH writes them and people edit them (docs/design/ssh.md,
/// "known_hosts"). The keys, fingerprints and hashed names were made by ssh-keygen (-H hashed the
/// two lines for 10.0.1.20, port 22 and port 2222; <c>ssh-keygen -F</c> found each under that name).
/// </summary>
public sealed class KnownHostsFileTests : IDisposable
{
    /// <summary>ssh-keygen -t ed25519; <c>ssh-keygen -l -E sha256</c>: SHA256:U5LXT22sVdJh0T7HzEaLBjYeXgBpdTirLrNPw/BRloY.</summary>
    internal const string KeyA = "AAAAC3NzaC1lZDI1NTE5AAAAIFSeMAumt4r2dA+p46rtKuhKisylmXLhn2yglO/K1P3r";

    internal const string KeyB = "AAAAC3NzaC1lZDI1NTE5AAAAIGAZOKuQohpU2tEQ+yQ3XTxTeqwucVcc5zjUXJ40FljI";

    /// <summary>ssh-keygen -t ecdsa; SHA256:D97wnksVafjTiULSI8ff1Env14Iv0OmyO6jSle18Y7U.</summary>
    internal const string KeyC = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBBmKqiVTWgSR+nCUNhFG/KVkB0iGgUM35qe3dsZ8ilGpEL6RZrggC5VZBN/6RgoKh6xCZJzX1QpnTTg3F3fNmBs=";

    /// <summary>10.0.1.20 (port 22) hashed by ssh-keygen -H.</summary>
    internal const string Hashed22 = "|1|Dev/mv6F6O8u8tDiTgqixQkWb/g=|RsPGeTHQdEYt+1n62YrL3S1C2aI=";

    /// <summary>[10.0.1.20]:2222 hashed by ssh-keygen -H.</summary>
    internal const string Hashed2222 = "|1|jsNIj4qifgiuY5ls62JQlv87ZBQ=|wCpgFqdhBQY6v8MNwyBp+Ax1EEg=";

    /// <summary>One file for every row below; line numbers are what the rows expect.</summary>
    private static readonly string[] Lines =
    [
        "# known_hosts as OpenSSH writes it and people edit it",                  // 1  comment
        "",                                                                        // 2  blank
        $"10.0.1.20 ssh-ed25519 {KeyA}",                                           // 3  plain, port 22
        $"{Hashed22} ssh-ed25519 {KeyA}",                                          // 4  hashed 10.0.1.20
        $"{Hashed2222} ssh-ed25519 {KeyB}",                                        // 5  hashed [10.0.1.20]:2222
        $"[10.0.1.20]:2222 ssh-ed25519 {KeyB}",                                    // 6  plain, another port
        $"web-1.internal,10.0.2.7 ecdsa-sha2-nistp256 {KeyC}",                     // 7  several names
        $"10.0.3.* ssh-ed25519 {KeyA}",                                            // 8  wildcard
        $"!10.0.3.66,10.0.3.6? ssh-ed25519 {KeyB}",                                // 9  negation and ?
        $"@revoked 10.0.1.20 ssh-ed25519 {KeyB}",                                  // 10 revoked
        $"@cert-authority *.internal ecdsa-sha2-nistp256 {KeyC}",                  // 11 a CA for a domain
        $"\tBastion.Example.COM\tssh-ed25519\t{KeyA}  ops key 2024",              // 12 tabs, indent, comment, case
        "10.0.4.1 ssh-ed25519",                                                    // 13 no key: skipped
        "10.0.4.1 ssh-ed25519 not-base64!",                                        // 14 a broken key: skipped
        $"   # 10.0.1.20 ssh-ed25519 {KeyA}",                                      // 15 an indented comment
        $"[10.0.5.5]:22 ssh-ed25519 {KeyA}",                                       // 16 port 22 is never looked up in brackets
        $"|1|onlysalt ssh-ed25519 {KeyA}",                                         // 17 a broken hash: matches nothing
        $"10.0.6.1 ssh-ed25519 {KeyA}\r",                                          // 18 written on Windows
    ];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mightyops-known-hosts-" + Guid.NewGuid().ToString("n"));

    public KnownHostsFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The host and port looked up, and the lines found: their numbers, with the marker where there is one.</summary>
    [Theory]
    [InlineData("10.0.1.20", 22, "3 4 @revoked:10")]                  // plain, hashed, and the revoked key
    [InlineData("10.0.1.20", 2222, "5 6")]                            // [host]:port, hashed and plain
    [InlineData("10.0.1.20", 2200, "")]
    [InlineData("10.0.1.2", 22, "")]                                  // a name's prefix is not the name
    [InlineData("10.0.1.200", 22, "")]
    [InlineData("web-1.internal", 22, "7 @cert-authority:11")]
    [InlineData("10.0.2.7", 22, "7")]
    [InlineData("10.0.2.7", 2222, "")]                                // a plain pattern is port 22 only
    [InlineData("10.0.3.9", 22, "8")]
    [InlineData("10.0.3.61", 22, "8 9")]
    [InlineData("10.0.3.66", 22, "8")]                                // !10.0.3.66 drops line 9 whatever else matches
    [InlineData("10.0.3.610", 22, "8")]                               // ? is one character
    [InlineData("10.0.3.5", 2222, "")]                                // * does not reach into [host]:port
    [InlineData("db.internal", 22, "@cert-authority:11")]
    [InlineData("bastion.example.com", 22, "12")]                     // names compare without case
    [InlineData("10.0.4.1", 22, "")]                                  // malformed lines are skipped
    [InlineData("10.0.5.5", 22, "")]
    [InlineData("10.0.5.5", 2222, "")]
    [InlineData("10.0.6.1", 22, "18")]
    public void Find_returns_the_lines_whose_patterns_match(string host, int port, string expected)
    {
        var file = new KnownHostsFile(Write(Lines));
        string found = string.Join(" ", file.Find(host, port).Select(e => e.Marker.Length == 0 ? $"{e.LineNumber}" : $"{e.Marker}:{e.LineNumber}"));
        Assert.Equal(expected, found);
    }

    [Theory]
    [InlineData("10.0.1.20", 22, "10.0.1.20")]
    [InlineData("10.0.1.20", 2222, "[10.0.1.20]:2222")]
    [InlineData("::1", 2222, "[::1]:2222")]
    [InlineData("bastion.example.com", 22, "bastion.example.com")]
    public void The_name_looked_up_is_the_host_for_port_22_and_host_port_in_brackets_otherwise(string host, int port, string name)
    {
        Assert.Equal(name, KnownHostsFile.HostName(host, port));
    }

    [Fact]
    public void A_matching_line_keeps_its_text_type_key_and_fingerprint()
    {
        var file = new KnownHostsFile(Write(Lines));

        KnownHostEntry bastion = Assert.Single(file.Find("bastion.example.com", 22));
        Assert.Equal(Lines[11], bastion.Line);
        Assert.Equal(("", "ssh-ed25519"), (bastion.Marker, bastion.KeyType));
        Assert.Equal(Convert.FromBase64String(KeyA), bastion.Key);
        Assert.Equal("SHA256:U5LXT22sVdJh0T7HzEaLBjYeXgBpdTirLrNPw/BRloY", bastion.Fingerprint);

        KnownHostEntry ca = Assert.Single(file.Find("db.internal", 22));
        Assert.Equal(("@cert-authority", "ecdsa-sha2-nistp256"), (ca.Marker, ca.KeyType));
        Assert.Equal("SHA256:D97wnksVafjTiULSI8ff1Env14Iv0OmyO6jSle18Y7U", ca.Fingerprint);
    }

    [Theory]
    [InlineData(KeyA, "ssh-ed25519")]
    [InlineData(KeyC, "ecdsa-sha2-nistp256")]
    [InlineData("AAAA", "")]                      // three bytes: no length
    [InlineData("AAAAEHNzaA==", "")]              // says 16 bytes, has 3
    [InlineData("AAAAAA==", "")]                  // says 0 bytes
    public void The_key_type_is_read_from_the_blob(string base64, string type)
    {
        Assert.Equal(type, KnownHostsFile.KeyType(Convert.FromBase64String(base64)));
    }

    [Fact]
    public void A_missing_file_knows_no_host()
    {
        Assert.Empty(new KnownHostsFile(Path.Combine(_folder, "nope", "known_hosts")).Find("10.0.1.20", 22));
    }

    /// <summary>What is appended is found again, by this reader and by OpenSSH's own ssh-keygen -F.</summary>
    [Theory]
    [InlineData("10.0.7.1", 22, "10.0.7.1")]
    [InlineData("10.0.7.1", 2222, "[10.0.7.1]:2222")]
    public async Task An_appended_line_is_plain_and_found_again_by_ssh_keygen(string host, int port, string name)
    {
        // In a folder that does not exist yet: it is made, private to the user.
        string path = Path.Combine(_folder, "new", "known_hosts");
        var file = new KnownHostsFile(path);
        file.Append(host, port, Convert.FromBase64String(KeyB));
        Assert.Equal($"{name} ssh-ed25519 {KeyB}\n", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }

        // After a last line without its newline.
        File.WriteAllText(path, $"10.0.1.20 ssh-ed25519 {KeyA}");
        file.Append(host, port, Convert.FromBase64String(KeyB));
        Assert.Equal($"10.0.1.20 ssh-ed25519 {KeyA}\n{name} ssh-ed25519 {KeyB}\n", File.ReadAllText(path));
        Assert.Equal([2], file.Find(host, port).Select(e => e.LineNumber));

        (int exitCode, string output, string error) = await ExternalProgram.RunAsync("ssh-keygen", ["-F", name, "-f", path]);
        Assert.True(exitCode == 0, $"ssh-keygen -F {name} did not find it:\n{output}{error}");
        Assert.Contains($"{name} ssh-ed25519 {KeyB}", output, StringComparison.Ordinal);
    }

    private string Write(IEnumerable<string> lines)
    {
        string path = Path.Combine(_folder, "known_hosts");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
