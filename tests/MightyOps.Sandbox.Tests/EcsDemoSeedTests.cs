using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Sandbox.Ecs;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The demo world the sandbox starts with: steady services with a believable history.</summary>
public sealed class EcsDemoSeedTests
{
    private static readonly EcsTestWorld Demo = new(demo: true);

    private static List<string> ServiceNames(string cluster)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var body = new JsonObject { ["cluster"] = cluster, ["maxResults"] = 100 };
            if (token is not null)
            {
                body["nextToken"] = token;
            }
            JsonNode page = Demo.Call("ListServices", body);
            names.AddRange(page["serviceArns"]!.AsArray().Select(a => ((string)a!).Split('/')[^1]));
            token = (string?)page["nextToken"];
        }
        while (token is not null);
        return names;
    }

    [Fact]
    public void Production_runs_WEB_API_and_a_worker_per_queue_all_steady_on_master_4()
    {
        List<string> names = ServiceNames("production");
        Assert.Equal(32, names.Count);
        Assert.Contains("WEB", names);
        Assert.Contains("API", names);
        Assert.Equal(30, EcsDemoSeed.Workers.Count);
        Assert.Subset(names.ToHashSet(), EcsDemoSeed.Workers.Select(w => w.Queue).ToHashSet());

        foreach (string[] batch in names.Chunk(10))
        {
            var body = new JsonObject { ["cluster"] = "production", ["services"] = new JsonArray(batch.Select(n => (JsonNode?)n).ToArray()) };
            foreach (JsonNode? service in Demo.Call("DescribeServices", body)["services"]!.AsArray())
            {
                string name = (string)service!["serviceName"]!;
                JsonNode deployment = service["deployments"]!.AsArray().Single()!;
                Assert.Equal("COMPLETED", (string?)deployment["rolloutState"]);
                Assert.Equal((int)service["desiredCount"]!, (int)service["runningCount"]!);
                Assert.Equal(0, (int)service["pendingCount"]!);
                Assert.EndsWith($"task-definition/{name}:2", (string?)service["taskDefinition"]);
                Assert.True((bool)service["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["rollback"]!);
                Assert.Equal("(service " + name + ") has reached a steady state.", (string?)service["events"]![0]!["message"]);
                // History: created on master.3 ten days ago, master.4 deployed since; events newest first.
                List<string> messages = service["events"]!.AsArray().Select(e => (string)e!["message"]!).ToList();
                Assert.Equal(2, messages.Count(m => m.EndsWith("deployment completed.", StringComparison.Ordinal)));
                List<double> times = service["events"]!.AsArray().Select(e => (double)e!["createdAt"]!).ToList();
                Assert.Equal(times.OrderByDescending(x => x), times);
                Assert.True((double)service["createdAt"]! < DateTimeOffset.UtcNow.AddDays(-9).ToUnixTimeSeconds());
            }
        }
    }

    [Fact]
    public void WEB_runs_the_application_and_nginx_from_the_sandbox_registry()
    {
        JsonNode definition = Demo.Call("DescribeTaskDefinition", """{"taskDefinition":"WEB","include":["TAGS"]}""");
        JsonNode td = definition["taskDefinition"]!;
        Assert.Equal(2, (int)td["revision"]!);
        JsonArray containers = td["containerDefinitions"]!.AsArray();
        Assert.Equal(["application", "nginx"], containers.Select(c => (string)c!["name"]!));
        Assert.Equal($"{Demo.World.RegistryHost}/app:master.4", (string?)containers[0]!["image"]);
        Assert.Equal($"{Demo.World.RegistryHost}/nginx-proxy:master.4", (string?)containers[1]!["image"]);
        Assert.Equal(80, (int)containers[1]!["portMappings"]![0]!["containerPort"]!);
        Assert.Equal("mighty", (string?)definition["tags"]![0]!["value"]);

        JsonNode previous = Demo.Call("DescribeTaskDefinition", """{"taskDefinition":"WEB:1"}""")["taskDefinition"]!;
        Assert.Equal($"{Demo.World.RegistryHost}/app:master.3", (string?)previous["containerDefinitions"]![0]!["image"]);

        List<JsonObject> tasks = Demo.Tasks("production", "WEB");
        Assert.Equal(2, tasks.Count);
        string digest = Demo.World.Repositories["app"].Images.Single(i => i.Tags.Contains("master.4")).Digest;
        Assert.All(tasks, t => Assert.Equal(digest, (string?)t["containers"]![0]!["imageDigest"]));
        // Spread across Availability Zones.
        Assert.Equal(2, tasks.Select(t => (string?)t["availabilityZone"]).Distinct().Count());
    }

    [Fact]
    public void Workers_run_sidekiq_on_their_own_queue()
    {
        JsonNode td = Demo.Call("DescribeTaskDefinition", """{"taskDefinition":"ios_web_scrape"}""")["taskDefinition"]!;
        JsonNode sidekiq = td["containerDefinitions"]!.AsArray().Single()!;
        Assert.Equal("sidekiq", (string?)sidekiq["name"]);
        Assert.Equal(["bundle", "exec", "sidekiq", "-q", "ios_web_scrape"], sidekiq["command"]!.AsArray().Select(c => (string)c!));
        Assert.Contains(EcsDemoSeed.Workers, w => w.DesiredCount == 0);
        Assert.All(EcsDemoSeed.Workers, w => Assert.InRange(w.DesiredCount, 0, 2));
    }

    [Fact]
    public void Container_instances_are_backed_by_distinct_EC2_instances_on_loopback()
    {
        JsonArray arns = Demo.Call("ListContainerInstances", """{"cluster":"production"}""")["containerInstanceArns"]!.AsArray();
        // Three web instances and the ten of the Spot worker group.
        Assert.Equal(13, arns.Count);
        var body = new JsonObject { ["cluster"] = "production", ["containerInstances"] = arns.DeepClone() };
        JsonArray instances = Demo.Call("DescribeContainerInstances", body)["containerInstances"]!.AsArray();
        var ec2 = instances.Select(i => Demo.World.Instances[(string)i!["ec2InstanceId"]!]).ToList();
        Assert.All(ec2, i => Assert.Matches("^i-0[0-9a-f]{16}$", i.InstanceId));
        Assert.All(ec2, i => Assert.Equal("127.0.0.1", i.PrivateIpAddress));
        Assert.Equal(13, ec2.Select(i => i.PrivateDnsName).Distinct().Count());
        Assert.True(ec2.Select(i => i.AvailabilityZone).Distinct().Count() >= 3);
        int tasksOnInstances = instances.Sum(i => (int)i!["runningTasksCount"]!);
        int expected = 4 + EcsDemoSeed.Workers.Sum(w => w.DesiredCount);
        Assert.Equal(expected, tasksOnInstances);
        JsonNode cluster = Demo.Call("DescribeClusters", """{"clusters":["production"],"include":["STATISTICS"]}""")["clusters"]![0]!;
        Assert.Equal(expected, (int)cluster["runningTasksCount"]!);
        Assert.Equal(32, (int)cluster["activeServicesCount"]!);
        Assert.Equal(13, (int)cluster["registeredContainerInstancesCount"]!);
    }

    [Fact]
    public void The_demo_can_deploy_a_broken_build_and_roll_back()
    {
        var t = new EcsTestWorld(demo: true);
        t.Call("RegisterTaskDefinition", $$"""
            {"family":"API","containerDefinitions":[{"name":"application","image":"{{t.World.RegistryHost}}/app:broken.1","memoryReservation":512,"cpu":256}]}
            """);
        t.Call("UpdateService", """{"cluster":"production","service":"API","taskDefinition":"API"}""");
        t.RunUntil(() =>
        {
            JsonObject service = t.Service("production", "API");
            return service["deployments"]!.AsArray().Count == 1
                && ((string)service["taskDefinition"]!).EndsWith("API:2", StringComparison.Ordinal)
                && (string?)service["deployments"]![0]!["rolloutState"] == "COMPLETED";
        }, TimeSpan.FromMinutes(15));
        Assert.Contains(t.Events("production", "API"), e => e.EndsWith("deployment failed: tasks failed to start.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_staging_cluster_is_small()
    {
        JsonNode cluster = Demo.Call("DescribeClusters", """{"clusters":["staging"]}""")["clusters"]![0]!;
        Assert.Equal(1, (int)cluster["registeredContainerInstancesCount"]!);
        Assert.Equal(2, (int)cluster["activeServicesCount"]!);
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(73, 75)]
    public async Task WorkerServiceCount_sizes_the_demo_cluster(int workers, int services)
    {
        await using SandboxHost host = await SandboxHost.StartAsync(new SandboxOptions { WorkerServiceCount = workers });
        var api = new EcsApi(host.World);
        using JsonDocument request = JsonDocument.Parse("""{"cluster":"production","maxResults":100}""");
        JsonNode page;
        lock (host.World.Sync)
        {
            page = api.Invoke("ListServices", request.RootElement);
        }
        List<string> names = page["serviceArns"]!.AsArray().Select(a => ((string)a!).Split('/')[^1]).ToList();

        Assert.Equal(services, names.Count);
        Assert.Contains("WEB", names);
        Assert.Equal(workers > 30, names.Contains($"queue_{workers:000}"));
        Assert.Equal(workers >= 3, names.Contains(EcsDemoSeed.Workers[2].Queue));
    }
}
