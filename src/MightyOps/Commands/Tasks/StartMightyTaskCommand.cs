using System.Collections;
using System.Management.Automation;
using MightyOps.Commands.Deploy;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>
/// Runs a command as a one-off task of a service (a migration, a console, a shell in a revision
/// that crashes): the service's revision, network and placement, the command as the container's
/// command override; then waits for it to stop, showing its lines.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MightyTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = LiveSet)]
[OutputType(typeof(MightyTaskRun))]
public sealed class StartMightyTaskCommand : TaskWatchCmdlet
{
    private const string LiveSet = "Live";
    private const string RevisionSet = "TaskDefinition";
    private const string TagSet = "Tag";
    private const string ImageSet = "Image";

    private ServiceTargetResolver? _targets;
    private TaskCommand? _command;

    /// <summary>The service whose revision, network and placement the task takes.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>A command line (string, run by sh -c) or a program and its arguments (string array, run as they are).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNull]
    public object? Command { get; set; }

    /// <summary>Piped service names or objects (see ServiceTargetInput).</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>The container the command runs in; may be left out when the task definition has one.</summary>
    [Parameter]
    [Alias("ContainerName")]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary>Another revision than the live one: an ARN, family:revision, or a revision number of the live family.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RevisionSet)]
    [ArgumentCompleter(typeof(TaskDefinitionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? TaskDefinition { get; set; }

    /// <summary>A new revision rendered for this release tag, exactly as Publish-MightyService -Tag renders it; registered, deployed nowhere.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TagSet)]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Tag { get; set; }

    /// <summary>A new revision rendered for these images, as Publish-MightyService -Image renders it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ImageSet)]
    [ImageTextTransformation]
    [ValidateNotNullOrEmpty]
    public Hashtable? Image { get; set; }

    /// <summary>Variables set for the command, on top of the container's own (names shown, values never).</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Environment { get; set; }

    [Parameter]
    [ValidateRange(1, 10)]
    public int Count { get; set; } = 1;

    /// <summary>Returns as soon as ECS has the task (PROVISIONING or PENDING), without waiting.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    private protected override string Activity => "Running";

    protected override void BeginProcessing()
    {
        try
        {
            _command = TaskCommandParameter.From(Command);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
        }
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Change, DefaultCluster);
    }

    protected override void ProcessRecord()
    {
        try
        {
            (string? cluster, IReadOnlyList<string>? services) = ServiceTargetInput.Read(InputObject, Cluster, Service is null ? null : [Service]);
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
        DeployOptions? render;
        IReadOnlyDictionary<string, string> environment;
        try
        {
            render = ParameterSetName is TagSet or ImageSet
                ? new DeployOptions(ImageParameters.Request(Image, Tag, null), ForceNewDeployment: false, Config)
                : null;
            environment = Variables(Environment);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }

        // Plan every service's task first; nothing runs until each has been read and checked.
        var runner = new TaskRunner(Aws, Log);
        var plans = new List<TaskRunPlan>();
        Run(async ct =>
        {
            await foreach (ClusterTargets group in _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false))
            {
                foreach (string service in group.ServiceNames)
                {
                    try
                    {
                        plans.Add(await runner.PlanAsync(new TaskRunSpec(group.Cluster, service, Container, _command!, TaskDefinition, render, environment, Count), ct).ConfigureAwait(false));
                    }
                    catch (MightyOpsException e)
                    {
                        Post(() => WriteMightyError(e));
                    }
                }
            }
        });

        var started = new List<MightyTaskRun>();
        foreach (TaskRunPlan plan in plans)
        {
            if (!ShouldProcess($"{plan.Spec.Cluster}/{plan.Spec.Service}", plan.Describe()))
            {
                continue;
            }
            try
            {
                TaskRunStart start = Run(ct => runner.StartAsync(plan, ct));
                started.AddRange(start.Started);
                foreach ((MightyTaskRun run, MightyOpsException error) in start.NotPlaced)
                {
                    WriteObject(run);
                    WriteMightyError(error);
                }
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
        if (NoWait)
        {
            WriteAll(started);
            return;
        }
        WaitAndWrite(started);
    }

    private static Dictionary<string, string> Variables(Hashtable? table)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table ?? [])
        {
            string? name = entry.Key?.ToString();
            if (name is null || !Core.Config.EnvironmentNames.IsValid(name))
            {
                throw new MightyOpsException(TasksErrorIds.TaskCommandInvalid,
                    $"-Environment: '{name}' is not an environment variable name ({Core.Config.EnvironmentNames.Rule}).", name);
            }
            variables[name] = (entry.Value is PSObject p ? p.BaseObject : entry.Value)?.ToString() ?? string.Empty;
        }
        return variables;
    }
}
