using System.Globalization;
using System.Text;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Logs;

namespace MightyOps.Core.Logs;

/// <summary>
/// The last lines a failed deployment's containers printed before they exited, for its failure
/// report: for up to <see cref="TasksQuoted"/> stopped tasks, the container that exited, read with
/// one FilterLogEvents per log group. When the lines cannot be read (no awslogs, no permission,
/// no log group) the report says so in one line.
/// </summary>
public sealed class CrashOutput(AwsSession aws, IOperationLog log)
{
    public const int TasksQuoted = 2;

    public const int LinesQuoted = 20;

    /// <summary>The text to add to the failure report; empty when no task exited with output to show.</summary>
    public async Task<string> DescribeAsync(string cluster, IReadOnlyCollection<EcsTask> stoppedTasks, CancellationToken cancellationToken)
    {
        var exited = stoppedTasks
            .Select(t => (Task: t, Container: (t.Containers ?? []).FirstOrDefault(c => c.ExitCode is int code && code != 0)))
            .Where(x => x.Container?.Name is not null && x.Task.TaskDefinitionArn is not null)
            .Take(TasksQuoted)
            .ToList();
        if (exited.Count == 0)
        {
            return string.Empty;
        }
        try
        {
            var definitions = new Dictionary<string, EcsTaskDefinition>(StringComparer.Ordinal);
            var wanted = new List<(EcsTask Task, EcsContainer Container, LogLocation Location, string Stream)>();
            foreach ((EcsTask task, EcsContainer? container) in exited)
            {
                if (!definitions.TryGetValue(task.TaskDefinitionArn!, out EcsTaskDefinition? definition))
                {
                    definition = (await aws.Ecs.DescribeTaskDefinitionAsync(task.TaskDefinitionArn!, includeTags: false, cancellationToken).ConfigureAwait(false)).TaskDefinition!;
                    definitions[task.TaskDefinitionArn!] = definition;
                }
                string service = task.Group is { } g && g.StartsWith("service:", StringComparison.Ordinal) ? g["service:".Length..] : string.Empty;
                LogLocation location = LogLocation.From(cluster, service, definition, container!.Name, []).Single();
                string taskId = LogReader.TaskId(task);
                wanted.Add((task, container, location, location.Stream(taskId)));
            }
            var text = new StringBuilder();
            foreach (var group in wanted.GroupBy(w => w.Location.LogGroup, StringComparer.Ordinal))
            {
                long start = group.Min(w => (w.Task.StartedAt ?? w.Task.CreatedAt ?? DateTimeOffset.UtcNow.AddHours(-1)).ToUnixTimeMilliseconds()) - 60_000;
                var lines = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                var request = new FilterLogEventsRequest { LogGroupName = group.Key, LogStreamNames = group.Select(w => w.Stream).Distinct().ToList(), StartTime = Math.Max(0, start) };
                await foreach (FilteredLogEvent e in aws.Logs.FilterLogEventsAsync(request, cancellationToken).ConfigureAwait(false))
                {
                    if (!lines.TryGetValue(e.LogStreamName ?? string.Empty, out List<string>? list))
                    {
                        lines[e.LogStreamName ?? string.Empty] = list = [];
                    }
                    list.Add((e.Message ?? string.Empty).TrimEnd('\r', '\n'));
                }
                foreach (var w in group)
                {
                    List<string> last = lines.GetValueOrDefault(w.Stream) ?? [];
                    string id = LogReader.TaskId(w.Task);
                    string code = w.Container.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
                    if (last.Count == 0)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\nContainer {w.Container.Name} of task {Short(id)} (exit code {code}) wrote nothing to {group.Key} {w.Stream}.");
                        continue;
                    }
                    text.Append(CultureInfo.InvariantCulture, $"\nLast {Math.Min(LinesQuoted, last.Count)} lines of {w.Container.Name} in task {Short(id)} (exit code {code}, {group.Key} {w.Stream}):");
                    foreach (string line in last.TakeLast(LinesQuoted))
                    {
                        text.Append("\n    ").Append(TerminalText.Quote(line, TerminalText.LineLength));
                    }
                }
            }
            return text.ToString();
        }
        catch (MightyOpsException e)
        {
            log.Verbose($"Crash output not read: {e.Message}");
            return $"\nThe crash output could not be read ({e.ErrorId}): {e.Message}";
        }
    }

    private static string Short(string taskId) => taskId.Length > 8 ? taskId[..8] : taskId;
}
