using System.Text;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The socket HTTP/1.1 server: framing, keep-alive, Expect, HEAD, and garbage input.</summary>
public sealed class HttpServerTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo");

    public async Task DisposeAsync() => await _host.StopAsync();

    /// <summary>The sandbox's own address: admin endpoints answer no other Host.</summary>
    private string Host => $"127.0.0.1:{_host.Endpoint.Port}";

    [Fact]
    public async Task KeepAliveServesSeveralRequestsOnOneConnection()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        for (int i = 0; i < 3; i++)
        {
            await connection.SendAsync($"GET /_sandbox/info HTTP/1.1\r\nHost: {Host}\r\n\r\n");
            RawResponse response = await connection.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("keep-alive", response.Header("Connection"));
            Assert.Contains("\"accountId\":\"123456789012\"", response.Text);
        }
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync(
            $"GET /_sandbox/faults HTTP/1.1\r\nHost: {Host}\r\n\r\n" +
            $"GET /_sandbox/nothing-here HTTP/1.1\r\nHost: {Host}\r\n\r\n" +
            $"GET /_sandbox/info HTTP/1.1\r\nHost: {Host}\r\nConnection: close\r\n\r\n");
        Assert.Contains("throttlingRate", (await connection.ReadResponseAsync()).Text);
        Assert.Equal(404, (await connection.ReadResponseAsync()).Status);
        RawResponse last = await connection.ReadResponseAsync();
        Assert.Equal(200, last.Status);
        Assert.Equal("close", last.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Http10ClosesAfterTheResponse()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync($"GET /_sandbox/info HTTP/1.0\r\nHost: {Host}\r\n\r\n");
        RawResponse response = await connection.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task ChunkedRequestBodyIsReassembled()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync(
            $"POST /_sandbox/faults HTTP/1.1\r\nHost: {Host}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" +
            "b;ext=1\r\n{\"latencyMs\r\n" +
            "4\r\n\":0}\r\n" +
            "0\r\nX-Trailer: yes\r\n\r\n");
        RawResponse response = await connection.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Contains("\"latencyMs\":0", response.Text);
    }

    [Fact]
    public async Task ExpectContinueGets100BeforeTheBodyIsSent()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        byte[] body = Encoding.UTF8.GetBytes("{\"latencyMs\":0}");
        await connection.SendAsync($"POST /_sandbox/faults HTTP/1.1\r\nHost: {Host}\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        RawResponse interim = await connection.ReadResponseAsync();
        Assert.Equal(100, interim.Status);
        await connection.SendAsync(body);
        RawResponse final = await connection.ReadResponseAsync();
        Assert.Equal(200, final.Status);
    }

    [Fact]
    public async Task HeadAnswersWithTheGetLengthAndNoBody()
    {
        using var client = new SignedClient(_host);
        using HttpResponseMessage head = await client.S3Async(HttpMethod.Head, "/mighty-secrets/production.json");
        Assert.Equal(200, (int)head.StatusCode);
        byte[] content = _host.World.Buckets["mighty-secrets"].Objects["production.json"].Content;
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        // The connection is still usable afterwards: the HEAD response carried no body bytes.
        using HttpResponseMessage get = await client.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("NONSENSE\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/2.0\r\n\r\n", 505)]
    [InlineData("GET\tx HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/1.1\r\nNo colon here\r\n\r\n", 400)]
    [InlineData("GET /x HTTP/1.1\r\n folded: header\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501)]
    [InlineData("POST /_sandbox/faults HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400)]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", 413)]
    [InlineData("GET /x HTTP/1.1\r\nBad\u0001Header: y\r\n\r\n", 400)]
    public async Task GarbageIsRefusedAndTheConnectionClosed(string request, int status)
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync(request);
        RawResponse response = await connection.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync());
        await ServerStillAnswersAsync();
    }

    [Fact]
    public async Task OversizedHeadersGet431()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync("GET /x HTTP/1.1\r\nX-Big: " + new string('a', 20_000) + "\r\n\r\n");
        Assert.Equal(431, (await connection.ReadResponseAsync()).Status);
        await ServerStillAnswersAsync();
    }

    [Fact]
    public async Task RandomBytesDoNotHurtTheServer()
    {
        var random = new Random(1234);
        for (int i = 0; i < 20; i++)
        {
            await using RawConnection connection = await RawConnection.OpenAsync(_host);
            byte[] junk = new byte[random.Next(1, 4000)];
            random.NextBytes(junk);
            junk[^1] = (byte)'\n';
            await connection.SendAsync(junk);
            await connection.SendAsync("\r\n\r\n");
            // Either a 4xx/5xx answer and a close, or a close without an answer: never a hang or crash.
            try
            {
                RawResponse response = await connection.ReadResponseAsync(timeoutMs: 5000);
                Assert.InRange(response.Status, 400, 599);
            }
            catch (IOException)
            {
            }
        }
        await ServerStillAnswersAsync();
    }

    [Fact]
    public async Task ClientVanishingMidBodyLeavesTheServerServing()
    {
        await using (RawConnection connection = await RawConnection.OpenAsync(_host))
        {
            await connection.SendAsync($"POST /_sandbox/faults HTTP/1.1\r\nHost: {Host}\r\nContent-Length: 100\r\n\r\n{{\"lat");
        }
        await ServerStillAnswersAsync();
    }

    [Fact]
    public async Task ConcurrentConnectionsAreServedTogether()
    {
        using var client = new SignedClient(_host);
        Task<(int Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)>[] calls = Enumerable.Range(0, 40)
            .Select(_ => Task.Run(() => client.EcrAsync("DescribeRepositories", "{}")))
            .ToArray();
        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.Equal(40, _host.RequestCounts["ecr.DescribeRepositories"]);
    }

    [Fact]
    public async Task SlowClientsDoNotBlockOthers()
    {
        // One connection sends half a request and stalls; another is served meanwhile.
        await using RawConnection stalled = await RawConnection.OpenAsync(_host);
        await stalled.SendAsync($"GET /_sandbox/info HTTP/1.1\r\nHost: {Host}\r\n");
        await ServerStillAnswersAsync();
        await stalled.SendAsync("\r\n");
        Assert.Equal(200, (await stalled.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task AbsoluteFormTargetsAreUnderstood()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync($"GET http://127.0.0.1:{_host.Endpoint.Port}/_sandbox/info HTTP/1.1\r\nHost: {Host}\r\n\r\n");
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ResponsesCarryDateAndContentLength()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync($"GET /_sandbox/counts HTTP/1.1\r\nHost: {Host}\r\n\r\n");
        RawResponse response = await connection.ReadResponseAsync();
        Assert.NotNull(response.Header("Date"));
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.StartsWith("HTTP/1.1 200 OK", response.StatusLine);
    }

    private async Task ServerStillAnswersAsync()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync($"GET /_sandbox/info HTTP/1.1\r\nHost: {Host}\r\n\r\n");
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }
}
