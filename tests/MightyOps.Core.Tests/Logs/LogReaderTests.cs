using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Logs;
using MightyOps.Core.Tests.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Logs;

/// <summary>
/// Get-MightyLog's reader over captured ECS and CloudWatch Logs answers (docs/design/awslogs.md):
/// events of several streams and log groups merged in time order, lines of other services'
/// tasks in a shared group left out, -Tail, and -Follow's polls (the window they ask for, nothing
/// returned twice, a late line still returned). The answers come from an in-process handler
/// through the real clients; the same reads against the sandbox are in Logs.Tests.ps1.
/// </summary>
public sealed class LogReaderTests
{
    private const long T0 = 1_700_000_000_000;
    private const string Account = "arn:aws:ecs:us-east-1:123456789012";

    /// <summary>
    /// What the two groups hold, as FilterLogEvents returns them (oldest first per group):
    /// <c>/mighty/WEB</c> has application's streams (t3 is a task of API, which shares the
    /// container name and group; t4 is a task ECS no longer knows), <c>/mighty/nginx</c> nginx's.
    /// </summary>
    private static readonly (string Group, string Stream, long Ms, string Message)[] Stored =
    [
        ("/mighty/WEB", "application/application/t1", 1000, "a1"),
        ("/mighty/WEB", "application/application/t2", 1000, "a2"),
        ("/mighty/WEB", "application/application/t4", 2000, "old"),
        ("/mighty/WEB", "application/application/t1", 3000, "a3"),
        ("/mighty/WEB", "application/application/t3", 3000, "api"),
        ("/mighty/nginx", "nginx/nginx/t1", 500, "n1"),
        ("/mighty/nginx", "nginx/nginx/t1", 3000, "n2"),
        ("/mighty/nginx", "nginx/nginx/t2", 6000, "n3\r\n"),
    ];

    /// <summary>-Tail, and the lines read: time order across streams and groups; equal times in the order read (group, then page).</summary>
    [Theory]
    [InlineData(null, "n1 a1 a2 old a3 n2 n3")]
    [InlineData(3, "a3 n2 n3")]
    [InlineData(1, "n3")]
    [InlineData(100, "n1 a1 a2 old a3 n2 n3")]
    public async Task Lines_of_several_streams_and_groups_come_out_in_time_order(int? tail, string expected)
    {
        var aws = World((group, _, _) => Stored.Where(s => s.Group == group));
        using AwsSession session = await SessionAsync(aws);
        var reader = new LogReader(session, new RecordingLog());
        var errors = new List<MightyOpsException>();

        LogPlan plan = await reader.PlanAsync([new LogTarget("production", "WEB")], null, errors.Add, CancellationToken.None);
        IReadOnlyList<MightyLogEvent> lines = await reader.ReadAsync(plan, new LogWindow(DateTimeOffset.FromUnixTimeMilliseconds(T0), Tail: tail), errors.Add, CancellationToken.None);

        Assert.Empty(errors);
        Assert.Equal(expected, string.Join(" ", lines.Select(l => l.Message)));
        Assert.All(lines, l => Assert.Equal(("production", "WEB", $"{l.Container}/{l.Container}/{l.TaskId}"), (l.Cluster, l.Service, l.LogStream)));
        // One FilterLogEvents per group from the window's start; one DescribeTasks for every task id seen; each definition described once.
        Assert.Equal(
            ["/mighty/WEB application/application/ " + T0, "/mighty/nginx nginx/nginx/ " + T0],
            aws.Requests("FilterLogEvents").Select(b => $"{b["logGroupName"]} {b["logStreamNamePrefix"]} {b["startTime"]}"));
        Assert.Equal(["t1 t2 t3 t4"], aws.Requests("DescribeTasks").Select(b => string.Join(" ", b["tasks"]!.AsArray().Select(t => (string?)t).Order(StringComparer.Ordinal))));
        Assert.Equal(2, aws.Count("DescribeTaskDefinition"));
    }

