using System.Globalization;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

// The watch's rules where ECS's service-deployment ledger is available: ECS's own verdict decides
// (docs/design/ecs-service-deployments.md, "What MightyOps reports"); DescribeServices still gives
// the events, and the deployment's tasks for the explanation of a failure.
public sealed partial class RolloutWatcher
{
    /// <summary>Looks at one deployment by its ledger entry; true when something moved since the last poll.</summary>
    private async Task<bool> EvaluateLedgerAsync(
        WatchedDeployment deployment,
        EcsService service,
        EcsServiceDeployment entry,
        EcsDeployment? primary,
        EcsDeployment? ours,
        bool noRollback,
        IProgress<RolloutProgress>? progress,
        Action<WatchedDeployment> onFinished,
        CancellationToken cancellationToken)
    {
        string state = $"{entry.Status} {entry.LifecycleStage}";
        bool changed = state != deployment.LastLedgerState;
        if (changed)
        {
            deployment.LastLedgerState = state;
            _log.Verbose($"{deployment.Service}: service deployment {entry.Status}, stage {entry.LifecycleStage ?? "none"}.");
        }
        switch (entry.Status)
        {
            case DeploymentVerdict.Successful:
                deployment.CompletedAt = entry.FinishedAt;
                await FinishAsync(deployment, MightyDeploymentStatus.Completed,
                    deployment.Expected == ExpectedOutcome.Completion ? string.Empty : "ECS completed the deployment before the stop took effect.",
                    null, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return true;
            case DeploymentVerdict.RollbackSuccessful:
                await RolledBackAsync(deployment, entry, primary, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return true;
            case DeploymentVerdict.RollbackFailed:
                await RollbackFailedAsync(deployment, entry, primary, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return true;
            case DeploymentVerdict.Stopped:
                await StoppedAsync(deployment, entry, primary, noRollback, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return true;
            case DeploymentVerdict.RollbackRequested or DeploymentVerdict.RollbackInProgress:
                Report(progress, deployment, $"ECS is rolling back: {TerminalText.Quote(entry.Rollback?.Reason ?? entry.StatusReason ?? "requested", TerminalText.LineLength)}", 50);
                return changed;
            case DeploymentVerdict.StopRequested:
                Report(progress, deployment, "stopping (StopServiceDeployment)", deployment.LastPercent);
                return changed;
        }
        // PENDING or IN_PROGRESS. A failure DescribeServices shows that ECS does not act on (its
        // circuit breaker off): MightyOps rolls back itself, in flight.
        if (ours?.RolloutState == "FAILED" && deployment.Expected == ExpectedOutcome.Completion && !deployment.RollbackRequested)
        {
            await FailedAsync(deployment, ours, null, noRollback, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return true;
        }
        foreach (EcsDeploymentLifecycleHookDetail hook in (entry.LifecycleHookDetails ?? []).Where(h => h.Status == "AWAITING_ACTION"))
        {
            if (hook.HookId is string id && deployment.AnnouncedHooks.Add(id))
            {
                _log.Warning(PauseHookMessage(deployment, entry, hook));
            }
        }
        string balanced = TargetHealth.Progress(deployment);
        Report(progress, deployment, ProgressText(deployment, entry, DateTimeOffset.UtcNow) + (balanced.Length > 0 ? $", {balanced}" : string.Empty), PercentOf(entry));
        return changed;
    }

    /// <summary>One line: the deployment waits at a pause hook, until when, what then, and how to answer it.</summary>
    internal static string PauseHookMessage(WatchedDeployment deployment, EcsServiceDeployment entry, EcsDeploymentLifecycleHookDetail hook)
    {
        string expires = hook.ExpiresAt is DateTimeOffset at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "its timeout";
        string then = hook.TimeoutAction == "CONTINUE" ? "continues" : "rolls it back";
        return $"{deployment.Service}: the deployment waits at a pause hook ({TerminalText.Quote(hook.HookId ?? "?")}, stage {entry.LifecycleStage}) for someone to continue or roll it back: Resume-MightyDeployment -Cluster {deployment.Cluster} -Service {deployment.Service} -Continue (or -Rollback). It expires at {expires}; then ECS {then}.";
    }

    /// <summary>
    /// "LINEAR TEST_TRAFFIC_SHIFT, traffic 50%: running 2/2"; during BAKE_TIME the time left of it,
    /// counted from when the ledger says the stage began to <paramref name="now"/> on this machine's
    /// clock (within a few seconds of ECS's; the sandbox's simulated clock runs ahead, so there it
    /// shows the whole bake time until the stage ends).
    /// </summary>
    internal static string ProgressText(WatchedDeployment deployment, EcsServiceDeployment entry, DateTimeOffset now)
    {
        string strategy = DeploymentStrategy.Of(entry.DeploymentConfiguration ?? deployment.Configuration);
        var text = new List<string> { $"{strategy} {entry.LifecycleStage ?? entry.Status}" };
        EcsServiceRevisionSummary? target = entry.TargetServiceRevision;
        if (strategy is DeploymentStrategy.Linear or DeploymentStrategy.Canary && target?.RequestedProductionTrafficWeight is double weight)
        {
            text[0] += $", traffic {weight.ToString("0.#", CultureInfo.InvariantCulture)}%";
        }
        if (entry.LifecycleStage == "BAKE_TIME")
        {
            deployment.BakeStartedAt ??= entry.UpdatedAt ?? now;
            TimeSpan bake = DeploymentStrategy.BakeTime(entry.DeploymentConfiguration ?? deployment.Configuration);
            DateTimeOffset end = deployment.BakeStartedAt.Value + bake;
            TimeSpan left = end - now < TimeSpan.Zero ? TimeSpan.Zero : end - now > bake ? bake : end - now;
            text.Add($"bake time: {DeploymentStrategy.Minutes(left)} left of {DeploymentStrategy.Minutes(bake)}, rollback still possible");
        }
        if ((entry.LifecycleHookDetails ?? []).Any(h => h.Status == "AWAITING_ACTION"))
        {
            text.Add("waiting at a pause hook");
        }
        if (target is not null)
        {
            text.Add($"running {target.RunningTaskCount}/{target.RequestedTaskCount}, pending {target.PendingTaskCount}");
        }
        return string.Join("; ", text);
    }

    private static int PercentOf(EcsServiceDeployment entry) =>
        entry.TargetServiceRevision is { RequestedTaskCount: > 0 } target ? Math.Clamp(100 * target.RunningTaskCount / target.RequestedTaskCount, 0, 99) : 50;

    /// <summary>
    /// "Circuit breaker: 3 of 3 tasks failed (TRIGGERED). CloudWatch alarm in ALARM: api-5xx.":
    /// what ECS watched that failed the deployment, from the ledger.
    /// </summary>
    internal static string Detected(EcsServiceDeployment entry)
    {
        var parts = new List<string>();
        if (entry.DeploymentCircuitBreaker is { } breaker && (breaker.Status == "TRIGGERED" || breaker.FailureCount > 0))
        {
            parts.Add($"Circuit breaker: {breaker.FailureCount} of {breaker.Threshold} tasks failed ({breaker.Status}).");
        }
        if (entry.Alarms?.TriggeredAlarmNames is { Count: > 0 } alarms)
        {
            parts.Add($"CloudWatch alarm{(alarms.Count == 1 ? string.Empty : "s")} in ALARM: {string.Join(", ", alarms.Select(a => TerminalText.Quote(a)))}.");
        }
        foreach (EcsDeploymentLifecycleHookDetail hook in (entry.LifecycleHookDetails ?? []).Where(h => h.Status is "FAILED" or "TIMED_OUT"))
        {
            parts.Add($"Lifecycle hook {TerminalText.Quote(hook.TargetArn ?? hook.HookId ?? "?")} {hook.Status?.ToLowerInvariant().Replace('_', ' ')}.");
        }
        return string.Join(" ", parts);
    }

    private async Task RolledBackAsync(WatchedDeployment deployment, EcsServiceDeployment entry, EcsDeployment? primary, IProgress<RolloutProgress>? progress, Action<WatchedDeployment> onFinished, CancellationToken cancellationToken)
    {
        string? ecsReason = entry.Rollback?.Reason ?? entry.StatusReason;
        string why = deployment.Explained ? deployment.FailureReason
            : deployment.Expected == ExpectedOutcome.Completion ? await ExplainAsync(deployment, ecsReason, cancellationToken).ConfigureAwait(false)
            : string.Empty;
        string to = primary?.TaskDefinition ?? deployment.PreviousTaskDefinitionArn;
        string by = deployment.RollbackRequested ? "StopServiceDeployment" : "ECS";
        deployment.Rollback = new MightyDeploymentRollback
        {
            By = by,
            Reason = ecsReason ?? string.Empty,
            TaskDefinitionArn = to,
            ServiceRevisionArn = entry.Rollback?.ServiceRevisionArn ?? string.Empty,
            StartedAt = entry.Rollback?.StartedAt,
        };
        deployment.CompletedAt = entry.FinishedAt;
        string who = deployment.Expected != ExpectedOutcome.Completion ? "Rolled back as asked"
            : by == "ECS" ? "Rolled back by ECS" : "Rolled back in flight (StopServiceDeployment ROLLBACK)";
        await FinishAsync(deployment, deployment.RollbackRequested ? deployment.StatusAfterRollback : MightyDeploymentStatus.RolledBack,
            $"{why} {Detected(entry)} {who}: the service runs {MightyServiceDeployment.ShortTaskDefinition(to)} again.", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
    }

    private async Task RollbackFailedAsync(WatchedDeployment deployment, EcsServiceDeployment entry, EcsDeployment? primary, IProgress<RolloutProgress>? progress, Action<WatchedDeployment> onFinished, CancellationToken cancellationToken)
    {
        string why = deployment.Explained ? deployment.FailureReason : await ExplainAsync(deployment, entry.Rollback?.Reason, cancellationToken).ConfigureAwait(false);
        string runs = MightyServiceDeployment.ShortTaskDefinition(primary?.TaskDefinition ?? string.Empty);
        string message = $"{why} {Detected(entry)} ECS's rollback failed too (ROLLBACK_FAILED: {TerminalText.Quote(entry.StatusReason ?? "no reason given", TerminalText.LineLength)}). "
            + $"The service may run no healthy task: its primary deployment runs {runs}. Deploy a revision known to work (Restore-MightyService -Cluster {deployment.Cluster} -Service {deployment.Service} -TaskDefinition <family:revision>) and read Get-MightyServiceEvent -Service {deployment.Service}.";
        _log.Warning($"{deployment.Service}: ECS's rollback failed (ROLLBACK_FAILED); the service may run no healthy task.");
        deployment.CompletedAt = entry.FinishedAt;
        await FinishAsync(deployment, MightyDeploymentStatus.Failed, message, null, progress, onFinished, cancellationToken).ConfigureAwait(false);
    }

    private async Task StoppedAsync(WatchedDeployment deployment, EcsServiceDeployment entry, EcsDeployment? primary, bool noRollback, IProgress<RolloutProgress>? progress, Action<WatchedDeployment> onFinished, CancellationToken cancellationToken)
    {
        deployment.CompletedAt = entry.StoppedAt ?? entry.FinishedAt;
        bool superseded = primary is not null && primary.Id != deployment.DeploymentId && primary.CreatedAt > deployment.StartedAt;
        if (superseded)
        {
            IReadOnlyList<EcsServiceDeploymentBrief>? recent = await Ledger.SinceAsync(deployment.Cluster, deployment.Service, deployment.StartedAt ?? DateTimeOffset.MinValue, cancellationToken).ConfigureAwait(false);
            EcsServiceDeploymentBrief? newer = recent?.Where(d => d.ServiceDeploymentArn != deployment.DeploymentArn && d.CreatedAt > entry.CreatedAt).MaxBy(d => d.CreatedAt);
            deployment.SupersededByTaskDefinitionArn = primary!.TaskDefinition ?? string.Empty;
            deployment.SupersededByDeploymentArn = newer?.ServiceDeploymentArn ?? string.Empty;
            string winner = MightyServiceDeployment.ShortTaskDefinition(deployment.SupersededByTaskDefinitionArn);
            string name = newer?.ServiceDeploymentArn ?? primary.Id ?? "?";
            _log.Warning($"{deployment.Service}: the deployment of {MightyServiceDeployment.ShortTaskDefinition(deployment.TaskDefinitionArn)} was superseded by {winner} ({name}) before it completed; the service runs {winner}.");
            await FinishAsync(deployment, MightyDeploymentStatus.Superseded, $"Superseded by another deployment before it completed: {name} runs {winner} now.", null, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (DeploymentVerdict.FailureDetected(entry) && deployment.Expected == ExpectedOutcome.Completion)
        {
            // ECS stopped it without rolling back (its rollback is off): it has ended, so a
            // rollback is a deployment of the previous revision.
            string why = await ExplainAsync(deployment, entry.StatusReason, cancellationToken).ConfigureAwait(false);
            deployment.FailureReason = (why + " " + Detected(entry)).Trim();
            deployment.Explained = true;
            if (noRollback)
            {
                await FinishAsync(deployment, MightyDeploymentStatus.Failed,
                    deployment.FailureReason + $" ECS stopped the deployment without rolling back, and -NoRollback was given. Roll back with Restore-MightyService -Cluster {deployment.Cluster} -Service {deployment.Service} -Previous.",
                    null, progress, onFinished, cancellationToken).ConfigureAwait(false);
                return;
            }
            await RollBackAsync(deployment, null, MightyDeploymentStatus.RolledBack, progress, onFinished, cancellationToken).ConfigureAwait(false);
            return;
        }
        string runs = MightyServiceDeployment.ShortTaskDefinition(primary?.TaskDefinition ?? string.Empty);
        await FinishAsync(deployment, MightyDeploymentStatus.Stopped,
            $"ECS stopped the deployment before it completed ({TerminalText.Quote(entry.StatusReason ?? "STOPPED", TerminalText.LineLength)}); the service runs {runs}.",
            null, progress, onFinished, cancellationToken).ConfigureAwait(false);
    }
}
