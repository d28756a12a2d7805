using System.Runtime.CompilerServices;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Logs;

namespace MightyOps.Core.Logs;

/// <summary>What to read: a service, or some of its tasks.</summary>
/// <param name="Cluster">The cluster's short name.</param>
/// <param name="Service">The service's short name.</param>
/// <param name="TaskIds">Null for every task of the service (those that start later included when following).</param>
public sealed record LogTarget(string Cluster, string Service, IReadOnlyList<string>? TaskIds = null);

/// <summary>One task read by name, with the task definition it runs: a one-off task, which belongs to no service.</summary>
/// <param name="Cluster">The cluster's short name.</param>
/// <param name="Service">The service the events are labelled with (the one whose revision the task runs), or empty.</param>
/// <param name="TaskId">The task id.</param>
/// <param name="TaskDefinitionArn">The task definition the task runs: where its containers log.</param>
public sealed record TaskLogTarget(string Cluster, string Service, string TaskId, string TaskDefinitionArn);

/// <summary>Which events: from when, how many of the newest, matching what.</summary>
/// <param name="Since">The earliest event time.</param>
/// <param name="SinceGiven">False when <paramref name="Since"/> is the default: then -Tail on named tasks reads their last lines whatever their age.</param>
/// <param name="Tail">Only the newest this many events of each service read whole, and of each task read by name (a task's containers together); null for all.</param>
/// <param name="FilterPattern">A CloudWatch Logs filter pattern, or null.</param>
public sealed record LogWindow(DateTimeOffset Since, bool SinceGiven = true, int? Tail = null, string? FilterPattern = null);

/// <summary>
/// Reads a service's container output from CloudWatch Logs. Log locations come from the task
/// definitions of the service's deployments (<see cref="LogLocation"/>). A service is read with one
/// FilterLogEvents per log group (its streams chosen by the common stream-name prefix, so tasks that
/// start later are included), and streams are attributed to tasks of the service by task id:
/// an id not seen before is checked once with DescribeTasks (a group may be shared). Events of
/// several tasks come out in time order.
/// </summary>
public sealed class LogReader(AwsSession aws, IOperationLog log)
{
    /// <summary>How far back each follow poll looks again: CloudWatch may make an event readable seconds after its timestamp.</summary>
    public static readonly TimeSpan FollowOverlap = TimeSpan.FromSeconds(30);

    private readonly Dictionary<(string Cluster, string TaskId), string?> _taskService = [];

