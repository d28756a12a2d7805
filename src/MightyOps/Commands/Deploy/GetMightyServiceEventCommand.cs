using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsCommon.Get, "MightyServiceEvent")]
[OutputType(typeof(MightyServiceEvent))]
public sealed class GetMightyServiceEventCommand : ClusterCmdlet
{
    private ServiceTargetResolver? _targets;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    [ValidateRange(1, 100)]
    public int? Last { get; set; }

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
        var deployments = new ServiceDeployments(Aws, Log);
        DateTimeOffset? since = Since is DateTime value ? new DateTimeOffset(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Local) : value) : null;
        Run(async ct =>
        {
            await foreach (ClusterTargets group in _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false))
            {
                foreach (MightyServiceEvent e in await deployments.EventsAsync(group.Cluster, group.ServiceNames, since, Last, error => Post(() => WriteMightyError(error)), ct).ConfigureAwait(false))
                {
                    Post(() => WriteObject(e));
                }
            }
        });
    }
}
