namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// Simulated durations, chosen to look like ECS on EC2 without a load balancer: a rolling
/// deployment of a few tasks takes about a minute of simulated time (3 s at the default
/// TimeScale 20), a bad image trips the circuit breaker in about a minute and a half.
/// </summary>
internal static class EcsTimings
{
    /// <summary>The service scheduler works on this grid, so tasks that change together are reported together.</summary>
    public static readonly TimeSpan SchedulerTick = TimeSpan.FromSeconds(5);

    /// <summary>From UpdateService/CreateService to the first scheduler pass (ECS takes 5-30 s).</summary>
    public static readonly TimeSpan DeploymentStartDelay = TimeSpan.FromSeconds(10);

    /// <summary>From placement to the agent starting the pull (awsvpc adds ENI provisioning).</summary>
    public static readonly TimeSpan AgentPickup = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan EniProvisioning = TimeSpan.FromSeconds(6);

    /// <summary>A Rails image that is not on the host yet.</summary>
    public static readonly TimeSpan ColdPull = TimeSpan.FromSeconds(15);

    /// <summary>An image the host already has (layers cached, manifest checked).</summary>
    public static readonly TimeSpan WarmPull = TimeSpan.FromSeconds(1);

    /// <summary>The agent retries a failing pull before giving up.</summary>
    public static readonly TimeSpan FailingPull = TimeSpan.FromSeconds(10);

    /// <summary>docker create + start.</summary>
    public static readonly TimeSpan ContainerStart = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a task must stay RUNNING before the scheduler counts it healthy (for
    /// minimumHealthyPercent and the circuit breaker's reset). Without it a container that
    /// crashes two seconds after start would count as a healthy replacement, which real ECS
    /// does not do either: crash loops trip the breaker.
    /// </summary>
    public static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(10);

    /// <summary>A container from a <see cref="SandboxImage.FailsToStart"/> image runs this long before exiting 1.</summary>
    public static readonly TimeSpan CrashAfter = TimeSpan.FromSeconds(3);

    /// <summary>SIGTERM to exit for a running task (apps here shut down cleanly).</summary>
    public static readonly TimeSpan StopRunning = TimeSpan.FromSeconds(6);

    public static readonly TimeSpan StopPending = TimeSpan.FromSeconds(1);

    /// <summary>First retry after a failed task; doubles per consecutive failure up to <see cref="MaxLaunchBackoff"/>.</summary>
    public static readonly TimeSpan LaunchBackoff = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaxLaunchBackoff = TimeSpan.FromMinutes(15);

    /// <summary>Retry interval while no container instance can take a task.</summary>
    public static readonly TimeSpan PlacementRetry = TimeSpan.FromSeconds(30);

    /// <summary>The placement failure event is repeated at most this often.</summary>
    public static readonly TimeSpan PlacementEventInterval = TimeSpan.FromMinutes(10);

    /// <summary>ECS repeats "has reached a steady state" every 6 hours while steady (duplicates suppressed in between).</summary>
    public static readonly TimeSpan SteadyStateRepeat = TimeSpan.FromHours(6);

    /// <summary>DescribeTasks keeps stopped tasks "for at least one hour".</summary>
    public static readonly TimeSpan StoppedTaskRetention = TimeSpan.FromHours(1);

    public static readonly TimeSpan InactiveServiceRetention = TimeSpan.FromHours(1);

    /// <summary>Failures without a healthy task before "is unable to consistently start tasks successfully".</summary>
    public const int UnstableEventAfterFailures = 5;

    public const int MaxServiceEvents = 100;
}
