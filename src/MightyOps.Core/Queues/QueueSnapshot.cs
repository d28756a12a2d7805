using System.Globalization;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Config;
using MightyOps.Core.Targeting;

namespace MightyOps.Core.Queues;

/// <summary>A service's queue and scaling policy from mighty.psd1 (<c>Services.&lt;service&gt;</c>).</summary>
/// <param name="Queue">The Sidekiq queue the service works, or null when the config does not say.</param>
/// <param name="Policy">Its MinCount, MaxCount, JobsPerTask and CooldownMinutes.</param>
public sealed record QueueServiceSettings(string? Queue, QueuePolicy Policy);

/// <summary>What Get-MightyQueue and Set-MightyQueueScale read.</summary>
/// <param name="Cluster">A cluster name or ARN; null for <paramref name="DefaultCluster"/>.</param>
/// <param name="DefaultCluster">The config's Cluster, or "default".</param>
/// <param name="Redis">Sidekiq's Redis; null to read ECS and the config only (see <see cref="NamedQueues"/>).</param>
/// <param name="Namespace">A redis-namespace prefix, or null.</param>
/// <param name="Services">Per service name, its configured queue and policy (services not named use the defaults).</param>
public sealed record QueueSnapshotRequest(
    string? Cluster,
    string DefaultCluster,
    RedisLocation? Redis,
    string? Namespace,
    IReadOnlyDictionary<string, QueueServiceSettings> Services)
{
    /// <summary>
    /// Without <see cref="Redis"/>: the queue names the user gave. They stand in for Sidekiq's
    /// queue list (a service named like one of them works it) and are reported even when no
    /// service works them.
    /// </summary>
    public IReadOnlyCollection<string> NamedQueues { get; init; } = [];

    /// <summary>
    /// The request from the parameters and mighty.psd1: a parameter wins over the config; the
    /// Redis URL falls back to <c>$env:REDIS_URL</c>. Every service in the config carries its
    /// policy (the defaults where it sets none).
    /// </summary>
    public static QueueSnapshotRequest From(MightyConfig config, string? cluster, string? redis, string? keyNamespace, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new QueueSnapshotRequest(
            cluster,
            config.Cluster ?? "default",
            RedisLocation.Resolve(redis, config.Redis?.OriginalString, environment),
            keyNamespace ?? config.Namespace,
            Policies(config));
    }

    /// <summary>
    /// The request for setting a count by hand (Set-MightyQueueScale -Count): ECS and the config
    /// are enough for queue names, so Redis is neither needed nor read (an outage of Redis must
    /// not stop a count set by hand). A wildcard among <paramref name="queues"/> is matched
    /// against Sidekiq's queue list, so then Redis is read as for <see cref="From"/>, and its
    /// absence is <c>RedisNotConfigured</c>. Without Redis a service is matched to a queue by its
    /// name only for a queue named in <paramref name="queues"/>: a service's name alone is no
    /// evidence that Sidekiq has such a queue.
    /// </summary>
    public static QueueSnapshotRequest ForCount(MightyConfig config, string? cluster, string? redis, string? keyNamespace, Func<string, string?> environment, IReadOnlyCollection<string> queues)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(queues);
        if (queues.FirstOrDefault(q => !new Wildcard(q).IsLiteral) is string pattern)
        {
            try
            {
                return From(config, cluster, redis, keyNamespace, environment);
            }
            catch (MightyOpsException e) when (e.Is(QueuesErrorIds.RedisNotConfigured))
            {
                throw new MightyOpsException(e.Error, e.Kind,
                    $"-Queue '{pattern}' is a wildcard, and matching it needs Sidekiq's queue list from Redis: name the queues, or pass -Redis redis://host:6379/0, set Redis in mighty.psd1, or set ${RedisLocation.EnvironmentVariable}. (-Count with queue names needs no Redis.)",
                    pattern, e);
            }
        }
        return new QueueSnapshotRequest(cluster, config.Cluster ?? "default", null, keyNamespace ?? config.Namespace, Policies(config))
        {
            NamedQueues = queues.Distinct(StringComparer.Ordinal).ToArray(),
        };
    }

    private static Dictionary<string, QueueServiceSettings> Policies(MightyConfig config) =>
        config.Services.ToDictionary(
            s => s.Key,
            s => new QueueServiceSettings(s.Value.Queue, new QueuePolicy(s.Value.MinCount, s.Value.MaxCount, s.Value.JobsPerTask, s.Value.CooldownMinutes)),
            StringComparer.Ordinal);
}

