using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Logs;
using MightyOps.Core.Tests.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Logs;

/// <summary>
/// When a CloudWatch Logs read ends (docs/design/awslogs.md): the pages are fed to the real
/// client (signing, retry loop, JSON) from an in-process handler, one row per sequence of pages
/// with the outcome beside it. Page syntax: <c>events/token</c>, events as message names (or a
/// count for FilterLogEvents), token <c>-</c> for none and empty for <c>""</c>.
/// </summary>
public sealed class LogPagingTests
{
    private const long From = 1_700_000_000_000;
    private const long Until = 1_700_000_600_000;

    private static readonly AwsServiceEndpoint Endpoint = new("CloudWatch Logs", "logs", new Uri("http://127.0.0.1:4566/"), "us-east-1", true, "-EndpointUrl");

    [Theory]
    [InlineData("3/-", "3 events in 1 request")]
    [InlineData("2/t1 1/-", "3 events in 2 requests")]
    [InlineData("2/t1 1/", "3 events in 2 requests")]                                   // an empty token ends it too
    [InlineData("0/t1 0/t2 2/-", "2 events in 3 requests")]                             // empty pages that carry a token are followed
    [InlineData("2/t1 0/t2 0/t3 1/t4 0/-", "3 events in 5 requests")]
    [InlineData("0/-", "0 events in 1 request")]
    [InlineData("2/t1 1/t1", "AwsResponseInvalid after 3 events in 2 requests")]        // the same token again: a loop, not more data
    [InlineData("0/t1 0/t1", "AwsResponseInvalid after 0 events in 2 requests")]
    public async Task FilterLogEvents_follows_every_token_and_stops_at_a_loop(string pages, string expected)
    {
        var aws = new CannedAws();
        int n = 0;
        foreach (string page in pages.Split(' '))
        {
            (string events, string? token) = Page(page);
            var list = Enumerable.Range(0, int.Parse(events, System.Globalization.CultureInfo.InvariantCulture)).Select(_ => ++n).ToList();
            aws.Reply(200, FilterPage(list.Select(i => ($"application/application/t{i % 2}", From + i, $"line {i}")), token));
        }
        var request = new FilterLogEventsRequest { LogGroupName = "/mighty/WEB", LogStreamNamePrefix = "application/application/", StartTime = From, EndTime = Until, FilterPattern = "ERROR" };
        var read = new List<FilteredLogEvent>();

        string outcome;
        try
        {
            await foreach (FilteredLogEvent e in Client(aws).FilterLogEventsAsync(request, CancellationToken.None))
            {
                read.Add(e);
            }
            outcome = string.Empty;
        }
        catch (MightyOpsException e)
        {
            outcome = e.ErrorId + " after ";
        }

        Assert.Equal(expected, $"{outcome}{read.Count} events in {aws.Count} request{(aws.Count == 1 ? string.Empty : "s")}");
        Assert.Equal(Enumerable.Range(1, read.Count).Select(i => $"line {i}"), read.Select(e => e.Message));
        // Every page asks for the same group, streams, time range and pattern; only the token moves on.
        List<JsonObject> sent = aws.Seen.Select(Body).ToList();
        Assert.All(sent, body => Assert.Equal(
            $$"""{"logGroupName":"/mighty/WEB","logStreamNamePrefix":"application/application/","startTime":{{From}},"endTime":{{Until}},"filterPattern":"ERROR"}""",
            Without(body, "nextToken")));
        Assert.Equal([null, .. pages.Split(' ').Select(p => Page(p).Token).Take(sent.Count - 1)], sent.Select(b => (string?)b["nextToken"]));
        Assert.Null(request.NextToken);
    }

    [Theory]
    [InlineData(99, "1 events in 100 requests")]       // 99 empty pages, then the page with the event
    [InlineData(100, "0 events in 100 requests")]      // 100 empty pages in a row: given up, quietly
    [InlineData(150, "0 events in 100 requests")]
    public async Task FilterLogEvents_gives_up_after_100_empty_pages_in_a_row(int emptyPages, string expected)
    {
        var aws = new CannedAws();
        for (int i = 1; i <= emptyPages; i++)
        {
            aws.Reply(200, FilterPage([], $"t{i}"));
        }
        aws.Reply(200, FilterPage([("application/application/t1", From, "late")], null));
        var read = new List<FilteredLogEvent>();
        await foreach (FilteredLogEvent e in Client(aws).FilterLogEventsAsync(new FilterLogEventsRequest { LogGroupName = "/mighty/WEB", StartTime = From }, CancellationToken.None))
        {
            read.Add(e);
        }
        Assert.Equal(expected, $"{read.Count} events in {aws.Count} requests");
    }

