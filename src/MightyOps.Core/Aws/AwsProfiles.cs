using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
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
public static partial class AwsProfiles
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

    internal static bool TryGet(string name, [NotNullWhen(true)] out CredentialProfile? profile) =>
        TryGet(name, new CredentialProfileStoreChain(), out profile);

    /// <summary>Looks a profile up in <paramref name="store"/>; <c>AwsConfigUnreadable</c> (without the files' content) when a file cannot be read.</summary>
    internal static bool TryGet(string name, CredentialProfileStoreChain store, [NotNullWhen(true)] out CredentialProfile? profile)
    {
        try
        {
            return store.TryGetProfile(name, out profile);
        }
        catch (Exception e) when (IsReadFailure(e))
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
        catch (Exception e) when (IsReadFailure(e))
        {
            throw Unreadable(e);
        }
    }

    /// <summary>A stamp that changes whenever either file is written, created or deleted.</summary>
    internal static string FilesStamp() =>
        $"{CredentialsFilePath}|{Stamp(CredentialsFilePath)}|{ConfigFilePath}|{Stamp(ConfigFilePath)}";

    /// <summary>As <see cref="FilesStamp()"/>, plus a credentials file of the caller's (-ProfileLocation).</summary>
    internal static string FilesStamp(string? profileLocation) =>
        profileLocation is null ? FilesStamp() : $"{FilesStamp()}|{profileLocation}|{Stamp(profileLocation)}";

    internal static MightyOpsException NotFound(string name, string source) =>
        new(
            AwsErrorIds.AwsProfileNotFound,
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

    /// <summary>
    /// Any failure of AWSSDK.Core to read or parse the files. Which exception types its parser throws
    /// is not part of its contract, so everything but cancellation and our own errors counts.
    /// </summary>
    internal static bool IsReadFailure(Exception e) => e is not (OperationCanceledException or MightyOpsException);

    /// <summary>
    /// <c>AwsConfigUnreadable</c> for a file AWSSDK.Core could not read or parse, naming the file, the
    /// line and the profile it is in, and never the line itself.
    /// </summary>
    /// <remarks>
    /// AWSSDK.Core's parse error quotes the offending line ("Line 3:&lt;...&gt; in file ..."), and a
    /// malformed line in the credentials file is typically <c>aws_secret_access_key SECRET</c> with
    /// the '=' missing. So neither that message nor that exception goes into the error, its
    /// <c>InnerException</c>, or a log line: the file and line number are recovered from the
    /// message by matching the two file paths and the leading digits only, and the profile by
    /// reading the file's section headers here. File-system failures (no permission, a directory
    /// in the way) carry no content and stay chained.
    /// </remarks>
    internal static MightyOpsException Unreadable(Exception e)
    {
        if (e is IOException or UnauthorizedAccessException)
        {
            return new MightyOpsException(AwsErrorIds.AwsConfigUnreadable,
                $"Could not read the AWS config files {CredentialsFilePath} / {ConfigFilePath}: {e.Message} Fix the file's permissions or move it, and try again.",
                ConfigFilePath, e);
        }
        MalformedLine? line = Locate(e.Message) ?? FirstMalformedLine();
        if (line is null)
        {
            return new MightyOpsException(AwsErrorIds.AwsConfigUnreadable,
                $"AWSSDK could not parse the AWS config files {CredentialsFilePath} / {ConfigFilePath} ({e.GetType().Name}; its message is not shown because it may quote a secret). Check both files with 'aws configure list' and try again.",
                ConfigFilePath, new InvalidDataException($"{e.GetType().FullName} while reading {CredentialsFilePath} / {ConfigFilePath}."));
        }
        string where = line.Section is null ? "before the first [section]" : $"in {line.Section}";
        string message = $"The AWS {line.Kind} file {line.Path} cannot be parsed: line {line.Number} ({where}) is not a [section], a 'name = value' setting or a comment. Fix that line (it is not shown here because it may hold a secret key) and try again.";
        return new MightyOpsException(AwsErrorIds.AwsConfigUnreadable, message, line.Path,
            new InvalidDataException($"Line {line.Number} of {line.Path} is not a section, property or comment."));
    }

    /// <summary>A line the files' format does not allow: its place, never its text.</summary>
    private sealed record MalformedLine(string Kind, string Path, int Number, string? Section);

    /// <summary>The file and line named in an AWSSDK parse error, read without copying any of the quoted line.</summary>
    private static MalformedLine? Locate(string sdkMessage)
    {
        Match number = LeadingLineNumber().Match(sdkMessage);
        if (!number.Success || !int.TryParse(number.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int lineNumber))
        {
            return null;
        }
        // The path follows the quoted line, so match the two known paths at the end rather than parse the middle.
        foreach ((string kind, string path) in Files())
        {
            if (sdkMessage.Contains($" in file {path} ", StringComparison.Ordinal))
            {
                return new MalformedLine(kind, path, lineNumber, SectionAt(path, lineNumber));
            }
        }
        return null;
    }

    /// <summary>The first line of either file that is neither blank, a comment, a [section] nor has an '='.</summary>
    private static MalformedLine? FirstMalformedLine()
    {
        foreach ((string kind, string path) in Files())
        {
            string? section = null;
            int number = 0;
            foreach (string raw in ReadLines(path))
            {
                number++;
                string text = raw.Trim();
                if (SectionName(text) is { } name)
                {
                    section = name;
                }
                else if (text.Length > 0 && text[0] is not ('#' or ';') && !text.Contains('=', StringComparison.Ordinal))
                {
                    return new MalformedLine(kind, path, number, section);
                }
            }
        }
        return null;
    }

    /// <summary>The section (profile, sso-session, ...) that line <paramref name="lineNumber"/> of <paramref name="path"/> belongs to.</summary>
    private static string? SectionAt(string path, int lineNumber)
    {
        string? section = null;
        foreach (string raw in ReadLines(path).Take(lineNumber - 1))
        {
            section = SectionName(raw.Trim()) ?? section;
        }
        return section;
    }

    /// <summary>"profile 'x'" for [x] / [profile x] / [default]; "sso-session 'y'" and the like for other section kinds.</summary>
    private static string? SectionName(string line)
    {
        if (line.Length < 2 || line[0] != '[' || line[^1] != ']')
        {
            return null;
        }
        string[] words = line[1..^1].Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length switch
        {
            0 => "an empty section",
            1 => $"profile '{words[0]}'",
            _ => $"{words[0]} '{words[1]}'",
        };
    }

    private static IEnumerable<(string Kind, string Path)> Files() => [("credentials", CredentialsFilePath), ("config", ConfigFilePath)];

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [GeneratedRegex(@"^Line (\d+)\b", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingLineNumber();

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
