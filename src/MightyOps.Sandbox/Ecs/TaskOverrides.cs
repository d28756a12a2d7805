using System.Globalization;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// The <c>overrides</c> of a RunTask request, checked as ECS checks them
/// (docs/design/one-off-tasks.md, "RunTask"): each container override names a container of the
/// task definition, and the whole structure is at most 8192 characters of JSON. What a task
/// starts with: a container's command instead of the definition's, its environment on top of the
/// definition's, its environment files instead of the definition's, its cpu and memory, and the
/// task's cpu and memory.
/// </summary>
internal sealed class TaskOverrides
{
    /// <summary>The most characters of JSON the overrides may take, formatting included.</summary>
    public const int MaxJsonLength = 8192;

    private readonly Dictionary<string, JsonObject> _containers = new(StringComparer.Ordinal);

    private TaskOverrides(JsonObject raw)
    {
        Raw = raw;
    }

    /// <summary>The overrides as the request sent them (DescribeTasks echoes them).</summary>
    public JsonObject Raw { get; }

    /// <summary>The task's cpu instead of the definition's, or null.</summary>
    public string? Cpu => Raw["cpu"]?.GetValue<string>();

    /// <summary>The task's memory instead of the definition's, or null.</summary>
    public string? Memory => Raw["memory"]?.GetValue<string>();

    /// <summary>The overrides a request sent (<paramref name="overrides"/>) for <paramref name="definition"/>, or null without any; throws what ECS answers to bad ones.</summary>
    public static TaskOverrides? Parse(JsonObject? overrides, EcsTaskDefinition definition)
    {
        if (overrides is null)
        {
            return null;
        }
        if (overrides.ToJsonString().Length > MaxJsonLength)
        {
            throw new SandboxException("InvalidParameterException", $"Container Overrides length must be at most {MaxJsonLength}");
        }
        var parsed = new TaskOverrides(overrides);
        HashSet<string> names = (definition.ContainerDefinitions ?? []).Select(c => c.Name ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        foreach (JsonNode? node in overrides["containerOverrides"]?.AsArray() ?? [])
        {
            if (node is not JsonObject container)
            {
                continue;
            }
            string? name = container["name"]?.GetValue<string>();
            if (name is null)
            {
                if (container.Count > 0)
                {
                    throw new SandboxException("InvalidParameterException", "Container override name must be specified when other overrides are given.");
                }
                continue;
            }
            if (!names.Contains(name))
            {
                throw new SandboxException("InvalidParameterException", $"Override for container named {name} is not a container in the TaskDefinition.");
            }
            parsed._containers[name] = container;
        }
        foreach (string member in new[] { "cpu", "memory" })
        {
            if (overrides[member]?.GetValue<string>() is string value && !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new SandboxException("InvalidParameterException", $"The task {member} override '{value}' is not a whole number of {(member == "cpu" ? "CPU units" : "MiB")}.");
            }
        }
        return parsed;
    }

    /// <summary>The command override of <paramref name="container"/>, or null.</summary>
    public IReadOnlyList<string>? CommandOf(string container) =>
        _containers.TryGetValue(container, out JsonObject? o) && o["command"] is JsonArray command
            ? command.Select(word => word?.GetValue<string>() ?? string.Empty).ToList()
            : null;

    /// <summary>The environment override of <paramref name="container"/> (name, value), in order; empty without one.</summary>
    public IEnumerable<(string Name, string Value)> EnvironmentOf(string container) =>
        _containers.TryGetValue(container, out JsonObject? o) && o["environment"] is JsonArray variables
            ? variables.OfType<JsonObject>()
                .Where(v => v["name"] is not null)
                .Select(v => (v["name"]!.GetValue<string>(), v["value"]?.GetValue<string>() ?? string.Empty))
            : [];

    /// <summary>The environment files of <paramref name="container"/> instead of the definition's, or null.</summary>
    public List<EcsEnvironmentFile>? EnvironmentFilesOf(string container) =>
        _containers.TryGetValue(container, out JsonObject? o) && o["environmentFiles"] is JsonArray files
            ? files.OfType<JsonObject>().Select(f => new EcsEnvironmentFile { Value = f["value"]?.GetValue<string>(), Type = f["type"]?.GetValue<string>() }).ToList()
            : null;

    /// <summary>An integer override (<c>cpu</c>, <c>memory</c>, <c>memoryReservation</c>) of <paramref name="container"/>, or null.</summary>
    public int? NumberOf(string container, string member) =>
        _containers.TryGetValue(container, out JsonObject? o) && o[member] is JsonValue value ? value.GetValue<int>() : null;

    /// <summary>
    /// What DescribeTasks shows: every container of the task named, with the members overridden
    /// for it, and the task-level members as sent.
    /// </summary>
    public static JsonObject Wire(TaskOverrides? overrides, IEnumerable<string> containers)
    {
        var result = overrides is null ? new JsonObject() : (JsonObject)overrides.Raw.DeepClone();
        var list = new JsonArray();
        foreach (string name in containers)
        {
            list.Add(overrides is not null && overrides._containers.TryGetValue(name, out JsonObject? o)
                ? o.DeepClone()
                : new JsonObject { ["name"] = name });
        }
        result["containerOverrides"] = list;
        result["inferenceAcceleratorOverrides"] ??= new JsonArray();
        return result;
    }
}
