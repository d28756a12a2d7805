namespace MightyOps.Core.Config;

/// <summary>Which config file a command uses, and why (for -Verbose).</summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="Origin">How it was chosen: <c>-ConfigPath</c>, <c>$env:MIGHTYOPS_CONFIG</c>, or <c>found above &lt;folder&gt;</c>.</param>
public sealed record ConfigLocation(string Path, string Origin);

/// <summary>
/// Finds and reads mighty.psd1: <c>-ConfigPath</c>, else <c>$env:MIGHTYOPS_CONFIG</c>, else the
/// first <c>mighty.psd1</c> in the current folder or one of its parents. A file named by the first
/// two must exist; finding none upward is fine, since every key is optional.
/// </summary>
public static class ConfigLocator
{
    /// <summary>The file name looked for from the current folder upward.</summary>
    public const string FileName = "mighty.psd1";

    /// <summary>The environment variable that names a config file.</summary>
    public const string EnvironmentVariable = "MIGHTYOPS_CONFIG";

    /// <summary>
    /// The file to use, or null when none is named and none is found. Relative paths are taken
    /// from <paramref name="currentDirectory"/> (the caller's current location, which in
    /// PowerShell is not the process's working directory).
    /// </summary>
    public static ConfigLocation? Locate(string? configPath, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(currentDirectory);
        if (!string.IsNullOrWhiteSpace(configPath))
        {
            return Named(configPath, "-ConfigPath", currentDirectory);
        }
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Named(fromEnvironment, $"$env:{EnvironmentVariable}", currentDirectory);
        }
        for (DirectoryInfo? folder = new(currentDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, FileName);
            if (File.Exists(candidate))
            {
                return new ConfigLocation(candidate, $"found from {currentDirectory} upward");
            }
        }
        return null;
    }

    /// <summary>
    /// Locates and reads the config; <see cref="MightyConfig.Empty"/> when there is none. Logs
    /// (Verbose) which file was used and why, or that none was found.
    /// </summary>
    public static async Task<MightyConfig> LoadAsync(string? configPath, string currentDirectory, IOperationLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ConfigLocation? location = Locate(configPath, currentDirectory);
        if (location is null)
        {
            log.Verbose($"No {FileName} in {currentDirectory} or above, and neither -ConfigPath nor $env:{EnvironmentVariable} is set: using parameters and defaults only.");
            return MightyConfig.Empty;
        }
        MightyConfig config = await MightyConfigReader.ReadFileAsync(location.Path, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Config {location.Path} ({location.Origin}).");
        return config;
    }

    private static ConfigLocation Named(string path, string origin, string currentDirectory)
    {
        string full = Path.GetFullPath(ExpandHome(path.Trim()), currentDirectory);
        if (Directory.Exists(full))
        {
            // A folder names the mighty.psd1 inside it, as 'git -C' names a repository.
            full = Path.Combine(full, FileName);
        }
        return File.Exists(full) ? new ConfigLocation(full, origin) : throw ConfigErrors.NotFound(full, origin);
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 1 ? path[2..] : string.Empty)
            : path;
}
