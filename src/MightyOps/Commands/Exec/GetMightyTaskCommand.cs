using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Exec;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Exec;

[Cmdlet(VerbsCommon.Get, "MightyTask")]
[OutputType(typeof(MightyTask))]
public sealed class GetMightyTaskCommand : ClusterCmdlet
{
    // Pipeline input is gathered per cluster and looked up together at the end, so piping 30
    // services costs one ListServices per cluster and one DescribeTasks per 100 tasks.
    private TaskTargetResolver? _targets;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Piped input: see <see cref="ServiceTargetInput"/>.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
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

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _targets = new TaskTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster);
    }

    protected override void ProcessRecord()
    {
        try
        {
            (string? cluster, IReadOnlyList<string>? services) = TaskId is null
                ? ServiceTargetInput.Read(InputObject, Cluster, Service)
                : (Cluster, Service);
            foreach (MightyOpsException error in _targets!.Add(cluster, services, TaskId))
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
        var locator = new TaskLocator(Aws, Log);
        IReadOnlyList<TaskTargets> lookups = Run(ct => _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct));
        foreach (TaskTargets lookup in lookups)
        {
            try
            {
                IReadOnlyList<MightyTask> tasks = Run(ct => locator.GetAsync(TaskQuery.For(lookup, DesiredStatus) with { IncludeTargetHealth = true }, e => Post(() => WriteMightyError(e)), ct));
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
