using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Targeting;

namespace MightyOps.Core.Logs;

/// <summary>
/// Where one container of a service writes: its awslogs group and the stream-name prefix the
/// awslogs driver uses, <c>{awslogs-stream-prefix}/{container}/</c>, followed by the task id
/// (docs/design/awslogs.md). Read from the task definition, never guessed.
/// </summary>
public sealed record LogLocation(string Cluster, string Service, string Container, string LogGroup, string StreamPrefix)
{
    /// <summary>The stream of one task.</summary>
    public string Stream(string taskId) => StreamPrefix + taskId;

    /// <summary>The task id of <paramref name="stream"/> when it is one of this container's streams.</summary>
    public bool TryTaskId(string stream, out string taskId)
    {
        taskId = string.Empty;
        if (!stream.StartsWith(StreamPrefix, StringComparison.Ordinal) || stream.Length == StreamPrefix.Length || stream.IndexOf('/', StreamPrefix.Length) >= 0)
        {
            return false;
        }
        taskId = stream[StreamPrefix.Length..];
        return true;
    }

    /// <summary>
    /// The awslogs locations of a task definition's containers (all, or the one named). A named
    /// container that logs elsewhere is <c>LogDriverNotAwslogs</c>, naming the driver it uses; one
    /// that does not exist is <c>ContainerNotFound</c>. Unnamed containers without awslogs are
    /// left out and listed in <paramref name="skipped"/>.
    /// </summary>
    public static List<LogLocation> From(string cluster, string service, EcsTaskDefinition definition, string? container, List<string> skipped)
    {
        var result = new List<LogLocation>();
        List<EcsContainerDefinition> containers = definition.ContainerDefinitions ?? [];
        string family = $"{definition.Family}:{definition.Revision}";
        if (container is not null && !containers.Any(c => c.Name == container))
        {
            throw new MightyOpsException(TargetingErrorIds.ContainerNotFound,
                $"Service '{service}' ({family}) has no container '{container}'; its containers are {string.Join(", ", containers.Select(c => $"'{c.Name}'"))}.",
                container);
        }
        foreach (EcsContainerDefinition c in containers.Where(c => container is null || c.Name == container))
        {
            EcsLogConfiguration? config = c.LogConfiguration;
            string? group = null;
            string? prefix = null;
            bool awslogs = config?.LogDriver == "awslogs" && config.Options is not null
                && config.Options.TryGetValue("awslogs-group", out group) && !string.IsNullOrEmpty(group)
                && config.Options.TryGetValue("awslogs-stream-prefix", out prefix) && !string.IsNullOrEmpty(prefix);
            if (awslogs)
            {
                result.Add(new LogLocation(cluster, service, c.Name!, group!, $"{prefix}/{c.Name}/"));
                continue;
            }
            string why = config?.LogDriver is null
                ? "has no logConfiguration (Docker's default json-file driver on the container instance)"
                : config.LogDriver != "awslogs"
                    ? $"logs with the '{config.LogDriver}' driver"
                    : string.IsNullOrEmpty(group) ? "uses awslogs without an awslogs-group" : "uses awslogs without an awslogs-stream-prefix, so its streams are named after Docker container ids";
            string sentence = $"Container '{c.Name}' of service '{service}' ({family}) {why}, not awslogs with a stream prefix: Get-MightyLog reads only CloudWatch Logs streams named prefix/container/task-id. Set logDriver 'awslogs' with awslogs-group and awslogs-stream-prefix in its logConfiguration.";
            if (container is not null)
            {
                throw new MightyOpsException(LogsErrorIds.LogDriverNotAwslogs, sentence, container);
            }
            skipped.Add(sentence);
        }
        return result;
    }
}