    /// <summary>
    /// -Follow: after the first read each poll asks again from the newest line seen less the
    /// overlap, and returns only what it had not returned, in time order, late lines included.
    /// </summary>
    [Fact]
    public async Task Following_asks_from_the_newest_line_less_the_overlap_and_never_repeats_a_line()
    {
        long overlap = (long)LogReader.FollowOverlap.TotalMilliseconds;
        // Poll by poll, what each group holds from then on (a poll sees everything already there).
        var arrivals = new List<(string Group, string Stream, long Ms, string Message)>[]
        {
            [.. Stored],
            [("/mighty/WEB", "application/application/t2", 7000, "a4"), ("/mighty/nginx", "nginx/nginx/t1", 6500, "n4")],
            [("/mighty/WEB", "application/application/t1", 5000, "late"), ("/mighty/WEB", "application/application/t1", 9000, "a5")],
            [],
        };
        var polls = new Dictionary<string, int>(StringComparer.Ordinal);
        var aws = World((group, startTime, _) =>
        {
            int poll = polls[group] = polls.GetValueOrDefault(group) + 1;
            return arrivals.Take(poll).SelectMany(a => a).Where(s => s.Group == group && T0 + s.Ms >= startTime).OrderBy(s => s.Ms);
        });
        using AwsSession session = await SessionAsync(aws);
        var reader = new LogReader(session, new RecordingLog());
        LogPlan plan = await reader.PlanAsync([new LogTarget("production", "WEB")], null, e => throw e, CancellationToken.None);

        var shown = new List<string>();
        DateTimeOffset since = DateTimeOffset.FromUnixTimeMilliseconds(T0).AddHours(-1);
        await foreach (MightyLogEvent line in reader.FollowAsync(plan, new LogWindow(since), TimeSpan.Zero, e => throw e, CancellationToken.None))
        {
            shown.Add(line.Message);
            if (shown.Count == 11)
            {
                break;
            }
        }

        Assert.Equal("n1 a1 a2 old a3 n2 n3 | n4 a4 | late a5", Join(shown, 7, 9));
        Assert.Equal(
            [
                $"/mighty/WEB {since.ToUnixTimeMilliseconds()}", $"/mighty/nginx {since.ToUnixTimeMilliseconds()}",   // the first read: the window
                $"/mighty/WEB {T0 + 6000 - overlap}", $"/mighty/nginx {T0 + 6000 - overlap}",          // newest n3 at 6000
                $"/mighty/WEB {T0 + 7000 - overlap}", $"/mighty/nginx {T0 + 7000 - overlap}",          // newest a4 at 7000
            ],
            aws.Requests("FilterLogEvents").Take(6).Select(b => $"{b["logGroupName"]} {b["startTime"]}"));
    }

    /// <summary>A group that cannot be read is reported; the others are still read.</summary>
    [Fact]
    public async Task A_group_that_cannot_be_read_is_reported_and_the_others_are_read()
    {
        var aws = World((group, _, _) => Stored.Where(s => s.Group == group));
        aws.OnStatus("FilterLogEvents", body => (string?)body["logGroupName"] == "/mighty/nginx"
            ? AnswersByOperation.Error("ResourceNotFoundException", "The specified log group does not exist.")
            : (200, FilterPage(Stored.Where(s => s.Group == "/mighty/WEB"))));
        using AwsSession session = await SessionAsync(aws);
        var reader = new LogReader(session, new RecordingLog());
        var errors = new List<MightyOpsException>();

        LogPlan plan = await reader.PlanAsync([new LogTarget("production", "WEB")], null, errors.Add, CancellationToken.None);
        IReadOnlyList<MightyLogEvent> lines = await reader.ReadAsync(plan, new LogWindow(DateTimeOffset.FromUnixTimeMilliseconds(T0)), errors.Add, CancellationToken.None);

        Assert.Equal("a1 a2 old a3", string.Join(" ", lines.Select(l => l.Message)));
        Assert.Equal(("LogGroupNotFound", "/mighty/nginx"), (Assert.Single(errors).ErrorId, Assert.Single(errors).Target));
    }

    /// <summary>
    /// -Tail on named tasks without -Since: each stream's last lines whatever their age, read
    /// backward; the newest of each task (its containers together); a stream never written to is skipped.
    /// </summary>
    [Fact]
    public async Task The_last_lines_of_named_tasks_are_read_backward_per_stream()
    {
        var aws = World((group, _, _) => Stored.Where(s => s.Group == group));
        aws.OnStatus("GetLogEvents", body =>
        {
            string stream = (string)body["logStreamName"]!;
            // Read backward from the newest; a backward token given is the stream's start (the sandbox's and CloudWatch's rule).
            var lines = body.ContainsKey("nextToken") ? [] : Stored.Where(s => s.Group == (string?)body["logGroupName"] && s.Stream == stream).ToList();
            return lines.Count == 0 && !body.ContainsKey("nextToken")
                ? AnswersByOperation.Error("ResourceNotFoundException", "The specified log stream does not exist.")
                : (200, new JsonObject
                {
                    ["events"] = new JsonArray([.. lines.TakeLast((int)body["limit"]!).Select(s => (JsonNode)new JsonObject { ["timestamp"] = T0 + s.Ms, ["message"] = s.Message, ["ingestionTime"] = T0 + s.Ms })]),
                    ["nextForwardToken"] = "f/1",
                    ["nextBackwardToken"] = "b/0",
                }.ToJsonString());
        });
        using AwsSession session = await SessionAsync(aws);
        var log = new RecordingLog();
        var reader = new LogReader(session, log);
        var errors = new List<MightyOpsException>();

        LogPlan plan = await reader.PlanAsync([new LogTarget("production", "WEB", ["t1", "t4"])], null, errors.Add, CancellationToken.None);
        IReadOnlyList<MightyLogEvent> lines = await reader.ReadAsync(plan, new LogWindow(DateTimeOffset.UnixEpoch, SinceGiven: false, Tail: 2), errors.Add, CancellationToken.None);

        Assert.Empty(errors);
        // t1: n1 a1 a3 n2, its newest two; t4: its one line.
        Assert.Equal("old a3 n2", string.Join(" ", lines.Select(l => $"{l.Message}")));
        Assert.Equal(0, aws.Count("FilterLogEvents"));
        Assert.Equal(
            // t4 wrote one line, fewer than asked: read on backward until the token stays.
            ["/mighty/WEB application/application/t1", "/mighty/WEB application/application/t4", "/mighty/WEB application/application/t4", "/mighty/nginx nginx/nginx/t1", "/mighty/nginx nginx/nginx/t4"],
            aws.Requests("GetLogEvents").Select(b => $"{b["logGroupName"]} {b["logStreamName"]}"));
        Assert.Contains(log.VerboseLines, l => l.StartsWith("/mighty/nginx nginx/nginx/t4: ", StringComparison.Ordinal));
    }

