using System.Collections.Concurrent;
using System.Net.Sockets;
using MightyOps.Core;
using MightyOps.Sandbox.Ecs;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;
using MightyOps.Sandbox.Seeds;

namespace MightyOps.Sandbox;

/// <summary>A running sandbox: the HTTP listener on 127.0.0.1 and the world behind it.</summary>
public sealed class SandboxHost : IAsyncDisposable
{
    /// <summary>At most this many captured requests are kept; the oldest go first.</summary>
    public const int MaxCapturedRequests = 10_000;

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SandboxCapturedRequest> _captured = new();
    private readonly SemaphoreSlim _stopGate = new(1, 1);
    private volatile HttpServer? _server;
    private long _served;
    private Uri? _endpoint;
    private int _inProgress;

    private SandboxHost(SandboxOptions options, SandboxWorld world, SandboxFaults faults)
    {
        Options = options;
        World = world;
        Faults = faults;
    }

    /// <summary>
    /// Checks the options, seeds the world and starts listening on 127.0.0.1. Throws
    /// <see cref="MightyOpsException"/> <c>SandboxInvalidOption</c> for a bad option or unknown
    /// seed, <c>SandboxPortInUse</c> when the port is taken, <c>SandboxStartFailed</c> otherwise.
    /// </summary>
    public static Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        Validate(options);
        var faults = new SandboxFaults(options);   // validates the fault settings too

        var world = new SandboxWorld(options);
        var host = new SandboxHost(options, world, faults);
        try
        {
            lock (world.Sync)
            {
                SeedCatalog.Apply(options.Seed, world);
            }
        }
        catch (Exception ex) when (ex is not MightyOpsException)
        {
            throw new MightyOpsException(SandboxErrorIds.SandboxStartFailed,
                $"The sandbox could not load seed '{options.Seed}': {ex.Message}", options.Seed, ex);
        }

