using MightyOps.Sandbox;

namespace MightyOps.Commands.Sandbox;

/// <summary>
/// The sandboxes this process started, and the AWS environment variables as they were before the
/// first one took them over, so Stop-MightySandbox can put them back.
/// </summary>
internal static class SandboxSessions
{
    /// <summary>Variables a sandbox sets or clears so every AWS client in the process talks to it.</summary>
    private static readonly string[] Variables =
    [
        "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_EC2",
        "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ];

    private static readonly object Sync = new();
    private static readonly List<(MightySandbox Info, SandboxHost Host)> Running = [];
    private static Dictionary<string, string?>? _savedEnvironment;
    private static MightySandbox? _environmentOwner;

    public static void Add(MightySandbox info, SandboxHost host)
    {
        lock (Sync)
        {
            Running.Add((info, host));
        }
    }

    public static IReadOnlyList<MightySandbox> All()
    {
        lock (Sync)
        {
            return Running.Select(r => r.Info).ToList();
        }
    }

    /// <summary>Points the process environment at <paramref name="info"/>, remembering what was there first.</summary>
    public static void UseEnvironment(MightySandbox info)
    {
        lock (Sync)
        {
            _savedEnvironment ??= Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
            foreach (string variable in Variables)
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", info.Endpoint);
            Environment.SetEnvironmentVariable("AWS_REGION", info.Region);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", info.Region);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", info.AccessKeyId);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", info.SecretAccessKey);
            _environmentOwner = info;
        }
    }

    /// <summary>True when the process environment points at <paramref name="info"/> (Start-MightySandbox without -NoEnvironment).</summary>
    public static bool OwnsEnvironment(MightySandbox info)
    {
        lock (Sync)
        {
            return _environmentOwner is not null && _environmentOwner.Endpoint == info.Endpoint;
        }
    }

    /// <summary>Stops one sandbox; restores the environment when it was the one the environment pointed at.</summary>
    public static async Task StopAsync(MightySandbox info)
    {
        SandboxHost? host;
        lock (Sync)
        {
            int index = Running.FindIndex(r => ReferenceEquals(r.Info, info) || r.Info.Endpoint == info.Endpoint);
            host = index >= 0 ? Running[index].Host : null;
            if (index >= 0)
            {
                Running.RemoveAt(index);
            }
            if (OwnsEnvironment(info))
            {
                RestoreEnvironment();
            }
        }
        if (host is not null)
        {
            await host.StopAsync().ConfigureAwait(false);
        }
    }

    private static void RestoreEnvironment()
    {
        if (_savedEnvironment is not null)
        {
            foreach ((string variable, string? value) in _savedEnvironment)
            {
                Environment.SetEnvironmentVariable(variable, value);
            }
        }
        _savedEnvironment = null;
        _environmentOwner = null;
    }
}
