using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The unsigned <c>/_sandbox/</c> endpoints scripts use with the standalone executable.</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { CaptureRequests = true, TimeScale = 1 });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
    }

    private Uri Url(string path) => new(_host.Endpoint, path);

    /// <summary>Admin POSTs are application/json, with or without a body.</summary>
    internal static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    internal static StringContent NoBody() => Json(string.Empty);

    [Fact]
    public async Task InfoListsTheConnectionDetailsAndEndpoints()
    {
        JsonNode info = JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/info")))!;
        Assert.Equal(_host.Endpoint.ToString().TrimEnd('/'), (string?)info["endpoint"]);
        Assert.Equal(_host.Options.AccessKeyId, (string?)info["accessKeyId"]);
        // The secret is handed over by whoever started the sandbox (stdout, Start-MightySandbox), never served.
        Assert.Null(info["secretAccessKey"]);
        Assert.DoesNotContain(_host.Options.SecretAccessKey, info.ToJsonString());
        Assert.Contains("POST /_sandbox/bad-image", info["endpoints"]!.AsArray().Select(e => (string)e!));
        JsonNode root = JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/")))!;
        Assert.Equal((string?)info["accountId"], (string?)root["accountId"]);
    }

    [Fact]
    public async Task AlarmsHooksAndTheLedgerAreSetThroughTheirEndpoints()
    {
        using HttpResponseMessage alarm = await _http.PostAsync(Url("/_sandbox/alarms"), Json("""{"name":"web-5xx","state":"ALARM"}"""));
        Assert.Equal(200, (int)alarm.StatusCode);
        lock (_host.World.Sync)
        {
            Assert.Contains("web-5xx", _host.World.Ecs.AlarmsInAlarm);
        }
        using HttpResponseMessage ok = await _http.PostAsync(Url("/_sandbox/alarms"), Json("""{"name":"web-5xx","state":"OK"}"""));
        lock (_host.World.Sync)
        {
            Assert.Empty(_host.World.Ecs.AlarmsInAlarm);
        }
        using HttpResponseMessage hook = await _http.PostAsync(Url("/_sandbox/hooks"), Json("""{"hookTargetArn":"arn:aws:lambda:us-east-1:123456789012:function:check","answer":"IN_PROGRESS"}"""));
        Assert.Equal(200, (int)hook.StatusCode);
        lock (_host.World.Sync)
        {
            Assert.Equal("IN_PROGRESS", _host.World.Ecs.LambdaHookAnswers["arn:aws:lambda:us-east-1:123456789012:function:check"]);
        }

        using var client = new SignedClient(_host);
        using HttpResponseMessage off = await _http.PostAsync(Url("/_sandbox/service-deployments"), Json("""{"available":false}"""));
        (int status, JsonNode? body, HttpResponseMessage refused) = await client.EcsAsync("ListServiceDeployments", """{"cluster":"production","service":"WEB"}""");
        refused.Dispose();
        Assert.Equal(400, status);
        Assert.Equal("UnsupportedFeatureException", (string?)body!["__type"]);
        using HttpResponseMessage on = await _http.PostAsync(Url("/_sandbox/service-deployments"), Json("""{"available":true}"""));
        (status, _, HttpResponseMessage answered) = await client.EcsAsync("ListServiceDeployments", """{"cluster":"production","service":"WEB"}""");
        answered.Dispose();
        Assert.Equal(200, status);

        foreach ((string path, string bad) in new[] { ("/_sandbox/alarms", """{"name":"x","state":"RED"}"""), ("/_sandbox/hooks", """{"hookTargetArn":"x","answer":"MAYBE"}"""), ("/_sandbox/service-deployments", """{"available":"no"}""") })
        {
            using HttpResponseMessage refusedBody = await _http.PostAsync(Url(path), Json(bad));
            Assert.Equal(400, (int)refusedBody.StatusCode);
        }
    }

    [Fact]
    public async Task MemoryCountsWhatTheSandboxHoldsAndWhatItCosts()
    {
        JsonNode memory = JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/memory?collect=true")))!;

        SandboxFootprint footprint = _host.Footprint();
        Assert.Equal(footprint.Tasks, (int)memory["tasks"]!);
        Assert.Equal(footprint.Services, (int)memory["services"]!);
        Assert.Equal(footprint.TaskDefinitions, (int)memory["taskDefinitions"]!);
        Assert.Equal(footprint.MostEventsPerService, (int)memory["mostEventsPerService"]!);
        Assert.Equal(0, (int)memory["stoppedTasks"]!);
        Assert.Null(memory["oldestStoppedAt"]);
        Assert.True((long)memory["managedHeapBytes"]! > 0);
        Assert.True((long)memory["workingSetBytes"]! >= (long)memory["managedHeapBytes"]!);
        Assert.Contains("GET /_sandbox/memory", JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/info")))!["endpoints"]!.AsArray().Select(e => (string)e!));
    }

    [Fact]
    public async Task ContainersAreReadByRuntimeIdWithTheirEnvironment()
    {
        using var client = new SignedClient(_host);
        JsonNode tasks = (await client.EcsAsync("ListTasks", "{\"cluster\":\"production\",\"serviceName\":\"API\"}")).Body!;
        string taskArn = (string)tasks["taskArns"]![0]!;
        JsonNode described = (await client.EcsAsync("DescribeTasks", $"{{\"cluster\":\"production\",\"tasks\":[\"{taskArn}\"]}}")).Body!;
        JsonNode container = described["tasks"]![0]!["containers"]![0]!;
        string runtimeId = (string)container["runtimeId"]!;

        JsonNode view = JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/containers/" + runtimeId)))!;
        Assert.Equal(runtimeId, (string?)view["runtimeId"]);
        Assert.Equal((string?)container["name"], (string?)view["name"]);
        Assert.Equal(taskArn, (string?)view["taskArn"]);
        Assert.Equal("RUNNING", (string?)view["lastStatus"]);
        Assert.Equal("production", (string?)view["environment"]!["RAILS_ENV"]);

        // format=sh: what a POSIX sh evals to the same status and environment (the SSH rig's docker stand-in).
        string answer = await _http.GetStringAsync(Url("/_sandbox/containers/" + runtimeId + "?format=sh"));
        var sh = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        foreach (string argument in new[] { "-c", answer + "\nprintf '%s\\n' \"$last_status\" \"$@\"", "sh", "the-command" })
        {
            sh.ArgumentList.Add(argument);
        }
        using (System.Diagnostics.Process process = System.Diagnostics.Process.Start(sh)!)
        {
            string[] words = (await process.StandardOutput.ReadToEndAsync()).TrimEnd('\n').Split('\n');
            await process.WaitForExitAsync();
            string[] expected = view["environment"]!.AsObject().Select(e => $"{e.Key}={(string?)e.Value}").ToArray();
            Assert.Equal(["RUNNING", .. expected, "the-command"], words);
        }
        Assert.Equal(400, (int)(await _http.GetAsync(Url("/_sandbox/containers/" + runtimeId + "?format=xml"))).StatusCode);

        using HttpResponseMessage missing = await _http.GetAsync(Url("/_sandbox/containers/0123abcd"));
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Contains("No such container: 0123abcd", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CountsAndResetWithoutBeingCounted()
    {
        using var client = new SignedClient(_host);
        await client.EcrAsync("DescribeRepositories", "{}");
        JsonNode counts = JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/counts")))!;
        Assert.Equal(1, (long)counts["ecr.DescribeRepositories"]!);
        Assert.Single(counts.AsObject()); // admin calls are not AWS operations

        using HttpResponseMessage reset = await _http.PostAsync(Url("/_sandbox/reset-counts"), NoBody());
        Assert.Equal(200, (int)reset.StatusCode);
        Assert.Empty(_host.RequestCounts);
    }

    [Fact]
    public async Task CapturedRequestsCanBeFilteredAndCleared()
    {
        using var client = new SignedClient(_host);
        await client.EcrAsync("DescribeImages", "{\"repositoryName\":\"app\"}");
        await client.EcrAsync("DescribeRepositories", "{}");
        JsonArray images = JsonNode.Parse(await _http.GetStringAsync(Url("/_sandbox/requests?operation=DescribeImages")))!.AsArray();
        JsonNode captured = images.Single()!;
        Assert.Equal("ecr", (string?)captured["service"]);
        Assert.Equal("{\"repositoryName\":\"app\"}", (string?)captured["body"]);

        using HttpResponseMessage cleared = await _http.DeleteAsync(Url("/_sandbox/requests"));
        Assert.Equal(200, (int)cleared.StatusCode);
        Assert.Empty(_host.CapturedRequests);
    }

    [Fact]
    public async Task AdvanceTimeMovesSimulatedTime()
    {
        DateTimeOffset before = _host.World.Clock.UtcNow;
        using HttpResponseMessage response = await _http.PostAsJsonAsync(Url("/_sandbox/advance-time"), new { seconds = 3600 });
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(_host.World.Clock.UtcNow - before >= TimeSpan.FromHours(1));
        using HttpResponseMessage query = await _http.PostAsync(Url("/_sandbox/advance-time?seconds=60"), NoBody());
        Assert.Equal(200, (int)query.StatusCode);
        using HttpResponseMessage missing = await _http.PostAsync(Url("/_sandbox/advance-time"), NoBody());
        Assert.Equal(400, (int)missing.StatusCode);
    }

    [Fact]
    public async Task BadImageAndPushImage()
    {
        using HttpResponseMessage pushed = await _http.PostAsJsonAsync(Url("/_sandbox/push-image"), new { repository = "app", tag = "master.5" });
        Assert.Equal(200, (int)pushed.StatusCode);
        JsonNode image = JsonNode.Parse(await pushed.Content.ReadAsStringAsync())!;
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.5", (string?)image["imageUri"]);
        Assert.False((bool)image["failsToStart"]!);

        // ECR shows the new tag straight away.
        using var client = new SignedClient(_host);
        var (status, found, _) = await client.EcrAsync("DescribeImages", "{\"repositoryName\":\"app\",\"imageIds\":[{\"imageTag\":\"master.5\"}]}");
        Assert.Equal(200, status);
        Assert.Equal((string?)image["digest"], (string?)found!["imageDetails"]![0]!["imageDigest"]);

        using HttpResponseMessage bad = await _http.PostAsJsonAsync(Url("/_sandbox/bad-image"),
            new { image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:master.5", reason = "OutOfMemoryError: Container killed due to memory usage" });
        Assert.Equal(200, (int)bad.StatusCode);
        SandboxImage marked = _host.World.Repositories["app"].Images.Single(i => i.Tags.Contains("master.5"));
        Assert.True(marked.FailsToStart);
        Assert.StartsWith("OutOfMemoryError", marked.FailureReason);

        using HttpResponseMessage unknown = await _http.PostAsJsonAsync(Url("/_sandbox/bad-image"), new { image = "app:nope" });
        Assert.Equal(404, (int)unknown.StatusCode);
        using HttpResponseMessage unnamed = await _http.PostAsJsonAsync(Url("/_sandbox/bad-image"), new { tag = "x" });
        Assert.Equal(400, (int)unnamed.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/_sandbox/nope", 404)]
    [InlineData("PUT", "/_sandbox/counts", 405)]
    [InlineData("GET", "/_sandbox/reset-counts", 405)]
    public async Task UnknownEndpointsAndMethods(string method, string path, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(path));
        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task MalformedJsonIs400()
    {
        using HttpResponseMessage response = await _http.PostAsync(Url("/_sandbox/faults"), Json("{nope"));
        Assert.Equal(400, (int)response.StatusCode);
        using HttpResponseMessage wrongType = await _http.PostAsync(Url("/_sandbox/faults"), Json("{\"throttlingRate\":\"lots\"}"));
        Assert.Equal(400, (int)wrongType.StatusCode);
    }
}
