namespace MightyOps;

/// <summary>
/// One Sidekiq queue next to the ECS service that works it, as Get-MightyQueue reports it. The
/// queue numbers come from Sidekiq's Redis, the counts from ECS, the policy from mighty.psd1.
/// Pipes into Set-MightyQueueScale (Queue, Service and Cluster bind by property name); piped into
/// AWS.Tools it names the cluster and service, never a count.
/// </summary>
public sealed class MightyQueue
{
    /// <summary>The Sidekiq queue name.</summary>
    public string Queue { get; init; } = string.Empty;

    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The ECS service that works the queue, or empty when no service does (a warning says so).</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>Jobs waiting in the queue.</summary>
    public long Size { get; init; }

    /// <summary>How long the oldest waiting job has waited (zero when none waits).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Jobs of this queue running right now (per Sidekiq's last heartbeat, at most 5 s old).</summary>
    public int Busy { get; init; }

    /// <summary>
    /// The service's desired count (ECS <c>desiredCount</c>; 0 when there is no service). Not named
    /// DesiredCount: AWS.Tools' Update-ECSService would bind that from the pipeline and write back
    /// a count that may have changed since this read (docs/design/aws-tools-pipeline.md).
    /// </summary>
    public int DesiredTasks { get; init; }

    /// <summary>The service's running tasks (ECS <c>runningCount</c>).</summary>
    public int RunningTasks { get; init; }

    /// <summary>The service's starting tasks (ECS <c>pendingCount</c>).</summary>
    public int PendingTasks { get; init; }

    /// <summary>The policy's lowest desired count.</summary>
    public int MinCount { get; init; }

    /// <summary>The policy's highest desired count.</summary>
    public int MaxCount { get; init; }

    /// <summary>Waiting jobs one task should own.</summary>
    public int JobsPerTask { get; init; }

    /// <summary>Minutes to wait after a change before scaling in.</summary>
    public int CooldownMinutes { get; init; }

    /// <summary>The desired count Set-MightyQueueScale -Auto would set now (the current count when it would not change it).</summary>
    public int SuggestedCount { get; init; }

    /// <summary>Why <see cref="SuggestedCount"/> is what it is, in words ("412 waiting, 100 per task → 5").</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>
    /// True when the service's recent events say ECS "was unable to place a task": the cluster is
    /// out of capacity, and a higher desired count will not start more tasks.
    /// </summary>
    public bool CannotPlace { get; init; }

    /// <summary>When MightyOps last changed the desired count (the service's <c>mightyops:scaled-at</c> tag), or null.</summary>
    public DateTimeOffset? ScaledAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine(Queue);
}

/// <summary>One desired-count decision of Set-MightyQueueScale.</summary>
public sealed class MightyQueueScale
{
    /// <summary>The Sidekiq queue name.</summary>
    public string Queue { get; init; } = string.Empty;

    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The ECS service whose desired count this is.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The desired count before.</summary>
    public int From { get; init; }

    /// <summary>The desired count after (equal to <see cref="From"/> when nothing changed).</summary>
    public int To { get; init; }

    /// <summary>Why, in words ("412 waiting, 100 per task → 5", "cooldown: 4 min left").</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>True when UpdateService was called (false for -WhatIf and for counts that stay).</summary>
    public bool Changed { get; init; }

    /// <summary>
    /// Tasks -Auto wanted but did not ask ECS for, because the instances the service may use have
    /// no room for them. Piped into Get-MightyCapacity they count as wanted, so
    /// Set-MightyClusterCapacity -Fit adds the instances for them.
    /// </summary>
    public int HeldBack { get; init; }

    /// <summary>Instances of the group's type that would place the held-back tasks; null when nothing is held back or the type is not known.</summary>
    public int? InstancesToPlace { get; init; }

    /// <summary>The Auto Scaling group the held-back tasks would go to; empty when nothing is held back.</summary>
    public string AutoScalingGroup { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Queue}: {From} → {To}");
}
