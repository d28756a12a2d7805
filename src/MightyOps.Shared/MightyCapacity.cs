namespace MightyOps;

/// <summary>
/// One group of a cluster's container instances, as Get-MightyCapacity reports it: an Auto
/// Scaling group, or the instances that belong to none. What the instances hold (registered,
/// reserved and free CPU and memory, in ECS's units), what the services placed on them want, what
/// cannot be placed and why, and how many instances the services need. Piped into
/// Set-MightyClusterCapacity it names the group (<see cref="AutoScalingGroup"/>, <see cref="Cluster"/>)
/// and hands over <see cref="InstancesNeeded"/>; piped into AWS.Tools it names the cluster and
/// nothing else: the group's sizes are <see cref="GroupMin"/>, <see cref="GroupDesired"/> and
/// <see cref="GroupMax"/>, names no AWS.Tools parameter takes (docs/design/aws-tools-pipeline.md).
/// </summary>
public sealed class MightyCapacity
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The Auto Scaling group's name; empty for the instances that belong to no group (shown as "(ungrouped)").</summary>
    public string AutoScalingGroup { get; init; } = string.Empty;

    /// <summary>The ECS capacity provider the group serves, or empty.</summary>
    public string CapacityProvider { get; init; } = string.Empty;

    /// <summary>True when that capacity provider has managed scaling on: ECS sizes the group.</summary>
    public bool ManagedScaling { get; init; }

    /// <summary>With managed scaling: how long a new instance takes before it counts (the provider's instance warm-up).</summary>
    public TimeSpan? InstanceWarmup { get; init; }

    /// <summary><c>spot</c>, <c>on-demand</c>, or <c>mixed</c>; empty when EC2 does not know the instances.</summary>
    public string Lifecycle { get; init; } = string.Empty;

    private readonly PrintableList<string> _instanceTypes = PrintableList<string>.Empty;

    /// <summary>The instance types of its instances (as text: <c>c5.large; c5.xlarge</c>).</summary>
    public IReadOnlyList<string> InstanceTypes { get => _instanceTypes; init => _instanceTypes = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    /// <summary>ACTIVE container instances (they take new tasks).</summary>
    public int Instances { get; init; }

    /// <summary>DRAINING container instances (no new tasks; their service tasks are being moved).</summary>
    public int Draining { get; init; }

    /// <summary>CPU units the ACTIVE and DRAINING instances registered (1,024 per vCPU).</summary>
    public int CpuRegistered { get; init; }

    /// <summary>CPU units their tasks reserve.</summary>
    public int CpuReserved { get; init; }

    /// <summary>CPU units left on the ACTIVE instances.</summary>
    public int CpuFree { get; init; }

    /// <summary>MiB of memory the ACTIVE and DRAINING instances registered (the OS's memory less the agent's reservation).</summary>
    public int MemoryRegistered { get; init; }

    /// <summary>MiB their tasks reserve.</summary>
    public int MemoryReserved { get; init; }

    /// <summary>MiB left on the ACTIVE instances.</summary>
    public int MemoryFree { get; init; }

    /// <summary>Tasks the services placed on this group want: their desired counts (and tasks held back by Set-MightyQueueScale -Auto, when piped).</summary>
    public int TasksWanted { get; init; }

    /// <summary>Those services' running tasks.</summary>
    public int TasksRunning { get; init; }

    /// <summary>Those services' starting tasks.</summary>
    public int TasksPending { get; init; }

    private readonly PrintableList<MightyUnplaceable> _unplaceable = PrintableList<MightyUnplaceable>.Empty;

    /// <summary>Services whose tasks cannot be placed, with ECS's reason in words.</summary>
    public IReadOnlyList<MightyUnplaceable> Unplaceable { get => _unplaceable; init => _unplaceable = PrintableList<MightyUnplaceable>.From(value) ?? PrintableList<MightyUnplaceable>.Empty; }

    /// <summary>
    /// Instances of the group's type that hold every wanted task (a rollout in progress included)
    /// and leave room for the rollout of its largest service; null when no instance of the group
    /// has registered, so its type's CPU and memory are not known. Set-MightyClusterCapacity -Fit sizes the group to it.
    /// </summary>
    public int? InstancesNeeded { get; init; }

    /// <summary>The instance type <see cref="InstancesNeeded"/> counts in.</summary>
    public string InstanceType { get; init; } = string.Empty;

    /// <summary>How many more tasks of <see cref="HeadroomService"/> fit on the free capacity now.</summary>
    public int Headroom { get; init; }

    /// <summary>The group's largest service: the one whose rollout needs the most room.</summary>
    public string HeadroomService { get; init; } = string.Empty;

    private readonly PrintableList<string> _services = PrintableList<string>.Empty;

    /// <summary>The services counted in this group (as text: <c>default; mailers; …</c>).</summary>
    public IReadOnlyList<string> Services { get => _services; init => _services = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    /// <summary>The group's MinSize; null for ungrouped instances.</summary>
    public int? GroupMin { get; init; }

    /// <summary>The group's desired capacity; null for ungrouped instances.</summary>
    public int? GroupDesired { get; init; }

    /// <summary>The group's MaxSize; null for ungrouped instances.</summary>
    public int? GroupMax { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        TerminalText.VisibleLine($"{Cluster}/{(AutoScalingGroup.Length > 0 ? AutoScalingGroup : "(ungrouped)")} {Instances} instances, {TasksRunning}/{TasksWanted} tasks");
}

/// <summary>A service whose tasks cannot be placed: how many, and why, in ECS's words when ECS said it.</summary>
public sealed class MightyUnplaceable
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service's name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>Tasks it wants that have no place.</summary>
    public int Tasks { get; init; }

    /// <summary>Why, e.g. "insufficient memory: the closest instance has 212 MiB free, a task needs 350".</summary>
    public string Reason { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Service}: {Tasks} task{(Tasks == 1 ? string.Empty : "s")}, {Reason}");
}

/// <summary>What Set-MightyClusterCapacity did to one Auto Scaling group.</summary>
public sealed class MightyCapacityChange
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The Auto Scaling group's name.</summary>
    public string AutoScalingGroup { get; init; } = string.Empty;

    /// <summary>The group's desired capacity before.</summary>
    public int From { get; init; }

    /// <summary>The group's desired capacity after.</summary>
    public int To { get; init; }

    /// <summary>Completed, Unchanged, or Started (-NoWait: the change is asked for, the instances are still on their way).</summary>
    public string Status { get; init; } = string.Empty;

    private readonly PrintableList<string> _drained = PrintableList<string>.Empty;

    /// <summary>EC2 instance ids set DRAINING before they were terminated (as text: joined with "; ").</summary>
    public IReadOnlyList<string> Drained { get => _drained; init => _drained = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    private readonly PrintableList<string> _terminated = PrintableList<string>.Empty;

    /// <summary>EC2 instance ids terminated (each after its tasks had moved).</summary>
    public IReadOnlyList<string> Terminated { get => _terminated; init => _terminated = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    private readonly PrintableList<string> _registered = PrintableList<string>.Empty;

    /// <summary>EC2 instance ids of new instances that registered with the cluster.</summary>
    public IReadOnlyList<string> Registered { get => _registered; init => _registered = PrintableList<string>.From(value) ?? PrintableList<string>.Empty; }

    /// <summary>Tasks that were waiting for room and got placed once the new instances registered.</summary>
    public int TasksPlaced { get; init; }

    /// <summary>From the first change to the end of the wait.</summary>
    public TimeSpan Duration { get; init; }

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{AutoScalingGroup}: {From} → {To} {Status}");
}
