using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Logs;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests;

/// <summary>
/// The CloudWatch Logs client against the sandbox: paging as the API pages (FilterLogEvents by
/// nextToken; GetLogEvents until the token comes back unchanged, both ways), the same events the
/// sandbox stored, requests valid for botocore's <c>logs</c> model and answers strictly valid for its output shapes.
/// </summary>
public sealed class LogsClientTests
{
    private const string Group = "/mighty/WEB";

    [Fact]
    public async Task Reads_exactly_what_the_containers_wrote_following_every_page()
    {
        // The clock is all but frozen: nothing is written between the reads and the check.
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", CaptureRequests = true, TimeScale = 1e-6 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        CancellationToken ct = CancellationToken.None;

        var stored = host.LogEvents(Group).Where(e => e.LogStream.StartsWith("application/application/", StringComparison.Ordinal)).ToList();
        Assert.True(stored.Count > 2 * LogsApiPageSize, $"the demo's WEB containers wrote {stored.Count} lines");
        host.ResetRequestCounts();

        var filtered = new List<FilteredLogEvent>();
        await foreach (FilteredLogEvent e in aws.Logs.FilterLogEventsAsync(new FilterLogEventsRequest { LogGroupName = Group, LogStreamNamePrefix = "application/application/", StartTime = 0, Limit = LogsApiPageSize }, ct))
        {
            filtered.Add(e);
        }
        Assert.Equal(stored.Select(e => (e.LogStream, e.Timestamp.ToUnixTimeMilliseconds(), e.Message)), filtered.Select(e => (e.LogStreamName!, e.Timestamp, e.Message!)));
        Assert.Equal((stored.Count + LogsApiPageSize - 1) / LogsApiPageSize, host.RequestCounts["logs.FilterLogEvents"]);

        string stream = stored[^1].LogStream;
        var ofStream = stored.Where(e => e.LogStream == stream).Select(e => e.Message).ToList();
        IReadOnlyList<OutputLogEvent> last = await aws.Logs.GetLastEventsAsync(Group, stream, 5, null, null, ct);
        Assert.Equal(ofStream.TakeLast(5), last.Select(e => e.Message));

        // Backward past the start: the whole stream, then the token stops changing.
        IReadOnlyList<OutputLogEvent> all = await aws.Logs.GetLastEventsAsync(Group, stream, 100_000, null, null, ct);
        Assert.Equal(ofStream, all.Select(e => e.Message));

        var forward = new List<string>();
        await foreach (OutputLogEvent e in aws.Logs.GetEventsForwardAsync(Group, stream, null, null, ct))
        {
            forward.Add(e.Message!);
        }
        Assert.Equal(ofStream, forward);

        IReadOnlyList<LogStream> streams = await aws.Logs.DescribeLogStreamsAsync(Group, "application/", ct);
        Assert.Equal(stored.Select(e => e.LogStream).Distinct().Order(StringComparer.Ordinal), streams.Select(s => s.LogStreamName!));

        MightyOpsException missing = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Logs.DescribeLogStreamsAsync("/mighty/nope", null, ct));
        Assert.Equal("LogGroupNotFound", missing.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, missing.Kind);
        Assert.Contains("/mighty/nope", missing.Message, StringComparison.Ordinal);

        var requests = host.CapturedRequests.Where(r => r.Service == "logs").ToList();
        Assert.Equal(["DescribeLogStreams", "FilterLogEvents", "GetLogEvents"], requests.Select(r => r.Operation).Distinct().Order());
        (int exitCode, string output) = await RequestShapeTests.ValidateWithBotocoreAsync(requests);
        Assert.True(exitCode == 0, $"botocore rejected request bodies:\n{output}");
    }

    [Fact]
    public async Task Answers_are_strictly_valid_for_botocore_output_shapes()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 1e-6 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        string stream = host.LogEvents(Group)[^1].LogStream;
        var answers = new List<SandboxCapturedRequest>();
        async Task Raw<TRequest>(string operation, TRequest request)
        {
            RawAnswer body = await aws.Logs.Json.InvokeAsync<TRequest, RawAnswer>(operation, request, null, CancellationToken.None);
            answers.Add(new SandboxCapturedRequest("logs", operation, JsonSerializer.Serialize(body.Members)));
        }

        await Raw("FilterLogEvents", new FilterLogEventsRequest { LogGroupName = Group, Limit = 3 });
        await Raw("FilterLogEvents", new FilterLogEventsRequest { LogGroupName = Group, LogStreamNames = [stream], FilterPattern = "\"Completed 404\"" });
        await Raw("GetLogEvents", new GetLogEventsRequest { LogGroupName = Group, LogStreamName = stream, Limit = 2 });
        await Raw("DescribeLogStreams", new DescribeLogStreamsRequest { LogGroupName = Group, Limit = 1 });

        Assert.Contains("nextToken", answers[0].Body, StringComparison.Ordinal);
        (int exitCode, string output) = await RequestShapeTests.ValidateWithBotocoreAsync(answers, "validate_responses.py");
        Assert.True(exitCode == 0, $"botocore's output shapes reject sandbox answers:\n{output}");

        // The check can fail: a mis-cased member and a string where a long belongs.
        (int bad, string why) = await RequestShapeTests.ValidateWithBotocoreAsync(
            [new SandboxCapturedRequest("logs", "GetLogEvents", """{"events":[{"Timestamp":1,"message":"x","ingestionTime":"2"}]}""")], "validate_responses.py");
        Assert.Equal(1, bad);
        Assert.Contains("Timestamp: no such member", why, StringComparison.Ordinal);
        Assert.Contains("ingestionTime: expected an integer", why, StringComparison.Ordinal);
    }

    [Fact]
    public void AWS_ENDPOINT_URL_LOGS_and_the_SDKs_CLOUDWATCH_LOGS_name_point_Logs_elsewhere()
    {
        var env = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_LOGS"] = "http://127.0.0.1:7777", ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1111" };
        AwsServiceEndpoint logs = EndpointResolver.Resolve("logs", "us-east-1", null, n => env.GetValueOrDefault(n));
        Assert.Equal(new Uri("http://127.0.0.1:7777/"), logs.Url);
        Assert.Equal("AWS_ENDPOINT_URL_LOGS", logs.Source);
        Assert.Equal("logs", logs.SigningName);
        Assert.Equal(new Uri("http://127.0.0.1:1111/"), EndpointResolver.Resolve("ecs", "us-east-1", null, n => env.GetValueOrDefault(n)).Url);

        env = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = "http://127.0.0.1:8888" };
        Assert.Equal("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", EndpointResolver.Resolve("logs", "us-east-1", null, n => env.GetValueOrDefault(n)).Source);
        Assert.Equal(new Uri("https://logs.eu-west-1.amazonaws.com/"), EndpointResolver.Resolve("logs", "eu-west-1", null, _ => null).Url);
    }

    /// <summary>An answer as it came, every member kept.</summary>
    private sealed class RawAnswer
    {
        [System.Text.Json.Serialization.JsonExtensionData]
        public Dictionary<string, JsonElement>? Members { get; set; }
    }

    // Events per FilterLogEvents page asked for (limit), so that the reads take several pages.
    private const int LogsApiPageSize = 100;
}
