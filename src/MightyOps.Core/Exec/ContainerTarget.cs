using MightyOps.Core.Targeting;

namespace MightyOps.Core.Exec;

/// <summary>One container of one task on one host: what a command or a session is sent to.</summary>
/// <param name="Task">The task (with its instance's addresses).</param>
/// <param name="Container">The container, with the runtime id <c>docker exec</c> is given.</param>
public sealed record ContainerTarget(MightyTask Task, MightyTaskContainer Container)
{
    /// <summary>
    /// Picks the container to run in from a task: the one named, or the only one. Errors:
    /// <c>ContainerNotFound</c> (names the containers), <c>ContainerNameRequired</c> (several
    /// containers, none named), <c>TaskHasNoEc2Instance</c> (Fargate or external: nothing to SSH
    /// to), <c>ContainerNotRunning</c>.
    /// </summary>
    public static ContainerTarget For(MightyTask task, string? container)
    {
        ArgumentNullException.ThrowIfNull(task);
        string names = string.Join(", ", task.Containers.Select(c => c.Name));
        MightyTaskContainer chosen;
        if (!string.IsNullOrEmpty(container))
        {
            chosen = task.Containers.FirstOrDefault(c => string.Equals(c.Name, container, StringComparison.Ordinal))
                ?? throw new MightyOpsException(
                    TargetingErrorIds.ContainerNotFound,
                    $"Task {task.TaskId} of {Describe(task)} has no container '{container}'. Its containers: {names}.",
                    container);
        }
        else if (task.Containers.Count == 1)
        {
            chosen = task.Containers[0];
        }
        else
        {
            throw new MightyOpsException(
                TargetingErrorIds.ContainerNameRequired,
                $"Task {task.TaskId} of {Describe(task)} has {task.Containers.Count} containers; name one with -Container: {names}.",
                task.TaskId);
        }

        if (string.IsNullOrEmpty(task.Ec2InstanceId))
        {
            string kind = task.LaunchType switch
            {
                "FARGATE" => "a Fargate task",
                "EXTERNAL" => "a task on an external (ECS Anywhere) instance",
                _ => "a task without an EC2 instance",
            };
            throw new MightyOpsException(
                ExecErrorIds.TaskHasNoEc2Instance,
                $"Task {task.TaskId} of {Describe(task)} is {kind}: there is no EC2 host to SSH to. ECS Exec is the route there (the service needs enableExecuteCommand): aws ecs execute-command --cluster {task.Cluster} --task {task.TaskId} --container {chosen.Name} --interactive --command bash",
                task.TaskId);
        }
        if (chosen.LastStatus != "RUNNING" || string.IsNullOrEmpty(chosen.RuntimeId))
        {
            string why = chosen.Reason.Length > 0 ? $" ({TerminalText.Quote(chosen.Reason, TerminalText.LineLength)})" : string.Empty;
            throw new MightyOpsException(
                ExecErrorIds.ContainerNotRunning,
                $"Container '{chosen.Name}' of task {task.TaskId} is {chosen.LastStatus}{why}, not RUNNING. Run Get-MightyTask -Cluster {task.Cluster} -Service {task.Service} for a running task.",
                chosen.Name);
        }
        return new ContainerTarget(task, chosen);
    }

    /// <summary>
    /// The task a session goes to when the user did not choose: a RUNNING task, healthy ones
    /// first, then the oldest (it has survived the longest; the choice is stable between calls).
    /// <c>NoRunningTask</c> when there is none.
    /// </summary>
    public static MightyTask Choose(IReadOnlyList<MightyTask> tasks, string cluster, string service)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return tasks
            .Where(t => t.LastStatus == "RUNNING")
            .OrderBy(t => t.HealthStatus == "HEALTHY" ? 0 : t.HealthStatus == "UNHEALTHY" ? 2 : 1)
            .ThenBy(t => t.StartedAt ?? DateTimeOffset.MaxValue)
            .ThenBy(t => t.TaskId, StringComparer.Ordinal)
            .FirstOrDefault()
            ?? throw NoRunningTask(cluster, service);
    }

    /// <summary>The error for a service with no task in RUNNING state.</summary>
    public static MightyOpsException NoRunningTask(string cluster, string service) =>
        new(
            ExecErrorIds.NoRunningTask,
            $"Service '{service}' in cluster '{cluster}' has no running task. Get-MightyTask -Cluster {cluster} -Service {service} -DesiredStatus STOPPED shows why its tasks stopped.",
            service);

    private static string Describe(MightyTask task) =>
        task.Service.Length > 0 ? $"service '{task.Service}' (cluster '{task.Cluster}')" : $"cluster '{task.Cluster}'";
}
