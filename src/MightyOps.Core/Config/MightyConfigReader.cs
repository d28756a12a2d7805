using System.Globalization;
using System.Text.RegularExpressions;
using MightyOps.Core.Aws.S3;

namespace MightyOps.Core.Config;

/// <summary>
/// Turns the text of a mighty.psd1 into a <see cref="MightyConfig"/>, checking every key: unknown
/// keys (with a "did you mean" for near misses), wrong types and impossible values. All problems
/// are reported together in one <c>ConfigInvalid</c> error, each with its line:column and key
/// path (<c>Services.WEB.Containers.nginx.Cpu</c>), so one edit round fixes the file.
/// </summary>
public sealed partial class MightyConfigReader
{
    private static readonly string[] TopKeys = ["Cluster", "Region", "ProfileName", "EndpointUrl", "Secrets", "Ssh", "Redis", "Namespace", "CapacityCheck", "Defaults", "Services", "BeforeDeploy"];
    private static readonly string[] BeforeDeployKeys = ["Service", "Container", "Command", "Timeout"];
    private static readonly string[] SecretsKeys = ["Source", "Mode"];
    private static readonly string[] SshKeys = ["User", "KeyFilePath", "Port", "Bastion", "Address", "HostKeyPolicy"];
    private static readonly string[] ServiceKeys = ["Queue", "MinCount", "MaxCount", "JobsPerTask", "CooldownMinutes", "Environment", "Containers"];
    private static readonly string[] DefaultsKeys = ["Cpu", "Memory", "MemoryReservation", "Environment", "LogConfiguration", "StopTimeout"];
    private static readonly string[] ContainerKeys = [.. DefaultsKeys, "Repository", "PortMappings", "Command", "EntryPoint", "Essential"];
    private static readonly string[] LogKeys = ["LogDriver", "Options"];

    // The log drivers ECS accepts in a container definition.
    private static readonly string[] LogDrivers = ["awslogs", "fluentd", "gelf", "json-file", "journald", "logentries", "syslog", "splunk", "awsfirelens"];

    // A file with thousands of mistakes is reported by its first ones, not in a message of megabytes.
    private const int MaxListedProblems = 30;

    private readonly string _path;
    private readonly List<(TextPosition At, string Message)> _problems = [];

    private MightyConfigReader(string path) => _path = path;

