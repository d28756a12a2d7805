using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;

namespace MightyOps.Sandbox.Tests;

/// <summary>A response read off the wire: status, headers (lower-case names) and body.</summary>
internal sealed record RawResponse(int Status, string StatusLine, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>Signed requests through HttpClient, signed by MightyOps.Core's SigV4 (the module's own signer).</summary>
internal sealed class SignedClient : IDisposable
{
    private readonly SandboxHost _host;
    private readonly HttpClient _http = new();

    public SignedClient(SandboxHost host, string? accessKeyId = null, string? secretAccessKey = null, string? sessionToken = null, string? region = null)
    {
        _host = host;
        Credentials = new AwsCredentialSnapshot(accessKeyId ?? host.Options.AccessKeyId, secretAccessKey ?? host.Options.SecretAccessKey, sessionToken);
        Region = region ?? host.Options.Region;
    }

    public AwsCredentialSnapshot Credentials { get; }

    public string Region { get; }

    /// <summary>The signing time; real time unless a test signs in the past or the future.</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.UtcNow;

    /// <summary>A JSON 1.1 call: <paramref name="target"/> is the full X-Amz-Target.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> JsonAsync(string service, string target, string body, CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = JsonRequest(service, target, body);
        HttpResponseMessage response = await _http.SendAsync(request, cancellationToken);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> EcrAsync(string operation, string body) =>
        JsonAsync("ecr", "AmazonEC2ContainerRegistry_V20150921." + operation, body);

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> EcsAsync(string operation, string body, CancellationToken cancellationToken = default) =>
        JsonAsync("ecs", "AmazonEC2ContainerServiceV20141113." + operation, body, cancellationToken);

    public HttpRequestMessage JsonRequest(string service, string target, string body) => JsonRequest(service, target, Encoding.UTF8.GetBytes(body));

    /// <summary>A JSON 1.1 request with exactly these body bytes (which need not be valid UTF-8).</summary>
    public HttpRequestMessage JsonRequest(string service, string target, byte[] bytes)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _host.Endpoint) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        SigV4.Sign(request, bytes, Credentials, Region, service, Clock());
        return request;
    }

    /// <summary>An EC2 Query call with the given form parameters.</summary>
    public async Task<(int Status, string Body)> Ec2Async(string form)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, _host.Endpoint) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
        SigV4.Sign(request, bytes, Credentials, Region, "ec2", Clock());
        using HttpResponseMessage response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>An S3 call on a path with plain characters (the non-S3 canonical URI is the same then).</summary>
    public async Task<HttpResponseMessage> S3Async(HttpMethod method, string pathAndQuery, byte[]? body = null, params (string Name, string Value)[] headers)
    {
        body ??= [];
        var request = new HttpRequestMessage(method, new Uri(_host.Endpoint, pathAndQuery));
        if (body.Length > 0 || method == HttpMethod.Put || method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(body);
        }
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", SigV4.HexSha256(body));
        foreach ((string name, string value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content!.Headers.TryAddWithoutValidation(name, value);
            }
        }
        SigV4.Sign(request, body, Credentials, Region, "s3", Clock());
        return await _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Bytes straight onto a socket, for the HTTP edge cases HttpClient never produces.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream? _stream;
    private readonly List<byte> _pending = [];

    public static Task<RawConnection> OpenAsync(SandboxHost host) => OpenAsync(host.Endpoint.Port);

    public static async Task<RawConnection> OpenAsync(int port)
    {
        var connection = new RawConnection();
        await connection._client.ConnectAsync("127.0.0.1", port);
        connection._stream = connection._client.GetStream();
        return connection;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _stream!.WriteAsync(bytes);

    /// <summary>Half-closes the connection: the server reads the end of the stream, answers can still come back.</summary>
    public void CloseSending() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one response (Content-Length framed; bodiless for HEAD/1xx/204/304).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool head = false, int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        string statusLine = await ReadLineAsync(timeout.Token) ?? throw new IOException("The connection closed before a response.");
        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            string line = await ReadLineAsync(timeout.Token) ?? throw new IOException("The connection closed in the headers.");
            if (line.Length == 0)
            {
                break;
            }
            int colon = line.IndexOf(':');
            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        int status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? lengthText = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        byte[] body = [];
        if (!head && status >= 200 && status is not (204 or 304) && lengthText is not null)
        {
            body = await ReadExactAsync(int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture), timeout.Token);
        }
        return new RawResponse(status, statusLine, headers, body);
    }

    /// <summary>True when the server closed the connection (reads end) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync(int timeoutMs = 5_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            if (_pending.Count > 0)
            {
                return false;
            }
            byte[] buffer = new byte[1];
            return await _stream!.ReadAsync(buffer, timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                string line = Encoding.Latin1.GetString(_pending.GetRange(0, newline).ToArray()).TrimEnd('\r');
                _pending.RemoveRange(0, newline + 1);
                return line;
            }
            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        while (_pending.Count < count)
        {
            if (!await FillAsync(cancellationToken))
            {
                throw new IOException("The connection closed in the body.");
            }
        }
        byte[] result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[8192];
        int read = await _stream!.ReadAsync(buffer, cancellationToken);
        _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        return read > 0;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Starts a sandbox for a test and stops it afterwards.</summary>
internal static class Sandboxes
{
    public static Task<SandboxHost> StartAsync(string seed = "demo", Func<SandboxOptions, SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { Seed = seed, Port = 0 };
        return SandboxHost.StartAsync(configure is null ? options : configure(options));
    }
}
