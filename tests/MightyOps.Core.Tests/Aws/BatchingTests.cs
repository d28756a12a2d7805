using System.Net;
using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// Batch sizes and paging tokens at the API limits, read off the request bodies the clients send
/// (the sandbox tests count the same calls end to end).
/// </summary>
public sealed class BatchingTests
{
    private static readonly AwsServiceEndpoint Endpoint = new("ECS", "ecs", new Uri("http://127.0.0.1:4566/"), "us-east-1", true, "-EndpointUrl");

    [Fact]
    public async Task DescribeTasks_and_DescribeContainerInstances_go_in_hundreds_and_merge_failures()
    {
        var aws = new CannedAws().ThenAlways(200, """{"tasks":[{"taskArn":"t"}],"containerInstances":[{"containerInstanceArn":"c"}],"failures":[{"arn":"x","reason":"MISSING"}]}""");
        EcsClient ecs = Ecs(aws);
        string[] ids = Enumerable.Range(0, 250).Select(i => $"task-{i}").ToArray();

        DescribeTasksResponse tasks = await ecs.DescribeTasksAsync("production", [.. ids, "task-0"], includeTags: true, CancellationToken.None);
        DescribeContainerInstancesResponse instances = await ecs.DescribeContainerInstancesAsync("production", ids.Take(101), CancellationToken.None);

        List<JsonElement> bodies = aws.Seen.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal([100, 100, 50], bodies.Take(3).Select(b => b.GetProperty("tasks").GetArrayLength()));
        Assert.All(bodies.Take(3), b => Assert.Equal("TAGS", b.GetProperty("include")[0].GetString()));
        Assert.Equal([100, 1], bodies.Skip(3).Select(b => b.GetProperty("containerInstances").GetArrayLength()));
        Assert.Equal(3, tasks.Tasks!.Count);
        Assert.Equal(3, tasks.Failures!.Count);
        Assert.Equal(2, instances.ContainerInstances!.Count);
        Assert.Equal(2, instances.Failures!.Count);
    }

