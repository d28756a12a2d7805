using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

namespace MightyOps.Sandbox.Ecs;

/// <summary>What one RunTask call asks for, checked (EcsApi.RunTask).</summary>
/// <param name="Cluster">Where the tasks run.</param>
/// <param name="Definition">The ACTIVE revision they run.</param>
/// <param name="LaunchType">EC2, EXTERNAL or FARGATE (a capacity provider strategy resolved to one).</param>
/// <param name="CapacityProviderName">The capacity provider of the strategy, or null for a launch type.</param>
/// <param name="Network">The awsvpc network configuration, for awsvpc definitions.</param>
/// <param name="Overrides">Container and task overrides, or null.</param>
/// <param name="Count">1 to 10 tasks.</param>
/// <param name="StartedBy">The tag ListTasks filters on, or null.</param>
/// <param name="Group">The task group (by default <c>family:&lt;family&gt;</c>).</param>
/// <param name="Tags">The tasks' tags.</param>
internal sealed record RunTaskSpec(
    ClusterState Cluster,
    TaskDefinitionState Definition,
    string LaunchType,
    string? CapacityProviderName,
    JsonObject? Network,
    TaskOverrides? Overrides,
    int Count,
    string? StartedBy,
    string Group,
    IReadOnlyList<EcsTag> Tags);

/// <summary>What a RunTask call with a <c>clientToken</c> gave, so that the same call again gives it again.</summary>
internal sealed record RunTaskRecord(string Request, DateTimeOffset At, IReadOnlyList<TaskState> Tasks, JsonArray Failures);

// Standalone tasks (RunTask): placed like service tasks, and each container runs the command a
// container override gives it (docs/design/one-off-tasks.md).
internal sealed partial class EcsSimulation
{
    /// <summary>How long a clientToken is remembered (ECS: a retry within hours gives the same tasks).</summary>
    public static readonly TimeSpan ClientTokenRetention = TimeSpan.FromHours(8);

    /// <summary>The most clientTokens remembered at once; the oldest are forgotten first (docs/design/sandbox-memory.md).</summary>
    public const int MaxClientTokens = 1000;

    private readonly Dictionary<string, RunTaskRecord> _clientTokens = new(StringComparer.Ordinal);

    /// <summary>The earlier call with <paramref name="token"/>, if it is still remembered.</summary>
    public RunTaskRecord? RecallRunTask(string token)
    {
        foreach (string old in _clientTokens.Where(t => t.Value.At < Now - ClientTokenRetention).Select(t => t.Key).ToList())
        {
            _clientTokens.Remove(old);
        }
        return _clientTokens.GetValueOrDefault(token);
    }

    /// <summary>Remembers what a call with <paramref name="token"/> gave.</summary>
    public void RememberRunTask(string token, RunTaskRecord record)
    {
        if (_clientTokens.Count >= MaxClientTokens)
        {
            _clientTokens.Remove(_clientTokens.MinBy(t => t.Value.At).Key);
        }
        _clientTokens[token] = record;
    }

    /// <summary>
    /// Places <see cref="RunTaskSpec.Count"/> tasks, one after the other (each one takes its
    /// resources before the next is placed): what does not fit becomes a <c>failures</c> entry
    /// naming the closest container instance and the resource it lacks (RESOURCE:CPU,
    /// RESOURCE:MEMORY, RESOURCE:PORTS), as RunTask answers. A cluster without a container
    /// instance of the kind is an error for the whole call.
    /// </summary>
    public (List<TaskState> Tasks, JsonArray Failures) RunTasks(RunTaskSpec spec)
    {
        TaskRequirements needs = RequirementsOf(spec.Definition, spec.Overrides);
        var tasks = new List<TaskState>();
        var failures = new JsonArray();
        for (int i = 0; i < spec.Count; i++)
        {
            List<TaskState> siblings = spec.Cluster.Tasks.Values.Where(t => t.IsLive && t.Group == spec.Group).ToList();
            TaskState task;
            if (spec.LaunchType == "FARGATE")
            {
                task = CreateTask(spec.Cluster, null, spec.StartedBy, spec.Group, spec.Definition, null, FargateZone(siblings), needs, spec.Network);
            }
            else
            {
                var request = new PlacementRequest(spec.Definition, spec.Group, null, null, spec.LaunchType == "EXTERNAL", ProviderGroup(spec.CapacityProviderName), needs);
                PlacementOutcome outcome = EcsPlacement.Choose(spec.Cluster, request, siblings, _random);
                if (outcome.Instance is not ContainerInstanceState chosen)
                {
                    if (outcome.Closest is not ContainerInstanceState closest)
                    {
                        throw new SandboxException("InvalidParameterException", "No Container Instances were found in your cluster.");
                    }
                    failures.Add(EcsWire.Failure(closest.Arn, FailureReason(outcome.Failure)));
                    continue;
                }
                task = CreateTask(spec.Cluster, null, spec.StartedBy, spec.Group, spec.Definition, chosen, chosen.IsExternal ? null : chosen.Ec2Instance.AvailabilityZone, needs, spec.Network);
            }
            task.Overrides = spec.Overrides;
            task.CapacityProviderName = spec.CapacityProviderName;
            task.Tags.AddRange(spec.Tags.Select(t => new EcsTag { Key = t.Key, Value = t.Value }));
            foreach (ContainerState container in task.Containers)
            {
                container.Program = ContainerProgram.For(spec.Overrides?.CommandOf(container.Name));
            }
            tasks.Add(task);
        }
        return (tasks, failures);
    }

    // The reason RunTask's failures entry gives for the closest instance (docs/design/one-off-tasks.md).
    private static string FailureReason(PlacementFailure? failure) => failure switch
    {
        PlacementFailure.Cpu => "RESOURCE:CPU",
        PlacementFailure.Memory => "RESOURCE:MEMORY",
        PlacementFailure.Ports => "RESOURCE:PORTS",
        PlacementFailure.Agent => "AGENT",
        _ => "ATTRIBUTE",
    };

    // The Auto Scaling group a capacity provider's tasks go to, or null for a launch type.
    private HashSet<string>? ProviderGroup(string? capacityProvider) =>
        capacityProvider is not null && _world.CapacityProviders.TryGetValue(capacityProvider, out AutoScaling.SandboxCapacityProvider? provider)
            ? new HashSet<string>(StringComparer.Ordinal) { provider.GroupName }
            : null;

    // What a one-off task reserves: its definition's numbers, with the ones its overrides name replaced.
    private static TaskRequirements RequirementsOf(TaskDefinitionState definition, TaskOverrides? overrides)
    {
        if (overrides is null)
        {
            return EcsPlacement.Requirements(definition);
        }
        EcsTaskDefinition td = definition.Definition;
        List<EcsContainerDefinition> containers = (td.ContainerDefinitions ?? []).Select(c => new EcsContainerDefinition
        {
            Name = c.Name,
            Cpu = overrides.NumberOf(c.Name ?? string.Empty, "cpu") ?? c.Cpu,
            Memory = overrides.NumberOf(c.Name ?? string.Empty, "memory") ?? c.Memory,
            MemoryReservation = overrides.NumberOf(c.Name ?? string.Empty, "memoryReservation") ?? c.MemoryReservation,
            PortMappings = c.PortMappings,
        }).ToList();
        return TaskRequirements.Of(overrides.Cpu ?? td.Cpu, overrides.Memory ?? td.Memory, definition.NetworkMode, containers);
    }
}
