using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace MightyOps.Core.Queues;

/// <summary>One Sidekiq queue as Redis holds it right now.</summary>
/// <param name="Name">The queue name (the <c>queues</c> set member).</param>
/// <param name="Size">Jobs waiting: the length of <c>queue:&lt;name&gt;</c>.</param>
/// <param name="Latency">How long the oldest waiting job has waited (zero when none waits).</param>
/// <param name="Busy">Jobs of this queue being worked on by live Sidekiq processes.</param>
/// <param name="BusyProcesses">How many distinct Sidekiq processes are working on them.</param>
/// <param name="Known">False for a queue that was asked for but is not in Sidekiq's <c>queues</c> set.</param>
public sealed record SidekiqQueueStats(string Name, long Size, TimeSpan Latency, int Busy, int BusyProcesses, bool Known = true);

/// <summary>What one read of Sidekiq's Redis found.</summary>
/// <param name="Queues">Every queue in Sidekiq's <c>queues</c> set, sorted by name.</param>
/// <param name="Busy">In-flight jobs and the processes running them, per queue (including queues outside the set).</param>
/// <param name="Processes">Live Sidekiq processes (their heartbeat key exists).</param>
/// <param name="RoundTrips">Pipelined round trips the read took (connecting not counted).</param>
public sealed record SidekiqReading(IReadOnlyList<SidekiqQueueStats> Queues, IReadOnlyDictionary<string, (int Jobs, int Processes)> Busy, int Processes, int RoundTrips)
{
    /// <summary>
    /// The numbers of <paramref name="queue"/>; a queue outside Sidekiq's set reads as empty (Sidekiq
    /// adds a queue to the set on every push and removes it only when it clears the list), with
    /// whatever jobs of it are in flight.
    /// </summary>
    public SidekiqQueueStats For(string queue)
    {
        foreach (SidekiqQueueStats known in Queues)
        {
            if (string.Equals(known.Name, queue, StringComparison.Ordinal))
            {
                return known;
            }
        }
        (int jobs, int processes) = Busy.TryGetValue(queue, out var busy) ? busy : (0, 0);
        return new SidekiqQueueStats(queue, 0, TimeSpan.Zero, jobs, processes, Known: false);
    }
}

