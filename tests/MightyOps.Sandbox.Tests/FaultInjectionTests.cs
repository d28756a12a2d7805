using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>Fault injection: rates roughly honoured, repeatable with a seed, in each protocol's shape, counted.</summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task ThrottlingRateIsRoughlyHonouredAndCounted()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo", o => o with { ThrottlingRate = 0.3, RandomSeed = 7 });
        using var client = new SignedClient(host);
        int throttled = 0;
        for (int i = 0; i < 200; i++)
        {
            var (status, body, _) = await client.EcrAsync("DescribeRepositories", "{}");
            if (status == 400)
            {
                Assert.Equal("ThrottlingException", (string?)body!["__type"]);
                Assert.Equal("Rate exceeded", (string?)body["message"]);
                throttled++;
            }
            else
            {
                Assert.Equal(200, status);
            }
        }
        // 30% of 200 is 60; a fair coin stays well inside 35..85 (more than 5 standard deviations).
        Assert.InRange(throttled, 35, 85);
        Assert.Equal(200, host.RequestCounts["ecr.DescribeRepositories"]);
    }

    [Fact]
    public async Task SameSeedGivesTheSameSequence()
    {
        async Task<string> OutcomesAsync()
        {
            await using SandboxHost host = await Sandboxes.StartAsync("empty", o => o with { ThrottlingRate = 0.25, ServerErrorRate = 0.25, RandomSeed = 42 });
            using var client = new SignedClient(host);
            var outcomes = new List<int>();
            for (int i = 0; i < 40; i++)
            {
                outcomes.Add((await client.EcrAsync("DescribeRepositories", "{}")).Status);
            }
            return string.Join(',', outcomes);
        }

        string first = await OutcomesAsync();
        string second = await OutcomesAsync();
        Assert.Equal(first, second);
        Assert.Contains("200", first);
        Assert.Contains("400", first);
        Assert.Contains("500", first);
    }

    [Fact]
    public async Task ServerErrorsAreServerExceptionFor500()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty", o => o with { ServerErrorRate = 1 });
        using var client = new SignedClient(host);
        var (status, body, response) = await client.EcsAsync("ListClusters", "{}");
        Assert.Equal(500, status);
        Assert.Equal("ServerException", (string?)body!["__type"]);
        Assert.NotNull(response.Headers.GetValues("x-amzn-RequestId").Single());
    }

    [Fact]
    public async Task Ec2AndS3FaultsUseTheirOwnShapes()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo", o => o with { ThrottlingRate = 1 });
        using var client = new SignedClient(host);
        var (ec2Status, ec2Body) = await client.Ec2Async("Action=DescribeInstances&Version=2016-11-15");
        Assert.Equal(503, ec2Status);
        Assert.Contains("<Code>RequestLimitExceeded</Code>", ec2Body);

        using HttpResponseMessage s3 = await client.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(503, (int)s3.StatusCode);
        Assert.Contains("<Code>SlowDown</Code>", await s3.Content.ReadAsStringAsync());

        host.Faults.ThrottlingRate = 0;
        host.Faults.ServerErrorRate = 1;
        var (ec2Error, ec2ErrorBody) = await client.Ec2Async("Action=DescribeInstances&Version=2016-11-15");
        Assert.Equal(500, ec2Error);
        Assert.Contains("<Code>InternalError</Code>", ec2ErrorBody);
        using HttpResponseMessage s3Error = await client.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(500, (int)s3Error.StatusCode);
        Assert.Contains("<Code>InternalError</Code>", await s3Error.Content.ReadAsStringAsync());

        Assert.Equal(2, host.RequestCounts["ec2.DescribeInstances"]);
        Assert.Equal(2, host.RequestCounts["s3.GetObject"]);
    }

    [Fact]
    public async Task LatencyIsAddedAndCanBeChangedAtRuntime()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty", o => o with { Latency = TimeSpan.FromMilliseconds(300) });
        using var client = new SignedClient(host);
        var watch = Stopwatch.StartNew();
        Assert.Equal(200, (await client.EcrAsync("DescribeRepositories", "{}")).Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {watch.Elapsed}");

        host.Faults.Latency = TimeSpan.Zero;
        host.Faults.ThrottlingRate = 1;
        Assert.Equal(400, (await client.EcrAsync("DescribeRepositories", "{}")).Status);
    }

    [Fact]
    public async Task FaultsCanBeScopedToAServiceOrOperationAndAreCounted()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        host.Faults.SetRates(1, 0, ["s3", "ecs.ListClusters"]);
        using var client = new SignedClient(host);

        Assert.Equal(400, (await client.EcsAsync("ListClusters", "{}")).Status);
        Assert.Equal(200, (await client.EcsAsync("DescribeClusters", "{\"clusters\":[\"production\"]}")).Status);
        Assert.Equal(200, (await client.EcrAsync("DescribeRepositories", "{}")).Status);
        using HttpResponseMessage s3 = await client.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(503, (int)s3.StatusCode);

        Assert.Equal(1, host.Faults.InjectedCounts["ecs.ListClusters"]);
        Assert.Equal(1, host.Faults.InjectedCounts["s3.GetObject"]);
        Assert.False(host.Faults.InjectedCounts.ContainsKey("ecs.DescribeClusters"));
        host.ResetRequestCounts();
        Assert.Empty(host.Faults.InjectedCounts);

        var ex = Assert.Throws<MightyOps.Core.MightyOpsException>(() => host.Faults.SetRates(0.5, 0, ["sqs"]));
        Assert.Equal("SandboxInvalidOption", ex.ErrorId);
        Assert.Equal(1.0, host.Faults.ThrottlingRate);
    }

    [Fact]
    public async Task AHeldRequestIsStillHandledAfterItsClientGaveUp_andLoweringTheLatencyLetsItThrough()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        host.Faults.SetLatency(TimeSpan.FromMinutes(4), ["ecs.DeregisterTaskDefinition"]);
        using var client = new SignedClient(host);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.EcsAsync("DeregisterTaskDefinition", "{\"taskDefinition\":\"API:1\"}", giveUp.Token));
        Assert.Equal(200, (await client.EcsAsync("ListClusters", "{}")).Status);   // outside the scope: not held
        Assert.Equal(1, host.RequestsInProgress);

        host.Faults.SetLatency(TimeSpan.Zero, []);
        var watch = Stopwatch.StartNew();
        while (host.RequestsInProgress > 0 && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }
        Assert.Equal(0, host.RequestsInProgress);
        var (status, body, _) = await client.EcsAsync("DescribeTaskDefinition", "{\"taskDefinition\":\"API:1\"}");
        Assert.Equal(200, status);
        Assert.Equal("INACTIVE", (string?)body!["taskDefinition"]!["status"]);
    }

    [Fact]
    public async Task FaultSettingsAreValidated()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty");
        var ex = Assert.Throws<MightyOps.Core.MightyOpsException>(() => host.Faults.ThrottlingRate = 1.5);
        Assert.Equal("SandboxInvalidOption", ex.ErrorId);
        Assert.Throws<MightyOps.Core.MightyOpsException>(() => host.Faults.Latency = TimeSpan.FromSeconds(-1));
        Assert.Equal(0, host.Faults.ThrottlingRate);
    }

    [Fact]
    public async Task AdminEndpointChangesFaults()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty");
        using var http = new HttpClient();
        using HttpResponseMessage set = await http.PostAsync(new Uri(host.Endpoint, "/_sandbox/faults"),
            AdminApiTests.Json("{\"throttlingRate\":1,\"latencyMs\":5}"));
        Assert.Equal(200, (int)set.StatusCode);
        JsonNode body = JsonNode.Parse(await set.Content.ReadAsStringAsync())!;
        Assert.Equal(1.0, (double)body["throttlingRate"]!);
        Assert.Equal(5.0, (double)body["latencyMs"]!);
        Assert.Equal(1.0, host.Faults.ThrottlingRate);

        using var client = new SignedClient(host);
        Assert.Equal(400, (await client.EcrAsync("DescribeRepositories", "{}")).Status);

        using HttpResponseMessage bad = await http.PostAsync(new Uri(host.Endpoint, "/_sandbox/faults"), AdminApiTests.Json("{\"serverErrorRate\":7}"));
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Contains("between 0 and 1", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EcsRateLimitsFollowTheDocumentedBuckets()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo", o => o with { EcsRateLimits = true });
        using var client = new SignedClient(host);
        var watch = Stopwatch.StartNew();
        int passed = 0;
        int throttled = 0;
        for (int i = 0; i < 120; i++)
        {
            var (status, body, _) = await client.EcsAsync("ListClusters", "{}");
            if (status == 400 && (string?)body!["__type"] == "ThrottlingException")
            {
                throttled++;
            }
            else
            {
                passed++;
            }
        }
        // Cluster reads: burst 50, then 20 per second.
        double seconds = watch.Elapsed.TotalSeconds;
        Assert.InRange(passed, 50, 51 + (int)Math.Ceiling(20 * seconds));
        Assert.True(throttled > 0, $"nothing throttled in {seconds:F2} s");

        // Another category has its own bucket.
        Assert.Equal(200, (await client.EcsAsync("DescribeServices", "{\"cluster\":\"production\",\"services\":[\"WEB\"]}")).Status);
        // ECR is not limited.
        Assert.Equal(200, (await client.EcrAsync("DescribeRepositories", "{}")).Status);
        Assert.Equal(120, host.RequestCounts["ecs.ListClusters"]);
    }
}
