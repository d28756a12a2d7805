using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Logs;

/// <summary>One stored log event: what the awslogs driver sent for one line of output.</summary>
internal sealed record LogRecord(long Timestamp, long IngestionTime, string Message, long Sequence);

/// <summary>A log stream: <c>prefix/container/taskId</c> as the awslogs driver names it.</summary>
internal sealed class LogStreamState
{
    public required string Name { get; init; }

    public long CreationTime { get; init; }

    /// <summary>The events still kept, in the order they were written.</summary>
    public List<LogRecord> Events { get; } = [];

    /// <summary>
    /// How many events were dropped from the front of <see cref="Events"/> by the sandbox's caps:
    /// GetLogEvents positions count from the stream's first event ever, so a reader's token still
    /// points at the same event after older ones are gone.
    /// </summary>
    public long Dropped { get; set; }
}

/// <summary>A log group and its streams.</summary>
internal sealed class LogGroupState
{
    public required string Name { get; init; }

    public long CreationTime { get; init; }

    public SortedDictionary<string, LogStreamState> Streams { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// CloudWatch Logs in the sandbox: the groups and streams, and the containers writing to them.
/// The ECS agent reports container starts and exits here; a running container's periodic output
/// (request or job lines) is written up to "now" whenever somebody looks (<see cref="CatchUp"/>),
/// so a quiet sandbox does no work. The caller holds <see cref="SandboxWorld.Sync"/>.
/// </summary>
internal sealed class LogStore
{
    /// <summary>The most events one stream keeps; the oldest go first (docs/design/sandbox-memory.md).</summary>
    public const int MaxEventsPerStream = 10_000;

    /// <summary>The most events all streams keep together; the oldest go first (docs/design/sandbox-memory.md).</summary>
    public const int MaxStoredEvents = 100_000;

    // Periodic lines of one container kept per catch-up: bounds the volume after a long AdvanceTime.
    private const int MaxPeriodicLinesPerCatchUp = 120;

    private readonly Dictionary<string, LiveWriter> _live = new(StringComparer.Ordinal);
    private long _sequence;

    public SortedDictionary<string, LogGroupState> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Events kept in every stream together (at most <see cref="MaxStoredEvents"/>).</summary>
    public long StoredEvents { get; private set; }

    /// <summary>A container with an awslogs configuration started: its stream is created and the boot output written.</summary>
    /// <remarks>A container of a failing image prints nothing healthy: its crash is written when it exits.</remarks>
    public void ContainerStarted(string taskId, string container, EcsContainerDefinition definition, SandboxImage? image, bool failing, DateTimeOffset at, Ecs.ContainerProgram? program = null)
    {
        if (Location(definition, container, taskId) is not (string group, string stream))
        {
            return;
        }
        ContainerOutput output = ContainerOutput.For(definition, image, program);
        var writer = new LiveWriter(group, stream, output, failing) { LastPeriodic = at };
        _live[Key(group, stream)] = writer;
        if (!failing)
        {
            Write(writer, at, output.Boot(at));
        }
    }

    /// <summary>The container exited: output up to <paramref name="at"/>, then its crash or shutdown lines.</summary>
    public void ContainerStopped(string taskId, string container, EcsContainerDefinition definition, bool crashed, DateTimeOffset at)
    {
        if (Location(definition, container, taskId) is not (string group, string stream) || !_live.Remove(Key(group, stream), out LiveWriter? writer))
        {
            return;
        }
        WritePeriodic(writer, at);
        // A crash is printed in the second before the process exits.
        Write(writer, crashed ? at.AddSeconds(-1) : at, crashed ? writer.Output.Crash(at) : writer.Output.Shutdown(at));
    }

    /// <summary>Writes every running container's periodic output up to <paramref name="now"/>.</summary>
    public void CatchUp(DateTimeOffset now)
    {
        foreach (LiveWriter writer in _live.Values)
        {
            WritePeriodic(writer, now);
        }
    }

    /// <summary>Deletes a group and its streams; running containers stop writing to it.</summary>
    public bool DeleteGroup(string name)
    {
        foreach (string key in _live.Where(l => l.Value.Group == name).Select(l => l.Key).ToList())
        {
            _live.Remove(key);
        }
        if (!Groups.Remove(name, out LogGroupState? group))
        {
            return false;
        }
        StoredEvents -= group.Streams.Values.Sum(s => (long)s.Events.Count);
        return true;
    }

    /// <summary>The awslogs group and stream of a container, or null when it does not log with awslogs.</summary>
    public static (string Group, string Stream)? Location(EcsContainerDefinition definition, string container, string taskId)
    {
        EcsLogConfiguration? config = definition.LogConfiguration;
        if (config?.LogDriver != "awslogs" || config.Options is null || !config.Options.TryGetValue("awslogs-group", out string? group) || string.IsNullOrEmpty(group))
        {
            return null;
        }
        // Without a prefix the EC2 driver names the stream after the Docker container id; the
        // sandbox only writes prefixed streams (the form ECS documents and Fargate requires).
        if (!config.Options.TryGetValue("awslogs-stream-prefix", out string? prefix) || string.IsNullOrEmpty(prefix))
        {
            return null;
        }
        return (group, $"{prefix}/{container}/{taskId}");
    }

    private void WritePeriodic(LiveWriter writer, DateTimeOffset until)
    {
        if (writer.Failing)
        {
            return;
        }
        TimeSpan every = writer.Output.Interval;
        long due = (long)((until - writer.LastPeriodic) / every);
        if (due <= 0)
        {
            return;
        }
        long skip = Math.Max(0, due - MaxPeriodicLinesPerCatchUp);
        for (long i = skip + 1; i <= due; i++)
        {
            DateTimeOffset at = writer.LastPeriodic + (every * i);
            Write(writer, at, writer.Output.Periodic(at, writer.Count++));
        }
        writer.LastPeriodic += every * due;
    }

    private void Write(LiveWriter writer, DateTimeOffset at, IEnumerable<(TimeSpan Offset, string Line)> lines)
    {
        if (!Groups.TryGetValue(writer.Group, out LogGroupState? group))
        {
            // As with awslogs-create-group: the driver creates the group on first use.
            group = new LogGroupState { Name = writer.Group, CreationTime = at.ToUnixTimeMilliseconds() };
            Groups[writer.Group] = group;
        }
        if (!group.Streams.TryGetValue(writer.Stream, out LogStreamState? stream))
        {
            stream = new LogStreamState { Name = writer.Stream, CreationTime = at.ToUnixTimeMilliseconds() };
            group.Streams[writer.Stream] = stream;
        }
        foreach ((TimeSpan offset, string line) in lines)
        {
            long timestamp = (at + offset).ToUnixTimeMilliseconds();
            // The driver batches for a few seconds before sending; CloudWatch stamps arrival.
            stream.Events.Add(new LogRecord(timestamp, timestamp + 850, line, ++_sequence));
            StoredEvents++;
        }
        if (stream.Events.Count > MaxEventsPerStream)
        {
            // A tenth at once, so that a busy stream is not shifted on every line.
            DropFront(stream, stream.Events.Count - (MaxEventsPerStream * 9 / 10));
        }
        if (StoredEvents > MaxStoredEvents)
        {
            DropOldest(StoredEvents - (MaxStoredEvents * 9 / 10));
        }
    }

    /// <summary>
    /// Drops about <paramref name="count"/> of the oldest events of all streams (by timestamp, the
    /// way a retention period would), then forgets the streams left empty that no running
    /// container writes to.
    /// </summary>
    private void DropOldest(long count)
    {
        List<LogStreamState> streams = Groups.Values.SelectMany(g => g.Streams.Values).ToList();
        long[] timestamps = new long[streams.Sum(s => s.Events.Count)];
        int next = 0;
        foreach (LogStreamState stream in streams)
        {
            foreach (LogRecord record in stream.Events)
            {
                timestamps[next++] = record.Timestamp;
            }
        }
        Array.Sort(timestamps);
        long cutoff = timestamps[Math.Min(count, timestamps.Length - 1)];
        foreach (LogStreamState stream in streams)
        {
            // A stream is in time order but for a crash line a second before the last periodic one.
            int old = 0;
            while (old < stream.Events.Count && stream.Events[old].Timestamp < cutoff)
            {
                old++;
            }
            DropFront(stream, old);
        }
        foreach (LogGroupState group in Groups.Values)
        {
            foreach (LogStreamState empty in group.Streams.Values.Where(s => s.Events.Count == 0 && !_live.ContainsKey(Key(group.Name, s.Name))).ToList())
            {
                group.Streams.Remove(empty.Name);
            }
        }
    }

    private void DropFront(LogStreamState stream, int count)
    {
        if (count <= 0)
        {
            return;
        }
        stream.Events.RemoveRange(0, count);
        stream.Dropped += count;
        StoredEvents -= count;
    }

    private static string Key(string group, string stream) => group + "\n" + stream;

    private sealed class LiveWriter(string group, string stream, ContainerOutput output, bool failing)
    {
        public bool Failing { get; } = failing;

        public string Group { get; } = group;

        public string Stream { get; } = stream;

        public ContainerOutput Output { get; } = output;

        public DateTimeOffset LastPeriodic { get; set; }

        public int Count { get; set; }
    }
}