    /// <summary>
    /// -Tail on a named task: GetLogEvents backward (pages are oldest first within themselves, each
    /// before the last) until enough lines or the backward token comes back unchanged. The
    /// requests: limit, startFromHead, nextToken.
    /// </summary>
    [Theory]
    [InlineData(3, "m8,m9,m10/b1", "m8 m9 m10", "3 false -")]
    [InlineData(5, "m8,m9,m10/b1 m6,m7/b2", "m6 m7 m8 m9 m10", "5 false -; 2 - b1")]
    [InlineData(5, "m2,m3/b1 /b1", "m2 m3", "5 false -; 3 - b1")]                                     // the stream's start: the token stays
    [InlineData(5, "m9/b1 /b2 /b3 m5,m6,m7,m8/b4", "m5 m6 m7 m8 m9", "5 false -; 4 - b1; 4 - b2; 4 - b3")]   // empty pages before it are followed
    [InlineData(2, "m8,m9,m10/b1", "m9 m10", "2 false -")]                                             // more than asked: the newest
    [InlineData(3, "m1/-", "m1", "3 false -")]                                                         // no backward token: the end
    [InlineData(3, "m1/", "m1", "3 false -")]
    [InlineData(3, "/b1 /b1", "", "3 false -; 3 - b1")]                                                // an empty stream
    [InlineData(20_000, "m1/b1 /b1", "m1", "10000 false -; 10000 - b1")]                              // a page holds at most 10,000
    public async Task The_last_lines_are_read_backward_until_enough_or_the_start(int count, string pages, string lines, string requests)
    {
        var aws = new CannedAws();
        foreach (string page in pages.Split(' '))
        {
            (string events, string? token) = Page(page);
            aws.Reply(200, GetPage(events, forward: "f/0", backward: token));
        }

        IReadOnlyList<OutputLogEvent> last = await Client(aws).GetLastEventsAsync("/mighty/WEB", "application/application/t1", count, From, Until, CancellationToken.None);

        Assert.Equal(lines, string.Join(" ", last.Select(e => e.Message)));
        Assert.Equal(requests, Requests(aws));
    }

    [Fact]
    public async Task The_last_lines_give_up_after_100_empty_pages_in_a_row()
    {
        var aws = new CannedAws().Reply(200, GetPage("m50", "f/0", "b0"));
        for (int i = 1; i <= 120; i++)
        {
            aws.Reply(200, GetPage(string.Empty, "f/0", $"b{i}"));
        }
        IReadOnlyList<OutputLogEvent> last = await Client(aws).GetLastEventsAsync("/mighty/WEB", "application/application/t1", 5, null, null, CancellationToken.None);
        Assert.Equal(("m50", 101), (string.Join(" ", last.Select(e => e.Message)), aws.Count));
    }

    /// <summary>Reading forward: startFromHead every time, until the forward token comes back unchanged; empty pages before that are normal.</summary>
    [Theory]
    [InlineData("m1,m2/f1 m3/f2 /f2", "m1 m2 m3", "- true -; - true f1; - true f2")]
    [InlineData("/f1 /f2 m1/f3 /f3", "m1", "- true -; - true f1; - true f2; - true f3")]
    [InlineData("m1,m2/-", "m1 m2", "- true -")]
    [InlineData("m1/", "m1", "- true -")]
    [InlineData("/f1 /f1", "", "- true -; - true f1")]
    public async Task A_stream_is_read_forward_until_the_token_stays(string pages, string lines, string requests)
    {
        var aws = new CannedAws();
        foreach (string page in pages.Split(' '))
        {
            (string events, string? token) = Page(page);
            aws.Reply(200, GetPage(events, forward: token, backward: "b/0"));
        }
        var read = new List<string>();
        await foreach (OutputLogEvent e in Client(aws).GetEventsForwardAsync("/mighty/WEB", "application/application/t1", From, Until, CancellationToken.None))
        {
            read.Add(e.Message!);
        }
        Assert.Equal(lines, string.Join(" ", read));
        Assert.Equal(requests, Requests(aws));
    }