        var dispatcher = new RequestDispatcher(host);
        try
        {
            host._server = HttpServer.Start(options.Port, dispatcher.HandleAsync, screen: dispatcher.Screen);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new MightyOpsException(SandboxErrorIds.SandboxPortInUse,
                $"Port {options.Port} on 127.0.0.1 is already in use; stop whatever listens there or choose another port (0 picks a free one).",
                options.Port, ex);
        }
        catch (SocketException ex)
        {
            throw new MightyOpsException(SandboxErrorIds.SandboxStartFailed,
                $"The sandbox could not listen on 127.0.0.1:{options.Port}: {ex.Message}", options.Port, ex);
        }
        host._endpoint = new Uri($"http://127.0.0.1:{host._server.Port}");
        return Task.FromResult(host);
    }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:4566</c>.</summary>
    public Uri Endpoint => _endpoint ?? throw new InvalidOperationException("The sandbox has not started.");

    /// <summary>The options the sandbox started with (faults may have changed since: see <see cref="Faults"/>).</summary>
    public SandboxOptions Options { get; }

    /// <summary>The state behind the endpoint; lock <see cref="SandboxWorld.Sync"/> to read or change it while the sandbox runs.</summary>
    public SandboxWorld World { get; }

    /// <summary>True from a successful start until <see cref="StopAsync"/>.</summary>
    public bool IsRunning => _server is not null;

    /// <summary>Fault injection, adjustable while the sandbox runs (starts from the options).</summary>
    public SandboxFaults Faults { get; }

    /// <summary>Requests served so far per <c>service.Operation</c> (e.g. <c>ecs.DescribeServices</c>), faults included.</summary>
    public IReadOnlyDictionary<string, long> RequestCounts => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>The requests received, oldest first, when <see cref="SandboxOptions.CaptureRequests"/> is on (S3 bodies are not kept).</summary>
    public IReadOnlyList<SandboxCapturedRequest> CapturedRequests => _captured.ToArray();

    /// <summary>Starts the counts of <see cref="RequestCounts"/> and the faults' <see cref="SandboxFaults.InjectedCounts"/> again from zero (e.g. before a measured step).</summary>
    public void ResetRequestCounts()
    {
        _counts.Clear();
        Faults.ResetInjectedCounts();
    }

    /// <summary>AWS requests received and not yet answered (held back by latency, or being handled).</summary>
    public int RequestsInProgress => Volatile.Read(ref _inProgress);

    /// <summary>Forgets the requests in <see cref="CapturedRequests"/>.</summary>
    public void ClearCapturedRequests() => _captured.Clear();

    /// <summary>The longest single step of <see cref="AdvanceTime"/>: a year.</summary>
    public static readonly TimeSpan MaxAdvance = TimeSpan.FromDays(366);

    /// <summary>Simulated time never passes this (ECS timestamps, ARNs and tokens stay well inside what every client parses).</summary>
    public static readonly DateTimeOffset LatestSimulatedTime = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Moves simulated time forward (ECS deployments, task starts and events follow it), by at
    /// most <see cref="MaxAdvance"/> and never past <see cref="LatestSimulatedTime"/>; throws
    /// <c>SandboxInvalidOption</c> otherwise, and nothing changes.
    /// </summary>
    public void AdvanceTime(TimeSpan simulated)
    {
        if (simulated < TimeSpan.Zero)
        {
            throw SandboxFaults.InvalidOption("AdvanceTime", "Simulated time only moves forward.");
        }
        if (simulated > MaxAdvance)
        {
            throw SandboxFaults.InvalidOption("AdvanceTime", $"Simulated time moves at most {MaxAdvance.TotalDays} days in one step, not {simulated.TotalDays:0.#}.");
        }
        lock (World.Sync)
        {
            if (World.Clock.UtcNow + simulated > LatestSimulatedTime)
            {
                throw SandboxFaults.InvalidOption("AdvanceTime", $"Simulated time stays before {LatestSimulatedTime:yyyy-MM-dd}; it is {World.Clock.UtcNow:yyyy-MM-dd} now.");
            }
            World.Clock.Advance(simulated);
            // Run the ECS simulation up to the new time here, so the caller who asked for the jump
            // waits for it, not the next ECS call (and its client's timeout).
            World.Ecs.AdvanceTo(World.Clock.UtcNow);
        }
    }

    /// <summary>
    /// Pushes a new image to an ECR repository (created if missing) under <paramref name="tag"/>,
    /// as CI would after <c>New-MightyTag</c>; the tag moves off any older image.
    /// </summary>
    public SandboxImage PushImage(string repository, string tag, bool failsToStart = false, string? failureReason = null)
    {
        lock (World.Sync)
        {
            return ImageFactory.Push(World, repository, tag, failsToStart, failureReason);
        }
    }

    /// <summary>
    /// Registers an external (ECS Anywhere) container instance in <paramref name="cluster"/> (created
    /// if missing) and returns its ARN and managed instance id (<c>mi-...</c>); services of
    /// launchType EXTERNAL place their tasks there.
    /// </summary>
    public (string ContainerInstanceArn, string ManagedInstanceId) RegisterExternalInstance(string cluster)
    {
        lock (World.Sync)
        {
            var ecs = new EcsApi(World);
            string arn = ecs.RegisterExternalInstance(cluster);
            string id = World.Ecs.Clusters[cluster].ContainerInstances.Values.Single(i => i.Arn == arn).Ec2Instance.InstanceId;
            return (arn, id);
        }
    }

    /// <summary>Marks an existing image as failing (or no longer failing) to start. Throws <c>SandboxImageNotFound</c>.</summary>
    public SandboxImage SetImageFailsToStart(string repository, string tag, bool failsToStart = true, string? failureReason = null)
    {
        lock (World.Sync)
        {
            SandboxImage image = World.Repositories.TryGetValue(repository, out SandboxRepository? repo)
                ? repo.Images.FirstOrDefault(i => i.Tags.Contains(tag)) ?? throw ImageNotFound(repository, tag)
                : throw ImageNotFound(repository, tag);
            image.FailsToStart = failsToStart;
            image.FailureReason = failsToStart ? failureReason ?? ImageFactory.DefaultFailureReason : null;
            return image;
        }
    }

    /// <summary>Makes an existing image answer load-balancer health checks with HTTP 502 (its containers still start). Throws <c>SandboxImageNotFound</c>.</summary>
    public SandboxImage SetImageFailsHealthChecks(string repository, string tag, bool fails = true)
    {
        lock (World.Sync)
        {
            SandboxImage image = World.Repositories.TryGetValue(repository, out SandboxRepository? repo)
                ? repo.Images.FirstOrDefault(i => i.Tags.Contains(tag)) ?? throw ImageNotFound(repository, tag)
                : throw ImageNotFound(repository, tag);
            image.FailsHealthChecks = fails;
            return image;
        }
    }

    /// <summary>
    /// Makes an existing image crash on boot with <paramref name="crashMessage"/>: its containers
    /// print that exception (with a backtrace) to their awslogs stream, then exit. Throws <c>SandboxImageNotFound</c>.
    /// </summary>
    public SandboxImage SetImageCrash(string repository, string tag, string crashMessage)
    {
        lock (World.Sync)
        {
            SandboxImage image = SetImageFailsToStart(repository, tag, failsToStart: true);
            image.CrashMessage = crashMessage;
            return image;
        }
    }

    /// <summary>Every event of a log group now (running containers' output written up to the simulated now), oldest first; empty when the group does not exist.</summary>
    public IReadOnlyList<(string LogStream, DateTimeOffset Timestamp, string Message)> LogEvents(string logGroup)
    {
        lock (World.Sync)
        {
            World.Ecs.AdvanceTo(World.Clock.UtcNow);
            World.Logs.CatchUp(World.Clock.UtcNow);
            return World.Logs.Groups.TryGetValue(logGroup, out Logs.LogGroupState? group)
                ? group.Streams.Values
                    .SelectMany(s => s.Events.Select(e => (s.Name, e)))
                    .OrderBy(x => x.e.Timestamp).ThenBy(x => x.e.Sequence)
                    .Select(x => (x.Name, DateTimeOffset.FromUnixTimeMilliseconds(x.e.Timestamp), x.e.Message))
                    .ToList()
                : [];
        }
    }

    /// <summary>Deletes a CloudWatch Logs group (as <c>aws logs delete-log-group</c> does); false when there was none.</summary>
    public bool DeleteLogGroup(string logGroup)
    {
        lock (World.Sync)
        {
            return World.Logs.DeleteGroup(logGroup);
        }
    }

    /// <summary>
    /// What the sandbox holds now (its state brought up to the simulated now first) and the
    /// process's memory. With <paramref name="collect"/>, a full compacting collection runs first,
    /// so <see cref="SandboxFootprint.ManagedHeapBytes"/> counts only what is still referenced.
    /// Hosted in pwsh, the process numbers are the whole session's.
    /// </summary>
    public SandboxFootprint Footprint(bool collect = false)
    {
        SandboxFootprint state;
        lock (World.Sync)
        {
            EcsSimulation ecs = World.Ecs;
            ecs.AdvanceTo(World.Clock.UtcNow);
            List<ServiceState> services = ecs.Clusters.Values.SelectMany(c => c.Services.Values).ToList();
            List<TaskState> tasks = ecs.Clusters.Values.SelectMany(c => c.Tasks.Values).ToList();
            List<Logs.LogStreamState> streams = World.Logs.Groups.Values.SelectMany(g => g.Streams.Values).ToList();
            List<SandboxObject> objects = World.Buckets.Values.SelectMany(b => b.Objects.Values).ToList();
            state = new SandboxFootprint
            {
                SimulatedNow = ecs.Now,
                Services = services.Count,
                Tasks = tasks.Count,
                StoppedTasks = tasks.Count(t => t.Phase == TaskPhase.Stopped),
                OldestStoppedAt = tasks.Where(t => t.Phase == TaskPhase.Stopped).Min(t => t.StoppedAt),
                Deployments = services.Sum(s => s.Deployments.Count),
                ServiceEvents = services.Sum(s => s.Events.Count),
                MostEventsPerService = services.Count == 0 ? 0 : services.Max(s => s.Events.Count),
                TaskDefinitions = ecs.Families.Values.Sum(f => f.Count),
                LogGroups = World.Logs.Groups.Count,
                LogStreams = streams.Count,
                LogEvents = World.Logs.StoredEvents,
                MostEventsPerStream = streams.Count == 0 ? 0 : streams.Max(s => s.Events.Count),
                S3Objects = objects.Count,
                S3Bytes = objects.Sum(o => (long)o.Content.Length),
            };
        }
        if (collect)
        {
            // Aggressive: compacts every generation, the large object heap included, and gives the
            // free memory back to the system, so the resident set shows what is really held.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return state with
        {
            RequestCountKeys = _counts.Count,
            CapturedRequests = _captured.Count,
            Connections = _server?.ConnectionCount ?? 0,
            ManagedHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            WorkingSetBytes = process.WorkingSet64,
        };
    }

    /// <summary>
    /// Adds an event to a service's event log, now, as ECS writes one: the text of an event is
    /// ECS's to choose, so a test can plant what an endpoint might send. Throws <c>SandboxServiceNotFound</c>.
    /// </summary>
    public void AddServiceEvent(string cluster, string service, string message)
    {
        lock (World.Sync)
        {
            World.Ecs.AdvanceTo(World.Clock.UtcNow);
            ServiceState state = World.Ecs.Clusters.TryGetValue(cluster, out ClusterState? found) && found.Services.TryGetValue(service, out ServiceState? named)
                ? named
                : throw new MightyOpsException(SandboxErrorIds.SandboxServiceNotFound, $"The sandbox has no service {service} in cluster {cluster}.", $"{cluster}/{service}");
            World.Ecs.AddEvent(state, message, World.Clock.UtcNow);
        }
    }

    /// <summary>Puts a CloudWatch alarm into ALARM (or back to OK): deployments whose configuration names it fail (docs/design/ecs-service-deployments.md).</summary>
    public void SetAlarm(string name, bool inAlarm)
    {
        lock (World.Sync)
        {
            World.Ecs.AdvanceTo(World.Clock.UtcNow);
            World.Ecs.SetAlarm(name, inAlarm);
        }
    }

    /// <summary>
    /// What the Lambda lifecycle hook <paramref name="functionArn"/> answers from now on:
    /// IN_PROGRESS holds a deployment at its stage, SUCCEEDED lets it go on, FAILED rolls it back
    /// (the sandbox calls no Lambda; it answers SUCCEEDED unless told otherwise).
    /// </summary>
    public void SetLambdaHookAnswer(string functionArn, string answer)
    {
        if (answer is not ("SUCCEEDED" or "FAILED" or "IN_PROGRESS"))
        {
            throw SandboxFaults.InvalidOption(nameof(answer), $"A Lambda hook answers SUCCEEDED, FAILED or IN_PROGRESS, not '{answer}'.");
        }
        lock (World.Sync)
        {
            World.Ecs.AdvanceTo(World.Clock.UtcNow);
            World.Ecs.SetLambdaHookAnswer(functionArn, answer);
        }
    }

    /// <summary>Whether ListServiceDeployments and the other ledger operations answer, or say UnsupportedFeatureException as in a region without them.</summary>
    public void SetServiceDeploymentsAvailable(bool available)
    {
        lock (World.Sync)
        {
            World.Ecs.ServiceDeploymentsAvailable = available;
        }
    }

    /// <summary>Now, in simulated time.</summary>
    public DateTimeOffset UtcNow
    {
        get
        {
            lock (World.Sync)
            {
                return World.Clock.UtcNow;
            }
        }
    }

    /// <summary>
    /// The containers of the tasks ECS has now (stopped ones included until they expire), with
    /// the environment each process sees; narrowed to a cluster and a service when given.
    /// </summary>
    public IReadOnlyList<SandboxContainer> Containers(string? cluster = null, string? service = null)
    {
        lock (World.Sync)
        {
            World.Ecs.AdvanceTo(World.Clock.UtcNow);
            return World.Ecs.Clusters.Values
                .Where(c => cluster is null || c.Name == cluster)
                .SelectMany(c => c.Tasks.Values.OrderBy(t => t.Seq))
                .Where(t => service is null || t.Service?.Name == service)
                .SelectMany(t => t.Containers.Select(c => SandboxContainer.From(t, c)))
                .ToList();
        }
    }

    /// <summary>The container with Docker id <paramref name="runtimeId"/> (DescribeTasks <c>runtimeId</c>), or null.</summary>
    public SandboxContainer? Container(string runtimeId) =>
        Containers().FirstOrDefault(c => c.RuntimeId == runtimeId);

    /// <summary>
    /// Stops listening and closes every connection: requests being handled get their answer
    /// first (for a few seconds at most), idle connections close at once. Safe to call twice.
    /// </summary>
    public async Task StopAsync()
    {
        await _stopGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_server is HttpServer server)
            {
                _server = null;
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _stopGate.Release();
        }
    }

    /// <summary>The same as <see cref="StopAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>The most distinct keys <see cref="RequestCounts"/> holds; further ones count under <c>service.(other)</c>.</summary>
    public const int MaxRequestCountKeys = 1_000;

    // The operation part of a key comes from the request (X-Amz-Target, Action=, the S3 route), so
    // a client sending made-up operations must not grow the counts without end.
    private const int MaxRequestCountKeyLength = 128;

    /// <summary>AWS requests served since the start (admin calls are not counted), whatever <see cref="ResetRequestCounts"/> did.</summary>
    public long RequestsServed => Interlocked.Read(ref _served);

    internal void Count(string key)
    {
        Interlocked.Increment(ref _served);
        if (!_counts.ContainsKey(key) && (_counts.Count >= MaxRequestCountKeys || key.Length > MaxRequestCountKeyLength))
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            key = (dot < 0 ? key[..Math.Min(key.Length, 16)] : key[..dot]) + ".(other)";
        }
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    internal void BeginRequest() => Interlocked.Increment(ref _inProgress);

    internal void EndRequest() => Interlocked.Decrement(ref _inProgress);

    /// <summary>
    /// How S3 request bodies arrived, by <c>x-amz-content-sha256</c> kind (<c>sha256</c>,
    /// <c>UNSIGNED-PAYLOAD</c>, <c>STREAMING-…</c>) and checksum header or trailer: lets tests prove
    /// which encodings the SDKs really sent.
    /// </summary>
    internal ConcurrentDictionary<string, long> S3BodyEncodings { get; } = new(StringComparer.Ordinal);

    internal void Capture(SandboxCapturedRequest request)
    {
        _captured.Enqueue(request);
        while (_captured.Count > MaxCapturedRequests && _captured.TryDequeue(out _))
        {
        }
    }

    private static MightyOpsException ImageNotFound(string repository, string tag) =>
        new(SandboxErrorIds.SandboxImageNotFound,
            $"The sandbox has no image {repository}:{tag}; push it first (PushImage or POST /_sandbox/push-image).", $"{repository}:{tag}");

    private static void Validate(SandboxOptions options)
    {
        if (options.Port is < 0 or > 65535)
        {
            throw SandboxFaults.InvalidOption(nameof(options.Port), $"Port must be between 0 and 65535 (0 picks a free port), not {options.Port}.");
        }
        if (options.WorkerServiceCount is < 0 or > 1000)
        {
            throw SandboxFaults.InvalidOption(nameof(options.WorkerServiceCount), $"WorkerServiceCount must be between 0 and 1000, not {options.WorkerServiceCount}.");
        }
        if (double.IsNaN(options.TimeScale) || options.TimeScale <= 0 || options.TimeScale > 100_000)
        {
            throw SandboxFaults.InvalidOption(nameof(options.TimeScale), $"TimeScale must be a positive number of simulated seconds per real second (at most 100000), not {options.TimeScale}.");
        }
        if (string.IsNullOrWhiteSpace(options.Region) || !options.Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw SandboxFaults.InvalidOption(nameof(options.Region), $"Region must look like an AWS region such as 'us-east-1', not '{options.Region}'.");
        }
        if (options.AccountId is not { Length: 12 } || !options.AccountId.All(char.IsAsciiDigit))
        {
            throw SandboxFaults.InvalidOption(nameof(options.AccountId), $"AccountId must be 12 digits, not '{options.AccountId}'.");
        }
        if (string.IsNullOrWhiteSpace(options.AccessKeyId) || options.AccessKeyId.Any(c => !char.IsAsciiLetterOrDigit(c)))
        {
            throw SandboxFaults.InvalidOption(nameof(options.AccessKeyId), "AccessKeyId must be letters and digits, like 'AKIAMIGHTYSANDBOX001'.");
        }
        if (string.IsNullOrEmpty(options.SecretAccessKey))
        {
            throw SandboxFaults.InvalidOption(nameof(options.SecretAccessKey), "SecretAccessKey must not be empty.");
        }
        if (!SeedCatalog.IsKnown(options.Seed))
        {
            throw SandboxFaults.InvalidOption(nameof(options.Seed), $"Unknown sandbox seed '{options.Seed}'; use one of: {string.Join(", ", SeedCatalog.Names)}.");
        }
    }
}
