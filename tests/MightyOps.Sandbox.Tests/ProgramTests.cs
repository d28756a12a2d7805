using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The standalone executable, run as scripts run it: <c>dotnet MightyOps.Sandbox.dll …</c>.</summary>
public sealed class ProgramTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "MightyOps.Sandbox.dll");

    [Fact]
    public async Task PrintsOneJsonLineServesAndStopsOnSigterm()
    {
        using Process process = Start("--port", "0", "--seed", "demo", "--region", "eu-west-1", "--time-scale", "50", "--latency-ms", "0", "--throttling-rate", "0", "--random-seed", "3");
        try
        {
            string first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("no output");
            JsonNode line = JsonNode.Parse(first)!;
            string endpoint = (string)line["endpoint"]!;
            Assert.StartsWith("http://127.0.0.1:", endpoint);
            Assert.Equal("eu-west-1", (string?)line["region"]);
            Assert.Equal("123456789012", (string?)line["accountId"]);
            Assert.Equal(new SandboxOptions().AccessKeyId, (string?)line["accessKeyId"]);
            Assert.Equal(new SandboxOptions().SecretAccessKey, (string?)line["secretAccessKey"]);
            string hint = await process.StandardOutput.ReadLineAsync() + "\n" + await process.StandardOutput.ReadLineAsync();
            Assert.Contains($"export AWS_ENDPOINT_URL={endpoint}", hint);

            using var http = new HttpClient();
            JsonNode info = JsonNode.Parse(await http.GetStringAsync(endpoint + "/_sandbox/info"))!;
            Assert.Equal("eu-west-1", (string?)info["region"]);
            Assert.Equal(50.0, (double)info["timeScale"]!);

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping the sandbox.", await process.StandardOutput.ReadToEndAsync());
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(endpoint + "/_sandbox/info"));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task HelpExitsZero()
    {
        (int exit, string stdout, _) = await RunToEndAsync("--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage: dotnet MightyOps.Sandbox.dll", stdout);
        Assert.Contains("--throttling-rate", stdout);
        Assert.Contains("POST /_sandbox/push-image", stdout);
    }

    [Theory]
    [InlineData("--seed", "staging")]
    [InlineData("--throttling-rate", "2")]
    [InlineData("--port", "eighty")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--latency-ms", "-5")]
    public async Task BadArgumentsExitTwoWithAReadableMessage(string option, string value)
    {
        (int exit, _, string stderr) = await RunToEndAsync(option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith("error", stderr);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
    }

    [Fact]
    public async Task PortInUseExitsOne()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        string port = ((IPEndPoint)blocker.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (int exit, _, string stderr) = await RunToEndAsync("--port", port, "--seed", "empty");
        Assert.Equal(1, exit);
        Assert.Contains("SandboxPortInUse", stderr);
        Assert.Contains(port, stderr);
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start)!;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunToEndAsync(params string[] args)
    {
        using Process process = Start(args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout, await stderr);
    }
}
