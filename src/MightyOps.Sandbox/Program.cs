using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MightyOps.Core;
using MightyOps.Sandbox.Admin;

namespace MightyOps.Sandbox;

/// <summary>
/// The standalone sandbox: <c>dotnet MightyOps.Sandbox.dll [options]</c>. Prints one JSON line
/// (endpoint, region, credentials, account) for scripts, then a hint for people, and serves
/// until Ctrl+C or SIGTERM.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: dotnet MightyOps.Sandbox.dll [options]

        A local, wire-compatible AWS endpoint (ECS, ECR, EC2 DescribeInstances, S3) on 127.0.0.1.

        Options:
          --port N                 TCP port (default 0: a free port)
          --seed demo|empty        starting state (default demo)
          --time-scale N           simulated seconds per real second (default 20)
          --worker-services N      one-queue worker services in the demo cluster (default 30)
          --region R               region to serve; requests must be signed for it (default us-east-1)
          --any-signing-region     accept signatures for any region (for clients that sign us-east-1)
          --throttling-rate F      fraction of requests throttled, 0..1 (default 0)
          --server-error-rate F    fraction of requests answered with a 500, 0..1 (default 0)
          --latency-ms N           delay added to every request (default 0)
          --random-seed N          makes fault injection repeatable
          --capture-requests       keep request bodies (GET /_sandbox/requests)
          --ecs-rate-limits        throttle ECS calls with ECS's own token buckets
          -h, --help               show this help

        The first line on stdout is JSON: endpoint, region, accessKeyId, secretAccessKey, accountId.
        Admin endpoints (unsigned, not counted; each is described in the module's README and in
        Get-Help Start-MightySandbox -Full):
        """;

    private static async Task<int> Main(string[] args)
    {
        SandboxOptions options;
        try
        {
            SandboxOptions? parsed = Parse(args);
            if (parsed is null)
            {
                Console.Out.WriteLine(Usage);
                Console.Out.WriteLine("  " + string.Join(Environment.NewLine + "  ", AdminApi.EndpointList));
                return 0;
            }
            options = parsed;
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine("Run with --help for the options.");
            return 2;
        }

        SandboxHost host;
        try
        {
            host = await SandboxHost.StartAsync(options).ConfigureAwait(false);
        }
        catch (MightyOpsException ex)
        {
            Console.Error.WriteLine($"error ({ex.ErrorId}): {ex.Message}");
            return ex.Is(SandboxErrorIds.SandboxInvalidOption) ? 2 : 1;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });

        await using (host.ConfigureAwait(false))
        {
            using var trim = new IdleMemoryTrim(host);
            string endpoint = host.Endpoint.ToString().TrimEnd('/');
            var line = new JsonObject
            {
                ["endpoint"] = endpoint,
                ["region"] = options.Region,
                ["accessKeyId"] = options.AccessKeyId,
                ["secretAccessKey"] = options.SecretAccessKey,
                ["accountId"] = options.AccountId,
                ["seed"] = options.Seed,
                ["pid"] = Environment.ProcessId,
            };
            Console.Out.WriteLine(line.ToJsonString());
            Console.Out.WriteLine($"MightyOps sandbox listening on {endpoint} (seed {options.Seed}). To use it from a shell:");
            Console.Out.WriteLine($"  export AWS_ENDPOINT_URL={endpoint} AWS_DEFAULT_REGION={options.Region} AWS_REGION={options.Region} AWS_ACCESS_KEY_ID={options.AccessKeyId} AWS_SECRET_ACCESS_KEY='{options.SecretAccessKey}'");
            Console.Out.WriteLine("Press Ctrl+C to stop.");
            Console.Out.Flush();
            await stop.Task.ConfigureAwait(false);
            Console.Out.WriteLine("Stopping the sandbox.");
        }
        return 0;
    }

    /// <summary>The options from the command line, or null when help was asked for.</summary>
    internal static SandboxOptions? Parse(string[] args)
    {
        var options = new SandboxOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? inlineValue = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }
                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"{arg} needs a value.");
                }
                return args[++i];
            }
            switch (arg)
            {
                case "-h" or "--help" or "-?" or "/?":
                    return null;
                case "--port":
                    options = options with { Port = Int(arg, Value()) };
                    break;
                case "--seed":
                    options = options with { Seed = Value() };
                    break;
                case "--time-scale":
                    options = options with { TimeScale = Double(arg, Value()) };
                    break;
                case "--worker-services":
                    options = options with { WorkerServiceCount = Int(arg, Value()) };
                    break;
                case "--region":
                    options = options with { Region = Value() };
                    break;
                case "--any-signing-region":
                    options = options with { AnySigningRegion = true };
                    break;
                case "--throttling-rate":
                    options = options with { ThrottlingRate = Double(arg, Value()) };
                    break;
                case "--server-error-rate":
                    options = options with { ServerErrorRate = Double(arg, Value()) };
                    break;
                case "--latency-ms":
                    options = options with { Latency = TimeSpan.FromMilliseconds(Double(arg, Value())) };
                    break;
                case "--random-seed":
                    options = options with { RandomSeed = Int(arg, Value()) };
                    break;
                case "--capture-requests":
                    options = options with { CaptureRequests = true };
                    break;
                case "--ecs-rate-limits":
                    options = options with { EcsRateLimits = true };
                    break;
                default:
                    throw new FormatException($"Unknown option '{args[i]}'.");
            }
        }
        return options;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result)
            ? result
            : throw new FormatException($"{name} expects a whole number, not '{value}'.");

    private static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) && double.IsFinite(result)
            ? result
            : throw new FormatException($"{name} expects a number, not '{value}'.");
}
