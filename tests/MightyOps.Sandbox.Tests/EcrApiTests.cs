using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>ECR over JSON 1.1: pagination, filters, failures and the shapes of the demo images.</summary>
public sealed class EcrApiTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private SignedClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await Sandboxes.StartAsync("demo");
        _client = new SignedClient(_host);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.StopAsync();
    }

    [Fact]
    public async Task DescribeRepositoriesPagesThroughAll()
    {
        var names = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            string body = token is null ? "{\"maxResults\":1}" : $"{{\"maxResults\":1,\"nextToken\":\"{token}\"}}";
            JsonNode page = await OkAsync("DescribeRepositories", body);
            names.AddRange(page["repositories"]!.AsArray().Select(r => (string)r!["repositoryName"]!));
            token = (string?)page["nextToken"];
            pages++;
        }
        while (token is not null);
        Assert.Equal(["app", "nginx-proxy"], names);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task DescribeRepositoriesByNameHasArnAndUri()
    {
        JsonNode result = await OkAsync("DescribeRepositories", "{\"repositoryNames\":[\"nginx-proxy\"]}");
        JsonNode repository = result["repositories"]![0]!;
        Assert.Equal("arn:aws:ecr:us-east-1:123456789012:repository/nginx-proxy", (string?)repository["repositoryArn"]);
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com/nginx-proxy", (string?)repository["repositoryUri"]);
        Assert.Equal("123456789012", (string?)repository["registryId"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, repository["createdAt"]!.GetValueKind());
    }

    [Fact]
    public async Task UnknownRepositoryIsRepositoryNotFoundException()
    {
        await ErrorAsync("DescribeRepositories", "{\"repositoryNames\":[\"app\",\"nope\"]}", "RepositoryNotFoundException", "nope");
        await ErrorAsync("DescribeImages", "{\"repositoryName\":\"nope\"}", "RepositoryNotFoundException", "nope");
        await ErrorAsync("BatchGetImage", "{\"repositoryName\":\"nope\",\"imageIds\":[{\"imageTag\":\"x\"}]}", "RepositoryNotFoundException", "nope");
        await ErrorAsync("DescribeRepositories", "{\"repositoryNames\":[\"app\"],\"maxResults\":5}", "InvalidParameterException", "repositoryNames");
    }

    [Fact]
    public async Task DescribeImagesPaginatesAndFiltersByTagStatus()
    {
        var digests = new List<string>();
        string? token = null;
        do
        {
            string body = token is null ? "{\"repositoryName\":\"app\",\"maxResults\":2}" : $"{{\"repositoryName\":\"app\",\"maxResults\":2,\"nextToken\":\"{token}\"}}";
            JsonNode page = await OkAsync("DescribeImages", body);
            Assert.True(page["imageDetails"]!.AsArray().Count <= 2);
            digests.AddRange(page["imageDetails"]!.AsArray().Select(d => (string)d!["imageDigest"]!));
            token = (string?)page["nextToken"];
        }
        while (token is not null);
        Assert.Equal(6, digests.Count); // master.1-4, broken.1 and one untagged build
        Assert.Equal(6, digests.Distinct().Count());

        JsonNode tagged = await OkAsync("DescribeImages", "{\"repositoryName\":\"app\",\"filter\":{\"tagStatus\":\"TAGGED\"}}");
        Assert.Equal(5, tagged["imageDetails"]!.AsArray().Count);
        JsonNode untagged = await OkAsync("DescribeImages", "{\"repositoryName\":\"app\",\"filter\":{\"tagStatus\":\"UNTAGGED\"}}");
        JsonNode orphan = untagged["imageDetails"]!.AsArray().Single()!;
        Assert.Null(orphan["imageTags"]);

        await ErrorAsync("DescribeImages", "{\"repositoryName\":\"app\",\"filter\":{\"tagStatus\":\"SOME\"}}", "InvalidParameterException", "tagStatus");
        await ErrorAsync("DescribeImages", "{\"repositoryName\":\"app\",\"maxResults\":0}", "InvalidParameterException", "maxResults");
        await ErrorAsync("DescribeImages", "{\"repositoryName\":\"app\",\"maxResults\":1001}", "InvalidParameterException", "maxResults");
        await ErrorAsync("DescribeImages", "{\"repositoryName\":\"app\",\"nextToken\":\"garbage\"}", "InvalidParameterException", "nextToken");
    }

    [Fact]
    public async Task DescribeImagesByIdFailsForAnUnknownOne()
    {
        JsonNode found = await OkAsync("DescribeImages", "{\"repositoryName\":\"app\",\"imageIds\":[{\"imageTag\":\"master.2\"},{\"imageTag\":\"master.3\"}]}");
        Assert.Equal(2, found["imageDetails"]!.AsArray().Count);
        Assert.Equal("master.2", (string?)found["imageDetails"]![0]!["imageTags"]![0]);

        await ErrorAsync("DescribeImages", "{\"repositoryName\":\"app\",\"imageIds\":[{\"imageTag\":\"master.2\"},{\"imageTag\":\"master.9\"}]}",
            "ImageNotFoundException", "imageTag:'master.9'");
    }

    [Fact]
    public async Task ReleaseTagsWerePushedInOrderWithDistinctDigests()
    {
        JsonNode result = await OkAsync("DescribeImages",
            "{\"repositoryName\":\"nginx-proxy\",\"imageIds\":[{\"imageTag\":\"master.1\"},{\"imageTag\":\"master.2\"},{\"imageTag\":\"master.3\"},{\"imageTag\":\"master.4\"}]}");
        List<double> pushedAt = result["imageDetails"]!.AsArray().Select(d => (double)d!["imagePushedAt"]!).ToList();
        Assert.Equal(pushedAt.Order().ToList(), pushedAt);
        Assert.Equal(4, pushedAt.Distinct().Count());
        Assert.All(result["imageDetails"]!.AsArray(), d => Assert.Matches("^sha256:[0-9a-f]{64}$", (string)d!["imageDigest"]!));
    }

    [Fact]
    public async Task BatchGetImageReturnsManifestsAndFailures()
    {
        JsonNode first = await OkAsync("DescribeImages", "{\"repositoryName\":\"app\",\"imageIds\":[{\"imageTag\":\"master.1\"}]}");
        string master1 = (string)first["imageDetails"]![0]!["imageDigest"]!;
        string body = $$"""
            {"repositoryName":"app","imageIds":[
              {"imageTag":"master.4"},
              {"imageDigest":"{{master1}}"},
              {"imageTag":"master.9"},
              {"imageDigest":"{{master1}}","imageTag":"master.2"},
              {},
              {"imageDigest":"not-a-digest"}],
             "acceptedMediaTypes":["application/vnd.docker.distribution.manifest.v2+json"]}
            """;
        JsonNode result = await OkAsync("BatchGetImage", body);
        JsonArray images = result["images"]!.AsArray();
        Assert.Equal(2, images.Count);
        foreach (JsonNode? image in images)
        {
            string manifest = (string)image!["imageManifest"]!;
            string digest = (string)image["imageId"]!["imageDigest"]!;
            // A registry digest is the SHA-256 of the manifest bytes.
            Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(manifest))).ToLowerInvariant(), digest);
            JsonNode parsed = JsonNode.Parse(manifest)!;
            Assert.Equal(2, (int)parsed["schemaVersion"]!);
            Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", (string?)parsed["mediaType"]);
            Assert.NotEmpty(parsed["layers"]!.AsArray());
            Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", (string?)image["imageManifestMediaType"]);
        }
        Assert.Equal("master.4", (string?)images[0]!["imageId"]!["imageTag"]);
        Assert.Null(images[1]!["imageId"]!["imageTag"]);

        List<string> codes = result["failures"]!.AsArray().Select(f => (string)f!["failureCode"]!).ToList();
        Assert.Equal(["ImageNotFound", "ImageTagDoesNotMatchDigest", "MissingDigestAndTag", "InvalidImageDigest"], codes);
        Assert.Equal("master.9", (string?)result["failures"]![0]!["imageId"]!["imageTag"]);
    }

    [Fact]
    public async Task BatchGetImageLimitsTheBatch()
    {
        string ids = string.Join(',', Enumerable.Range(0, 101).Select(i => $"{{\"imageTag\":\"t{i}\"}}"));
        await ErrorAsync("BatchGetImage", $"{{\"repositoryName\":\"app\",\"imageIds\":[{ids}]}}", "InvalidParameterException", "100");
        await ErrorAsync("BatchGetImage", "{\"repositoryName\":\"app\",\"imageIds\":[]}", "InvalidParameterException", "imageIds");
    }

    [Fact]
    public async Task BrokenImagesAreMarkedInTheWorld()
    {
        SandboxImage broken = _host.World.Repositories["app"].Images.Single(i => i.Tags.Contains("broken.1"));
        Assert.True(broken.FailsToStart);
        Assert.Equal("Essential container in task exited", broken.FailureReason);
        Assert.Equal(1, broken.FailureExitCode);
        Assert.True(_host.World.Repositories["nginx-proxy"].Images.Single(i => i.Tags.Contains("broken.1")).FailsToStart);
        Assert.All(_host.World.Repositories["app"].Images.Where(i => i.Tags.Any(t => t.StartsWith("master.", StringComparison.Ordinal))),
            i => Assert.False(i.FailsToStart));
    }

    private async Task<JsonNode> OkAsync(string operation, string body)
    {
        var (status, json, _) = await _client.EcrAsync(operation, body);
        Assert.True(status == 200, $"{operation} answered {status}: {json}");
        return json!;
    }

    private async Task ErrorAsync(string operation, string body, string code, string messagePart)
    {
        var (status, json, _) = await _client.EcrAsync(operation, body);
        Assert.Equal(400, status);
        Assert.Equal(code, (string?)json!["__type"]);
        Assert.Contains(messagePart, (string?)json["message"]);
    }
}
