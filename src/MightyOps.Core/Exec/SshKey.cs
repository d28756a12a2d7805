using System.Runtime.InteropServices;
using System.Security;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace MightyOps.Core.Exec;

/// <summary>
/// A private key read from a file: OpenSSH (<c>BEGIN OPENSSH PRIVATE KEY</c>) or PEM (PKCS#1,
/// SEC1, PKCS#8), ed25519, ecdsa or rsa, with or without a passphrase.
/// </summary>
public sealed class SshKey : IDisposable
{
    private SshKey(string path, PrivateKeyFile file)
    {
        Path = path;
        File = file;
    }

    /// <summary>The file it was read from (with <c>~</c> expanded).</summary>
    public string Path { get; }

    /// <summary>E.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType => File.Key.ToString() ?? string.Empty;

    /// <summary>The public key's SHA256 fingerprint, as <c>ssh-keygen -l</c> prints it.</summary>
    public string Fingerprint => KnownHostsFile.Fingerprint(File.HostKeyAlgorithms.First().Data);

    internal PrivateKeyFile File { get; }

    /// <summary><c>~/…</c> and <c>~</c> as the home folder; other paths as they are.</summary>
    public static string ExpandHome(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path == "~" ? home
            : path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? System.IO.Path.Combine(home, path[2..])
            : path;
    }

    /// <summary>
    /// Reads the key. Errors: <c>SshKeyNotFound</c>, <c>SshKeyUnreadable</c> (no permission, or not
    /// a key), <c>SshKeyPassphraseRequired</c> (encrypted, no passphrase given),
    /// <c>SshKeyPassphraseWrong</c>.
    /// </summary>
    public static SshKey Load(string path, SecureString? passphrase)
    {
        string full = System.IO.Path.GetFullPath(ExpandHome(path));
        if (!System.IO.File.Exists(full))
        {
            throw new MightyOpsException(
                ExecErrorIds.SshKeyNotFound,
                $"The SSH key file {full} does not exist. Pass the instances' key pair with -KeyFilePath or set Ssh.KeyFilePath in mighty.psd1.",
                full);
        }
        byte[] content;
        try
        {
            content = System.IO.File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new MightyOpsException(
                ExecErrorIds.SshKeyUnreadable,
                $"The SSH key file {full} cannot be read ({e.Message}). Check its permissions: it must be readable by you (chmod 600 '{full}').",
                full,
                e);
        }
        string? secret = Reveal(passphrase);
        try
        {
            using var stream = new MemoryStream(content);
            return new SshKey(full, secret is null ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, secret));
        }
        catch (SshPassPhraseNullOrEmptyException e)
        {
            throw new MightyOpsException(
                ExecErrorIds.SshKeyPassphraseRequired,
                $"The SSH key {full} is protected by a passphrase. Pass it with -KeyPassphrase (Read-Host -AsSecureString), or run the command in an interactive session to be asked for it.",
                full,
                e);
        }
        catch (Exception e) when (secret is not null && e is SshException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new MightyOpsException(
                ExecErrorIds.SshKeyPassphraseWrong,
                $"The passphrase does not open the SSH key {full}. Try again; 'ssh-keygen -y -f {full}' checks it with OpenSSH.",
                full,
                e);
        }
        catch (Exception e) when (e is SshException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            throw new MightyOpsException(
                ExecErrorIds.SshKeyUnreadable,
                MightyErrorKind.InvalidArgument,
                $"{full} is not a private key MightyOps can read ({e.Message}). Use an OpenSSH or PEM private key (ed25519, ecdsa or rsa), not the .pub file.",
                full,
                e);
        }
    }

    public void Dispose() => File.Dispose();

    private static string? Reveal(SecureString? secret)
    {
        if (secret is null || secret.Length == 0)
        {
            return null;
        }
        IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(pointer);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
