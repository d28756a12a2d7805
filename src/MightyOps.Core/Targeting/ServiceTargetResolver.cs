using System.Runtime.CompilerServices;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Targeting;

/// <summary>Whether the cmdlet only reads the services it targets or changes them.</summary>
public enum TargetingMode
{
    /// <summary>
    /// Get-* cmdlets: no service names means every service of the cluster; a wildcard that matches
    /// nothing returns nothing, as Get-ChildItem does.
    /// </summary>
    Read,

    /// <summary>
    /// Cmdlets that deploy, scale, roll back or run commands: every target must be named. No
    /// service names is a <c>ServiceNotNamed</c> error (pass <c>-Service *</c> to mean every
    /// service), and a wildcard that matches nothing is a <c>ServiceNotFound</c> error.
    /// </summary>
    Change,
}

/// <summary>One service, exactly as ECS spells it.</summary>
/// <param name="Cluster">The cluster's short name.</param>
/// <param name="Service">The service's name, in ECS's own case.</param>
/// <param name="ServiceArn">The service ARN ListServices returned.</param>
/// <param name="TaskIds">Only these tasks of the service (ids), when the input narrowed it with task ids; null for the whole service.</param>
public sealed record ServiceTarget(string Cluster, string Service, string ServiceArn, IReadOnlyList<string>? TaskIds = null);

/// <summary>The services one cluster contributes to a command, sorted by name.</summary>
/// <param name="Cluster">The cluster's short name (what ECS calls accept).</param>
/// <param name="Services">The exact services, never empty.</param>
public sealed record ClusterTargets(string Cluster, IReadOnlyList<ServiceTarget> Services)
{
    /// <summary>The service names, for DescribeServices and friends.</summary>
    public IReadOnlyList<string> ServiceNames => Services.Select(s => s.Service).ToList();
}

