using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>What a container's environment becomes once the secrets are delivered.</summary>
/// <param name="Environment">The task definition's <c>environment</c>: plain variables (and, in Environment mode, the secrets).</param>
/// <param name="File">The env file to upload and reference in <c>environmentFiles</c>; null in Environment mode or when there are no secrets.</param>
public sealed record SecretDelivery(IReadOnlyDictionary<string, string> Environment, EnvironmentFile? File)
{
    /// <summary>The warning Environment mode gives on every deploy.</summary>
    public const string EnvironmentModeWarning =
        "Secrets.Mode is 'Environment': the secret values are written into the task definition, where anyone allowed to describe task definitions can read them. Remove the Mode key to deliver them as an S3 env file instead.";

    /// <summary>
    /// Applies the merge order (last wins): the plain <paramref name="environment"/> (Defaults,
    /// then the service's, then the container's), then <paramref name="secrets"/> (shared, then
    /// the service's). In EnvironmentFile mode the secret names are removed from
    /// <c>environment</c>, because ECS lets <c>environment</c> win over an env file and a stale
    /// plain value would shadow the secret.
    /// </summary>
    public static SecretDelivery Plan(IReadOnlyDictionary<string, string> environment, SecretSet secrets, SecretsMode mode, string service, S3Location source)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(secrets);
        var plain = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        if (mode == SecretsMode.Environment)
        {
            foreach ((string key, string value) in secrets.Reveal())
            {
                plain[key] = value;
            }
            return new SecretDelivery(plain, null);
        }
        foreach (string key in secrets.Keys)
        {
            plain.Remove(key);
        }
        return new SecretDelivery(plain, secrets.Count == 0 ? null : EnvironmentFile.Render(secrets, service, source));
    }

    /// <summary>Names only: in Environment mode the values are secrets.</summary>
    public override string ToString() =>
        $"environment: {string.Join(", ", Environment.Keys.Order(StringComparer.Ordinal))}; file: {(File is null ? "none" : File.ToString())}";
}
