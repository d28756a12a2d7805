using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Logs;

namespace MightyOps.Core.Logs;

/// <summary>
/// The last lines a failed deployment's containers printed before they exited, for its failure
/// report. The exited containers of up to <see cref="TasksRead"/> stopped tasks are read with one
/// FilterLogEvents per log group; tasks that crashed the same way (the same container, exit code
/// and lines, apart from numbers) are told once, with how many did. When the lines cannot be read
/// (no awslogs, no permission, no log group) the report says so in one line.
/// docs/design/deploy.md ("The failure report") has the rules.
/// </summary>
public sealed partial class CrashOutput(AwsSession aws, IOperationLog log)
{
    /// <summary>How many stopped tasks' exited containers are read.</summary>
    public const int TasksRead = 10;

    /// <summary>How many of the last lines of the most common crash are shown (a long backtrace shortened, <see cref="Excerpt"/>).</summary>
    public const int LinesQuoted = 20;

    /// <summary>How many crashes that differ from the most common one are shown, each by its last <see cref="OtherLinesQuoted"/> lines.</summary>
    public const int OtherCrashesShown = 2;

    /// <summary>How many lines of each other crash are shown.</summary>
    public const int OtherLinesQuoted = 3;

    /// <summary>A run of indented lines (a backtrace's frames) longer than this is shortened to its first and last lines.</summary>
    internal const int RunKept = 6;

