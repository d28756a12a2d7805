using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The real AWS CLI (botocore) as the reference client: ECR, signatures, retries.</summary>
public sealed class AwsCliEcrTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo");

    public async Task DisposeAsync() => await _host.StopAsync();

    [Fact]
    public void DescribeRepositories()
    {
        AwsCliResult result = AwsCli.Ok(_host, "ecr", "describe-repositories");
        JsonArray repositories = result.Json!["repositories"]!.AsArray();
        Assert.Equal(["app", "nginx-proxy"], repositories.Select(r => (string)r!["repositoryName"]!));
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com/app", (string?)repositories[0]!["repositoryUri"]);
        Assert.Equal("arn:aws:ecr:us-east-1:123456789012:repository/app", (string?)repositories[0]!["repositoryArn"]);
        // AWS CLI v1 prints wire timestamps as they came (cli_timestamp_format "none"): epoch seconds.
        double createdAt = (double)repositories[0]!["createdAt"]!;
        Assert.Equal(_host.World.Repositories["app"].CreatedAt.ToUnixTimeMilliseconds() / 1000.0, createdAt, 3);

        AwsCliResult missing = AwsCli.Run(_host, "ecr", "describe-repositories", "--repository-names", "nope");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("RepositoryNotFoundException", missing.Stderr);
        Assert.Contains("'nope'", missing.Stderr);
    }

    [Fact]
    public void DescribeImagesFollowsNextTokens()
    {
        _host.ResetRequestCounts();
        AwsCliResult result = AwsCli.Ok(_host, "ecr", "describe-images", "--repository-name", "app", "--page-size", "2");
        JsonArray details = result.Json!["imageDetails"]!.AsArray();
        Assert.Equal(6, details.Count);
        Assert.Equal(3, _host.RequestCounts["ecr.DescribeImages"]);
        List<string> tags = details.SelectMany(d => d!["imageTags"]?.AsArray().Select(t => (string)t!) ?? []).ToList();
        Assert.Equal(["broken.1", "master.1", "master.2", "master.3", "master.4"], tags.Order());
        Assert.All(details, d => Assert.Matches("^sha256:[0-9a-f]{64}$", (string)d!["imageDigest"]!));

        AwsCliResult tagged = AwsCli.Ok(_host, "ecr", "describe-images", "--repository-name", "nginx-proxy", "--image-ids", "imageTag=master.3");
        Assert.Equal("master.3", (string?)tagged.Json!["imageDetails"]![0]!["imageTags"]![0]);

        AwsCliResult missing = AwsCli.Run(_host, "ecr", "describe-images", "--repository-name", "app", "--image-ids", "imageTag=master.77");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("ImageNotFoundException", missing.Stderr);
    }

    [Fact]
    public void BatchGetImage()
    {
        AwsCliResult result = AwsCli.Ok(_host, "ecr", "batch-get-image", "--repository-name", "app",
            "--image-ids", "imageTag=master.4", "imageTag=master.404");
        JsonNode image = result.Json!["images"]!.AsArray().Single()!;
        Assert.Equal("master.4", (string?)image["imageId"]!["imageTag"]);
        JsonNode manifest = JsonNode.Parse((string)image["imageManifest"]!)!;
        Assert.Equal(2, (int)manifest["schemaVersion"]!);
        Assert.Equal("application/vnd.docker.container.image.v1+json", (string?)manifest["config"]!["mediaType"]);
        JsonNode failure = result.Json!["failures"]!.AsArray().Single()!;
        Assert.Equal("ImageNotFound", (string?)failure["failureCode"]);
        Assert.Equal("master.404", (string?)failure["imageId"]!["imageTag"]);
    }

    [Fact]
    public async Task WrongSecretIsInvalidSignatureException()
    {
        AwsCliResult result = await AwsCli.RunAsync(_host, new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = "not-the-secret" }, "ecr", "describe-repositories");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("InvalidSignatureException", result.Stderr);
    }

    [Fact]
    public async Task BotocoreRetriesOurThrottlingException()
    {
        _host.ResetRequestCounts();
        _host.Faults.ThrottlingRate = 1;
        try
        {
            AwsCliResult result = await AwsCli.RunAsync(_host, new Dictionary<string, string> { ["AWS_MAX_ATTEMPTS"] = "2", ["AWS_RETRY_MODE"] = "standard" },
                "ecr", "describe-repositories");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("ThrottlingException", result.Stderr);
            Assert.Contains("reached max retries: 1", result.Stderr);
            Assert.Equal(2, _host.RequestCounts["ecr.DescribeRepositories"]);
        }
        finally
        {
            _host.Faults.ThrottlingRate = 0;
        }
    }
}
