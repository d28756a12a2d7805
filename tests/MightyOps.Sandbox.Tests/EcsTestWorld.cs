using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Sandbox.Ecs;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// A sandbox world with the ECS API called directly (no HTTP), its clock all but frozen so a
/// test moves simulated time itself with <see cref="Advance"/>.
/// </summary>
internal sealed class EcsTestWorld
{
    public const string Registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    public EcsTestWorld(bool demo = false, int randomSeed = 7)
    {
        // TimeScale must be positive; a microsecond per real second keeps the clock still for a test's duration.
        World = new SandboxWorld(new SandboxOptions { Seed = "empty", TimeScale = 1e-6, RandomSeed = randomSeed });
        // Start one second past a 5 s scheduler tick, so runs do not depend on the wall clock either.
        long ms = World.Clock.UtcNow.ToUnixTimeMilliseconds();
        Advance(TimeSpan.FromMilliseconds(5000 - (ms % 5000) + 1000));
        Api = new EcsApi(World);
        if (demo)
        {
            EcsDemoSeed.Apply(World, Api);
        }
    }

    public SandboxWorld World { get; }

    public EcsApi Api { get; }

    public JsonNode Call(string operation, string json = "{}")
    {
        using JsonDocument document = JsonDocument.Parse(json);
        lock (World.Sync)
        {
            return Api.Invoke(operation, document.RootElement);
        }
    }

    public JsonNode Call(string operation, JsonNode body) => Call(operation, body.ToJsonString());

    public SandboxException Fails(string operation, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        lock (World.Sync)
        {
            return Assert.Throws<SandboxException>(() => Api.Invoke(operation, document.RootElement));
        }
    }

    public void Advance(TimeSpan simulated) => World.Clock.Advance(simulated);

    public void AdvanceSeconds(double seconds) => Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>A small cluster with <paramref name="instances"/> m5.xlarge container instances and the app/nginx images.</summary>
    public void AddCluster(string name = "test", int instances = 2)
    {
        foreach (string repository in new[] { "app", "nginx-proxy" })
        {
            if (World.Repositories.ContainsKey(repository))
            {
                continue;
            }
            var repo = new SandboxRepository { Name = repository, CreatedAt = World.Clock.UtcNow };
            foreach (string tag in new[] { "v1", "v2", "v3", "broken.1" })
            {
                var image = new SandboxImage
                {
                    Digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository + tag))),
                    Manifest = "{}",
                    FailsToStart = tag.StartsWith("broken", StringComparison.Ordinal),
                    FailureReason = tag.StartsWith("broken", StringComparison.Ordinal) ? "exit status 1: uninitialized constant Mighty::Boom" : null,
                };
                image.Tags.Add(tag);
                repo.Images.Add(image);
            }
            World.Repositories[repository] = repo;
        }
        Api.CreateCluster(name);
        for (int i = 0; i < instances; i++)
        {
            var instance = new SandboxInstance
            {
                InstanceId = $"i-0{name.GetHashCode() & 0xffff:x4}{i:x12}",
                AvailabilityZone = "us-east-1" + (char)('a' + (i % 3)),
                PrivateDnsName = $"ip-10-0-0-{10 + i}.ec2.internal",
            };
            Api.RegisterContainerInstance(name, instance);
        }
    }

    public JsonNode Register(string family, string image, string extra = "", string container = "application", int memory = 512) =>
        Call("RegisterTaskDefinition", $$"""
            {"family":"{{family}}","containerDefinitions":[{"name":"{{container}}","image":"{{image}}","memoryReservation":{{memory}},"cpu":128{{extra}}}]}
            """);

    public JsonNode CreateService(string cluster, string name, string taskDefinition, int desired, string deploymentConfiguration = "")
    {
        string configuration = deploymentConfiguration.Length == 0 ? string.Empty : $",\"deploymentConfiguration\":{deploymentConfiguration}";
        return Call("CreateService", $$"""
            {"cluster":"{{cluster}}","serviceName":"{{name}}","taskDefinition":"{{taskDefinition}}","desiredCount":{{desired}}{{configuration}}}
            """);
    }

    public JsonObject Service(string cluster, string name) =>
        Call("DescribeServices", $$"""{"cluster":"{{cluster}}","services":["{{name}}"]}""")["services"]![0]!.AsObject();

    public List<JsonObject> Tasks(string cluster, string service, string desiredStatus = "RUNNING")
    {
        JsonArray arns = Call("ListTasks", $$"""{"cluster":"{{cluster}}","serviceName":"{{service}}","desiredStatus":"{{desiredStatus}}"}""")["taskArns"]!.AsArray();
        if (arns.Count == 0)
        {
            return [];
        }
        var body = new JsonObject { ["cluster"] = cluster, ["tasks"] = arns.DeepClone() };
        return Call("DescribeTasks", body)["tasks"]!.AsArray().Select(t => t!.AsObject()).ToList();
    }

    /// <summary>Event messages, oldest first (the API lists them newest first).</summary>
    public List<string> Events(string cluster, string service) =>
        Service(cluster, service)["events"]!.AsArray().Select(e => (string)e!["message"]!).Reverse().ToList();

    /// <summary>Advances in steps until <paramref name="done"/> holds (at most <paramref name="limit"/> simulated).</summary>
    public void RunUntil(Func<bool> done, TimeSpan limit, TimeSpan? step = null)
    {
        TimeSpan stepSize = step ?? TimeSpan.FromSeconds(1);
        for (TimeSpan waited = TimeSpan.Zero; waited <= limit; waited += stepSize)
        {
            if (done())
            {
                return;
            }
            Advance(stepSize);
        }
        Assert.Fail($"Not reached within {limit} of simulated time.");
    }
}
