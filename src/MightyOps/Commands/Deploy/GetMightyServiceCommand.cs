using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsCommon.Get, "MightyService")]
[OutputType(typeof(MightyService))]
public sealed class GetMightyServiceCommand : AwsCmdlet
{
    // Pipeline input is gathered per cluster and looked up together at the end: piping 30 names
    // costs one ListServices and three DescribeServices, not thirty of each.
    private ServiceTargetResolver? _targets;

    /// <summary>A cluster name or ARN; when neither this nor a service ARN names one, the config's Cluster, else 'default'.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services", "Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Piped input: see <see cref="ServiceTargetInput"/>.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    public SwitchParameter IncludeImages { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster);
    }

    protected override void ProcessRecord()
    {
        try
        {
            (string? cluster, IReadOnlyList<string>? services) = ServiceTargetInput.Read(InputObject, Cluster, Service);
            foreach (MightyOpsException error in _targets!.Add(cluster, services))
            {
                WriteMightyError(error);
            }
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
        }
    }

    protected override void EndProcessing()
    {
        var query = new ServiceQuery(Aws, Log);
        RunEach(ct => query.GetAsync(_targets!, IncludeImages, e => Post(() => WriteMightyError(e)), ct), WriteObject);
    }
}
