using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The simulation: rolling deployments, scaling, the circuit breaker (docs/design/ecs-deployments-and-events.md).</summary>
public sealed class EcsDeploymentTests
{
    private const string Breaker = """{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":100}""";
    private const string BreakerNoRollback = """{"deploymentCircuitBreaker":{"enable":true,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100}""";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    private static EcsTestWorld SteadyService(int desired = 2, string configuration = Breaker, int instances = 2)
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", instances);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1");
        t.CreateService("test", "web", "web", desired, configuration);
        t.RunUntil(() => IsSteady(t.Service("test", "web")), Patience);
        return t;
    }

    private static bool IsSteady(JsonObject service) =>
        service["deployments"]!.AsArray().Count == 1
        && (string?)service["deployments"]![0]!["rolloutState"] == "COMPLETED"
        && (int)service["runningCount"]! == (int)service["desiredCount"]!
        && ((string?)service["events"]![0]?["message"])?.EndsWith("has reached a steady state.", StringComparison.Ordinal) == true;

    [Fact]
    public void A_new_service_starts_its_tasks_and_reports_completion_and_steady_state()
    {
        EcsTestWorld t = SteadyService();
        JsonObject service = t.Service("test", "web");
        JsonNode deployment = service["deployments"]![0]!;
        string id = (string)deployment["id"]!;
        Assert.Matches("^ecs-svc/[1-9][0-9]{18}$", id);
        Assert.Equal($"ECS deployment {id} completed.", (string?)deployment["rolloutStateReason"]);
        List<string> events = t.Events("test", "web");
        Assert.Equal(3, events.Count);
        Assert.Matches(@"^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$", events[0]);
        Assert.Equal($"(service web) (deployment {id}) deployment completed.", events[1]);
        Assert.Equal("(service web) has reached a steady state.", events[2]);
    }

    [Fact]
    public void A_rolling_deployment_replaces_every_task_within_the_min_and_max_percent()
    {
        EcsTestWorld t = SteadyService();
        string oldId = (string)t.Service("test", "web")["deployments"]![0]!["id"]!;
        int eventsBefore = t.Events("test", "web").Count;
        t.Register("web", $"{EcsTestWorld.Registry}/app:v2");

        JsonObject updated = t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""")["service"]!.AsObject();

        // What starts a deployment: the answer already shows the new PRIMARY at zero and the old one ACTIVE with its counts.
        Assert.EndsWith("task-definition/web:2", (string?)updated["taskDefinition"]);
        JsonArray deployments = updated["deployments"]!.AsArray();
        Assert.Equal(2, deployments.Count);
        JsonNode primary = deployments[0]!;
        string newId = (string)primary["id"]!;
        Assert.NotEqual(oldId, newId);
        Assert.Equal("PRIMARY", (string?)primary["status"]);
        Assert.Equal("IN_PROGRESS", (string?)primary["rolloutState"]);
        Assert.Equal($"ECS deployment {newId} in progress.", (string?)primary["rolloutStateReason"]);
        Assert.Equal(0, (int)primary["desiredCount"]!);
        Assert.Equal(0, (int)primary["runningCount"]!);
        Assert.Equal(0, (int)primary["pendingCount"]!);
        Assert.Equal(0, (int)primary["failedTasks"]!);
        Assert.Equal((double)primary["createdAt"]!, (double)primary["updatedAt"]!);
        Assert.Equal("ACTIVE", (string?)deployments[1]!["status"]);
        Assert.Equal(oldId, (string?)deployments[1]!["id"]);
        Assert.Equal("COMPLETED", (string?)deployments[1]!["rolloutState"]);
        Assert.Equal(2, (int)deployments[1]!["runningCount"]!);

        // Watch it second by second: never more than 200 % live, never under 100 % running.
        int maxLive = 0;
        int minRunning = int.MaxValue;
        t.RunUntil(() =>
        {
            JsonObject service = t.Service("test", "web");
            int live = service["deployments"]!.AsArray().Sum(d => (int)d!["runningCount"]! + (int)d["pendingCount"]!);
            maxLive = Math.Max(maxLive, live);
            minRunning = Math.Min(minRunning, (int)service["runningCount"]!);
            return IsSteady(service);
        }, Patience);
        Assert.Equal(4, maxLive);
        Assert.Equal(2, minRunning);

        JsonObject done = t.Service("test", "web");
        JsonNode only = done["deployments"]!.AsArray().Single()!;
        Assert.Equal(newId, (string?)only["id"]);
        Assert.Equal($"ECS deployment {newId} completed.", (string?)only["rolloutStateReason"]);
        Assert.Equal(2, (int)only["runningCount"]!);
        Assert.Equal(2, (int)only["desiredCount"]!);

        List<string> events = t.Events("test", "web").Skip(eventsBefore).ToList();
        Assert.Equal(4, events.Count);
        Assert.Matches(@"^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$", events[0]);
        Assert.Matches(@"^\(service web\) has stopped 2 running tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$", events[1]);
        Assert.Equal($"(service web) (deployment {newId}) deployment completed.", events[2]);
        Assert.Equal("(service web) has reached a steady state.", events[3]);

        // The new tasks run the new image; the old ones were stopped by the scheduler.
        List<JsonObject> running = t.Tasks("test", "web");
        Assert.Equal(2, running.Count);
        Assert.All(running, task =>
        {
            Assert.Equal(newId, (string?)task["startedBy"]);
            Assert.Equal("service:web", (string?)task["group"]);
            Assert.EndsWith("task-definition/web:2", (string?)task["taskDefinitionArn"]);
            Assert.EndsWith("/app:v2", (string?)task["containers"]![0]!["image"]);
        });
        List<JsonObject> stopped = t.Tasks("test", "web", "STOPPED");
        Assert.Equal(2, stopped.Count);
        Assert.All(stopped, task =>
        {
            Assert.Equal(oldId, (string?)task["startedBy"]);
            Assert.Equal("STOPPED", (string?)task["lastStatus"]);
            Assert.Equal("ServiceSchedulerInitiated", (string?)task["stopCode"]);
            Assert.Equal($"Scaling activity initiated by (deployment {oldId})", (string?)task["stoppedReason"]);
            Assert.True((double)task["stoppingAt"]! <= (double)task["stoppedAt"]!);
            Assert.Equal(0, (int)task["containers"]![0]!["exitCode"]!);
        });
        string startedEvent = events[0];
        Assert.All(running, task => Assert.Contains($"(task {((string)task["taskArn"]!).Split('/')[^1]})", startedEvent));
    }

    [Fact]
    public void With_50_and_100_percent_the_rollout_stops_before_it_starts()
    {
        EcsTestWorld t = SteadyService(desired: 4, configuration: """{"maximumPercent":100,"minimumHealthyPercent":50}""");
        t.Register("web", $"{EcsTestWorld.Registry}/app:v2");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web:2"}""");
        int maxLive = 0;
        int minRunning = int.MaxValue;
        t.RunUntil(() =>
        {
            JsonObject service = t.Service("test", "web");
            maxLive = Math.Max(maxLive, service["deployments"]!.AsArray().Sum(d => (int)d!["runningCount"]! + (int)d["pendingCount"]!));
            minRunning = Math.Min(minRunning, (int)service["runningCount"]!);
            return IsSteady(service) && ((string)service["taskDefinition"]!).EndsWith(":2", StringComparison.Ordinal);
        }, Patience);
        Assert.Equal(4, maxLive);
        Assert.Equal(2, minRunning);
        List<string> events = t.Events("test", "web");
        // Two old tasks go first (50 % of 4 may be down), then two new ones start in their place.
        int firstStop = events.FindIndex(e => e.Contains("has stopped 2 running tasks", StringComparison.Ordinal));
        int nextStart = events.FindIndex(firstStop, e => e.Contains("has started 2 tasks", StringComparison.Ordinal));
        Assert.True(firstStop > 0 && nextStart > firstStop, string.Join("\n", events));
    }

    [Fact]
    public void Changing_only_the_desired_count_scales_the_primary_without_a_deployment()
    {
        EcsTestWorld t = SteadyService();
        string id = (string)t.Service("test", "web")["deployments"]![0]!["id"]!;

        JsonObject answer = t.Call("UpdateService", """{"cluster":"test","service":"web","desiredCount":3}""")["service"]!.AsObject();
        Assert.Equal(3, (int)answer["desiredCount"]!);
        JsonNode primary = answer["deployments"]!.AsArray().Single()!;
        Assert.Equal(id, (string?)primary["id"]);
        Assert.Equal(2, (int)primary["desiredCount"]!);   // the scheduler catches up later (a desiredCount change alone is no deployment)

        t.RunUntil(() => IsSteady(t.Service("test", "web")) && (int)t.Service("test", "web")["runningCount"]! == 3, Patience);
        Assert.Equal(id, (string?)t.Service("test", "web")["deployments"]![0]!["id"]);
        List<string> events = t.Events("test", "web");
        Assert.Matches(@"^\(service web\) has started 1 tasks: \(task [0-9a-f]{32}\)\.$", events[^2]);
        Assert.Equal("(service web) has reached a steady state.", events[^1]);

        t.Call("UpdateService", """{"cluster":"test","service":"web","desiredCount":1}""");
        t.RunUntil(() => (int)t.Service("test", "web")["runningCount"]! == 1 && IsSteady(t.Service("test", "web")), Patience);
        events = t.Events("test", "web");
        Assert.Matches(@"^\(service web\) has stopped 2 running tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$", events[^2]);
        Assert.Equal(id, (string?)t.Service("test", "web")["deployments"]![0]!["id"]);
        Assert.Equal(2, t.Tasks("test", "web", "STOPPED").Count);
    }

    [Fact]
    public void A_broken_image_trips_the_circuit_breaker_at_the_threshold_and_rolls_back()
    {
        EcsTestWorld t = SteadyService();
        string goodId = (string)t.Service("test", "web")["deployments"]![0]!["id"]!;
        t.Register("web", $"{EcsTestWorld.Registry}/app:broken.1");
        string failingId = (string)t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""")["service"]!["deployments"]![0]!["id"]!;

        int minRunning = int.MaxValue;
        JsonObject? tripped = null;
        t.RunUntil(() =>
        {
            JsonObject service = t.Service("test", "web");
            minRunning = Math.Min(minRunning, (int)service["runningCount"]!);
            tripped ??= service["deployments"]!.AsArray().Any(d => (string?)d!["rolloutState"] == "FAILED") ? service : null;
            return tripped is not null;
        }, Patience);

        // Right after the trip: the rollback is PRIMARY, the failed deployment still listed (ACTIVE, FAILED).
        JsonArray deployments = tripped!["deployments"]!.AsArray();
        JsonNode rollback = deployments[0]!;
        Assert.Equal("PRIMARY", (string?)rollback["status"]);
        Assert.NotEqual(failingId, (string?)rollback["id"]);
        Assert.Equal("IN_PROGRESS", (string?)rollback["rolloutState"]);
        Assert.Equal($"ECS deployment circuit breaker: rolling back to deploymentId {goodId}.", (string?)rollback["rolloutStateReason"]);
        Assert.EndsWith("task-definition/web:1", (string?)rollback["taskDefinition"]);
        Assert.EndsWith("task-definition/web:1", (string?)tripped["taskDefinition"]);
        JsonNode failed = deployments.Single(d => (string?)d!["id"] == failingId)!;
        Assert.Equal("ACTIVE", (string?)failed["status"]);
        Assert.Equal("FAILED", (string?)failed["rolloutState"]);
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", (string?)failed["rolloutStateReason"]);
        Assert.Equal(3, (int)failed["failedTasks"]!);   // ceil(0.5 * 2) clamped to at least 3
        Assert.Contains(deployments, d => (string?)d!["id"] == goodId && (int)d["runningCount"]! == 2);

        t.RunUntil(() =>
        {
            JsonObject service = t.Service("test", "web");
            minRunning = Math.Min(minRunning, (int)service["runningCount"]!);
            return IsSteady(service);
        }, Patience);
        Assert.Equal(2, minRunning);   // minimumHealthyPercent 100: the good tasks served throughout
        JsonObject done = t.Service("test", "web");
        JsonNode final = done["deployments"]!.AsArray().Single()!;
        Assert.Equal((string?)rollback["id"], (string?)final["id"]);
        Assert.Equal("COMPLETED", (string?)final["rolloutState"]);
        Assert.EndsWith("task-definition/web:1", (string?)done["taskDefinition"]);

        List<string> events = t.Events("test", "web");
        int failure = events.IndexOf($"(service web) (deployment {failingId}) deployment failed: tasks failed to start.");
        Assert.True(failure > 0, string.Join("\n", events));
        Assert.Equal($"(service web) (deployment {(string)rollback["id"]!}) deployment completed.", events[^2]);
        Assert.Equal("(service web) has reached a steady state.", events[^1]);

        // The failed tasks say why: the essential container exited with 1.
        List<JsonObject> crashed = t.Tasks("test", "web", "STOPPED").Where(x => (string?)x["startedBy"] == failingId).ToList();
        Assert.True(crashed.Count >= 3);
        Assert.All(crashed, task =>
        {
            Assert.Equal("EssentialContainerExited", (string?)task["stopCode"]);
            Assert.Equal("Essential container in task exited", (string?)task["stoppedReason"]);
            Assert.Equal(1, (int)task["containers"]![0]!["exitCode"]!);
            Assert.NotNull(task["startedAt"]);
        });
    }

    [Fact]
    public void A_crashing_container_exits_with_its_image_exit_code()
    {
        EcsTestWorld t = SteadyService(desired: 1, configuration: BreakerNoRollback);
        t.World.Repositories["app"].Images.Single(i => i.Tags.Contains("broken.1")).FailureExitCode = 137;
        t.Register("web", $"{EcsTestWorld.Registry}/app:broken.1");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        t.RunUntil(() => t.Tasks("test", "web", "STOPPED").Count > 0, Patience);
        JsonObject crashed = t.Tasks("test", "web", "STOPPED")[0];
        Assert.Equal("EssentialContainerExited", (string?)crashed["stopCode"]);
        Assert.Equal(137, (int)crashed["containers"]![0]!["exitCode"]!);
        Assert.Equal("exit status 1: uninitialized constant Mighty::Boom", (string?)crashed["containers"]![0]!["reason"]);
    }

    [Fact]
    public void Without_rollback_the_failed_deployment_stays_primary_and_the_old_one_keeps_serving()
    {
        EcsTestWorld t = SteadyService(configuration: BreakerNoRollback);
        string goodId = (string)t.Service("test", "web")["deployments"]![0]!["id"]!;
        t.Register("web", $"{EcsTestWorld.Registry}/app:broken.1");
        string failingId = (string)t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""")["service"]!["deployments"]![0]!["id"]!;
        t.RunUntil(() => (string?)t.Service("test", "web")["deployments"]![0]!["rolloutState"] == "FAILED", Patience);
        int stoppedAtTrip = t.Tasks("test", "web", "STOPPED").Count;

        t.Advance(TimeSpan.FromMinutes(30));
        JsonObject service = t.Service("test", "web");
        JsonArray deployments = service["deployments"]!.AsArray();
        Assert.Equal(2, deployments.Count);
        Assert.Equal(failingId, (string?)deployments[0]!["id"]);
        Assert.Equal("PRIMARY", (string?)deployments[0]!["status"]);
        Assert.Equal("FAILED", (string?)deployments[0]!["rolloutState"]);
        Assert.Equal(0, (int)deployments[0]!["runningCount"]!);
        Assert.Equal(goodId, (string?)deployments[1]!["id"]);
        Assert.Equal(2, (int)deployments[1]!["runningCount"]!);
        Assert.Equal(2, (int)service["runningCount"]!);
        // A failed deployment launches nothing more (the stray in-flight task may still have stopped).
        Assert.InRange(t.Tasks("test", "web", "STOPPED").Count, stoppedAtTrip, stoppedAtTrip + 1);
        Assert.DoesNotContain("steady state", (string?)service["events"]![0]!["message"]);
    }

    [Fact]
    public void A_rollback_that_fails_too_is_not_rolled_back_again()
    {
        EcsTestWorld t = SteadyService();
        // The image the service runs disappears from the registry (a lifecycle policy, say): its
        // digest, which the rollback's service revision pins, can no longer be pulled.
        t.World.Repositories["app"].Images.RemoveAll(i => i.Tags.Contains("v1"));
        t.Register("web", $"{EcsTestWorld.Registry}/app:broken.1");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        t.Advance(TimeSpan.FromMinutes(30));
        JsonObject service = t.Service("test", "web");
        // The rollback deployment (back to web:1) is PRIMARY and FAILED itself; nothing new was started after it.
        JsonNode primary = service["deployments"]![0]!;
        Assert.EndsWith("task-definition/web:1", (string?)primary["taskDefinition"]);
        Assert.Equal("FAILED", (string?)primary["rolloutState"]);
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", (string?)primary["rolloutStateReason"]);
        Assert.Equal(2, t.Events("test", "web").Count(e => e.EndsWith("deployment failed: tasks failed to start.", StringComparison.Ordinal)));
        // The tasks that were already running keep running.
        Assert.Equal(2, (int)service["runningCount"]!);
    }

    [Fact]
    public void Deleting_a_service_with_a_failed_deployment_still_drains_it()
    {
        EcsTestWorld t = SteadyService(configuration: BreakerNoRollback);
        t.Register("web", $"{EcsTestWorld.Registry}/app:broken.1");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        t.RunUntil(() => (string?)t.Service("test", "web")["deployments"]![0]!["rolloutState"] == "FAILED", Patience);
        t.Call("DeleteService", """{"cluster":"test","service":"web","force":true}""");
        t.RunUntil(() => (string?)t.Service("test", "web")["status"] == "INACTIVE", Patience);
        Assert.Empty(t.Tasks("test", "web"));
    }

    [Fact]
    public void A_missing_tag_fails_at_pull_with_CannotPullContainerError()
    {
        EcsTestWorld t = SteadyService(configuration: BreakerNoRollback);
        string image = $"{EcsTestWorld.Registry}/app:v9";
        t.Register("web", image);
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        t.RunUntil(() => (string?)t.Service("test", "web")["deployments"]![0]!["rolloutState"] == "FAILED", Patience);
        JsonObject task = t.Tasks("test", "web", "STOPPED").First(x => ((string)x["taskDefinitionArn"]!).EndsWith(":2", StringComparison.Ordinal));
        Assert.Equal("TaskFailedToStart", (string?)task["stopCode"]);
        Assert.StartsWith("CannotPullContainerError: ", (string?)task["stoppedReason"]);
        Assert.EndsWith($"{image}: not found", (string?)task["stoppedReason"]);
        Assert.Null(task["startedAt"]);
        Assert.NotNull(task["pullStartedAt"]);
        Assert.Equal((string?)task["stoppedReason"], (string?)task["containers"]![0]!["reason"]);
        Assert.Null(task["containers"]![0]!["imageDigest"]);
    }

    [Fact]
    public void A_failing_deployment_backs_off_between_launch_attempts()
    {
        // No breaker: ECS keeps trying, further and further apart.
        EcsTestWorld t = SteadyService(desired: 1, configuration: """{"maximumPercent":200,"minimumHealthyPercent":100}""");
        t.Register("web", $"{EcsTestWorld.Registry}/app:broken.1");
        t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
        t.Advance(TimeSpan.FromMinutes(30));
        List<double> created = t.Tasks("test", "web", "STOPPED")
            .Where(x => ((string)x["taskDefinitionArn"]!).EndsWith(":2", StringComparison.Ordinal))
            .Select(x => (double)x["createdAt"]!).Order().ToList();
        Assert.InRange(created.Count, 5, 12);
        List<double> gaps = created.Zip(created.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps[^1] > gaps[0] * 4, string.Join(", ", gaps));
        Assert.Contains("(service web) is unable to consistently start tasks successfully.", t.Events("test", "web"));
        Assert.Equal(1, (int)t.Service("test", "web")["runningCount"]!);
    }

    [Fact]
    public void Tasks_go_through_the_lifecycle_with_timestamps_and_docker_details()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Call("RegisterTaskDefinition", $$"""
            {"family":"web","containerDefinitions":[
              {"name":"application","image":"{{EcsTestWorld.Registry}}/app:v1","memoryReservation":256,"cpu":256,"portMappings":[{"containerPort":3000}]},
              {"name":"nginx","image":"nginx:1.25","memory":128,"portMappings":[{"containerPort":80,"hostPort":8080}]}]}
            """);
        t.CreateService("test", "web", "web", 1);
        t.AdvanceSeconds(18);   // placed (10 s + the 5 s scheduler tick), still pulling
        JsonObject pending = t.Tasks("test", "web").Single();
        Assert.Equal("PENDING", (string?)pending["lastStatus"]);
        Assert.Equal("RUNNING", (string?)pending["desiredStatus"]);
        Assert.Null(pending["startedAt"]);
        Assert.Equal(1, (int)t.Service("test", "web")["pendingCount"]!);

        t.RunUntil(() => (string?)t.Tasks("test", "web").Single()["lastStatus"] == "RUNNING", Patience);
        JsonObject task = t.Tasks("test", "web").Single();
        double created = (double)task["createdAt"]!;
        Assert.True(created <= (double)task["pullStartedAt"]!);
        Assert.True((double)task["pullStartedAt"]! < (double)task["pullStoppedAt"]!);
        Assert.True((double)task["pullStoppedAt"]! < (double)task["startedAt"]!);
        Assert.Equal("CONNECTED", (string?)task["connectivity"]);
        Assert.True((long)task["version"]! >= 2);
        Assert.Equal("256", (string?)task["cpu"]);       // 256 + nginx's default 0
        Assert.Equal("384", (string?)task["memory"]);    // 256 reserved + nginx's 128 hard limit
        Assert.Equal("us-east-1a", (string?)task["availabilityZone"]);
        Assert.Matches("^arn:aws:ecs:us-east-1:123456789012:task/test/[0-9a-f]{32}$", (string?)task["taskArn"]);
        Assert.Matches("^arn:aws:ecs:us-east-1:123456789012:container-instance/test/[0-9a-f]{32}$", (string?)task["containerInstanceArn"]);
        JsonNode app = task["containers"]!.AsArray().Single(c => (string?)c!["name"] == "application")!;
        Assert.Matches("^[0-9a-f]{64}$", (string?)app["runtimeId"]);
        Assert.Equal(t.World.Repositories["app"].Images.Single(i => i.Tags.Contains("v1")).Digest, (string?)app["imageDigest"]);
        Assert.Matches("^arn:aws:ecs:us-east-1:123456789012:container/test/[0-9a-f]{32}/[0-9a-f-]{36}$", (string?)app["containerArn"]);
        JsonNode binding = app["networkBindings"]![0]!;
        Assert.Equal(3000, (int)binding["containerPort"]!);
        Assert.InRange((int)binding["hostPort"]!, 32768, 60999);
        JsonNode nginx = task["containers"]!.AsArray().Single(c => (string?)c!["name"] == "nginx")!;
        Assert.Equal(8080, (int)nginx["networkBindings"]![0]!["hostPort"]!);
        Assert.StartsWith("sha256:", (string?)nginx["imageDigest"]);
        Assert.Equal("RUNNING", (string?)nginx["lastStatus"]);
    }

    [Fact]
    public void Awsvpc_tasks_get_an_ENI_and_a_network_change_is_a_new_deployment()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Call("RegisterTaskDefinition", $$"""
            {"family":"api","networkMode":"awsvpc","containerDefinitions":[{"name":"application","image":"{{EcsTestWorld.Registry}}/app:v1","memory":256,"portMappings":[{"containerPort":3000}]}]}
            """);
        Assert.Equal("InvalidParameterException", t.Fails("CreateService", """{"cluster":"test","serviceName":"api","taskDefinition":"api","desiredCount":1}""").Code);
        t.Call("CreateService", """
            {"cluster":"test","serviceName":"api","taskDefinition":"api","desiredCount":1,
             "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aaa"],"securityGroups":["sg-0bbb"]}}}
            """);
        t.RunUntil(() => t.Tasks("test", "api").Count == 1, Patience);
        Assert.Equal("PROVISIONING", (string?)t.Tasks("test", "api").Single()["lastStatus"]);   // the ENI is being attached
        t.AdvanceSeconds(8);
        Assert.Equal("PENDING", (string?)t.Tasks("test", "api").Single()["lastStatus"]);
        t.RunUntil(() => IsSteady(t.Service("test", "api")), Patience);
        JsonObject task = t.Tasks("test", "api").Single();
        JsonNode attachment = task["attachments"]!.AsArray().Single()!;
        Assert.Equal("ElasticNetworkInterface", (string?)attachment["type"]);
        Assert.Equal("subnet-0aaa", (string?)attachment["details"]!.AsArray().Single(d => (string?)d!["name"] == "subnetId")!["value"]);
        JsonNode container = task["containers"]![0]!;
        Assert.Empty(container["networkBindings"]!.AsArray());
        Assert.Equal((string?)attachment["id"], (string?)container["networkInterfaces"]![0]!["attachmentId"]);
        Assert.Matches(@"^10\.0\.\d+\.\d+$", (string?)container["networkInterfaces"]![0]!["privateIpv4Address"]);
        Assert.Equal("subnet-0aaa", (string?)t.Service("test", "api")["deployments"]![0]!["networkConfiguration"]!["awsvpcConfiguration"]!["subnets"]![0]);

        JsonObject updated = t.Call("UpdateService", """
            {"cluster":"test","service":"api","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0ccc"],"securityGroups":["sg-0bbb"]}}}
            """)["service"]!.AsObject();
        Assert.Equal(2, updated["deployments"]!.AsArray().Count);
        Assert.Equal("subnet-0ccc", (string?)updated["deployments"]![0]!["networkConfiguration"]!["awsvpcConfiguration"]!["subnets"]![0]);
    }

    private static (string, string) Describe(SandboxException error) => (error.Code, error.Message);

    [Fact]
    public void Fargate_tasks_run_on_no_container_instance_with_an_ENI_as_ECS_reports_them()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Call("RegisterTaskDefinition", $$"""
            {"family":"bridged","containerDefinitions":[{"name":"application","image":"{{EcsTestWorld.Registry}}/app:v1","memory":256}]}
            """);
        t.Call("RegisterTaskDefinition", $$"""
            {"family":"api","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
             "containerDefinitions":[{"name":"application","image":"{{EcsTestWorld.Registry}}/app:v1","portMappings":[{"containerPort":3000}]}]}
            """);
        const string network = """ "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0aaa"],"securityGroups":["sg-0bbb"]}} """;
        Assert.Equal(("InvalidParameterException", "Task definition does not support launch_type FARGATE."),
            Describe(t.Fails("CreateService", $$"""{"cluster":"test","serviceName":"x","taskDefinition":"bridged","desiredCount":1,"launchType":"FARGATE"}""")));
        Assert.Equal("InvalidParameterException",
            t.Fails("CreateService", $$"""{"cluster":"test","serviceName":"x","taskDefinition":"api","desiredCount":1,"launchType":"EXTERNAL",{{network}}}""").Code);
        JsonObject created = t.Call("CreateService", $$"""
            {"cluster":"test","serviceName":"api","taskDefinition":"api","desiredCount":2,"launchType":"FARGATE",{{network}}}
            """)["service"]!.AsObject();
        Assert.Equal("FARGATE", (string?)created["launchType"]);
        Assert.Equal("LATEST", (string?)created["platformVersion"]);

        t.RunUntil(() => IsSteady(t.Service("test", "api")), Patience);
        List<JsonObject> tasks = t.Tasks("test", "api");
        Assert.Equal(2, tasks.Count);
        foreach (JsonObject task in tasks)
        {
            Assert.False(task.ContainsKey("containerInstanceArn"));
            Assert.Equal("FARGATE", (string?)task["launchType"]);
            Assert.Equal("1.4.0", (string?)task["platformVersion"]);
            Assert.Equal("Linux", (string?)task["platformFamily"]);
            Assert.Equal(20, (int)task["ephemeralStorage"]!["sizeInGiB"]!);
            Assert.Equal("RUNNING", (string?)task["lastStatus"]);
            JsonNode attachment = task["attachments"]!.AsArray().Single()!;
            Assert.Equal("ElasticNetworkInterface", (string?)attachment["type"]);
            Assert.Equal("ATTACHED", (string?)attachment["status"]);
            string? ip = (string?)attachment["details"]!.AsArray().Single(d => (string?)d!["name"] == "privateIPv4Address")!["value"];
            Assert.Matches(@"^10\.0\.\d+\.\d+$", ip);
            JsonNode container = task["containers"]![0]!;
            Assert.Equal(ip, (string?)container["networkInterfaces"]![0]!["privateIpv4Address"]);
            string taskId = ((string)task["taskArn"]!).Split('/')[^1];
            Assert.Matches($"^{taskId}-[0-9]+$", (string?)container["runtimeId"]);
        }
        // Spread over Availability Zones; nothing is reserved on the cluster's one EC2 instance.
        Assert.Equal(2, tasks.Select(task => (string?)task["availabilityZone"]).Distinct().Count());
        JsonNode instance = t.Call("DescribeContainerInstances", $$"""{"cluster":"test","containerInstances":["{{t.Call("ListContainerInstances", """{"cluster":"test"}""")["containerInstanceArns"]![0]}}"]}""")["containerInstances"]![0]!;
        Assert.Equal(0, (int)instance["runningTasksCount"]!);
        Assert.Equal(2, t.Call("ListTasks", """{"cluster":"test","launchType":"FARGATE"}""")["taskArns"]!.AsArray().Count);
        Assert.Empty(t.Call("ListTasks", """{"cluster":"test","launchType":"EC2"}""")["taskArns"]!.AsArray());
        JsonNode statistics = t.Call("DescribeClusters", """{"clusters":["test"],"include":["STATISTICS"]}""")["clusters"]![0]!;
        Assert.Equal("2", (string?)statistics["statistics"]!.AsArray().Single(s => (string?)s!["name"] == "runningFargateTasksCount")!["value"]);
    }

    [Fact]
    public void External_tasks_run_only_on_external_instances_whose_id_is_a_managed_instance()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        string externalArn = t.Api.RegisterExternalInstance("test");
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1");
        t.Call("CreateService", """{"cluster":"test","serviceName":"edge","taskDefinition":"web","desiredCount":2,"launchType":"EXTERNAL"}""");
        t.CreateService("test", "web", "web", 2);
        t.RunUntil(() => IsSteady(t.Service("test", "edge")) && IsSteady(t.Service("test", "web")), Patience);

        List<JsonObject> external = t.Tasks("test", "edge");
        Assert.Equal(2, external.Count);
        Assert.All(external, task =>
        {
            Assert.Equal("EXTERNAL", (string?)task["launchType"]);
            Assert.Equal(externalArn, (string?)task["containerInstanceArn"]);
            Assert.False(task.ContainsKey("availabilityZone"));
        });
        Assert.All(t.Tasks("test", "web"), task =>
        {
            Assert.Equal("EC2", (string?)task["launchType"]);
            Assert.NotEqual(externalArn, (string?)task["containerInstanceArn"]);
        });
        JsonNode instance = t.Call("DescribeContainerInstances", $$"""{"cluster":"test","containerInstances":["{{externalArn}}"]}""")["containerInstances"]![0]!;
        string managedId = (string)instance["ec2InstanceId"]!;
        Assert.Matches("^mi-[0-9a-f]{17}$", managedId);
        Assert.Equal(2, (int)instance["runningTasksCount"]!);
        Assert.DoesNotContain(managedId, t.World.Instances.Keys);   // EC2 does not know it
    }

    [Fact]
    public void Tasks_that_do_not_fit_are_reported_with_the_placement_event()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Register("big", $"{EcsTestWorld.Registry}/app:v1", memory: 6000);
        t.CreateService("test", "big", "big", 3);
        t.Advance(TimeSpan.FromMinutes(2));
        JsonObject service = t.Service("test", "big");
        Assert.Equal(2, (int)service["runningCount"]!);
        List<string> events = t.Events("test", "big");
        string unable = Assert.Single(events, e => e.Contains("was unable to place a task", StringComparison.Ordinal));
        Assert.Matches(@"^\(service big\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]{32}\) has insufficient memory available\.", unable);
        Assert.Equal("IN_PROGRESS", (string?)service["deployments"]![0]!["rolloutState"]);
    }

    [Fact]
    public void Container_instances_account_for_the_tasks_they_run()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1", extra: ""","portMappings":[{"containerPort":80,"hostPort":80}]""");
        t.CreateService("test", "web", "web", 1);
        t.RunUntil(() => (int)t.Service("test", "web")["runningCount"]! == 1, Patience);
        string arn = (string)t.Tasks("test", "web").Single()["containerInstanceArn"]!;
        JsonNode instance = t.Call("DescribeContainerInstances", $$"""{"cluster":"test","containerInstances":["{{arn}}"]}""")["containerInstances"]![0]!;
        Assert.Equal(1, (int)instance["runningTasksCount"]!);
        Assert.Equal(0, (int)instance["pendingTasksCount"]!);
        JsonArray remaining = instance["remainingResources"]!.AsArray();
        Assert.Equal(4096 - 128, (int)remaining.Single(r => (string?)r!["name"] == "CPU")!["integerValue"]!);
        Assert.Equal(15_576 - 512, (int)remaining.Single(r => (string?)r!["name"] == "MEMORY")!["integerValue"]!);
        Assert.Contains("80", remaining.Single(r => (string?)r!["name"] == "PORTS")!["stringSetValue"]!.AsArray().Select(p => (string?)p));

        // The static port is taken: a second task cannot go on the only instance.
        t.Call("UpdateService", """{"cluster":"test","service":"web","desiredCount":2}""");
        t.Advance(TimeSpan.FromMinutes(1));
        Assert.Contains(t.Events("test", "web"), e => e.Contains("is already using a port required by your task", StringComparison.Ordinal));
    }

    [Fact]
    public void Stopped_tasks_stay_describable_for_an_hour()
    {
        EcsTestWorld t = SteadyService(desired: 1);
        string taskArn = (string)t.Tasks("test", "web").Single()["taskArn"]!;
        t.Call("StopTask", $$"""{"cluster":"test","task":"{{taskArn}}","reason":"testing"}""");
        t.RunUntil(() => t.Tasks("test", "web").Count == 1 && (string?)t.Tasks("test", "web")[0]["lastStatus"] == "RUNNING", Patience);
        JsonObject stopped = t.Tasks("test", "web", "STOPPED").Single();
        Assert.Equal("UserInitiated", (string?)stopped["stopCode"]);
        Assert.Equal("testing", (string?)stopped["stoppedReason"]);
        t.Advance(TimeSpan.FromMinutes(55));
        Assert.Single(t.Call("DescribeTasks", $$"""{"cluster":"test","tasks":["{{taskArn}}"]}""")["tasks"]!.AsArray());
        t.Advance(TimeSpan.FromMinutes(10));
        JsonNode gone = t.Call("DescribeTasks", $$"""{"cluster":"test","tasks":["{{taskArn}}"]}""");
        Assert.Empty(gone["tasks"]!.AsArray());
        Assert.Equal("MISSING", (string?)gone["failures"]![0]!["reason"]);
    }

    [Fact]
    public void A_steady_service_repeats_the_steady_state_event_every_six_hours_and_keeps_100_events()
    {
        EcsTestWorld t = SteadyService(desired: 1);
        t.Advance(TimeSpan.FromHours(13));
        List<JsonNode> events = t.Service("test", "web")["events"]!.AsArray().Select(e => e!).ToList();
        Assert.Equal(5, events.Count);   // started, completed, steady + two repeats
        Assert.Equal(6 * 3600, (double)events[0]["createdAt"]! - (double)events[1]["createdAt"]!, 1);

        t.Advance(TimeSpan.FromDays(40));
        JsonArray all = t.Service("test", "web")["events"]!.AsArray();
        Assert.Equal(100, all.Count);
        Assert.All(all, e => Assert.Equal("(service web) has reached a steady state.", (string?)e!["message"]));
        List<double> times = all.Select(e => (double)e!["createdAt"]!).ToList();
        Assert.Equal(times.OrderByDescending(x => x), times);   // newest first
    }

    [Fact]
    public void Force_new_deployment_replaces_tasks_with_the_same_definition()
    {
        EcsTestWorld t = SteadyService();
        List<string> before = t.Tasks("test", "web").Select(x => (string)x["taskArn"]!).ToList();
        JsonObject service = t.Call("UpdateService", """{"cluster":"test","service":"web","forceNewDeployment":true}""")["service"]!.AsObject();
        Assert.Equal(2, service["deployments"]!.AsArray().Count);
        Assert.EndsWith(":1", (string?)service["deployments"]![0]!["taskDefinition"]);
        t.RunUntil(() => IsSteady(t.Service("test", "web")) && t.Service("test", "web")["deployments"]![0]!["id"]!.ToString() == (string?)service["deployments"]![0]!["id"], Patience);
        Assert.Empty(t.Tasks("test", "web").Select(x => (string)x["taskArn"]!).Intersect(before));

        // The same definition again without force is no deployment.
        JsonObject same = t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web:1"}""")["service"]!.AsObject();
        Assert.Single(same["deployments"]!.AsArray());
    }

    [Fact]
    public void Seeded_runs_are_repeatable()
    {
        static string Run()
        {
            EcsTestWorld t = SteadyService();
            t.Register("web", $"{EcsTestWorld.Registry}/app:v2");
            t.Call("UpdateService", """{"cluster":"test","service":"web","taskDefinition":"web"}""");
            t.Advance(TimeSpan.FromMinutes(5));
            return Regex.Replace(t.Service("test", "web").ToJsonString(), @"""(createdAt|updatedAt)"":[0-9.]+", string.Empty);
        }
        Assert.Equal(Run(), Run());
    }
}
