using System.Diagnostics;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Logs;

namespace MightyOps.Core.Deploy;

/// <summary>How often <see cref="RolloutWatcher"/> polls.</summary>
/// <param name="Fast">After a poll that saw something change (tasks starting or stopping).</param>
/// <param name="Slow">The interval grows towards this while nothing changes (waiting on ECS).</param>
/// <param name="Throttled">The interval doubles up to this while ECS throttles the polls.</param>
public sealed record RolloutTiming(TimeSpan Fast, TimeSpan Slow, TimeSpan Throttled)
{
    /// <summary>The default of <see cref="UnreachableTimeout"/>: 2 minutes.</summary>
    public static readonly TimeSpan DefaultUnreachableTimeout = TimeSpan.FromMinutes(2);

    /// <summary>1 s while tasks change, up to 5 s while waiting, up to 30 s under throttling; gives up after 2 minutes without an answer.</summary>
    public static RolloutTiming Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long the polls may go without any answer from ECS (refused, reset, timed out; a
    /// throttle or a 5xx is an answer) before the watch stops with <c>AwsEndpointUnreachable</c>.
    /// </summary>
    public TimeSpan UnreachableTimeout { get; init; } = DefaultUnreachableTimeout;
}

/// <summary>
/// Asked before MightyOps rolls a service back itself (not before following the circuit
/// breaker's own rollback). Null lets it go ahead; otherwise the reason it may not ("-WhatIf"),
/// and the deployment ends as it stands, not rolled back.
/// </summary>
public delegate Task<string?> RollbackApproval(WatchedDeployment deployment, string action, CancellationToken cancellationToken);

/// <summary>One service's line in the progress display.</summary>
public sealed record RolloutProgress(string Cluster, string Service, string Status, int PercentComplete, bool Finished);

/// <summary>
/// Follows many deployments in one loop until each is done, failed (and rolled back) or timed
/// out. Each poll is DescribeServices in batches of 10 per cluster and, for services behind load
/// balancers, one DescribeTargetHealth per target group (<see cref="TargetHealthTracker"/>),
/// nothing per service or task; a failed deployment costs one ListTasks and DescribeTasks (batches
/// of 100) to say why its tasks stopped, and every finished one a few more for its timeline.
/// docs/design/deploy.md has the rules for done and failed, docs/design/load-balanced-deploys.md
/// those of target health, the timeline and the advice.
/// </summary>
public sealed partial class RolloutWatcher
{
    private const int StoppedTasksDescribed = 100;
    private const int FailureEventsQuoted = 5;
    private const int StoppedReasonsQuoted = 3;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly RolloutTiming _timing;

    /// <summary>A deployment not listed in the ledger after this many polls is judged by DescribeServices.</summary>
    private const int MaxLedgerLookups = 3;

    public RolloutWatcher(AwsSession aws, IOperationLog log, RolloutTiming? timing = null, ServiceLedger? ledger = null)
    {
        _aws = aws;
        _log = log;
        _timing = timing ?? RolloutTiming.Default;
        Ledger = ledger ?? new ServiceLedger(aws, log);
        TargetHealth = new TargetHealthTracker(aws, log);
    }

    /// <summary>ECS's service-deployment ledger, the source of the verdicts where it is available.</summary>
    public ServiceLedger Ledger { get; }

    /// <summary>
    /// True when the timeout is the default rather than asked for: each deployment's then grows by
    /// its configured bake and step times (said in -Verbose).
    /// </summary>
    public bool GrowTimeout { get; init; }

    /// <summary>The load-balanced part of each poll: one DescribeTargetHealth per target group (docs/design/load-balanced-deploys.md).</summary>
    public TargetHealthTracker TargetHealth { get; }

    /// <summary>Polls made so far (each is ⌈services / 10⌉ DescribeServices per cluster).</summary>
    public int Polls { get; private set; }

    /// <summary>Asked before each rollback MightyOps starts itself; null rolls back without asking.</summary>
    public RollbackApproval? ApproveRollback { get; init; }

    /// <summary>
    /// The command that picks the watch up again: <c>Wait-MightyDeployment -Cluster c -Service a,b</c>,
    /// one per cluster.
    /// </summary>
    public static string FollowCommand(IEnumerable<WatchedDeployment> deployments) =>
        string.Join("; ", deployments
            .GroupBy(d => d.Cluster, StringComparer.Ordinal)
            .Select(c => $"Wait-MightyDeployment -Cluster {c.Key} -Service {string.Join(",", c.Select(d => d.Service))}"));

