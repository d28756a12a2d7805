namespace MightyOps.Sandbox.Http;

/// <summary>What an <see cref="HttpServer"/> asks its owner besides the answer to a request.</summary>
internal sealed class HttpRequestScreen
{
    /// <summary>
    /// Called with the head of a request whose body is chunked or larger than
    /// <see cref="RequestBody.SpoolThresholdBytes"/>, before any of the body is read. A response
    /// refuses the request: it is sent, the body is never read, and the connection closes.
    /// </summary>
    public Func<HttpRequest, HttpResponse?>? BeforeBody { get; init; }

    /// <summary>The answer to a request the server could not parse (null: a text/plain one). The request is null when even its first line was unreadable.</summary>
    public Func<HttpRequest?, HttpProtocolException, HttpResponse?>? ProtocolError { get; init; }
}