/// <summary>
/// Reads queue sizes, latencies and in-flight jobs the way Sidekiq's own API does
/// (docs/design/sidekiq-redis-format.md): the <c>queues</c> set, each <c>queue:&lt;name&gt;</c>
/// list, and the <c>processes</c> set with each process's work hash. Two pipelined round trips
/// for any number of queues and processes. Sidekiq 6, 7 and 8 formats are all read.
/// </summary>
public sealed class SidekiqStats : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisLocation _location;
    private readonly string _prefix;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;

    private SidekiqStats(ConnectionMultiplexer redis, RedisLocation location, string? keyNamespace, TimeProvider clock, TimeSpan timeout)
    {
        _redis = redis;
        _location = location;
        _prefix = string.IsNullOrEmpty(keyNamespace) ? string.Empty : keyNamespace.TrimEnd(':') + ":";
        _clock = clock;
        _timeout = timeout;
    }

    /// <summary>
    /// Connects to <paramref name="location"/>. <paramref name="keyNamespace"/> is a redis-namespace
    /// prefix (<c>myapp</c> reads <c>myapp:queues</c>, ...). <paramref name="timeout"/> bounds the
    /// connection and handshake, and each read after it. Failures are <c>RedisUnreachable</c>
    /// (refused, unknown host), <c>RedisTimeout</c> (no connection or no answer in time),
    /// <c>RedisAuthenticationFailed</c> or <c>RedisTlsFailed</c>.
    /// </summary>
    public static async Task<SidekiqStats> ConnectAsync(
        RedisLocation location,
        string? keyNamespace,
        TimeSpan timeout,
        TimeProvider? clock,
        IOperationLog log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(log);
        var options = new ConfigurationOptions
        {
            User = location.User,
            Password = location.Password,
            Ssl = location.UseTls,
            SslHost = location.UseTls ? location.Host : null,
            DefaultDatabase = location.Database,
            // Fail at once with the reason instead of retrying in the background: a runbook must
            // see "unreachable" or "wrong password", not a timeout on its first command.
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ConnectTimeout = (int)timeout.TotalMilliseconds,
            AsyncTimeout = (int)timeout.TotalMilliseconds,
            SyncTimeout = (int)timeout.TotalMilliseconds,
            ClientName = "MightyOps",
            // Only reads; no CONFIG/INFO admin commands (managed Redis often forbids them).
            AllowAdmin = false,
        };
        options.EndPoints.Add(location.Host, location.Port);
        log.Verbose($"Connecting to Sidekiq's Redis at {location}.");
        try
        {
            ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new SidekiqStats(redis, location, keyNamespace, clock ?? TimeProvider.System, timeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or System.Net.Sockets.SocketException or IOException)
        {
            throw await RedisErrors.ConnectFailedAsync(e, location, timeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads every queue in Sidekiq's <c>queues</c> set and every process's in-flight jobs. A Redis that holds no
    /// Sidekiq data at all is <c>SidekiqDataNotFound</c>; data in another shape is <c>SidekiqDataInvalid</c>.
    /// </summary>
    public async Task<SidekiqReading> ReadAsync(CancellationToken cancellationToken)
    {
        IDatabase db = _redis.GetDatabase(_location.Database);
        try
        {
            // Round trip 1: which queues and which processes there are.
            IBatch names = db.CreateBatch();
            Task<bool> hasQueues = names.KeyExistsAsync(_prefix + "queues");
            Task<bool> hasProcesses = names.KeyExistsAsync(_prefix + "processes");
            Task<RedisValue[]> queueMembers = names.SetMembersAsync(_prefix + "queues");
            Task<RedisValue[]> processMembers = names.SetMembersAsync(_prefix + "processes");
            names.Execute();
            await Task.WhenAll(hasQueues, hasProcesses, queueMembers, processMembers).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!hasQueues.Result && !hasProcesses.Result)
            {
                throw new MightyOpsException(
                    QueuesErrorIds.SidekiqDataNotFound,
                    $"Redis at {_location} holds no Sidekiq data (no '{_prefix}queues' or '{_prefix}processes' key), so there is nothing to report or scale on. Check the database index in the URL and -Namespace.",
                    _location.ToString());
            }
            List<string> queues = queueMembers.Result.Select(v => (string)v!).Where(q => !string.IsNullOrEmpty(q)).Order(StringComparer.Ordinal).ToList();
            List<string> processes = processMembers.Result.Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();

            // Round trip 2: each queue's length and oldest job, each process's heartbeat and work.
            IBatch details = db.CreateBatch();
            var lengths = queues.Select(q => details.ListLengthAsync(_prefix + "queue:" + q)).ToList();
            var oldest = queues.Select(q => details.ListGetByIndexAsync(_prefix + "queue:" + q, -1)).ToList();
            var alive = processes.Select(p => details.KeyExistsAsync(_prefix + p)).ToList();
            var work = processes.Select(p => details.HashGetAllAsync(_prefix + p + ":work")).ToList();
            // Sidekiq 6.4 and older keep the same entries under ':workers'.
            var workers = processes.Select(p => details.HashGetAllAsync(_prefix + p + ":workers")).ToList();
            details.Execute();
            await Task.WhenAll(lengths.Cast<Task>().Concat(oldest).Concat(alive).Concat(work).Concat(workers)).WaitAsync(cancellationToken).ConfigureAwait(false);

            var busy = new Dictionary<string, (int Jobs, HashSet<string> Processes)>(StringComparer.Ordinal);
            int live = 0;
            for (int i = 0; i < processes.Count; i++)
            {
                if (!alive[i].Result)
                {
                    // A process that stopped heartbeating; its work hash is about to expire.
                    continue;
                }
                live++;
                var entries = work[i].Result.Select(e => (Key: $"{_prefix}{processes[i]}:work", Entry: e))
                    .Concat(workers[i].Result.Select(e => (Key: $"{_prefix}{processes[i]}:workers", Entry: e)));
                foreach ((string key, HashEntry entry) in entries)
                {
                    string? queue = SidekiqJob.WorkQueue(entry.Value, new JobPlace(key, $"in field '{TerminalText.Quote(entry.Name)}'"));
                    if (queue is null)
                    {
                        continue;
                    }
                    if (!busy.TryGetValue(queue, out var counts))
                    {
                        counts = (0, new HashSet<string>(StringComparer.Ordinal));
                    }
                    counts.Processes.Add(processes[i]);
                    busy[queue] = (counts.Jobs + 1, counts.Processes);
                }
            }

            DateTimeOffset now = _clock.GetUtcNow();
            var result = new List<SidekiqQueueStats>(queues.Count);
            for (int i = 0; i < queues.Count; i++)
            {
                TimeSpan latency = oldest[i].Result.IsNull
                    ? TimeSpan.Zero
                    : SidekiqJob.Latency(oldest[i].Result!, now, new JobPlace($"{_prefix}queue:{queues[i]}", "at index -1 (its oldest job)"));
                (int jobs, HashSet<string>? working) = busy.TryGetValue(queues[i], out var b) ? b : (0, null);
                result.Add(new SidekiqQueueStats(queues[i], lengths[i].Result, latency, jobs, working?.Count ?? 0));
            }
            return new SidekiqReading(result, busy.ToDictionary(b => b.Key, b => (b.Value.Jobs, b.Value.Processes.Count), StringComparer.Ordinal), live, RoundTrips: 2);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw RedisErrors.ReadFailed(e, _location, _timeout);
        }
    }

    /// <summary>Queue names only (the <c>queues</c> set), for tab completion: one round trip.</summary>
    public async Task<IReadOnlyList<string>> QueueNamesAsync(CancellationToken cancellationToken)
    {
        try
        {
            RedisValue[] members = await _redis.GetDatabase(_location.Database).SetMembersAsync(_prefix + "queues").WaitAsync(cancellationToken).ConfigureAwait(false);
            return members.Select(m => (string)m!).Order(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw RedisErrors.ReadFailed(e, _location, _timeout);
        }
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync().ConfigureAwait(false);
}

/// <summary>Where in Redis a job was read: the key and the position in it (a list index, a hash field), for messages.</summary>
internal sealed record JobPlace(string Key, string Position);

/// <summary>
/// Reads the two parts of Sidekiq's job JSON that queue numbers need. A job's arguments may hold
/// personal data or secrets, so a job that cannot be read is described by where it is and what is
/// wrong with it, never by its contents (docs/design/sidekiq-redis-format.md).
/// </summary>
internal static class SidekiqJob
{
    /// <summary>
    /// How long a waiting job has waited: now minus <c>enqueued_at</c> (or <c>created_at</c>).
    /// A JSON float is epoch seconds (Sidekiq 7 and older); an integer is epoch milliseconds
    /// (Sidekiq 8), the same test Sidekiq 8's own <c>calculate_latency</c> makes.
    /// </summary>
    public static TimeSpan Latency(string json, DateTimeOffset now, JobPlace place)
    {
        JsonElement job = Parse(json, place, "a job that is not JSON");
        if (job.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(place, $"a job that is {Kind(job)}, not a JSON object");
        }
        string field = "enqueued_at";
        if (!job.TryGetProperty(field, out JsonElement stamp) || stamp.ValueKind == JsonValueKind.Null)
        {
            field = "created_at";
            if (!job.TryGetProperty(field, out stamp) || stamp.ValueKind == JsonValueKind.Null)
            {
                // Sidekiq reports 0 for a job without either.
                return TimeSpan.Zero;
            }
        }
        if (stamp.ValueKind != JsonValueKind.Number)
        {
            throw Invalid(place, $"a job whose enqueued_at is {Kind(stamp)}, not a number");
        }
        string raw = stamp.GetRawText();
        double seconds;
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
        {
            // 1e400 does not fit a double: as far beyond any time as 1e308 is.
            seconds = stamp.TryGetDouble(out double value) ? value : raw.StartsWith('-') ? double.MinValue : double.MaxValue;
        }
        else if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long millis))
        {
            seconds = millis / 1000.0;
        }
        else
        {
            seconds = raw.StartsWith('-') ? double.MinValue : double.MaxValue;
        }
        // Checked as a number first: a TimeSpan or DateTimeOffset of 1e308 seconds does not exist.
        double nowSeconds = (now - DateTimeOffset.UnixEpoch).TotalSeconds;
        if (seconds < (EarliestEnqueue - DateTimeOffset.UnixEpoch).TotalSeconds || seconds > nowSeconds + MaxClockSkew.TotalSeconds)
        {
            throw ImpossibleTime(place, field, seconds, now);
        }
        TimeSpan waited = now - DateTimeOffset.UnixEpoch.AddSeconds(seconds);
        return waited < TimeSpan.Zero ? TimeSpan.Zero : waited;
    }

    /// <summary>No Sidekiq job was enqueued before Sidekiq's first release (2012).</summary>
    internal static readonly DateTimeOffset EarliestEnqueue = new(2012, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// How far ahead of this machine's clock an enqueue time may be: the clocks of the machines
    /// that enqueue jobs can run a little ahead (read as no wait at all); beyond this the
    /// timestamp is wrong, not the clock.
    /// </summary>
    internal static readonly TimeSpan MaxClockSkew = TimeSpan.FromHours(1);

    // Names where the job is and what its enqueued_at means, never the job itself: its arguments
    // can hold personal data and secrets.
    private static MightyOpsException ImpossibleTime(JobPlace place, string field, double seconds, DateTimeOffset now)
    {
        string when = seconds switch
        {
            _ when seconds < (DateTimeOffset.MinValue - DateTimeOffset.UnixEpoch).TotalSeconds => "a time before the year 1",
            _ when seconds > (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).TotalSeconds => "a time after the year 9999",
            _ => DateTimeOffset.UnixEpoch.AddSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        string why = seconds < (now - DateTimeOffset.UnixEpoch).TotalSeconds
            ? $"before Sidekiq existed ({EarliestEnqueue.Year})"
            : $"more than {MaxClockSkew.TotalHours:0} hour ahead of this machine's clock ({now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)})";
        return new MightyOpsException(
            QueuesErrorIds.SidekiqDataInvalid,
            $"Redis key '{TerminalText.Quote(place.Key)}' holds, {place.Position}, a job whose {field} reads as {when}, {why}: that job cannot have waited that long, so nothing is reported or scaled on it. Find out what wrote that job ({field} is epoch seconds, or epoch milliseconds as a whole number in Sidekiq 8), then fix or delete it; if the time is only ahead, check both machines' clocks. (The job's contents are not shown: they may hold personal data or secrets.)",
            place.Key);
    }

    /// <summary>
    /// The queue of one in-flight job from a process's work hash: the entry's <c>queue</c>, or the
    /// job payload's (a JSON string inside the JSON since Sidekiq 6.0, an object before). Empty
    /// entries (Sidekiq 7+ skips them too) give null.
    /// </summary>
    public static string? WorkQueue(RedisValue value, JobPlace place)
    {
        string? json = value;
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        JsonElement work = Parse(json, place, "a work entry that is not JSON");
        if (work.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(place, $"a work entry that is {Kind(work)}, not a JSON object");
        }
        if (work.TryGetProperty("queue", out JsonElement queue) && queue.ValueKind == JsonValueKind.String)
        {
            return queue.GetString();
        }
        if (work.TryGetProperty("payload", out JsonElement payload))
        {
            JsonElement job = payload.ValueKind == JsonValueKind.String ? Parse(payload.GetString()!, place, "a work entry whose payload is not JSON") : payload;
            if (job.ValueKind == JsonValueKind.Object && job.TryGetProperty("queue", out queue) && queue.ValueKind == JsonValueKind.String)
            {
                return queue.GetString();
            }
        }
        throw Invalid(place, "a work entry without a queue");
    }

    private static JsonElement Parse(string json, JobPlace place, string notJson)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            // Where the JSON breaks, never what it says.
            int bytes = System.Text.Encoding.UTF8.GetByteCount(json);
            string at = e.LineNumber is long line && e.BytePositionInLine is long column
                ? $" (invalid at line {line + 1}, byte {column + 1}; the value is {bytes} bytes)"
                : $" (the value is {bytes} bytes)";
            throw Invalid(place, notJson + at);
        }
    }

    // The JSON kind of a value in words ("a JSON string"), never the value.
    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "a JSON object",
        JsonValueKind.Array => "a JSON array",
        JsonValueKind.String => "a JSON string",
        JsonValueKind.Number => "a JSON number",
        JsonValueKind.True or JsonValueKind.False => "a JSON boolean",
        _ => "JSON null",
    };

    private static MightyOpsException Invalid(JobPlace place, string what) =>
        new(QueuesErrorIds.SidekiqDataInvalid,
            $"Redis key '{TerminalText.Quote(place.Key)}' holds, {place.Position}, {what}: this is not Sidekiq's data, so nothing is reported or scaled on it. Check the Redis URL, database and -Namespace. (The job's contents are not shown: they may hold personal data or secrets.)",
            place.Key);
}

/// <summary>
/// Turns StackExchange.Redis failures into MightyOps errors that say what happened and what to
/// check: a refused connection, no answer in time (with the time waited), a connection lost in
/// the middle of a read, a refused password, a TLS failure (docs/design/queue-scaling.md,
/// "When Redis fails").
/// </summary>
internal static class RedisErrors
{
    /// <summary>
    /// A failed connect. StackExchange.Redis reports a refused port and a server that took the
    /// connection and never answered the same way ("UnableToConnect"), so a plain TCP connect
    /// tells them apart afterwards.
    /// </summary>
    public static async Task<MightyOpsException> ConnectFailedAsync(Exception e, RedisLocation location, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Known(e, location) is MightyOpsException known)
        {
            return known;
        }
        string waited = Seconds(timeout);
        return await ProbeAsync(location, timeout, cancellationToken).ConfigureAwait(false) switch
        {
            Probe.Accepted => new MightyOpsException(
                QueuesErrorIds.RedisTimeout,
                $"Redis at {location} accepted the connection but did not answer within {waited}: the server is frozen, overloaded or busy with a slow command, or what listens there is not Redis{(location.UseTls ? " (or does not speak TLS)" : string.Empty)}. Check it with redis-cli -h {location.Host} -p {location.Port} PING.",
                location.ToString(),
                e),
            Probe.NoAnswer => new MightyOpsException(
                QueuesErrorIds.RedisTimeout,
                $"Redis at {location} did not take a connection within {waited}: packets to {location.Host}:{location.Port} go unanswered (a firewall or security group that drops them, a host that is down, or the wrong address).",
                location.ToString(),
                e),
            _ => new MightyOpsException(
                QueuesErrorIds.RedisUnreachable,
                $"Could not connect to Redis at {location}{(location.UseTls ? " over TLS" : string.Empty)}. Check the host, port and network (and rediss:// for a TLS-only Redis).",
                location.ToString(),
                e),
        };
    }

    /// <summary>A failure after the connection was made: no answer in time, or the connection lost under the read.</summary>
    public static MightyOpsException ReadFailed(Exception e, RedisLocation location, TimeSpan timeout)
    {
        if (Known(e, location) is MightyOpsException known)
        {
            return known;
        }
        if (e is RedisTimeoutException or TimeoutException)
        {
            return new MightyOpsException(
                QueuesErrorIds.RedisTimeout,
                $"Redis at {location} did not answer within {Seconds(timeout)} while Sidekiq's queues were read: the server is frozen, overloaded or busy with a slow command. Nothing was reported or scaled on a partial read; check that it is up and responsive (redis-cli -h {location.Host} -p {location.Port} PING).",
                location.ToString(),
                e);
        }
        return new MightyOpsException(
            QueuesErrorIds.RedisConnectionLost,
            $"The connection to Redis at {location} was lost while Sidekiq's queues were read ({Cause(e)}). Nothing was reported or scaled on a partial read. Try again; if it keeps happening, look at the server (restarts, maxclients, client-output-buffer-limit, CLIENT KILL) and the network.",
            location.ToString(),
            e);
    }

    // Failures that mean the same whenever they come: TLS, credentials, keys of another type.
    private static MightyOpsException? Known(Exception e, RedisLocation location)
    {
        string message = e.Message;
        // StackExchange.Redis reports a TLS handshake failure as an authentication failure too;
        // the inner exception tells a certificate problem from a refused password.
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException tls)
            {
                return new MightyOpsException(
                    QueuesErrorIds.RedisTlsFailed,
                    $"The TLS handshake with Redis at {location} failed: {tls.Message} Check that the server's certificate is issued for '{location.Host}' by a CA this machine trusts.",
                    location.ToString(),
                    e);
            }
        }
        if (e is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
            || message.Contains("WRONGPASS", StringComparison.Ordinal)
            || message.Contains("NOAUTH", StringComparison.Ordinal)
            || message.Contains("invalid username-password", StringComparison.OrdinalIgnoreCase))
        {
            return new MightyOpsException(
                QueuesErrorIds.RedisAuthenticationFailed,
                $"Redis at {location} refused the credentials. Put the right user and password in the URL (redis://user:password@host:port/db).",
                location.ToString(),
                e);
        }
        if (message.Contains("WRONGTYPE", StringComparison.Ordinal))
        {
            return new MightyOpsException(
                QueuesErrorIds.SidekiqDataInvalid,
                $"Redis at {location} has keys where Sidekiq keeps its queues, but of another type ({message}): this is not Sidekiq's data, so nothing is reported or scaled on it. Check the database index and -Namespace.",
                location.ToString(),
                e);
        }
        return null;
    }

    private enum Probe
    {
        Refused,
        Accepted,
        NoAnswer,
    }

    private static async Task<Probe> ProbeAsync(RedisLocation location, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await tcp.ConnectAsync(location.Host, location.Port, limit.Token).ConfigureAwait(false);
            return Probe.Accepted;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Probe.NoAnswer;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return Probe.Refused;
        }
    }

    // The socket's own words ("Connection reset by peer"), else StackExchange.Redis's failure type.
    private static string Cause(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket)
            {
                return socket.Message.TrimEnd('.');
            }
        }
        return e is RedisConnectionException connection
            ? connection.FailureType switch
            {
                ConnectionFailureType.SocketClosed => "closed by the server",
                ConnectionFailureType.ConnectionDisposed => "closed",
                _ => connection.FailureType.ToString(),
            }
            : e.GetType().Name;
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
