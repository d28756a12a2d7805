using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsData.Restore, "MightyService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PreviousSet)]
[OutputType(typeof(MightyDeployment))]
public sealed class RestoreMightyServiceCommand : AwsCmdlet
{
    private const string PreviousSet = "Previous";
    private const string TaskDefinitionSet = "TaskDefinition";

    private ServiceTargetResolver? _targets;
    private RolloutDisplay? _display;

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

    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    protected override void BeginProcessing()
    {
        if (Timeout <= TimeSpan.Zero)
        {
            ThrowMightyError(new MightyOpsException("InvalidTimeout", MightyErrorKind.InvalidArgument, $"-Timeout must be positive, not {Timeout}.", Timeout));
        }
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Change, DefaultCluster);
        _display = new RolloutDisplay(this, "Rolling back");
    }

    protected override void ProcessRecord()
    {
        foreach (MightyOpsException error in _targets!.Add(Cluster, Service))
        {
            WriteMightyError(error);
        }
    }

    protected override void EndProcessing()
    {
        var deployments = new ServiceDeployments(Aws, Log);
        var plans = new List<RestorePlan>();
        Run(async ct =>
        {
            await foreach (ClusterTargets group in _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false))
            {
                plans.AddRange(await deployments.PlanRestoreAsync(group.Cluster, group.ServiceNames, TaskDefinition, e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false));
            }
        });
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
        if (NoWait)
        {
            started.ForEach(d => WriteObject(d.ToResult()));
            return;
        }
        // A restore that fails is not rolled back again: the error says where the service stands.
        _display!.Watch(Run, new RolloutWatcher(Aws, Log), started, Timeout, noRollback: true);
    }

    protected override void StopProcessing()
    {
        if (_display is { IsWatching: true })
        {
            Host.UI.WriteWarningLine(_display.StoppedMessage());
        }
        base.StopProcessing();
    }
}
