using System.Globalization;
using System.Net;

namespace MightyOps.Core.Queues;

/// <summary>
/// Where Sidekiq's Redis is: a <c>redis://</c> or <c>rediss://</c> (TLS) URL with an optional user
/// and password, port (6379) and database index (0), the form Sidekiq's own <c>REDIS_URL</c> takes.
/// <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class RedisLocation
{
    /// <summary>The environment variable read when neither a parameter nor the config names a Redis.</summary>
    public const string EnvironmentVariable = "REDIS_URL";

    private const int DefaultPort = 6379;

    private RedisLocation(string host, int port, bool tls, string? user, string? password, int database)
    {
        Host = host;
        Port = port;
        UseTls = tls;
        User = user;
        Password = password;
        Database = database;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>True for <c>rediss://</c>.</summary>
    public bool UseTls { get; }

    /// <summary>The ACL user (Redis 6+), or null for the default user.</summary>
    public string? User { get; }

    /// <summary>The password; never part of <see cref="ToString"/> or any message.</summary>
    internal string? Password { get; }

    public int Database { get; }

    /// <summary>
    /// The URL from, in order: <paramref name="parameter"/>, the config's <c>Redis</c>, the
    /// environment's <c>REDIS_URL</c>. None of them is <c>RedisNotConfigured</c>.
    /// </summary>
    public static RedisLocation Resolve(string? parameter, string? config, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? url = FirstNonEmpty(parameter, config, environment(EnvironmentVariable));
        if (url is null)
        {
            throw new MightyOpsException(
                QueuesErrorIds.RedisNotConfigured,
                $"No Redis to read Sidekiq's queues from: pass -Redis redis://host:6379/0, set Redis in mighty.psd1, or set ${EnvironmentVariable}.");
        }
        return Parse(url);
    }

    /// <summary>Parses <c>redis[s]://[user[:password]@]host[:port][/database]</c>; anything else is <c>RedisUrlInvalid</c>.</summary>
    public static RedisLocation Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(url, "it is not a redis:// or rediss:// URL with a host");
        }
        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            // redis://:password@host (no user) is how most providers write it; redis://user:password@host is an ACL user.
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            string rawUser = colon < 0 ? uri.UserInfo : uri.UserInfo[..colon];
            user = rawUser.Length == 0 ? null : Uri.UnescapeDataString(rawUser);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (colon < 0)
            {
                // redis://secret@host: a lone user-info part is the password (redis-rb and Sidekiq read it so).
                password = user;
                user = null;
            }
        }
        int database = 0;
        string path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15_999))
        {
            throw Invalid(url, $"the path '/{path}' is not a database index");
        }
        int port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        return new RedisLocation(uri.IdnHost.Trim('[', ']'), port, uri.Scheme == "rediss", user, password, database);
    }

    /// <summary>The URL with the password replaced by <c>***</c>.</summary>
    public override string ToString()
    {
        string credentials = (User, Password) switch
        {
            (null, null) => string.Empty,
            (null, _) => ":***@",
            (_, null) => $"{Uri.EscapeDataString(User)}@",
            _ => $"{Uri.EscapeDataString(User)}:***@",
        };
        string host = IPAddress.TryParse(Host, out IPAddress? ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host;
        return $"{(UseTls ? "rediss" : "redis")}://{credentials}{host}:{Port}/{Database}";
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static MightyOpsException Invalid(string url, string why) =>
        new(QueuesErrorIds.RedisUrlInvalid,
            $"'{Redact(url)}' is not a Redis URL: {why}. Write it as redis://[user:password@]host[:port][/database] (rediss:// for TLS).",
            Redact(url));

    // A URL that failed to parse may still carry a password: mask whatever sits between '//' and '@'.
    private static string Redact(string url)
    {
        int start = url.IndexOf("//", StringComparison.Ordinal);
        int at = url.LastIndexOf('@');
        if (start < 0 || at < start)
        {
            return url;
        }
        string userInfo = url[(start + 2)..at];
        int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        string shown = colon < 0 ? "***" : userInfo[..colon] + ":***";
        return url[..(start + 2)] + shown + url[at..];
    }
}
