using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Logs;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Logs;

/// <summary>
/// The CloudWatch Logs operations MightyOps and the AWS CLI use (FilterLogEvents, GetLogEvents,
/// DescribeLogStreams, DeleteLogGroup) over <see cref="SandboxWorld.Logs"/>, with the API's paging
/// rules (docs/design/awslogs.md). Before answering, the ECS simulation and the running
/// containers' output are brought up to the simulated now. The caller holds <see cref="SandboxWorld.Sync"/>.
/// </summary>
internal sealed class LogsApi(SandboxWorld world)
{
    /// <summary>Events per FilterLogEvents page unless the request's limit is smaller: 10,000, as in AWS.</summary>
    public const int FilterPageSize = 10000;

    public JsonNode Invoke(string operation, JsonElement body)
    {
        world.Ecs.AdvanceTo(world.Clock.UtcNow);
        world.Logs.CatchUp(world.Clock.UtcNow);
        return operation switch
        {
            "FilterLogEvents" => Serialize(FilterLogEvents(Read<FilterLogEventsRequest>(body), GroupName(body))),
            "GetLogEvents" => Serialize(GetLogEvents(Read<GetLogEventsRequest>(body), GroupName(body))),
            "DescribeLogStreams" => Serialize(DescribeLogStreams(Read<DescribeLogStreamsRequest>(body), GroupName(body))),
            "DeleteLogGroup" => DeleteLogGroup(GroupName(body)),
            _ => throw new SandboxException("UnknownOperationException", $"The sandbox does not implement CloudWatch Logs operation '{operation}'."),
        };
    }

    private FilterLogEventsResponse FilterLogEvents(FilterLogEventsRequest request, string groupName)
    {
        LogGroupState group = Group(groupName);
        if (request.LogStreamNames is not null && request.LogStreamNamePrefix is not null)
        {
            throw InvalidParameter("logStreamNames and logStreamNamePrefix cannot both be specified.");
        }
        if (request.LogStreamNames is { Count: 0 or > 100 })
        {
            throw InvalidParameter("logStreamNames must name 1 to 100 streams.");
        }
        int limit = CheckLimit(request.Limit, 10000);
        FilterPattern pattern = FilterPattern.Parse(request.FilterPattern);
        IEnumerable<LogStreamState> streams = request.LogStreamNames is { } names
            ? names.Distinct(StringComparer.Ordinal).Select(n => group.Streams.GetValueOrDefault(n)).OfType<LogStreamState>()
            : group.Streams.Values.Where(s => request.LogStreamNamePrefix is null || s.Name.StartsWith(request.LogStreamNamePrefix, StringComparison.Ordinal));
        IEnumerable<(LogStreamState Stream, LogRecord Event)> matching = streams
            .SelectMany(s => s.Events.Select(e => (Stream: s, Event: e)))
            .Where(x => InRange(x.Event.Timestamp, request.StartTime, request.EndTime) && pattern.Matches(x.Event.Message))
            .OrderBy(x => x.Event.Timestamp).ThenBy(x => x.Event.Sequence);
        if (request.NextToken is not null)
        {
            if (!PageToken.TryRead(request.NextToken, "filter:" + groupName, out string? after) || !TryPosition(after, out long afterTime, out long afterSeq))
            {
                throw InvalidParameter("The specified nextToken is invalid.");
            }
            matching = matching.Where(x => x.Event.Timestamp > afterTime || (x.Event.Timestamp == afterTime && x.Event.Sequence > afterSeq));
        }
        int size = Math.Min(limit, FilterPageSize);
        List<(LogStreamState Stream, LogRecord Event)> page = matching.Take(size + 1).ToList();
        bool more = page.Count > size;
        if (more)
        {
            page.RemoveAt(size);
        }
        return new FilterLogEventsResponse
        {
            Events = page.Select(x => new FilteredLogEvent
            {
                LogStreamName = x.Stream.Name,
                Timestamp = x.Event.Timestamp,
                Message = x.Event.Message,
                IngestionTime = x.Event.IngestionTime,
                EventId = EventId(x.Event),
            }).ToList(),
            NextToken = more ? PageToken.Write("filter:" + groupName, $"{page[^1].Event.Timestamp}:{page[^1].Event.Sequence}") : null,
        };
    }

    private GetLogEventsResponse GetLogEvents(GetLogEventsRequest request, string groupName)
    {
        LogGroupState group = Group(groupName);
        if (string.IsNullOrEmpty(request.LogStreamName) || !group.Streams.TryGetValue(request.LogStreamName, out LogStreamState? stream))
        {
            throw new SandboxException("ResourceNotFoundException", "The specified log stream does not exist.");
        }
        int limit = CheckLimit(request.Limit, 10000);
        // Positions count events from the stream's first one ever (dropped ones included), so a
        // token keeps pointing at the same event when the sandbox drops older ones.
        List<long> positions = [];
        for (int i = 0; i < stream.Events.Count; i++)
        {
            if (InRange(stream.Events[i].Timestamp, request.StartTime, request.EndTime))
            {
                positions.Add(stream.Dropped + i);
            }
        }
        long end = stream.Dropped + stream.Events.Count;
        long PositionAt(int index) => index < positions.Count ? positions[index] : end;
        int from;
        int to;
        if (request.NextToken is null)
        {
            (from, to) = request.StartFromHead == true ? (0, Math.Min(limit, positions.Count)) : (Math.Max(0, positions.Count - limit), positions.Count);
        }
        else if (request.NextToken.Length > 2 && request.NextToken[1] == '/' && long.TryParse(request.NextToken[2..], NumberStyles.None, CultureInfo.InvariantCulture, out long position)
            && request.NextToken[0] is 'f' or 'b' && position <= end)
        {
            int found = positions.BinarySearch(position);
            int at = found >= 0 ? found : ~found;
            (from, to) = request.NextToken[0] == 'f' ? (at, Math.Min(positions.Count, at + limit)) : (Math.Max(0, at - limit), at);
        }
        else
        {
            throw InvalidParameter("The specified nextToken is invalid.");
        }
        // At either end the token in that direction comes back unchanged: that is how a reader knows it is done.
        return new GetLogEventsResponse
        {
            Events = positions.GetRange(from, to - from).Select(p => stream.Events[(int)(p - stream.Dropped)]).Select(e => new OutputLogEvent { Timestamp = e.Timestamp, Message = e.Message, IngestionTime = e.IngestionTime }).ToList(),
            NextForwardToken = Token('f', PositionAt(to)),
            NextBackwardToken = Token('b', PositionAt(from)),
        };
    }

