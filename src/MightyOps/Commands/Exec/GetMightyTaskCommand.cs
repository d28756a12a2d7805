using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Exec;

namespace MightyOps.Commands.Exec;

[Cmdlet(VerbsCommon.Get, "MightyTask")]
[OutputType(typeof(MightyTask))]
public sealed class GetMightyTaskCommand : AwsCmdlet
{
    // Pipeline input is gathered per cluster and looked up together at the end, so piping 30
    // services costs one DescribeTasks per 100 tasks, not one per service.
    private readonly List<(string Cluster, List<string> Services, List<string> TaskIds)> _requests = [];

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter]
    [Alias("Task", "TaskArn")]
    [ValidateNotNullOrEmpty]
    public string[]? TaskId { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    [Parameter]
    [ValidateSet("RUNNING", "STOPPED")]
    public string DesiredStatus { get; set; } = "RUNNING";

    protected override void ProcessRecord()
    {
        string cluster = EcsArn.LastSegment(Cluster ?? DefaultCluster);
        int index = _requests.FindIndex(r => r.Cluster == cluster);
        if (index < 0)
        {
            _requests.Add((cluster, [], []));
            index = _requests.Count - 1;
        }
        _requests[index].Services.AddRange(Service ?? []);
        _requests[index].TaskIds.AddRange(TaskId ?? []);
    }

    protected override void EndProcessing()
    {
        var locator = new TaskLocator(Aws, Log);
        foreach ((string cluster, List<string> services, List<string> taskIds) in _requests)
        {
            try
            {
                IReadOnlyList<MightyTask> tasks = Run(ct => locator.GetAsync(new TaskQuery(cluster, services, taskIds, DesiredStatus), e => Post(() => WriteMightyError(e)), ct));
                foreach (MightyTask task in tasks.Where(t => Container is null || t.Containers.Any(c => c.Name == Container)))
                {
                    WriteObject(task);
                }
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
    }
}
