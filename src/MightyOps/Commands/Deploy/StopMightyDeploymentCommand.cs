using System.Management.Automation;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// Stops deployments in flight through ECS's StopServiceDeployment: with -Rollback ECS rolls the
/// deployment back, without it stops it where it stands; then waits for ECS's verdict
/// (docs/design/ecs-service-deployments.md).
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "MightyDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = DeploymentSet)]
[OutputType(typeof(MightyDeployment))]
public sealed class StopMightyDeploymentCommand : PipedDeploymentCmdlet
{
    [Parameter]
    public SwitchParameter Rollback { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    private protected override TargetingMode Targeting => TargetingMode.Change;

    private protected override string Activity => Rollback ? "Rolling back deployments" : "Stopping deployments";

    protected override void EndProcessing() => Watch(
        ActInFlight(
            (deployment, entry) => Rollback
                ? $"Roll back the deployment {entry.ServiceDeploymentArn} of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} (StopServiceDeployment ROLLBACK)"
                : $"Stop the deployment {entry.ServiceDeploymentArn} of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} where it stands, without rolling back (StopServiceDeployment ABORT)",
            (history, deployment, _, ct) => history.StopAsync(deployment, Rollback, ct)),
        noRollback: true,
        NoWait);
}
