namespace MightyOps.Core.Queues;

/// <summary>
/// How a queue's service is sized (mighty.psd1 <c>Services.&lt;service&gt;</c>; these defaults
/// otherwise). docs/design/queue-scaling.md explains the rules.
/// </summary>
/// <param name="MinCount">The lowest desired count.</param>
/// <param name="MaxCount">The highest desired count.</param>
/// <param name="JobsPerTask">How many waiting jobs one task should own.</param>
/// <param name="CooldownMinutes">How long after a change a scale-in waits.</param>
public sealed record QueuePolicy(int MinCount = 0, int MaxCount = 10, int JobsPerTask = 100, int CooldownMinutes = 10)
{
    /// <summary>The defaults: 0 to 10 tasks, 100 waiting jobs per task, 10 minutes of cooldown.</summary>
    public static QueuePolicy Default { get; } = new();
}

/// <summary>A desired count and the reason for it in words.</summary>
/// <param name="To">The desired count to set (the current one when nothing should change).</param>
/// <param name="Reason">Why, for people: "412 waiting, 100 per task → 5", "cooldown: 4 min left".</param>
public sealed record ScaleDecision(int To, string Reason);

/// <summary>The -Auto rule: from the queue's numbers, the service's count and its policy to a desired count.</summary>
public static class QueueAutoScale
{
    /// <summary>
    /// <c>clamp(ceil(Size / JobsPerTask), MinCount, MaxCount)</c>; a scale-in never goes below the
    /// tasks that have jobs in flight (never to 0 while a job runs) and waits out the cooldown
    /// since <paramref name="lastScaledAt"/>; a scale-out happens at once unless ECS cannot place
    /// the tasks it already has.
    /// </summary>
    public static ScaleDecision Decide(SidekiqQueueStats queue, int desired, QueuePolicy policy, DateTimeOffset? lastScaledAt, bool cannotPlace, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(policy);
        long wanted = (queue.Size + policy.JobsPerTask - 1) / policy.JobsPerTask;
        int target = (int)Math.Clamp(wanted, policy.MinCount, policy.MaxCount);
        string why = $"{queue.Size} waiting, {policy.JobsPerTask} per task → {wanted}";
        if (wanted > policy.MaxCount)
        {
            why += $", capped at MaxCount {policy.MaxCount}";
        }
        else if (wanted < policy.MinCount)
        {
            why += $", raised to MinCount {policy.MinCount}";
        }

        if (target > desired)
        {
            if (cannotPlace)
            {
                return new ScaleDecision(desired, $"{why}, but ECS cannot place more tasks (cluster out of capacity): staying at {desired}");
            }
            return new ScaleDecision(target, why);
        }
        if (target == desired)
        {
            return new ScaleDecision(desired, why);
        }

        // Scaling in: never below the tasks that are working on jobs of this queue.
        int inFlight = queue.Busy > 0 ? Math.Max(1, queue.BusyProcesses) : 0;
        if (target < inFlight)
        {
            int floor = Math.Min(desired, inFlight);
            why += $"; {queue.Busy} {(queue.Busy == 1 ? "job" : "jobs")} in flight on {inFlight} {(inFlight == 1 ? "task" : "tasks")}";
            target = floor;
            if (target == desired)
            {
                return new ScaleDecision(desired, why);
            }
            why += $" → {target}";
        }
        if (lastScaledAt is { } at && policy.CooldownMinutes > 0)
        {
            TimeSpan left = at + TimeSpan.FromMinutes(policy.CooldownMinutes) - now;
            if (left > TimeSpan.Zero)
            {
                int minutes = (int)Math.Ceiling(left.TotalMinutes);
                return new ScaleDecision(desired, $"{why}; cooldown: {minutes} min left");
            }
        }
        return new ScaleDecision(target, why);
    }
}
