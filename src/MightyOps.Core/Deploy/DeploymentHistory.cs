using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// The deployments of services as ECS's service-deployment ledger keeps them (90 days): the
/// history Get-MightyDeployment lists, and the deployment in flight that Stop-MightyDeployment
/// and Resume-MightyDeployment act on (docs/design/ecs-service-deployments.md). Reads are
/// ListServiceDeployments per service, then DescribeServiceDeployments and
/// DescribeServiceRevisions in batches of 20.
/// </summary>
public sealed class DeploymentHistory
{
    private readonly AwsSession _aws;
    private readonly ServiceLedger _ledger;

    public DeploymentHistory(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _ledger = new ServiceLedger(aws, log);
    }

    /// <summary>
    /// Each service's deployments, in progress ones first, then the newest first: at most
    /// <paramref name="last"/> per service, created at or after <paramref name="since"/>, only those
    /// whose status is in <paramref name="statuses"/> (all when empty).
    /// </summary>
    public async Task<IReadOnlyList<MightyDeployment>> ListAsync(
        string cluster, IReadOnlyList<string> services, IReadOnlyList<MightyDeploymentStatus> statuses, DateTimeOffset? since, int last, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var result = new List<MightyDeployment>();
        foreach (string service in services)
        {
            IReadOnlyList<EcsServiceDeploymentBrief>? briefs = await _ledger.TryAsync(() => _aws.Ecs.ListServiceDeploymentsAsync(cluster, service, null, since, statuses.Count > 0 ? EcsClient.LedgerPageSize * 10 : last, cancellationToken)).ConfigureAwait(false);
            if (briefs is null)
            {
                onError(Unavailable());
                break;
            }
            IReadOnlyList<MightyDeployment> described = await DescribeAsync(cluster, service, briefs, cancellationToken).ConfigureAwait(false);
            result.AddRange(described
                .Where(d => statuses.Count == 0 || statuses.Any(s => s.ToString() == d.Status))
                .OrderBy(d => d.Status == nameof(MightyDeploymentStatus.InProgress) ? 0 : 1)
                .ThenByDescending(d => d.StartedAt)
                .Take(last));
        }
        return result;
    }

    /// <summary>
    /// The deployment in flight of <paramref name="deployment"/>'s service, described in the
    /// ledger: the one it names, or the newest open one. Throws DeploymentNotInProgress when none is
    /// open (saying how the last one ended) and ServiceDeploymentsUnavailable without the ledger.
    /// </summary>
    public async Task<EcsServiceDeployment> OpenAsync(WatchedDeployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        string? arn = deployment.DeploymentArn;
        if (arn is null)
        {
            IReadOnlyList<EcsServiceDeploymentBrief> recent = await _ledger.RecentAsync(deployment.Cluster, deployment.Service, 10, cancellationToken).ConfigureAwait(false) ?? throw Unavailable();
            EcsServiceDeploymentBrief? newest = recent.MaxBy(d => d.CreatedAt);
            arn = recent.Where(d => DeploymentVerdict.Open.Contains(d.Status ?? string.Empty)).MaxBy(d => d.CreatedAt)?.ServiceDeploymentArn
                ?? throw NotInProgress(deployment, newest?.ServiceDeploymentArn, newest?.Status);
        }
        IReadOnlyDictionary<string, EcsServiceDeployment> described = await _ledger.DescribeAsync([arn], cancellationToken).ConfigureAwait(false) ?? throw Unavailable();
        if (!described.TryGetValue(arn, out EcsServiceDeployment? entry) || DeploymentVerdict.IsFinal(entry.Status))
        {
            throw NotInProgress(deployment, arn, entry?.Status);
        }
        deployment.DeploymentArn = arn;
        if (entry.TargetServiceRevision?.Arn is string revision && await _ledger.RevisionsAsync([revision], cancellationToken).ConfigureAwait(false) is { } revisions)
        {
            deployment.ImageDigests = RolloutWatcher.DigestsOf(revisions.GetValueOrDefault(revision));
        }
        return entry;
    }

    /// <summary>
    /// StopServiceDeployment on the deployment in flight (<see cref="OpenAsync"/> first): ROLLBACK
    /// with <paramref name="rollback"/>, else ABORT (stopped where it stands). The watch that
    /// follows expects that outcome.
    /// </summary>
    public async Task StopAsync(WatchedDeployment deployment, bool rollback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        await _aws.Ecs.StopServiceDeploymentAsync(deployment.DeploymentArn!, rollback ? "ROLLBACK" : "ABORT", cancellationToken).ConfigureAwait(false);
        deployment.Expected = rollback ? ExpectedOutcome.Rollback : ExpectedOutcome.Stop;
        deployment.RollbackRequested = rollback;
    }

    /// <summary>
    /// ContinueServiceDeployment at the pause hook <paramref name="deployment"/> waits at: CONTINUE
    /// lets it go on (the watch then expects it to complete), ROLLBACK rolls it back.
    /// </summary>
    public async Task ResumeAsync(WatchedDeployment deployment, string hookId, bool rollback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        await _aws.Ecs.ContinueServiceDeploymentAsync(deployment.DeploymentArn!, hookId, rollback ? "ROLLBACK" : "CONTINUE", cancellationToken).ConfigureAwait(false);
        deployment.AnnouncedHooks.Add(hookId);
        deployment.Expected = rollback ? ExpectedOutcome.Rollback : ExpectedOutcome.Completion;
    }

