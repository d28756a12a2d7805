using System.Globalization;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>A rollback's plan: the service, what it runs now, and the revision it goes back to.</summary>
public sealed record RestorePlan(string Cluster, string Service, string CurrentTaskDefinition, string TargetTaskDefinition, string Why)
{
    /// <summary>The service's PRIMARY deployment when the rollback was planned: a deployment other than this one is the rollback's.</summary>
    public string? PrimaryDeploymentId { get; init; }

    /// <summary>The creation time of the service's newest deployment when the restore looked (DeploymentGuard); null without the ledger.</summary>
    public DateTimeOffset? LookedAt { get; init; }
}

/// <summary>
/// The deployments of services that MightyOps did not just start: the one each service is in
/// (Wait-MightyDeployment -Service), a rollback target (Restore-MightyService), and the event
/// log (Get-MightyServiceEvent). Every read is DescribeServices in batches of 10.
/// </summary>
public sealed class ServiceDeployments
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public ServiceDeployments(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// Each service's PRIMARY deployment, to watch: its previous task definition is the one the
    /// other (ACTIVE) deployment still runs, or the revision's <c>mightyops:previous-task-definition</c> tag.
    /// </summary>
    public async Task<IReadOnlyList<WatchedDeployment>> CurrentAsync(string cluster, IReadOnlyList<string> services, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var watched = new List<WatchedDeployment>();
        foreach (EcsService service in await DescribeAsync(cluster, services, onError, cancellationToken).ConfigureAwait(false))
        {
            EcsDeployment? primary = service.Deployments?.FirstOrDefault(d => d.Status == "PRIMARY");
            if (primary?.Id is null || primary.TaskDefinition is null)
            {
                onError(new MightyOpsException(DeployErrorIds.DeploymentNotFound, $"Service '{service.ServiceName}' has no PRIMARY deployment to wait for.", service.ServiceName));
                continue;
            }
            string previous = service.Deployments!.FirstOrDefault(d => d.Status != "PRIMARY")?.TaskDefinition
                ?? await PreviousTagAsync(primary.TaskDefinition, cancellationToken).ConfigureAwait(false)
                ?? string.Empty;
            watched.Add(WatchedDeployment.Of(cluster, service.ServiceName!, primary, previous, definition: null));
        }
        return watched;
    }

    /// <summary>
    /// Where <c>Restore-MightyService</c> takes a service: <paramref name="taskDefinition"/> (an
    /// ARN, <c>family:revision</c>, or a revision number of the service's family), or with
    /// -Previous the revision deployed before the running one (the running
    /// revision's <c>mightyops:previous-task-definition</c> tag, else the other deployment the
    /// service still has). Errors: <c>PreviousTaskDefinitionUnknown</c>, <c>TaskDefinitionNotFound</c>.
    /// </summary>
    public async Task<IReadOnlyList<RestorePlan>> PlanRestoreAsync(string cluster, IReadOnlyList<string> services, string? taskDefinition, bool force, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var plans = new List<RestorePlan>();
        var guard = new DeploymentGuard(new ServiceLedger(_aws, _log, quiet: true), _log);
        foreach (EcsService service in await DescribeAsync(cluster, services, onError, cancellationToken).ConfigureAwait(false))
        {
            string name = service.ServiceName!;
            string current = service.TaskDefinition ?? string.Empty;
            try
            {
                string target;
                string why;
                if (taskDefinition is null)
                {
                    EcsDeployment? other = service.Deployments?.FirstOrDefault(d => d.Status != "PRIMARY" && d.TaskDefinition != current);
                    target = await PreviousTagAsync(current, cancellationToken).ConfigureAwait(false) ?? other?.TaskDefinition
                        ?? throw new MightyOpsException(DeployErrorIds.PreviousTaskDefinitionUnknown,
                            $"Service '{name}' runs {MightyServiceDeployment.ShortTaskDefinition(current)}, which MightyOps did not deploy (it has no {DeployPlanner.PreviousTaskDefinitionTag} tag) and the service has no older deployment left, so the previously deployed revision is unknown. Name it: Restore-MightyService -Service {name} -TaskDefinition <family:revision>.",
                            name);
                    why = $"the revision deployed before {MightyServiceDeployment.ShortTaskDefinition(current)}";
                }
                else
                {
                    string family = MightyServiceDeployment.ShortTaskDefinition(current).Split(':')[0];
                    string reference = int.TryParse(taskDefinition, NumberStyles.None, CultureInfo.InvariantCulture, out int revision) ? $"{family}:{revision}" : taskDefinition;
                    target = reference;
                    why = "as asked";
                }
                DescribeTaskDefinitionResponse described = await _aws.Ecs.DescribeTaskDefinitionAsync(target, includeTags: false, cancellationToken).ConfigureAwait(false);
                DateTimeOffset? lookedAt = await guard.CheckAsync(cluster, name, force, cancellationToken).ConfigureAwait(false);
                plans.Add(new RestorePlan(cluster, name, current, described.TaskDefinition?.TaskDefinitionArn ?? target, why)
                {
                    PrimaryDeploymentId = service.Deployments?.FirstOrDefault(d => d.Status == "PRIMARY")?.Id,
                    LookedAt = lookedAt,
                });
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        return plans;
    }

    /// <summary>Points the service at the plan's revision and returns the deployment to watch.</summary>
    public async Task<WatchedDeployment> StartRestoreAsync(RestorePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        UpdateServiceResponse updated = await _aws.Ecs.StartDeploymentAsync(new UpdateServiceRequest
        {
            Cluster = plan.Cluster,
            Service = plan.Service,
            TaskDefinition = plan.TargetTaskDefinition,
            // The same revision again still means new tasks: that is what a restore is asked for.
            ForceNewDeployment = plan.TargetTaskDefinition == plan.CurrentTaskDefinition,
        }, plan.PrimaryDeploymentId, cancellationToken).ConfigureAwait(false);
        _log.Verbose($"{plan.Service}: rolling back to {MightyServiceDeployment.ShortTaskDefinition(plan.TargetTaskDefinition)} ({plan.Why}).");
        WatchedDeployment started = WatchedDeployment.FromUpdate(plan.Cluster, plan.Service, updated.Service, plan.TargetTaskDefinition, plan.CurrentTaskDefinition, new Dictionary<string, string>());
        started.LookedAt = plan.LookedAt;
        return started;
    }

    /// <summary>The services' events, oldest first: those at or after <paramref name="since"/>, then the last <paramref name="last"/> of each service.</summary>
    public async Task<IReadOnlyList<MightyServiceEvent>> EventsAsync(string cluster, IReadOnlyList<string> services, DateTimeOffset? since, int? last, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var events = new List<MightyServiceEvent>();
        foreach (EcsService service in await DescribeAsync(cluster, services, onError, cancellationToken).ConfigureAwait(false))
        {
            IEnumerable<MightyServiceEvent> own = (service.Events ?? [])
                .Where(e => since is null || e.CreatedAt >= since)
                .OrderBy(e => e.CreatedAt)
                .Select(e => new MightyServiceEvent { Cluster = cluster, Service = service.ServiceName ?? string.Empty, Id = e.Id ?? string.Empty, CreatedAt = e.CreatedAt ?? default, Message = e.Message ?? string.Empty });
            events.AddRange(last is int count ? own.TakeLast(count) : own);
        }
        return events.OrderBy(e => e.CreatedAt).ThenBy(e => e.Service, StringComparer.Ordinal).ToList();
    }

    private async Task<List<EcsService>> DescribeAsync(string cluster, IReadOnlyList<string> services, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        DescribeServicesResponse described = await _aws.Ecs.DescribeServicesAsync(cluster, services, cancellationToken).ConfigureAwait(false);
        foreach (EcsFailure failure in described.Failures ?? [])
        {
            string name = EcsArn.LastSegment(failure.Arn ?? string.Empty);
            onError(new MightyOpsException(AwsErrorIds.ServiceNotFound, $"Service '{name}' was not found in cluster '{cluster}' ({_aws.Region}).", name));
        }
        return described.Services ?? [];
    }

    private async Task<string?> PreviousTagAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        DescribeTaskDefinitionResponse described = await _aws.Ecs.DescribeTaskDefinitionAsync(taskDefinition, includeTags: true, cancellationToken).ConfigureAwait(false);
        string? previous = described.Tags?.FirstOrDefault(t => t.Key == DeployPlanner.PreviousTaskDefinitionTag)?.Value;
        _log.Debug($"{MightyServiceDeployment.ShortTaskDefinition(taskDefinition)}: {DeployPlanner.PreviousTaskDefinitionTag} = {previous ?? "(none)"}");
        return string.IsNullOrEmpty(previous) ? null : previous;
    }
}
