using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MightyOps.Sandbox.Http;

/// <summary>
/// A small HTTP/1.1 server on raw sockets. ASP.NET is not an option (the module runs inside
/// pwsh, which does not load the ASP.NET shared framework) and HttpListener cannot bind port 0.
/// It speaks what botocore/urllib3, AWSSDK and HttpClient send: keep-alive, pipelined requests,
/// Content-Length and chunked bodies, <c>Expect: 100-continue</c>, HEAD.
/// </summary>
/// <remarks>
/// <para>
/// Stopping is graceful but bounded: idle and half-read connections close at once, a request
/// already being handled gets its answer (with <c>Connection: close</c>), and whatever is still
/// open after the grace period is cut, so <see cref="DisposeAsync"/> leaves no socket or
/// connection task behind.
/// </para>
/// <para>
/// It cannot be knocked over by its clients: open connections are capped below the process's
/// descriptor limit (beyond the cap the oldest idle connection is closed, or the new one refused
/// when none is idle), a request head (and a small body) must arrive whole within a deadline
/// however slowly it trickles, and a large body is only read once <see cref="HttpRequestScreen.BeforeBody"/> let it
/// through, then spooled to disk (<see cref="RequestBody"/>).
/// </para>
/// </remarks>
internal sealed class HttpServer : IAsyncDisposable
{
    /// <summary>Largest request body accepted: the single-PUT limit of the sandbox's S3 (README.md).</summary>
    public const long MaxBodyBytes = 256L * 1024 * 1024;

    private const int MaxLineBytes = 16 * 1024;
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxHeaderCount = 200;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long a refused request's unread body is drained before the socket closes (a close with unread data resets the connection and can lose the answer).</summary>
    private static readonly TimeSpan RefusalDrain = TimeSpan.FromSeconds(2);

    private readonly TcpListener _listener;
    private readonly Func<HttpRequest, CancellationToken, Task<HttpResponse>> _handler;
    private readonly TimeSpan _stopGrace;
    private readonly HttpRequestScreen _screen;
    private readonly HttpServerLimits _limits;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private Task? _acceptLoop;
    private int _nextConnectionId;
    private int _live;
    private long _refused;
    private long _evicted;

    private HttpServer(TcpListener listener, Func<HttpRequest, CancellationToken, Task<HttpResponse>> handler, TimeSpan stopGrace, HttpRequestScreen screen, HttpServerLimits limits)
    {
        _listener = listener;
        _handler = handler;
        _stopGrace = stopGrace;
        _screen = screen;
        _limits = limits;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections open right now (for tests: none are left after <see cref="DisposeAsync"/>).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Connections waiting for their next (or first) request: the ones the cap may close.</summary>
    public int IdleConnectionCount => _connections.Values.Count(c => c.IsIdle);

    /// <summary>The limits this server runs with.</summary>
    public HttpServerLimits Limits => _limits;

    /// <summary>Idle connections closed to make room for new ones since the start.</summary>
    public long EvictedConnections => Interlocked.Read(ref _evicted);

    /// <summary>New connections refused (closed at once) because every slot was busy.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0 = any free port) and starts accepting.</summary>
    /// <param name="port">The TCP port; 0 picks a free one.</param>
    /// <param name="handler">Answers one request; its token is cancelled when the server stops.</param>
    /// <param name="stopGrace">How long a stop waits for requests in flight before cutting their connections.</param>
    /// <param name="screen">Checks before a large body is read, and the shape of protocol errors (default: none, text/plain).</param>
    /// <param name="limits">Connection cap and deadlines (default: <see cref="HttpServerLimits.ForThisProcess"/>).</param>
    /// <exception cref="SocketException">The port is taken or cannot be bound.</exception>
    public static HttpServer Start(int port, Func<HttpRequest, CancellationToken, Task<HttpResponse>> handler, TimeSpan? stopGrace = null,
        HttpRequestScreen? screen = null, HttpServerLimits? limits = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start(512);
        }
        catch (SocketException)
        {
            listener.Stop(); // releases the socket the listener made, bound or not
            throw;
        }
        var server = new HttpServer(listener, handler, stopGrace ?? DefaultStopGrace, screen ?? new HttpRequestScreen(), limits ?? HttpServerLimits.ForThisProcess());
        server._acceptLoop = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        // Cancelling ends every read (idle keep-alive connections, half-sent requests) and tells
        // handlers to give up; a handler that finishes anyway still gets its answer written.
        _stopping.Cancel();
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        Task all = Task.WhenAll(_connections.Values.Select(c => c.Task!));
        try
        {
            await all.WaitAsync(_stopGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A client that does not read its answer, or a handler that ignores cancellation:
            // cut the connections so that the tasks behind them end.
            foreach (Connection connection in _connections.Values)
            {
                connection.Cut();
            }
        }
        await all.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                // E.g. EMFILE with very many connections: wait for some to close instead of spinning.
                try
                {
                    await Task.Delay(100, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            if (Volatile.Read(ref _live) >= _limits.MaxConnections && !EvictOldestIdle())
            {
                // Every slot is in the middle of a request: refuse this one rather than run out of
                // descriptors (which takes the whole process down). Header deadlines free slots soon.
                Interlocked.Increment(ref _refused);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            Interlocked.Increment(ref _live);
            int id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new Connection(socket, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Task = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                try
                {
                    await ServeConnectionAsync(connection).ConfigureAwait(false);
                }
                finally
                {
                    _connections.TryRemove(id, out _);
                    if (connection.TryFinish())
                    {
                        Interlocked.Decrement(ref _live);   // an evicted one was counted off when it was cut
                    }
                    connection.Close();
                }
            });
            _connections[id] = connection;
            started.SetResult();
        }
    }

    /// <summary>Closes the connection that has waited longest for its next request; false when none is idle.</summary>
    private bool EvictOldestIdle()
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Connection? oldest = null;
            foreach (Connection candidate in _connections.Values)
            {
                if (candidate.IsIdle && (oldest is null || candidate.IdleSince < oldest.IdleSince))
                {
                    oldest = candidate;
                }
            }
            if (oldest is null)
            {
                return false;
            }
            if (oldest.TryEvict())
            {
                // Its descriptor is free now; its task leaves the table a moment later.
                Interlocked.Decrement(ref _live);
                Interlocked.Increment(ref _evicted);
                return true;
            }
        }
        return false;
    }