    /// <summary>The text to add to the failure report; empty when no task exited with output to show.</summary>
    public async Task<string> DescribeAsync(string cluster, IReadOnlyCollection<EcsTask> stoppedTasks, CancellationToken cancellationToken)
    {
        var exited = stoppedTasks
            .Select(t => (Task: t, Container: (t.Containers ?? []).FirstOrDefault(c => c.ExitCode is int code && code != 0)))
            .Where(x => x.Container?.Name is not null && x.Task.TaskDefinitionArn is not null)
            .Take(TasksRead)
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
            var crashes = new List<Crash>();
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
                    List<string> all = lines.GetValueOrDefault(w.Stream) ?? [];
                    crashes.Add(new Crash(LogReader.TaskId(w.Task), w.Container.Name!, w.Container.ExitCode, group.Key, w.Stream, all.TakeLast(LinesQuoted).ToList()));
                }
            }
            return Describe(crashes);
        }
        catch (MightyOpsException e)
        {
            log.Verbose($"Crash output not read: {e.Message}");
            return $"\nThe crash output could not be read ({e.ErrorId}): {e.Message}";
        }
    }

    /// <summary>One exited container's last lines (at most <see cref="LinesQuoted"/>), as read.</summary>
    internal sealed record Crash(string TaskId, string Container, int? ExitCode, string LogGroup, string Stream, IReadOnlyList<string> Lines)
    {
        /// <summary>What tasks that crashed the same way share: container, exit code and lines, with the numbers and ids in them (times, process ids, addresses, task ids) left out.</summary>
        public string Key => $"{Container}\n{ExitCode}\n{string.Join('\n', Lines.Select(l => NumbersAndIds().Replace(l, "#")))}";
    }

    /// <summary>
    /// The report's crash section: the most common crash once, with how many tasks crashed that
    /// way and its last lines (<see cref="Excerpt"/>); up to <see cref="OtherCrashesShown"/> other
    /// crashes by their last <see cref="OtherLinesQuoted"/> lines. Each line is made visible.
    /// </summary>
    internal static string Describe(IReadOnlyList<Crash> crashes)
    {
        var text = new StringBuilder();
        var groups = crashes.GroupBy(c => c.Key, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToList();
        for (int i = 0; i < groups.Count && i <= OtherCrashesShown; i++)
        {
            List<Crash> same = groups[i].ToList();
            Crash first = same[0];
            string code = first.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
            string how = same.Count == 1 ? string.Empty
                : i == 0 ? $"{same.Count} tasks crashed the same way. "
                : $"{same.Count} tasks crashed another way. ";
            if (first.Lines.Count == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{how}Container {TerminalText.Quote(first.Container)} of task {Short(first.TaskId)} (exit code {code}) wrote nothing to {TerminalText.Quote(first.LogGroup)} {TerminalText.Quote(first.Stream)}.");
                continue;
            }
            IReadOnlyList<string> lines = i == 0 ? first.Lines : first.Lines.TakeLast(OtherLinesQuoted).ToList();
            text.Append(CultureInfo.InvariantCulture, $"\n{how}Last {lines.Count} lines of {TerminalText.Quote(first.Container)} in task {Short(first.TaskId)} (exit code {code}, log group {TerminalText.Quote(first.LogGroup)}):");
            foreach (string line in i == 0 ? Excerpt(lines) : lines.Select(Shown))
            {
                text.Append("\n  ").Append(line);
            }
        }
        if (groups.Count > OtherCrashesShown + 1)
        {
            int more = groups.Skip(OtherCrashesShown + 1).Sum(g => g.Count());
            text.Append(CultureInfo.InvariantCulture, $"\n{more} more {(more == 1 ? "task" : "tasks")} crashed in other ways.");
        }
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="lines"/> as the report shows them: tabs expanded (a tab in a list view or a
    /// wrapped message jumps to wherever the terminal's tab stop is), each line made visible, and
    /// a run of more than <see cref="RunKept"/> indented lines (a backtrace's frames) shortened
    /// (<see cref="ShortenRun"/>).
    /// </summary>
    internal static IReadOnlyList<string> Excerpt(IReadOnlyList<string> lines)
    {
        var shown = lines.Select(Shown).ToList();
        var result = new List<string>(shown.Count);
        int i = 0;
        while (i < shown.Count)
        {
            if (!IsIndented(shown[i]))
            {
                result.Add(shown[i++]);
                continue;
            }
            int end = i;
            while (end < shown.Count && IsIndented(shown[end]))
            {
                end++;
            }
            result.AddRange(ShortenRun(shown.GetRange(i, end - i)));
            i = end;
        }
        return result;
    }

    /// <summary>
    /// A backtrace's frames, at most <see cref="RunKept"/> lines: the frames in installed
    /// libraries (<see cref="LibraryPaths"/>) give way first, each stretch of them to one
    /// "… N more lines", because the application's own frames say where it crashed; when that
    /// is not enough (or nothing looks like a library), the first three frames and the last.
    /// </summary>
    private static List<string> ShortenRun(List<string> run)
    {
        if (run.Count <= RunKept)
        {
            return run;
        }
        string indent = run[0][..(run[0].Length - run[0].TrimStart(' ').Length)];
        var kept = new List<string>();
        var library = new List<string>();
        void Flush()
        {
            // A marker in place of a single line would save nothing.
            kept.AddRange(library.Count == 1 ? library : library.Count > 1 ? [$"{indent}… {library.Count} more lines"] : []);
            library.Clear();
        }
        int own = 0;
        foreach (string line in run)
        {
            if (LibraryPaths.Any(path => line.Contains(path, StringComparison.Ordinal)))
            {
                library.Add(line);
                continue;
            }
            Flush();
            kept.Add(line);
            own++;
        }
        Flush();
        if (own > 0 && kept.Count <= RunKept && kept.Count < run.Count)
        {
            return kept;
        }
        return [.. run.Take(3), $"{indent}… {run.Count - 4} more lines", run[^1]];
    }

    /// <summary>Where installed libraries live, in the paths of Ruby, Python and Node.js backtraces.</summary>
    private static readonly string[] LibraryPaths = ["/gems/", "/site-packages/", "/dist-packages/", "/node_modules/"];

    /// <summary>One line as the report shows it: tabs expanded to stops of 4 columns, shortened, made visible, without trailing blanks.</summary>
    internal static string Shown(string line) => TerminalText.Quote(ExpandTabs(line), TerminalText.LineLength).TrimEnd();

    /// <summary><paramref name="line"/> with each tab replaced by the spaces up to the next column that is a multiple of <paramref name="stop"/>.</summary>
    internal static string ExpandTabs(string line, int stop = 4)
    {
        if (!line.Contains('\t', StringComparison.Ordinal))
        {
            return line;
        }
        var builder = new StringBuilder(line.Length + 8);
        foreach (char c in line)
        {
            if (c == '\t')
            {
                builder.Append(' ', stop - (builder.Length % stop));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static bool IsIndented(string line) => line.Length > 0 && line[0] == ' ' && line.TrimStart(' ').Length > 0;

    private static string Short(string taskId) => taskId.Length > 8 ? taskId[..8] : taskId;

    [GeneratedRegex(@"\b[0-9a-fA-F]{8,}\b|[0-9]+")]
    private static partial Regex NumbersAndIds();
}
