using System.Net;
using System.Reflection;

namespace MightyOps.Core.Aws;

/// <summary>
/// The one HTTP stack every hand-written AWS client in the process shares: pooled connections
/// (a new HttpClient per call would exhaust sockets under a 30-service deploy), a connect timeout
/// so an unreachable endpoint fails in seconds, and our User-Agent.
/// </summary>
internal static class AwsHttp
{
    /// <summary>How long a TCP (and TLS) connect may take before the attempt counts as failed.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary><c>MightyOps/0.1.0</c>: AWS support and CloudTrail can tell our calls apart.</summary>
    public static readonly string UserAgent = "MightyOps/" + Version();

    private static readonly Lazy<HttpClient> SharedClient = new(Create);

    public static HttpClient Shared => SharedClient.Value;

    private static HttpClient Create()
    {
        var handler = new SocketsHttpHandler
        {
            // Connections are reused, but DNS changes (endpoint failover) are still picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ConnectTimeout = ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            MaxConnectionsPerServer = 32,
        };
        // Each attempt has its own timeout (AwsJsonClient), so the client-wide one is off: its
        // TaskCanceledException could not be told apart from the caller's cancellation.
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static string Version()
    {
        Assembly assembly = typeof(AwsHttp).Assembly;
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            int plus = informational.IndexOf('+');
            return plus > 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
