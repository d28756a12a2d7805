using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The real AWS CLI against the sandbox's CloudWatch Logs: botocore signs for <c>logs</c>, parses
/// every answer, follows FilterLogEvents' nextToken and reports ResourceNotFoundException; the
/// simulated containers' output is what a Rails/Puma app and a crashing image print.
/// </summary>
public sealed class LogsCliTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    // The clock is all but frozen: nothing is written between the CLI call and the check.
    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });

    public async Task DisposeAsync() => await _host.StopAsync();

    private AwsCliResult Ok(params string[] args) => AwsCli.Ok(_host, args);

    [Fact]
    public void Describe_filter_and_get_the_demo_services_output()
    {
        var stored = _host.LogEvents("/mighty/WEB").Where(e => e.LogStream.StartsWith("application/", StringComparison.Ordinal)).ToList();
        JsonArray streams = Ok("logs", "describe-log-streams", "--log-group-name", "/mighty/WEB", "--log-stream-name-prefix", "application/").Json!["logStreams"]!.AsArray();
        // The two running tasks and those of the release before them (the demo deployed twice).
        Assert.Equal(stored.Select(e => e.LogStream).Distinct().Order(StringComparer.Ordinal), streams.Select(s => (string)s!["logStreamName"]!));
        string stream = (string)streams[0]!["logStreamName"]!;
        Assert.Matches("^application/application/[0-9a-f]{32}$", stream);
        Assert.StartsWith("arn:aws:logs:us-east-1:123456789012:log-group:/mighty/WEB:log-stream:", (string)streams[0]!["arn"]!);

        // The CLI follows every nextToken (pages of 50 here) into one answer.
        JsonArray events = Ok("logs", "filter-log-events", "--log-group-name", "/mighty/WEB", "--log-stream-name-prefix", "application/", "--page-size", "50").Json!["events"]!.AsArray();
        Assert.Equal(stored.Select(e => e.Message), events.Select(e => (string)e!["message"]!));
        Assert.Contains(events, e => ((string)e!["message"]!).Contains("* Listening on http://0.0.0.0:3000", StringComparison.Ordinal));
        Assert.Contains(events, e => ((string)e!["message"]!).Contains("] Completed 200 OK in ", StringComparison.Ordinal));

        JsonArray notFound = Ok("logs", "filter-log-events", "--log-group-name", "/mighty/WEB", "--log-stream-names", stream, "--filter-pattern", "\"Completed 404\"").Json!["events"]!.AsArray();
        Assert.NotEmpty(notFound);
        Assert.All(notFound, e => Assert.Contains("Completed 404", (string)e!["message"]!, StringComparison.Ordinal));

        JsonNode last = Ok("logs", "get-log-events", "--log-group-name", "/mighty/WEB", "--log-stream-name", stream, "--limit", "3").Json!;
        Assert.Equal(
            stored.Where(e => e.LogStream == stream).Select(e => e.Message).TakeLast(3),
            last["events"]!.AsArray().Select(e => (string)e!["message"]!));
        Assert.Matches("^f/[0-9]{56}$", (string)last["nextForwardToken"]!);
        // At the end the forward token comes back unchanged.
        JsonNode after = Ok("logs", "get-log-events", "--log-group-name", "/mighty/WEB", "--log-stream-name", stream, "--next-token", (string)last["nextForwardToken"]!).Json!;
        Assert.Empty(after["events"]!.AsArray());
        Assert.Equal((string)last["nextForwardToken"]!, (string)after["nextForwardToken"]!);
    }

    [Fact]
    public void A_missing_group_is_ResourceNotFoundException_and_delete_log_group_removes_one()
    {
        AwsCliResult missing = AwsCli.Run(_host, "logs", "filter-log-events", "--log-group-name", "/mighty/nope");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("ResourceNotFoundException", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("The specified log group does not exist.", missing.Stderr, StringComparison.Ordinal);

        Ok("logs", "delete-log-group", "--log-group-name", "/mighty/staging-WEB");
        Assert.Empty(_host.LogEvents("/mighty/staging-WEB"));
    }

    [Fact]
    public async Task A_crashing_image_prints_its_own_exception_with_a_backtrace_before_it_exits()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1000 });
        host.PushImage("app", "crash.1");
        host.SetImageCrash("app", "crash.1", "NameError: uninitialized constant PaymentsGateway");
        string image = $"{host.World.RegistryHost}/app:crash.1";
        string definition = "[{\"name\":\"application\",\"image\":\"" + image + "\",\"memory\":128,\"essential\":true,"
            + "\"logConfiguration\":{\"logDriver\":\"awslogs\",\"options\":{\"awslogs-group\":\"/mighty/crash\",\"awslogs-region\":\"us-east-1\",\"awslogs-stream-prefix\":\"ecs\"}}}]";
        AwsCli.Ok(host, "ecs", "register-task-definition", "--family", "crash", "--container-definitions", definition);
        AwsCli.Ok(host, "ecs", "create-service", "--cluster", "production", "--service-name", "crash", "--task-definition", "crash", "--desired-count", "1");
        host.AdvanceTime(TimeSpan.FromMinutes(2));

        JsonArray events = AwsCli.Ok(host, "logs", "filter-log-events", "--log-group-name", "/mighty/crash", "--log-stream-name-prefix", "ecs/application/").Json!["events"]!.AsArray();
        string[] lines = events.Select(e => (string)e!["message"]!).ToArray();
        Assert.Contains(lines, l => l.EndsWith("NameError: uninitialized constant PaymentsGateway", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.StartsWith("\tfrom ", StringComparison.Ordinal)) >= 5, string.Join('\n', lines));
        Assert.DoesNotContain(lines, l => l.Contains("Listening on", StringComparison.Ordinal));
    }
}
