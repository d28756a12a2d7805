namespace MightyOps.Core.Capacity;

/// <summary>
/// Why a container instance cannot take a task, in the order ECS checks: the instance itself
/// (its agent, its status), then the task's constraints, then its resources
/// (docs/design/capacity-and-placement.md, "Where a task may go").
/// </summary>
public enum PlacementFailure
{
    /// <summary>No ACTIVE container instance at all.</summary>
    NoInstances,

    /// <summary>The agent is disconnected.</summary>
    Agent,

    /// <summary>The instance lacks an attribute the task definition requires.</summary>
    Attribute,

    /// <summary>A memberOf constraint does not select the instance.</summary>
    MemberOf,

    /// <summary>The instance already runs a task of the service (distinctInstance).</summary>
    DistinctInstance,

    /// <summary>Not enough CPU units left.</summary>
    Cpu,

    /// <summary>Not enough memory left.</summary>
    Memory,

    /// <summary>A static host port the task needs is taken.</summary>
    Ports,
}

/// <summary>How ECS words a placement failure in its service event, and the same in a few words.</summary>
public static class PlacementFailureText
{
    /// <summary>
    /// ECS's words after "The closest matching (container-instance &lt;id&gt;)" in the event
    /// "was unable to place a task because no container instance met all of its requirements".
    /// </summary>
    public static string EcsWords(PlacementFailure failure) => failure switch
    {
        PlacementFailure.Cpu => "has insufficient CPU units available",
        PlacementFailure.Memory => "has insufficient memory available",
        PlacementFailure.Ports => "is already using a port required by your task",
        PlacementFailure.Attribute => "is missing an attribute required by your task",
        PlacementFailure.MemberOf => "encountered error \"MemberOf placement constraint unsatisfied.\"",
        PlacementFailure.DistinctInstance => "encountered error \"DistinctInstance placement constraint unsatisfied.\"",
        PlacementFailure.Agent => "encountered error \"AGENT\"",
        _ => "was not found",
    };

    /// <summary>The failure in a few words, for views and messages.</summary>
    public static string Short(PlacementFailure failure) => failure switch
    {
        PlacementFailure.NoInstances => "no ACTIVE container instance",
        PlacementFailure.Agent => "the agent is disconnected",
        PlacementFailure.Attribute => "no instance has the attributes the task requires",
        PlacementFailure.MemberOf => "no instance meets its memberOf constraint",
        PlacementFailure.DistinctInstance => "every instance it may use runs one already (distinctInstance)",
        PlacementFailure.Cpu => "insufficient CPU",
        PlacementFailure.Memory => "insufficient memory",
        _ => "its host port is taken",
    };
}
