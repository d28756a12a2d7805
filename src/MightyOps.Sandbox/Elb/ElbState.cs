using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox.Elb;

/// <summary>An Application Load Balancer: a name and ARN its target groups point at.</summary>
internal sealed class LoadBalancerState
{
    public required string Arn { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// A target group with its health check and attributes, and the targets ECS registered in it
/// (docs/design/load-balanced-deploys.md, "The sandbox").
/// </summary>
internal sealed class TargetGroupState
{
    public required string Arn { get; init; }

    public required string Name { get; init; }

    /// <summary>The load balancer whose listener forwards to it; null for a group no listener uses yet.</summary>
    public LoadBalancerState? LoadBalancer { get; init; }

    public int Port { get; init; } = 80;

    public string HealthCheckPath { get; set; } = "/";

    /// <summary>AWS's defaults for an instance target group over HTTP: every 30 s, 5 s timeout, 5 passes to be healthy, 2 failures to be unhealthy.</summary>
    public int HealthCheckIntervalSeconds { get; set; } = 30;

    public int HealthCheckTimeoutSeconds { get; set; } = 5;

    public int HealthyThresholdCount { get; set; } = 5;

    public int UnhealthyThresholdCount { get; set; } = 2;

    /// <summary>The attributes, with AWS's defaults (deregistration delay 300 s).</summary>
    public SortedDictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal)
    {
        ["deregistration_delay.timeout_seconds"] = "300",
        ["stickiness.enabled"] = "false",
        ["stickiness.type"] = "lb_cookie",
        ["load_balancing.algorithm.type"] = "round_robin",
        ["slow_start.duration_seconds"] = "0",
    };

    public TimeSpan DeregistrationDelay =>
        TimeSpan.FromSeconds(int.TryParse(Attributes["deregistration_delay.timeout_seconds"], out int seconds) ? seconds : 300);

    public List<TargetState> Targets { get; } = [];
}

/// <summary>One registered target: an instance and host port, for one task of an ECS service.</summary>
internal sealed class TargetState
{
    public required string Id { get; init; }

    public required int Port { get; init; }

    public required TaskState Task { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>Whether the task's image answers the health check with a 502.</summary>
    public bool FailsHealthChecks { get; init; }

    /// <summary>Set when deregistration began: the target drains until then plus the delay.</summary>
    public DateTimeOffset? DrainingUntil { get; set; }
}
