using System.Diagnostics;
using System.Net.Sockets;
using MightyOps.Core.Tests.Aws;

namespace MightyOps.Core.Tests.Queues;

/// <summary>
/// A real redis-server on a free loopback port with its own temporary directory, stopped on
/// dispose. <c>password</c> turns on requirepass.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port, string? password)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string? Password { get; }

    /// <summary>redis://[:password@]127.0.0.1:port/database</summary>
    public string Url(int database = 0) =>
        Password is null ? $"redis://127.0.0.1:{Port}/{database}" : $"redis://:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/{database}";

    public static async Task<RedisServer> StartAsync(string? password = null, params string[] extraArguments)
    {
        for (int attempt = 0; ; attempt++)
        {
            // The port was free a moment ago; another test run may take it first, so try again then.
            int port = TestEnvironment.ClosedPort();
            string directory = Path.Combine(Path.GetTempPath(), "mightyops-redis-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(directory);
            var start = new ProcessStartInfo("redis-server")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in (string[])["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, .. extraArguments])
            {
                start.ArgumentList.Add(argument);
            }
            if (password is not null)
            {
                start.ArgumentList.Add("--requirepass");
                start.ArgumentList.Add(password);
            }
            Process process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RedisServer(process, directory, port, password);
            if (await server.WaitUntilListeningAsync())
            {
                return server;
            }
            await server.DisposeAsync();
            if (attempt == 4)
            {
                throw new InvalidOperationException("redis-server did not start listening on a loopback port (is the redis-server package installed?).");
            }
        }
    }

    /// <summary>Stops the server with SIGSTOP: connections stay open, nothing is answered.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    /// <summary>Kills the server at once (SIGKILL, also when frozen): its connections are dropped.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    private async Task SignalAsync(string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool> WaitUntilListeningAsync()
    {
        for (int i = 0; i < 100 && !_process.HasExited; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }
}