/// <summary>One queue, its service (when one works it) and what -Auto would do with it.</summary>
public sealed record QueueState(
    SidekiqQueueStats Stats,
    string Cluster,
    EcsService? Service,
    QueuePolicy Policy,
    DateTimeOffset? ScaledAt,
    bool CannotPlace,
    ScaleDecision Suggested)
{
    public string Queue => Stats.Name;

    /// <summary>The output object.</summary>
    public MightyQueue ToMightyQueue() => new()
    {
        Queue = Stats.Name,
        Cluster = Cluster,
        Service = Service?.ServiceName ?? string.Empty,
        Size = Stats.Size,
        Latency = Stats.Latency,
        Busy = Stats.Busy,
        DesiredTasks = Service?.DesiredCount ?? 0,
        RunningTasks = Service?.RunningCount ?? 0,
        PendingTasks = Service?.PendingCount ?? 0,
        MinCount = Policy.MinCount,
        MaxCount = Policy.MaxCount,
        JobsPerTask = Policy.JobsPerTask,
        CooldownMinutes = Policy.CooldownMinutes,
        SuggestedCount = Suggested.To,
        Reason = Suggested.Reason,
        CannotPlace = CannotPlace,
        ScaledAt = ScaledAt,
    };
}

/// <summary>The queues of one read, sorted by name.</summary>
/// <param name="Cluster">The cluster's short name.</param>
/// <param name="Queues">Every queue: Sidekiq's, and the ones a service is mapped to (without Redis: only those).</param>
/// <param name="RedisRoundTrips">Pipelined Redis round trips the read took (0 when Redis was not read).</param>
/// <param name="ServiceNames">Every active service of the cluster, for messages about a service that works no queue.</param>
public sealed record QueueSnapshotResult(string Cluster, IReadOnlyList<QueueState> Queues, int RedisRoundTrips, IReadOnlyList<string> ServiceNames)
{
    /// <summary>True when Sidekiq's Redis was read; false for a count set by hand (ECS and the config only).</summary>
    public bool SidekiqRead { get; init; } = true;
}

/// <summary>
/// Get-MightyQueue's engine: Sidekiq's numbers from Redis (two pipelined round trips) next to the
/// services of the cluster (ListServices pages, DescribeServices with tags in batches of 10, nothing
/// per queue), read at the same time, joined by the queue ↔ service mapping
/// (docs/design/queue-scaling.md).
/// </summary>
public sealed class QueueSnapshot
{
    /// <summary>The service tag naming the queue a service works.</summary>
    public const string QueueTag = "mightyops:queue";

    /// <summary>The service tag holding when MightyOps last changed its desired count (ISO 8601, UTC).</summary>
    public const string ScaledAtTag = "mightyops:scaled-at";

    // ECS's event when the cluster has no room for a task (docs/design/queue-scaling.md).
    private const string UnableToPlace = "was unable to place a task";
    private const string SteadyState = "has reached a steady state";
    private static readonly TimeSpan PlacementEventWindow = TimeSpan.FromMinutes(30);
    private const int ParallelDescribes = 4;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly TimeProvider _clock;

