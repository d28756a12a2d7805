namespace MightyOps;

/// <summary>
/// One line a container wrote to CloudWatch Logs through the awslogs driver, as Get-MightyLog
/// reports it. Cluster, Service, TaskId and Container bind by property name to the cmdlets that take them.
/// </summary>
public sealed class MightyLogEvent
{
    /// <summary>When the container wrote the line (the event's timestamp).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service's short name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The task id (the last part of the task ARN).</summary>
    public string TaskId { get; init; } = string.Empty;

    /// <summary>The container name in the task definition.</summary>
    public string Container { get; init; } = string.Empty;

    /// <summary>The line, without its line break.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>The CloudWatch Logs group.</summary>
    public string LogGroup { get; init; } = string.Empty;

    /// <summary>The stream: <c>prefix/container/taskId</c>.</summary>
    public string LogStream { get; init; } = string.Empty;

    /// <summary>The first 8 characters of <see cref="TaskId"/>, as the compact view shows it.</summary>
    public string ShortTaskId => TaskId.Length > 8 ? TaskId[..8] : TaskId;

    /// <inheritdoc />
    public override string ToString() => TerminalText.Visible(Message);
}
