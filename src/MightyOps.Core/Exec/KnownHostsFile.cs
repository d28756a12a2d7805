using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MightyOps.Core.Exec;

/// <summary>One key line of a known_hosts file that matched a host.</summary>
/// <param name="LineNumber">1-based, as OpenSSH reports it.</param>
/// <param name="Line">The whole line, as written in the file.</param>
/// <param name="Marker">Empty, <c>@revoked</c> or <c>@cert-authority</c>.</param>
/// <param name="KeyType">E.g. <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>ssh-rsa</c>.</param>
/// <param name="Key">The public key blob (the base64 field, decoded).</param>
public sealed record KnownHostEntry(int LineNumber, string Line, string Marker, string KeyType, byte[] Key)
{
    /// <summary>OpenSSH's fingerprint: <c>SHA256:</c> and the unpadded base64 of the blob's SHA-256.</summary>
    public string Fingerprint => KnownHostsFile.Fingerprint(Key);
}

/// <summary>
/// Reads and appends OpenSSH known_hosts files (docs/design/ssh.md): plain host patterns (with
/// <c>*</c>, <c>?</c> and <c>!</c> negation, comma-separated), <c>[host]:port</c> for ports other
/// than 22, hashed <c>|1|salt|hash</c> names (HMAC-SHA1 of the name keyed with the salt), and the
/// <c>@revoked</c> and <c>@cert-authority</c> markers.
/// </summary>
public sealed class KnownHostsFile
{
    public KnownHostsFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    public string Path { get; }

    /// <summary>The name OpenSSH looks up for a host and port: <c>host</c> for 22, else <c>[host]:port</c>.</summary>
    public static string HostName(string host, int port) =>
        port == 22 ? host : $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The lines whose host patterns match <paramref name="host"/> on <paramref name="port"/>.</summary>
    public IReadOnlyList<KnownHostEntry> Find(string host, int port)
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        string name = HostName(host, port);
        var found = new List<KnownHostEntry>();
        int number = 0;
        foreach (string line in File.ReadLines(Path))
        {
            number++;
            if (Parse(line, number) is { } parsed && Matches(parsed.Patterns, name))
            {
                found.Add(parsed.Entry);
            }
        }
        return found;
    }

    /// <summary>Appends a plain <c>host keytype base64</c> line (creating the file and its folder, private to the user).</summary>
    public void Append(string host, int port, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string? folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        string line = $"{HostName(host, port)} {KeyType(key)} {Convert.ToBase64String(key)}\n";
        bool needsNewline = File.Exists(Path) && new FileInfo(Path).Length > 0 && LastByte(Path) != '\n';
        File.AppendAllText(Path, (needsNewline ? "\n" : string.Empty) + line);
    }

    /// <summary>The key type named at the start of a public key blob (an SSH string: 4-byte length, then the name).</summary>
    public static string KeyType(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 4)
        {
            return string.Empty;
        }
        int length = (key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3];
        return length > 0 && length <= key.Length - 4 ? Encoding.ASCII.GetString(key, 4, length) : string.Empty;
    }

    /// <summary>OpenSSH's SHA256 fingerprint of a public key blob.</summary>
    public static string Fingerprint(byte[] key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    private static (string[] Patterns, KnownHostEntry Entry)? Parse(string line, int number)
    {
        string text = line.Trim();
        if (text.Length == 0 || text.StartsWith('#'))
        {
            return null;
        }
        string[] fields = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        string marker = string.Empty;
        int first = 0;
        if (fields[0].StartsWith('@'))
        {
            marker = fields[0];
            first = 1;
        }
        if (fields.Length < first + 3)
        {
            return null;
        }
        byte[] key;
        try
        {
            key = Convert.FromBase64String(fields[first + 2]);
        }
        catch (FormatException)
        {
            return null;
        }
        return (fields[first].Split(','), new KnownHostEntry(number, line, marker, fields[first + 1], key));
    }

    // OpenSSH: a negated pattern that matches excludes the line whatever else matches.
    private static bool Matches(string[] patterns, string name)
    {
        bool matched = false;
        foreach (string pattern in patterns)
        {
            if (pattern.StartsWith("|1|", StringComparison.Ordinal))
            {
                matched |= HashedMatches(pattern, name);
            }
            else if (pattern.StartsWith('!'))
            {
                if (Glob(pattern[1..], name))
                {
                    return false;
                }
            }
            else
            {
                matched |= Glob(pattern, name);
            }
        }
        return matched;
    }

    private static bool HashedMatches(string pattern, string name)
    {
        string[] parts = pattern.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }
        try
        {
            byte[] salt = Convert.FromBase64String(parts[2]);
            byte[] expected = Convert.FromBase64String(parts[3]);
            byte[] actual = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(name));
            return CryptographicOperations.FixedTimeEquals(expected, actual);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Host names compare without regard to case; * and ? as in OpenSSH's match_pattern.
    private static bool Glob(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(name[n])))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    private static int LastByte(string path)
    {
        using FileStream stream = File.OpenRead(path);
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte();
    }
}
