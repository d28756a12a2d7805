namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// The ECS state and the simulation that moves it through simulated time: the container agent
/// (pull, start, stop, crash) and the service scheduler (rolling deployments bounded by
/// minimumHealthyPercent/maximumPercent, scale up/down, the circuit breaker and its rollback,
/// service events), as docs/design/ecs-deployments-and-events.md describes them.
/// </summary>
/// <remarks>
/// Time advances lazily: every request first brings the state up to the clock's "now". The
/// work is event driven (each task knows when its next transition is due; the scheduler looks
/// at a service on a fixed 5 s grid only when something changed), so an idle hour or an idle
/// week costs a handful of steps, not one per simulated second.
/// </remarks>
internal sealed partial class EcsSimulation
{
    private const int MaxStepsPerInstant = 100_000;

    private readonly SandboxWorld _world;
    private readonly Random _random;
    private readonly HashSet<TaskState> _timedTasks = [];
    private readonly HashSet<ServiceState> _scheduledServices = [];
    private long _seq;

    public EcsSimulation(SandboxWorld world)
    {
        _world = world;
        // A fixed RandomSeed makes ids, jitter and so whole runs repeatable.
        _random = world.Options.RandomSeed is int seed ? new Random(unchecked(seed * 31 + 0x0EC5)) : new Random();
        Arns = new EcsArns(world.Region, world.AccountId, _random);
        Now = Truncate(world.Clock.UtcNow);
    }

    public EcsArns Arns { get; }

    /// <summary>The simulated instant the state reflects.</summary>
    public DateTimeOffset Now { get; private set; }

    public Dictionary<string, ClusterState> Clusters { get; } = new(StringComparer.Ordinal);

    /// <summary>Revisions per family, in revision order.</summary>
    public Dictionary<string, List<TaskDefinitionState>> Families { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, TaskDefinitionState> TaskDefinitionsByArn { get; } = new(StringComparer.Ordinal);

    public long NextSeq() => ++_seq;

    /// <summary>Moves the simulation start into the past, for a seed that replays history. Only before anything runs.</summary>
    public void RewindTo(DateTimeOffset past)
    {
        if (_timedTasks.Count > 0 || _scheduledServices.Count > 0 || _timers.Count > 0 || Clusters.Values.Any(c => c.Tasks.Count > 0))
        {
            throw new InvalidOperationException("The ECS simulation can only be rewound before it has tasks.");
        }
        Now = Truncate(past);
    }

    /// <summary>Runs everything that is due up to <paramref name="target"/>, in order.</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        target = Truncate(target);
        int stepsAtThisInstant = 0;
        while (true)
        {
            DateTimeOffset? due = NextDue();
            if (due is null || due.Value > target)
            {
                break;
            }
            if (due.Value > Now)
            {
                Now = due.Value;
                stepsAtThisInstant = 0;
            }
            if (++stepsAtThisInstant > MaxStepsPerInstant)
            {
                throw new InvalidOperationException($"The ECS simulation does not settle at {Now:O}.");
            }
            RunDue();
        }
        if (target > Now)
        {
            Now = target;
        }
        Expire();
    }

    private DateTimeOffset? NextDue()
    {
        DateTimeOffset? next = null;
        foreach (TaskState task in _timedTasks)
        {
            if (next is null || task.NextTransitionAt < next)
            {
                next = task.NextTransitionAt;
            }
        }
        foreach (ServiceState service in _scheduledServices)
        {
            if (next is null || service.NextEvaluationAt < next)
            {
                next = service.NextEvaluationAt;
            }
        }
        if (NextTimer() is DateTimeOffset timer && (next is null || timer < next))
        {
            next = timer;
        }
        return next;
    }

    private void RunDue()
    {
        // Instances come and go first, the agent reports next, then the scheduler reacts to what it reported.
        RunTimers();
        List<TaskState> tasks = _timedTasks.Where(t => t.NextTransitionAt <= Now)
            .OrderBy(t => t.NextTransitionAt).ThenBy(t => t.Seq).ToList();
        foreach (TaskState task in tasks)
        {
            if (task.NextTransitionAt <= Now)
            {
                Step(task);
            }
        }
        List<ServiceState> services = _scheduledServices.Where(s => s.NextEvaluationAt <= Now).OrderBy(s => s.Seq).ToList();
        foreach (ServiceState service in services)
        {
            Evaluate(service);
        }
    }

    private void Schedule(TaskState task, DateTimeOffset? at)
    {
        task.NextTransitionAt = at;
        if (at is null)
        {
            _timedTasks.Remove(task);
        }
        else
        {
            _timedTasks.Add(task);
        }
    }

    /// <summary>Asks the scheduler to look at a service at the first 5 s tick at or after <paramref name="earliest"/>.</summary>
    public void RequestEvaluation(ServiceState service, DateTimeOffset earliest)
    {
        if (service.Status == "INACTIVE")
        {
            return;
        }
        long tick = (long)EcsTimings.SchedulerTick.TotalMilliseconds;
        long ms = earliest.ToUnixTimeMilliseconds();
        var at = DateTimeOffset.FromUnixTimeMilliseconds((ms + tick - 1) / tick * tick);
        if (service.NextEvaluationAt is null || at < service.NextEvaluationAt)
        {
            service.NextEvaluationAt = at;
            _scheduledServices.Add(service);
        }
    }

    private TimeSpan Jitter(int maxMilliseconds) => TimeSpan.FromMilliseconds(_random.Next(0, maxMilliseconds + 1));

    private static DateTimeOffset Truncate(DateTimeOffset value) => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    private void Expire()
    {
        DateTimeOffset stoppedBefore = Now - EcsTimings.StoppedTaskRetention;
        foreach (ClusterState cluster in Clusters.Values)
        {
            List<TaskState>? expired = null;
            foreach (TaskState task in cluster.Tasks.Values)
            {
                if (task.Phase == TaskPhase.Stopped && task.StoppedAt < stoppedBefore)
                {
                    (expired ??= []).Add(task);
                }
            }
            if (expired is not null)
            {
                foreach (TaskState task in expired)
                {
                    cluster.Tasks.Remove(task.Id);
                    task.Service?.Tasks.Remove(task);
                }
            }
            List<ServiceState>? gone = null;
            foreach (ServiceState service in cluster.Services.Values)
            {
                ExpireLedger(service);
                if (service.Status == "INACTIVE" && service.InactiveAt < Now - EcsTimings.InactiveServiceRetention)
                {
                    (gone ??= []).Add(service);
                }
            }
            if (gone is not null)
            {
                foreach (ServiceState service in gone)
                {
                    foreach (ServiceDeploymentState entry in service.Ledger.ToList())
                    {
                        Forget(entry);
                    }
                    cluster.Services.Remove(service.Name);
                }
            }
        }
    }

    public TaskDefinitionState? LatestActive(string family) =>
        Families.TryGetValue(family, out List<TaskDefinitionState>? revisions)
            ? revisions.LastOrDefault(r => r.IsActive)
            : null;
}
