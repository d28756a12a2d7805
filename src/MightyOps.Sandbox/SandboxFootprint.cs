namespace MightyOps.Sandbox;

/// <summary>
/// What a running sandbox holds, counted, and what that costs the process: the numbers a soak
/// watches to tell retained state (stopped tasks, events, log events, revisions) from memory the
/// runtime merely has not handed back. <c>GET /_sandbox/memory</c> answers it as JSON.
/// </summary>
public sealed record SandboxFootprint
{
    /// <summary>Simulated now when the numbers were taken.</summary>
    public DateTimeOffset SimulatedNow { get; init; }

    /// <summary>ECS services in every cluster (INACTIVE ones until they are forgotten).</summary>
    public int Services { get; init; }

    /// <summary>Tasks DescribeTasks can still show, stopped ones included.</summary>
    public int Tasks { get; init; }

    /// <summary>The STOPPED ones among <see cref="Tasks"/>.</summary>
    public int StoppedTasks { get; init; }

    /// <summary>When the oldest STOPPED task stopped; null when there is none.</summary>
    public DateTimeOffset? OldestStoppedAt { get; init; }

    /// <summary>Deployments listed by every service together.</summary>
    public int Deployments { get; init; }

    /// <summary>Service events kept by every service together.</summary>
    public int ServiceEvents { get; init; }

    /// <summary>The most events one service keeps.</summary>
    public int MostEventsPerService { get; init; }

    /// <summary>Task definition revisions of every family, INACTIVE ones included.</summary>
    public int TaskDefinitions { get; init; }

    /// <summary>CloudWatch Logs groups.</summary>
    public int LogGroups { get; init; }

    /// <summary>CloudWatch Logs streams of every group.</summary>
    public int LogStreams { get; init; }

    /// <summary>Log events of every stream.</summary>
    public long LogEvents { get; init; }

    /// <summary>The most events one stream keeps.</summary>
    public int MostEventsPerStream { get; init; }

    /// <summary>S3 objects of every bucket.</summary>
    public int S3Objects { get; init; }

    /// <summary>The bytes of every S3 object.</summary>
    public long S3Bytes { get; init; }

    /// <summary>Distinct keys of the request counts.</summary>
    public int RequestCountKeys { get; init; }

    /// <summary>Requests kept for <c>GET /_sandbox/requests</c>.</summary>
    public int CapturedRequests { get; init; }

    /// <summary>Open HTTP connections.</summary>
    public int Connections { get; init; }

    /// <summary>Bytes of live objects on the managed heap (after a full collection when one was asked for).</summary>
    public long ManagedHeapBytes { get; init; }

    /// <summary>The process's resident set (working set), in bytes.</summary>
    public long WorkingSetBytes { get; init; }
}
