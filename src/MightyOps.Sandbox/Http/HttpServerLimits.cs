namespace MightyOps.Sandbox.Http;

/// <summary>How many connections an <see cref="HttpServer"/> keeps open and how long it waits for them.</summary>
internal sealed record HttpServerLimits
{
    /// <summary>Descriptors kept free for everything else the process opens (runtime, listener, pwsh when hosted in it).</summary>
    private const long ReservedDescriptors = 128;

    /// <summary>At most this many connections are open at once.</summary>
    public required int MaxConnections { get; init; }

    /// <summary>
    /// A request's first line, headers and a body of up to <see cref="RequestBody.SpoolThresholdBytes"/>
    /// must arrive within this time of its first byte, however slowly they trickle.
    /// </summary>
    public TimeSpan HeaderDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A keep-alive connection with no request for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// A connection cap that leaves room under the descriptor limit: each connection may hold a
    /// socket and a spooled body file, so half of what remains after a reserve (1024 → 448), at
    /// least 16 and at most 4096.
    /// </summary>
    public static HttpServerLimits ForThisProcess() => ForDescriptorLimit(DescriptorLimit.Soft());

    /// <summary>The limits for a process allowed <paramref name="descriptors"/> open files (null: no known limit).</summary>
    public static HttpServerLimits ForDescriptorLimit(long? descriptors) => new()
    {
        MaxConnections = (int)Math.Clamp(((descriptors ?? long.MaxValue / 2) - ReservedDescriptors) / 2, 16, 4096),
    };
}
