using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The real AWS CLI (botocore 1.43) against the sandbox's ECS over HTTP: botocore must parse
/// every answer, follow its pagination, run its waiter and report its errors, with the values
/// the simulation holds. Reads share one demo sandbox.
/// </summary>
public sealed class EcsCliReadTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    // The clock is all but frozen: nothing moves between the CLI call and the check.
    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });

    public async Task DisposeAsync() => await _host.StopAsync();

    private AwsCliResult Ok(params string[] args) => AwsCli.Ok(_host, args);

    [Fact]
    public void ListClusters_and_DescribeClusters()
    {
        JsonArray arns = Ok("ecs", "list-clusters").Json!["clusterArns"]!.AsArray();
        Assert.Equal(
            ["arn:aws:ecs:us-east-1:123456789012:cluster/production", "arn:aws:ecs:us-east-1:123456789012:cluster/staging"],
            arns.Select(a => (string)a!));

        JsonNode answer = Ok("ecs", "describe-clusters", "--clusters", "production", "nope", "--include", "STATISTICS", "TAGS").Json!;
        JsonNode cluster = answer["clusters"]!.AsArray().Single()!;
        Assert.Equal("production", (string?)cluster["clusterName"]);
        Assert.Equal(13, (int)cluster["registeredContainerInstancesCount"]!);   // the web group's 3 and the worker group's 10
        Assert.Equal(32, (int)cluster["activeServicesCount"]!);
        int running = (int)cluster["runningTasksCount"]!;
        Assert.Equal(4 + Ecs.EcsDemoSeed.Workers.Sum(w => w.DesiredCount), running);
        Assert.Contains(cluster["statistics"]!.AsArray(), s => (string?)s!["name"] == "runningEC2TasksCount" && (string?)s["value"] == running.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("production", (string?)cluster["tags"]![0]!["value"]);
        Assert.Equal("MISSING", (string?)answer["failures"]![0]!["reason"]);
    }

    [Fact]
    public void ListServices_is_paginated_by_botocore()
    {
        _host.ResetRequestCounts();
        JsonArray all = Ok("ecs", "list-services", "--cluster", "production").Json!["serviceArns"]!.AsArray();
        Assert.Equal(32, all.Select(a => (string)a!).Distinct().Count());
        // The CLI follows nextToken through the default pages of 10.
        Assert.Equal(4, _host.RequestCounts["ecs.ListServices"]);

        JsonNode firstPage = Ok("ecs", "list-services", "--cluster", "production", "--max-items", "5").Json!;
        Assert.Equal(5, firstPage["serviceArns"]!.AsArray().Count);
        string token = (string)firstPage["NextToken"]!;
        JsonNode rest = Ok("ecs", "list-services", "--cluster", "production", "--starting-token", token).Json!;
        Assert.Equal(27, rest["serviceArns"]!.AsArray().Count);
    }

    [Fact]
    public void DescribeServices()
    {
        JsonNode answer = Ok("ecs", "describe-services", "--cluster", "production", "--services", "WEB", "ios_web_scrape", "nope", "--include", "TAGS").Json!;
        JsonArray services = answer["services"]!.AsArray();
        Assert.Equal(2, services.Count);
        JsonNode web = services[0]!;
        Assert.Equal("WEB", (string?)web["serviceName"]);
        Assert.Equal(2, (int)web["desiredCount"]!);
        Assert.Equal(2, (int)web["runningCount"]!);
        JsonNode deployment = web["deployments"]!.AsArray().Single()!;
        Assert.Equal("COMPLETED", (string?)deployment["rolloutState"]);
        Assert.Matches("^ecs-svc/[0-9]{19}$", (string?)deployment["id"]);
        Assert.True((bool)web["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["enable"]!);
        Assert.Equal("(service WEB) has reached a steady state.", (string?)web["events"]![0]!["message"]);
        // botocore parsed the epoch numbers (the CLI v1 prints them back as numbers).
        double createdAt = (double)web["events"]![0]!["createdAt"]!;
        Assert.InRange(createdAt, DateTimeOffset.UtcNow.AddHours(-21).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal("app", (string?)web["tags"]![0]!["key"]);
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:service/production/nope", (string?)answer["failures"]![0]!["arn"]);

        AwsCliResult tooMany = AwsCli.Run(_host, ["ecs", "describe-services", "--cluster", "production", "--services", .. Enumerable.Range(0, 11).Select(i => $"s{i}")]);
        Assert.NotEqual(0, tooMany.ExitCode);
        Assert.Contains("An error occurred (InvalidParameterException) when calling the DescribeServices operation: service names can have at most 10 items.", tooMany.Stderr);
    }

    [Fact]
    public void DescribeTaskDefinition_with_tags()
    {
        JsonNode answer = Ok("ecs", "describe-task-definition", "--task-definition", "WEB", "--include", "TAGS").Json!;
        JsonNode td = answer["taskDefinition"]!;
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:task-definition/WEB:2", (string?)td["taskDefinitionArn"]);
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.4", (string?)td["containerDefinitions"]![0]!["image"]);
        Assert.Equal(["application"], td["containerDefinitions"]![1]!["links"]!.AsArray().Select(l => (string)l!));
        Assert.Equal("mighty", (string?)answer["tags"]![0]!["value"]);

        AwsCliResult missing = AwsCli.Run(_host, "ecs", "describe-task-definition", "--task-definition", "nope:3");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("An error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition.", missing.Stderr);
    }

    [Fact]
    public void ListTasks_DescribeTasks_and_DescribeContainerInstances()
    {
        JsonArray arns = Ok("ecs", "list-tasks", "--cluster", "production", "--service-name", "WEB").Json!["taskArns"]!.AsArray();
        Assert.Equal(2, arns.Count);
        string[] ids = arns.Select(a => ((string)a!).Split('/')[^1]).ToArray();

        JsonNode described = Ok(["ecs", "describe-tasks", "--cluster", "production", "--tasks", .. ids]).Json!;
        JsonArray tasks = described["tasks"]!.AsArray();
        Assert.Equal(2, tasks.Count);
        JsonNode task = tasks[0]!;
        Assert.Equal("RUNNING", (string?)task["lastStatus"]);
        Assert.Equal("service:WEB", (string?)task["group"]);
        Assert.StartsWith("ecs-svc/", (string?)task["startedBy"]);
        JsonNode nginx = task["containers"]!.AsArray().Single(c => (string?)c!["name"] == "nginx")!;
        Assert.Equal(80, (int)nginx["networkBindings"]![0]!["containerPort"]!);
        Assert.Matches("^[0-9a-f]{64}$", (string?)nginx["runtimeId"]);

        string instanceArn = (string)task["containerInstanceArn"]!;
        JsonNode instances = Ok("ecs", "describe-container-instances", "--cluster", "production", "--container-instances", instanceArn).Json!;
        JsonNode instance = instances["containerInstances"]!.AsArray().Single()!;
        Assert.Matches("^i-0[0-9a-f]{16}$", (string?)instance["ec2InstanceId"]);
        Assert.True((int)instance["runningTasksCount"]! >= 1);
        Assert.Equal("STRINGSET", (string?)instance["remainingResources"]!.AsArray().Single(r => (string?)r!["name"] == "PORTS")!["type"]);

        JsonArray onInstance = Ok("ecs", "list-tasks", "--cluster", "production", "--container-instance", instanceArn).Json!["taskArns"]!.AsArray();
        Assert.Equal((int)instance["runningTasksCount"]!, onInstance.Count);
    }
}

/// <summary>The AWS CLI driving a deployment in the sandbox, the way a shell script would.</summary>
public sealed class EcsCliDeployTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });
        _directory = Directory.CreateTempSubdirectory("mightyops-ecs-cli-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private AwsCliResult Ok(params string[] args) => AwsCli.Ok(_host, args);

    [Fact]
    public void Register_update_and_wait_for_a_stable_service()
    {
        string input = Path.Combine(_directory, "api.json");
        File.WriteAllText(input, $$$"""
            {"family":"API","networkMode":"bridge","containerDefinitions":[
              {"name":"application","image":"{{{_host.World.RegistryHost}}}/app:master.4","cpu":256,"memoryReservation":512,
               "command":["bundle","exec","puma"],"portMappings":[{"containerPort":3000}],
               "restartPolicy":{"enabled":true,"restartAttemptPeriod":60}}],
             "tags":[{"key":"release","value":"master.4"}]}
            """);
        JsonNode registered = Ok("ecs", "register-task-definition", "--cli-input-json", "file://" + input).Json!;
        Assert.Equal(3, (int)registered["taskDefinition"]!["revision"]!);
        Assert.Equal(60, (int)registered["taskDefinition"]!["containerDefinitions"]![0]!["restartPolicy"]!["restartAttemptPeriod"]!);
        Assert.Equal("master.4", (string?)registered["tags"]![0]!["value"]);

        JsonNode updated = Ok("ecs", "update-service", "--cluster", "production", "--service", "API", "--task-definition", "API:3").Json!["service"]!;
        JsonArray deployments = updated["deployments"]!.AsArray();
        Assert.Equal(["PRIMARY", "ACTIVE"], deployments.Select(d => (string)d!["status"]!));
        Assert.Equal("IN_PROGRESS", (string?)deployments[0]!["rolloutState"]);
        Assert.Equal(0, (int)deployments[0]!["runningCount"]!);
        string deploymentId = (string)deployments[0]!["id"]!;

        // Move simulated time on (API is behind api-tg: 2:30 of health checks, 5:00 of draining); the
        // botocore waiter then finds the service stable on its first poll.
        _host.World.Clock.Advance(TimeSpan.FromMinutes(10));
        Ok("ecs", "wait", "services-stable", "--cluster", "production", "--services", "API");
        JsonNode service = Ok("ecs", "describe-services", "--cluster", "production", "--services", "API").Json!["services"]![0]!;
        JsonNode primary = service["deployments"]!.AsArray().Single()!;
        Assert.Equal(deploymentId, (string?)primary["id"]);
        Assert.Equal("COMPLETED", (string?)primary["rolloutState"]);
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:task-definition/API:3", (string?)service["taskDefinition"]);
        Assert.Equal($"(service API) (deployment {deploymentId}) deployment completed.", (string?)service["events"]![1]!["message"]);

        JsonArray stopped = Ok("ecs", "list-tasks", "--cluster", "production", "--service-name", "API", "--desired-status", "STOPPED").Json!["taskArns"]!.AsArray();
        Assert.Equal(2, stopped.Count);
        JsonNode old = Ok("ecs", "describe-tasks", "--cluster", "production", "--tasks", (string)stopped[0]!).Json!["tasks"]![0]!;
        Assert.Equal("ServiceSchedulerInitiated", (string?)old["stopCode"]);
        Assert.StartsWith("Scaling activity initiated by (deployment ecs-svc/", (string?)old["stoppedReason"]);
    }

    [Fact]
    public void Desired_count_and_errors()
    {
        JsonNode scaled = Ok("ecs", "update-service", "--cluster", "production", "--service", "mailers", "--desired-count", "4").Json!["service"]!;
        Assert.Equal(4, (int)scaled["desiredCount"]!);
        Assert.Single(scaled["deployments"]!.AsArray());
        _host.World.Clock.Advance(TimeSpan.FromMinutes(2));
        JsonNode service = Ok("ecs", "describe-services", "--cluster", "production", "--services", "mailers").Json!["services"]![0]!;
        Assert.Equal(4, (int)service["runningCount"]!);

        AwsCliResult notFound = AwsCli.Run(_host, "ecs", "update-service", "--cluster", "production", "--service", "nope", "--desired-count", "1");
        Assert.Contains("An error occurred (ServiceNotFoundException) when calling the UpdateService operation: Service not found.", notFound.Stderr);
        AwsCliResult noDefinition = AwsCli.Run(_host, "ecs", "update-service", "--cluster", "production", "--service", "WEB", "--task-definition", "WEB:42");
        Assert.Contains("An error occurred (ClientException) when calling the UpdateService operation: TaskDefinition not found.", noDefinition.Stderr);
        AwsCliResult noCluster = AwsCli.Run(_host, "ecs", "list-services", "--cluster", "nope");
        Assert.Contains("An error occurred (ClusterNotFoundException) when calling the ListServices operation: Cluster not found.", noCluster.Stderr);
        AwsCliResult invalid = AwsCli.Run(_host, "ecs", "register-task-definition", "--family", "x", "--container-definitions", """[{"name":"a","image":"nginx"}]""");
        Assert.Contains("Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified.", invalid.Stderr);
    }
}
