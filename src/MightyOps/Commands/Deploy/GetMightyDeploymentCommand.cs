using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// The services' deployments from ECS's service-deployment ledger (in progress ones first, then
/// the newest first), as MightyDeployment objects that Wait-, Stop- and Resume-MightyDeployment take.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MightyDeployment")]
[OutputType(typeof(MightyDeployment))]
public sealed class GetMightyDeploymentCommand : ClusterCmdlet
{
    private ServiceTargetResolver? _targets;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    [Parameter]
    public MightyDeploymentStatus[]? Status { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    [ValidateRange(1, 100)]
    public int Last { get; set; } = 10;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster);
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
        var history = new DeploymentHistory(Aws, Log);
        DateTimeOffset? since = Since is DateTime value ? new DateTimeOffset(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Local) : value) : null;
        Run(async ct =>
        {
            await foreach (ClusterTargets group in _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false))
            {
                foreach (MightyDeployment deployment in await history.ListAsync(group.Cluster, group.ServiceNames, Status ?? [], since, Last, error => Post(() => WriteMightyError(error)), ct).ConfigureAwait(false))
                {
                    Post(() => WriteObject(deployment));
                }
            }
        });
    }
}
