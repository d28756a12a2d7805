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
/// Stopping is graceful but bounded: idle and half-read connections close at once, a request
/// already being handled gets its answer (with <c>Connection: close</c>), and whatever is still
/// open after the grace period is cut, so <see cref="DisposeAsync"/> leaves no socket or
/// connection task behind.
/// </remarks>
internal sealed class HttpServer : IAsyncDisposable
{
    /// <summary>Largest request body accepted; S3 parts are 8 MiB by default in the CLI and SDKs.</summary>
    public const long MaxBodyBytes = 256L * 1024 * 1024;

    private const int MaxLineBytes = 16 * 1024;
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxHeaderCount = 200;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Func<HttpRequest, CancellationToken, Task<HttpResponse>> _handler;
    private readonly TimeSpan _stopGrace;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, (Socket Socket, Task Task)> _connections = new();
    private Task? _acceptLoop;
    private int _nextConnectionId;

    private HttpServer(TcpListener listener, Func<HttpRequest, CancellationToken, Task<HttpResponse>> handler, TimeSpan stopGrace)
    {
        _listener = listener;
        _handler = handler;
        _stopGrace = stopGrace;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections open right now (for tests: none are left after <see cref="DisposeAsync"/>).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0 = any free port) and starts accepting.</summary>
    /// <param name="port">The TCP port; 0 picks a free one.</param>
    /// <param name="handler">Answers one request; its token is cancelled when the server stops.</param>
    /// <param name="stopGrace">How long a stop waits for requests in flight before cutting their connections.</param>
    /// <exception cref="SocketException">The port is taken or cannot be bound.</exception>
    public static HttpServer Start(int port, Func<HttpRequest, CancellationToken, Task<HttpResponse>> handler, TimeSpan? stopGrace = null)
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
        var server = new HttpServer(listener, handler, stopGrace ?? DefaultStopGrace);
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
        Task all = Task.WhenAll(_connections.Values.Select(c => c.Task));
        try
        {
            await all.WaitAsync(_stopGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A client that does not read its answer, or a handler that ignores cancellation:
            // cut the connections so that the tasks behind them end.
            foreach ((Socket socket, _) in _connections.Values)
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
                socket.Dispose();
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
            socket.NoDelay = true;
            int id = Interlocked.Increment(ref _nextConnectionId);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task task = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                try
                {
                    await ServeConnectionAsync(socket).ConfigureAwait(false);
                }
                finally
                {
                    _connections.TryRemove(id, out _);
                    socket.Dispose();
                }
            });
            _connections[id] = (socket, task);
            started.SetResult();
        }
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        // Reads end when the server stops; writes only by their own timeout, so that an answer
        // being written when the stop comes still reaches the client.
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        using var writeTimeout = new CancellationTokenSource();
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new HttpReader(stream, readTimeout);
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                HttpRequest? request;
                HttpResponse response;
                bool keepAlive;
                try
                {
                    request = await ReadRequestAsync(reader, stream).ConfigureAwait(false);
                    if (request is null)
                    {
                        return; // the client closed the connection between requests
                    }
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
                    // Garbage, oversized or truncated input: answer once if we can, then hang up,
                    // since we no longer know where the next request would start.
                    HttpResponse error = HttpResponse.Text(ex.Status, "text/plain; charset=utf-8", ex.Message + "\n");
                    error.CloseConnection = true;
                    await WriteResponseAsync(stream, error, isHead: false, keepAlive: false, writeTimeout).ConfigureAwait(false);
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

    private static bool WantsKeepAlive(HttpRequest request)
    {
        string connection = request.Header("Connection") ?? string.Empty;
        bool close = connection.Split(',').Any(t => t.Trim().Equals("close", StringComparison.OrdinalIgnoreCase));
        bool keep = connection.Split(',').Any(t => t.Trim().Equals("keep-alive", StringComparison.OrdinalIgnoreCase));
        return request.Version == "HTTP/1.1" ? !close : keep;
    }

    private static async Task<HttpRequest?> ReadRequestAsync(HttpReader reader, NetworkStream stream)
    {
        string? requestLine;
        // RFC 9112 §2.2: ignore empty lines before a request line (some clients send a stray CRLF).
        do
        {
            requestLine = await reader.ReadLineAsync(MaxLineBytes, IdleTimeout, allowEof: true).ConfigureAwait(false);
            if (requestLine is null)
            {
                return null;
            }
        }
        while (requestLine.Length == 0);

        string[] parts = requestLine.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || !parts[0].All(IsTokenChar))
        {
            throw new HttpProtocolException(400, "Malformed request line.");
        }
        string version = parts[2];
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            throw new HttpProtocolException(version.StartsWith("HTTP/", StringComparison.Ordinal) ? 505 : 400, "Only HTTP/1.0 and HTTP/1.1 are supported.");
        }
        if (parts[1][0] != '/' && !parts[1].StartsWith("http://", StringComparison.OrdinalIgnoreCase) && parts[1] != "*")
        {
            throw new HttpProtocolException(400, "Malformed request target.");
        }

        List<KeyValuePair<string, string>> headers = await ReadFieldsAsync(reader).ConfigureAwait(false);
        var request = new HttpRequest { Method = parts[0], Target = parts[1], Version = version, Headers = headers };

        string? transferEncoding = request.Header("Transfer-Encoding");
        string? contentLength = request.Header("Content-Length");
        if (transferEncoding is not null && contentLength is not null)
        {
            // Both framings at once is the classic request-smuggling shape; refuse it (RFC 9112 §6.1).
            throw new HttpProtocolException(400, "Both Transfer-Encoding and Content-Length were sent.");
        }
        if (headers.Count(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) > 1)
        {
            throw new HttpProtocolException(400, "More than one Content-Length header.");
        }

        bool chunked = false;
        long length = 0;
        if (transferEncoding is not null)
        {
            string last = transferEncoding.Split(',').Last().Trim();
            if (!last.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpProtocolException(501, $"Transfer-Encoding '{transferEncoding}' is not supported.");
            }
            chunked = true;
        }
        else if (contentLength is not null)
        {
            if (!long.TryParse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture, out length))
            {
                throw new HttpProtocolException(400, "Invalid Content-Length.");
            }
            if (length > MaxBodyBytes)
            {
                throw new HttpProtocolException(413, $"The body is larger than the sandbox accepts ({MaxBodyBytes} bytes).");
            }
        }

        if ((chunked || length > 0) && request.Version == "HTTP/1.1" &&
            string.Equals(request.Header("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // AWSSDK.S3 waits for this before sending a PutObject body.
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray()).ConfigureAwait(false);
        }

        if (chunked)
        {
            (request.Body, request.Trailers) = await ReadChunkedAsync(reader).ConfigureAwait(false);
        }
        else if (length > 0)
        {
            request.Body = await reader.ReadExactAsync((int)length, ReadTimeout).ConfigureAwait(false);
        }
        return request;
    }

    private static async Task<List<KeyValuePair<string, string>>> ReadFieldsAsync(HttpReader reader)
    {
        var fields = new List<KeyValuePair<string, string>>();
        int total = 0;
        while (true)
        {
            string? line = await reader.ReadLineAsync(MaxLineBytes, ReadTimeout, allowEof: false).ConfigureAwait(false);
            if (string.IsNullOrEmpty(line))
            {
                return fields;
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

    private static async Task<(byte[] Body, List<KeyValuePair<string, string>> Trailers)> ReadChunkedAsync(HttpReader reader)
    {
        using var body = new MemoryStream();
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
                List<KeyValuePair<string, string>> trailers = await ReadFieldsAsync(reader).ConfigureAwait(false);
                return (body.ToArray(), trailers);
            }
            if (body.Length + size > MaxBodyBytes)
            {
                throw new HttpProtocolException(413, $"The body is larger than the sandbox accepts ({MaxBodyBytes} bytes).");
            }
            byte[] chunk = await reader.ReadExactAsync((int)size, ReadTimeout).ConfigureAwait(false);
            body.Write(chunk);
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
            byte[] all = new byte[headBytes.Length + response.Body.Length];
            headBytes.CopyTo(all, 0);
            response.Body.CopyTo(all, headBytes.Length);
            await stream.WriteAsync(all, timeout.Token).ConfigureAwait(false);
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

/// <summary>The request could not be parsed; the connection is answered with <see cref="Status"/> and closed.</summary>
internal sealed class HttpProtocolException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>Buffered reads of lines and exact byte counts, each read bounded by a timeout.</summary>
internal sealed class HttpReader(Stream stream, CancellationTokenSource timeout)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Reads up to CRLF (a bare LF is tolerated). Null at end of stream when <paramref name="allowEof"/> and nothing was read.</summary>
    public async Task<string?> ReadLineAsync(int maxBytes, TimeSpan readTimeout, bool allowEof)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(readTimeout).ConfigureAwait(false))
            {
                if (allowEof && line.Count == 0)
                {
                    return null;
                }
                throw new HttpProtocolException(400, "The connection closed in the middle of a request.");
            }
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int take = newline < 0 ? _end - _start : newline - _start;
            if (line.Count + take > maxBytes)
            {
                throw new HttpProtocolException(431, "A request line or header is too long.");
            }
            for (int i = 0; i < take; i++)
            {
                line.Add(_buffer[_start + i]);
            }
            if (newline < 0)
            {
                _start = _end;
                continue;
            }
            _start = newline + 1;
            if (line.Count > 0 && line[^1] == '\r')
            {
                line.RemoveAt(line.Count - 1);
            }
            foreach (byte b in line)
            {
                // Control characters (other than tab) never belong in a request head.
                if ((b < 0x20 && b != '\t') || b == 0x7f)
                {
                    throw new HttpProtocolException(400, "Control characters in the request head.");
                }
            }
            // Header values are Latin-1 by HTTP's rules; UTF-8 bytes pass through unchanged that way.
            return Encoding.Latin1.GetString(line.ToArray());
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes; the buffer grows with what arrives, so a declared length alone reserves no memory.</summary>
    public async Task<byte[]> ReadExactAsync(int count, TimeSpan readTimeout)
    {
        byte[] result = new byte[Math.Min(count, 64 * 1024)];
        int filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync(readTimeout).ConfigureAwait(false))
            {
                throw new HttpProtocolException(400, "The connection closed before the whole body arrived.");
            }
            if (filled == result.Length)
            {
                Array.Resize(ref result, (int)Math.Min(count, 2L * result.Length));
            }
            int take = Math.Min(result.Length - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }
        return result;
    }

    private async Task<bool> FillAsync(TimeSpan readTimeout)
    {
        timeout.CancelAfter(readTimeout);
        int read;
        try
        {
            read = await stream.ReadAsync(_buffer, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            if (!timeout.IsCancellationRequested)
            {
                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
        _start = 0;
        _end = read;
        return read > 0;
    }
}