    /// <summary>Reads and checks the file at <paramref name="path"/> (a full path).</summary>
    public static async Task<MightyConfig> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MightyOpsException(ConfigErrorIds.ConfigInvalid, $"The config file '{path}' cannot be read: {e.Message}", path, e);
        }
        return Read(text, path);
    }

    /// <summary>Checks <paramref name="text"/>, the content of the file at <paramref name="path"/> (used in messages and to resolve relative paths).</summary>
    public static MightyConfig Read(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        DataFileHashtable root = DataFileParser.Parse(text, path);
        var reader = new MightyConfigReader(path);
        MightyConfig config = reader.Config(root);
        if (reader._problems.Count == 1)
        {
            (TextPosition at, string message) = reader._problems[0];
            throw ConfigErrors.Invalid(path, $"{path}:{at}: {message}");
        }
        if (reader._problems.Count > 1)
        {
            List<string> lines = reader._problems.OrderBy(p => p.At.Line).ThenBy(p => p.At.Column).Take(MaxListedProblems).Select(p => $"  {p.At}: {p.Message}").ToList();
            if (reader._problems.Count > MaxListedProblems)
            {
                lines.Add($"  ... and {reader._problems.Count - MaxListedProblems} more; fix these first.");
            }
            throw ConfigErrors.Invalid(path, $"The config file {path} has {reader._problems.Count} problems:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, lines)}");
        }
        return config;
    }

    private MightyConfig Config(DataFileHashtable root)
    {
        CheckKeys(root, null, TopKeys);
        var config = new MightyConfig
        {
            Path = _path,
            Cluster = Matching(root, null, "Cluster", root.Find("Cluster")?.Value is DataFileString { Value: var c } && c.StartsWith("arn:", StringComparison.Ordinal) ? ArnPattern() : EcsNamePattern(), "an ECS cluster name (letters, digits, hyphens, underscores) or cluster ARN"),
            Region = Matching(root, null, "Region", RegionPattern(), "an AWS region name such as 'us-east-1'")?.ToLowerInvariant(),
            ProfileName = NonEmptyString(root, null, "ProfileName"),
            EndpointUrl = Url(root, null, "EndpointUrl", ["http", "https"], "an http:// or https:// URL")?.ToString(),
            Secrets = Secrets(root),
            Ssh = Ssh(root),
            Redis = Url(root, null, "Redis", ["redis", "rediss"], "a Redis URL such as 'redis://sidekiq.internal:6379/0'"),
            Namespace = NonEmptyString(root, null, "Namespace"),
            CapacityCheck = Choice<CapacityCheck>(root, null, "CapacityCheck"),
            Defaults = Table(root, null, "Defaults") is { } defaults ? Container(defaults, "Defaults", DefaultsKeys) : new ContainerSettings(),
            BeforeDeploy = BeforeDeploy(root),
        };
        return config with { Services = Services(root, config.Defaults) };
    }

    private SecretsSettings? Secrets(DataFileHashtable root)
    {
        if (Table(root, null, "Secrets") is not { } table)
        {
            return null;
        }
        CheckKeys(table, "Secrets", SecretsKeys);
        SecretsMode mode = Choice<SecretsMode>(table, "Secrets", "Mode") ?? SecretsMode.EnvironmentFile;
        if (table.Find("Source") is not { } sourceEntry)
        {
            Problem(table.Position, "Secrets.Source: missing; the Secrets section needs the S3 JSON object, Source = 's3://bucket/key.json'.");
            return null;
        }
        if (Text(sourceEntry, "Secrets") is not { } text)
        {
            return null;
        }
        if (!S3Location.TryParse(text, out S3Location? source))
        {
            Problem(sourceEntry.Value.Position, $"Secrets.Source: expected an S3 object URI such as 's3://my-secrets/production.json', found {Quote(text)}.");
            return null;
        }
        return new SecretsSettings(source, mode);
    }

    private BeforeDeploySettings? BeforeDeploy(DataFileHashtable root)
    {
        if (Table(root, null, "BeforeDeploy") is not { } table)
        {
            return null;
        }
        const string path = "BeforeDeploy";
        CheckKeys(table, path, BeforeDeployKeys);
        string? service = Matching(table, path, "Service", EcsNamePattern(), "an ECS service name (letters, digits, hyphens, underscores)");
        string? container = Matching(table, path, "Container", EcsNamePattern(), "an ECS container name (letters, digits, hyphens, underscores)");
        int? timeout = Integer(table, path, "Timeout", 1, 24 * 60 * 60, "seconds from 1 to 86400 (a day)");
        Tasks.TaskCommand? command = TaskCommandOf(table, path);
        if (table.Find("Service") is null)
        {
            Problem(table.Position, "BeforeDeploy.Service: missing; name the service whose new revision runs the command, e.g. Service = 'WEB'.");
        }
        if (table.Find("Command") is null)
        {
            Problem(table.Position, "BeforeDeploy.Command: missing; give the command, e.g. Command = 'bin/rails db:migrate'.");
        }
        return service is null || command is null
            ? null
            : new BeforeDeploySettings(service, container, command, timeout is int seconds ? TimeSpan.FromSeconds(seconds) : BeforeDeploySettings.DefaultTimeout);
    }

    // A string is a command line for sh -c; a list of strings is a program and its arguments.
    private Tasks.TaskCommand? TaskCommandOf(DataFileHashtable table, string path)
    {
        if (table.Find("Command") is not { } entry)
        {
            return null;
        }
        try
        {
            switch (entry.Value)
            {
                case DataFileString text:
                    return Tasks.TaskCommand.Shell(text.Value);
                case DataFileArray list when list.Items.All(i => i is DataFileString):
                    return Tasks.TaskCommand.Exec(list.Items.Cast<DataFileString>().Select(w => w.Value).ToList());
                default:
                    Problem(entry.Value.Position, $"{path}.Command: expected a command line ('bin/rails db:migrate') or a list of words ('bin/rails', 'db:migrate'), found {Show(entry.Value)}.");
                    return null;
            }
        }
        catch (MightyOpsException e)
        {
            Problem(entry.Value.Position, $"{path}.Command: {e.Message}");
            return null;
        }
    }

    private SshSettings Ssh(DataFileHashtable root)
    {
        if (Table(root, null, "Ssh") is not { } table)
        {
            return new SshSettings();
        }
        CheckKeys(table, "Ssh", SshKeys);
        return new SshSettings
        {
            User = NonEmptyString(table, "Ssh", "User"),
            KeyFilePath = NonEmptyString(table, "Ssh", "KeyFilePath") is { } key ? ExpandPath(key) : null,
            Port = Integer(table, "Ssh", "Port", 1, 65535, "a TCP port (1-65535)"),
            Bastion = Bastion(table),
            Address = Choice<SshAddressKind>(table, "Ssh", "Address"),
            HostKeyPolicy = Choice<HostKeyPolicy>(table, "Ssh", "HostKeyPolicy"),
        };
    }

    private SshEndpoint? Bastion(DataFileHashtable ssh)
    {
        if (ssh.Find("Bastion") is not { } entry || Text(entry, "Ssh") is not { } text)
        {
            return null;
        }
        Match match = BastionPattern().Match(text);
        int port = 0;
        if (!match.Success || (match.Groups["port"].Success && (!int.TryParse(match.Groups["port"].Value, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)))
        {
            Problem(entry.Value.Position, $"Ssh.Bastion: expected user@host or user@host:port (port 1-65535), found {Quote(text)}.");
            return null;
        }
        return new SshEndpoint(
            match.Groups["user"].Success ? match.Groups["user"].Value : null,
            match.Groups["host"].Value,
            match.Groups["port"].Success ? port : null);
    }

    private Dictionary<string, ServiceSettings> Services(DataFileHashtable root, ContainerSettings defaults)
    {
        var services = new Dictionary<string, ServiceSettings>(StringComparer.Ordinal);
        if (Table(root, null, "Services") is not { } table)
        {
            return services;
        }
        foreach (DataFileEntry entry in table.Entries)
        {
            string path = $"Services.{ConfigErrors.Shorten(entry.Key)}";
            if (!EcsNamePattern().IsMatch(entry.Key))
            {
                Problem(entry.KeyPosition, $"{path}: {Quote(entry.Key)} is not an ECS service name (1-255 letters, digits, hyphens and underscores).");
                continue;
            }
            if (Expect<DataFileHashtable>(entry, "Services", "a hashtable of the service's settings, @{ ... }") is { } service)
            {
                services[entry.Key] = Service(service, path, defaults);
            }
        }
        return services;
    }

    private ServiceSettings Service(DataFileHashtable table, string path, ContainerSettings defaults)
    {
        CheckKeys(table, path, ServiceKeys);
        var service = new ServiceSettings
        {
            Queue = NonEmptyString(table, path, "Queue"),
            MinCount = Integer(table, path, "MinCount", 0, int.MaxValue, "a task count of 0 or more") ?? ServiceSettings.DefaultMinCount,
            MaxCount = Integer(table, path, "MaxCount", 0, int.MaxValue, "a task count of 0 or more") ?? ServiceSettings.DefaultMaxCount,
            JobsPerTask = Integer(table, path, "JobsPerTask", 1, int.MaxValue, "a number of jobs of 1 or more") ?? ServiceSettings.DefaultJobsPerTask,
            CooldownMinutes = Integer(table, path, "CooldownMinutes", 0, 24 * 60, "minutes from 0 to 1440") ?? ServiceSettings.DefaultCooldownMinutes,
            Environment = Environment(table, path),
        };
        if (service.MinCount > service.MaxCount && table.Find("MinCount") is { } min)
        {
            Problem(min.Value.Position, $"{path}.MinCount: {service.MinCount} is more than MaxCount ({service.MaxCount}); MinCount must not exceed MaxCount.");
        }
        var containers = new Dictionary<string, ContainerSettings>(StringComparer.Ordinal);
        var positions = new Dictionary<string, TextPosition>(StringComparer.Ordinal);
        if (Table(table, path, "Containers") is { } containerTable)
        {
            foreach (DataFileEntry entry in containerTable.Entries)
            {
                string containerPath = $"{path}.Containers.{ConfigErrors.Shorten(entry.Key)}";
                if (!EcsNamePattern().IsMatch(entry.Key))
                {
                    Problem(entry.KeyPosition, $"{containerPath}: {Quote(entry.Key)} is not an ECS container name (1-255 letters, digits, hyphens and underscores).");
                    continue;
                }
                if (Expect<DataFileHashtable>(entry, $"{path}.Containers", "a hashtable of the container's settings, @{ ... }") is { } container)
                {
                    ContainerSettings settings = Container(container, containerPath, ContainerKeys);
                    containers[entry.Key] = settings;
                    positions[entry.Key] = entry.KeyPosition;
                    CheckMemory(defaults.Overlay(settings), container, containerPath);
                }
            }
        }
        return service with { Containers = containers, ContainerPositions = positions };
    }

    private ContainerSettings Container(DataFileHashtable table, string path, string[] keys)
    {
        CheckKeys(table, path, keys);
        var settings = new ContainerSettings
        {
            Repository = Matching(table, path, "Repository", RepositoryPattern(), "an ECR repository name such as 'app' or 'team/app' (lower case)"),
            Cpu = Integer(table, path, "Cpu", 0, 10 * 1024 * 16, "CPU units, 0 or more (1024 = one vCPU)"),
            Memory = Integer(table, path, "Memory", 6, int.MaxValue, "MiB, 6 or more (ECS's smallest container)"),
            MemoryReservation = Integer(table, path, "MemoryReservation", 6, int.MaxValue, "MiB, 6 or more (ECS's smallest container)"),
            PortMappings = Ports(table, path),
            Command = Words(table, path, "Command"),
            EntryPoint = Words(table, path, "EntryPoint"),
            Environment = Environment(table, path),
            LogConfiguration = Log(table, path),
            Essential = Boolean(table, path, "Essential"),
            StopTimeout = Integer(table, path, "StopTimeout", 0, 120, "seconds from 0 to 120 (ECS's limit)"),
        };
        if (path == "Defaults")
        {
            CheckMemory(settings, table, path);
        }
        return settings;
    }

    // ECS refuses a container whose hard limit is below its reservation; checked on what a deploy
    // would apply (Defaults under the container's own settings), so the error comes before AWS's.
    private void CheckMemory(ContainerSettings effective, DataFileHashtable table, string path)
    {
        if (effective is { Memory: int memory, MemoryReservation: int reservation } && memory < reservation)
        {
            TextPosition at = (table.Find("Memory") ?? table.Find("MemoryReservation"))?.Value.Position ?? table.Position;
            Problem(at, $"{path}: Memory ({memory} MiB) is less than MemoryReservation ({reservation} MiB, counting Defaults); the hard limit must be at least the reservation.");
        }
    }

    private IReadOnlyList<int>? Ports(DataFileHashtable table, string path)
    {
        if (table.Find("PortMappings") is not { } entry)
        {
            return null;
        }
        var ports = new List<int>();
        foreach (DataFileValue item in Items(entry.Value))
        {
            if (item is DataFileInteger { Value: >= 1 and <= 65535 } port)
            {
                ports.Add((int)port.Value);
            }
            else
            {
                Problem(item.Position, $"{path}.PortMappings: expected container ports (1-65535), one or a list such as 80, 443; found {Show(item)}.");
                return null;
            }
        }
        return ports;
    }

    private IReadOnlyList<string>? Words(DataFileHashtable table, string path, string key)
    {
        if (table.Find(key) is not { } entry)
        {
            return null;
        }
        var words = new List<string>();
        foreach (DataFileValue item in Items(entry.Value))
        {
            if (item is not DataFileString word)
            {
                Problem(item.Position, $"{path}.{key}: expected strings, one per word, such as 'bundle', 'exec', 'puma'; found {Show(item)}.");
                return null;
            }
            words.Add(word.Value);
        }
        return words;
    }

    private IReadOnlyDictionary<string, string> Environment(DataFileHashtable table, string path)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Table(table, path, "Environment") is not { } variables)
        {
            return environment;
        }
        foreach (DataFileEntry entry in variables.Entries)
        {
            string keyPath = $"{path}.Environment.{ConfigErrors.Shorten(entry.Key)}";
            if (!EnvironmentNames.IsValid(entry.Key))
            {
                Problem(entry.KeyPosition, $"{keyPath}: {Quote(entry.Key)} is not an environment variable name ({EnvironmentNames.Rule}).");
                continue;
            }
            switch (entry.Value)
            {
                case DataFileString s:
                    environment[entry.Key] = s.Value;
                    break;
                case DataFileInteger i:
                    // PORT = 3000 reads naturally; ECS environment values are strings.
                    environment[entry.Key] = i.Value.ToString(CultureInfo.InvariantCulture);
                    break;
                default:
                    Problem(entry.Value.Position, $"{keyPath}: expected a string (or a whole number), found {Show(entry.Value)}. Quote booleans: 'true'.");
                    break;
            }
        }
        return environment;
    }

    private LogSettings? Log(DataFileHashtable table, string path)
    {
        if (Table(table, path, "LogConfiguration") is not { } log)
        {
            return null;
        }
        string logPath = $"{path}.LogConfiguration";
        CheckKeys(log, logPath, LogKeys);
        string? driver = NonEmptyString(log, logPath, "LogDriver");
        if (driver is null)
        {
            if (log.Find("LogDriver") is null)
            {
                Problem(log.Position, $"{logPath}.LogDriver: missing; name the log driver, e.g. LogDriver = 'awslogs'.");
            }
            return null;
        }
        if (!LogDrivers.Contains(driver, StringComparer.Ordinal))
        {
            string? suggestion = ConfigErrors.Suggest(driver, LogDrivers);
            Problem(log.Find("LogDriver")!.Value.Position, $"{logPath}.LogDriver: {Quote(driver)} is not an ECS log driver.{DidYouMean(suggestion)} Expected one of {string.Join(", ", LogDrivers)}.");
            return null;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Table(log, logPath, "Options") is { } optionTable)
        {
            foreach (DataFileEntry entry in optionTable.Entries)
            {
                if (Text(entry, $"{logPath}.Options") is not { } value)
                {
                    continue;
                }
                foreach (Match placeholder in PlaceholderPattern().Matches(value))
                {
                    if (!LogSettings.Placeholders.Contains(placeholder.Value, StringComparer.Ordinal))
                    {
                        Problem(entry.Value.Position, $"{logPath}.Options.{ConfigErrors.Shorten(entry.Key)}: unknown placeholder {ConfigErrors.Shorten(placeholder.Value)}; the placeholders are {string.Join(" and ", LogSettings.Placeholders)}.");
                    }
                }
                options[entry.Key] = value;
            }
        }
        return new LogSettings(driver, options);
    }

    // ---- values ----

    private void CheckKeys(DataFileHashtable table, string? path, string[] known)
    {
        foreach (DataFileEntry entry in table.Entries)
        {
            if (!known.Contains(entry.Key, StringComparer.OrdinalIgnoreCase))
            {
                string? suggestion = ConfigErrors.Suggest(entry.Key, known);
                Problem(entry.KeyPosition, $"{Join(path, entry.Key)}: unknown key.{DidYouMean(suggestion)} The keys here are {string.Join(", ", known)}.");
            }
        }
    }

    private DataFileHashtable? Table(DataFileHashtable table, string? path, string key) =>
        table.Find(key) is { } entry ? Expect<DataFileHashtable>(entry, path, "a hashtable, @{ ... }") : null;

    private T? Expect<T>(DataFileEntry entry, string? parent, string expected)
        where T : DataFileValue
    {
        if (entry.Value is T value)
        {
            return value;
        }
        Problem(entry.Value.Position, $"{Join(parent, entry.Key)}: expected {expected}, found {Show(entry.Value)}.");
        return null;
    }

    private string? Text(DataFileEntry entry, string? parent) => Expect<DataFileString>(entry, parent, "a string")?.Value;

    private string? NonEmptyString(DataFileHashtable table, string? path, string key)
    {
        if (table.Find(key) is not { } entry || Text(entry, path) is not { } text)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            Problem(entry.Value.Position, $"{Join(path, key)}: is empty; remove the key or give it a value.");
            return null;
        }
        return text.Trim();
    }

    private string? Matching(DataFileHashtable table, string? path, string key, Regex pattern, string expected)
    {
        if (NonEmptyString(table, path, key) is not { } text)
        {
            return null;
        }
        if (!pattern.IsMatch(text))
        {
            Problem(table.Find(key)!.Value.Position, $"{Join(path, key)}: expected {expected}, found {Quote(text)}.");
            return null;
        }
        return text;
    }

    private Uri? Url(DataFileHashtable table, string? path, string key, string[] schemes, string expected)
    {
        if (NonEmptyString(table, path, key) is not { } text)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || !schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase) || string.IsNullOrEmpty(uri.Host))
        {
            Problem(table.Find(key)!.Value.Position, $"{Join(path, key)}: expected {expected}, found {Quote(text)}.");
            return null;
        }
        return uri;
    }

    private int? Integer(DataFileHashtable table, string? path, string key, long min, long max, string expected)
    {
        if (table.Find(key) is not { } entry)
        {
            return null;
        }
        if (entry.Value is DataFileInteger integer && integer.Value >= min && integer.Value <= max)
        {
            return (int)integer.Value;
        }
        Problem(entry.Value.Position, $"{Join(path, key)}: expected {expected}, found {Show(entry.Value)}.");
        return null;
    }

    private bool? Boolean(DataFileHashtable table, string? path, string key) =>
        table.Find(key) is { } entry ? Expect<DataFileBoolean>(entry, path, "$true or $false")?.Value : null;

    private T? Choice<T>(DataFileHashtable table, string? path, string key)
        where T : struct, Enum
    {
        if (table.Find(key) is not { } entry || Text(entry, path) is not { } text)
        {
            return null;
        }
        string[] names = Enum.GetNames<T>();
        if (names.FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name)
        {
            return Enum.Parse<T>(name);
        }
        Problem(entry.Value.Position, $"{Join(path, key)}: {Quote(text)} is not one of {string.Join(", ", names)}.{DidYouMean(ConfigErrors.Suggest(text, names))}");
        return null;
    }

    private static IEnumerable<DataFileValue> Items(DataFileValue value) => value is DataFileArray array ? array.Items : [value];

    // ~ is the home folder, as in ssh; a relative path is relative to the config file, not to
    // wherever the command happens to run.
    private string ExpandPath(string path)
    {
        string home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        if (path == "~")
        {
            return home;
        }
        if (path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            return System.IO.Path.Combine(home, path[2..]);
        }
        return System.IO.Path.GetFullPath(path, System.IO.Path.GetDirectoryName(_path) ?? System.Environment.CurrentDirectory);
    }

    private void Problem(TextPosition at, string message) => _problems.Add((at, message));

    private static string Join(string? path, string key) => path is null ? ConfigErrors.Shorten(key) : $"{path}.{ConfigErrors.Shorten(key)}";

    private static string Quote(string text) => $"'{ConfigErrors.Shorten(text)}'";

    private static string DidYouMean(string? suggestion) => suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?";

    private static string Show(DataFileValue value) => value switch
    {
        DataFileString s => $"the string {Quote(s.Value)}",
        DataFileInteger i => $"the integer {i.Value.ToString(CultureInfo.InvariantCulture)}",
        DataFileDecimal d => $"the number {d.Value.ToString(CultureInfo.InvariantCulture)}",
        DataFileBoolean b => b.Value ? "$true" : "$false",
        _ => value.Description,
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex EcsNamePattern();

    [GeneratedRegex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ArnPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.IgnoreCase)]
    private static partial Regex RegionPattern();

    // ECR: lower case, digits, and . _ - / separators, 2-256 characters.
    [GeneratedRegex("^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^(?:(?<user>[A-Za-z0-9._-]+)@)?(?<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]+))?$")]
    private static partial Regex BastionPattern();

    [GeneratedRegex(@"\{[A-Za-z_]+\}")]
    private static partial Regex PlaceholderPattern();
}
