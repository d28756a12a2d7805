using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The real AWS CLI (botocore) as the reference client: EC2 and S3 (kept apart from ECR so the two run in parallel).</summary>
public sealed class AwsCliEc2S3Tests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _host = await Sandboxes.StartAsync("demo");
        _dir = Directory.CreateTempSubdirectory("mightyops-cli-").FullName;
        lock (_host.World.Sync)
        {
            foreach ((string id, string name, string ip) in new[] { ("i-0a1b2c3d4e5f60001", "ecs-cli-a", "10.0.2.11"), ("i-0a1b2c3d4e5f60002", "ecs-cli-b", "10.0.2.12") })
            {
                var instance = new SandboxInstance { InstanceId = id, PrivateIpAddress = ip, AvailabilityZone = "us-east-1c", LaunchTime = DateTimeOffset.UtcNow.AddDays(-3) };
                instance.Tags["Name"] = name;
                _host.World.Instances[id] = instance;
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void DescribeInstances()
    {
        AwsCliResult byId = AwsCli.Ok(_host, "ec2", "describe-instances", "--instance-ids", "i-0a1b2c3d4e5f60002");
        JsonNode instance = byId.Json!["Reservations"]![0]!["Instances"]!.AsArray().Single()!;
        Assert.Equal("i-0a1b2c3d4e5f60002", (string?)instance["InstanceId"]);
        Assert.Equal("10.0.2.12", (string?)instance["PrivateIpAddress"]);
        Assert.Equal("running", (string?)instance["State"]!["Name"]);
        Assert.Equal("us-east-1c", (string?)instance["Placement"]!["AvailabilityZone"]);
        Assert.Equal("ecs-cli-b", (string?)instance["Tags"]!.AsArray().Single(t => (string?)t!["Key"] == "Name")!["Value"]);

        AwsCliResult filtered = AwsCli.Ok(_host, "ec2", "describe-instances", "--filters", "Name=tag:Name,Values=ecs-cli-*", "Name=private-ip-address,Values=10.0.2.11");
        Assert.Equal(["i-0a1b2c3d4e5f60001"], filtered.Json!["Reservations"]!.AsArray().SelectMany(r => r!["Instances"]!.AsArray()).Select(i => (string)i!["InstanceId"]!));

        AwsCliResult missing = AwsCli.Run(_host, "ec2", "describe-instances", "--instance-ids", "i-0fffffffffffffff0");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("InvalidInstanceID.NotFound", missing.Stderr);
    }

    [Theory]
    [InlineData(200_000, "small.bin")]
    [InlineData(9 * 1024 * 1024 + 123, "large.bin")] // above the CLI's 8 MiB multipart threshold
    public void S3CopyUpAndDownRoundTrips(int size, string name)
    {
        byte[] content = RandomNumberGenerator.GetBytes(size);
        string local = Path.Combine(_dir, name);
        File.WriteAllBytes(local, content);
        _host.ResetRequestCounts();

        AwsCliResult up = AwsCli.Ok(_host, "s3", "cp", local, $"s3://mighty-secrets/uploads/{name}", "--only-show-errors");
        Assert.Equal(content, _host.World.Buckets["mighty-secrets"].Objects[$"uploads/{name}"].Content);
        if (size > 8 * 1024 * 1024)
        {
            Assert.Equal(2, _host.RequestCounts["s3.UploadPart"]);
            Assert.Equal(1, _host.RequestCounts["s3.CompleteMultipartUpload"]);
        }
        else
        {
            Assert.Equal(1, _host.RequestCounts["s3.PutObject"]);
        }

        string back = Path.Combine(_dir, name + ".back");
        AwsCliResult down = AwsCli.Ok(_host, "s3", "cp", $"s3://mighty-secrets/uploads/{name}", back, "--only-show-errors");
        Assert.Equal(content, File.ReadAllBytes(back));
    }

    [Fact]
    public void S3ListAndReadTheSecrets()
    {
        AwsCliResult list = AwsCli.Ok(_host, "s3", "ls", "s3://mighty-secrets/");
        Assert.Contains("production.json", list.Stdout);

        AwsCliResult cat = AwsCli.Ok(_host, "s3", "cp", "s3://mighty-secrets/production.json", "-");
        Assert.NotNull(cat.Json!["shared"]!["DATABASE_URL"]);
        Assert.NotNull(cat.Json!["WEB"]);

        AwsCliResult missing = AwsCli.Run(_host, "s3api", "head-object", "--bucket", "mighty-secrets", "--key", "nope.json");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("404", missing.Stderr);
    }
}
