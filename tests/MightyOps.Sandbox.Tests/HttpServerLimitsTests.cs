using MightyOps.Sandbox.Http;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The HTTP server's own limits, with small values so the tests are quick: the connection cap,
/// the deadline on request heads, and how the cap follows the descriptor limit.
/// </summary>
public sealed class HttpServerLimitsTests
{
    private static HttpResponse Text(string text) => HttpResponse.Text(200, "text/plain", text);

    [Fact]
    public async Task Beyond_the_cap_the_oldest_idle_connection_is_closed_and_new_requests_are_served()
    {
        HttpServer server = HttpServer.Start(0, (request, _) => Task.FromResult(Text(request.RawPath)),
            limits: new HttpServerLimits { MaxConnections = 8 });
        await using (server)
        {
            var idle = new List<RawConnection>();
            try
            {
                for (int i = 0; i < 30; i++)
                {
                    idle.Add(await RawConnection.OpenAsync(server.Port));
                }
                await using RawConnection fresh = await RawConnection.OpenAsync(server.Port);
                await fresh.SendAsync("GET /fresh HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.Equal("/fresh", (await fresh.ReadResponseAsync()).Text);

                // Evicted connections leave the table as their tasks finish, a moment after their socket closed.
                await WaitUntilAsync(() => server.ConnectionCount <= 8);
                Assert.True(server.EvictedConnections >= 30 + 1 - 8, $"evicted {server.EvictedConnections}");
                Assert.True(await idle[0].IsClosedByServerAsync(), "the oldest idle connection is still open");
            }
            finally
            {
                foreach (RawConnection connection in idle)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task When_every_slot_is_mid_request_a_new_connection_is_refused_not_accepted()
    {
        HttpServer server = HttpServer.Start(0, (request, _) => Task.FromResult(Text(request.RawPath)),
            limits: new HttpServerLimits { MaxConnections = 4, HeaderDeadline = TimeSpan.FromSeconds(30) });
        await using (server)
        {
            var busy = new List<RawConnection>();
            for (int i = 0; i < 4; i++)
            {
                RawConnection connection = await RawConnection.OpenAsync(server.Port);
                await connection.SendAsync("GET /half HTTP/1.1\r\n");   // a head that never ends
                busy.Add(connection);
            }
            await WaitUntilAsync(() => server.ConnectionCount == 4 && server.IdleConnectionCount == 0);
            await using RawConnection late = await RawConnection.OpenAsync(server.Port);
            Assert.True(await late.IsClosedByServerAsync(), "a connection beyond the cap was kept");
            Assert.True(server.RefusedConnections >= 1);
            foreach (RawConnection connection in busy)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("", "GET /slow HTTP/1.1\r\nX-Slow: ")]
    [InlineData("POST /slow HTTP/1.1\r\nContent-Length: 100\r\n\r\n", "")]
    public async Task A_request_trickled_a_byte_at_a_time_is_cut_off_at_the_deadline_with_408(string atOnce, string trickled)
    {
        HttpServer server = HttpServer.Start(0, (request, _) => Task.FromResult(Text(request.RawPath)),
            limits: new HttpServerLimits { MaxConnections = 16, HeaderDeadline = TimeSpan.FromSeconds(1) });
        await using (server)
        {
            await using RawConnection trickle = await RawConnection.OpenAsync(server.Port);
            Task<RawResponse> answer = trickle.ReadResponseAsync(timeoutMs: 10_000);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            if (atOnce.Length > 0)
            {
                await trickle.SendAsync(atOnce);   // a whole head, then a small body a byte at a time
            }
            foreach (char c in trickled + new string('a', 40))
            {
                if (answer.IsCompleted)
                {
                    break;
                }
                try
                {
                    await trickle.SendAsync(c.ToString());
                }
                catch (IOException)
                {
                    break;   // the server hung up
                }
                await Task.Delay(100);
            }
            RawResponse response = await answer;
            Assert.Equal(408, response.Status);
            Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
            Assert.True(await trickle.IsClosedByServerAsync());

            await using RawConnection next = await RawConnection.OpenAsync(server.Port);
            await next.SendAsync("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal("/next", (await next.ReadResponseAsync()).Text);
        }
    }

    [Fact]
    public async Task A_keep_alive_connection_waiting_for_its_next_request_is_not_held_to_the_head_deadline()
    {
        HttpServer server = HttpServer.Start(0, (request, _) => Task.FromResult(Text(request.RawPath)),
            limits: new HttpServerLimits { MaxConnections = 16, HeaderDeadline = TimeSpan.FromMilliseconds(300) });
        await using (server)
        {
            await using RawConnection connection = await RawConnection.OpenAsync(server.Port);
            await connection.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal("/one", (await connection.ReadResponseAsync()).Text);
            await Task.Delay(800);
            await connection.SendAsync("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal("/two", (await connection.ReadResponseAsync()).Text);
        }
    }

    [Theory]
    [InlineData(1024L, 448)]
    [InlineData(256L, 64)]
    [InlineData(100L, 16)]
    [InlineData(1_048_576L, 4096)]
    [InlineData(null, 4096)]
    public void The_cap_leaves_room_under_the_descriptor_limit(long? descriptors, int cap) =>
        Assert.Equal(cap, HttpServerLimits.ForDescriptorLimit(descriptors).MaxConnections);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition());
    }
}