    /// <summary>The log locations of each target, from the task definitions of its service's deployments (or of its named tasks).</summary>
    public async Task<LogPlan> PlanAsync(IReadOnlyList<LogTarget> targets, string? container, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var plan = new LogPlan();
        var definitions = new Dictionary<string, EcsTaskDefinition>(StringComparer.Ordinal);
        foreach (IGrouping<string, LogTarget> cluster in targets.GroupBy(t => t.Cluster, StringComparer.Ordinal))
        {
            var found = new Dictionary<string, EcsService>(StringComparer.Ordinal);
            foreach (string[] batch in cluster.Select(t => t.Service).Distinct(StringComparer.Ordinal).Chunk(10))
            {
                try
                {
                    DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync(cluster.Key, batch, cancellationToken).ConfigureAwait(false);
                    foreach (EcsService service in described.Services ?? [])
                    {
                        found[service.ServiceName!] = service;
                    }
                }
                catch (MightyOpsException e)
                {
                    onError(e);
                }
            }
            foreach (LogTarget target in cluster)
            {
                try
                {
                    if (!found.TryGetValue(target.Service, out EcsService? service))
                    {
                        throw new MightyOpsException(AwsErrorIds.ServiceNotFound,
                            $"ECS service '{target.Service}' was not found in cluster '{target.Cluster}' ({aws.Region}). Check -Service, -Cluster and -Region; names are case-sensitive.", target.Service);
                    }
                    var arns = (service.Deployments ?? []).Select(d => d.TaskDefinition).OfType<string>().ToList();
                    if (target.TaskIds is { Count: > 0 } ids)
                    {
                        DescribeTasksResponse tasks = await aws.Ecs.DescribeTasksAsync(target.Cluster, ids, includeTags: false, cancellationToken).ConfigureAwait(false);
                        foreach (EcsTask task in tasks.Tasks ?? [])
                        {
                            _taskService[(target.Cluster, TaskId(task))] = ServiceOf(task);
                            arns.Add(task.TaskDefinitionArn!);
                        }
                    }
                    var skipped = new List<string>();
                    var locations = new List<LogLocation>();
                    foreach (string arn in arns.Distinct(StringComparer.Ordinal))
                    {
                        if (!definitions.TryGetValue(arn, out EcsTaskDefinition? definition))
                        {
                            definition = (await aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: false, cancellationToken).ConfigureAwait(false)).TaskDefinition!;
                            definitions[arn] = definition;
                        }
                        locations.AddRange(LogLocation.From(target.Cluster, target.Service, definition, container, skipped));
                    }
                    locations = locations.Distinct().ToList();
                    foreach (string note in skipped.Distinct())
                    {
                        log.Verbose(note);
                    }
                    if (locations.Count == 0)
                    {
                        throw new MightyOpsException(LogsErrorIds.LogDriverNotAwslogs,
                            skipped.Count == 0 ? $"Service '{target.Service}' has no containers." : string.Join(" ", skipped.Distinct()), target.Service);
                    }
                    plan.Add(target, locations);
                }
                catch (MightyOpsException e)
                {
                    onError(e);
                }
            }
        }
        return plan;
    }

    /// <summary>
    /// The log locations of tasks named with their task definitions (one DescribeTaskDefinition
    /// per distinct revision, no service described): <paramref name="container"/>'s, or every
    /// awslogs container's. A task whose containers do not log with awslogs has nothing to read
    /// (said on Verbose); a definition that cannot be read goes to <paramref name="onError"/>.
    /// </summary>
    public async Task<LogPlan> PlanTasksAsync(IReadOnlyList<TaskLogTarget> tasks, string? container, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var plan = new LogPlan();
        foreach (IGrouping<(string Cluster, string Service, string Arn), TaskLogTarget> group in tasks.GroupBy(t => (t.Cluster, t.Service, t.TaskDefinitionArn)))
        {
            try
            {
                EcsTaskDefinition definition = (await aws.Ecs.DescribeTaskDefinitionAsync(group.Key.Arn, includeTags: false, cancellationToken).ConfigureAwait(false)).TaskDefinition!;
                var skipped = new List<string>();
                List<LogLocation> locations = LogLocation.From(group.Key.Cluster, group.Key.Service, definition, container, skipped);
                skipped.ForEach(log.Verbose);
                if (locations.Count > 0)
                {
                    plan.Add(new LogTarget(group.Key.Cluster, group.Key.Service, group.Select(t => t.TaskId).ToList()), locations);
                }
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        return plan;
    }

    /// <summary>
    /// The events of the plan in <paramref name="window"/>, oldest first; a log group that cannot
    /// be read is reported and skipped. <see cref="LogWindow.Tail"/> counts per service for a
    /// service read whole and per task for tasks read by name.
    /// </summary>
    public async Task<IReadOnlyList<MightyLogEvent>> ReadAsync(LogPlan plan, LogWindow window, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var events = new List<(MightyLogEvent Event, bool Named)>();
        foreach (LogQuery query in plan.Queries())
        {
            try
            {
                if (window.Tail is int tail && !window.SinceGiven && query.StreamNames is { } names)
                {
                    // Named tasks (a stopped task's crash): their last lines whatever their age, read backward.
                    foreach (string stream in names)
                    {
                        IReadOnlyList<OutputLogEvent> last;
                        try
                        {
                            last = await aws.Logs.GetLastEventsAsync(query.LogGroup, stream, tail, null, null, cancellationToken).ConfigureAwait(false);
                        }
                        catch (MightyOpsException e) when (e.Is(AwsErrorIds.LogStreamNotFound))
                        {
                            log.Verbose($"{query.LogGroup} {stream}: {e.Message}");
                            continue;
                        }
                        events.AddRange(last.Select(e => query.ToEvent(stream, e.Timestamp, e.Message ?? string.Empty, _taskService)).OfType<MightyLogEvent>().Select(e => (e, true)));
                    }
                    continue;
                }
                bool named = query.StreamNames is not null;
                await foreach (MightyLogEvent e in FilterAsync(query, window.Since.ToUnixTimeMilliseconds(), window.FilterPattern, cancellationToken).ConfigureAwait(false))
                {
                    events.Add((e, named));
                }
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        if (window.Tail is not int n)
        {
            return events.Select(e => e.Event).OrderBy(e => e.Timestamp).ToList();
        }
        // The newest n of each task read by name, of each service read whole; then all in time order.
        return events
            .GroupBy(e => (e.Event.Cluster, e.Event.Service, TaskId: e.Named ? e.Event.TaskId : null))
            .SelectMany(g => g.Select(e => e.Event).OrderBy(e => e.Timestamp).TakeLast(n))
            .OrderBy(e => e.Timestamp)
            .ToList();
    }

    /// <summary>
    /// <see cref="ReadAsync"/>, then new events as they arrive until cancelled, a poll every
    /// <paramref name="pollInterval"/> (<see cref="LogFollow"/>).
    /// </summary>
    public async IAsyncEnumerable<MightyLogEvent> FollowAsync(LogPlan plan, LogWindow window, TimeSpan pollInterval, Action<MightyOpsException> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LogFollow follow = Follow(plan, window);
        while (true)
        {
            foreach (MightyLogEvent e in await follow.PollAsync(onError, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A follow of <paramref name="plan"/>'s events from <paramref name="window"/>: each poll gives what the earlier ones did not.</summary>
    public LogFollow Follow(LogPlan plan, LogWindow window) => new(this, plan, window);

    /// <summary>
    /// The events of <paramref name="query"/> from <paramref name="from"/> (ms): a poll of a follow.
    /// A throttle or an endpoint that does not answer is a warning; the next poll tries again.
    /// </summary>
    internal async Task<List<MightyLogEvent>> PollAsync(LogQuery query, long from, string? pattern, CancellationToken cancellationToken)
    {
        var events = new List<MightyLogEvent>();
        try
        {
            await foreach (MightyLogEvent e in FilterAsync(query, from, pattern, cancellationToken).ConfigureAwait(false))
            {
                events.Add(e);
            }
        }
        catch (MightyOpsException e) when (e.Kind is MightyErrorKind.Throttled or MightyErrorKind.Connection or MightyErrorKind.Timeout)
        {
            log.Warning($"{e.Message} Following goes on; the next poll tries again.");
        }
        return events;
    }

    private async IAsyncEnumerable<MightyLogEvent> FilterAsync(LogQuery query, long startTime, string? pattern, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Gathered per page of ids: streams of tasks not seen before are attributed with one DescribeTasks per cluster.
        var page = new List<FilteredLogEvent>();
        foreach (FilterLogEventsRequest request in query.Requests(startTime, pattern))
        {
            await foreach (FilteredLogEvent e in aws.Logs.FilterLogEventsAsync(request, cancellationToken).ConfigureAwait(false))
            {
                page.Add(e);
            }
        }
        await AttributeAsync(query, page.Select(e => e.LogStreamName ?? string.Empty), cancellationToken).ConfigureAwait(false);
        foreach (FilteredLogEvent e in page)
        {
            if (query.ToEvent(e.LogStreamName ?? string.Empty, e.Timestamp, e.Message ?? string.Empty, _taskService) is MightyLogEvent item)
            {
                yield return item;
            }
        }
    }

    /// <summary>Learns which service each unknown task id belongs to (DescribeTasks, 100 per call); an expired task keeps the service its stream location says.</summary>
    private async Task AttributeAsync(LogQuery query, IEnumerable<string> streams, CancellationToken cancellationToken)
    {
        var unknown = new HashSet<(string Cluster, string TaskId)>();
        foreach (string stream in streams.Distinct(StringComparer.Ordinal))
        {
            foreach (LogLocation location in query.Locations)
            {
                if (location.TryTaskId(stream, out string taskId) && !_taskService.ContainsKey((location.Cluster, taskId)))
                {
                    unknown.Add((location.Cluster, taskId));
                }
            }
        }
        foreach (IGrouping<string, (string Cluster, string TaskId)> cluster in unknown.GroupBy(u => u.Cluster))
        {
            foreach ((string Cluster, string TaskId)[] batch in cluster.Chunk(100))
            {
                DescribeTasksResponse tasks = await aws.Ecs.DescribeTasksAsync(cluster.Key, batch.Select(b => b.TaskId), includeTags: false, cancellationToken).ConfigureAwait(false);
                foreach ((string c, string id) in batch)
                {
                    EcsTask? task = tasks.Tasks?.FirstOrDefault(t => TaskId(t) == id);
                    // ECS forgets stopped tasks after about an hour: such a stream stays with the location it was found under.
                    _taskService[(c, id)] = task is null ? null : ServiceOf(task) ?? string.Empty;
                }
            }
        }
    }

    internal static string TaskId(EcsTask task) => (task.TaskArn ?? string.Empty)[((task.TaskArn ?? string.Empty).LastIndexOf('/') + 1)..];

    private static string? ServiceOf(EcsTask task) =>
        task.Group is { } g && g.StartsWith("service:", StringComparison.Ordinal) ? g["service:".Length..] : null;
}
