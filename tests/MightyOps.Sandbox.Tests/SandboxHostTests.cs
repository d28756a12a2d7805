using System.Net;
using System.Net.Sockets;
using MightyOps.Core;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>Starting, stopping, options, request counts and captures.</summary>
public sealed class SandboxHostTests
{
    [Fact]
    public async Task StartsOnAFreePortAndStops()
    {
        SandboxHost host = await Sandboxes.StartAsync("empty");
        Assert.True(host.IsRunning);
        Assert.Equal("127.0.0.1", host.Endpoint.Host);
        Assert.NotEqual(0, host.Endpoint.Port);
        int port = host.Endpoint.Port;

        await host.StopAsync();
        Assert.False(host.IsRunning);
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
        await host.StopAsync(); // twice is fine
    }

    [Fact]
    public async Task PortInUseIsReported()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var ex = await Assert.ThrowsAsync<MightyOpsException>(() => SandboxHost.StartAsync(new SandboxOptions { Port = port, Seed = "empty" }));
        Assert.Equal("SandboxPortInUse", ex.ErrorId);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        Assert.Equal(port, ex.Target);
    }

    [Theory]
    [InlineData("Port")]
    [InlineData("Seed")]
    [InlineData("TimeScale")]
    [InlineData("ThrottlingRate")]
    [InlineData("ServerErrorRate")]
    [InlineData("Region")]
    [InlineData("AccountId")]
    [InlineData("Latency")]
    public async Task BadOptionsAreSandboxInvalidOption(string option)
    {
        SandboxOptions options = option switch
        {
            "Port" => new SandboxOptions { Port = 70000 },
            "Seed" => new SandboxOptions { Seed = "production-copy" },
            "TimeScale" => new SandboxOptions { TimeScale = 0 },
            "ThrottlingRate" => new SandboxOptions { ThrottlingRate = -0.1 },
            "ServerErrorRate" => new SandboxOptions { ServerErrorRate = 2 },
            "Region" => new SandboxOptions { Region = "Not A Region" },
            "AccountId" => new SandboxOptions { AccountId = "12" },
            _ => new SandboxOptions { Latency = TimeSpan.FromSeconds(-1) },
        };
        var ex = await Assert.ThrowsAsync<MightyOpsException>(() => SandboxHost.StartAsync(options));
        Assert.Equal("SandboxInvalidOption", ex.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, ex.Kind);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        if (option == "Seed")
        {
            Assert.Contains("demo", ex.Message);
        }
    }

    [Fact]
    public async Task EmptySeedHasNothing()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty");
        Assert.Empty(host.World.Repositories);
        Assert.Empty(host.World.Buckets);
        Assert.Empty(host.World.Instances);
    }

    [Fact]
    public async Task CountsAreKeptPerOperationAndCanBeReset()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        using var client = new SignedClient(host);
        await client.EcrAsync("DescribeRepositories", "{}");
        await client.EcrAsync("DescribeRepositories", "{}");
        await client.EcrAsync("BatchGetImage", "{\"repositoryName\":\"app\",\"imageIds\":[{\"imageTag\":\"master.1\"}]}");
        await client.EcsAsync("ListClusters", "{}");
        await client.Ec2Async("Action=DescribeInstances&Version=2016-11-15");
        (await client.S3Async(HttpMethod.Get, "/mighty-secrets/production.json")).Dispose();
        (await client.S3Async(HttpMethod.Put, "/mighty-secrets/note.txt", "hi"u8.ToArray())).Dispose();
        (await client.S3Async(HttpMethod.Head, "/mighty-secrets")).Dispose();
        (await client.S3Async(HttpMethod.Get, "/mighty-secrets?list-type=2")).Dispose();

        IReadOnlyDictionary<string, long> counts = host.RequestCounts;
        Assert.Equal(2, counts["ecr.DescribeRepositories"]);
        Assert.Equal(1, counts["ecr.BatchGetImage"]);
        Assert.Equal(1, counts["ecs.ListClusters"]);
        Assert.Equal(1, counts["ec2.DescribeInstances"]);
        Assert.Equal(1, counts["s3.GetObject"]);
        Assert.Equal(1, counts["s3.PutObject"]);
        Assert.Equal(1, counts["s3.HeadBucket"]);
        Assert.Equal(1, counts["s3.ListObjectsV2"]);

        host.ResetRequestCounts();
        Assert.Empty(host.RequestCounts);
    }

    [Fact]
    public async Task CapturedRequestsKeepJsonBodiesWhenAskedFor()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo", o => o with { CaptureRequests = true });
        using var client = new SignedClient(host);
        await client.EcrAsync("DescribeImages", "{\"repositoryName\":\"nginx-proxy\",\"maxResults\":2}");
        await client.Ec2Async("Action=DescribeInstances&Version=2016-11-15");
        SandboxCapturedRequest first = host.CapturedRequests[0];
        Assert.Equal(new SandboxCapturedRequest("ecr", "DescribeImages", "{\"repositoryName\":\"nginx-proxy\",\"maxResults\":2}"), first);
        Assert.Equal("ec2", host.CapturedRequests[1].Service);
        host.ClearCapturedRequests();
        Assert.Empty(host.CapturedRequests);

        await using SandboxHost quiet = await Sandboxes.StartAsync("empty");
        using var quietClient = new SignedClient(quiet);
        await quietClient.EcrAsync("DescribeRepositories", "{}");
        Assert.Empty(quiet.CapturedRequests);
    }

    [Fact]
    public async Task UnknownJsonOperationsAreUnknownOperationException()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        using var client = new SignedClient(host);
        var (status, body, _) = await client.EcrAsync("PutImage", "{}");
        Assert.Equal(400, status);
        Assert.Contains("UnknownOperationException", (string?)body!["__type"]);

        var (otherStatus, otherBody, _) = await client.JsonAsync("ecr", "AmazonSomethingElse_2020.DoThing", "{}");
        Assert.Equal(400, otherStatus);
        Assert.Contains("UnknownOperationException", (string?)otherBody!["__type"]);
    }

    [Fact]
    public async Task MalformedJsonIsSerializationException()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        using var client = new SignedClient(host);
        var (status, body, _) = await client.EcrAsync("DescribeRepositories", "{not json");
        Assert.Equal(400, status);
        Assert.Equal("SerializationException", (string?)body!["__type"]);
        var (arrayStatus, _, _) = await client.EcrAsync("DescribeRepositories", "[1,2]");
        Assert.Equal(400, arrayStatus);
        var (typeStatus, typeBody, _) = await client.EcrAsync("DescribeRepositories", "{\"maxResults\":\"many\"}");
        Assert.Equal(400, typeStatus);
        Assert.Equal("SerializationException", (string?)typeBody!["__type"]);
    }

    [Fact]
    public async Task PushImageAndBadImageChangeTheRegistry()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        SandboxImage pushed = host.PushImage("app", "master.5");
        Assert.False(pushed.FailsToStart);
        Assert.StartsWith("sha256:", pushed.Digest);
        SandboxImage marked = host.SetImageFailsToStart("app", "master.5");
        Assert.Same(pushed, marked);
        Assert.True(marked.FailsToStart);
        Assert.Equal("Essential container in task exited", marked.FailureReason);
        var ex = Assert.Throws<MightyOpsException>(() => host.SetImageFailsToStart("app", "master.99"));
        Assert.Equal("SandboxImageNotFound", ex.ErrorId);

        // Pushing an existing tag moves it to the new image, as docker push does.
        SandboxImage again = host.PushImage("app", "master.5");
        Assert.NotEqual(pushed.Digest, again.Digest);
        Assert.DoesNotContain("master.5", pushed.Tags);
    }

    [Fact]
    public async Task AdvanceTimeMovesTheClock()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty", o => o with { TimeScale = 1 });
        DateTimeOffset before = host.World.Clock.UtcNow;
        host.AdvanceTime(TimeSpan.FromHours(2));
        Assert.True(host.World.Clock.UtcNow - before >= TimeSpan.FromHours(2));
        Assert.Throws<MightyOpsException>(() => host.AdvanceTime(TimeSpan.FromSeconds(-1)));
    }
}
