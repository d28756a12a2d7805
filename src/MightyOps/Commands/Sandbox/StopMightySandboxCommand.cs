using System.Management.Automation;

namespace MightyOps.Commands.Sandbox;

[Cmdlet(VerbsLifecycle.Stop, "MightySandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class StopMightySandboxCommand : MightyCmdlet
{
    private readonly List<MightySandbox> _targets = [];

    /// <summary>The sandbox to stop; every sandbox this session started when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public MightySandbox[]? Sandbox { get; set; }

    protected override void ProcessRecord()
    {
        _targets.AddRange(Sandbox ?? []);
    }

    protected override void EndProcessing()
    {
        IEnumerable<MightySandbox> targets = _targets.Count > 0 ? _targets : SandboxSessions.All();
        foreach (MightySandbox sandbox in targets)
        {
            string action = SandboxSessions.OwnsEnvironment(sandbox)
                ? "Stop the MightyOps sandbox and restore the AWS environment variables it replaced"
                : "Stop the MightyOps sandbox";
            if (ShouldProcess(sandbox.Endpoint, action))
            {
                Run(_ => SandboxSessions.StopAsync(sandbox));
            }
        }
    }
}
