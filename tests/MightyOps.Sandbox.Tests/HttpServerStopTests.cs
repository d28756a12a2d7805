using System.Net;
using System.Net.Sockets;
using MightyOps.Sandbox.Http;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// Stopping the HTTP server while clients are connected: answers in flight are finished, idle
/// and stuck connections are closed, and nothing is left open afterwards.
/// </summary>
public sealed class HttpServerStopTests
{
    private static HttpResponse Text(string text) =>
        HttpResponse.Text(200, "text/plain", text);

    [Fact]
    public async Task A_request_in_flight_gets_its_answer_and_idle_connections_close()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpServer server = HttpServer.Start(0, async (request, _) =>
        {
            if (request.RawPath == "/slow")
            {
                entered.SetResult();
                await release.Task;   // deliberately deaf to the stop: it finishes its work
                return Text("done");
            }
            return Text("fast");
        });
        int port = server.Port;

        await using RawConnection idle = await RawConnection.OpenAsync(port);
        await idle.SendAsync("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("keep-alive", (await idle.ReadResponseAsync()).Header("Connection"));
        await using RawConnection busy = await RawConnection.OpenAsync(port);
        await busy.SendAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Task stop = server.DisposeAsync().AsTask();
        Assert.True(await idle.IsClosedByServerAsync(), "the idle keep-alive connection was not closed");
        Assert.False(stop.IsCompleted, "the stop did not wait for the request in flight");

        release.SetResult();
        RawResponse answer = await busy.ReadResponseAsync();
        Assert.Equal(200, answer.Status);
        Assert.Equal("done", answer.Text);
        Assert.Equal("close", answer.Header("Connection"));
        Assert.True(await busy.IsClosedByServerAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, server.ConnectionCount);
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task A_handler_waiting_on_the_stop_token_is_cancelled_and_its_connection_closed()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpServer server = HttpServer.Start(0, async (_, cancellationToken) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);   // like injected latency
            return Text("never");
        });
        await using RawConnection connection = await RawConnection.OpenAsync(server.Port);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(3));
        Assert.True(await connection.IsClosedByServerAsync());
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task A_client_that_never_reads_its_answer_is_cut_after_the_grace_period()
    {
        byte[] big = new byte[64 * 1024 * 1024];   // far more than the loopback socket buffers hold
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpServer server = HttpServer.Start(0, (_, _) =>
        {
            answered.SetResult();
            return Task.FromResult(new HttpResponse(200) { Body = big });
        }, stopGrace: TimeSpan.FromMilliseconds(200));
        await using RawConnection connection = await RawConnection.OpenAsync(server.Port);
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task Many_connections_at_once_are_all_served_and_all_released()
    {
        HttpServer server = HttpServer.Start(0, (request, _) => Task.FromResult(Text(request.RawPath)));
        try
        {
            RawConnection[] connections = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => RawConnection.OpenAsync(server.Port)));
            await Task.WhenAll(connections.Select((c, i) => c.SendAsync($"GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n")));
            RawResponse[] answers = await Task.WhenAll(connections.Select(c => c.ReadResponseAsync()));
            Assert.Equal(Enumerable.Range(0, 300).Select(i => $"/{i}"), answers.Select(a => a.Text));
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        }
        finally
        {
            await server.DisposeAsync();
        }
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task A_large_body_arrives_whole_and_a_short_one_is_refused()
    {
        HttpServer server = HttpServer.Start(0, (request, _) => Task.FromResult(Text(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(request.Body)))));
        try
        {
            byte[] body = new byte[20 * 1024 * 1024 + 17];
            new Random(5).NextBytes(body);
            await using (RawConnection connection = await RawConnection.OpenAsync(server.Port))
            {
                await connection.SendAsync($"PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n");
                foreach (byte[] piece in body.Chunk(1_000_003))
                {
                    await connection.SendAsync(piece);
                }
                Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body)), (await connection.ReadResponseAsync()).Text);
            }

            // A client that announces 200 MiB and sends three bytes is answered 400 once it stops sending.
            await using (RawConnection liar = await RawConnection.OpenAsync(server.Port))
            {
                await liar.SendAsync($"PUT /liar HTTP/1.1\r\nHost: x\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\nabc");
                liar.CloseSending();
                Assert.Equal(400, (await liar.ReadResponseAsync()).Status);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
