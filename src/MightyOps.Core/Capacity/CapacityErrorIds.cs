namespace MightyOps.Core.Capacity;

/// <summary>The errors of reading, checking and sizing cluster capacity (docs/design/capacity-and-placement.md).</summary>
public static class CapacityErrorIds
{
    public static readonly MightyError AutoScalingGroupNotFound = new("AutoScalingGroupNotFound",
        "No Auto Scaling group of that name is in this region and account (names are case-sensitive); the message lists the nearest ones.",
        MightyErrorKind.NotFound);

    public static readonly MightyError BelowMinSize = new("BelowMinSize",
        "The capacity asked for is below the group's MinSize: ask for more, or lower MinSize first (aws autoscaling update-auto-scaling-group --min-size).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError CapacityModeNotGiven = new("CapacityModeNotGiven",
        "Set-MightyClusterCapacity needs -DesiredCapacity <n> or -Fit (and a positive -Timeout).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError CapacityTimedOut = new("CapacityTimedOut",
        "New instances did not register with the cluster, or drained instances kept tasks, within -Timeout; the message says which instances and what was left as it is.",
        MightyErrorKind.Timeout);

    public static readonly MightyError CapacityUnknown = new("CapacityUnknown",
        "The group has no container instance to learn its instance type's CPU and memory from, so InstancesNeeded cannot be worked out: pass -DesiredCapacity.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError InsufficientCapacity = new("InsufficientCapacity",
        "The tasks would not fit on the instances they can use; nothing was changed. The message gives the numbers and the Set-MightyClusterCapacity command that makes room.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError ManagedByCapacityProvider = new("ManagedByCapacityProvider",
        "The group serves an ECS capacity provider with managed scaling, so ECS sizes it; MightyOps does not change it (turn managed scaling off to size it by hand).",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError MaxSizeExceeded = new("MaxSizeExceeded",
        "The capacity asked for is above the group's MaxSize: pass -RaiseMaximum to raise MaxSize with it, or ask for less.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError PlacementExpressionInvalid = new("PlacementExpressionInvalid",
        "A placement constraint's expression is not cluster query language MightyOps can evaluate; the message names the service, the expression and the part it stopped at.",
        MightyErrorKind.InvalidData);

    public static readonly MightyError TaskNotMovable = new("TaskNotMovable",
        "An instance that would have to be drained runs a task that belongs to no service, which ECS does not move: stop it or wait for it to end, then run the command again.",
        MightyErrorKind.InvalidOperation);
}