    private DescribeLogStreamsResponse DescribeLogStreams(DescribeLogStreamsRequest request, string groupName)
    {
        LogGroupState group = Group(groupName);
        bool byTime = request.OrderBy == "LastEventTime";
        if (byTime && request.LogStreamNamePrefix is not null)
        {
            throw InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        int limit = CheckLimit(request.Limit, 50);
        IEnumerable<LogStreamState> streams = group.Streams.Values.Where(s => request.LogStreamNamePrefix is null || s.Name.StartsWith(request.LogStreamNamePrefix, StringComparison.Ordinal));
        streams = byTime ? streams.OrderBy(s => s.Events.Count == 0 ? s.CreationTime : s.Events.Max(e => e.Timestamp)).ThenBy(s => s.Name, StringComparer.Ordinal) : streams;
        List<LogStreamState> ordered = request.Descending == true ? streams.Reverse().ToList() : streams.ToList();
        int start = 0;
        if (request.NextToken is not null)
        {
            if (!PageToken.TryRead(request.NextToken, "streams:" + groupName, out string? position) || !int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            {
                throw InvalidParameter("The specified nextToken is invalid.");
            }
        }
        List<LogStreamState> page = ordered.Skip(start).Take(limit).ToList();
        return new DescribeLogStreamsResponse
        {
            LogStreams = page.Select(s => new LogStream
            {
                LogStreamName = s.Name,
                CreationTime = s.CreationTime,
                FirstEventTimestamp = s.Events.Count == 0 ? null : s.Events.Min(e => e.Timestamp),
                LastEventTimestamp = s.Events.Count == 0 ? null : s.Events.Max(e => e.Timestamp),
                LastIngestionTime = s.Events.Count == 0 ? null : s.Events.Max(e => e.IngestionTime),
                Arn = $"arn:aws:logs:{world.Region}:{world.AccountId}:log-group:{group.Name}:log-stream:{s.Name}",
                StoredBytes = 0,
            }).ToList(),
            NextToken = start + limit < ordered.Count ? PageToken.Write("streams:" + groupName, (start + limit).ToString(CultureInfo.InvariantCulture)) : null,
        };
    }

    private JsonObject DeleteLogGroup(string groupName)
    {
        if (!world.Logs.DeleteGroup(groupName))
        {
            throw GroupNotFound();
        }
        return [];
    }

    private LogGroupState Group(string name) =>
        world.Logs.Groups.TryGetValue(name, out LogGroupState? group) ? group : throw GroupNotFound();

    /// <summary>logGroupName, or the name inside a logGroupIdentifier (a name or a log-group ARN); exactly one of them.</summary>
    private string GroupName(JsonElement body)
    {
        string? name = body.TryGetProperty("logGroupName", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        string? identifier = body.TryGetProperty("logGroupIdentifier", out JsonElement i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        if ((name is null) == (identifier is null))
        {
            throw InvalidParameter("Exactly one of logGroupName and logGroupIdentifier must be specified.");
        }
        if (identifier is not null && identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            int at = identifier.IndexOf(":log-group:", StringComparison.Ordinal);
            identifier = at < 0 ? identifier : identifier[(at + ":log-group:".Length)..].Split(':')[0];
        }
        return name ?? identifier!;
    }

    private static bool InRange(long timestamp, long? start, long? end) =>
        (start is null || timestamp >= start) && (end is null || timestamp < end);

    private static bool TryPosition(string text, out long time, out long sequence)
    {
        string[] parts = text.Split(':');
        sequence = 0;
        time = 0;
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out time)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private static int CheckLimit(int? limit, int max) =>
        limit is null ? max : limit is >= 1 && limit <= max ? limit.Value : throw InvalidParameter($"limit must be between 1 and {max}.");

    /// <summary>CloudWatch's tokens look like <c>f/</c> or <c>b/</c> and 56 digits.</summary>
    private static string Token(char direction, long position) => $"{direction}/{position.ToString("D56", CultureInfo.InvariantCulture)}";

    private static string EventId(LogRecord e) => $"{e.Timestamp:D20}{e.Sequence:D36}";

    private static SandboxException GroupNotFound() => new("ResourceNotFoundException", "The specified log group does not exist.");

    private static SandboxException InvalidParameter(string message) => new("InvalidParameterException", message);

    private static T Read<T>(JsonElement body)
        where T : new() => body.Deserialize<T>(AwsJson.Options) ?? new T();

    private static JsonNode Serialize<T>(T response) => JsonSerializer.SerializeToNode(response, AwsJson.Options)!;
}