    /// <summary>The pause hook the deployment waits at; DeploymentNotPaused when it waits at none.</summary>
    public static EcsDeploymentLifecycleHookDetail PausedAt(WatchedDeployment deployment, EcsServiceDeployment entry)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(entry);
        return (entry.LifecycleHookDetails ?? []).FirstOrDefault(h => h.Status == "AWAITING_ACTION" && h.HookId is not null)
            ?? throw new MightyOpsException(DeployErrorIds.DeploymentNotPaused,
                $"The deployment {entry.ServiceDeploymentArn} of '{deployment.Service}' is {entry.Status} at stage {entry.LifecycleStage ?? "none"}, not waiting at a pause hook: there is nothing to continue. Roll it back with Stop-MightyDeployment -Cluster {deployment.Cluster} -Service {deployment.Service} -Rollback.",
                deployment.Service);
    }

    /// <summary>DeploymentNotInProgress for a piped deployment that has ended.</summary>
    public static MightyOpsException Ended(MightyDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return new(DeployErrorIds.DeploymentNotInProgress,
            $"The deployment of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} to '{deployment.Service}' has ended ({deployment.Status}): there is nothing to stop or resume.", deployment.Service);
    }

    private static MightyOpsException NotInProgress(WatchedDeployment deployment, string? arn, string? status) =>
        new(DeployErrorIds.DeploymentNotInProgress,
            $"Service '{deployment.Service}' has no deployment in progress" + (arn is null ? " (the ledger lists none)." : $": its last one, {arn}, ended {status}.") + $" See them with Get-MightyDeployment -Cluster {deployment.Cluster} -Service {deployment.Service}.",
            deployment.Service);

    private MightyOpsException Unavailable() =>
        new(DeployErrorIds.ServiceDeploymentsUnavailable,
            $"ECS's service-deployment ledger is not available in {_aws.Region} for these credentials (ListServiceDeployments is unknown there or not allowed); Get-MightyServiceEvent shows what the service's events say.");

    /// <summary>The ledger's entries as results (status as MightyOps reports it, images and digests from their target revisions).</summary>
    private async Task<IReadOnlyList<MightyDeployment>> DescribeAsync(string cluster, string service, IReadOnlyList<EcsServiceDeploymentBrief> briefs, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, EcsServiceDeployment> entries = await _ledger.DescribeAsync(briefs.Select(b => b.ServiceDeploymentArn).OfType<string>(), cancellationToken).ConfigureAwait(false) ?? throw Unavailable();
        IReadOnlyDictionary<string, EcsServiceRevision> revisions = await _ledger.RevisionsAsync(
            entries.Values.SelectMany(e => (e.SourceServiceRevisions ?? []).Append(e.TargetServiceRevision ?? new EcsServiceRevisionSummary())).Select(r => r.Arn).OfType<string>(), cancellationToken).ConfigureAwait(false) ?? throw Unavailable();
        var result = new List<MightyDeployment>();
        foreach (EcsServiceDeployment entry in entries.Values)
        {
            EcsServiceRevision? target = entry.TargetServiceRevision?.Arn is string t ? revisions.GetValueOrDefault(t) : null;
            EcsServiceRevision? source = (entry.SourceServiceRevisions ?? []).Select(r => r.Arn is string s ? revisions.GetValueOrDefault(s) : null).OfType<EcsServiceRevision>().FirstOrDefault();
            // STOPPED because a newer deployment started before it completed: superseded.
            bool superseded = entry.Status == DeploymentVerdict.Stopped
                && briefs.Any(b => b.ServiceDeploymentArn != entry.ServiceDeploymentArn && b.CreatedAt >= entry.CreatedAt && b.CreatedAt <= (entry.FinishedAt ?? entry.StoppedAt ?? DateTimeOffset.MaxValue));
            MightyDeploymentStatus status = DeploymentVerdict.Of(entry.Status, DeploymentVerdict.FailureDetected(entry), superseded);
            var watched = new WatchedDeployment
            {
                Cluster = cluster,
                Service = service,
                DeploymentId = string.Empty,
                DeploymentArn = entry.ServiceDeploymentArn,
                TaskDefinitionArn = target?.TaskDefinition ?? string.Empty,
                PreviousTaskDefinitionArn = source?.TaskDefinition ?? string.Empty,
                Images = (target?.ContainerImages ?? []).Where(i => i.ContainerName is not null).GroupBy(i => i.ContainerName!).ToDictionary(g => g.Key, g => g.First().Image ?? string.Empty, StringComparer.Ordinal),
                StartedAt = entry.StartedAt ?? entry.CreatedAt,
            };
            watched.Ledger = entry;
            watched.Status = status;
            watched.CompletedAt = entry.FinishedAt;
            watched.ImageDigests = RolloutWatcher.DigestsOf(target);
            watched.FailureReason = status == MightyDeploymentStatus.Completed ? string.Empty : TerminalText.Quote(entry.StatusReason ?? string.Empty, TerminalText.LineLength);
            if (entry.Rollback is { } rollback)
            {
                EcsServiceRevision? to = rollback.ServiceRevisionArn is string r ? revisions.GetValueOrDefault(r) : source;
                watched.Rollback = new MightyDeploymentRollback
                {
                    By = "ECS",
                    Reason = rollback.Reason ?? string.Empty,
                    TaskDefinitionArn = to?.TaskDefinition ?? source?.TaskDefinition ?? string.Empty,
                    ServiceRevisionArn = rollback.ServiceRevisionArn ?? string.Empty,
                    StartedAt = rollback.StartedAt,
                };
            }
            result.Add(watched.ToResult());
        }
        return result;
    }
}