/// <summary>
/// Turns what the user typed or piped (-Cluster as a name or cluster ARN; -Service as names,
/// wildcards or service ARNs; objects that carry only a cluster) into the exact services to act
/// on, grouped per cluster. Every cmdlet that takes -Cluster/-Service uses this one resolver, so
/// they all mean the same thing by the same input.
/// </summary>
/// <remarks>
/// <para>Use: create one per cmdlet invocation; call <see cref="Add(string?, IReadOnlyList{string}?)"/> once per pipeline record
/// (write the errors it returns: they are about that record only); in EndProcessing enumerate
/// <see cref="ResolveAsync"/> and act on each <see cref="ClusterTargets"/> as it arrives.</para>
/// <code>
/// var targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Change);
/// // ProcessRecord:
/// foreach (MightyOpsException e in targets.Add(Cluster, Service)) WriteMightyError(e);
/// // EndProcessing:
/// RunEach(ct => targets.ResolveAsync(e => Post(() => WriteMightyError(e)), ct), group => ...);
/// </code>
/// <para>Rules (docs/design/targeting.md):</para>
/// <list type="bullet">
/// <item>A name without wildcards matches the one service spelled exactly so (ECS names are
/// case-sensitive); a miss is <c>ServiceNotFound</c>, suggesting a name that differs only in case.</item>
/// <item>Wildcards (<c>*</c>, <c>?</c>, <c>[a-z]</c>) match case-insensitively, like PowerShell's -like.</item>
/// <item>An ARN is honoured whole: a service ARN names its cluster (no -Cluster needed); a -Cluster
/// that names another cluster is <c>ClusterMismatch</c>; an ARN of another region than the
/// session's is <c>AwsRegionMismatch</c>; of another account than the cluster's (read from the
/// ARNs ECS returns for that cluster, so no STS call) is <c>AwsAccountMismatch</c>.</item>
/// <item>No service (null or empty) means every service of the cluster in <see cref="TargetingMode.Read"/>,
/// and is refused in <see cref="TargetingMode.Change"/>.</item>
/// <item>No cluster means <c>defaultCluster</c> ("default" unless the caller knows better, e.g. from configuration).</item>
/// <item>A cluster that is not there is <c>ClusterNotFound</c> naming the clusters that are, with a
/// did-you-mean for one that differs only in case or by a typo (<see cref="MissingCluster"/>).</item>
/// </list>
/// <para>Cost: one ListServices per cluster (pages of 100); DescribeClusters only when an ARN's
/// account must be checked against a cluster that has no services.</para>
/// </remarks>
public sealed class ServiceTargetResolver
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly TargetingMode _mode;
    private readonly string _defaultCluster;
    private readonly List<ClusterRequest> _requests = [];

    /// <param name="aws">The session: its region is what ARNs are checked against, its ECS client lists the services.</param>
    /// <param name="log">Verbose/Debug lines.</param>
    /// <param name="mode">Whether the caller changes what it targets (see <see cref="TargetingMode"/>).</param>
    /// <param name="defaultCluster">The cluster of inputs that name none.</param>
    public ServiceTargetResolver(AwsSession aws, IOperationLog log, TargetingMode mode, string defaultCluster = "default")
    {
        ArgumentNullException.ThrowIfNull(aws);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultCluster);
        _aws = aws;
        _log = log;
        _mode = mode;
        _defaultCluster = defaultCluster;
    }

    /// <summary>True when no input has been accepted (every <see cref="Add(string?, IReadOnlyList{string}?)"/> failed or none was made).</summary>
    public bool IsEmpty => _requests.Count == 0;

    /// <summary>
    /// Adds one input record: <paramref name="cluster"/> (a name, a cluster ARN, or null for none
    /// given) and <paramref name="services"/> (names, wildcards, service ARNs; null or empty for
    /// every service of the cluster). Nothing is called here. Returns the errors found in this
    /// record (bad ARNs, contradictions, an unnamed target in Change mode); the parts of the
    /// record that are fine are still added.
    /// </summary>
    public IReadOnlyList<MightyOpsException> Add(string? cluster, IReadOnlyList<string>? services) => Add(cluster, services, null);

    /// <summary>
    /// As <see cref="Add(string?, IReadOnlyList{string}?)"/>, narrowed to some tasks of exactly
    /// named services: <paramref name="taskIds"/> (ids or task ARNs; an ARN in the long format
    /// names its cluster, which must be the service's). A service named by a wildcard, or none,
    /// with task ids is <c>TaskIdNeedsExactService</c> for the whole record: reading the whole
    /// service instead would not be what was asked. The same service added once without tasks
    /// means the whole service.
    /// </summary>
    public IReadOnlyList<MightyOpsException> Add(string? cluster, IReadOnlyList<string>? services, IReadOnlyList<string>? taskIds)
    {
        var errors = new List<MightyOpsException>();
        List<string>? ids = taskIds?.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
        if (ids is { Count: 0 })
        {
            ids = null;
        }
        if (ids is not null)
        {
            string? inexact = (services ?? []).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s) && !EcsArn.LooksLikeArn(s) && !new Wildcard(s.Trim()).IsLiteral);
            if (inexact is not null || !(services ?? []).Any(s => !string.IsNullOrWhiteSpace(s)))
            {
                return [new MightyOpsException(TargetingErrorIds.TaskIdNeedsExactService,
                    inexact is null
                        ? "-TaskId picks tasks of one service; name that service exactly (-Service), or pipe the tasks from Get-MightyTask."
                        : $"-TaskId picks tasks of one service; '{inexact}' is a wildcard. Name the service exactly, or pipe the tasks from Get-MightyTask.",
                    inexact ?? (object)ids)];
            }
        }
        string? clusterName = null;
        string? clusterAccount = null;
        if (!string.IsNullOrWhiteSpace(cluster))
        {
            cluster = cluster.Trim();
            if (EcsArn.LooksLikeArn(cluster))
            {
                if (!EcsArn.TryParse(cluster, out EcsArn arn) || arn.ResourceType != "cluster")
                {
                    return [InvalidArn(cluster, "cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/production")];
                }
                if (RegionMismatch(arn) is { } wrongRegion)
                {
                    return [wrongRegion];
                }
                clusterName = arn.Cluster;
                clusterAccount = arn.Account;
            }
            else
            {
                clusterName = cluster;
            }
        }

        List<string> given = (services ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
        if (given.Count == 0)
        {
            string whole = clusterName ?? _defaultCluster;
            if (_mode == TargetingMode.Change)
            {
                return [new MightyOpsException(TargetingErrorIds.ServiceNotNamed,
                    $"No service was named for cluster '{whole}', and this command changes the services it targets. Name them with -Service (or pipe objects that carry a Service); -Service * means every service of the cluster.",
                    cluster ?? whole)];
            }
            Request(whole, cluster, named: clusterName is not null).AddWhole(cluster ?? whole, clusterAccount);
            return errors;
        }

        foreach (string service in given)
        {
            if (!EcsArn.LooksLikeArn(service))
            {
                string inCluster = clusterName ?? _defaultCluster;
                HashSet<string>? named = TaskIdsIn(inCluster, ids, errors);
                if (ids is not null && named is null)
                {
                    continue;
                }
                Request(inCluster, cluster, named: clusterName is not null).Add(new Selector(service, new Wildcard(service), clusterAccount, named));
                continue;
            }
            if (!EcsArn.TryParse(service, out EcsArn arn) || arn.ResourceType != "service")
            {
                errors.Add(InvalidArn(service, "service", "arn:aws:ecs:us-east-1:123456789012:service/production/WEB"));
                continue;
            }
            if (RegionMismatch(arn) is { } wrongRegion)
            {
                errors.Add(wrongRegion);
                continue;
            }
            if (clusterName is not null && arn.Cluster is not null && !string.Equals(clusterName, arn.Cluster, StringComparison.Ordinal))
            {
                errors.Add(new MightyOpsException(TargetingErrorIds.ClusterMismatch,
                    $"Service ARN '{service}' is in cluster '{arn.Cluster}', but the cluster given is '{clusterName}'. Leave out -Cluster (the ARN names its cluster) or pass the service's name instead of its ARN.",
                    service));
                continue;
            }
            if (clusterAccount is not null && !string.Equals(clusterAccount, arn.Account, StringComparison.Ordinal))
            {
                errors.Add(new MightyOpsException(TargetingErrorIds.AwsAccountMismatch,
                    $"Service ARN '{service}' belongs to account {arn.Account}, but the cluster ARN given belongs to account {clusterAccount}. Pass ARNs of one account.",
                    service));
                continue;
            }
            // The old short ARN format (service/name) does not say which cluster.
            string serviceCluster = arn.Cluster ?? clusterName ?? _defaultCluster;
            HashSet<string>? tasks = TaskIdsIn(serviceCluster, ids, errors);
            if (ids is not null && tasks is null)
            {
                continue;
            }
            Request(serviceCluster, arn.Cluster is null ? cluster : null, named: arn.Cluster is not null || clusterName is not null).Add(new Selector(service, Wildcard.Exactly(arn.Name), arn.Account, tasks));
        }
        return errors;
    }

    /// <summary>
    /// Lists each cluster's services (one cluster after the other, in the order they were first
    /// added) and yields the exact services the inputs name. Failures are passed to
    /// <paramref name="onError"/> and the rest carries on: <c>ClusterNotFound</c> (naming the
    /// clusters that exist), <c>ServiceNotFound</c>, <c>AwsAccountMismatch</c>, and whatever ECS
    /// refused (authentication, permissions). A cluster with nothing to act on is not yielded.
    /// </summary>
    public async IAsyncEnumerable<ClusterTargets> ResolveAsync(Action<MightyOpsException> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onError);
        foreach (ClusterRequest request in _requests)
        {
            ClusterTargets? targets;
            try
            {
                targets = await ResolveClusterAsync(request, onError, cancellationToken).ConfigureAwait(false);
            }
            catch (MightyOpsException e)
            {
                // A cluster that is not there, or AWS refusing us, ends this cluster; the next one may still work.
                onError(e);
                continue;
            }
            if (targets is not null)
            {
                yield return targets;
            }
        }
    }

    private async Task<ClusterTargets?> ResolveClusterAsync(ClusterRequest request, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        try
        {
            await foreach (string arn in _aws.Ecs.ListServicesAsync(request.Cluster, cancellationToken).ConfigureAwait(false))
            {
                arns.Add(arn);
            }
        }
        catch (MightyOpsException e) when (e.Is(AwsErrorIds.ClusterNotFound))
        {
            throw await MissingCluster.ExplainAsync(_aws, _log, request.Cluster, request.Input, request.Named, request.ClaimedAccounts, e, cancellationToken).ConfigureAwait(false);
        }
        _log.Verbose($"Cluster '{request.Cluster}' has {arns.Count} services.");

        List<ServiceTarget> services = arns
            .Select(a => new ServiceTarget(request.Cluster, EcsArn.LastSegment(a), a))
            .OrderBy(s => s.Service, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Service, StringComparer.Ordinal)
            .ToList();

        string? account = null;
        if (request.ClaimedAccounts.Any())
        {
            account = await AccountAsync(request.Cluster, arns, cancellationToken).ConfigureAwait(false);
        }

        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string input, string? claimed) in request.Wholes)
        {
            if (AccountMismatch(input, claimed, account, request.Cluster) is { } wrongAccount)
            {
                onError(wrongAccount);
                continue;
            }
            chosen.UnionWith(services.Select(s => s.Service));
        }
        foreach (Selector selector in request.Selectors)
        {
            if (AccountMismatch(selector.Input, selector.Account, account, request.Cluster) is { } wrongAccount)
            {
                onError(wrongAccount);
                continue;
            }
            List<string> matches = services.Select(s => s.Service).Where(selector.IsMatch).ToList();
            if (matches.Count == 0 && (selector.Pattern.IsLiteral || _mode == TargetingMode.Change))
            {
                onError(NotFound(request.Cluster, selector, services));
            }
            chosen.UnionWith(matches);
        }
        List<ServiceTarget> targets = services.Where(s => chosen.Contains(s.Service)).Select(s => s with { TaskIds = TaskIdsOf(request, s.Service) }).ToList();
        return targets.Count == 0 ? null : new ClusterTargets(request.Cluster, targets);
    }

    // The tasks a service was narrowed to: null (the whole service) as soon as one input wants it
    // whole, or matched it by a wildcard; else every task id the inputs gave for it.
    private static IReadOnlyList<string>? TaskIdsOf(ClusterRequest request, string service)
    {
        if (request.Wholes.Count > 0)
        {
            return null;
        }
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Selector selector in request.Selectors.Where(s => s.IsMatch(service)))
        {
            if (selector.TaskIds is null)
            {
                return null;
            }
            ids.UnionWith(selector.TaskIds);
        }
        return ids.ToList();
    }

    // Task ids as ECS's calls take them (the last part of an ARN, through the shared ARN parser);
    // null, with an error added, when an ARN is not a task's or names another cluster. Null when
    // no task ids were given.
    private HashSet<string>? TaskIdsIn(string cluster, IReadOnlyList<string>? taskIds, List<MightyOpsException> errors)
    {
        if (taskIds is null)
        {
            return null;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string task in taskIds)
        {
            if (!EcsArn.LooksLikeArn(task))
            {
                ids.Add(task);
                continue;
            }
            if (!EcsArn.TryParse(task, out EcsArn arn) || arn.ResourceType != "task")
            {
                errors.Add(InvalidArn(task, "task", "arn:aws:ecs:us-east-1:123456789012:task/production/0123456789abcdef0123456789abcdef"));
                return null;
            }
            if (arn.Cluster is not null && !string.Equals(arn.Cluster, cluster, StringComparison.Ordinal))
            {
                errors.Add(new MightyOpsException(TargetingErrorIds.ClusterMismatch,
                    $"Task ARN '{task}' is in cluster '{arn.Cluster}', but its service is in cluster '{cluster}'. Pass the task's own service and cluster, or pipe the task from Get-MightyTask.",
                    task));
                return null;
            }
            ids.Add(arn.Name);
        }
        return ids;
    }

    // The session's account is not known without an STS call (which would need sts:GetCallerIdentity
    // and one more endpoint); the ARNs ECS hands back for this cluster carry the account it is in.
    private async Task<string?> AccountAsync(string cluster, IReadOnlyList<string> serviceArns, CancellationToken cancellationToken)
    {
        foreach (string arn in serviceArns)
        {
            if (EcsArn.TryParse(arn, out EcsArn parsed))
            {
                return parsed.Account;
            }
        }
        DescribeClustersResponse described = await _aws.Ecs.DescribeClustersAsync([cluster], null, cancellationToken).ConfigureAwait(false);
        string? clusterArn = described.Clusters?.FirstOrDefault()?.ClusterArn;
        return clusterArn is not null && EcsArn.TryParse(clusterArn, out EcsArn parsedCluster) ? parsedCluster.Account : null;
    }

    private static MightyOpsException? AccountMismatch(string input, string? claimed, string? actual, string cluster) =>
        claimed is null || actual is null || string.Equals(claimed, actual, StringComparison.Ordinal)
            ? null
            : new MightyOpsException(TargetingErrorIds.AwsAccountMismatch,
                $"'{input}' names account {claimed}, but cluster '{cluster}' that these credentials reach is in account {actual}. Use credentials of account {claimed} (-ProfileName) or pass the name instead of the ARN.",
                input);

    private MightyOpsException? RegionMismatch(EcsArn arn) =>
        string.Equals(arn.Region, _aws.Region, StringComparison.Ordinal)
            ? null
            : new MightyOpsException(TargetingErrorIds.AwsRegionMismatch,
                $"'{arn.Arn}' is in region {arn.Region}, but this command runs in {_aws.Region} (from {_aws.RegionSource}). Pass -Region {arn.Region}, or a name instead of the ARN.",
                arn.Arn);

    private static MightyOpsException InvalidArn(string value, string kind, string example) =>
        new(TargetingErrorIds.EcsArnInvalid,
            $"'{value}' is not an ECS {kind} ARN. Pass a {kind} name or an ARN such as {example}.",
            value);

    private MightyOpsException NotFound(string cluster, Selector selector, IReadOnlyList<ServiceTarget> services)
    {
        string region = _aws.Region;
        if (!selector.Pattern.IsLiteral)
        {
            return new MightyOpsException(AwsErrorIds.ServiceNotFound,
                $"No service in cluster '{cluster}' ({region}) matches '{selector.Input}', and this command only acts on services that are named. Run Get-MightyService -Cluster {cluster} to see the services there.",
                selector.Input);
        }
        string name = selector.Pattern.Literal;
        string? otherCase = services.Select(s => s.Service).FirstOrDefault(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
        string hint = otherCase is null
            ? $"Run Get-MightyService -Cluster {cluster} to see the services there."
            : $"ECS names are case-sensitive: did you mean '{otherCase}'?";
        return new MightyOpsException(AwsErrorIds.ServiceNotFound,
            $"Service '{name}' was not found in cluster '{cluster}' ({region}). {hint}",
            selector.Input);
    }

    // input: how the user named the cluster (a name or an ARN), when they did; named: false when
    // the default cluster stands in for one that was not named.
    private ClusterRequest Request(string cluster, string? input, bool named)
    {
        ClusterRequest? request = _requests.Find(r => string.Equals(r.Cluster, cluster, StringComparison.Ordinal));
        if (request is null)
        {
            request = new ClusterRequest(cluster);
            _requests.Add(request);
        }
        if (input is not null && request.Input == request.Cluster)
        {
            request.Input = input;
        }
        request.Named |= named;
        return request;
    }

    /// <summary>One pattern from the input; <see cref="Account"/> is set when it came from an ARN, <see cref="TaskIds"/> when the input named tasks of it.</summary>
    private sealed record Selector(string Input, Wildcard Pattern, string? Account, HashSet<string>? TaskIds = null)
    {
        public bool IsMatch(string name) => Pattern.IsLiteral ? string.Equals(name, Pattern.Literal, StringComparison.Ordinal) : Pattern.IsMatch(name);
    }

    private sealed class ClusterRequest(string cluster)
    {
        public string Cluster { get; } = cluster;

        /// <summary>How the user first named the cluster (name or ARN), for error targets.</summary>
        public string Input { get; set; } = cluster;

        /// <summary>False while every input that wants this cluster named none (it is the default).</summary>
        public bool Named { get; set; }

        /// <summary>Inputs that mean every service of the cluster, with the account their ARN named.</summary>
        public List<(string Input, string? Account)> Wholes { get; } = [];

        public List<Selector> Selectors { get; } = [];

        public IEnumerable<string> ClaimedAccounts =>
            Wholes.Select(w => w.Account).Concat(Selectors.Select(s => s.Account)).OfType<string>().Distinct(StringComparer.Ordinal);

        public void AddWhole(string input, string? account) => Wholes.Add((input, account));

        public void Add(Selector selector)
        {
            int index = Selectors.FindIndex(s => s.Input == selector.Input && s.Account == selector.Account);
            if (index < 0)
            {
                Selectors.Add(selector);
            }
            else if (Selectors[index].TaskIds is HashSet<string> known)
            {
                // Narrowed before: more tasks, or the whole service when this input wants it whole.
                if (selector.TaskIds is null)
                {
                    Selectors[index] = Selectors[index] with { TaskIds = null };
                }
                else
                {
                    known.UnionWith(selector.TaskIds);
                }
            }
        }
    }
}
