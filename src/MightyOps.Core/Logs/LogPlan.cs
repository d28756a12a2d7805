using MightyOps.Core.Aws.Logs;

namespace MightyOps.Core.Logs;

/// <summary>The log locations of every target, and the FilterLogEvents calls that read them: one per log group where possible.</summary>
public sealed class LogPlan
{
    private readonly List<(LogTarget Target, List<LogLocation> Locations)> _targets = [];

    /// <summary>True when no target could be planned.</summary>
    public bool IsEmpty => _targets.Count == 0;

    internal void Add(LogTarget target, List<LogLocation> locations) => _targets.Add((target, locations));

    /// <summary>
    /// The reads, one per log group: streams of named tasks are listed by name (100 per call);
    /// whole services share the longest stream-name prefix common to their locations in that group.
    /// </summary>
    public IEnumerable<LogQuery> Queries()
    {
        var byGroup = _targets
            .SelectMany(t => t.Locations.Select(l => (t.Target, Location: l)))
            .GroupBy(x => (x.Location.LogGroup, Named: x.Target.TaskIds is { Count: > 0 }));
        foreach (var group in byGroup)
        {
            List<LogLocation> locations = group.Select(x => x.Location).Distinct().ToList();
            if (group.Key.Named)
            {
                var names = group.SelectMany(x => x.Target.TaskIds!.Select(x.Location.Stream)).Distinct(StringComparer.Ordinal).ToList();
                var owners = group.SelectMany(x => x.Target.TaskIds!.Select(id => (x.Location.Cluster, id, x.Location.Service))).ToList();
                yield return new LogQuery(group.Key.LogGroup, locations, names, null, owners);
            }
            else
            {
                string prefix = locations.Select(l => l.StreamPrefix).Aggregate(CommonPrefix);
                yield return new LogQuery(group.Key.LogGroup, locations, null, prefix.Length == 0 ? null : prefix, []);
            }
        }
    }

    private static string CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
        {
            n++;
        }
        return a[..n];
    }
}

/// <summary>One log group's read: named streams, or a stream-name prefix.</summary>
public sealed class LogQuery
{
    private readonly HashSet<(string Cluster, string TaskId, string Service)> _owners;

    internal LogQuery(string logGroup, List<LogLocation> locations, List<string>? streamNames, string? streamPrefix, IEnumerable<(string, string, string)> owners)
    {
        LogGroup = logGroup;
        Locations = locations;
        StreamNames = streamNames;
        StreamPrefix = streamPrefix;
        _owners = [.. owners];
    }

    public string LogGroup { get; }

    public IReadOnlyList<LogLocation> Locations { get; }

    /// <summary>The streams of named tasks, or null for every stream under <see cref="StreamPrefix"/>.</summary>
    public IReadOnlyList<string>? StreamNames { get; }

    public string? StreamPrefix { get; }

    /// <summary>The FilterLogEvents requests (one, or one per 100 named streams).</summary>
    internal IEnumerable<FilterLogEventsRequest> Requests(long startTime, string? pattern)
    {
        if (StreamNames is null)
        {
            yield return new FilterLogEventsRequest { LogGroupName = LogGroup, LogStreamNamePrefix = StreamPrefix, StartTime = startTime, FilterPattern = string.IsNullOrEmpty(pattern) ? null : pattern };
            yield break;
        }
        foreach (string[] batch in StreamNames.Chunk(LogsClient.MaxStreamNames))
        {
            yield return new FilterLogEventsRequest { LogGroupName = LogGroup, LogStreamNames = [.. batch], StartTime = startTime, FilterPattern = string.IsNullOrEmpty(pattern) ? null : pattern };
        }
    }

    /// <summary>
    /// The event for a line of <paramref name="stream"/>, or null when the stream is not one of
    /// ours: not under a location, or a task that ECS says belongs to another service.
    /// </summary>
    internal MightyLogEvent? ToEvent(string stream, long timestamp, string message, IReadOnlyDictionary<(string Cluster, string TaskId), string?> taskService)
    {
        foreach (LogLocation location in Locations)
        {
            if (!location.TryTaskId(stream, out string taskId))
            {
                continue;
            }
            bool ours = StreamNames is not null
                ? _owners.Contains((location.Cluster, taskId, location.Service))
                : !taskService.TryGetValue((location.Cluster, taskId), out string? service) || service is null || service == location.Service;
            if (!ours)
            {
                continue;
            }
            return new MightyLogEvent
            {
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp),
                Cluster = location.Cluster,
                Service = location.Service,
                TaskId = taskId,
                Container = location.Container,
                Message = message.TrimEnd('\r', '\n'),
                LogGroup = LogGroup,
                LogStream = stream,
            };
        }
        return null;
    }
}