    public QueueSnapshot(AwsSession aws, IOperationLog log, TimeProvider? clock = null)
    {
        _aws = aws;
        _log = log;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// Reads Redis and ECS. Any failure of either (Redis unreachable, refused, not Sidekiq's data;
    /// cluster not found, AWS refusing) throws: nothing is reported or scaled on half the data.
    /// </summary>
    public async Task<QueueSnapshotResult> ReadAsync(QueueSnapshotRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Task<SidekiqReading> redis = request.Redis is null
            ? Task.FromResult(new SidekiqReading(request.NamedQueues.Select(q => new SidekiqQueueStats(q, 0, TimeSpan.Zero, 0, 0, Known: false)).ToList(), new Dictionary<string, (int, int)>(), 0, 0))
            : ReadRedisAsync(request.Redis, request.Namespace, cancellationToken);
        Task<(string Cluster, List<EcsService> Services)> ecs = ReadServicesAsync(request, cancellationToken);
        try
        {
            await Task.WhenAll(redis, ecs).ConfigureAwait(false);
        }
        catch (MightyOpsException)
        {
            // Report Redis's failure first: it is the one the user is least likely to expect.
            if (redis.IsFaulted)
            {
                await redis.ConfigureAwait(false);
            }
            throw;
        }
        SidekiqReading reading = redis.Result;
        (string cluster, List<EcsService> services) = ecs.Result;
        _log.Verbose(request.Redis is null
            ? $"Redis not read (a count set by hand needs ECS and the config only); {services.Count} services in cluster '{cluster}'."
            : $"Read {reading.Queues.Count} queues and {reading.Processes} Sidekiq processes in {reading.RoundTrips} Redis round trips; {services.Count} services in cluster '{cluster}'.");

        Dictionary<string, EcsService> byQueue = MapQueues(request, cluster, services, reading.Queues.Select(q => q.Name).ToHashSet(StringComparer.Ordinal));
        DateTimeOffset now = _clock.GetUtcNow();
        var queues = new List<QueueState>();
        foreach (string queue in reading.Queues.Select(q => q.Name).Concat(byQueue.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            SidekiqQueueStats stats = reading.For(queue);
            EcsService? service = byQueue.GetValueOrDefault(queue);
            QueuePolicy policy = service?.ServiceName is { } name && request.Services.TryGetValue(name, out QueueServiceSettings? settings)
                ? settings.Policy
                : QueuePolicy.Default;
            DateTimeOffset? scaledAt = service is null ? null : ScaledAt(service);
            bool cannotPlace = service is not null && CannotPlace(service, now);
            ScaleDecision suggested = service is null
                ? new ScaleDecision(0, "no ECS service works this queue")
                : QueueAutoScale.Decide(stats, service.DesiredCount, policy, scaledAt, cannotPlace, now);
            queues.Add(new QueueState(stats, cluster, service, policy, scaledAt, cannotPlace, suggested));
        }
        return new QueueSnapshotResult(cluster, queues, reading.RoundTrips, services.Select(s => s.ServiceName!).Order(StringComparer.Ordinal).ToList())
        {
            SidekiqRead = request.Redis is not null,
        };
    }

    /// <summary>
    /// The queues <paramref name="patterns"/> select (all when null or empty): a name without
    /// wildcards matches the queue spelled exactly so (Sidekiq queue names are case-sensitive);
    /// a miss goes to <paramref name="onNotFound"/> as <c>QueueNotFound</c>, as does a wildcard that
    /// matches nothing when <paramref name="wildcardMustMatch"/> (commands that change things).
    /// </summary>
    public static IReadOnlyList<QueueState> Select(QueueSnapshotResult snapshot, IReadOnlyList<string>? patterns, bool wildcardMustMatch, Action<MightyOpsException> onNotFound)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(onNotFound);
        if (patterns is null || patterns.Count == 0)
        {
            return snapshot.Queues;
        }
        var wildcards = patterns.Distinct(StringComparer.Ordinal).Select(p => new Wildcard(p)).ToList();
        bool Matches(Wildcard w, string queue) => w.IsLiteral ? string.Equals(queue, w.Literal, StringComparison.Ordinal) : w.IsMatch(queue);
        foreach (Wildcard w in wildcards.Where(w => (w.IsLiteral || wildcardMustMatch) && !snapshot.Queues.Any(q => Matches(w, q.Queue))))
        {
            string name = w.IsLiteral ? w.Literal : w.Pattern;
            string? sameLetters = snapshot.Queues.Select(q => q.Queue).FirstOrDefault(q => string.Equals(q, name, StringComparison.OrdinalIgnoreCase));
            string hint = sameLetters is null ? string.Empty : $" Queue names are case-sensitive: did you mean '{TerminalText.Quote(sameLetters)}'?";
            onNotFound(new MightyOpsException(
                QueuesErrorIds.QueueNotFound,
                $"No Sidekiq queue {(w.IsLiteral ? "is named" : "matches")} '{TerminalText.Quote(name)}' (and no service in cluster '{snapshot.Cluster}' is mapped to one).{hint} Run Get-MightyQueue to see the queues.",
                name));
        }
        return snapshot.Queues.Where(q => wildcards.Any(w => Matches(w, q.Queue))).ToList();
    }

    /// <summary>
    /// The queues the services named exactly so work (ECS names are case-sensitive), by the same
    /// mapping as every read. A service that is not in the cluster goes to
    /// <paramref name="onError"/> as <c>ServiceNotFound</c>; one that works no queue as
    /// <c>ServiceHasNoQueue</c>, saying how to map it.
    /// </summary>
    public static IReadOnlyList<QueueState> SelectWorkedBy(QueueSnapshotResult snapshot, IReadOnlyList<string> services, Action<MightyOpsException> onError)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(onError);
        var selected = new List<QueueState>();
        foreach (string service in services.Distinct(StringComparer.Ordinal))
        {
            List<QueueState> worked = snapshot.Queues.Where(q => string.Equals(q.Service?.ServiceName, service, StringComparison.Ordinal)).ToList();
            if (worked.Count > 0)
            {
                selected.AddRange(worked);
                continue;
            }
            if (!snapshot.ServiceNames.Contains(service, StringComparer.Ordinal))
            {
                string? otherCase = snapshot.ServiceNames.FirstOrDefault(s => string.Equals(s, service, StringComparison.OrdinalIgnoreCase));
                string hint = otherCase is null
                    ? $"Run Get-MightyService -Cluster {snapshot.Cluster} to see the services there."
                    : $"ECS names are case-sensitive: did you mean '{otherCase}'?";
                onError(new MightyOpsException(AwsErrorIds.ServiceNotFound,
                    $"Service '{service}' was not found in cluster '{snapshot.Cluster}'. {hint}", service));
                continue;
            }
            string why = snapshot.SidekiqRead
                ? "neither mighty.psd1 nor a tag maps a queue to it, and Sidekiq has no queue of its name"
                : $"neither mighty.psd1 nor a tag maps a queue to it (Redis was not read, so a queue of the service's own name counts only when named: -Queue {service})";
            onError(new MightyOpsException(QueuesErrorIds.ServiceHasNoQueue,
                $"Service '{service}' in cluster '{snapshot.Cluster}' works no Sidekiq queue: {why}. Map one with Services.{service}.Queue = '<queue>' in mighty.psd1 or the service tag {QueueTag}=<queue>, or name the queue with -Queue.",
                service));
        }
        return selected;
    }