    [Theory]
    [InlineData("s1,s2/n1 s3/-", "s1 s2 s3", null)]
    [InlineData("s1/n1 /n2 s2/-", "s1 s2", null)]
    [InlineData("s1/n1 s2/n1", "", "AwsResponseInvalid")]
    public async Task Log_streams_are_listed_page_by_page(string pages, string streams, string? errorId)
    {
        var aws = new CannedAws();
        foreach (string page in pages.Split(' '))
        {
            (string names, string? token) = Page(page);
            var body = new JsonObject { ["logStreams"] = new JsonArray([.. Names(names).Select(s => (JsonNode)new JsonObject { ["logStreamName"] = s, ["creationTime"] = From })]) };
            if (token is not null)
            {
                body["nextToken"] = token;
            }
            aws.Reply(200, body.ToJsonString());
        }
        string actual;
        try
        {
            actual = string.Join(" ", (await Client(aws).DescribeLogStreamsAsync("/mighty/WEB", "application/", CancellationToken.None)).Select(s => s.LogStreamName));
        }
        catch (MightyOpsException e)
        {
            actual = e.ErrorId;
        }
        Assert.Equal(errorId ?? streams, actual);
        Assert.All(aws.Seen, r => Assert.Equal(50, (int)Body(r)["limit"]!));
    }

    private static LogsClient Client(CannedAws aws) =>
        new(new AwsJsonClient(Endpoint, LogsClient.TargetPrefix, CredentialSource.Static(new AwsCredentialSnapshot("AKIDEXAMPLE", "secret")), new RetryPolicy(delay: (_, _) => Task.CompletedTask), NullOperationLog.Instance, new HttpMessageInvoker(aws)));

    /// <summary><c>events/token</c>: token null for <c>-</c>.</summary>
    private static (string Events, string? Token) Page(string page)
    {
        int slash = page.LastIndexOf('/');
        string token = page[(slash + 1)..];
        return (page[..slash], token == "-" ? null : token);
    }

    private static IEnumerable<string> Names(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A FilterLogEvents answer as the service sends it.</summary>
    internal static string FilterPage(IEnumerable<(string Stream, long Timestamp, string Message)> events, string? token)
    {
        var body = new JsonObject
        {
            ["events"] = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
            {
                ["logStreamName"] = e.Stream,
                ["timestamp"] = e.Timestamp,
                ["message"] = e.Message,
                ["ingestionTime"] = e.Timestamp + 150,
                ["eventId"] = $"3{e.Timestamp}",
            })]),
            ["searchedLogStreams"] = new JsonArray(),
        };
        if (token is not null)
        {
            body["nextToken"] = token;
        }
        return body.ToJsonString();
    }

    private static string GetPage(string events, string? forward, string? backward)
    {
        var body = new JsonObject
        {
            ["events"] = new JsonArray([.. Names(events).Select(m => (JsonNode)new JsonObject { ["timestamp"] = From + int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture), ["message"] = m, ["ingestionTime"] = From })]),
        };
        if (forward is not null)
        {
            body["nextForwardToken"] = forward;
        }
        if (backward is not null)
        {
            body["nextBackwardToken"] = backward;
        }
        return body.ToJsonString();
    }

    /// <summary>Each GetLogEvents request as <c>limit startFromHead nextToken</c> (<c>-</c> when not sent), with the time range checked.</summary>
    private static string Requests(CannedAws aws) => string.Join("; ", aws.Seen.Select(r =>
    {
        JsonObject body = Body(r);
        Assert.Equal("Logs_20140328.GetLogEvents", r.Header("X-Amz-Target"));
        Assert.Equal(("/mighty/WEB", "application/application/t1"), ((string?)body["logGroupName"], (string?)body["logStreamName"]));
        Assert.Equal(body.ContainsKey("startTime") ? (From, Until) : (0, 0), ((long?)body["startTime"] ?? 0, (long?)body["endTime"] ?? 0));
        return $"{body["limit"]?.ToJsonString() ?? "-"} {body["startFromHead"]?.ToJsonString() ?? "-"} {(string?)body["nextToken"] ?? "-"}";
    }));

    private static JsonObject Body(SeenRequest request) => JsonNode.Parse(request.BodyText)!.AsObject();

    private static string Without(JsonObject body, string member)
    {
        var copy = JsonNode.Parse(body.ToJsonString())!.AsObject();
        copy.Remove(member);
        return copy.ToJsonString(new JsonSerializerOptions());
    }
}
