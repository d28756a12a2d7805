using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The service-deployment ledger and the strategies (docs/design/ecs-service-deployments.md): the
/// status each kind of deployment passes through, lifecycle stages and bake time, linear and
/// canary steps, pause and Lambda hooks, alarms, StopServiceDeployment, superseded deployments,
/// image digests pinned at deploy time, deployment controllers.
/// </summary>
public sealed class EcsLedgerTests
{
    private const string Breaker = """{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":100""";
    private const string BreakerNoRollback = """{"deploymentCircuitBreaker":{"enable":true,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100""";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A service of two tasks on v1, steady, then given the deployment configuration (without its
    /// closing brace) for the deployments to come (a configuration change alone deploys nothing).
    /// </summary>
    private static EcsTestWorld Service(string configuration = Breaker)
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 3);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1");
        t.CreateService("test", "web", "web", 2, Breaker + "}");
        t.RunUntil(() => Latest(t)["status"]!.GetValue<string>() == "SUCCESSFUL", Patience);
        t.Call("UpdateService", """{"cluster":"test","service":"web","deploymentConfiguration":""" + configuration + "}}");
        return t;
    }

    private static JsonObject Latest(EcsTestWorld t, string service = "web")
    {
        string arn = (string)t.Call("ListServiceDeployments", $$"""{"cluster":"test","service":"{{service}}","maxResults":1}""")["serviceDeployments"]![0]!["serviceDeploymentArn"]!;
        return Describe(t, arn);
    }

    private static JsonObject Describe(EcsTestWorld t, string arn) =>
        t.Call("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray(arn) })["serviceDeployments"]![0]!.AsObject();

    /// <summary>Deploys <paramref name="image"/> and returns the new service deployment's ARN.</summary>
    private static string Deploy(EcsTestWorld t, string image)
    {
        t.Register("web", $"{EcsTestWorld.Registry}/app:{image}");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        return (string)Latest(t)["serviceDeploymentArn"]!;
    }

    /// <summary>Steps simulated time until the deployment is final, recording each status and stage it showed, in order.</summary>
    private static (List<string> Statuses, List<string> Stages, JsonObject Final) Follow(EcsTestWorld t, string arn, Action<JsonObject>? each = null)
    {
        var statuses = new List<string>();
        var stages = new List<string>();
        JsonObject now = Describe(t, arn);
        try
        {
            t.RunUntil(Step, Patience);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            Assert.Fail($"{e.Message} It went {string.Join(", ", statuses)} through {string.Join(", ", stages)} and stands at {now.ToJsonString()}");
        }
        return (statuses, stages, now);

        bool Step()
        {
            now = Describe(t, arn);
            each?.Invoke(now);
            string status = (string)now["status"]!;
            if (statuses.Count == 0 || statuses[^1] != status)
            {
                statuses.Add(status);
            }
            if ((string?)now["lifecycleStage"] is string stage && (stages.Count == 0 || stages[^1] != stage))
            {
                stages.Add(stage);
            }
            return status is "SUCCESSFUL" or "STOPPED" or "ROLLBACK_SUCCESSFUL" or "ROLLBACK_FAILED";
        }
    }

    public static TheoryData<string, string, string, string[]> StateMachine => new()
    {
        // configuration, the image deployed, what happens meanwhile, the statuses the ledger shows in order
        { Breaker, "v2", "", ["PENDING", "IN_PROGRESS", "SUCCESSFUL"] },
        { Breaker, "broken.1", "", ["PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"] },
        { BreakerNoRollback, "broken.1", "", ["PENDING", "IN_PROGRESS", "STOPPED"] },
        { Breaker, "broken.1", "previous image gone", ["PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED"] },
        { Breaker, "v2", "stop: ROLLBACK", ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"] },
        { Breaker, "v2", "stop: ABORT", ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "STOPPED"] },
        { Breaker + ""","strategy":"BLUE_GREEN","bakeTimeInMinutes":2""", "v2", "", ["PENDING", "IN_PROGRESS", "SUCCESSFUL"] },
        { Breaker + ""","strategy":"LINEAR","bakeTimeInMinutes":1""", "broken.1", "", ["PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"] },
    };

    [Theory]
    [MemberData(nameof(StateMachine))]
    public void Each_deployment_moves_through_the_documented_states(string configuration, string image, string meanwhile, string[] expected)
    {
        EcsTestWorld t = Service(configuration);
        if (meanwhile == "previous image gone")
        {
            t.World.Repositories["app"].Images.RemoveAll(i => i.Tags.Contains("v1"));
        }
        string arn = Deploy(t, image);
        var statuses = new List<string> { (string)Describe(t, arn)["status"]! };
        if (meanwhile.StartsWith("stop: ", StringComparison.Ordinal))
        {
            t.RunUntil(() => (string)Describe(t, arn)["status"]! == "IN_PROGRESS", Patience);
            statuses.Add("IN_PROGRESS");
            t.Call("StopServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["stopType"] = meanwhile["stop: ".Length..] });
        }
        (List<string> seen, _, _) = Follow(t, arn);
        foreach (string status in seen.Where(s => statuses[^1] != s))
        {
            statuses.Add(status);
        }
        Assert.Equal(expected, statuses);
    }

    [Fact]
    public void A_rolling_deployment_records_revisions_digests_and_the_circuit_breaker()
    {
        EcsTestWorld t = Service();
        string firstRevision = (string)Latest(t)["targetServiceRevision"]!["arn"]!;
        string arn = Deploy(t, "broken.1");
        JsonObject pending = Describe(t, arn);
        Assert.Equal("PENDING", (string?)pending["status"]);
        Assert.Equal(firstRevision, (string?)pending["sourceServiceRevisions"]![0]!["arn"]);
        Assert.Equal("MONITORING", (string?)pending["deploymentCircuitBreaker"]!["status"]);
        Assert.Equal(3, (int)pending["deploymentCircuitBreaker"]!["threshold"]!);
        Assert.Equal("DISABLED", (string?)pending["alarms"]!["status"]);

        (_, _, JsonObject final) = Follow(t, arn);
        Assert.Equal("ROLLBACK_SUCCESSFUL", (string?)final["status"]);
        Assert.Equal("TRIGGERED", (string?)final["deploymentCircuitBreaker"]!["status"]);
        Assert.Equal(3, (int)final["deploymentCircuitBreaker"]!["failureCount"]!);
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", (string?)final["rollback"]!["reason"]);
        Assert.Equal(firstRevision, (string?)final["rollback"]!["serviceRevisionArn"]);
        Assert.NotNull(final["finishedAt"]);

        // The revision names the digest ECR had for the tag when the deployment started.
        string target = (string)final["targetServiceRevision"]!["arn"]!;
        JsonObject revision = t.Call("DescribeServiceRevisions", new JsonObject { ["serviceRevisionArns"] = new JsonArray(target, "arn:aws:ecs:us-east-1:123456789012:service-revision/test/web/1") }).AsObject();
        JsonNode images = revision["serviceRevisions"]![0]!["containerImages"]![0]!;
        Assert.Equal("application", (string?)images["containerName"]);
        Assert.Equal(t.World.Repositories["app"].Images.Single(i => i.Tags.Contains("broken.1")).Digest, (string?)images["imageDigest"]);
        Assert.EndsWith("task-definition/web:2", (string?)revision["serviceRevisions"]![0]!["taskDefinition"]);
        Assert.Equal("MISSING", (string?)revision["failures"]![0]!["reason"]);
    }

    [Fact]
    public void Tasks_run_the_digest_resolved_at_deploy_time_even_when_the_tag_moves()
    {
        EcsTestWorld t = Service();
        string before = t.World.Repositories["app"].Images.Single(i => i.Tags.Contains("v2")).Digest;
        string arn = Deploy(t, "v2");
        // CI pushes another build under the same tag while the deployment runs.
        lock (t.World.Sync)
        {
            Seeds.ImageFactory.Push(t.World, "app", "v2");
        }
        Follow(t, arn);
        Assert.All(t.Tasks("test", "web"), task => Assert.Equal(before, (string?)task["containers"]![0]!["imageDigest"]));
    }

    [Theory]
    [InlineData("BLUE_GREEN", "", new[] { 100.0 })]
    [InlineData("LINEAR", ""","linearConfiguration":{"stepPercent":30.0,"stepBakeTimeInMinutes":2}""", new[] { 30.0, 60.0, 90.0, 100.0 })]
    [InlineData("CANARY", ""","canaryConfiguration":{"canaryPercent":10.0,"canaryBakeTimeInMinutes":3}""", new[] { 10.0, 100.0 })]
    public void Traffic_shifting_strategies_double_the_tasks_shift_in_steps_and_succeed_only_after_bake_time(string strategy, string settings, double[] steps)
    {
        EcsTestWorld t = Service(Breaker + $$""","strategy":"{{strategy}}","bakeTimeInMinutes":2""" + settings);
        string arn = Deploy(t, "v2");
        var weights = new List<double>();
        var bakeSeenAt = new List<DateTimeOffset>();
        int mostRunning = 0;
        (List<string> _, List<string> stages, JsonObject final) = Follow(t, arn, now =>
        {
            if ((double?)now["targetServiceRevision"]!["requestedProductionTrafficWeight"] is double w && w > 0 && (weights.Count == 0 || weights[^1] != w))
            {
                weights.Add(w);
            }
            if ((string?)now["lifecycleStage"] == "BAKE_TIME")
            {
                bakeSeenAt.Add(t.World.Clock.UtcNow);
            }
            mostRunning = Math.Max(mostRunning, (int)t.Service("test", "web")["runningCount"]!);
        });
        Assert.Equal("SUCCESSFUL", (string?)final["status"]);
        Assert.Equal(["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"],
            stages.SkipWhile(s => s != "PRE_SCALE_UP").ToList());
        Assert.Equal(steps, weights);
        Assert.Equal(4, mostRunning);   // a full second set of tasks
        double finished = (double)final["finishedAt"]!;
        Assert.True(finished - bakeSeenAt[0].ToUnixTimeMilliseconds() / 1000.0 >= 2 * 60 - 1, "SUCCESSFUL came before the bake time ended");
        Assert.All(t.Tasks("test", "web"), task => Assert.EndsWith("task-definition/web:2", (string?)task["taskDefinitionArn"]));
    }

    [Theory]
    [InlineData("CONTINUE", "SUCCESSFUL", "web:2")]
    [InlineData("ROLLBACK", "ROLLBACK_SUCCESSFUL", "web:1")]
    public void A_pause_hook_waits_for_ContinueServiceDeployment(string action, string outcome, string runs)
    {
        EcsTestWorld t = Service(Breaker + """
            ,"strategy":"BLUE_GREEN","bakeTimeInMinutes":1,"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["POST_SCALE_UP"],"timeoutConfiguration":{"timeoutInMinutes":60,"action":"ROLLBACK"}}]
            """);
        string arn = Deploy(t, "v2");
        t.RunUntil(() => Describe(t, arn)["lifecycleHookDetails"] is JsonArray { Count: > 0 }, Patience);
        t.AdvanceSeconds(600);
        JsonObject waiting = Describe(t, arn);
        Assert.Equal("IN_PROGRESS", (string?)waiting["status"]);
        Assert.Equal("POST_SCALE_UP", (string?)waiting["lifecycleStage"]);
        JsonNode hook = waiting["lifecycleHookDetails"]![0]!;
        Assert.Equal("PAUSE", (string?)hook["targetType"]);
        Assert.Equal("AWAITING_ACTION", (string?)hook["status"]);
        Assert.Equal("ROLLBACK", (string?)hook["timeoutAction"]);
        Assert.StartsWith("ecs-pause-", (string?)hook["hookId"]);
        Assert.Equal(4, (int)t.Service("test", "web")["runningCount"]!);

        SandboxException wrong = t.Fails("ContinueServiceDeployment", $$"""{"serviceDeploymentArn":"{{arn}}","hookId":"nope"}""");
        Assert.Equal("InvalidParameterException", wrong.Code);
        t.Call("ContinueServiceDeployment", new JsonObject { ["serviceDeploymentArn"] = arn, ["hookId"] = (string)hook["hookId"]!, ["action"] = action });
        (_, _, JsonObject final) = Follow(t, arn);
        Assert.Equal(outcome, (string?)final["status"]);
        Assert.All(t.Tasks("test", "web"), task => Assert.EndsWith($"task-definition/{runs}", (string?)task["taskDefinitionArn"]));
    }

    [Fact]
    public void A_pause_hook_takes_its_timeout_action_when_nobody_answers()
    {
        EcsTestWorld t = Service(Breaker + """
            ,"strategy":"CANARY","bakeTimeInMinutes":1,"lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["PRE_SCALE_UP"],"timeoutConfiguration":{"timeoutInMinutes":5,"action":"ROLLBACK"}}]
            """);
        string arn = Deploy(t, "v2");
        (_, _, JsonObject final) = Follow(t, arn);
        Assert.Equal("ROLLBACK_SUCCESSFUL", (string?)final["status"]);
        Assert.Equal("TIMED_OUT", (string?)final["lifecycleHookDetails"]![0]!["status"]);
        Assert.Contains("timed out", (string?)final["rollback"]!["reason"]);
    }

    [Theory]
    [InlineData("FAILED", "ROLLBACK_SUCCESSFUL")]
    [InlineData("SUCCEEDED", "SUCCESSFUL")]
    public void A_Lambda_hook_held_through_the_admin_api_decides_when_released(string answer, string outcome)
    {
        const string function = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test";
        EcsTestWorld t = Service(Breaker + $$"""
            ,"strategy":"BLUE_GREEN","bakeTimeInMinutes":1,"lifecycleHooks":[{"targetType":"AWS_LAMBDA","hookTargetArn":"{{function}}","roleArn":"arn:aws:iam::123456789012:role/hooks","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]
            """);
        lock (t.World.Sync)
        {
            t.World.Ecs.SetLambdaHookAnswer(function, "IN_PROGRESS");
        }
        string arn = Deploy(t, "v2");
        t.RunUntil(() => Describe(t, arn)["lifecycleHookDetails"] is JsonArray { Count: > 0 }, Patience);
        t.AdvanceSeconds(900);
        Assert.Equal("IN_PROGRESS", (string?)Describe(t, arn)["lifecycleHookDetails"]![0]!["status"]);
        Assert.Equal("POST_TEST_TRAFFIC_SHIFT", (string?)Describe(t, arn)["lifecycleStage"]);
        lock (t.World.Sync)
        {
            t.World.Ecs.SetLambdaHookAnswer(function, answer);
        }
        (_, _, JsonObject final) = Follow(t, arn);
        Assert.Equal(outcome, (string?)final["status"]);
        Assert.Equal(answer, (string?)final["lifecycleHookDetails"]![0]!["status"]);
    }

    [Fact]
    public void An_alarm_in_ALARM_fails_the_deployment_and_rolls_it_back_naming_the_alarm()
    {
        EcsTestWorld t = Service(Breaker + ""","strategy":"BLUE_GREEN","bakeTimeInMinutes":5,"alarms":{"alarmNames":["web-5xx","web-latency"],"enable":true,"rollback":true}""");
        string arn = Deploy(t, "v2");
        t.RunUntil(() => (string?)Describe(t, arn)["lifecycleStage"] == "BAKE_TIME", Patience);
        Assert.Equal("MONITORING", (string?)Describe(t, arn)["alarms"]!["status"]);
        lock (t.World.Sync)
        {
            t.World.Ecs.SetAlarm("web-5xx", inAlarm: true);
        }
        (_, _, JsonObject final) = Follow(t, arn);
        Assert.Equal("ROLLBACK_SUCCESSFUL", (string?)final["status"]);
        Assert.Equal("TRIGGERED", (string?)final["alarms"]!["status"]);
        Assert.Equal(["web-5xx"], final["alarms"]!["triggeredAlarmNames"]!.AsArray().Select(n => (string)n!));
        Assert.Contains("web-5xx", (string?)final["rollback"]!["reason"]);
        Assert.All(t.Tasks("test", "web"), task => Assert.EndsWith("task-definition/web:1", (string?)task["taskDefinitionArn"]));
    }

    [Fact]
    public void A_new_deployment_stops_the_one_in_flight_and_the_list_is_newest_first_and_filtered()
    {
        EcsTestWorld t = Service();
        string first = Deploy(t, "v2");
        t.AdvanceSeconds(20);
        string second = Deploy(t, "v3");
        JsonObject superseded = Describe(t, first);
        Assert.Equal("STOPPED", (string?)superseded["status"]);
        Assert.NotNull(superseded["stoppedAt"]);
        Follow(t, second);

        JsonArray all = t.Call("ListServiceDeployments", """{"cluster":"test","service":"web"}""")["serviceDeployments"]!.AsArray();
        Assert.Equal([second, first], all.Take(2).Select(d => (string)d!["serviceDeploymentArn"]!));
        Assert.Equal(3, all.Count);
        JsonArray stopped = t.Call("ListServiceDeployments", """{"cluster":"test","service":"web","status":["STOPPED"]}""")["serviceDeployments"]!.AsArray();
        Assert.Equal([first], stopped.Select(d => (string)d!["serviceDeploymentArn"]!));
        double createdSecond = (double)all[0]!["createdAt"]!;
        JsonArray recent = t.Call("ListServiceDeployments", $$$"""{"cluster":"test","service":"web","createdAt":{"after":{{{createdSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}""")["serviceDeployments"]!.AsArray();
        Assert.Equal([second], recent.Select(d => (string)d!["serviceDeploymentArn"]!));

        JsonNode page = t.Call("ListServiceDeployments", """{"cluster":"test","service":"web","maxResults":2}""");
        JsonNode rest = t.Call("ListServiceDeployments", $$"""{"cluster":"test","service":"web","nextToken":"{{(string)page["nextToken"]!}}"}""");
        Assert.Equal(all.Select(d => (string)d!["serviceDeploymentArn"]!), page["serviceDeployments"]!.AsArray().Concat(rest["serviceDeployments"]!.AsArray()).Select(d => (string)d!["serviceDeploymentArn"]!));

        Assert.Equal("ConflictException", t.Fails("StopServiceDeployment", $$"""{"serviceDeploymentArn":"{{first}}"}""").Code);
        Assert.Equal("ServiceDeploymentNotFoundException", t.Fails("StopServiceDeployment", """{"serviceDeploymentArn":"arn:aws:ecs:us-east-1:123456789012:service-deployment/test/web/nope"}""").Code);
        Assert.Equal("ServiceNotFoundException", t.Fails("ListServiceDeployments", """{"cluster":"test","service":"nope"}""").Code);
        Assert.Equal("InvalidParameterException", t.Fails("DescribeServiceDeployments", """{"serviceDeploymentArns":[]}""").Code);
    }

    [Fact]
    public void Without_the_ledger_its_operations_answer_UnsupportedFeatureException_and_deployments_still_run()
    {
        EcsTestWorld t = Service();
        lock (t.World.Sync)
        {
            t.World.Ecs.ServiceDeploymentsAvailable = false;
        }
        Assert.Equal("UnsupportedFeatureException", t.Fails("ListServiceDeployments", """{"cluster":"test","service":"web"}""").Code);
        Assert.Equal("UnsupportedFeatureException", t.Fails("DescribeServiceDeployments", """{"serviceDeploymentArns":["x"]}""").Code);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v2");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        t.RunUntil(() => (string?)t.Service("test", "web")["deployments"]![0]!["rolloutState"] == "COMPLETED" && t.Service("test", "web")["deployments"]!.AsArray().Count == 1, Patience);
    }

    [Theory]
    [InlineData("CODE_DEPLOY")]
    [InlineData("EXTERNAL")]
    public void Services_of_another_deployment_controller_report_it_and_refuse_a_new_task_definition(string controller)
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 2);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1");
        t.Call("CreateService", $$$"""{"cluster":"test","serviceName":"web","taskDefinition":"web","desiredCount":1,"deploymentController":{"type":"{{{controller}}}"}}""");
        Assert.Equal(controller, (string?)t.Service("test", "web")["deploymentController"]!["type"]);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v2");
        SandboxException refused = t.Fails("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web:2"}""");
        Assert.Equal("InvalidParameterException", refused.Code);
        Assert.Contains(controller, refused.Message);
        Assert.Empty(t.Call("ListServiceDeployments", """{"cluster":"test","service":"web"}""")["serviceDeployments"]!.AsArray());
    }

    [Theory]
    [InlineData(""","strategy":"SIDEWAYS"}""", "strategy")]
    [InlineData(""","strategy":"LINEAR","linearConfiguration":{"stepPercent":1.0}}""", "stepPercent")]
    [InlineData(""","bakeTimeInMinutes":2000}""", "bakeTimeInMinutes")]
    [InlineData(""","lifecycleHooks":[{"targetType":"AWS_LAMBDA","lifecycleStages":["POST_SCALE_UP"]}]}""", "hookTargetArn")]
    [InlineData(""","lifecycleHooks":[{"targetType":"PAUSE","lifecycleStages":["BAKE_TIME"]}]}""", "BAKE_TIME")]
    public void Invalid_strategy_settings_are_refused_and_change_nothing(string settings, string named)
    {
        EcsTestWorld t = Service();
        SandboxException refused = t.Fails("UpdateService", """{"cluster":"test","service":"web","deploymentConfiguration":{"maximumPercent":200""" + settings + "}");
        Assert.Equal("InvalidParameterException", refused.Code);
        Assert.Contains(named, refused.Message);
        Assert.Null(t.Service("test", "web")["deploymentConfiguration"]!["strategy"]);
    }
}
