using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using Xunit;
using Xunit.Abstractions;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The standalone executable as a separate process under a descriptor limit (<c>ulimit -n</c>),
/// as a script runs it: it must keep answering signed requests through a flood of idle
/// connections and unsigned uploads, with its memory measured from <c>/proc</c>.
/// </summary>
public sealed class StandaloneUnderPressureTests(ITestOutputHelper output)
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "MightyOps.Sandbox.dll");

    [Fact]
    public async Task It_keeps_answering_through_1100_idle_connections_under_ulimit_1024()
    {
        await using StandaloneSandbox sandbox = await StandaloneSandbox.StartAsync(descriptorLimit: 1024);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 1100; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync("127.0.0.1", sandbox.Port, timeout.Token);
            }
            // Every idle connection is open on this side; the sandbox answers a signed call.
            Assert.Equal(200, await sandbox.SignedListClustersAsync());
            int descriptors = sandbox.OpenDescriptors();
            output.WriteLine($"1100 idle connections: the sandbox holds {descriptors} descriptors (limit 1024), peak RSS {sandbox.PeakRssMiB()} MiB");
            Assert.InRange(descriptors, 1, 1023);
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
        Assert.Equal(200, await sandbox.SignedListClustersAsync());
        Assert.False(sandbox.HasExited);
    }

    [Fact]
    public async Task Six_concurrent_unsigned_200MB_bodies_are_refused_without_reading_them()
    {
        await using StandaloneSandbox sandbox = await StandaloneSandbox.StartAsync(descriptorLimit: 1024);
        Assert.Equal(200, await sandbox.SignedListClustersAsync());
        long before = sandbox.PeakRssMiB();

        const long bodyBytes = 200L * 1024 * 1024;
        int[] statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => UnsignedUploadAsync(sandbox.Port, $"/uploads/big-{i}.bin", bodyBytes)));

        long peak = sandbox.PeakRssMiB();
        output.WriteLine($"6 x 200 MB unsigned bodies: peak RSS {before} MiB before, {peak} MiB after; answers {string.Join(", ", statuses)}");
        Assert.All(statuses, status => Assert.Equal(403, status));
        Assert.InRange(peak - before, 0, 100);
        Assert.Equal(200, await sandbox.SignedListClustersAsync());
    }

    /// <summary>Sends a head announcing <paramref name="length"/> bytes, then the bytes, until the answer comes; returns its status.</summary>
    private static async Task<int> UnsignedUploadAsync(int port, string path, long length)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {length}\r\n\r\n"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<string> statusLine = ReadStatusLineAsync(stream, deadline.Token);
        byte[] chunk = new byte[1024 * 1024];
        try
        {
            for (long sent = 0; sent < length && !statusLine.IsCompleted; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk, deadline.Token);
            }
        }
        catch (IOException)
        {
            // The server answered and hung up mid-body: what a refusal looks like from here.
        }
        return int.Parse((await statusLine).Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static async Task<string> ReadStatusLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }
        return line.ToString().TrimEnd('\r');
    }

    /// <summary><c>dotnet MightyOps.Sandbox.dll --seed empty</c> under <c>ulimit -n</c>, killed on dispose.</summary>
    private sealed class StandaloneSandbox : IAsyncDisposable
    {
        private static readonly SandboxOptions Defaults = new();
        private readonly Process _process;
        private readonly HttpClient _http = new();

        private StandaloneSandbox(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public bool HasExited => _process.HasExited;

        public static async Task<StandaloneSandbox> StartAsync(int descriptorLimit)
        {
            // `ulimit -n` sets the soft and the hard limit, so the runtime cannot raise it again.
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"ulimit -n {descriptorLimit} && exec dotnet \"$0\" --port 0 --seed empty");
            start.ArgumentList.Add(Dll);
            Process process = Process.Start(start)!;
            string first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
                ?? throw new InvalidOperationException("The sandbox printed nothing: " + await process.StandardError.ReadToEndAsync());
            var endpoint = new Uri((string)JsonNode.Parse(first)!["endpoint"]!);
            return new StandaloneSandbox(process, endpoint.Port);
        }

        public async Task<int> SignedListClustersAsync()
        {
            byte[] body = "{}"u8.ToArray();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Port}/") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
            SigV4.Sign(request, body, new AwsCredentialSnapshot(Defaults.AccessKeyId, Defaults.SecretAccessKey), Defaults.Region, "ecs", DateTime.UtcNow);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using HttpResponseMessage response = await _http.SendAsync(request, timeout.Token);
            return (int)response.StatusCode;
        }

        public int OpenDescriptors() => Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd").Length;

        /// <summary>VmHWM: the most resident memory the process has had so far.</summary>
        public long PeakRssMiB()
        {
            string line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }
}
