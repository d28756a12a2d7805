using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsLifecycle.Wait, "MightyDeployment", DefaultParameterSetName = DeploymentSet)]
[OutputType(typeof(MightyDeployment))]
public sealed class WaitMightyDeploymentCommand : AwsCmdlet
{
    private const string DeploymentSet = "Deployment";
    private const string ServiceSet = "Service";

    private readonly List<MightyDeployment> _deployments = [];
    private ServiceTargetResolver? _targets;
    private RolloutDisplay? _display;

    /// <summary>Deployments from Publish-MightyService -NoWait (or any MightyDeployment).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = DeploymentSet)]
    public MightyDeployment[]? Deployment { get; set; }

    [Parameter(ParameterSetName = ServiceSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ServiceSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    protected override void BeginProcessing()
    {
        if (Timeout <= TimeSpan.Zero)
        {
            ThrowMightyError(new MightyOpsException("InvalidTimeout", MightyErrorKind.InvalidArgument, $"-Timeout must be positive, not {Timeout}.", Timeout));
        }
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster);
        _display = new RolloutDisplay(this, "Waiting for deployments");
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == DeploymentSet)
        {
            _deployments.AddRange(Deployment ?? []);
            return;
        }
        foreach (MightyOpsException error in _targets!.Add(Cluster, Service))
        {
            WriteMightyError(error);
        }
    }

    protected override void EndProcessing()
    {
        var watched = new List<WatchedDeployment>();
        if (ParameterSetName == DeploymentSet)
        {
            foreach (MightyDeployment deployment in _deployments)
            {
                if (deployment.Status != MightyDeploymentStatus.InProgress || deployment.DeploymentId.Length == 0)
                {
                    // Already finished: nothing to wait for.
                    WriteObject(deployment);
                    continue;
                }
                watched.Add(new WatchedDeployment
                {
                    Cluster = deployment.Cluster,
                    Service = deployment.Service,
                    DeploymentId = deployment.DeploymentId,
                    TaskDefinitionArn = deployment.TaskDefinition,
                    PreviousTaskDefinitionArn = deployment.PreviousTaskDefinition,
                    Images = deployment.Images,
                    StartedAt = deployment.StartedAt,
                });
            }
        }
        else
        {
            var current = new ServiceDeployments(Aws, Log);
            Run(async ct =>
            {
                await foreach (ClusterTargets group in _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false))
                {
                    watched.AddRange(await current.CurrentAsync(group.Cluster, group.ServiceNames, e => Post(() => WriteMightyError(e)), ct).ConfigureAwait(false));
                }
            });
        }
        _display!.Watch(Run, new RolloutWatcher(Aws, Log), watched, Timeout, NoRollback);
    }

    protected override void StopProcessing()
    {
        if (_display is { IsWatching: true })
        {
            Host.UI.WriteWarningLine(_display.StoppedMessage());
        }
        base.StopProcessing();
    }
}
