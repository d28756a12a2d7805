using System.Text.Json.Nodes;
using MightyOps.Sandbox.Ecs;
using MightyOps.Sandbox.Logs;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// A sandbox that runs for hours of simulated time keeps only what ECS and CloudWatch would still
/// show, within the sandbox's own caps (docs/design/sandbox-memory.md): counts, never timings.
/// </summary>
public sealed class SandboxMemoryBoundsTests : IAsyncLifetime
{
    private static readonly TimeSpan Round = TimeSpan.FromMinutes(10);

    private SandboxHost _host = null!;

    // The clock all but stands still: the test moves simulated time itself.
    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6, RandomSeed = 11 });

    public async Task DisposeAsync() => await _host.StopAsync();

    [Fact]
    public async Task Twelve_hours_of_deploys_leave_only_the_last_hours_stopped_tasks_100_events_a_service_and_capped_logs()
    {
        using var client = new SignedClient(_host);
        for (int round = 0; round < 72; round++)
        {
            foreach (string service in new[] { "WEB", "API" })
            {
                (int status, _, _) = await client.EcsAsync("UpdateService", $$"""{"cluster":"production","service":"{{service}}","forceNewDeployment":true}""");
                Assert.Equal(200, status);
            }
            _host.AdvanceTime(Round);
            // Reading the logs writes every running container's output up to now.
            Assert.NotEmpty(_host.LogEvents("/mighty/WEB"));
        }

        SandboxFootprint footprint = _host.Footprint();

        Assert.Equal(_host.UtcNow, footprint.SimulatedNow, TimeSpan.FromSeconds(1));
        Assert.True(footprint.StoppedTasks > 0, "the last hour's stopped tasks are still described");
        Assert.True(footprint.OldestStoppedAt >= footprint.SimulatedNow - EcsTimings.StoppedTaskRetention, $"a task stopped at {footprint.OldestStoppedAt:O} is kept at {footprint.SimulatedNow:O}");
        Assert.Equal(EcsTimings.MaxServiceEvents, footprint.MostEventsPerService);
        Assert.True(footprint.Deployments <= 2 * footprint.Services, $"{footprint.Deployments} deployments for {footprint.Services} services");
        Assert.InRange(footprint.LogEvents, 1, LogStore.MaxStoredEvents);
        Assert.InRange(footprint.MostEventsPerStream, 1, LogStore.MaxEventsPerStream);
        // The newest output is what is kept: the latest crash or request line is still readable.
        IReadOnlyList<(string LogStream, DateTimeOffset Timestamp, string Message)> web = _host.LogEvents("/mighty/WEB");
        Assert.True(web[^1].Timestamp > _host.UtcNow - Round, $"the newest WEB line is from {web[^1].Timestamp:O}");
    }

    [Fact]
    public async Task A_follower_of_a_stream_misses_and_repeats_nothing_while_older_events_are_dropped()
    {
        using var client = new SignedClient(_host);
        string stream = LiveStream("/mighty/WEB");
        string? token = null;
        long lastRead = 0;
        long dropped = 0;
        // Enough hours for the sandbox-wide cap to drop events of this stream while it is followed.
        for (int hour = 0; hour < 40; hour++)
        {
            List<string> expected;
            lock (_host.World.Sync)
            {
                LogStreamState state = _host.World.Logs.Groups["/mighty/WEB"].Streams[stream];
                expected = state.Events.Where(e => e.Sequence > lastRead).Select(e => e.Message).ToList();
                lastRead = state.Events[^1].Sequence;
                dropped = state.Dropped;
            }
            var read = new List<string>();
            while (true)
            {
                string from = token is null ? "\"startFromHead\":true" : $"\"nextToken\":\"{token}\"";
                (int status, JsonNode? body, _) = await client.JsonAsync("logs", "Logs_20140328.GetLogEvents",
                    $$"""{"logGroupName":"/mighty/WEB","logStreamName":"{{stream}}","limit":500,{{from}}}""");
                Assert.Equal(200, status);
                read.AddRange(body!["events"]!.AsArray().Select(e => (string)e!["message"]!));
                string next = (string)body["nextForwardToken"]!;
                if (next == token)
                {
                    break;
                }
                token = next;
            }
            Assert.Equal(expected, read);
            _host.AdvanceTime(TimeSpan.FromHours(1));
            _ = _host.LogEvents("/mighty/WEB");
        }

        Assert.True(dropped > 0, "the stream dropped old events while it was followed");
    }

    [Fact]
    public async Task Made_up_operations_do_not_grow_the_request_counts_without_end()
    {
        using var client = new SignedClient(_host);
        for (int i = 0; i < SandboxHost.MaxRequestCountKeys + 200; i++)
        {
            (int status, _, _) = await client.EcsAsync($"MadeUp{i}", "{}");
            Assert.Equal(400, status);
        }
        (int longStatus, _, _) = await client.EcsAsync(new string('X', 5000), "{}");
        Assert.Equal(400, longStatus);

        IReadOnlyDictionary<string, long> counts = _host.RequestCounts;

        Assert.Equal(SandboxHost.MaxRequestCountKeys, counts.Count - 1);
        Assert.Equal(201, counts["ecs.(other)"]);
        Assert.Equal(SandboxHost.MaxRequestCountKeys + 201, counts.Values.Sum());
    }

    private string LiveStream(string group)
    {
        lock (_host.World.Sync)
        {
            _host.World.Logs.CatchUp(_host.UtcNow);
            return _host.World.Ecs.Clusters["production"].Services["WEB"].Tasks
                .Where(t => t.IsRunning)
                .Select(t => LogStore.Location(t.TaskDefinition.Definition.ContainerDefinitions!.First(c => c.Name == "application"), "application", t.Id))
                .OfType<(string Group, string Stream)>()
                .First(l => l.Group == group).Stream;
        }
    }
}
