using System.Diagnostics;
using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests;

/// <summary>
/// Every ECS and ECR request body the client sends is checked against botocore's service models
/// (read from the installed botocore at test time, by botocore's own ParamValidator): no unknown
/// members, required members present, types and ranges right.
/// </summary>
public sealed class RequestShapeTests
{
    private static readonly string[] ExpectedOperations =
    [
        "ecs.ListClusters", "ecs.DescribeClusters", "ecs.ListServices", "ecs.DescribeServices",
        "ecs.DescribeTaskDefinition", "ecs.RegisterTaskDefinition", "ecs.DeregisterTaskDefinition", "ecs.ListTaskDefinitions",
        "ecs.UpdateService", "ecs.TagResource", "ecs.ListTasks", "ecs.DescribeTasks", "ecs.DescribeContainerInstances",
        "ecr.DescribeRepositories", "ecr.DescribeImages", "ecr.BatchGetImage",
    ];

    [Fact]
    public async Task Every_request_body_the_client_sends_is_valid_for_botocore()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", CaptureRequests = true, TimeScale = 200 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        CancellationToken ct = CancellationToken.None;

        await aws.Ecs.ListClusterNamesAsync(ct);
        await aws.Ecs.DescribeClustersAsync(["production"], ["STATISTICS", "TAGS"], ct);
        IReadOnlyList<string> services = await aws.Ecs.ListServiceNamesAsync("production", ct);
        DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync("production", services, includeTags: true, ct);
        EcsService web = described.Services!.Single(s => s.ServiceName == "WEB");

        DescribeTaskDefinitionResponse current = await aws.Ecs.DescribeTaskDefinitionAsync(web.TaskDefinition!, includeTags: true, ct);
        EcsTaskDefinition definition = current.TaskDefinition!;
        // The describe-then-register round trip: every container definition member as described
        // (typed or carried along), the allowed task-level members, the new image.
        foreach (EcsContainerDefinition container in definition.ContainerDefinitions!)
        {
            container.Image = container.Image!.Replace("master.4", "master.3", StringComparison.Ordinal);
        }
        RegisterTaskDefinitionResponse registered = await aws.Ecs.RegisterTaskDefinitionAsync(SandboxFixture.RegisterRequest(definition, current.Tags), ct);
        await aws.Ecs.ListNewestRevisionsAsync(definition.Family!, 10, ct);
        await aws.Ecs.UpdateServiceAsync(
            new UpdateServiceRequest { Cluster = "production", Service = "WEB", TaskDefinition = registered.TaskDefinition!.TaskDefinitionArn, DesiredCount = 2 },
            ct);
        await aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "production", Service = "API", ForceNewDeployment = true }, ct);
        await aws.Ecs.TagResourceAsync(web.ServiceArn!, [new EcsTag { Key = "mightyops:scaled-at", Value = "2026-11-30T21:00:00Z" }], ct);

        var tasks = new List<string>();
        await foreach (string task in aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = "production", ServiceName = "API" }, ct))
        {
            tasks.Add(task);
        }
        await foreach (string task in aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = "production", DesiredStatus = "STOPPED" }, ct))
        {
            tasks.Add(task);
        }
        DescribeTasksResponse taskDetails = await aws.Ecs.DescribeTasksAsync("production", tasks, includeTags: true, ct);
        string[] instances = taskDetails.Tasks!.Select(t => t.ContainerInstanceArn).OfType<string>().Distinct().ToArray();
        await aws.Ecs.DescribeContainerInstancesAsync("production", instances, ct);
        await aws.Ecs.DeregisterTaskDefinitionAsync(registered.TaskDefinition.TaskDefinitionArn!, ct);

        await aws.Ecr.DescribeRepositoriesAsync(null, null, ct);
        await aws.Ecr.DescribeRepositoriesAsync(["app"], null, ct);
        await foreach (EcrImageDetail _ in aws.Ecr.DescribeAllImagesAsync("app", "TAGGED", null, ct))
        {
        }
        await aws.Ecr.DescribeImagesAsync("app", [new EcrImageIdentifier { ImageTag = "master.4" }], null, ct);
        await aws.Ecr.BatchGetImageAsync("app", [new EcrImageIdentifier { ImageTag = "master.4" }, new EcrImageIdentifier { ImageTag = "nope" }], ["application/vnd.docker.distribution.manifest.v2+json"], null, ct);

        IReadOnlyList<SandboxCapturedRequest> captured = host.CapturedRequests;
        Assert.Equal(ExpectedOperations.Order(), captured.Select(c => $"{c.Service}.{c.Operation}").Distinct().Order());

        (int exitCode, string output) = await ValidateWithBotocoreAsync(captured);
        Assert.True(exitCode == 0, $"botocore rejected request bodies:\n{output}");
        Assert.Contains($"{captured.Count} requests checked", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_validator_rejects_what_botocore_rejects()
    {
        // The check itself must be able to fail: read-only members of a described task definition
        // (the classic clone pitfall, docs/design/task-definition-copy.md) and a string where an integer belongs.
        SandboxCapturedRequest[] bad =
        [
            new("ecs", "RegisterTaskDefinition", """{"family":"web","containerDefinitions":[{"name":"a","image":"x"}],"revision":3,"status":"ACTIVE"}"""),
            new("ecs", "UpdateService", """{"service":"web","desiredCount":"2"}"""),
            new("ecs", "DescribeServices", """{"cluster":"production"}"""),
        ];

        (int exitCode, string output) = await ValidateWithBotocoreAsync(bad);

        Assert.Equal(1, exitCode);
        Assert.Contains("Unknown parameter in input: \"revision\"", output, StringComparison.Ordinal);
        Assert.Contains("Invalid type for parameter desiredCount", output, StringComparison.Ordinal);
        Assert.Contains("Missing required parameter in input: \"services\"", output, StringComparison.Ordinal);
    }

    /// <summary>Runs a botocore check from tests/tools over bodies: requests (validate_requests.py) or responses (validate_responses.py).</summary>
    internal static async Task<(int ExitCode, string Output)> ValidateWithBotocoreAsync(IEnumerable<SandboxCapturedRequest> requests, string tool = "validate_requests.py")
    {
        string input = Path.Combine(Path.GetTempPath(), $"mighty-requests-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(requests.Select(r => new { service = r.Service, operation = r.Operation, body = r.Body })));
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(Aws.TestEnvironment.RepositoryRoot(), "tests", "tools", tool));
            start.ArgumentList.Add(input);
            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
