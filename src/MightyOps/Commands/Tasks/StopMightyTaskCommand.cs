using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Exec;
using MightyOps.Core.Targeting;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>Stops tasks (StopTask): one-off tasks piped from Start-MightyTask or Get-MightyTask, or any task by id.</summary>
[Cmdlet(VerbsLifecycle.Stop, "MightyTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MightyTaskRun))]
public sealed class StopMightyTaskCommand : ClusterCmdlet
{
    private TaskInput? _input;

    /// <summary>Task ids or ARNs; binds the TaskId of piped runs and tasks.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("TaskArn")]
    [ArgumentCompleter(typeof(OneOffTaskCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? TaskId { get; set; }

    /// <summary>Why, as the task's stoppedReason shows it (DescribeTasks, Get-MightyTask).</summary>
    [Parameter(Position = 1)]
    [ValidateLength(1, 255)]
    public string Reason { get; set; } = "Stopped with Stop-MightyTask";

    /// <summary>Writes each stopped task's run as ECS answered (desired STOPPED; it stops within the container's stop timeout).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _input = new TaskInput(new TaskTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster));
    }

    protected override void ProcessRecord()
    {
        foreach (MightyOpsException error in _input!.Add(Cluster, null, null, TaskId))
        {
            WriteMightyError(error);
        }
    }

    protected override void EndProcessing()
    {
        var runner = new TaskRunner(Aws, Log);
        IReadOnlyList<MightyTaskRun> runs = Run(ct => _input!.DescribeAsync(runner, e => Post(() => WriteMightyError(e)), ct));
        foreach (MightyTaskRun run in runs)
        {
            if (run.LastStatus is "STOPPED" or "STOPPING" or "DEACTIVATING" or "DEPROVISIONING")
            {
                WriteVerbose($"Task {run.TaskId} is {run.LastStatus} already; nothing to stop.");
                continue;
            }
            string what = run.Command.Length > 0 ? $" ('{run.Command}')" : string.Empty;
            if (!ShouldProcess($"task {run.TaskId}{what} of {run.TaskDefinitionName} in cluster {run.Cluster}", $"Stop ({Reason})"))
            {
                continue;
            }
            try
            {
                MightyTaskRun stopped = Run(ct => runner.StopAsync(run, Reason, ct));
                if (PassThru)
                {
                    WriteObject(stopped);
                }
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
    }
}
