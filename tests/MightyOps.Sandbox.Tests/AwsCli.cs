using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Sandbox;

namespace MightyOps.Sandbox.Tests;

/// <summary>What one run of the real AWS CLI gave back.</summary>
/// <param name="ExitCode">The CLI's exit code (0 success, 254/255 service or client errors).</param>
/// <param name="Json">stdout parsed as JSON, or null when it was empty or not JSON.</param>
/// <param name="Stdout">stdout as text.</param>
/// <param name="Stderr">stderr as text (error messages: "An error occurred (Code) when calling ...").</param>
public sealed record AwsCliResult(int ExitCode, JsonNode? Json, string Stdout, string Stderr)
{
    public override string ToString() => $"aws exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the real AWS CLI (the reference client, on PATH) against a sandbox: endpoint, region and
/// the sandbox's keys come from the environment, exactly as a user would set them, with any
/// profile or config file on the machine shut out.
/// </summary>
public static class AwsCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <c>aws &lt;args&gt; --output json</c> against <paramref name="host"/> (blocking; prefer <see cref="RunAsync(SandboxHost, string[])"/> in async tests).</summary>
    public static AwsCliResult Run(SandboxHost host, params string[] args) => RunAsync(host, new Dictionary<string, string>(), args).GetAwaiter().GetResult();

    /// <summary>Runs <c>aws &lt;args&gt; --output json</c> and fails the test, with what the CLI said, unless it exits 0.</summary>
    public static AwsCliResult Ok(SandboxHost host, params string[] args)
    {
        AwsCliResult result = Run(host, args);
        Xunit.Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>Runs <c>aws &lt;args&gt; --output json</c> against <paramref name="host"/>.</summary>
    public static Task<AwsCliResult> RunAsync(SandboxHost host, params string[] args) => RunAsync(host, new Dictionary<string, string>(), args);

    /// <summary>
    /// As <see cref="RunAsync(SandboxHost, string[])"/>, with extra environment variables (e.g.
    /// <c>AWS_MAX_ATTEMPTS</c>, or <c>AWS_SECRET_ACCESS_KEY</c> to try a wrong secret). The CLI runs
    /// in the temp directory, so relative paths in <paramref name="args"/> should be avoided.
    /// </summary>
    public static async Task<AwsCliResult> RunAsync(SandboxHost host, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("aws")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (!args.Contains("--output"))
        {
            start.ArgumentList.Add("--output");
            start.ArgumentList.Add("json");
        }
        foreach (string name in new[] { "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION", "AWS_CA_BUNDLE" })
        {
            start.Environment.Remove(name);
        }
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("AWS_ENDPOINT_URL", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        string nowhere = Path.Combine(Path.GetTempPath(), "mightyops-no-aws-config");
        start.Environment["AWS_CONFIG_FILE"] = nowhere;
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = nowhere;
        start.Environment["AWS_ENDPOINT_URL"] = host.Endpoint.ToString().TrimEnd('/');
        start.Environment["AWS_DEFAULT_REGION"] = host.Options.Region;
        start.Environment["AWS_ACCESS_KEY_ID"] = host.Options.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = host.Options.SecretAccessKey;
        start.Environment["AWS_PAGER"] = string.Empty;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["PYTHONWARNINGS"] = "ignore";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the aws CLI.");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s.");
        }
        string output = await stdout.ConfigureAwait(false);
        string error = await stderr.ConfigureAwait(false);
        JsonNode? json = null;
        if (!string.IsNullOrWhiteSpace(output))
        {
            try
            {
                json = JsonNode.Parse(output);
            }
            catch (JsonException)
            {
            }
        }
        return new AwsCliResult(process.ExitCode, json, output, error);
    }
}
