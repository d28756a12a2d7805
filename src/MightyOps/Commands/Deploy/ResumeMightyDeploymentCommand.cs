using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// Answers a deployment that waits at a pause hook (ContinueServiceDeployment): -Continue lets it
/// go on, -Rollback rolls it back; then waits for ECS's verdict (docs/design/ecs-service-deployments.md).
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "MightyDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = DeploymentSet)]
[OutputType(typeof(MightyDeployment))]
public sealed class ResumeMightyDeploymentCommand : PipedDeploymentCmdlet
{
    [Parameter]
    public SwitchParameter Continue { get; set; }

    [Parameter]
    public SwitchParameter Rollback { get; set; }

    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    private protected override TargetingMode Targeting => TargetingMode.Change;

    private protected override string Activity => Rollback ? "Rolling back deployments" : "Continuing deployments";

    protected override void BeginProcessing()
    {
        if (Continue.IsPresent == Rollback.IsPresent)
        {
            ThrowMightyError(new MightyOpsException(DeployErrorIds.ResumeActionRequired,
                "Say how to resume: -Continue lets the deployment go on past its pause hook, -Rollback rolls it back (one of the two).", null));
        }
        base.BeginProcessing();
    }

    protected override void EndProcessing() => Watch(
        ActInFlight(
            (deployment, entry) =>
            {
                EcsDeploymentLifecycleHookDetail hook = DeploymentHistory.PausedAt(deployment, entry);
                return $"{(Rollback ? "Roll back" : "Continue")} the deployment {entry.ServiceDeploymentArn} waiting at pause hook {hook.HookId} (stage {entry.LifecycleStage})";
            },
            (history, deployment, entry, ct) => history.ResumeAsync(deployment, DeploymentHistory.PausedAt(deployment, entry).HookId!, Rollback, ct)),
        NoRollback || Rollback,
        NoWait);
}
