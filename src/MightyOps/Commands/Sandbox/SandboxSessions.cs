using MightyOps.Sandbox;

namespace MightyOps.Commands.Sandbox;

/// <summary>
/// The sandboxes this process started, and a stack of the AWS environment variables each one
/// replaced when it took the environment over, so that stopping a sandbox puts back exactly what
/// was there before it, in whatever order sandboxes are stopped.
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

    /// <summary>A sandbox that took the environment over, and the values it replaced.</summary>
    private sealed record EnvironmentLayer(MightySandbox Owner, IReadOnlyDictionary<string, string?> Before);

    private static readonly object Sync = new();
    private static readonly List<(MightySandbox Info, SandboxHost Host)> Running = [];

    /// <summary>Oldest first; the last layer's sandbox is the one the environment points at now.</summary>
    private static readonly List<EnvironmentLayer> EnvironmentStack = [];

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

    /// <summary>Points the process environment at <paramref name="info"/>, remembering what was there.</summary>
    public static void UseEnvironment(MightySandbox info)
    {
        lock (Sync)
        {
            EnvironmentStack.Add(new EnvironmentLayer(info, Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable)));
            foreach (string variable in Variables)
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", info.Endpoint);
            Environment.SetEnvironmentVariable("AWS_REGION", info.Region);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", info.Region);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", info.AccessKeyId);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", info.SecretAccessKey);
        }
    }

    /// <summary>True when <paramref name="info"/> took the environment over (Start-MightySandbox without -NoEnvironment) and still holds its layer.</summary>
    public static bool OwnsEnvironment(MightySandbox info)
    {
        lock (Sync)
        {
            return EnvironmentStack.Exists(layer => Same(layer.Owner, info));
        }
    }

    /// <summary>Stops one sandbox and gives back the environment it took over.</summary>
    public static async Task StopAsync(MightySandbox info)
    {
        SandboxHost? host = Forget(info);
        if (host is not null)
        {
            await host.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops every sandbox this process started, newest first, and restores the environment as it
    /// was before the first of them. For the module's removal, where nothing can be awaited.
    /// </summary>
    public static void StopAll()
    {
        foreach (MightySandbox info in All().Reverse())
        {
            SandboxHost? host = Forget(info);
            host?.StopAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>Removes the sandbox from the running list and from the environment stack; returns its host.</summary>
    private static SandboxHost? Forget(MightySandbox info)
    {
        lock (Sync)
        {
            int index = Running.FindIndex(r => Same(r.Info, info));
            SandboxHost? host = index >= 0 ? Running[index].Host : null;
            if (index >= 0)
            {
                Running.RemoveAt(index);
            }
            ReleaseEnvironment(info);
            return host;
        }
    }

    /// <summary>
    /// The stack rule: the newest layer puts its saved values back; an older layer (its sandbox is
    /// stopped while a newer one holds the environment) hands its saved values to the layer above,
    /// so that stopping the newer one later restores what was there before both.
    /// </summary>
    private static void ReleaseEnvironment(MightySandbox info)
    {
        int index = EnvironmentStack.FindIndex(layer => Same(layer.Owner, info));
        if (index < 0)
        {
            return;
        }
        EnvironmentLayer layer = EnvironmentStack[index];
        EnvironmentStack.RemoveAt(index);
        if (index < EnvironmentStack.Count)
        {
            EnvironmentStack[index] = EnvironmentStack[index] with { Before = layer.Before };
            return;
        }
        foreach ((string variable, string? value) in layer.Before)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }

    private static bool Same(MightySandbox a, MightySandbox b) => ReferenceEquals(a, b) || a.Endpoint == b.Endpoint;
}
