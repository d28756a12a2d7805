using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsCommon.Get, "MightyService")]
[OutputType(typeof(MightyService))]
public sealed class GetMightyServiceCommand : AwsCmdlet
{
    // Pipeline input is gathered per cluster, in the order the clusters came, and looked up
    // together at the end: piping 30 names costs one ListServices and three DescribeServices, not
    // thirty of each. Null patterns mean every service of the cluster.
    private readonly List<(string Cluster, List<string>? Patterns)> _requests = [];

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    [Parameter]
    public SwitchParameter IncludeImages { get; set; }

    protected override void ProcessRecord()
    {
        // Accept ARNs (AWS.Tools objects carry ClusterArn / ServiceArn) as well as names.
        string cluster = EcsArn.LastSegment(Cluster ?? DefaultCluster);
        List<string>? names = Service?.Select(EcsArn.LastSegment).ToList();
        int index = _requests.FindIndex(r => r.Cluster == cluster);
        if (index < 0)
        {
            _requests.Add((cluster, names));
        }
        else if (names is null)
        {
            _requests[index] = (cluster, null);
        }
        else
        {
            _requests[index].Patterns?.AddRange(names);
        }
    }

    protected override void EndProcessing()
    {
        var query = new ServiceQuery(Aws, Log);
        foreach ((string cluster, List<string>? patterns) in _requests)
        {
            try
            {
                RunEach(ct => query.GetAsync(cluster, patterns, IncludeImages, e => Post(() => WriteMightyError(e)), ct), WriteObject);
            }
            catch (MightyOpsException e)
            {
                // A cluster that is not there, or AWS refusing us, ends this cluster; the next one may still work.
                WriteMightyError(e);
            }
        }
    }
}
