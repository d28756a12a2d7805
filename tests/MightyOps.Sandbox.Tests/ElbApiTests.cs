using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// Elastic Load Balancing v2 in the sandbox: answers checked strictly against botocore's elbv2
/// output shapes (tests/tools/validate_query_responses.py makes each call with a real botocore
/// client and walks the raw XML), health checks on the target group's interval and thresholds in
/// simulated time, the deregistration delay, and an image that answers 502.
/// </summary>
public sealed class ElbApiTests : IAsyncLifetime
{
    private const string WebGroup = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a000";

    private SandboxHost _host = null!;

    // Simulated time moves only when the test moves it.
    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 0.0001 });

    public Task DisposeAsync() => _host.StopAsync();

    private List<(string Id, string State, string? Reason, string? Description)> Health(string group = WebGroup)
    {
        AwsCliResult result = AwsCli.Ok(_host, "elbv2", "describe-target-health", "--target-group-arn", group);
        return result.Json!["TargetHealthDescriptions"]!.AsArray()
            .Select(t => ($"{t!["Target"]!["Id"]}:{t["Target"]!["Port"]}", (string)t["TargetHealth"]!["State"]!, (string?)t["TargetHealth"]!["Reason"], (string?)t["TargetHealth"]!["Description"]))
            .ToList();
    }

    /// <summary>DescribeTasks of WEB's tasks with desired status STOPPED (draining ones included).</summary>
    private JsonNode StoppedWebTasks()
    {
        string[] arns = AwsCli.Ok(_host, "ecs", "list-tasks", "--cluster", "production", "--service-name", "WEB", "--desired-status", "STOPPED").Json!["taskArns"]!.AsArray().Select(a => (string)a!).ToArray();
        return AwsCli.Ok(_host, ["ecs", "describe-tasks", "--cluster", "production", "--tasks", .. arns]).Json!;
    }

    private void Deploy() => AwsCli.Ok(_host, "ecs", "update-service", "--cluster", "production", "--service", "WEB", "--force-new-deployment");

    [Fact]
    public async Task Answers_match_botocore_elbv2_output_shapes_in_every_target_state()
    {
        _host.PushImage("app", "broken");
        _host.SetImageFailsHealthChecks("app", "broken");
        Deploy();
        var calls = new JsonArray();
        void Call(string operation, JsonObject? parameters = null) =>
            calls.Add(new JsonObject { ["service"] = "elbv2", ["operation"] = operation, ["params"] = parameters ?? new JsonObject() });
        Call("DescribeLoadBalancers");
        Call("DescribeTargetGroups");
        Call("DescribeTargetGroups", new JsonObject { ["Names"] = new JsonArray("api-tg") });
        Call("DescribeTargetGroupAttributes", new JsonObject { ["TargetGroupArn"] = WebGroup });
        Call("ModifyTargetGroupAttributes", new JsonObject { ["TargetGroupArn"] = WebGroup, ["Attributes"] = new JsonArray(new JsonObject { ["Key"] = "deregistration_delay.timeout_seconds", ["Value"] = "120" }) });
        JsonObject health = new() { ["TargetGroupArn"] = WebGroup };
        var states = new HashSet<string>(StringComparer.Ordinal);
        // healthy (before), initial while registering and checking, healthy, draining.
        foreach (int seconds in new[] { 0, 30, 30, 30, 120 })
        {
            _host.AdvanceTime(TimeSpan.FromSeconds(seconds));
            Call("DescribeTargetHealth", (JsonObject)health.DeepClone());
            states.UnionWith(Health().Select(h => $"{h.State} {h.Reason}"));
        }
        Call("ModifyTargetGroup", new JsonObject { ["TargetGroupArn"] = WebGroup, ["HealthCheckIntervalSeconds"] = 10, ["HealthyThresholdCount"] = 3 });
        Call("DescribeTargetGroups", new JsonObject { ["TargetGroupArns"] = new JsonArray(WebGroup) });
        JsonObject answer = await ValidateAsync(calls);
        foreach (JsonNode? result in answer["results"]!.AsArray())
        {
            Assert.True(result!["errors"]!.AsArray().Count == 0, result.ToJsonString());
        }
        Assert.Contains("initial Elb.RegistrationInProgress", states);
        Assert.Contains("initial Elb.InitialHealthChecking", states);
        Assert.Contains("healthy ", states);
        JsonNode changed = answer["results"]!.AsArray()[^1]!["parsed"]!["TargetGroups"]![0]!;
        Assert.Equal((10, 3), ((int)changed["HealthCheckIntervalSeconds"]!, (int)changed["HealthyThresholdCount"]!));
    }

    [Fact]
    public void New_targets_are_healthy_after_interval_times_threshold_and_old_ones_drain_for_the_delay()
    {
        Assert.All(Health(), h => Assert.Equal("healthy", h.State));
        List<string> before = Health().Select(h => h.Id).ToList();
        Deploy();
        // Scheduler pickup (10 s), pull and start: the new tasks run and are registered by 40 s.
        _host.AdvanceTime(TimeSpan.FromSeconds(40));
        var fresh = Health().Where(h => !before.Contains(h.Id)).ToList();
        Assert.Equal(2, fresh.Count);
        Assert.All(fresh, h => Assert.Equal(("initial", "Elb.RegistrationInProgress"), (h.State, h.Reason)));
        // 30 s interval × 5 passes: still checking after 2 minutes, healthy after 2:30.
        _host.AdvanceTime(TimeSpan.FromSeconds(90));
        Assert.All(Health().Where(h => !before.Contains(h.Id)), h => Assert.Equal(("initial", "Elb.InitialHealthChecking"), (h.State, h.Reason)));
        _host.AdvanceTime(TimeSpan.FromSeconds(75));
        List<(string Id, string State, string? Reason, string? Description)> now = Health();
        Assert.All(now.Where(h => !before.Contains(h.Id)), h => Assert.Equal("healthy", h.State));
        // Then ECS deregisters the old targets: they drain for 300 s, their tasks DEACTIVATING.
        _host.AdvanceTime(TimeSpan.FromSeconds(10));
        Assert.All(Health().Where(h => before.Contains(h.Id)), h => Assert.Equal(("draining", "Target.DeregistrationInProgress"), (h.State, h.Reason)));
        JsonNode tasks = StoppedWebTasks();
        Assert.Contains(tasks["tasks"]!.AsArray(), t => (string?)t!["lastStatus"] == "DEACTIVATING");
        _host.AdvanceTime(TimeSpan.FromSeconds(250));
        Assert.Contains(Health(), h => before.Contains(h.Id));
        _host.AdvanceTime(TimeSpan.FromSeconds(40));
        Assert.DoesNotContain(Health(), h => before.Contains(h.Id));
    }

    [Fact]
    public void An_image_that_answers_502_fails_its_health_checks_and_trips_the_circuit_breaker()
    {
        _host.PushImage("app", "broken");
        _host.SetImageFailsHealthChecks("app", "broken");
        string definition = AwsCli.Ok(_host, "ecs", "describe-task-definition", "--task-definition", "WEB").Json!["taskDefinition"]!.ToJsonString();
        var copy = JsonNode.Parse(definition)!.AsObject();
        copy["containerDefinitions"]![0]!["image"] = ((string)copy["containerDefinitions"]![0]!["image"]!).Replace("master.4", "broken", StringComparison.Ordinal);
        string file = Path.Combine(Path.GetTempPath(), $"mightyops-elb-{Guid.NewGuid():n}.json");
        File.WriteAllText(file, new JsonObject { ["family"] = "WEB", ["networkMode"] = copy["networkMode"]?.DeepClone(), ["containerDefinitions"] = copy["containerDefinitions"]!.DeepClone() }.ToJsonString());
        try
        {
            string arn = (string)AwsCli.Ok(_host, "ecs", "register-task-definition", "--cli-input-json", $"file://{file}").Json!["taskDefinition"]!["taskDefinitionArn"]!;
            AwsCli.Ok(_host, "ecs", "update-service", "--cluster", "production", "--service", "WEB", "--task-definition", arn);
        }
        finally
        {
            File.Delete(file);
        }
        // Registered at about 30 s, unhealthy after 2 failed checks 30 s apart; ECS notices 30 s later.
        _host.AdvanceTime(TimeSpan.FromSeconds(100));
        Assert.Contains(Health(), h => (h.State, h.Reason, h.Description) == ("unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]"));
        _host.AdvanceTime(TimeSpan.FromMinutes(10));
        JsonNode service = AwsCli.Ok(_host, "ecs", "describe-services", "--cluster", "production", "--services", "WEB").Json!["services"]![0]!;
        Assert.Contains(service["events"]!.AsArray(), e => ((string)e!["message"]!).Contains("is unhealthy in (target-group " + WebGroup + ") due to (reason Health checks failed with these codes: [502])", StringComparison.Ordinal));
        Assert.Contains(service["events"]!.AsArray(), e => ((string)e!["message"]!).Contains("deployment failed: tasks failed to start", StringComparison.Ordinal));
        JsonNode stopped = StoppedWebTasks();
        Assert.Contains(stopped["tasks"]!.AsArray(), t => (string?)t!["stoppedReason"] == $"Task failed ELB health checks in (target-group {WebGroup})");
    }

    [Fact]
    public void Unknown_target_groups_and_attributes_are_refused_as_elbv2_does()
    {
        AwsCliResult missing = AwsCli.Run(_host, "elbv2", "describe-target-health", "--target-group-arn", WebGroup + "0");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(TargetGroupNotFound)", missing.Stderr, StringComparison.Ordinal);
        AwsCliResult bad = AwsCli.Run(_host, "elbv2", "modify-target-group-attributes", "--target-group-arn", WebGroup, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=4000");
        Assert.Contains("(ValidationError)", bad.Stderr, StringComparison.Ordinal);
    }

    private Task<JsonObject> ValidateAsync(JsonArray calls)
    {
        var input = new JsonObject
        {
            ["endpoint"] = _host.Endpoint.ToString(),
            ["region"] = _host.World.Region,
            ["accessKeyId"] = _host.Options.AccessKeyId,
            ["secretAccessKey"] = _host.Options.SecretAccessKey,
            ["calls"] = calls,
        };
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MightyOps.sln")))
        {
            dir = dir.Parent;
        }
        var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(dir!.FullName, "tests", "tools", "validate_query_responses.py"));
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Write(input.ToJsonString());
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
        return Task.FromResult(JsonNode.Parse(output)!.AsObject());
    }
}
