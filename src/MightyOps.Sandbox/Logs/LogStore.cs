using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Logs;

/// <summary>One stored log event: what the awslogs driver sent for one line of output.</summary>
internal sealed record LogRecord(long Timestamp, long IngestionTime, string Message, long Sequence);

/// <summary>A log stream: <c>prefix/container/taskId</c> as the awslogs driver names it.</summary>
internal sealed class LogStreamState
{
    public required string Name { get; init; }

    public long CreationTime { get; init; }

    public List<LogRecord> Events { get; } = [];
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
    // Periodic lines of one container kept per catch-up: bounds the volume after a long AdvanceTime.
    private const int MaxPeriodicLinesPerCatchUp = 120;

    private readonly Dictionary<string, LiveWriter> _live = new(StringComparer.Ordinal);
    private long _sequence;

    public SortedDictionary<string, LogGroupState> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>A container with an awslogs configuration started: its stream is created and the boot output written.</summary>
    /// <remarks>A container of a failing image prints nothing healthy: its crash is written when it exits.</remarks>
    public void ContainerStarted(string taskId, string container, EcsContainerDefinition definition, SandboxImage? image, bool failing, DateTimeOffset at)
    {
        if (Location(definition, container, taskId) is not (string group, string stream))
        {
            return;
        }
        ContainerOutput output = ContainerOutput.For(definition, image);
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
        return Groups.Remove(name);
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
        }
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
