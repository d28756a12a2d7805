using System.Management.Automation;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

// Rolling back on failure changes the service, so it asks as Publish-MightyService does.
[Cmdlet(VerbsLifecycle.Wait, "MightyDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = DeploymentSet)]
[OutputType(typeof(MightyDeployment))]
public sealed class WaitMightyDeploymentCommand : PipedDeploymentCmdlet
{
    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    private protected override TargetingMode Targeting => TargetingMode.Read;

    private protected override string Activity => "Waiting for deployments";

    // Already finished: nothing to wait for, returned as it is.
    protected override void EndProcessing() => Watch(CollectDeployments(WriteObject), NoRollback);
}