    [Fact]
    public async Task DescribeServices_goes_in_tens_without_an_include_unless_tags_are_asked_for()
    {
        var aws = new CannedAws().ThenAlways(200, """{"services":[],"failures":[]}""");

        await Ecs(aws).DescribeServicesAsync("production", Enumerable.Range(0, 25).Select(i => $"svc-{i}"), CancellationToken.None);

        Assert.Equal([10, 10, 5], aws.Seen.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("services").GetArrayLength()));
        Assert.All(aws.Seen, r => Assert.DoesNotContain("include", r.BodyText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Empty_lists_make_no_call()
    {
        var aws = new CannedAws();
        EcsClient ecs = Ecs(aws);

        Assert.Empty((await ecs.DescribeServicesAsync("production", [], CancellationToken.None)).Services!);
        Assert.Empty((await ecs.DescribeTasksAsync("production", [" "], includeTags: false, CancellationToken.None)).Tasks!);
        Assert.Empty((await ecs.DescribeContainerInstancesAsync("production", [], CancellationToken.None)).ContainerInstances!);
        Assert.Empty((await ecs.DescribeClustersAsync([], null, CancellationToken.None)).Clusters!);
        Assert.Empty((await new EcrClient(Json(aws, EcrClient.TargetPrefix)).BatchGetImageAsync("app", [new EcrImageIdentifier()], null, null, CancellationToken.None)).Images!);
        Assert.Equal(0, aws.Count);
    }

    [Fact]
    public async Task ListTasks_follows_next_tokens_and_keeps_every_filter()
    {
        var aws = new CannedAws()
            .Reply(200, """{"taskArns":["a","b"],"nextToken":"page-2"}""")
            .Reply(200, """{"taskArns":["c"],"nextToken":"page-3"}""")
            .Reply(200, """{"taskArns":["d"]}""");

        var arns = new List<string>();
        await foreach (string arn in Ecs(aws).ListTasksAsync(new ListTasksRequest { Cluster = "production", ServiceName = "WEB", DesiredStatus = "STOPPED", MaxResults = 5, NextToken = "ignored" }, CancellationToken.None))
        {
            arns.Add(arn);
        }

        Assert.Equal(["a", "b", "c", "d"], arns);
        Assert.Equal(
            [
                """{"cluster":"production","maxResults":100,"serviceName":"WEB","desiredStatus":"STOPPED"}""",
                """{"cluster":"production","nextToken":"page-2","maxResults":100,"serviceName":"WEB","desiredStatus":"STOPPED"}""",
                """{"cluster":"production","nextToken":"page-3","maxResults":100,"serviceName":"WEB","desiredStatus":"STOPPED"}""",
            ],
            aws.Seen.Select(r => r.BodyText));
    }

    [Fact]
    public async Task A_repeated_next_token_stops_instead_of_looping_forever()
    {
        var aws = new CannedAws().ThenAlways(200, """{"clusterArns":["a"],"nextToken":"same"}""");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => Ecs(aws).ListClusterNamesAsync(CancellationToken.None));

        Assert.Equal("AwsResponseInvalid", error.ErrorId);
        Assert.Equal(2, aws.Count);
    }

    [Fact]
    public async Task Ecr_names_go_in_hundreds_and_paging_uses_maxResults_1000_without_names()
    {
        var aws = new CannedAws()
            .Reply(200, """{"repositories":[{"repositoryName":"a"}]}""")
            .Reply(200, """{"repositories":[{"repositoryName":"b"}]}""")
            .Reply(200, """{"repositories":[{"repositoryName":"c"}],"nextToken":"n1"}""")
            .Reply(200, """{"repositories":[{"repositoryName":"d"}]}""");
        var ecr = new EcrClient(Json(aws, EcrClient.TargetPrefix));

        IReadOnlyList<EcrRepository> named = await ecr.DescribeRepositoriesAsync(Enumerable.Range(0, 150).Select(i => $"r{i}"), "123456789012", CancellationToken.None);
        IReadOnlyList<EcrRepository> all = await ecr.DescribeRepositoriesAsync(null, null, CancellationToken.None);

        List<JsonElement> bodies = aws.Seen.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal([100, 50], bodies.Take(2).Select(b => b.GetProperty("repositoryNames").GetArrayLength()));
        Assert.All(bodies.Take(2), b => Assert.False(b.TryGetProperty("maxResults", out _)));
        Assert.Equal("123456789012", bodies[0].GetProperty("registryId").GetString());
        Assert.Equal(1000, bodies[2].GetProperty("maxResults").GetInt32());
        Assert.Equal("n1", bodies[3].GetProperty("nextToken").GetString());
        Assert.Equal(["a", "b"], named.Select(r => r.RepositoryName));
        Assert.Equal(["c", "d"], all.Select(r => r.RepositoryName));
        Assert.All(aws.Seen, r => Assert.Equal("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", r.Header("X-Amz-Target")));
    }

    [Fact]
    public async Task Update_service_sends_force_new_deployment_only_when_true()
    {
        var aws = new CannedAws().ThenAlways(200, """{"service":{"serviceName":"WEB"}}""");
        EcsClient ecs = Ecs(aws);

        await ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "production", Service = "WEB", DesiredCount = 3, ForceNewDeployment = false }, CancellationToken.None);
        await ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "production", Service = "WEB", ForceNewDeployment = true }, CancellationToken.None);
        await ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest { Family = "WEB", ContainerDefinitions = [new EcsContainerDefinition { Name = "app", Image = "app:1" }], Tags = [] }, CancellationToken.None);

        Assert.Equal(
            [
                """{"cluster":"production","service":"WEB","desiredCount":3}""",
                """{"cluster":"production","service":"WEB","forceNewDeployment":true}""",
                """{"family":"WEB","containerDefinitions":[{"name":"app","image":"app:1"}]}""",
            ],
            aws.Seen.Select(r => r.BodyText));
    }

    [Fact]
    public async Task A_skewed_clock_is_corrected_from_the_answer_and_the_call_goes_through()
    {
        DateTimeOffset awsNow = DateTimeOffset.UtcNow.AddMinutes(20);
        var aws = new CannedAws().Error(400, "InvalidSignatureException", "Signature expired: 20261126T120000Z is now earlier than 20261126T121500Z (20261126T122000Z - 5 min.)").Reply(200, """{"clusterArns":["a"]}""");
        var handler = new DateStamping(aws, awsNow);
        var log = new RecordingLog();
        try
        {
            var client = new AwsJsonClient(Endpoint, EcsClient.TargetPrefix, CredentialSource.Static(new AwsCredentialSnapshot("AKIDEXAMPLE", "s")), new RetryPolicy(), log, new HttpMessageInvoker(handler));

            ListClustersResponse response = await client.InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);

            Assert.Single(response.ClusterArns!);
            Assert.Equal(2, aws.Count);
            DateTime second = DateTime.ParseExact(aws.Seen.Last().Header("X-Amz-Date")!, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
            Assert.InRange(second, awsNow.UtcDateTime.AddMinutes(-1), awsNow.UtcDateTime.AddMinutes(1));
            Assert.Contains(log.Warnings, w => w.Contains("clock", StringComparison.Ordinal));
        }
        finally
        {
            AwsPostClient.ResetClockOffset();
        }
    }

    private static EcsClient Ecs(CannedAws aws) => new(Json(aws, EcsClient.TargetPrefix));

    private static AwsJsonClient Json(CannedAws aws, string prefix) =>
        new(Endpoint, prefix, CredentialSource.Static(new AwsCredentialSnapshot("AKIDEXAMPLE", "secret")), new RetryPolicy(delay: (_, _) => Task.CompletedTask), NullOperationLog.Instance, new HttpMessageInvoker(aws));

    /// <summary>Adds the Date header AWS sends with every answer.</summary>
    private sealed class DateStamping(HttpMessageHandler inner, DateTimeOffset now) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            response.Headers.Date = now;
            return response;
        }
    }
}