    /// <summary>
    /// Watches until every deployment has finished or <paramref name="timeout"/> has passed for
    /// it. <paramref name="onFinished"/> runs as each one finishes. Without
    /// <paramref name="noRollback"/> a failed deployment is rolled back to its previous task
    /// definition (or the circuit breaker's own rollback is followed) before it counts as finished.
    /// </summary>
    public async Task WatchAsync(
        IReadOnlyList<WatchedDeployment> deployments,
        TimeSpan timeout,
        bool noRollback,
        IProgress<RolloutProgress>? progress,
        Action<WatchedDeployment> onFinished,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var unanswered = new UnansweredPolls(_aws.Ecs.Endpoint.Url, _timing.UnreachableTimeout, _log);
        TimeSpan interval = _timing.Fast;
        while (deployments.Any(d => !d.IsFinished))
        {
            await Task.Delay(unanswered.Failing ? Max(Min(interval, unanswered.Left), TimeSpan.Zero) : interval, cancellationToken).ConfigureAwait(false);
            if (unanswered.Expired || (unanswered.Failing && clock.Elapsed >= timeout))
            {
                // Nothing can be judged or rolled back while ECS does not answer: stop, and leave
                // the deployments to ECS.
                throw unanswered.GiveUp(deployments.Where(d => !d.IsFinished).ToList(), clock.Elapsed >= timeout ? timeout : null);
            }
            bool changed = false;
            bool throttled = false;
            Polls++;
            // One poll: the batched reads (the ledger's DescribeServiceDeployments by 20, then
            // DescribeServices by 10 per cluster, so that the events and counts are at least as new
            // as the verdict), then one evaluation per service from what they said.
            IReadOnlyDictionary<string, EcsServiceDeployment>? ledger = null;
            bool answered = true;
            try
            {
                // Bounded like every poll: a frozen endpoint is cut off, not waited out.
                ledger = await unanswered.PollAsync(ct => ReadLedgerAsync(deployments.Where(d => !d.IsFinished).ToList(), ct), cancellationToken).ConfigureAwait(false);
                unanswered.Answered();
            }
            catch (MightyOpsException e) when (UnansweredPolls.IsNoAnswer(e))
            {
                unanswered.Failed(e);
                foreach (WatchedDeployment open in deployments.Where(d => !d.IsFinished))
                {
                    Report(progress, open, unanswered.Status, open.LastPercent);
                }
                answered = false;
            }
            catch (MightyOpsException e) when (e.Kind is MightyErrorKind.Throttled or MightyErrorKind.Failed)
            {
                // The ledger's verdicts wait for the next poll; nothing is judged on half an answer.
                _log.Verbose($"Reading the service deployments failed ({e.Message}); trying again.");
                throttled = true;
            }
            var seen = new List<(WatchedDeployment Deployment, EcsService? Service)>();
            foreach (IGrouping<string, WatchedDeployment> cluster in answered ? deployments.Where(d => !d.IsFinished).GroupBy(d => d.Cluster, StringComparer.Ordinal) : [])
            {
                DescribeServicesResponse response;
                try
                {
                    response = await unanswered.PollAsync(ct => _aws.Ecs.DescribeServicesAsync(cluster.Key, cluster.Select(d => d.Service), ct), cancellationToken).ConfigureAwait(false);
                }
                catch (MightyOpsException e) when (UnansweredPolls.IsNoAnswer(e))
                {
                    // Every cluster is behind the same endpoint: the others would fail the same way.
                    unanswered.Failed(e);
                    foreach (WatchedDeployment open in deployments.Where(d => !d.IsFinished))
                    {
                        Report(progress, open, unanswered.Status, open.LastPercent);
                    }
                    seen.Clear();
                    break;
                }
                catch (MightyOpsException e) when (e.Kind is MightyErrorKind.Throttled or MightyErrorKind.Failed)
                {
                    // Retries are exhausted for this poll; the deployment goes on in ECS, so poll again later.
                    unanswered.Answered();
                    _log.Verbose($"Polling cluster '{cluster.Key}' failed ({e.Message}); trying again.");
                    throttled = true;
                    continue;
                }
                unanswered.Answered();
                var byName = (response.Services ?? []).ToDictionary(s => s.ServiceName ?? string.Empty, StringComparer.Ordinal);
                seen.AddRange(cluster.Select(d => (d, byName.GetValueOrDefault(d.Service))));
                // Load balancers: the target health of every target group of these services, one call per group.
                await TargetHealth.PollAsync(cluster.Where(d => byName.ContainsKey(d.Service)).Select(d => (d, byName[d.Service])).ToList(), cancellationToken).ConfigureAwait(false);
            }
            if (seen.Count > 0)
            {
                int described = seen.GroupBy(s => s.Deployment.Cluster, StringComparer.Ordinal).Sum(c => (c.Count() + EcsClient.DescribeServicesBatchSize - 1) / EcsClient.DescribeServicesBatchSize);
                int fromLedger = ledger?.Count > 0 ? (seen.Count(s => s.Deployment.DeploymentArn is not null) + EcsClient.LedgerBatchSize - 1) / EcsClient.LedgerBatchSize : 0;
                _log.Debug($"Poll {Polls}: {seen.Count} open, {described} DescribeServices and {fromLedger} DescribeServiceDeployments.");
            }
            foreach ((WatchedDeployment deployment, EcsService? service) in seen)
            {
                if (service is null)
                {
                    await FinishAsync(deployment, MightyDeploymentStatus.Failed, "The service no longer exists (deleted while it was being deployed).", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                EcsServiceDeployment? entry = null;
                if (deployment.DeploymentArn is string arn && (ledger is null || !ledger.TryGetValue(arn, out entry)))
                {
                    if (ledger is null)
                    {
                        continue;   // not read this poll
                    }
                    _log.Verbose($"{deployment.Service}: the ledger does not describe {arn}; judged by DescribeServices from now on.");
                    deployment.DeploymentArn = null;
                    deployment.LedgerLookups = MaxLedgerLookups;
                }
                changed |= await EvaluateAsync(deployment, service, entry, timeout, noRollback, progress, onFinished, cancellationToken).ConfigureAwait(false);
            }
            if (unanswered.Failing)
            {
                // No timeout verdict without an answer: the next turn polls again or gives up.
                interval = _timing.Slow;
                continue;
            }
            foreach (WatchedDeployment late in deployments.Where(d => !d.IsFinished && clock.Elapsed >= (d.Limit ?? timeout)).ToList())
            {
                await TimedOutAsync(late, late.Limit ?? timeout, noRollback, progress, onFinished, cancellationToken).ConfigureAwait(false);
                // A rollback after a timeout gets one more timeout's time to finish.
                if (!late.IsFinished)
                {
                    clock.Restart();
                }
            }
            interval = throttled
                ? Min(interval * 2, _timing.Throttled)
                : changed ? _timing.Fast : Min(interval * 1.5, _timing.Slow);
        }
    }

    /// <summary>
    /// The ledger's side of a poll: finds the service deployment of each deployment not yet
    /// identified (ListServiceDeployments and DescribeServiceRevisions, once per deployment, until
    /// found), then describes all identified open ones in batches of 20. Null without the ledger.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, EcsServiceDeployment>?> ReadLedgerAsync(IReadOnlyList<WatchedDeployment> open, CancellationToken cancellationToken)
    {
        if (!await IdentifyAsync(open, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        List<string> arns = open.Select(d => d.DeploymentArn).OfType<string>().ToList();
        return arns.Count == 0 ? new Dictionary<string, EcsServiceDeployment>(StringComparer.Ordinal) : await Ledger.DescribeAsync(arns, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finds the service deployment of each deployment not yet identified (ListServiceDeployments
    /// and DescribeServiceRevisions); also what a deploy returns with -NoWait. False without the ledger.
    /// </summary>
    public async Task<bool> IdentifyAsync(IReadOnlyList<WatchedDeployment> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        foreach (WatchedDeployment deployment in open.Where(d => d.DeploymentArn is null && d.LedgerLookups < MaxLedgerLookups && d.RollbackDeploymentId is null))
        {
            LedgerMatch? match = await Ledger.FindAsync(deployment.Cluster, deployment.Service, deployment.TaskDefinitionArn,
                (deployment.StartedAt ?? DateTimeOffset.UtcNow).AddSeconds(-1), deployment.LookedAt, cancellationToken).ConfigureAwait(false);
            if (!Ledger.Available)
            {
                return false;
            }
            if (match is null)
            {
                if (++deployment.LedgerLookups == MaxLedgerLookups)
                {
                    _log.Verbose($"{deployment.Service}: its deployment {deployment.DeploymentId} is not in ECS's service-deployment ledger; judged by DescribeServices.");
                }
                continue;
            }
            deployment.DeploymentArn = match.Deployment.ServiceDeploymentArn;
            deployment.ImageDigests = DigestsOf(match.Revision);
            if (deployment.LookedAt is not null)
            {
                // Another deploy that looked before ours started too, after ours: the newest goes
                // ahead (ECS stops the older), this one is refused.
                deployment.ConcurrentWith = match.Others.Where(o => o.CreatedAt > match.Deployment.CreatedAt).MaxBy(o => o.CreatedAt);
            }
            _log.Verbose($"{deployment.Service}: service deployment {deployment.DeploymentArn}.");
        }
        return Ledger.Available;
    }

    /// <summary>Container name to image digest, from a service revision.</summary>
    internal static IReadOnlyDictionary<string, string> DigestsOf(EcsServiceRevision? revision) =>
        (revision?.ContainerImages ?? [])
            .Where(i => i.ContainerName is not null && !string.IsNullOrEmpty(i.ImageDigest))
            .GroupBy(i => i.ContainerName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().ImageDigest!, StringComparer.Ordinal);

    /// <summary>Looks at one service; true when something moved since the last poll.</summary>
    private async Task<bool> EvaluateAsync(
        WatchedDeployment deployment,
        EcsService service,
        EcsServiceDeployment? entry,
        TimeSpan timeout,
        bool noRollback,
        IProgress<RolloutProgress>? progress,
        Action<WatchedDeployment> onFinished,
        CancellationToken cancellationToken)
    {
        deployment.LastService = service;
        foreach (MightyServiceEvent e in deployment.TakeNewEvents(service))
        {
            _log.Information($"{deployment.Service}: {TerminalText.Quote(e.Message, TerminalText.LineLength)}", "MightyOps.Event");
        }
        if (deployment.Configuration is null)
        {
            deployment.Configuration = entry?.DeploymentConfiguration ?? service.DeploymentConfiguration;
            if (GrowTimeout && DeploymentStrategy.Waits(deployment.Configuration) > TimeSpan.Zero)
            {
                deployment.Limit = DeploymentStrategy.EffectiveTimeout(timeout, deployment.Configuration);
                _log.Verbose($"{deployment.Service}: {DeploymentStrategy.Of(deployment.Configuration)} with {DeploymentStrategy.Minutes(DeploymentStrategy.Waits(deployment.Configuration))} of bake and step time: waiting up to {deployment.Limit} (-Timeout sets it).");
            }
        }
        List<EcsDeployment> all = service.Deployments ?? [];
        EcsDeployment? primary = all.FirstOrDefault(d => d.Status == "PRIMARY");
        EcsDeployment? ours = all.FirstOrDefault(d => d.Id == deployment.DeploymentId);
        string counts = primary is null ? string.Empty
            : $"{primary.Id} ({MightyServiceDeployment.ShortTaskDefinition(primary.TaskDefinition ?? string.Empty)}) running {primary.RunningCount}/{primary.DesiredCount}, pending {primary.PendingCount}, failed {primary.FailedTasks}";
        bool changed = counts != deployment.LastCounts;
        if (changed)
        {
            deployment.LastCounts = counts;
            _log.Verbose($"{deployment.Service}: {counts}, {all.Count} deployment(s).");
        }

        if (deployment.ConcurrentWith is { } newer)
        {
            deployment.SupersededByDeploymentArn = newer.ServiceDeploymentArn ?? string.Empty;
            deployment.SupersededByTaskDefinitionArn = primary?.Id != deployment.DeploymentId ? primary?.TaskDefinition ?? string.Empty : string.Empty;
            string message = $"Another deploy of '{deployment.Service}' started at the same time and goes ahead: {newer.ServiceDeploymentArn} (created {newer.CreatedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC) replaced this one. Follow it with Wait-MightyDeployment -Cluster {deployment.Cluster} -Service {deployment.Service}.";
            await FinishAsync(deployment, MightyDeploymentStatus.Superseded, message,
                new MightyOpsException(DeployErrorIds.DeploymentInProgress, message, deployment.Service), progress, onFinished, cancellationToken).ConfigureAwait(false);
            return true;
        }
        if (entry is not null && deployment.RollbackDeploymentId is null)
        {
            deployment.Ledger = entry;
            return await EvaluateLedgerAsync(deployment, service, entry, primary, ours, noRollback, progress, onFinished, cancellationToken).ConfigureAwait(false) || changed;
        }
        if (deployment.RollbackDeploymentId is null)
        {
            if (primary is not null && primary.Id == deployment.DeploymentId && primary.TaskDefinition == deployment.TaskDefinitionArn && IsDone(primary, service))
            {
                deployment.CompletedAt = primary.UpdatedAt;
                await FinishAsync(deployment, MightyDeploymentStatus.Completed, string.Empty, null, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return changed;
            }
            // The circuit breaker's verdict is on our deployment (FAILED) or in its event; by the
            // time of a slow poll its rollback may be PRIMARY already, or even completed and our
            // deployment gone from the list.
            bool oursFailed = ours?.RolloutState == "FAILED"
                || deployment.Events.Any(e => e.Message.Contains($"(deployment {deployment.DeploymentId}) deployment failed", StringComparison.Ordinal));
            bool breakerRollingBack = primary is not null && primary.Id != deployment.DeploymentId
                && ((primary.RolloutStateReason ?? string.Empty).Contains("rolling back", StringComparison.OrdinalIgnoreCase)
                    || (oursFailed && primary.TaskDefinition == deployment.PreviousTaskDefinitionArn));
            if (oursFailed || breakerRollingBack)
            {
                await FailedAsync(deployment, ours, breakerRollingBack ? primary : null, noRollback, progress, onFinished, cancellationToken).ConfigureAwait(false);
                if (deployment.IsFinished || deployment.RollbackDeploymentId != primary?.Id)
                {
                    return true;
                }
                changed = true;   // following the circuit breaker's rollback: it may be done already
            }
            else if (ours is null || (primary is not null && primary.Id != deployment.DeploymentId))
            {
                // Someone else deployed over ours: not ours to roll back, and no failure of ours.
                deployment.CompletedAt = primary?.CreatedAt;
                deployment.SupersededByTaskDefinitionArn = primary?.TaskDefinition ?? string.Empty;
                string winner = MightyServiceDeployment.ShortTaskDefinition(deployment.SupersededByTaskDefinitionArn);
                _log.Warning($"{deployment.Service}: the deployment of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} was superseded by {winner} ({primary?.Id}) before it completed; the service runs {winner}.");
                await FinishAsync(deployment, MightyDeploymentStatus.Superseded,
                    $"Superseded by another deployment before it completed: {primary?.Id} runs {winner} now.",
                    null, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return true;
            }
            else
            {
                string balanced = TargetHealth.Progress(deployment);
                Report(progress, deployment, $"running {ours.RunningCount}/{ours.DesiredCount}, pending {ours.PendingCount}" + (ours.FailedTasks > 0 ? $", {ours.FailedTasks} failed" : string.Empty) + (balanced.Length > 0 ? $", {balanced}" : string.Empty), ours);
                return changed;
            }
        }

        string rollbackId = deployment.RollbackDeploymentId!;
        EcsDeployment? rollback = all.FirstOrDefault(d => d.Id == rollbackId);
        if (primary?.Id == rollbackId && IsDone(primary, service))
        {
            deployment.CompletedAt = primary.UpdatedAt;
            await FinishAsync(deployment, deployment.StatusAfterRollback,
                deployment.FailureReason + $" Rolled back: the service runs {MightyServiceDeployment.ShortTaskDefinition(primary.TaskDefinition ?? string.Empty)} again.", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
        }
        else if (rollback is null || rollback.RolloutState == "FAILED")
        {
            await FinishAsync(deployment, MightyDeploymentStatus.Failed,
                deployment.FailureReason + $" The rollback to {MightyServiceDeployment.ShortTaskDefinition(deployment.PreviousTaskDefinitionArn)} did not complete either ({(rollback?.RolloutStateReason is { } why ? TerminalText.Quote(why, TerminalText.LineLength) : "its deployment is gone")}); look at the service with Get-MightyServiceEvent -Service {deployment.Service}.",
                null, progress, onFinished, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Report(progress, deployment, $"rolling back to {MightyServiceDeployment.ShortTaskDefinition(rollback.TaskDefinition ?? string.Empty)}: running {rollback.RunningCount}/{rollback.DesiredCount}", rollback);
        }
        return changed;
    }

    private static bool IsDone(EcsDeployment primary, EcsService service) =>
        primary.RolloutState == "COMPLETED" && primary.RunningCount == primary.DesiredCount && service.RunningCount == service.DesiredCount;

    private async Task FailedAsync(
        WatchedDeployment deployment,
        EcsDeployment? ours,
        EcsDeployment? breakerRollback,
        bool noRollback,
        IProgress<RolloutProgress>? progress,
        Action<WatchedDeployment> onFinished,
        CancellationToken cancellationToken)
    {
        // Only our deployment's own reason: the circuit breaker's rollback says "rolling back to …"
        // (or "… completed" by a slow poll), which the report's last sentence says in its words.
        string why = await ExplainAsync(deployment, ours?.RolloutStateReason, cancellationToken).ConfigureAwait(false);
        deployment.FailureReason = why;
        deployment.Explained = true;
        if (noRollback)
        {
            string left = breakerRollback is not null
                ? $"Not rolled back by MightyOps (-NoRollback); ECS's circuit breaker is rolling back to {MightyServiceDeployment.ShortTaskDefinition(breakerRollback.TaskDefinition ?? string.Empty)} on its own."
                : $"Not rolled back (-NoRollback): the service stays on the failed deployment; ECS keeps the old tasks running. Roll back with Restore-MightyService -Service {deployment.Service} -Previous.";
            deployment.CompletedAt = ours?.UpdatedAt;
            await FinishAsync(deployment, MightyDeploymentStatus.Failed, why + " " + left, null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        await RollBackAsync(deployment, breakerRollback, MightyDeploymentStatus.RolledBack, progress, onFinished, cancellationToken).ConfigureAwait(false);
    }

    private async Task TimedOutAsync(WatchedDeployment deployment, TimeSpan timeout, bool noRollback, IProgress<RolloutProgress>? progress, Action<WatchedDeployment> onFinished, CancellationToken cancellationToken)
    {
        if (deployment.RollbackDeploymentId is not null || deployment.RollbackRequested)
        {
            await FinishAsync(deployment, MightyDeploymentStatus.TimedOut,
                deployment.FailureReason + $" The rollback did not finish within another {timeout}; it goes on in ECS (Wait-MightyDeployment -Service {deployment.Service}).", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        string why = await ExplainAsync(deployment, $"The deployment did not complete within {timeout}.", cancellationToken).ConfigureAwait(false);
        deployment.FailureReason = why;
        deployment.Explained = true;
        bool inFlight = InFlight(deployment) is not null;
        if (noRollback || deployment.Expected != ExpectedOutcome.Completion
            || (!inFlight && (deployment.PreviousTaskDefinitionArn.Length == 0 || deployment.PreviousTaskDefinitionArn == deployment.TaskDefinitionArn)))
        {
            await FinishAsync(deployment, MightyDeploymentStatus.TimedOut,
                why + $" It goes on in ECS; keep watching with Wait-MightyDeployment -Service {deployment.Service}.", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        await RollBackAsync(deployment, null, MightyDeploymentStatus.TimedOut, progress, onFinished, cancellationToken).ConfigureAwait(false);
    }

    private async Task RollBackAsync(
        WatchedDeployment deployment,
        EcsDeployment? breakerRollback,
        MightyDeploymentStatus finalStatus,
        IProgress<RolloutProgress>? progress,
        Action<WatchedDeployment> onFinished,
        CancellationToken cancellationToken)
    {
        deployment.StatusAfterRollback = finalStatus;
        if (breakerRollback is not null)
        {
            _log.Verbose($"{deployment.Service}: the circuit breaker is rolling back ({breakerRollback.Id}); following it.");
            deployment.RollbackDeploymentId = breakerRollback.Id;
            return;
        }
        if (InFlight(deployment) is string arn)
        {
            await RollBackInFlightAsync(deployment, arn, finalStatus, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (deployment.PreviousTaskDefinitionArn.Length == 0)
        {
            await FinishAsync(deployment, MightyDeploymentStatus.Failed, deployment.FailureReason + " There is no previous task definition to roll back to.", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        string previous = MightyServiceDeployment.ShortTaskDefinition(deployment.PreviousTaskDefinitionArn);
        string action = $"Roll back to {previous} (the deployment of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} {(finalStatus == MightyDeploymentStatus.TimedOut ? "timed out" : "failed")})";
        if (ApproveRollback is not null && await ApproveRollback(deployment, action, cancellationToken).ConfigureAwait(false) is string refused)
        {
            await FinishAsync(deployment, finalStatus == MightyDeploymentStatus.TimedOut ? MightyDeploymentStatus.TimedOut : MightyDeploymentStatus.Failed,
                deployment.FailureReason + $" Not rolled back ({refused}): the service stays on the deployment of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)}. Roll back with Restore-MightyService -Cluster {deployment.Cluster} -Service {deployment.Service} -Previous.",
                null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            UpdateServiceResponse response = await _aws.Ecs.StartDeploymentAsync(new UpdateServiceRequest
            {
                Cluster = deployment.Cluster,
                Service = deployment.Service,
                TaskDefinition = deployment.PreviousTaskDefinitionArn,
            }, deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
            EcsDeployment? started = response.Service?.Deployments?.FirstOrDefault(d => d.Status == "PRIMARY");
            deployment.RollbackDeploymentId = started?.Id;
            deployment.Rollback = new MightyDeploymentRollback { By = "UpdateService", Reason = deployment.FailureReason, TaskDefinitionArn = deployment.PreviousTaskDefinitionArn, StartedAt = started?.CreatedAt };
            _log.Verbose($"{deployment.Service}: rolling back to {MightyServiceDeployment.ShortTaskDefinition(deployment.PreviousTaskDefinitionArn)} ({started?.Id}).");
            if (started is null)
            {
                throw new MightyOpsException(AwsErrorIds.AwsResponseInvalid, "UpdateService answered without a PRIMARY deployment.", deployment.Service);
            }
        }
        catch (MightyOpsException e)
        {
            await FinishAsync(deployment, MightyDeploymentStatus.Failed,
                deployment.FailureReason + $" Rolling back to {MightyServiceDeployment.ShortTaskDefinition(deployment.PreviousTaskDefinitionArn)} failed: {e.Message}", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The deployment's ledger ARN while ECS still runs it (a rollback then goes through StopServiceDeployment); null once it has ended or without the ledger.</summary>
    private static string? InFlight(WatchedDeployment deployment) =>
        deployment.DeploymentArn is string arn && deployment.Ledger is { } entry && !DeploymentVerdict.IsFinal(entry.Status) ? arn : null;

    /// <summary>
    /// Asks ECS to roll the deployment back while it is in flight (StopServiceDeployment with
    /// ROLLBACK): ECS moves the service back to the revision it ran before, and the ledger's
    /// verdict (ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED) ends the watch.
    /// </summary>
    private async Task RollBackInFlightAsync(WatchedDeployment deployment, string arn, MightyDeploymentStatus finalStatus, IProgress<RolloutProgress>? progress, Action<WatchedDeployment> onFinished, CancellationToken cancellationToken)
    {
        string action = $"Roll back the deployment of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} in flight (StopServiceDeployment ROLLBACK; it {(finalStatus == MightyDeploymentStatus.TimedOut ? "timed out" : "failed")})";
        if (ApproveRollback is not null && await ApproveRollback(deployment, action, cancellationToken).ConfigureAwait(false) is string refused)
        {
            await FinishAsync(deployment, finalStatus == MightyDeploymentStatus.TimedOut ? MightyDeploymentStatus.TimedOut : MightyDeploymentStatus.Failed,
                deployment.FailureReason + $" Not rolled back ({refused}): the deployment goes on in ECS. Roll it back with Stop-MightyDeployment -Cluster {deployment.Cluster} -Service {deployment.Service} -Rollback.",
                null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await _aws.Ecs.StopServiceDeploymentAsync(arn, "ROLLBACK", cancellationToken).ConfigureAwait(false);
            deployment.RollbackRequested = true;
            deployment.StatusAfterRollback = finalStatus;
            _log.Verbose($"{deployment.Service}: asked ECS to roll back {arn} in flight (StopServiceDeployment ROLLBACK).");
        }
        catch (MightyOpsException e)
        {
            await FinishAsync(deployment, MightyDeploymentStatus.Failed,
                deployment.FailureReason + $" Asking ECS to roll it back (StopServiceDeployment) failed: {e.Message}", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why it failed, in words: the rollout reason, the failure events, and the stopped reasons
    /// and exit codes of the deployment's stopped tasks (ListTasks startedBy the deployment, then
    /// DescribeTasks in batches of 100).
    /// </summary>
    private async Task<string> ExplainAsync(WatchedDeployment deployment, string? rolloutReason, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(rolloutReason))
        {
            parts.Add(TerminalText.Quote(rolloutReason, TerminalText.LineLength).TrimEnd('.') + ".");
        }
        // An event that ends the way the rollout reason does says the same thing again
        // ("ECS deployment circuit breaker: tasks failed to start." and "(deployment …) deployment
        // failed: tasks failed to start."): each is said once.
        List<string> failures = deployment.Events
            .Where(e => FailureWords.Any(w => e.Message.Contains(w, StringComparison.OrdinalIgnoreCase)))
            .Where(e => rolloutReason is null || !string.Equals(LastClause(e.Message), LastClause(rolloutReason), StringComparison.OrdinalIgnoreCase))
            .Select(e => TerminalText.Quote(e.Message, TerminalText.LineLength))
            .Distinct(StringComparer.Ordinal)
            .TakeLast(FailureEventsQuoted)
            .ToList();
        // What the load balancer said about the new tasks: the target group, the reason and the codes.
        if (TargetHealth.Failures(deployment) is { Length: > 0 } healthChecks)
        {
            parts.Add(healthChecks);
        }
        if (failures.Count > 0)
        {
            parts.Add("Events: " + string.Join(" ", failures.Select(f => f.TrimEnd('.') + ".")));
        }
        try
        {
            var arns = new List<string>();
            await foreach (string arn in _aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = deployment.Cluster, StartedBy = deployment.DeploymentId, DesiredStatus = "STOPPED" }, cancellationToken).ConfigureAwait(false))
            {
                arns.Add(arn);
                if (arns.Count == StoppedTasksDescribed)
                {
                    break;
                }
            }
            if (arns.Count > 0)
            {
                DescribeTasksResponse tasks = await _aws.Ecs.DescribeTasksAsync(deployment.Cluster, arns, includeTags: false, cancellationToken).ConfigureAwait(false);
                parts.Add(StoppedTasks(tasks.Tasks ?? []));
                // The crash's last lines from CloudWatch Logs (one line instead when they cannot be
                // read); kept apart so that they end the report, after the rollback sentence.
                deployment.CrashOutput = await new CrashOutput(_aws, _log).DescribeAsync(deployment.Cluster, tasks.Tasks ?? [], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (MightyOpsException e)
        {
            _log.Verbose($"{deployment.Service}: could not read the stopped tasks ({e.Message}).");
        }
        return string.Join(" ", parts);
    }

    // Not "stopped": "(service X) has stopped 2 running tasks: (task …) (task …)." is how ECS
    // reports every replaced task, and the stopped tasks are summed up from DescribeTasks anyway.
    private static readonly string[] FailureWords = ["fail", "unable", "unhealthy", "rolling back", "error"];

    /// <summary>The text after a message's last ": " (the whole message when it has none), without the final full stop.</summary>
    private static string LastClause(string message)
    {
        int colon = message.LastIndexOf(": ", StringComparison.Ordinal);
        return (colon >= 0 ? message[(colon + 2)..] : message).Trim().TrimEnd('.');
    }

    /// <summary>
    /// "4 tasks of this deployment stopped: Essential container in task exited (application exit
    /// code 1).", the most common reason first, with a count only when the reasons differ; a
    /// container's reason is left out when it repeats the task's.
    /// </summary>
    internal static string StoppedTasks(IReadOnlyCollection<EcsTask> tasks)
    {
        var groups = tasks
            .GroupBy(t =>
            {
                string containers = string.Join(", ", (t.Containers ?? [])
                    .Where(c => (c.ExitCode is int code && code != 0) || !string.IsNullOrEmpty(c.Reason))
                    .Select(c => $"{c.Name} exit code {(c.ExitCode is int code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}"
                        + (string.IsNullOrEmpty(c.Reason) || string.Equals(c.Reason, t.StoppedReason, StringComparison.Ordinal) ? string.Empty : $": {TerminalText.Quote(c.Reason, TerminalText.LineLength)}")));
                return (t.StoppedReason is { } reason ? TerminalText.Quote(reason, TerminalText.LineLength) : "no reason given") + (containers.Length > 0 ? $" ({containers})" : string.Empty);
            })
            .OrderByDescending(g => g.Count())
            .ToList();
        string tasksWord = tasks.Count == 1 ? "1 task" : $"{tasks.Count} tasks";
        if (groups.Count == 1)
        {
            return $"{tasksWord} of this deployment stopped: {groups[0].Key}.";
        }
        var reasons = groups.Take(StoppedReasonsQuoted).Select(g => $"{g.Count()}× {g.Key}").ToList();
        if (groups.Count > StoppedReasonsQuoted)
        {
            reasons.Add($"{groups.Skip(StoppedReasonsQuoted).Sum(g => g.Count())}× other reasons");
        }
        return $"{tasksWord} of this deployment stopped: {string.Join("; ", reasons)}.";
    }

    private async Task FinishAsync(WatchedDeployment deployment, MightyDeploymentStatus status, string reason, MightyOpsException? error, IProgress<RolloutProgress>? progress, Action<WatchedDeployment> onFinished, CancellationToken cancellationToken)
    {
        deployment.Status = status;
        deployment.FailureReason = reason.Trim() + deployment.CrashOutput;
        deployment.CompletedAt ??= DateTimeOffset.UtcNow;
        // Where the time went: a few ECS reads per deployment, at its end.
        await new DeploymentTimelineReader(_aws, _log).RecordAsync(deployment, TargetHealth, cancellationToken).ConfigureAwait(false);
        bool asked = (deployment.Expected, status) is (ExpectedOutcome.Rollback, MightyDeploymentStatus.RolledBack) or (ExpectedOutcome.Stop, MightyDeploymentStatus.Stopped);
        deployment.Error = error ?? (asked ? null : status switch
        {
            MightyDeploymentStatus.Completed or MightyDeploymentStatus.Superseded => null,
            MightyDeploymentStatus.Stopped => new MightyOpsException(DeployErrorIds.DeploymentStopped,
                $"Deploying {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} to '{deployment.Service}' was stopped before it completed. {deployment.FailureReason}", deployment.Service),
            MightyDeploymentStatus.TimedOut => new MightyOpsException(DeployErrorIds.DeploymentTimedOut,
                $"Deploying {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} to '{deployment.Service}' timed out. {deployment.FailureReason}", deployment.Service),
            _ => new MightyOpsException(DeployErrorIds.DeploymentFailed,
                $"Deploying {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} to '{deployment.Service}' failed. {deployment.FailureReason}", deployment.Service),
        });
        progress?.Report(new RolloutProgress(deployment.Cluster, deployment.Service, status.ToString(), 100, Finished: true));
        onFinished(deployment);
    }

    private static void Report(IProgress<RolloutProgress>? progress, WatchedDeployment deployment, string status, EcsDeployment counts) =>
        Report(progress, deployment, status, counts.DesiredCount == 0 ? 50 : Math.Clamp(100 * counts.RunningCount / counts.DesiredCount, 0, 99));

    private static void Report(IProgress<RolloutProgress>? progress, WatchedDeployment deployment, string status, int percent)
    {
        deployment.LastPercent = percent;
        progress?.Report(new RolloutProgress(deployment.Cluster, deployment.Service, status, percent, Finished: false));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
