using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Logs;
using MightyOps.Core.Config;
using MightyOps.Core.Logs;
using Xunit;

namespace MightyOps.Core.Tests.Logs;

/// <summary>
/// Where a service's containers write, read from their task definitions (docs/design/awslogs.md,
/// "Where a container's output is"), and the FilterLogEvents reads planned from that: one row per
/// case, the container's logConfiguration as DescribeTaskDefinition returns it, the expectation beside it.
/// </summary>
public sealed class LogPlanTests
{
    /// <summary>
    /// The logConfiguration of container <c>application</c> (JSON, or <c>null</c>), and what the plan
    /// makes of it: <c>group prefix</c>, or <c>skipped: …</c> with the reason's words.
    /// </summary>
    [Theory]
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/WEB","awslogs-region":"us-east-1","awslogs-stream-prefix":"application"}}""", "/mighty/WEB application/application/")]
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/production","awslogs-stream-prefix":"ecs","awslogs-create-group":"true","mode":"non-blocking","max-buffer-size":"25m"}}""", "/ecs/production ecs/application/")]
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/WEB","awslogs-stream-prefix":"web/v2"}}""", "/mighty/WEB web/v2/application/")]   // a prefix may hold slashes
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/{service}","awslogs-stream-prefix":"{container}"}}""", "/mighty/{service} {container}/application/")]   // registered outside MightyOps: read as it is, never guessed
    [InlineData("null", "skipped: has no logConfiguration (Docker's default json-file driver on the container instance)")]
    [InlineData("""{"logDriver":"splunk","options":{"splunk-url":"https://splunk.example.com:8088"}}""", "skipped: logs with the 'splunk' driver")]
    [InlineData("""{"logDriver":"awsfirelens"}""", "skipped: logs with the 'awsfirelens' driver")]
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/WEB"}}""", "skipped: uses awslogs without an awslogs-stream-prefix, so its streams are named after Docker container ids")]
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/WEB","awslogs-stream-prefix":""}}""", "skipped: uses awslogs without an awslogs-stream-prefix")]
    [InlineData("""{"logDriver":"awslogs","options":{"awslogs-stream-prefix":"application"}}""", "skipped: uses awslogs without an awslogs-group")]
    [InlineData("""{"logDriver":"awslogs"}""", "skipped: uses awslogs without an awslogs-group")]
    public void A_containers_log_location_comes_from_its_awslogs_options(string logConfiguration, string expected)
    {
        EcsTaskDefinition definition = Definition(("application", logConfiguration));
        var skipped = new List<string>();

        List<LogLocation> locations = LogLocation.From("production", "WEB", definition, null, skipped);

        string actual = locations.Count == 1
            ? $"{locations[0].LogGroup} {locations[0].StreamPrefix}"
            : "skipped: " + Assert.Single(skipped);
        if (expected.StartsWith("skipped: ", StringComparison.Ordinal))
        {
            Assert.Empty(locations);
            Assert.StartsWith($"skipped: Container 'application' of service 'WEB' (WEB:7) {expected["skipped: ".Length..]}", actual, StringComparison.Ordinal);
            Assert.EndsWith("Set logDriver 'awslogs' with awslogs-group and awslogs-stream-prefix in its logConfiguration.", actual, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, actual);
            Assert.Empty(skipped);
            Assert.Equal(("production", "WEB", "application"), (locations[0].Cluster, locations[0].Service, locations[0].Container));
        }
    }

    /// <summary>mighty.psd1's placeholders are filled in when the definition is rendered; the plan reads the result.</summary>
    [Theory]
    [InlineData("/mighty/{service}", "{container}", "WEB", "nginx", "/mighty/WEB nginx/nginx/")]
    [InlineData("/ecs/{service}/{container}", "ecs", "api_v2", "puma", "/ecs/api_v2/puma ecs/puma/")]
    public void Placeholders_rendered_from_the_config_are_what_the_plan_reads(string group, string prefix, string service, string container, string expected)
    {
        LogSettings settings = new LogSettings("awslogs", new Dictionary<string, string> { ["awslogs-group"] = group, ["awslogs-stream-prefix"] = prefix }).ForContainer(service, container);
        string configuration = JsonSerializer.Serialize(new EcsLogConfiguration { LogDriver = settings.LogDriver, Options = settings.Options.ToDictionary() }, AwsJson.Options);

        LogLocation location = Assert.Single(LogLocation.From("production", service, Definition((container, configuration)), null, []));

        Assert.Equal(expected, $"{location.LogGroup} {location.StreamPrefix}");
    }

    /// <summary>A named container must log to awslogs; the others of the definition are left out with a note.</summary>
    [Theory]
    [InlineData(null, "application", "skipped nginx")]
    [InlineData("application", "application", "")]
    [InlineData("nginx", "LogDriverNotAwslogs", "")]
    [InlineData("sidekiq", "ContainerNotFound", "")]
    [InlineData("Application", "ContainerNotFound", "")]
    public void A_named_container_is_read_or_refused(string? container, string expected, string notes)
    {
        EcsTaskDefinition definition = Definition(
            ("application", """{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/WEB","awslogs-stream-prefix":"application"}}"""),
            ("nginx", """{"logDriver":"json-file"}"""));
        var skipped = new List<string>();
        string actual;
        try
        {
            actual = string.Join(" ", LogLocation.From("production", "WEB", definition, container, skipped).Select(l => l.Container));
        }
        catch (MightyOpsException e)
        {
            actual = e.ErrorId;
            Assert.Equal(container, e.Target);
        }
        Assert.Equal(expected, actual);
        Assert.Equal(notes, string.Join(" ", skipped.Select(s => "skipped " + s.Split('\'')[1])));
    }

    /// <summary>A stream belongs to a location when it is the location's prefix and one more name without a slash: the task id.</summary>
    [Theory]
    [InlineData("application/application/0f2a9c7e5b3d4e1f8a6b2c9d0e7f1a3b", "0f2a9c7e5b3d4e1f8a6b2c9d0e7f1a3b")]
    [InlineData("application/application/", null)]                       // no task id
    [InlineData("application/application/0f2a/extra", null)]             // deeper than a task's stream
    [InlineData("application/nginx/0f2a9c7e", null)]                     // another container
    [InlineData("Application/application/0f2a9c7e", null)]               // names are exact
    [InlineData("application/application", null)]
    [InlineData("4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c", null)]                // awslogs without a prefix: a Docker id
    public void A_stream_name_gives_the_task_id(string stream, string? taskId)
    {
        var location = new LogLocation("production", "WEB", "application", "/mighty/WEB", "application/application/");
        Assert.Equal(taskId, location.TryTaskId(stream, out string id) ? id : null);
        if (taskId is not null)
        {
            Assert.Equal(stream, location.Stream(taskId));
        }
    }

    /// <summary>
    /// The targets' locations (<c>service:container:group:prefix</c>, | between them; a service
    /// with <c>=t1,t2</c> names its tasks), and the reads planned: one per log group and kind, with
    /// the longest common stream-name prefix for whole services, the stream names for named tasks.
    /// </summary>
    [Theory]
    [InlineData("WEB:application:/mighty/WEB:application/application/", "/mighty/WEB prefix application/application/")]
    [InlineData("WEB:application:/mighty/WEB:web/application/|WEB:nginx:/mighty/WEB:web/nginx/", "/mighty/WEB prefix web/")]
    [InlineData("WEB:application:/ecs/production:ecs/application/|API:api:/ecs/production:ecs/api/", "/ecs/production prefix ecs/ap")]   // two services, one group
    [InlineData("WEB:application:/mighty/WEB:application/application/|WEB:nginx:/mighty/WEB:nginx/nginx/", "/mighty/WEB every stream")]   // nothing in common
    [InlineData("WEB:application:/mighty/WEB:application/application/|WEB:nginx:/mighty/nginx:nginx/nginx/", "/mighty/WEB prefix application/application/; /mighty/nginx prefix nginx/nginx/")]
    [InlineData("WEB=t1,t2:application:/mighty/WEB:application/application/", "/mighty/WEB streams application/application/t1 application/application/t2")]
    [InlineData("WEB=t1:application:/mighty/WEB:application/application/|WEB=t1:nginx:/mighty/WEB:nginx/nginx/", "/mighty/WEB streams application/application/t1 nginx/nginx/t1")]
    [InlineData("WEB=t1:application:/mighty/WEB:application/application/|API:api:/mighty/WEB:api/api/", "/mighty/WEB streams application/application/t1; /mighty/WEB prefix api/api/")]   // named and whole: two reads
    public void Reads_are_planned_one_per_log_group(string targets, string expected)
    {
        LogPlan plan = Plan(targets);
        string actual = string.Join("; ", plan.Queries().Select(q =>
            q.StreamNames is { } names ? $"{q.LogGroup} streams {string.Join(" ", names)}"
            : q.StreamPrefix is { } prefix ? $"{q.LogGroup} prefix {prefix}"
            : $"{q.LogGroup} every stream"));
        Assert.Equal(expected, actual);
        Assert.False(plan.IsEmpty);
    }

    [Theory]
    [InlineData(1, "1")]
    [InlineData(100, "100")]
    [InlineData(101, "100 1")]                                // at most 100 streams per FilterLogEvents
    [InlineData(250, "100 100 50")]
    public void Named_streams_are_read_100_per_call(int tasks, string batches)
    {
        LogPlan plan = Plan($"WEB={string.Join(",", Enumerable.Range(1, tasks).Select(i => $"t{i}"))}:application:/mighty/WEB:application/application/");
        var requests = Assert.Single(plan.Queries()).Requests(1_700_000_000_000, "ERROR").ToList();
        Assert.Equal(batches, string.Join(" ", requests.Select(r => r.LogStreamNames!.Count)));
        Assert.All(requests, r => Assert.Equal(("/mighty/WEB", 1_700_000_000_000L, "ERROR", (string?)null), (r.LogGroupName, r.StartTime!.Value, r.FilterPattern, r.LogStreamNamePrefix)));
        Assert.Equal(Enumerable.Range(1, tasks).Select(i => $"application/application/t{i}"), requests.SelectMany(r => r.LogStreamNames!));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]                                    // no pattern is sent, not an empty one
    [InlineData("\"Completed 500\"", "\"Completed 500\"")]
    public void A_whole_service_is_one_request_with_its_prefix(string? pattern, string? sent)
    {
        FilterLogEventsRequest request = Assert.Single(Assert.Single(Plan("WEB:application:/mighty/WEB:application/application/").Queries()).Requests(42, pattern));
        Assert.Equal(("/mighty/WEB", "application/application/", 42L, sent), (request.LogGroupName, request.LogStreamNamePrefix, request.StartTime!.Value, request.FilterPattern));
        Assert.Null(request.LogStreamNames);
    }

    /// <summary>
    /// Which lines of a shared group are the service's: the stream (under which location), and
    /// what DescribeTasks said of its task (<c>-</c>: not asked yet; <c>gone</c>: ECS forgot it;
    /// empty: a task of no service), and whose event it is.
    /// </summary>
    [Theory]
    [InlineData("ecs/application/t1", "-", "WEB application t1")]
    [InlineData("ecs/application/t1", "WEB", "WEB application t1")]
    [InlineData("ecs/application/t1", "API", null)]                   // another service's task with the same container name
    [InlineData("ecs/application/t1", "gone", "WEB application t1")]   // stopped long ago: stays where it was found
    [InlineData("ecs/application/t1", "", null)]                       // a one-off task, not the service's
    [InlineData("ecs/api/t1", "-", "API api t1")]
    [InlineData("ecs/worker/t1", "-", null)]                           // nobody's location
    public void A_line_of_a_shared_group_goes_to_the_service_its_task_belongs_to(string stream, string describedService, string? expected)
    {
        LogQuery query = Assert.Single(Plan("WEB:application:/ecs/production:ecs/application/|API:api:/ecs/production:ecs/api/").Queries());
        var taskService = new Dictionary<(string Cluster, string TaskId), string?>();
        if (describedService != "-")
        {
            taskService[("production", "t1")] = describedService == "gone" ? null : describedService;
        }

        MightyLogEvent? line = query.ToEvent(stream, 1_700_000_000_123, "Started GET \"/\"\r\n", taskService);

        Assert.Equal(expected, line is null ? null : $"{line.Service} {line.Container} {line.TaskId}");
        if (line is not null)
        {
            Assert.Equal(("Started GET \"/\"", "/ecs/production", stream, "production"), (line.Message, line.LogGroup, line.LogStream, line.Cluster));
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), line.Timestamp);
        }
    }

    [Theory]
    [InlineData("application/application/t1", "t1", "WEB")]
    [InlineData("application/application/t9", null, null)]            // a named read keeps to the tasks named
    public void A_line_of_a_named_read_belongs_to_the_task_named(string stream, string? taskId, string? service)
    {
        LogQuery query = Assert.Single(Plan("WEB=t1:application:/mighty/WEB:application/application/").Queries());
        MightyLogEvent? line = query.ToEvent(stream, 0, "x", new Dictionary<(string, string), string?>());
        Assert.Equal((taskId, service), (line?.TaskId, line?.Service));
    }

    private static LogPlan Plan(string targets)
    {
        var plan = new LogPlan();
        foreach (var target in targets.Split('|').Select(t => t.Split(':')).GroupBy(f => f[0], StringComparer.Ordinal))
        {
            string[] name = target.Key.Split('=');
            var locations = target.Select(f => new LogLocation("production", name[0], f[1], f[2], f[3])).ToList();
            plan.Add(new LogTarget("production", name[0], name.Length > 1 ? name[1].Split(',') : null), locations);
        }
        return plan;
    }

    /// <summary>A task definition as DescribeTaskDefinition returns it, with these containers' logConfigurations.</summary>
    private static EcsTaskDefinition Definition(params (string Name, string LogConfiguration)[] containers)
    {
        string json = $$"""
            {
              "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/WEB:7",
              "family": "WEB",
              "revision": 7,
              "status": "ACTIVE",
              "containerDefinitions": [{{string.Join(",", containers.Select(c => $$"""{"name":"{{c.Name}}","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.5","essential":true,"logConfiguration":{{c.LogConfiguration}}}"""))}}]
            }
            """;
        return JsonSerializer.Deserialize<EcsTaskDefinition>(json, AwsJson.Options)!;
    }
}