    private async Task ServeConnectionAsync(Connection connection)
    {
        // Reads end when the server stops or the connection is evicted; writes only by their own
        // timeout, so that an answer being written when the stop comes still reaches the client.
        Socket socket = connection.Socket;
        using var writeTimeout = new CancellationTokenSource();
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new HttpReader(stream, connection.Reads);
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                connection.MarkIdle();
                if (!await reader.WaitForDataAsync(_limits.IdleTimeout).ConfigureAwait(false) || !connection.TryMarkBusy())
                {
                    return; // the client closed the connection between requests, or it was evicted
                }
                HttpRequest? request = null;
                try
                {
                    HttpResponse response;
                    bool keepAlive;
                    try
                    {
                        reader.StartDeadline(_limits.HeaderDeadline);
                        request = await ReadHeadAsync(reader).ConfigureAwait(false);
                        (bool chunked, long length) = BodyFraming(request);
                        bool large = chunked || length > RequestBody.SpoolThresholdBytes;
                        if (large)
                        {
                            // A large body only follows a signature that checked out; it gets the
                            // per-read timeout. A small one must arrive within the same deadline.
                            reader.ClearDeadline();
                        }
                        if (large && _screen.BeforeBody?.Invoke(request) is HttpResponse refusal)
                        {
                            // Refused on its headers alone (e.g. unsigned): the body is never read.
                            await WriteResponseAsync(stream, refusal, request.Method == "HEAD", keepAlive: false, writeTimeout).ConfigureAwait(false);
                            await DrainAndCloseAsync(socket).ConfigureAwait(false);
                            return;
                        }
                        if ((chunked || length > 0) && request.Version == "HTTP/1.1" &&
                            string.Equals(request.Header("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase))
                        {
                            // AWSSDK.S3 waits for this before sending a PutObject body.
                            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray()).ConfigureAwait(false);
                        }
                        await ReadBodyAsync(reader, request, chunked, length).ConfigureAwait(false);
                        reader.ClearDeadline();
                        keepAlive = WantsKeepAlive(request);
                        try
                        {
                            response = await _handler(request, _stopping.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                        {
                            return;
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            // A bug behind the handler must not cost the client its answer.
                            response = HttpResponse.Text(500, "text/plain; charset=utf-8", $"The sandbox failed: {ex.GetType().Name}: {ex.Message}\n");
                            response.CloseConnection = true;
                        }
                    }
                    catch (HttpProtocolException ex)
                    {
                        // Garbage, oversized, truncated or too slow input: answer once if we can (in
                        // the service's own error shape when the head says which service), then hang
                        // up, since we no longer know where the next request would start.
                        HttpResponse error = _screen.ProtocolError?.Invoke(ex.Request ?? request, ex)
                            ?? HttpResponse.Text(ex.Status, "text/plain; charset=utf-8", ex.Message + "\n");
                        await WriteResponseAsync(stream, error, isHead: false, keepAlive: false, writeTimeout).ConfigureAwait(false);
                        // The client may still be sending (a trickled head): closing with unread
                        // input would reset the connection and could destroy the answer in flight.
                        await DrainAndCloseAsync(socket).ConfigureAwait(false);
                        return;
                    }
                    keepAlive &= !response.CloseConnection && !_stopping.IsCancellationRequested;
                    await WriteResponseAsync(stream, response, request.Method == "HEAD", keepAlive, writeTimeout).ConfigureAwait(false);
                    if (!keepAlive)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        return;
                    }
                }
                finally
                {
                    request?.Dispose();
                }
            }
        }
        catch (IOException)
        {
            // The peer reset the connection, or a read timed out.
        }
        catch (SocketException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Stops sending, then reads and discards what the client still sends for a moment, so the answer is not lost to a reset.</summary>
    private static async Task DrainAndCloseAsync(Socket socket)
    {
        socket.Shutdown(SocketShutdown.Send);
        using var drain = new CancellationTokenSource(RefusalDrain);
        byte[] scratch = new byte[64 * 1024];
        while (await socket.ReceiveAsync(scratch, SocketFlags.None, drain.Token).ConfigureAwait(false) > 0)
        {
        }
    }

    private static bool WantsKeepAlive(HttpRequest request)
    {
        string connection = request.Header("Connection") ?? string.Empty;
        bool close = connection.Split(',').Any(t => t.Trim().Equals("close", StringComparison.OrdinalIgnoreCase));
        bool keep = connection.Split(',').Any(t => t.Trim().Equals("keep-alive", StringComparison.OrdinalIgnoreCase));
        return request.Version == "HTTP/1.1" ? !close : keep;
    }

    private static async Task<HttpRequest> ReadHeadAsync(HttpReader reader)
    {
        string? requestLine;
        // RFC 9112 §2.2: ignore empty lines before a request line (some clients send a stray CRLF).
        do
        {
            requestLine = await reader.ReadLineAsync(MaxLineBytes, ReadTimeout, allowEof: false).ConfigureAwait(false);
        }
        while (requestLine!.Length == 0);

        string[] parts = requestLine.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || !parts[0].All(IsTokenChar))
        {
            throw new HttpProtocolException(400, "Malformed request line.");
        }
        if (parts[1][0] != '/' && !parts[1].StartsWith("http://", StringComparison.OrdinalIgnoreCase) && parts[1] != "*")
        {
            throw new HttpProtocolException(400, "Malformed request target.");
        }
        var headers = new List<KeyValuePair<string, string>>();
        var request = new HttpRequest { Method = parts[0], Target = parts[1], Version = parts[2], Headers = headers };
        try
        {
            // Read the fields even for an unsupported version: they say which service to answer as.
            await ReadFieldsAsync(reader, headers).ConfigureAwait(false);
        }
        catch (HttpProtocolException ex) when (ex.Request is null)
        {
            throw ex.About(request);
        }
        if (request.Version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            int status = request.Version.StartsWith("HTTP/", StringComparison.Ordinal) ? 505 : 400;
            throw new HttpProtocolException(status, "Only HTTP/1.0 and HTTP/1.1 are supported.") { Request = request };
        }
        return request;
    }

    /// <summary>Whether the body is chunked, else its length; throws for framings the server refuses.</summary>
    private static (bool Chunked, long Length) BodyFraming(HttpRequest request)
    {
        string? transferEncoding = request.Header("Transfer-Encoding");
        string? contentLength = request.Header("Content-Length");
        if (transferEncoding is not null && contentLength is not null)
        {
            // Both framings at once is the classic request-smuggling shape; refuse it (RFC 9112 §6.1).
            throw new HttpProtocolException(400, "Both Transfer-Encoding and Content-Length were sent.") { Request = request };
        }
        if (request.Headers.Count(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) > 1)
        {
            throw new HttpProtocolException(400, "More than one Content-Length header.") { Request = request };
        }
        if (transferEncoding is not null)
        {
            string last = transferEncoding.Split(',').Last().Trim();
            if (!last.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpProtocolException(501, $"Transfer-Encoding '{transferEncoding}' is not supported.") { Request = request };
            }
            return (true, 0);
        }
        if (contentLength is null)
        {
            return (false, 0);
        }
        if (!long.TryParse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
        {
            throw new HttpProtocolException(400, "Invalid Content-Length.") { Request = request };
        }
        if (length > MaxBodyBytes)
        {
            throw TooLarge(request, length);
        }
        return (false, length);
    }

    private static async Task ReadBodyAsync(HttpReader reader, HttpRequest request, bool chunked, long length)
    {
        if (!chunked && length == 0)
        {
            return;
        }
        var body = new RequestBody();
        request.Content = body;   // disposed with the request, spooled file and all
        try
        {
            if (chunked)
            {
                request.Trailers = await ReadChunkedAsync(reader, body, request).ConfigureAwait(false);
            }
            else
            {
                await reader.CopyToAsync(body, length, ReadTimeout).ConfigureAwait(false);
            }
        }
        catch (HttpProtocolException ex) when (ex.Request is null)
        {
            throw ex.About(request);
        }
    }

    private static HttpProtocolException TooLarge(HttpRequest request, long proposed) =>
        new(413, $"The body is larger than the sandbox accepts ({MaxBodyBytes} bytes); upload larger objects in parts (multipart upload).")
        {
            Request = request,
            ProposedSize = proposed,
        };

    private static async Task ReadFieldsAsync(HttpReader reader, List<KeyValuePair<string, string>> fields)
    {
        int total = 0;
        while (true)
        {
            string? line = await reader.ReadLineAsync(MaxLineBytes, ReadTimeout, allowEof: false).ConfigureAwait(false);
            if (string.IsNullOrEmpty(line))
            {
                return;
            }
            total += line.Length;
            if (total > MaxHeaderBytes || fields.Count >= MaxHeaderCount)
            {
                throw new HttpProtocolException(431, "Too many or too large header fields.");
            }
            if (line[0] is ' ' or '\t')
            {
                // obs-fold continuation lines are obsolete; RFC 9112 §5.2 allows rejecting them.
                throw new HttpProtocolException(400, "Folded header lines are not supported.");
            }
            int colon = line.IndexOf(':');
            if (colon <= 0 || !line.AsSpan(0, colon).ToString().All(IsTokenChar))
            {
                throw new HttpProtocolException(400, "Malformed header line.");
            }
            fields.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
    }

    private static async Task<List<KeyValuePair<string, string>>> ReadChunkedAsync(HttpReader reader, RequestBody body, HttpRequest request)
    {
        while (true)
        {
            string? sizeLine = await reader.ReadLineAsync(MaxLineBytes, ReadTimeout, allowEof: false).ConfigureAwait(false);
            string sizeText = (sizeLine ?? string.Empty).Split(';')[0].Trim();
            if (sizeText.Length == 0 || sizeText.Length > 15 ||
                !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long size) || size < 0)
            {
                throw new HttpProtocolException(400, "Malformed chunk size.");
            }
            if (size == 0)
            {
                var trailers = new List<KeyValuePair<string, string>>();
                await ReadFieldsAsync(reader, trailers).ConfigureAwait(false);
                return trailers;
            }
            if (body.Length + size > MaxBodyBytes)
            {
                throw TooLarge(request, body.Length + size);
            }
            await reader.CopyToAsync(body, size, ReadTimeout).ConfigureAwait(false);
            string? end = await reader.ReadLineAsync(MaxLineBytes, ReadTimeout, allowEof: false).ConfigureAwait(false);
            if (end is null || end.Length != 0)
            {
                throw new HttpProtocolException(400, "Chunk data is not followed by CRLF.");
            }
        }
    }

    private static async Task WriteResponseAsync(NetworkStream stream, HttpResponse response, bool isHead, bool keepAlive, CancellationTokenSource timeout)
    {
        var head = new StringBuilder(256);
        head.Append("HTTP/1.1 ").Append(response.Status.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(HttpResponse.ReasonPhrase(response.Status)).Append("\r\n");
        bool hasDate = false;
        foreach (KeyValuePair<string, string> h in response.Headers)
        {
            if (h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            hasDate |= h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase);
            head.Append(h.Key).Append(": ").Append(SanitizeHeaderValue(h.Value)).Append("\r\n");
        }
        if (!hasDate)
        {
            head.Append("Date: ").Append(DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture)).Append("\r\n");
        }
        bool bodyless = response.Status is 204 or 304 || response.Status < 200;
        if (!bodyless)
        {
            long length = response.ContentLengthOverride ?? response.Body.Length;
            head.Append("Content-Length: ").Append(length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
        head.Append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
        head.Append("\r\n");

        timeout.CancelAfter(WriteTimeout);
        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
        if (!isHead && !bodyless && response.Body.Length > 0 && response.Body.Length < 64 * 1024)
        {
            // One write for a small answer (one packet instead of two), from a pooled buffer.
            int length = headBytes.Length + response.Body.Length;
            byte[] all = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                headBytes.CopyTo(all, 0);
                response.Body.CopyTo(all.AsMemory(headBytes.Length));
                await stream.WriteAsync(all.AsMemory(0, length), timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(all);
            }
        }
        else
        {
            await stream.WriteAsync(headBytes, timeout.Token).ConfigureAwait(false);
            if (!isHead && !bodyless && response.Body.Length > 0)
            {
                await stream.WriteAsync(response.Body, timeout.Token).ConfigureAwait(false);
            }
        }
        timeout.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private static string SanitizeHeaderValue(string value) =>
        value.IndexOfAny(['\r', '\n']) < 0 ? value : value.Replace('\r', ' ').Replace('\n', ' ');

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
