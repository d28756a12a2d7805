using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Exec;

namespace MightyOps.Commands.Exec;

[Cmdlet(VerbsCommon.Enter, "MightyContainer")]
[OutputType(typeof(void))]
public sealed class EnterMightyContainerCommand : ContainerCmdlet
{
    /// <summary>One service: a name, a service ARN, or a wildcard that matches exactly one.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>The program to run; bash (or sh when the image has none) when omitted.</summary>
    [Parameter(Position = 2)]
    [ValidateNotNullOrEmpty]
    public string? Command { get; set; }

    protected override IReadOnlyList<string>? ServiceInput => Service is null ? null : [Service];

    protected override void BeginProcessing()
    {
        // Before any AWS call: a runbook learns at once that this cmdlet is not for it.
        string? why = RawTerminal.Unsupported() ?? (Host.Name == "ConsoleHost" ? null : $"the PowerShell host is '{Host.Name}', not a console");
        if (why is not null)
        {
            ThrowMightyError(new MightyOpsException(
                ExecErrorIds.TerminalRequired,
                $"Enter-MightyContainer needs an interactive terminal, and here {why}. In scripts and runbooks use Invoke-MightyContainer -Service <service> -Container <container> -Command '<command>', which returns the output and exit code.",
                Host.Name));
        }
        if (Command is not null)
        {
            try
            {
                DockerExec.CheckCommand(Command);
            }
            catch (MightyOpsException e)
            {
                ThrowMightyError(e);
            }
        }
        base.BeginProcessing();
    }

    protected override void EndProcessing()
    {
        IReadOnlyList<MightyTask> tasks = ResolveTasks(allTasks: false, oneService: true);
        if (tasks.Count == 0)
        {
            return;
        }
        if (tasks.Count > 1)
        {
            ThrowMightyError(new MightyOpsException(
                ExecErrorIds.TooManyTasks,
                $"Enter-MightyContainer opens one session; {tasks.Count} tasks were given. Pick one with -TaskId, or use Invoke-MightyContainer -AllTasks.",
                tasks.Count));
        }
        try
        {
            ContainerTarget target = ContainerTarget.For(tasks[0], Container);
            (SshOptions settings, SshKey key) = ResolveSsh();
            using (key)
            {
                SshHost host = settings.EndpointFor(target.Task);
                WriteInformation($"Entering container '{target.Container.Name}' of task {target.Task.TaskId} ({target.Task.Service}) on {target.Task.Ec2InstanceId} ({host.Address}).", ["MightyOps.Task"]);
                using SshConnection connection = Run(ct => SshConnection.OpenAsync(host, settings, key, Log, ct));
                int exitCode = Run(ct => InteractiveSession.RunAsync(connection, target, Command, Log, ct));
                SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
                WriteVerbose($"The session ended with exit code {exitCode}.");
            }
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
        }
    }
}
