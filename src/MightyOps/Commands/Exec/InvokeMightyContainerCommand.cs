using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Exec;

namespace MightyOps.Commands.Exec;

[Cmdlet(VerbsLifecycle.Invoke, "MightyContainer", SupportsShouldProcess = true)]
[OutputType(typeof(MightyContainerResult))]
public sealed class InvokeMightyContainerCommand : ContainerCmdlet
{
    /// <summary>Service names, service ARNs or wildcards; one task of each, or every task with -AllTasks.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter AllTasks { get; set; }

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>How long the command may run in each container; a number is seconds. On timeout its processes in the container are ended.</summary>
    [Parameter]
    [SecondsToTimeSpan]
    public TimeSpan Timeout { get; set; }

    /// <summary>Writes standard output to this file byte for byte (one container only); the result's Output is then empty.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    protected override IReadOnlyList<string>? ServiceInput => Service;

    protected override void BeginProcessing()
    {
        // Refused before any lookup: an SSH exec request cannot carry a NUL.
        try
        {
            DockerExec.CheckCommand(Command);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
        }
        base.BeginProcessing();
    }

    protected override void EndProcessing()
    {
        string? outFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        var targets = new List<ContainerTarget>();
        IReadOnlyList<MightyTask> tasks = ResolveTasks(AllTasks);
        try
        {
            ContainerCommandRunner.CheckOutFile(outFile, tasks.Count);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
        }
        foreach (MightyTask task in tasks)
        {
            try
            {
                ContainerTarget target = ContainerTarget.For(task, Container);
                if (ShouldProcess($"container '{target.Container.Name}' of task {task.TaskId} ({task.Service}) on {task.Ec2InstanceId}", $"Run '{Command}'"))
                {
                    targets.Add(target);
                }
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
        if (targets.Count == 0)
        {
            return;
        }

        (SshOptions settings, SshKey key) ssh;
        try
        {
            ssh = ResolveSsh();
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }
        using SshKey key = ssh.key;
        using var runner = new ContainerCommandRunner(ssh.settings, key, Log);
        var progress = new ProgressRecord(1, "Invoke-MightyContainer", $"'{Command}' in {targets.Count} containers");
        IProgress<int>? report = targets.Count > 1
            ? ProgressOnPipeline<int>(done =>
            {
                progress.PercentComplete = done * 100 / targets.Count;
                progress.StatusDescription = $"{done} of {targets.Count} done";
                WriteProgress(progress);
            })
            : null;
        try
        {
            Run(ct => runner.RunAsync(
                targets,
                Command,
                ThrottleLimit,
                MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null,
                outFile,
                result => Post(() => WriteResult(result)),
                (_, e) => Post(() => WriteMightyError(e)),
                report,
                ct));
        }
        finally
        {
            if (report is not null)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }

    private void WriteResult(MightyContainerResult result)
    {
        WriteObject(result);
        if (result.ExitCode != 0)
        {
            WriteMightyError(ContainerCommandRunner.Failed(result));
        }
    }
}
