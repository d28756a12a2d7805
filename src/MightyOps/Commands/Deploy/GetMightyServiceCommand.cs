using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsCommon.Get, "MightyService")]
[OutputType(typeof(MightyService))]
public sealed class GetMightyServiceCommand : AwsCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "default";

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
        var query = new ServiceQuery(Aws, Log);
        try
        {
            RunEach(
                ct => query.GetAsync(EcsName(Cluster), Service?.Select(EcsName).ToList(), IncludeImages, e => Post(() => WriteMightyError(e)), ct),
                WriteObject);
        }
        catch (MightyOpsException e)
        {
            // A cluster that is not there, or AWS refusing us, ends this input; the next pipeline input may still work.
            WriteMightyError(e);
        }
    }

    // Accept ARNs (AWS.Tools objects carry ClusterArn / ServiceArn) as well as names.
    private static string EcsName(string nameOrArn) => Core.Aws.Ecs.EcsArn.LastSegment(nameOrArn);
}
