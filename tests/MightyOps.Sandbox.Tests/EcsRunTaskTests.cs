using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Sandbox.Ecs;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// RunTask and StopTask against the demo cluster, called directly: the request checks ECS makes,
/// placement and its <c>failures</c>, and tasks that run a command and stop with its exit code,
/// their output in the container's awslogs stream (docs/design/one-off-tasks.md).
/// </summary>
public sealed class EcsRunTaskTests
{
    private const string Cluster = "production";

    private readonly EcsTestWorld _t = new(demo: true);

    private JsonObject Run(string command, string definition = "WEB", string container = "application", string extra = "")
    {
        JsonNode answer = _t.Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"{{{definition}}}","startedBy":"mightyops",
             "overrides":{"containerOverrides":[{"name":"{{{container}}}","command":["sh","-c",{{{JsonSerializer.Serialize(command)}}}]}]}{{{extra}}}}
            """);
        Assert.Empty(answer["failures"]!.AsArray());
        return answer["tasks"]![0]!.AsObject();
    }

    private JsonObject Describe(JsonObject task) =>
        _t.Call("DescribeTasks", new JsonObject { ["cluster"] = Cluster, ["tasks"] = new JsonArray((string)task["taskArn"]!) })["tasks"]![0]!.AsObject();

    private JsonObject Container(JsonObject task, string name) =>
        task["containers"]!.AsArray().Single(c => (string?)c!["name"] == name)!.AsObject();

    private List<string> LogLines(string group, string stream)
    {
        lock (_t.World.Sync)
        {
            _t.World.Logs.CatchUp(_t.World.Clock.UtcNow);
            return _t.World.Logs.Groups.TryGetValue(group, out var g) && g.Streams.TryGetValue(stream, out var s)
                ? s.Events.Select(e => e.Message).ToList()
                : [];
        }
    }

    private JsonObject RunToEnd(JsonObject started, TimeSpan? limit = null)
    {
        _t.RunUntil(() => (string?)Describe(started)["lastStatus"] == "STOPPED", limit ?? TimeSpan.FromMinutes(2));
        return Describe(started);
    }

    [Fact]
    public void A_migration_runs_once_prints_its_lines_and_stops_with_exit_code_0()
    {
        JsonObject started = Run("bin/rails db:migrate");
        Assert.Equal("PENDING", (string?)started["lastStatus"]);
        Assert.Equal("RUNNING", (string?)started["desiredStatus"]);
        Assert.Equal("mightyops", (string?)started["startedBy"]);
        Assert.Equal("family:WEB", (string?)started["group"]);
        string id = ((string)started["taskArn"]!).Split('/')[^1];

        _t.RunUntil(() => (string?)Describe(started)["lastStatus"] == "RUNNING", TimeSpan.FromMinutes(1));
        JsonObject stopped = RunToEnd(started);

        Assert.Equal("EssentialContainerExited", (string?)stopped["stopCode"]);
        Assert.Equal("Essential container in task exited", (string?)stopped["stoppedReason"]);
        Assert.Equal(0, (int)Container(stopped, "application")["exitCode"]!);
        Assert.Equal(0, (int)Container(stopped, "nginx")["exitCode"]!);
        Assert.Equal(["sh", "-c", "bin/rails db:migrate"], stopped["overrides"]!["containerOverrides"]!.AsArray()
            .Single(o => (string?)o!["name"] == "application")!["command"]!.AsArray().Select(w => (string)w!));
        List<string> lines = LogLines("/mighty/WEB", $"application/application/{id}");
        Assert.Contains(lines, l => l.StartsWith("== 20261128093012 AddIndexToOrdersCreatedAt: migrated", StringComparison.Ordinal));
        Assert.Equal(8, lines.Count);
        // The service was not touched: a standalone task is no service's.
        Assert.DoesNotContain(_t.Tasks(Cluster, "WEB"), t => (string?)t["taskArn"] == (string?)started["taskArn"]);
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("echo starting; exit 42", 42)]
    [InlineData("bin/rails runner 'puts 1' && exit 0", 0)]
    public void A_command_that_exits_n_stops_its_task_with_exit_code_n(string command, int exitCode)
    {
        JsonObject stopped = RunToEnd(Run(command, "API"));
        Assert.Equal(exitCode, (int)Container(stopped, "application")["exitCode"]!);
        Assert.Equal("EssentialContainerExited", (string?)stopped["stopCode"]);
    }

    [Fact]
    public void Sleep_runs_its_simulated_seconds_and_stop_task_ends_it_early()
    {
        JsonObject long1 = Run("sleep 600", "API");
        JsonObject long2 = Run("sleep 600", "API");
        _t.AdvanceSeconds(300);
        Assert.Equal("RUNNING", (string?)Describe(long1)["lastStatus"]);
        JsonNode stopping = _t.Call("StopTask", $$$"""{"cluster":"{{{Cluster}}}","task":"{{{(string)long2["taskArn"]!}}}","reason":"Stopped by Stop-MightyTask"}""");
        Assert.Equal("STOPPED", (string?)stopping["task"]!["desiredStatus"]);
        JsonObject stopped = RunToEnd(long2);
        Assert.Equal("UserInitiated", (string?)stopped["stopCode"]);
        Assert.Equal("Stopped by Stop-MightyTask", (string?)stopped["stoppedReason"]);
        Assert.Equal("RUNNING", (string?)Describe(long1)["lastStatus"]);
        _t.AdvanceSeconds(300);
        JsonObject ended = Describe(long1);
        Assert.Equal(("STOPPED", "EssentialContainerExited", 0), ((string?)ended["lastStatus"], (string?)ended["stopCode"], (int)Container(ended, "application")["exitCode"]!));
    }

    [Fact]
    public void A_failing_image_crashes_a_command_that_loads_the_application_but_runs_sleep()
    {
        JsonObject broken = _t.Call("RegisterTaskDefinition", """
            {"family":"API","executionRoleArn":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole","containerDefinitions":[
              {"name":"application","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:broken.1","memoryReservation":512,"cpu":256,
               "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/mighty/API","awslogs-region":"us-east-1","awslogs-stream-prefix":"application"}}}]}
            """)["taskDefinition"]!.AsObject();
        string arn = (string)broken["taskDefinitionArn"]!;

        JsonObject migration = RunToEnd(Run("bin/rails db:migrate", arn));
        Assert.Equal(1, (int)Container(migration, "application")["exitCode"]!);
        string id = ((string)migration["taskArn"]!).Split('/')[^1];
        Assert.Contains(LogLines("/mighty/API", $"application/application/{id}"), l => l.Contains("ActiveRecord::ConnectionNotEstablished", StringComparison.Ordinal));

        JsonObject shell = Run("sleep 3600", arn);
        _t.AdvanceSeconds(120);
        JsonObject running = Describe(shell);
        Assert.Equal("RUNNING", (string?)running["lastStatus"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)Container(running, "application")["runtimeId"]);
    }

    [Fact]
    public void The_container_sees_the_definitions_environment_file_then_the_override_environment()
    {
        var bucket = new SandboxBucket { Name = "secrets" };
        byte[] file = Encoding.UTF8.GetBytes("DATABASE_URL=postgres://secret@db/app\nRAILS_ENV=staging\n");
        bucket.Objects["app.env"] = new SandboxObject { Key = "app.env", Content = file, ETag = "\"x\"" };
        _t.World.Buckets["secrets"] = bucket;
        JsonObject definition = _t.Call("RegisterTaskDefinition", """
            {"family":"API","executionRoleArn":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole","containerDefinitions":[
              {"name":"application","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.4","memoryReservation":512,"cpu":256,
               "environment":[{"name":"RAILS_ENV","value":"production"},{"name":"WEB_CONCURRENCY","value":"2"}],
               "environmentFiles":[{"value":"arn:aws:s3:::secrets/app.env","type":"s3"}]}]}
            """)["taskDefinition"]!.AsObject();
        JsonObject task = _t.Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"{{{(string)definition["taskDefinitionArn"]!}}}",
             "overrides":{"containerOverrides":[{"name":"application","command":["sleep","60"],"environment":[{"name":"WEB_CONCURRENCY","value":"1"},{"name":"ONE_OFF","value":"yes"}]}]}}
            """)["tasks"]![0]!.AsObject();
        _t.AdvanceSeconds(30);
        SandboxContainer container = Containers().Single(c => c.TaskArn == (string?)task["taskArn"]);

        Assert.Equal("postgres://secret@db/app", container.Environment["DATABASE_URL"]);
        Assert.Equal("production", container.Environment["RAILS_ENV"]);
        Assert.Equal("1", container.Environment["WEB_CONCURRENCY"]);
        Assert.Equal("yes", container.Environment["ONE_OFF"]);
        Assert.Equal("RUNNING", container.LastStatus);
    }

    private List<SandboxContainer> Containers()
    {
        lock (_t.World.Sync)
        {
            _t.World.Ecs.AdvanceTo(_t.World.Clock.UtcNow);
            return _t.World.Ecs.Clusters[Cluster].Tasks.Values.SelectMany(t => t.Containers.Select(c => SandboxContainer.From(t, c))).ToList();
        }
    }

    [Fact]
    public void What_does_not_fit_is_a_failures_entry_naming_the_closest_instance_and_the_resource()
    {
        JsonNode answer = _t.Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"API","count":2,
             "overrides":{"containerOverrides":[{"name":"application","memoryReservation":5000}]}}
            """);
        // The web group's m5.large instances have 7,680 MiB: one 5,000 MiB task fits on each of two of them.
        Assert.Equal(2, answer["tasks"]!.AsArray().Count);

        JsonNode full = _t.Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"API","count":3,"overrides":{"memory":"20000"}}
            """);
        Assert.Empty(full["tasks"]!.AsArray());
        JsonArray failures = full["failures"]!.AsArray();
        Assert.Equal(3, failures.Count);
        Assert.All(failures, f =>
        {
            Assert.Equal("RESOURCE:MEMORY", (string?)f!["reason"]);
            Assert.Matches("^arn:aws:ecs:us-east-1:123456789012:container-instance/production/[0-9a-f]{32}$", (string?)f["arn"]);
        });

        JsonNode cpu = _t.Call("RunTask", $$$"""{"cluster":"{{{Cluster}}}","taskDefinition":"API","overrides":{"cpu":"8192"}}""");
        Assert.Equal("RESOURCE:CPU", (string?)cpu["failures"]![0]!["reason"]);
    }

    [Fact]
    public void RunTask_StopTask_and_DescribeTasks_answers_are_strictly_valid_for_botocores_output_shapes()
    {
        _t.Call("RegisterTaskDefinition", """
            {"family":"vpc","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
             "containerDefinitions":[{"name":"application","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.4"}]}
            """);
        var answers = new List<(string Operation, JsonNode Body)>();
        JsonNode Call(string operation, string body)
        {
            JsonNode answer = _t.Call(operation, body);
            answers.Add((operation, answer));
            return answer;
        }

        JsonNode started = Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"WEB","startedBy":"mightyops","count":2,"tags":[{"key":"mightyops:service","value":"WEB"}],
             "overrides":{"cpu":"256","containerOverrides":[{"name":"application","command":["sh","-c","bin/rails db:migrate"],"environment":[{"name":"ONE_OFF","value":"1"}],"memoryReservation":256}]} }
            """);
        Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"vpc","launchType":"FARGATE",
             "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aa11bb22cc33dd44"],"securityGroups":["sg-0123456789abcdef0"],"assignPublicIp":"ENABLED"} } }
            """);
        Call("RunTask", $$$"""{"cluster":"{{{Cluster}}}","taskDefinition":"API","count":2,"overrides":{"memory":"30000"} }""");
        string first = (string)started["tasks"]![0]!["taskArn"]!;
        string second = (string)started["tasks"]![1]!["taskArn"]!;
        _t.RunUntil(() => (string?)_t.Call("DescribeTasks", $$$"""{"cluster":"{{{Cluster}}}","tasks":["{{{first}}}"]}""")["tasks"]![0]!["lastStatus"] == "STOPPED", TimeSpan.FromMinutes(2));
        Call("StopTask", $$$"""{"cluster":"{{{Cluster}}}","task":"{{{second}}}","reason":"no longer needed"}""");
        Call("DescribeTasks", $$$"""{"cluster":"{{{Cluster}}}","tasks":["{{{first}}}","{{{second}}}","0123456789abcdef0123456789abcdef"],"include":["TAGS"]}""");
        Assert.NotEmpty(answers[2].Body["failures"]!.AsArray());

        string input = Path.Combine(Path.GetTempPath(), $"mighty-runtask-{Guid.NewGuid():n}.json");
        File.WriteAllText(input, JsonSerializer.Serialize(answers.Select(a => new { service = "ecs", operation = a.Operation, body = a.Body.ToJsonString() })));
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tests", "tools", "validate_responses.py"));
            start.ArgumentList.Add(input);
            using var process = System.Diagnostics.Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"botocore's output shapes reject sandbox answers:\n{output}");
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string RepositoryRoot()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MightyOps.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("MightyOps.sln not found above the test assembly.");
    }

    [Fact]
    public void Awsvpc_tasks_need_a_valid_network_configuration()
    {
        _t.Call("RegisterTaskDefinition", """
            {"family":"vpc","networkMode":"awsvpc","requiresCompatibilities":["EC2","FARGATE"],"cpu":"256","memory":"512",
             "containerDefinitions":[{"name":"application","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.4"}]}
            """);
        string[] subnets17 = Enumerable.Range(0, 17).Select(i => $"subnet-{i:x8}").ToArray();
        (string Body, string Message)[] refused =
        [
            ("""{"taskDefinition":"vpc"}""", "Network Configuration must be provided when networkMode 'awsvpc' is specified."),
            ("""{"taskDefinition":"vpc","networkConfiguration":{"awsvpcConfiguration":{"subnets":[]}}}""", "subnets can not be empty."),
            ("""{"taskDefinition":"vpc","networkConfiguration":{"awsvpcConfiguration":{"subnets":""" + JsonSerializer.Serialize(subnets17) + "} } }", "subnets can have at most 16 items."),
            ("""{"taskDefinition":"vpc","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"],"securityGroups":["sg-1","sg-2","sg-3","sg-4","sg-5","sg-6"]}}}""", "securityGroups can have at most 5 items."),
            ("""{"taskDefinition":"vpc","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"],"assignPublicIp":"ENABLED"}}}""", "Assign public IP is not supported for this launch type."),
            ("""{"taskDefinition":"WEB","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}}}""", "Network Configuration is not valid for the given networkMode of this task definition."),
            ("""{"taskDefinition":"WEB","count":11}""", "count must be between 1 and 10."),
            ("""{"taskDefinition":"WEB","launchType":"EC2","capacityProviderStrategy":[{"capacityProvider":"FARGATE"}]}""", "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."),
            ("""{"taskDefinition":"WEB","overrides":{"containerOverrides":[{"name":"sidekiq","command":["true"]}]}}""", "Override for container named sidekiq is not a container in the TaskDefinition."),
            ($$$"""{"taskDefinition":"WEB","overrides":{"containerOverrides":[{"name":"application","command":["sh","-c",{{{JsonSerializer.Serialize(new string('x', 8200))}}}]}]}}""", "Container Overrides length must be at most 8192"),
            ("""{"taskDefinition":"WEB","launchType":"FARGATE"}""", "Task definition does not support launch_type FARGATE."),
            ("""{"taskDefinition":"WEB","startedBy":"mighty ops"}""", "startedBy can be up to 128 letters (uppercase and lowercase), numbers, hyphens, forward slashes and underscores."),
        ];
        foreach ((string body, string message) in refused)
        {
            SandboxException error = _t.Fails("RunTask", body.Replace("{\"taskDefinition\"", $"{{\"cluster\":\"{Cluster}\",\"taskDefinition\"", StringComparison.Ordinal));
            Assert.Equal(("InvalidParameterException", message), (error.Code, error.Message));
        }

        JsonObject fargate = _t.Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"vpc","launchType":"FARGATE",
             "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aa11bb22cc33dd44"],"securityGroups":["sg-0123456789abcdef0"],"assignPublicIp":"ENABLED"} } }
            """)["tasks"]![0]!.AsObject();
        Assert.Equal("PROVISIONING", (string?)fargate["lastStatus"]);
        Assert.Equal("subnet-0aa11bb22cc33dd44", (string?)fargate["attachments"]![0]!["details"]!.AsArray().Single(d => (string?)d!["name"] == "subnetId")!["value"]);
        JsonObject onEc2 = _t.Call("RunTask", $$$"""
            {"cluster":"{{{Cluster}}}","taskDefinition":"vpc","capacityProviderStrategy":[{"capacityProvider":"ecs-production-asg","weight":1}],
             "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aa11bb22cc33dd44"]} } }
            """)["tasks"]![0]!.AsObject();
        Assert.Equal("ecs-production-asg", (string?)onEc2["capacityProviderName"]);
        Assert.NotNull(onEc2["containerInstanceArn"]);
    }

    [Fact]
    public void A_client_token_gives_the_same_tasks_again_and_refuses_another_request()
    {
        const string body = """{"cluster":"production","taskDefinition":"API","clientToken":"retry-7f3a"}""";
        string first = (string)_t.Call("RunTask", body)["tasks"]![0]!["taskArn"]!;
        string again = (string)_t.Call("RunTask", body)["tasks"]![0]!["taskArn"]!;
        Assert.Equal(first, again);
        Assert.Single(_t.Call("ListTasks", """{"cluster":"production","family":"API"}""")["taskArns"]!.AsArray(), a => (string?)a == first);

        SandboxException conflict = _t.Fails("RunTask", """{"cluster":"production","taskDefinition":"API","count":2,"clientToken":"retry-7f3a"}""");
        Assert.Equal("ConflictException", conflict.Code);
    }

    [Fact]
    public void Standalone_tasks_are_listed_by_started_by()
    {
        string task = (string)Run("sleep 30", "API")["taskArn"]!;
        JsonArray listed = _t.Call("ListTasks", """{"cluster":"production","startedBy":"mightyops"}""")["taskArns"]!.AsArray();
        Assert.Equal([task], listed.Select(a => (string)a!));
    }
}

/// <summary>The real AWS CLI runs and stops tasks in the sandbox, unchanged (botocore parses every answer).</summary>
public sealed class EcsRunTaskCliTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });

    public async Task DisposeAsync() => await _host.StopAsync();

    [Fact]
    public void Aws_ecs_run_task_and_stop_task_work()
    {
        AwsCliResult run = AwsCli.Ok(_host, "ecs", "run-task", "--cluster", "production", "--task-definition", "API", "--started-by", "mightyops",
            "--overrides", """{"containerOverrides":[{"name":"application","command":["sh","-c","bin/rails db:migrate"],"environment":[{"name":"ONE_OFF","value":"1"}]}]}""",
            "--count", "2");
        JsonArray tasks = run.Json!["tasks"]!.AsArray();
        Assert.Equal(2, tasks.Count);
        Assert.Equal("mightyops", (string?)tasks[0]!["startedBy"]);
        string arn = (string)tasks[0]!["taskArn"]!;

        AwsCliResult stop = AwsCli.Ok(_host, "ecs", "stop-task", "--cluster", "production", "--task", arn, "--reason", "no longer needed");
        Assert.Equal("STOPPED", (string?)stop.Json!["task"]!["desiredStatus"]);
        AwsCliResult full = AwsCli.Ok(_host, "ecs", "run-task", "--cluster", "production", "--task-definition", "API",
            "--overrides", """{"memory":"30000"}""");
        Assert.Equal("RESOURCE:MEMORY", (string?)full.Json!["failures"]![0]!["reason"]);
        AwsCliResult refused = AwsCli.Run(_host, "ecs", "run-task", "--cluster", "production", "--task-definition", "API", "--count", "11");
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains("An error occurred (InvalidParameterException) when calling the RunTask operation: count must be between 1 and 10.", refused.Stderr, StringComparison.Ordinal);
    }
}
