using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// Base of Publish-MightyService, Restore-MightyService and Wait-MightyDeployment, which share one
/// shape: collect the targeted services from every piped record, resolve them per cluster in
/// EndProcessing, act, then watch everything they started in one <see cref="RolloutDisplay"/>
/// loop (or return it at once with -NoWait); Ctrl+C says how to watch again.
/// </summary>
public abstract class RolloutCmdlet : AwsCmdlet
{
    private ServiceTargetResolver? _targets;
    private RolloutDisplay? _display;

    /// <summary>How long to watch before giving up with DeploymentTimedOut (the deployment goes on in ECS); a number is seconds.</summary>
    [Parameter]
    [SecondsToTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the polls may go without any answer from ECS before the watch stops with AwsEndpointUnreachable; a number is seconds.</summary>
    [Parameter]
    [SecondsToTimeSpan]
    public TimeSpan UnreachableTimeout { get; set; } = RolloutTiming.DefaultUnreachableTimeout;

    /// <summary>Asked before each rollback MightyOps starts itself; null (the default) rolls back without asking.</summary>
    private protected virtual RollbackApproval? ApproveRollback => null;

    /// <summary>Change for cmdlets that change the services (exact names required), Read for watching.</summary>
    private protected abstract TargetingMode Targeting { get; }

    /// <summary>The progress display's activity ("Deploying").</summary>
    private protected abstract string Activity { get; }

    protected override void BeginProcessing()
    {
        if (Timeout <= TimeSpan.Zero)
        {
            ThrowMightyError(new MightyOpsException(DeployErrorIds.InvalidTimeout, $"-Timeout must be positive, not {Timeout}.", Timeout));
        }
        if (UnreachableTimeout < TimeSpan.FromSeconds(1))
        {
            ThrowMightyError(new MightyOpsException(DeployErrorIds.InvalidTimeout, $"-UnreachableTimeout must be at least 1 second, not {UnreachableTimeout}.", UnreachableTimeout));
        }
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, Targeting, DefaultCluster);
        _display = new RolloutDisplay(this, Activity);
    }

    protected override void StopProcessing()
    {
        if (_display is { IsWatching: true })
        {
            // Written from Ctrl+C's thread: the pipeline thread is about to stop, so the host writes it.
            WriteHostWarning(_display.StoppedMessage());
        }
        base.StopProcessing();
    }

    /// <summary>Adds one record's services; what cannot be a target is a non-terminating error.</summary>
    private protected void AddTargets(string? cluster, IReadOnlyList<string>? services)
    {
        foreach (MightyOpsException error in _targets!.Add(cluster, services))
        {
            WriteMightyError(error);
        }
    }

    /// <summary>
    /// Resolves every collected target and asks <paramref name="plan"/> for each cluster's
    /// services in turn. Errors (a service that does not exist, one that cannot be planned) are
    /// written as they come; the others go on.
    /// </summary>
    private protected List<T> PlanPerCluster<T>(Func<string, IReadOnlyList<string>, Action<MightyOpsException>, CancellationToken, Task<IReadOnlyList<T>>> plan)
    {
        var plans = new List<T>();
        Action<MightyOpsException> onError = e => Post(() => WriteMightyError(e));
        Run(async ct =>
        {
            await foreach (ClusterTargets group in _targets!.ResolveAsync(onError, ct).ConfigureAwait(false))
            {
                plans.AddRange(await plan(group.Cluster, group.ServiceNames, onError, ct).ConfigureAwait(false));
            }
        });
        return plans;
    }

    /// <summary>Watches <paramref name="started"/> to the end, writing each result as it finishes; with <paramref name="noWait"/> returns them as they stand.</summary>
    private protected void Watch(IReadOnlyList<WatchedDeployment> started, bool noRollback, bool noWait = false)
    {
        var watcher = new RolloutWatcher(Aws, Log, RolloutTiming.Default with { UnreachableTimeout = UnreachableTimeout })
        {
            ApproveRollback = ApproveRollback,
            GrowTimeout = !MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)),
        };
        if (noWait)
        {
            // Returned with their ledger ARN, so that Stop- and Resume-MightyDeployment can act on them.
            Run(ct => watcher.IdentifyAsync(started.Where(d => !d.IsFinished).ToList(), ct));
            foreach (WatchedDeployment deployment in started)
            {
                WriteObject(deployment.ToResult());
            }
            return;
        }
        _display!.Watch(Run, watcher, started, Timeout, noRollback);
    }
}
