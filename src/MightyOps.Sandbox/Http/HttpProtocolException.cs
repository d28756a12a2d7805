namespace MightyOps.Sandbox.Http;

/// <summary>The request could not be parsed; the connection is answered with <see cref="Status"/> and closed.</summary>
internal sealed class HttpProtocolException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>As much of the request as was read (method, target, headers so far), or null before the request line was whole.</summary>
    public HttpRequest? Request { get; init; }

    /// <summary>For a 413: the body size the client announced (or reached).</summary>
    public long? ProposedSize { get; init; }

    /// <summary>The same error, attached to the request it happened in.</summary>
    public HttpProtocolException About(HttpRequest request) => new(Status, Message) { Request = request, ProposedSize = ProposedSize };
}
