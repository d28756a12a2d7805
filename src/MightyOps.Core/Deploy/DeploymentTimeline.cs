namespace MightyOps.Core.Deploy;

/// <summary>When one task of a deployment reached each step, by ECS's clock (DescribeTasks).</summary>
public sealed record TaskTimes(
    DateTimeOffset? CreatedAt,
    DateTimeOffset? PullStartedAt,
    DateTimeOffset? PullStoppedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppingAt,
    DateTimeOffset? StoppedAt);

/// <summary>
/// What the watch saw of one deployment, all by ECS's clock: the deployment's creation and end,
/// its new tasks, the old tasks it replaced, the "has begun draining connections" events, and
/// when a bake time began (the ledger's BAKE_TIME stage) if it had one.
/// </summary>
public sealed record TimelineObservations
{
    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public IReadOnlyList<TaskTimes> NewTasks { get; init; } = [];

    public IReadOnlyList<TaskTimes> OldTasks { get; init; } = [];

    /// <summary>Whether the service is behind a load balancer (then there are HealthChecks and Draining phases).</summary>
    public bool LoadBalanced { get; init; }

    /// <summary>When ECS began draining old targets (the events' times).</summary>
    public IReadOnlyList<DateTimeOffset> DrainingStarted { get; init; } = [];

    /// <summary>When the bake time began; null when the deployment had none (or it was not observed).</summary>
    public DateTimeOffset? BakeTimeStartedAt { get; init; }
}

/// <summary>
/// Builds a deployment's <see cref="MightyDeploymentPhase"/> list from
/// <see cref="TimelineObservations"/>, by the rules in docs/design/load-balanced-deploys.md
/// ("The timeline"). A phase without evidence is left out, never guessed.
/// </summary>
public static class DeploymentTimeline
{
    public static IReadOnlyList<MightyDeploymentPhase> Build(TimelineObservations seen)
    {
        var phases = new List<MightyDeploymentPhase>();
        void Add(string name, DateTimeOffset? start, DateTimeOffset? end)
        {
            if (start is DateTimeOffset s && end is DateTimeOffset e && e >= s)
            {
                phases.Add(new MightyDeploymentPhase { Name = name, Start = s, End = e });
            }
        }

        DateTimeOffset? firstCreated = Min(seen.NewTasks.Select(t => t.CreatedAt));
        DateTimeOffset? firstStarted = Min(seen.NewTasks.Select(t => t.StartedAt));
        DateTimeOffset? lastStarted = Max(seen.NewTasks.Select(t => t.StartedAt));
        DateTimeOffset? firstStopping = Min(seen.OldTasks.Select(t => t.StoppingAt));
        DateTimeOffset? lastStopping = Max(seen.OldTasks.Select(t => t.StoppingAt));
        DateTimeOffset? lastStopped = Max(seen.OldTasks.Select(t => t.StoppedAt));
        DateTimeOffset? firstDraining = seen.DrainingStarted.Count > 0 ? seen.DrainingStarted.Min() : null;
        DateTimeOffset? lastDraining = seen.DrainingStarted.Count > 0 ? seen.DrainingStarted.Max() : null;

        Add("Registered", seen.StartedAt, seen.StartedAt);
        Add("Placing", seen.StartedAt, firstCreated);
        Add("Starting", firstCreated, lastStarted);
        if (seen.LoadBalanced)
        {
            // ECS takes an old task out of the target group once a new one counts as healthy
            // there; the last drain that began after the new tasks started marks the last new
            // target turning healthy. Without old tasks the deployment completes at that moment.
            DateTimeOffset? healthy = lastDraining is DateTimeOffset d && d >= (firstStarted ?? d) ? d : seen.CompletedAt;
            Add("HealthChecks", firstStarted, healthy);
            Add("Draining", firstDraining, lastStopping);
        }
        // With a load balancer ECS sends SIGTERM (stoppingAt) only once a target has drained.
        Add("StoppingOld", firstStopping, lastStopped);
        Add("BakeTime", seen.BakeTimeStartedAt, seen.CompletedAt);
        Add("Done", seen.CompletedAt, seen.CompletedAt);
        return phases.OrderBy(p => p.Start).ThenBy(p => Order(p.Name)).ToList();
    }

    /// <summary>The longest phase (Registered and Done are instants); empty when there is none.</summary>
    public static string Slowest(IReadOnlyList<MightyDeploymentPhase> phases) =>
        phases.Where(p => p.Duration > TimeSpan.Zero).MaxBy(p => p.Duration)?.Name ?? string.Empty;

    private static int Order(string name) => Array.IndexOf(Names, name);

    /// <summary>The phases in the order a deployment goes through them.</summary>
    public static readonly string[] Names = ["Registered", "Placing", "Starting", "HealthChecks", "Draining", "StoppingOld", "BakeTime", "Done"];

    private static DateTimeOffset? Min(IEnumerable<DateTimeOffset?> values) => values.Where(v => v is not null).Min();

    private static DateTimeOffset? Max(IEnumerable<DateTimeOffset?> values) => values.Where(v => v is not null).Max();
}
