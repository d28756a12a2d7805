using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>
/// A service's secrets as an ECS environment file: one <c>NAME=value</c> line per variable, sorted
/// by name, UTF-8, named by the SHA-256 of its content so that the same secrets always give the
/// same object and a task definition revision keeps pointing at the secrets it was deployed with.
/// ECS reads such files literally (no quotes, no escapes, no continuation lines), so a value with
/// a line break is refused; docs/design/secrets.md has the rules. The content never appears in
/// <see cref="ToString"/>.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class EnvironmentFile
{
    /// <summary>Hex digits of the content hash in the object name: 48 bits, so a collision between two versions of one service's secrets is not a practical concern.</summary>
    public const int HashLength = 12;

    private readonly byte[] _content;

    private EnvironmentFile(string service, IReadOnlyCollection<string> keys, byte[] content)
    {
        Service = service;
        Keys = keys;
        _content = content;
        Sha256 = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
    }

    /// <summary>The ECS service the file is for (part of its name).</summary>
    public string Service { get; }

    /// <summary>The variable names in the file.</summary>
    public IReadOnlyCollection<string> Keys { get; }

    /// <summary>SHA-256 of the content, lower-case hex.</summary>
    public string Sha256 { get; }

    /// <summary>The object name: <c>&lt;service&gt;-&lt;first 12 hex digits of the hash&gt;.env</c>.</summary>
    public string FileName => $"{Service}-{Sha256[..HashLength]}.env";

    /// <summary>The bytes to upload. Secret: write them to S3, nowhere else.</summary>
    public ReadOnlyMemory<byte> Content => _content;

    /// <summary>
    /// Renders <paramref name="secrets"/> for <paramref name="service"/>. A value with a line
    /// break (or a NUL) cannot be written to an env file and is <c>SecretsInvalid</c> naming the
    /// key and <paramref name="source"/>, never the value.
    /// </summary>
    public static EnvironmentFile Render(SecretSet secrets, string service, S3Location source)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(source);
        var text = new StringBuilder();
        foreach ((string key, string value) in secrets.Reveal())
        {
            if (value.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
            {
                throw SecretsDocument.Invalid(
                    source,
                    $"has a value with a line break for '{key}' (service {service}). ECS env files hold one line per variable and do not unquote or unescape values, so it cannot be delivered as a file: put it on one line (for a PEM key, base64-encode it and decode it in the container), or set Secrets.Mode = 'Environment' in the config.");
            }
            text.Append(key).Append('=').Append(value).Append('\n');
        }
        return new EnvironmentFile(service, secrets.Keys, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()));
    }

    /// <summary>
    /// Reads an env file back (a previous deploy's, to show which keys changed): <c>NAME=value</c>
    /// lines; blank lines and lines starting with <c>#</c> are skipped, as ECS skips them.
    /// </summary>
    public static SecretSet Parse(ReadOnlySpan<byte> content)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (string line in Encoding.UTF8.GetString(content).Split('\n'))
        {
            string trimmed = line.TrimEnd('\r');
            int equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (trimmed.Length == 0 || trimmed.StartsWith('#') || equals <= 0)
            {
                continue;
            }
            values.Add(new(trimmed[..equals], trimmed[(equals + 1)..]));
        }
        return new SecretSet(values);
    }

    /// <summary>
    /// Where the file goes: next to the secrets source, in a folder named after it without its
    /// <c>.json</c> extension. <c>s3://b/production.json</c> gives <c>s3://b/production/WEB-&lt;hash&gt;.env</c>.
    /// </summary>
    public S3Location LocationNextTo(S3Location source)
    {
        ArgumentNullException.ThrowIfNull(source);
        string folder = source.Key.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? source.Key[..^5] : source.Key;
        return new S3Location(source.Bucket, $"{folder}/{FileName}");
    }

    /// <summary>The name and the keys, never the content.</summary>
    public override string ToString() => $"{FileName} ({Keys.Count} variable{(Keys.Count == 1 ? string.Empty : "s")}: {string.Join(", ", Keys)}; values masked)";
}