    /// <summary>
    /// The service WEB in cluster production: deployments of WEB:8 (application and nginx, each its
    /// own group) and WEB:7 (application only); tasks t1 and t2 are WEB's, t3 is API's, t4 is
    /// forgotten. FilterLogEvents answers what <paramref name="lines"/> gives for the group,
    /// startTime and prefix asked.
    /// </summary>
    private static AnswersByOperation World(Func<string, long, string?, IEnumerable<(string Group, string Stream, long Ms, string Message)>> lines) =>
        new AnswersByOperation()
            .On("DescribeServices", _ => $$"""
                {"services":[{"serviceArn":"{{Account}}:service/production/WEB","serviceName":"WEB","status":"ACTIVE",
                  "deployments":[{"id":"ecs-svc/2","status":"PRIMARY","taskDefinition":"{{Account}}:task-definition/WEB:8"},
                                 {"id":"ecs-svc/1","status":"ACTIVE","taskDefinition":"{{Account}}:task-definition/WEB:7"}]}],"failures":[]}
                """)
            .On("DescribeTaskDefinition", body => (string)body["taskDefinition"]! switch
            {
                var arn when arn.EndsWith(":8", StringComparison.Ordinal) => Definition(8, ("application", "/mighty/WEB", "application"), ("nginx", "/mighty/nginx", "nginx")),
                _ => Definition(7, ("application", "/mighty/WEB", "application")),
            })
            .On("DescribeTasks", body => $$"""
                {"tasks":[{{string.Join(",", body["tasks"]!.AsArray().Select(t => (string)t!).Where(t => t != "t4").Select(t => $$"""
                    {"taskArn":"{{Account}}:task/production/{{t}}","group":"service:{{(t == "t3" ? "API" : "WEB")}}","taskDefinitionArn":"{{Account}}:task-definition/WEB:8","lastStatus":"RUNNING"}
                    """))}}],"failures":[]}
                """)
            .On("FilterLogEvents", body => FilterPage(lines((string)body["logGroupName"]!, (long)body["startTime"]!, (string?)body["logStreamNamePrefix"])));

    private static string FilterPage(IEnumerable<(string Group, string Stream, long Ms, string Message)> lines) =>
        LogPagingTests.FilterPage(lines.Select(s => (s.Stream, T0 + s.Ms, s.Message)), token: null);

    private static string Definition(int revision, params (string Container, string Group, string Prefix)[] containers) => new JsonObject
    {
        ["taskDefinition"] = new JsonObject
        {
            ["taskDefinitionArn"] = $"{Account}:task-definition/WEB:{revision}",
            ["family"] = "WEB",
            ["revision"] = revision,
            ["status"] = "ACTIVE",
            ["containerDefinitions"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Container,
                ["image"] = $"123456789012.dkr.ecr.us-east-1.amazonaws.com/{c.Container}:master.{revision}",
                ["logConfiguration"] = new JsonObject
                {
                    ["logDriver"] = "awslogs",
                    ["options"] = new JsonObject { ["awslogs-group"] = c.Group, ["awslogs-region"] = "us-east-1", ["awslogs-stream-prefix"] = c.Prefix },
                },
            })]),
        },
    }.ToJsonString();

    private static Task<AwsSession> SessionAsync(AnswersByOperation aws) =>
        AwsSession.CreateAsync(
            new AwsOptions("us-east-1", EndpointUrl: "http://127.0.0.1:4566/") { Credentials = new AwsCredentialSnapshot("AKIDEXAMPLE", "secret") },
            NullOperationLog.Instance,
            new RetryPolicy(delay: (_, _) => Task.CompletedTask),
            new HttpMessageInvoker(aws),
            CancellationToken.None);

    private static string Join(List<string> shown, params int[] cuts)
    {
        var parts = new List<string>();
        int start = 0;
        foreach (int cut in cuts.Append(shown.Count))
        {
            parts.Add(string.Join(" ", shown.Skip(start).Take(cut - start)));
            start = cut;
        }
        return string.Join(" | ", parts);
    }
}
