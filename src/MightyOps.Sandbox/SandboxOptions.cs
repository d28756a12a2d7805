namespace MightyOps.Sandbox;

/// <summary>How a sandbox starts. Every value has a default that works for the demo.</summary>
public sealed record SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary><c>demo</c> (cluster production, WEB, API, 30 workers, ECR, S3 secrets) or <c>empty</c>.</summary>
    public string Seed { get; init; } = "demo";

    /// <summary>
    /// How many one-queue Sidekiq worker services the demo seed creates in cluster production
    /// (default 30, the demo's real queues; more are added as idle <c>queue_NNN</c> services, e.g.
    /// to try scripts against a large cluster).
    /// </summary>
    public int WorkerServiceCount { get; init; } = 30;

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; } = 20;

    /// <summary>The region in ARNs, URIs and S3 bucket locations, and the one requests must be signed for.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// Accept signatures scoped to any region (off by default). The escape hatch for a client that
    /// cannot be told which region to sign for: AWSSDK.S3 and AWSSDK.EC2 with a <c>ServiceURL</c>
    /// and no <c>AuthenticationRegion</c> sign for us-east-1 whatever region is configured.
    /// </summary>
    public bool AnySigningRegion { get; init; }

    /// <summary>The 12-digit account in ARNs and the registry host.</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>The only access key id the sandbox accepts.</summary>
    public string AccessKeyId { get; init; } = "AKIAMIGHTYSANDBOX001";

    /// <summary>The secret every signature is checked with.</summary>
    public string SecretAccessKey { get; init; } = "mightySandboxSecretKey/NotForRealUse0000";

    /// <summary>Fraction (0..1) of requests answered with ThrottlingException.</summary>
    public double ThrottlingRate { get; init; }

    /// <summary>Fraction (0..1) of requests answered with a 5xx.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Added to every response.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Keep the body of every JSON request (for request-shape validation in tests).</summary>
    public bool CaptureRequests { get; init; }

    /// <summary>Seed for the fault dice, so a run can be repeated.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>
    /// Throttle ECS calls with the token buckets ECS itself uses (per action category: burst and
    /// refill per second, docs/design/ecs-deployments-and-events.md), in real time, so a client's backoff meets real limits.
    /// </summary>
    public bool EcsRateLimits { get; init; }
}
