using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>The deployment an UpdateService started, found in the ledger, and what else started since the deploy looked.</summary>
/// <param name="Deployment">Ours: the newest one whose target revision runs our task definition.</param>
/// <param name="Revision">Its target revision (the image digests ECS resolved).</param>
/// <param name="Others">Deployments of the service created since the deploy looked that are not ours, newest first.</param>
public sealed record LedgerMatch(EcsServiceDeploymentBrief Deployment, EcsServiceRevision? Revision, IReadOnlyList<EcsServiceDeploymentBrief> Others);

/// <summary>
/// ECS's service-deployment ledger as the deploy commands read it: one instance per command, which
/// remembers when the ledger is not available (a region without it, a role without the
/// permission) and then answers null, so that the caller falls back to the DescribeServices rules
/// (docs/design/ecs-service-deployments.md, "Without the ledger"); that is said once, in -Verbose.
/// </summary>
public sealed class ServiceLedger
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly bool _quiet;
    private int _unavailable;

    /// <param name="aws">The session.</param>
    /// <param name="log">Where the one -Verbose line about a missing ledger goes.</param>
    /// <param name="quiet">True for a ledger whose unavailability another one says (a deploy's preflight, before its watch).</param>
    public ServiceLedger(AwsSession aws, IOperationLog log, bool quiet = false)
    {
        _aws = aws;
        _log = log;
        _quiet = quiet;
    }

    /// <summary>False once an answer said the ledger is not there for this account and region.</summary>
    public bool Available => Volatile.Read(ref _unavailable) == 0;

    /// <summary>
    /// True for an answer that means the ledger is not available here: the operation is unknown
    /// or not supported in the region, or the credentials may not call it.
    /// </summary>
    public static bool IsUnavailable(MightyOpsException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Is(AwsErrorIds.AwsAccessDenied)
            || e.Data["AwsErrorCode"] is "UnsupportedFeatureException" or "UnknownOperationException" or "UnknownOperation";
    }

    /// <summary>The service's newest deployments, newest first (one ListServiceDeployments); null without the ledger.</summary>
    public Task<IReadOnlyList<EcsServiceDeploymentBrief>?> RecentAsync(string cluster, string service, int limit, CancellationToken cancellationToken) =>
        TryAsync(() => _aws.Ecs.ListServiceDeploymentsAsync(cluster, service, null, null, limit, cancellationToken));

    /// <summary>The deployments of the service created at or after <paramref name="after"/>, newest first; null without the ledger.</summary>
    public Task<IReadOnlyList<EcsServiceDeploymentBrief>?> SinceAsync(string cluster, string service, DateTimeOffset after, CancellationToken cancellationToken) =>
        TryAsync(() => _aws.Ecs.ListServiceDeploymentsAsync(cluster, service, null, after, 20, cancellationToken));

    /// <summary>
    /// The deployment that started <paramref name="taskDefinition"/> at or after <paramref name="after"/>
    /// (ECS's clock): the newest one whose target revision runs it, with that revision, and the
    /// others created since <paramref name="lookedAt"/> (when the deploy looked before starting).
    /// Null when none is listed (yet) or without the ledger.
    /// </summary>
    public async Task<LedgerMatch?> FindAsync(string cluster, string service, string taskDefinition, DateTimeOffset after, DateTimeOffset? lookedAt, CancellationToken cancellationToken)
    {
        IReadOnlyList<EcsServiceDeploymentBrief>? recent = await SinceAsync(cluster, service, after, cancellationToken).ConfigureAwait(false);
        if (recent is null || recent.Count == 0)
        {
            return null;
        }
        IReadOnlyDictionary<string, EcsServiceRevision>? revisions = await RevisionsAsync(recent.Select(d => d.TargetServiceRevisionArn).OfType<string>(), cancellationToken).ConfigureAwait(false);
        if (revisions is null)
        {
            return null;
        }
        EcsServiceDeploymentBrief? ours = recent
            .Where(d => d.TargetServiceRevisionArn is string arn && revisions.TryGetValue(arn, out EcsServiceRevision? r) && EcsClient.SameTaskDefinition(r.TaskDefinition, taskDefinition))
            .MaxBy(d => d.CreatedAt);
        if (ours is null)
        {
            return null;
        }
        List<EcsServiceDeploymentBrief> others = recent
            .Where(d => d.ServiceDeploymentArn != ours.ServiceDeploymentArn && (lookedAt is null || d.CreatedAt > lookedAt))
            .OrderByDescending(d => d.CreatedAt)
            .ToList();
        return new LedgerMatch(ours, revisions.GetValueOrDefault(ours.TargetServiceRevisionArn!), others);
    }

    /// <summary>Service revisions by ARN (DescribeServiceRevisions in batches of 20); null without the ledger.</summary>
    public async Task<IReadOnlyDictionary<string, EcsServiceRevision>?> RevisionsAsync(IEnumerable<string> revisions, CancellationToken cancellationToken)
    {
        List<string> arns = EcsClient.Distinct(revisions);
        if (arns.Count == 0)
        {
            return new Dictionary<string, EcsServiceRevision>(StringComparer.Ordinal);
        }
        DescribeServiceRevisionsResponse? described = await TryAsync(() => _aws.Ecs.DescribeServiceRevisionsAsync(arns, cancellationToken)).ConfigureAwait(false);
        return described?.ServiceRevisions?.Where(r => r.ServiceRevisionArn is not null).ToDictionary(r => r.ServiceRevisionArn!, StringComparer.Ordinal);
    }

    /// <summary>Service deployments by ARN (DescribeServiceDeployments in batches of 20); null without the ledger.</summary>
    public async Task<IReadOnlyDictionary<string, EcsServiceDeployment>?> DescribeAsync(IEnumerable<string> deployments, CancellationToken cancellationToken)
    {
        List<string> arns = EcsClient.Distinct(deployments);
        if (arns.Count == 0)
        {
            return new Dictionary<string, EcsServiceDeployment>(StringComparer.Ordinal);
        }
        DescribeServiceDeploymentsResponse? described = await TryAsync(() => _aws.Ecs.DescribeServiceDeploymentsAsync(arns, cancellationToken)).ConfigureAwait(false);
        return described?.ServiceDeployments?.Where(d => d.ServiceDeploymentArn is not null).ToDictionary(d => d.ServiceDeploymentArn!, StringComparer.Ordinal);
    }

    /// <summary>
    /// "application=app:master.5, nginx=nginx-proxy:master.5": a revision's images as their
    /// repository and tag (or digest), made visible, for messages about someone else's deployment.
    /// </summary>
    public static string ImagesOf(EcsServiceRevision? revision) =>
        revision?.ContainerImages is { Count: > 0 } images
            ? string.Join(", ", images.Select(i => $"{TerminalText.Quote(i.ContainerName ?? "?")}={TerminalText.Quote(ShortImage(i.Image))}"))
            : "images unknown";

    private static string ShortImage(string? image) =>
        ImageReference.TryParse(image, out ImageReference reference)
            ? $"{reference.Repository}{(reference.Tag is { Length: > 0 } tag ? ":" + tag : reference.Digest is string digest ? "@" + digest : string.Empty)}"
            : image ?? "?";

    /// <summary>
    /// Runs one ledger call; an answer that says the ledger is not there gives null from now on
    /// (said once, in -Verbose). Other failures are thrown as they are.
    /// </summary>
    internal async Task<T?> TryAsync<T>(Func<Task<T>> call)
        where T : class
    {
        if (!Available)
        {
            return null;
        }
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (IsUnavailable(e))
        {
            if (Interlocked.Exchange(ref _unavailable, 1) == 0 && !_quiet)
            {
                _log.Verbose($"ECS's service-deployment ledger is not available here ({e.Message}); deployments are judged by DescribeServices alone, as before the ledger existed (docs/design/ecs-service-deployments.md).");
            }
            return null;
        }
    }
}