    private async Task<SidekiqReading> ReadRedisAsync(RedisLocation redis, string? keyNamespace, CancellationToken cancellationToken)
    {
        await using SidekiqStats stats = await SidekiqStats.ConnectAsync(redis, keyNamespace, TimeSpan.FromSeconds(5), _clock, _log, cancellationToken).ConfigureAwait(false);
        return await stats.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(string Cluster, List<EcsService> Services)> ReadServicesAsync(QueueSnapshotRequest request, CancellationToken cancellationToken)
    {
        // The shared resolver turns -Cluster (name or ARN, or the config's default) into the cluster
        // and its services: one ListServices per page, with its ClusterNotFound message.
        var resolver = new ServiceTargetResolver(_aws, _log, TargetingMode.Read, request.DefaultCluster);
        MightyOpsException? failure = resolver.Add(request.Cluster, null).FirstOrDefault();
        if (failure is not null)
        {
            throw failure;
        }
        var errors = new List<MightyOpsException>();
        ClusterTargets? targets = null;
        await foreach (ClusterTargets found in resolver.ResolveAsync(errors.Add, cancellationToken).ConfigureAwait(false))
        {
            targets = found;
        }
        if (errors.Count > 0)
        {
            throw errors[0];
        }
        if (targets is null)
        {
            // A cluster without services: every queue is reported without one.
            string cluster = request.Cluster is null ? request.DefaultCluster : EcsArn.LastSegment(request.Cluster);
            return (cluster, []);
        }
        var responses = new List<Task<DescribeServicesResponse>>();
        using var gate = new SemaphoreSlim(ParallelDescribes);
        foreach (string[] batch in targets.ServiceNames.Chunk(EcsClient.DescribeServicesBatchSize))
        {
            responses.Add(DescribeAsync(targets.Cluster, batch, gate, cancellationToken));
        }
        DescribeServicesResponse[] described = await Task.WhenAll(responses).ConfigureAwait(false);
        return (targets.Cluster, described.SelectMany(d => d.Services ?? []).Where(s => s.Status != "INACTIVE").ToList());
    }

    private async Task<DescribeServicesResponse> DescribeAsync(string cluster, string[] batch, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _aws.Ecs.DescribeServicesAsync(cluster, batch, includeTags: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    // Config first, then the mightyops:queue tag, then a service named like the queue; a queue two
    // services claim the same way is reported without a service rather than guessed.
    private Dictionary<string, EcsService> MapQueues(QueueSnapshotRequest request, string cluster, List<EcsService> services, HashSet<string> sidekiqQueues)
    {
        var byName = services.Where(s => s.ServiceName is not null).ToDictionary(s => s.ServiceName!, StringComparer.Ordinal);
        var result = new Dictionary<string, EcsService>(StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);

        foreach (var group in request.Services.Where(s => s.Value.Queue is not null).GroupBy(s => s.Value.Queue!, StringComparer.Ordinal))
        {
            string[] names = group.Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
            claimed.Add(group.Key);
            if (names.Length > 1)
            {
                _log.Warning($"Queue '{TerminalText.Quote(group.Key)}' is configured for several services ({string.Join(", ", names)}) in mighty.psd1; it is reported without a service until one is removed.");
                continue;
            }
            if (!byName.TryGetValue(names[0], out EcsService? service))
            {
                _log.Warning($"mighty.psd1 maps queue '{TerminalText.Quote(group.Key)}' to service '{names[0]}', which is not in cluster '{cluster}'.");
                continue;
            }
            result[group.Key] = service;
        }

        foreach (var group in services
            .Select(s => (Service: s, Queue: s.Tags?.FirstOrDefault(t => t.Key == QueueTag)?.Value))
            .Where(s => !string.IsNullOrEmpty(s.Queue) && !claimed.Contains(s.Queue!))
            .GroupBy(s => s.Queue!, StringComparer.Ordinal))
        {
            claimed.Add(group.Key);
            if (group.Count() > 1)
            {
                _log.Warning($"Services {string.Join(", ", group.Select(g => g.Service.ServiceName).Order(StringComparer.Ordinal))} all carry the tag {QueueTag}={TerminalText.Quote(group.Key)}; queue '{TerminalText.Quote(group.Key)}' is reported without a service until only one does.");
                continue;
            }
            result[group.Key] = group.Single().Service;
        }

        // A service named like one of Sidekiq's queues: only queues nobody claimed, and only
        // services that no config or tag maps to another queue.
        var mappedServices = new HashSet<string>(result.Values.Select(s => s.ServiceName!), StringComparer.Ordinal);
        mappedServices.UnionWith(request.Services.Where(s => s.Value.Queue is not null).Select(s => s.Key));
        foreach (EcsService service in services)
        {
            string name = service.ServiceName!;
            if (sidekiqQueues.Contains(name) && !claimed.Contains(name) && !mappedServices.Contains(name) && service.Tags?.Any(t => t.Key == QueueTag) != true)
            {
                result[name] = service;
            }
        }
        return result;
    }

    /// <summary>Warnings for queues that no service works, once per read, for the queues shown.</summary>
    public static void WarnUnmapped(IEnumerable<QueueState> queues, IOperationLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        foreach (QueueState queue in queues.Where(q => q.Service is null))
        {
            string name = TerminalText.Quote(queue.Queue);
            log.Warning($"No ECS service in cluster '{queue.Cluster}' works queue '{name}' ({queue.Stats.Size} waiting): map one with Services.<service>.Queue = '{name}' in mighty.psd1 or the service tag {QueueTag}={name}.");
        }
    }

    private DateTimeOffset? ScaledAt(EcsService service)
    {
        string? value = service.Tags?.FirstOrDefault(t => t.Key == ScaledAtTag)?.Value;
        if (value is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset at))
        {
            return at;
        }
        _log.Warning($"Service '{service.ServiceName}' has a {ScaledAtTag} tag that is not a time ('{TerminalText.Quote(value)}'); its cooldown is not applied.");
        return null;
    }

    /// <summary>
    /// True when the newest "was unable to place a task" event is newer than the newest "has
    /// reached a steady state" one and at most 30 minutes old.
    /// </summary>
    public static bool CannotPlace(EcsService service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(service);
        DateTimeOffset? unable = service.Events?.Where(e => e.Message?.Contains(UnableToPlace, StringComparison.Ordinal) == true).Max(e => e.CreatedAt);
        if (unable is null || now - unable.Value > PlacementEventWindow)
        {
            return false;
        }
        DateTimeOffset? steady = service.Events?.Where(e => e.Message?.Contains(SteadyState, StringComparison.Ordinal) == true).Max(e => e.CreatedAt);
        return steady is null || unable > steady;
    }

    /// <summary>The tag value for <paramref name="at"/>: ISO 8601 in UTC to the second.</summary>
    public static string FormatScaledAt(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
