using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Sandbox;

namespace MightyOps.Commands.Sandbox;

[Cmdlet(VerbsLifecycle.Start, "MightySandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MightySandbox))]
public sealed class StartMightySandboxCommand : MightyCmdlet
{
    [Parameter(Position = 0)]
    [ValidateSet("demo", "empty")]
    public string Seed { get; set; } = "demo";

    [Parameter]
    [ValidateRange(0.1, 10000)]
    public double TimeScale { get; set; } = 20;

    [Parameter]
    [ValidateRange(0, 1000)]
    public int WorkerServiceCount { get; set; } = 30;

    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Region { get; set; } = "us-east-1";

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double ThrottlingRate { get; set; }

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double ServerErrorRate { get; set; }

    [Parameter]
    [ValidateRange(0, 60000)]
    public int LatencyMilliseconds { get; set; }

    /// <summary>Makes a run repeatable: the same seed throttles the same requests and gives the same ids and timings.</summary>
    [Parameter]
    public int RandomSeed { get; set; }

    [Parameter]
    public SwitchParameter CaptureRequests { get; set; }

    /// <summary>Throttles ECS calls with ECS's own token buckets (burst and refill per action category), in real time.</summary>
    [Parameter]
    public SwitchParameter EcsRateLimits { get; set; }

    [Parameter]
    public SwitchParameter NoEnvironment { get; set; }

    protected override void EndProcessing()
    {
        string target = Port == 0 ? "127.0.0.1 (a free port)" : $"127.0.0.1:{Port}";
        string action = NoEnvironment ? $"Start the MightyOps sandbox (seed '{Seed}')" : $"Start the MightyOps sandbox (seed '{Seed}') and point this session's AWS environment variables at it";
        if (!ShouldProcess(target, action))
        {
            return;
        }

        var options = new SandboxOptions
        {
            Port = Port,
            Seed = Seed,
            TimeScale = TimeScale,
            WorkerServiceCount = WorkerServiceCount,
            Region = Region,
            ThrottlingRate = ThrottlingRate,
            ServerErrorRate = ServerErrorRate,
            Latency = TimeSpan.FromMilliseconds(LatencyMilliseconds),
            CaptureRequests = CaptureRequests,
            RandomSeed = MyInvocation.BoundParameters.ContainsKey(nameof(RandomSeed)) ? RandomSeed : null,
            EcsRateLimits = EcsRateLimits,
        };

        SandboxHost host;
        try
        {
            host = Run(ct => SandboxHost.StartAsync(options, ct));
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }

        var info = new MightySandbox(() => host.RequestCounts, () => host.IsRunning)
        {
            Endpoint = host.Endpoint.ToString().TrimEnd('/'),
            Port = host.Endpoint.Port,
            Region = options.Region,
            AccessKeyId = options.AccessKeyId,
            SecretAccessKey = options.SecretAccessKey,
            AccountId = options.AccountId,
            Seed = options.Seed,
            TimeScale = options.TimeScale,
        };
        SandboxSessions.Add(info, host);
        if (!NoEnvironment)
        {
            SandboxSessions.UseEnvironment(info);
            WriteVerbose($"AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION and test credentials now point at {info.Endpoint}; Stop-MightySandbox restores them.");
        }
        WriteObject(info);
    }
}
