using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsData.Restore, "MightyService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PreviousSet)]
[OutputType(typeof(MightyDeployment))]
public sealed class RestoreMightyServiceCommand : RolloutCmdlet
{
    private const string PreviousSet = "Previous";
    private const string TaskDefinitionSet = "TaskDefinition";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>An ARN, family:revision, or a revision number of the service's family.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TaskDefinitionSet)]
    [ValidateNotNullOrEmpty]
    public string? TaskDefinition { get; set; }

    [Parameter(ParameterSetName = PreviousSet)]
    public SwitchParameter Previous { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>Deploys even while another deployment of the service is in progress (ECS stops that one).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override TargetingMode Targeting => TargetingMode.Change;

    private protected override string Activity => "Rolling back";

    protected override void ProcessRecord() => AddTargets(Cluster, Service);

    protected override void EndProcessing()
    {
        var deployments = new ServiceDeployments(Aws, Log);
        List<RestorePlan> plans = PlanPerCluster((cluster, services, onError, ct) => deployments.PlanRestoreAsync(cluster, services, TaskDefinition, Force, onError, ct));
        var started = new List<WatchedDeployment>();
        foreach (RestorePlan plan in plans)
        {
            string action = $"Deploy {MightyServiceDeployment.ShortTaskDefinition(plan.TargetTaskDefinition)} ({plan.Why}) in place of {MightyServiceDeployment.ShortTaskDefinition(plan.CurrentTaskDefinition)}";
            if (!ShouldProcess($"{plan.Cluster}/{plan.Service}", action))
            {
                continue;
            }
            try
            {
                started.Add(Run(ct => deployments.StartRestoreAsync(plan, ct)));
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
        // A restore that fails is not rolled back again: the error says where the service stands.
        Watch(started, noRollback: true, NoWait);
    }
}
