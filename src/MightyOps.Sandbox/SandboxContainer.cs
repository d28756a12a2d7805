using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox;

/// <summary>
/// One container of a simulated task as the host would see it: what <c>docker inspect</c> tells
/// (id, image, state, environment) plus where it belongs in ECS. Tests read the environment to
/// prove that a secret reached the process; the exec test rig reads it by <see cref="RuntimeId"/>.
/// </summary>
public sealed record SandboxContainer
{
    /// <summary>The Docker container id (DescribeTasks <c>containers[].runtimeId</c>); empty until the container is created.</summary>
    public required string RuntimeId { get; init; }

    /// <summary>The container name in the task definition.</summary>
    public required string Name { get; init; }

    /// <summary>The cluster's short name.</summary>
    public required string Cluster { get; init; }

    /// <summary>The service that started the task, or empty.</summary>
    public required string Service { get; init; }

    /// <summary>The task ARN.</summary>
    public required string TaskArn { get; init; }

    /// <summary>The task definition ARN the task runs.</summary>
    public required string TaskDefinitionArn { get; init; }

    /// <summary>The image reference from the task definition.</summary>
    public required string Image { get; init; }

    /// <summary>PENDING, RUNNING or STOPPED.</summary>
    public required string LastStatus { get; init; }

    /// <summary>The exit code once stopped.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The environment the process sees: environment files, then the definition's environment on top.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    internal static SandboxContainer From(TaskState task, ContainerState container) => new()
    {
        RuntimeId = container.RuntimeId ?? string.Empty,
        Name = container.Name,
        Cluster = task.Cluster.Name,
        Service = task.Service?.Name ?? string.Empty,
        TaskArn = task.Arn,
        TaskDefinitionArn = task.TaskDefinition.Arn,
        Image = container.Image,
        LastStatus = container.LastStatus,
        ExitCode = container.ExitCode,
        Environment = new Dictionary<string, string>(container.Environment, StringComparer.Ordinal),
    };
}
