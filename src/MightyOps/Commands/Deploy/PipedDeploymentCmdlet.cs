using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// Base of the cmdlets that act on deployments already started (Wait-, Stop- and
/// Resume-MightyDeployment): piped <see cref="MightyDeployment"/> objects, or the current
/// deployment of -Service; a rollback MightyOps starts itself asks ShouldProcess first.
/// </summary>
public abstract class PipedDeploymentCmdlet : RolloutCmdlet
{
    private protected const string DeploymentSet = "Deployment";
    private protected const string ServiceSet = "Service";

    private readonly List<MightyDeployment> _deployments = [];

    /// <summary>Deployments from Publish-MightyService -NoWait or Get-MightyDeployment (or any MightyDeployment).</summary>
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

    /// <summary>ShouldProcess on the pipeline thread, at the moment a rollback would start.</summary>
    private protected override RollbackApproval ApproveRollback => (deployment, action, cancellationToken) =>
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                string target = $"{deployment.Cluster}/{deployment.Service}";
                bool go = ShouldProcess($"Performing the operation \"{action}\" on target \"{target}\".", $"{action} on {target}?", "Confirm", out ShouldProcessReason reason);
                answer.SetResult(go ? null : reason == ShouldProcessReason.WhatIf ? "-WhatIf" : "declined at the confirmation prompt");
            }
            catch (Exception e)
            {
                // Halt at the prompt stops the pipeline; the watch must not wait for an answer.
                answer.TrySetException(e);
                throw;
            }
        });
        return answer.Task.WaitAsync(cancellationToken);
    };

    protected override void ProcessRecord()
    {
        if (ParameterSetName == DeploymentSet)
        {
            _deployments.AddRange(Deployment ?? []);
            return;
        }
        AddTargets(Cluster, Service);
    }

    /// <summary>
    /// The deployments to act on: piped ones still in progress, and the current deployment of each
    /// service named by -Service or by a piped deployment from the ledger (no ecs-svc id);
    /// <paramref name="finished"/> gets the piped ones that have ended.
    /// </summary>
    private protected List<WatchedDeployment> CollectDeployments(Action<MightyDeployment> finished)
    {
        var watched = new List<WatchedDeployment>();
        bool fromLedger = false;
        foreach (MightyDeployment deployment in _deployments)
        {
            bool open = string.Equals(deployment.Status, nameof(MightyDeploymentStatus.InProgress), StringComparison.OrdinalIgnoreCase);
            if (open && deployment.DeploymentId.Length == 0 && deployment.DeploymentArn.Length > 0)
            {
                // From the ledger (Get-MightyDeployment): the service's current deployment is found as with -Service.
                AddTargets(deployment.Cluster, [deployment.Service]);
                fromLedger = true;
                continue;
            }
            if (!open || deployment.DeploymentId.Length == 0)
            {
                finished(deployment);
                continue;
            }
            watched.Add(new WatchedDeployment
            {
                Cluster = deployment.Cluster,
                Service = deployment.Service,
                DeploymentId = deployment.DeploymentId,
                TaskDefinitionArn = deployment.TaskDefinitionArn,
                PreviousTaskDefinitionArn = deployment.PreviousTaskDefinitionArn,
                Images = deployment.Images,
                StartedAt = deployment.StartedAt,
                DeploymentArn = deployment.DeploymentArn.Length > 0 ? deployment.DeploymentArn : null,
            });
        }
        if (ParameterSetName == ServiceSet || fromLedger)
        {
            var current = new ServiceDeployments(Aws, Log);
            watched.AddRange(PlanPerCluster(current.CurrentAsync));
        }
        return watched;
    }

    /// <summary>
    /// For each deployment to act on: its ledger entry in flight (DeploymentNotInProgress when it
    /// has ended), ShouldProcess with <paramref name="describe"/>'s action (which may refuse by
    /// throwing), then <paramref name="act"/>; returns those acted on, to watch. Errors are
    /// written per deployment, and the others go on.
    /// </summary>
    private protected List<WatchedDeployment> ActInFlight(
        Func<WatchedDeployment, EcsServiceDeployment, string> describe,
        Func<DeploymentHistory, WatchedDeployment, EcsServiceDeployment, CancellationToken, Task> act)
    {
        var history = new DeploymentHistory(Aws, Log);
        var acted = new List<WatchedDeployment>();
        foreach (WatchedDeployment deployment in CollectDeployments(ended => WriteMightyError(DeploymentHistory.Ended(ended))))
        {
            try
            {
                EcsServiceDeployment entry = Run(ct => history.OpenAsync(deployment, ct));
                if (!ShouldProcess($"{deployment.Cluster}/{deployment.Service}", describe(deployment, entry)))
                {
                    continue;
                }
                Run(ct => act(history, deployment, entry, ct));
                acted.Add(deployment);
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
        return acted;
    }
}
