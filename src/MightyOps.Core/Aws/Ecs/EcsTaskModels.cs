using System.Text.Json.Nodes;

// Wire shapes of RunTask and StopTask (model ecs-2014-11-13), named after the botocore shapes with
// an Ecs prefix, as in EcsModels.cs. Members MightyOps copies from a service without reading them
// (network configuration, capacity provider strategy, placement) travel as raw JSON.

namespace MightyOps.Core.Aws.Ecs;

/// <summary>One container's override (ContainerOverride): a non-empty one must name its container.</summary>
public sealed class EcsContainerOverride
{
    public string? Name { get; set; }
    public List<string>? Command { get; set; }
    public List<EcsKeyValuePair>? Environment { get; set; }
    public int? Cpu { get; set; }
    public int? Memory { get; set; }
    public int? MemoryReservation { get; set; }
}

/// <summary>The overrides of a task (TaskOverride).</summary>
public sealed class EcsTaskOverride
{
    public List<EcsContainerOverride>? ContainerOverrides { get; set; }
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
}

public sealed class RunTaskRequest
{
    public List<EcsCapacityProviderStrategyItem>? CapacityProviderStrategy { get; set; }
    public string? Cluster { get; set; }
    public int? Count { get; set; }
    public bool? EnableECSManagedTags { get; set; }
    public bool? EnableExecuteCommand { get; set; }
    public string? Group { get; set; }
    public string? LaunchType { get; set; }
    public JsonObject? NetworkConfiguration { get; set; }
    public EcsTaskOverride? Overrides { get; set; }
    public JsonArray? PlacementConstraints { get; set; }
    public JsonArray? PlacementStrategy { get; set; }
    public string? PlatformVersion { get; set; }
    public string? PropagateTags { get; set; }
    public string? StartedBy { get; set; }
    public List<EcsTag>? Tags { get; set; }
    public string? TaskDefinition { get; set; }
    /// <summary>Makes the call safe to send again: the same token and request give the same tasks (docs/design/one-off-tasks.md).</summary>
    public string? ClientToken { get; set; }
}

public sealed class RunTaskResponse
{
    public List<EcsTask>? Tasks { get; set; }
    public List<EcsFailure>? Failures { get; set; }
}

public sealed class StopTaskRequest
{
    public string? Cluster { get; set; }
    public string? Task { get; set; }
    public string? Reason { get; set; }
}

public sealed class StopTaskResponse
{
    public EcsTask? Task { get; set; }
}
