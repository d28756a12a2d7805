using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>AWSSDK.EC2 DescribeInstances against instances placed in the world.</summary>
public sealed class Ec2SdkTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await Sandboxes.StartAsync("empty");
        DateTimeOffset launched = DateTimeOffset.UtcNow.AddDays(-10);
        lock (_host.World.Sync)
        {
            for (int i = 0; i < 7; i++)
            {
                var instance = new SandboxInstance
                {
                    InstanceId = $"i-0{i}a1b2c3d4e5f6a7b",
                    InstanceType = i < 5 ? "m5.large" : "c5.xlarge",
                    PrivateIpAddress = $"10.0.1.{10 + i}",
                    AvailabilityZone = i % 2 == 0 ? "us-east-1a" : "us-east-1b",
                    KeyName = "mighty-ops",
                    LaunchTime = launched.AddMinutes(i),
                    State = i == 6 ? "stopped" : "running",
                };
                instance.Tags["Name"] = $"ecs-production-{i}";
                instance.Tags["Cluster"] = "production";
                if (i == 0)
                {
                    instance.SshPort = 2222;
                }
                _host.World.Instances.Add(instance.InstanceId, instance);
            }
        }
    }

    public async Task DisposeAsync() => await _host.StopAsync();

    private AmazonEC2Client Client() =>
        new(new BasicAWSCredentials(_host.Options.AccessKeyId, _host.Options.SecretAccessKey), new AmazonEC2Config
        {
            ServiceURL = _host.Endpoint.ToString(),
            AuthenticationRegion = _host.Options.Region,
            MaxErrorRetry = 0,
        });

    [Fact]
    public async Task DescribeInstancesById()
    {
        using AmazonEC2Client ec2 = Client();
        DescribeInstancesResponse response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-03a1b2c3d4e5f6a7b", "i-00a1b2c3d4e5f6a7b"] });
        List<Instance> instances = response.Reservations.SelectMany(r => r.Instances).ToList();
        Assert.Equal(["i-03a1b2c3d4e5f6a7b", "i-00a1b2c3d4e5f6a7b"], instances.Select(i => i.InstanceId));
        Instance first = instances[0];
        Assert.Equal("10.0.1.13", first.PrivateIpAddress);
        Assert.Equal(InstanceStateName.Running, first.State.Name);
        Assert.Equal(16, first.State.Code);
        Assert.Equal("us-east-1b", first.Placement.AvailabilityZone);
        Assert.Equal(InstanceType.M5Large, first.InstanceType);
        Assert.Equal("ecs-production-3", first.Tags.Single(t => t.Key == "Name").Value);
        Assert.Equal("mighty-ops", first.KeyName);
        Assert.Equal("123456789012", response.Reservations[0].OwnerId);
        Assert.Contains(instances[1].Tags, t => t.Key == "mightyops:sandbox-ssh-port" && t.Value == "2222");
    }

    [Fact]
    public async Task FiltersCombine()
    {
        using AmazonEC2Client ec2 = Client();
        DescribeInstancesResponse response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters =
            [
                new Filter("instance-state-name", ["running"]),
                new Filter("tag:Name", ["ecs-production-*"]),
                new Filter("availability-zone", ["us-east-1a"]),
            ],
        });
        Assert.Equal(["i-00a1b2c3d4e5f6a7b", "i-02a1b2c3d4e5f6a7b", "i-04a1b2c3d4e5f6a7b"],
            response.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId));

        var bad = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("colour", ["blue"])] }));
        Assert.Equal("InvalidParameterValue", bad.ErrorCode);
    }

    [Fact]
    public async Task UnknownAndMalformedIdsAreErrors()
    {
        using AmazonEC2Client ec2 = Client();
        var missing = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-0ffffffffffffffff"] }));
        Assert.Equal("InvalidInstanceID.NotFound", missing.ErrorCode);
        Assert.Contains("i-0ffffffffffffffff", missing.Message);
        Assert.False(string.IsNullOrEmpty(missing.RequestId));
        var malformed = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["web-1"] }));
        Assert.Equal("InvalidInstanceID.Malformed", malformed.ErrorCode);
    }

    [Fact]
    public async Task PagesWithMaxResults()
    {
        using AmazonEC2Client ec2 = Client();
        var ids = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            DescribeInstancesResponse page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = token });
            ids.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances).Select(i => i.InstanceId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal(7, ids.Distinct().Count());
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task DryRunSaysItWouldHaveSucceeded()
    {
        using AmazonEC2Client ec2 = Client();
        var dryRun = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { DryRun = true }));
        Assert.Equal("DryRunOperation", dryRun.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, dryRun.StatusCode);
    }

    [Fact]
    public async Task WrongSecretIsAuthFailure()
    {
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials(_host.Options.AccessKeyId, "wrong"), new AmazonEC2Config
        {
            ServiceURL = _host.Endpoint.ToString(),
            MaxErrorRetry = 0,
        });
        var ex = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest()));
        Assert.Equal("AuthFailure", ex.ErrorCode);
    }
}
