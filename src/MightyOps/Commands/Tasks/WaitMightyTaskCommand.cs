using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Exec;
using MightyOps.Core.Targeting;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>
/// Waits for one-off tasks to stop (Start-MightyTask -NoWait output, or any task by id), with
/// progress and the command's log lines, and reports how each ended.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "MightyTask")]
[OutputType(typeof(MightyTaskRun))]
public sealed class WaitMightyTaskCommand : TaskWatchCmdlet
{
    private TaskInput? _input;

    /// <summary>Task ids or ARNs; binds the TaskId of piped runs and tasks.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("TaskArn")]
    [ArgumentCompleter(typeof(OneOffTaskCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? TaskId { get; set; }

    /// <summary>The container whose exit code and lines count; the one the command override names when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ContainerName")]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    private protected override string Activity => "Waiting for";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _input = new TaskInput(new TaskTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster));
    }

    protected override void ProcessRecord()
    {
        foreach (MightyOpsException error in _input!.Add(Cluster, null, Container, TaskId))
        {
            WriteMightyError(error);
        }
    }

    protected override void EndProcessing()
    {
        var runner = new TaskRunner(Aws, Log);
        IReadOnlyList<MightyTaskRun> runs = Run(ct => _input!.DescribeAsync(runner, e => Post(() => WriteMightyError(e)), ct));
        WaitAndWrite(runs);
    }
}
