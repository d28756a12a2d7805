using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// One deploy at a time per service: before anything is registered, the service's ledger is read;
/// a deployment still open (PENDING, IN_PROGRESS, stopping or rolling back) refuses the deploy
/// with <c>DeploymentInProgress</c> unless forced. What was seen (the newest deployment's creation
/// time) is kept, so that the watch can tell a deployment that started at the same time as ours
/// (docs/design/ecs-service-deployments.md, "Concurrent deploys").
/// </summary>
public sealed class DeploymentGuard
{
    private const int DeploymentsRead = 10;

    private readonly ServiceLedger _ledger;
    private readonly IOperationLog _log;

    public DeploymentGuard(ServiceLedger ledger, IOperationLog log)
    {
        _ledger = ledger;
        _log = log;
    }

    /// <summary>
    /// Checks <paramref name="service"/>: returns the creation time of its newest deployment
    /// (<see cref="DateTimeOffset.MinValue"/> when it has none; null without the ledger), or throws
    /// <c>DeploymentInProgress</c> naming the open deployment (its ARN, when it started, its images)
    /// unless <paramref name="force"/>.
    /// </summary>
    public async Task<DateTimeOffset?> CheckAsync(string cluster, string service, bool force, CancellationToken cancellationToken)
    {
        IReadOnlyList<EcsServiceDeploymentBrief>? recent = await _ledger.RecentAsync(cluster, service, DeploymentsRead, cancellationToken).ConfigureAwait(false);
        if (recent is null)
        {
            return null;
        }
        DateTimeOffset lookedAt = recent.Select(d => d.CreatedAt).OfType<DateTimeOffset>().DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        EcsServiceDeploymentBrief? open = recent.Where(d => DeploymentVerdict.Open.Contains(d.Status ?? string.Empty)).MaxBy(d => d.CreatedAt);
        if (open is null)
        {
            return lookedAt;
        }
        IReadOnlyDictionary<string, EcsServiceRevision>? revisions = await _ledger.RevisionsAsync(open.TargetServiceRevisionArn is string arn ? [arn] : [], cancellationToken).ConfigureAwait(false);
        string images = ServiceLedger.ImagesOf(open.TargetServiceRevisionArn is string target ? revisions?.GetValueOrDefault(target) : null);
        string started = (open.StartedAt ?? open.CreatedAt)?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC";
        string described = $"{open.ServiceDeploymentArn} ({open.Status}, started {started}, deploying {images})";
        if (force)
        {
            _log.Verbose($"{service}: deploying over the deployment in progress {described} (-Force).");
            return lookedAt;
        }
        throw new MightyOpsException(DeployErrorIds.DeploymentInProgress,
            $"Service '{service}' has a deployment in progress: {described}. Nothing was registered. Wait for it (Wait-MightyDeployment -Cluster {cluster} -Service {service}), stop it (Stop-MightyDeployment -Cluster {cluster} -Service {service} -Rollback), or deploy over it with -Force.",
            service);
    }
}
