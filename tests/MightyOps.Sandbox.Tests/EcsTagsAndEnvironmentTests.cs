using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// Resource tags through the real AWS CLI (botocore parses every answer), and the container
/// agent's environment files: read from the sandbox's S3 when a task starts, laid under the
/// definition's environment, and a ResourceInitializationError that trips the circuit breaker
/// when they cannot be read.
/// </summary>
public sealed class EcsTagsAndEnvironmentTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
    }

    private AwsCliResult Ok(params string[] args) => AwsCli.Ok(_host, args);

    [Fact]
    public void Services_and_task_definitions_are_tagged_untagged_and_listed()
    {
        const string service = "arn:aws:ecs:us-east-1:123456789012:service/production/WEB";
        Ok("ecs", "tag-resource", "--resource-arn", service, "--tags", "key=mightyops:release,value=master.5", "key=app,value=changed");
        JsonArray tags = Ok("ecs", "list-tags-for-resource", "--resource-arn", service).Json!["tags"]!.AsArray();
        Assert.Equal(["app=changed", "mightyops:release=master.5"], tags.Select(t => $"{t!["key"]}={t["value"]}").Order());
        JsonNode described = Ok("ecs", "describe-services", "--cluster", "production", "--services", "WEB", "--include", "TAGS").Json!;
        Assert.Contains(described["services"]![0]!["tags"]!.AsArray(), t => (string?)t!["key"] == "mightyops:release");

        Ok("ecs", "untag-resource", "--resource-arn", service, "--tag-keys", "mightyops:release", "not-there");
        tags = Ok("ecs", "list-tags-for-resource", "--resource-arn", service).Json!["tags"]!.AsArray();
        Assert.Equal(["app"], tags.Select(t => (string)t!["key"]!));

        string definition = (string)described["services"]![0]!["taskDefinition"]!;
        Ok("ecs", "tag-resource", "--resource-arn", definition, "--tags", "key=mightyops:previous-task-definition,value=WEB:1");
        JsonNode withTags = Ok("ecs", "describe-task-definition", "--task-definition", definition, "--include", "TAGS").Json!;
        Assert.Contains(withTags["tags"]!.AsArray(), t => (string?)t!["value"] == "WEB:1");
        Assert.Equal(2, Ok("ecs", "list-tags-for-resource", "--resource-arn", definition).Json!["tags"]!.AsArray().Count);
    }

    [Fact]
    public void Tagging_errors_are_the_ones_ECS_gives()
    {
        AwsCliResult missing = AwsCli.Run(_host, "ecs", "tag-resource", "--resource-arn", "arn:aws:ecs:us-east-1:123456789012:service/production/nope", "--tags", "key=a,value=b");
        Assert.Contains("(ResourceNotFoundException)", missing.Stderr);
        AwsCliResult noCluster = AwsCli.Run(_host, "ecs", "list-tags-for-resource", "--resource-arn", "arn:aws:ecs:us-east-1:123456789012:service/nowhere/WEB");
        Assert.Contains("(ClusterNotFoundException)", noCluster.Stderr);
        AwsCliResult reserved = AwsCli.Run(_host, "ecs", "tag-resource", "--resource-arn", "arn:aws:ecs:us-east-1:123456789012:cluster/production", "--tags", "key=aws:x,value=b");
        Assert.Contains("(InvalidParameterException)", reserved.Stderr);
        AwsCliResult notArn = AwsCli.Run(_host, "ecs", "list-tags-for-resource", "--resource-arn", "WEB");
        Assert.Contains("(InvalidParameterException)", notArn.Stderr);
    }

    [Fact]
    public async Task A_task_sees_its_env_file_under_its_environment_and_the_admin_endpoint_shows_it()
    {
        PutObject("mighty-secrets", "production/API-test.env", "# merged secrets\nDATABASE_URL=postgres://u:p@db/x\nRAILS_ENV=staging\nEMPTY=\nWITH_EQUALS=a=b\n");
        string definition = RegisterApi(environmentFile: "arn:aws:s3:::mighty-secrets/production/API-test.env", executionRole: true);
        Deploy("API", definition);

        IReadOnlyList<SandboxContainer> containers = _host.Containers("production", "API").Where(c => c.TaskDefinitionArn == definition && c.LastStatus == "RUNNING").ToList();
        Assert.Equal(2, containers.Count);
        IReadOnlyDictionary<string, string> environment = containers[0].Environment;
        Assert.Equal("postgres://u:p@db/x", environment["DATABASE_URL"]);
        Assert.Equal("production", environment["RAILS_ENV"]);   // the definition's environment wins over the file
        Assert.Equal(string.Empty, environment["EMPTY"]);
        Assert.Equal("a=b", environment["WITH_EQUALS"]);

        JsonNode one = JsonNode.Parse(await _http.GetStringAsync(new Uri(_host.Endpoint, "/_sandbox/containers/" + containers[0].RuntimeId)))!;
        Assert.Equal("RUNNING", (string?)one["lastStatus"]);
        Assert.Equal("postgres://u:p@db/x", (string?)one["environment"]!["DATABASE_URL"]);
        JsonArray listed = JsonNode.Parse(await _http.GetStringAsync(new Uri(_host.Endpoint, "/_sandbox/containers?cluster=production&service=API")))!.AsArray();
        Assert.Contains(listed, c => (string?)c!["runtimeId"] == containers[0].RuntimeId);
        using HttpResponseMessage unknown = await _http.GetAsync(new Uri(_host.Endpoint, "/_sandbox/containers/nope"));
        Assert.Equal(404, (int)unknown.StatusCode);
    }

    [Theory]
    [InlineData(true, "NoSuchKey: The specified key does not exist.")]
    [InlineData(false, "NoCredentialProviders")]
    public void An_env_file_that_cannot_be_read_stops_the_task_and_the_circuit_breaker_rolls_back(bool executionRole, string expected)
    {
        string before = ServiceJson("API")["taskDefinition"]!.ToString();
        string definition = RegisterApi(environmentFile: "arn:aws:s3:::mighty-secrets/production/missing.env", executionRole);
        Ok("ecs", "update-service", "--cluster", "production", "--service", "API", "--task-definition", definition);
        _host.World.Clock.Advance(TimeSpan.FromMinutes(10));

        JsonArray stopped = Ok("ecs", "list-tasks", "--cluster", "production", "--service-name", "API", "--desired-status", "STOPPED").Json!["taskArns"]!.AsArray();
        JsonArray tasks = Ok(["ecs", "describe-tasks", "--cluster", "production", "--tasks", .. stopped.Select(t => (string)t!)]).Json!["tasks"]!.AsArray();
        JsonNode failed = tasks.First(t => (string?)t!["taskDefinitionArn"] == definition)!;
        Assert.Equal("TaskFailedToStart", (string?)failed["stopCode"]);
        Assert.StartsWith("ResourceInitializationError: failed to download env files: ", (string?)failed["stoppedReason"]);
        Assert.Contains(expected, (string?)failed["stoppedReason"]);

        JsonNode service = ServiceJson("API");
        Assert.Equal(before, service["taskDefinition"]!.ToString());
        Assert.Contains(service["events"]!.AsArray(), e => ((string)e!["message"]!).Contains("deployment failed: tasks failed to start", StringComparison.Ordinal));
    }

    private JsonNode ServiceJson(string name) =>
        Ok("ecs", "describe-services", "--cluster", "production", "--services", name).Json!["services"]![0]!;

    private string RegisterApi(string environmentFile, bool executionRole)
    {
        var request = new JsonObject
        {
            ["family"] = "API",
            ["networkMode"] = "bridge",
            ["containerDefinitions"] = new JsonArray(new JsonObject
            {
                ["name"] = "application",
                ["image"] = $"{_host.World.RegistryHost}/app:master.4",
                ["cpu"] = 256,
                ["memoryReservation"] = 512,
                ["environment"] = new JsonArray(new JsonObject { ["name"] = "RAILS_ENV", ["value"] = "production" }),
                ["environmentFiles"] = new JsonArray(new JsonObject { ["value"] = environmentFile, ["type"] = "s3" }),
            }),
        };
        if (executionRole)
        {
            request["executionRoleArn"] = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
        }
        return (string)Ok("ecs", "register-task-definition", "--cli-input-json", request.ToJsonString()).Json!["taskDefinition"]!["taskDefinitionArn"]!;
    }

    private void Deploy(string service, string definition)
    {
        Ok("ecs", "update-service", "--cluster", "production", "--service", service, "--task-definition", definition);
        // Long enough for a service behind a target group too: 2:30 of health checks, 5:00 of draining.
        _host.World.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("COMPLETED", (string?)ServiceJson(service)["deployments"]![0]!["rolloutState"]);
    }

    private void PutObject(string bucket, string key, string content)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        lock (_host.World.Sync)
        {
            _host.World.Buckets[bucket].Objects[key] = new SandboxObject
            {
                Key = key,
                Content = bytes,
                ETag = "\"" + Convert.ToHexStringLower(MD5.HashData(bytes)) + "\"",
                LastModified = _host.World.Clock.UtcNow,
            };
        }
    }
}
