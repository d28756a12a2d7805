using System.Diagnostics.CodeAnalysis;
using Amazon.Runtime.CredentialManagement;

namespace MightyOps.Core.Aws;

/// <summary>
/// The shared config and credentials files, read through AWSSDK.Core's profile store so that
/// role, SSO and credential_process profiles mean exactly what they mean to the SDK.
/// </summary>
/// <remarks>
/// AWSSDK.Core reads AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE once per process (static
/// <c>SharedCredentialsFile.DefaultConfigFilePath</c>), so changing them after the first AWS call in
/// a session has no effect until a new session; the files' contents are re-read on every call.
/// </remarks>
public static class AwsProfiles
{
    internal const string DefaultProfileName = "default";

    internal static string CredentialsFilePath =>
        string.IsNullOrEmpty(Amazon.AWSConfigs.AWSProfilesLocation) ? SharedCredentialsFile.DefaultFilePath : Amazon.AWSConfigs.AWSProfilesLocation;

    internal static string ConfigFilePath => SharedCredentialsFile.DefaultConfigFilePath;

    /// <summary>The profile in effect: the explicit name, else AWS_PROFILE, else <c>default</c>.</summary>
    internal static string SelectedName(string? explicitName)
    {
        if (!string.IsNullOrWhiteSpace(explicitName))
        {
            return explicitName.Trim();
        }
        string? fromEnvironment = Environment.GetEnvironmentVariable("AWS_PROFILE");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultProfileName : fromEnvironment.Trim();
    }

    internal static bool TryGet(string name, [NotNullWhen(true)] out CredentialProfile? profile)
    {
        try
        {
            return new CredentialProfileStoreChain().TryGetProfile(name, out profile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            throw Unreadable(e);
        }
    }

    /// <summary>
    /// Profiles in ~/.aws/credentials and ~/.aws/config (or AWS_SHARED_CREDENTIALS_FILE /
    /// AWS_CONFIG_FILE) that can produce credentials, sorted, without duplicates;
    /// <c>AwsConfigUnreadable</c> when a file cannot be read.
    /// </summary>
    public static IReadOnlyList<string> Names()
    {
        try
        {
            return new CredentialProfileStoreChain().ListProfiles()
                .Select(p => p.Name)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            throw Unreadable(e);
        }
    }

    /// <summary>A stamp that changes whenever either file is written, created or deleted.</summary>
    internal static string FilesStamp() =>
        $"{CredentialsFilePath}|{Stamp(CredentialsFilePath)}|{ConfigFilePath}|{Stamp(ConfigFilePath)}";

    internal static MightyOpsException NotFound(string name, string source) =>
        new(
            "AwsProfileNotFound",
            MightyErrorKind.NotFound,
            $"AWS profile '{name}' (from {source}) was not found in {CredentialsFilePath} or {ConfigFilePath}. Known profiles: {Known()}. Create it with 'aws configure --profile {name}' or pick another with -ProfileName.",
            name);

    private static string Known()
    {
        try
        {
            IReadOnlyList<string> names = Names();
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }
        catch (MightyOpsException)
        {
            return "unreadable";
        }
    }

    private static MightyOpsException Unreadable(Exception e) =>
        new("AwsConfigUnreadable", MightyErrorKind.InvalidOperation,
            $"Could not read the AWS config files {CredentialsFilePath} / {ConfigFilePath}: {e.Message} Fix or move the file and try again.",
            ConfigFilePath, e);

    private static string Stamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? $"{info.LastWriteTimeUtc.Ticks}:{info.Length}" : "-";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "?";
        }
    }
}
