using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ec2;
using MightyOps.Core.Aws.Ecr;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>Every client operation end to end against the real sandbox over loopback HTTP, calls counted by the sandbox.</summary>
public sealed class SandboxClientTests : IClassFixture<SandboxFixture>
{
    private const string Cluster = "production";
    private readonly SandboxHost _host;
    private readonly RecordingLog _log = new();

    public SandboxClientTests(SandboxFixture fixture)
    {
        _host = fixture.Host;
    }

    [Fact]
    public async Task ListClusters_and_DescribeClusters_report_unknown_clusters_as_failures()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var before = SandboxFixture.Snapshot(_host);

        IReadOnlyList<string> names = await aws.Ecs.ListClusterNamesAsync(CancellationToken.None);
        DescribeClustersResponse described = await aws.Ecs.DescribeClustersAsync([Cluster, "no-such-cluster"], ["STATISTICS", "TAGS"], CancellationToken.None);

        Assert.Contains(Cluster, names);
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.ListClusters"));
        EcsCluster cluster = Assert.Single(described.Clusters!);
        Assert.Equal(Cluster, cluster.ClusterName);
        Assert.Equal("ACTIVE", cluster.Status);
        Assert.True(cluster.RegisteredContainerInstancesCount > 0);
        EcsFailure failure = Assert.Single(described.Failures!);
        Assert.Equal("MISSING", failure.Reason);
        Assert.EndsWith("cluster/no-such-cluster", failure.Arn, StringComparison.Ordinal);
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.DescribeClusters"));
    }

    [Fact]
    public async Task All_services_of_the_demo_cluster_come_in_one_ListServices_page_and_DescribeServices_batches_of_ten()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var before = SandboxFixture.Snapshot(_host);

        var arns = new List<string>();
        await foreach (string arn in aws.Ecs.ListServicesAsync(Cluster, CancellationToken.None))
        {
            arns.Add(arn);
        }
        List<string> names = arns.Select(EcsArn.LastSegment).ToList();
        DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync(Cluster, [.. names, "ghost-service"], CancellationToken.None);

        Assert.Equal(32, names.Count);
        Assert.Contains("WEB", names);
        Assert.Contains("ios_web_scrape", names);
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.ListServices"));
        Assert.Equal(4, SandboxFixture.Delta(_host, before, "ecs.DescribeServices"));
        Assert.Equal(names.Order(StringComparer.Ordinal), described.Services!.Select(s => s.ServiceName!).Order(StringComparer.Ordinal));
        Assert.EndsWith("ghost-service", Assert.Single(described.Failures!).Arn, StringComparison.Ordinal);
        EcsService web = described.Services!.Single(s => s.ServiceName == "WEB");
        Assert.Equal("ACTIVE", web.Status);
        Assert.Contains(web.Deployments!, d => d.Status == "PRIMARY");
    }

    [Fact]
    public async Task An_unknown_cluster_is_ClusterNotFound()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecs.ListServiceNamesAsync("no-such-cluster", CancellationToken.None));

        Assert.Equal("ClusterNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
        Assert.Equal("no-such-cluster", error.Target);
        Assert.NotNull(error.RequestId);
        Assert.Contains(error.RequestId!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_register_and_deregister_a_task_definition_round_trip()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        DescribeServicesResponse services = await aws.Ecs.DescribeServicesAsync(Cluster, ["API"], CancellationToken.None);
        string current = services.Services!.Single().TaskDefinition!;

        DescribeTaskDefinitionResponse described = await aws.Ecs.DescribeTaskDefinitionAsync(current, includeTags: true, CancellationToken.None);
        EcsTaskDefinition definition = described.TaskDefinition!;
        Assert.Equal(current, definition.TaskDefinitionArn);
        Assert.NotEmpty(definition.ContainerDefinitions!);

        RegisterTaskDefinitionRequest request = SandboxFixture.RegisterRequest(definition, described.Tags);
        string image = request.ContainerDefinitions![0].Image!;
        request.ContainerDefinitions[0].Image = image[..image.LastIndexOf(':')] + ":master.2";

        RegisterTaskDefinitionResponse registered = await aws.Ecs.RegisterTaskDefinitionAsync(request, CancellationToken.None);
        Assert.Equal(definition.Family, registered.TaskDefinition!.Family);
        Assert.True(registered.TaskDefinition.Revision > definition.Revision);
        Assert.EndsWith(":master.2", registered.TaskDefinition.ContainerDefinitions![0].Image, StringComparison.Ordinal);

        DeregisterTaskDefinitionResponse deregistered = await aws.Ecs.DeregisterTaskDefinitionAsync(registered.TaskDefinition.TaskDefinitionArn!, CancellationToken.None);
        Assert.Equal("INACTIVE", deregistered.TaskDefinition!.Status);
    }

    [Fact]
    public async Task An_unknown_task_definition_is_TaskDefinitionNotFound()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecs.DescribeTaskDefinitionAsync("no-such-family:7", includeTags: false, CancellationToken.None));

        Assert.Equal("TaskDefinitionNotFound", error.ErrorId);
        Assert.Equal("no-such-family:7", error.Target);
    }

    [Fact]
    public async Task UpdateService_changes_the_desired_count_and_an_unknown_service_is_ServiceNotFound()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);

        UpdateServiceResponse updated = await aws.Ecs.UpdateServiceAsync(
            new UpdateServiceRequest { Cluster = Cluster, Service = "analytics", DesiredCount = 1, ForceNewDeployment = false }, CancellationToken.None);
        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = "no-such-service", DesiredCount = 1 }, CancellationToken.None));

        Assert.Equal("analytics", updated.Service!.ServiceName);
        Assert.Equal(1, updated.Service.DesiredCount);
        Assert.Equal("ServiceNotFound", error.ErrorId);
        Assert.Equal("no-such-service", error.Target);
    }

    [Fact]
    public async Task From_a_service_to_its_tasks_container_instances_and_ec2_hosts()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var before = SandboxFixture.Snapshot(_host);

        var taskArns = new List<string>();
        await foreach (string arn in aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = Cluster, ServiceName = "WEB" }, CancellationToken.None))
        {
            taskArns.Add(arn);
        }
        DescribeTasksResponse tasks = await aws.Ecs.DescribeTasksAsync(Cluster, [.. taskArns, "0123456789abcdef0123456789abcdef"], includeTags: false, CancellationToken.None);
        List<string> instanceArns = tasks.Tasks!.Select(t => t.ContainerInstanceArn!).Distinct().ToList();
        DescribeContainerInstancesResponse instances = await aws.Ecs.DescribeContainerInstancesAsync(Cluster, instanceArns, CancellationToken.None);
        IReadOnlyList<Ec2Instance> hosts = await aws.Ec2.DescribeInstancesAsync(instances.ContainerInstances!.Select(c => c.Ec2InstanceId!), CancellationToken.None);

        Assert.NotEmpty(taskArns);
        Assert.Equal(taskArns.Order(StringComparer.Ordinal), tasks.Tasks!.Select(t => t.TaskArn!).Order(StringComparer.Ordinal));
        Assert.All(tasks.Tasks!, t => Assert.Equal("service:WEB", t.Group));
        Assert.Single(tasks.Failures!);
        Assert.Equal(instanceArns.Count, instances.ContainerInstances!.Count);
        Assert.Equal(instances.ContainerInstances.Select(c => c.Ec2InstanceId).Order(), hosts.Select(h => h.InstanceId).Order());
        Assert.All(hosts, h =>
        {
            Assert.Equal("running", h.State);
            Assert.False(string.IsNullOrEmpty(h.PrivateIpAddress));
            Assert.False(string.IsNullOrEmpty(h.AvailabilityZone));
        });
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.ListTasks"));
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.DescribeTasks"));
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.DescribeContainerInstances"));
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ec2.DescribeInstances"));
    }

    [Fact]
    public async Task An_unknown_instance_id_is_Ec2InstanceNotFound()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ec2.DescribeInstancesAsync(["i-0000000000000dead"], CancellationToken.None));

        Assert.Equal("Ec2InstanceNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Ecr_repositories_images_and_manifests()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);

        IReadOnlyList<EcrRepository> all = await aws.Ecr.DescribeRepositoriesAsync(null, null, CancellationToken.None);
        IReadOnlyList<EcrRepository> app = await aws.Ecr.DescribeRepositoriesAsync(["app"], null, CancellationToken.None);
        var images = new List<EcrImageDetail>();
        await foreach (EcrImageDetail image in aws.Ecr.DescribeAllImagesAsync("app", null, null, CancellationToken.None))
        {
            images.Add(image);
        }
        var untagged = new List<EcrImageDetail>();
        await foreach (EcrImageDetail image in aws.Ecr.DescribeAllImagesAsync("app", "UNTAGGED", null, CancellationToken.None))
        {
            untagged.Add(image);
        }
        IReadOnlyList<EcrImageDetail> byTag = await aws.Ecr.DescribeImagesAsync("app", [new EcrImageIdentifier { ImageTag = "master.4" }], null, CancellationToken.None);
        BatchGetImageResponse manifests = await aws.Ecr.BatchGetImageAsync("app", [new EcrImageIdentifier { ImageTag = "master.1" }, new EcrImageIdentifier { ImageTag = "no-such-tag" }], null, null, CancellationToken.None);

        Assert.Contains(all, r => r.RepositoryName == "app");
        Assert.Contains(all, r => r.RepositoryName == "nginx-proxy");
        Assert.Equal("app", Assert.Single(app).RepositoryName);
        Assert.Contains(images, i => i.ImageTags?.Contains("master.4") == true);
        Assert.Contains(images, i => i.ImageTags?.Contains("broken.1") == true);
        Assert.NotEmpty(untagged);
        Assert.All(untagged, i => Assert.True(i.ImageTags is null or { Count: 0 }));
        Assert.Contains("master.4", Assert.Single(byTag).ImageTags!);
        EcrImage image1 = Assert.Single(manifests.Images!);
        Assert.Equal("master.1", image1.ImageId!.ImageTag);
        using (JsonDocument.Parse(image1.ImageManifest!))
        {
        }
        EcrImageFailure failure = Assert.Single(manifests.Failures!);
        Assert.Equal("ImageNotFound", failure.FailureCode);
        Assert.Equal("no-such-tag", failure.ImageId!.ImageTag);
    }

    [Fact]
    public async Task Unknown_ecr_repositories_and_images_have_their_own_ids()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);

        var repository = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecr.DescribeRepositoriesAsync(["no-such-repo"], null, CancellationToken.None));
        var image = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecr.DescribeImagesAsync("app", [new EcrImageIdentifier { ImageTag = "no-such-tag" }], null, CancellationToken.None));

        Assert.Equal("RepositoryNotFound", repository.ErrorId);
        Assert.Equal("no-such-repo", repository.Target);
        Assert.Equal("ImageNotFound", image.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, image.Kind);
    }

    [Fact]
    public async Task S3_objects_round_trip_and_missing_ones_have_their_own_ids()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        string key = $"tests/{Guid.NewGuid():N}.env";
        byte[] content = Encoding.UTF8.GetBytes("RAILS_ENV=production\nSECRET=x\n");

        S3ObjectContent secrets = await aws.S3.GetObjectAsync(S3Location.Parse("s3://mighty-secrets/production.json"), CancellationToken.None);
        bool before = await aws.S3.ObjectExistsAsync("mighty-secrets", key, CancellationToken.None);
        string? etag = await aws.S3.PutObjectAsync("mighty-secrets", key, content, "text/plain", CancellationToken.None);
        bool after = await aws.S3.ObjectExistsAsync("mighty-secrets", key, CancellationToken.None);
        S3ObjectContent read = await aws.S3.GetObjectAsync("mighty-secrets", key, CancellationToken.None);
        var missingKey = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.GetObjectAsync("mighty-secrets", "no/such/key.json", CancellationToken.None));
        var missingBucket = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.GetObjectAsync("no-such-bucket-mighty", "x.json", CancellationToken.None));

        Assert.True(JsonNode.Parse(secrets.Content)!["shared"] is JsonObject);
        Assert.Equal("application/json", secrets.ContentType);
        Assert.False(before);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.True(after);
        Assert.Equal(content, read.Content);
        Assert.Equal("S3ObjectNotFound", missingKey.ErrorId);
        Assert.Equal("s3://mighty-secrets/no/such/key.json", missingKey.Target);
        Assert.Equal("S3BucketNotFound", missingBucket.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, missingBucket.Kind);
    }

    [Fact]
    public async Task A_wrong_secret_is_AwsAuthenticationFailed_at_once_for_every_client()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host, secret: "not-the-sandbox-secret");
        var before = SandboxFixture.Snapshot(_host);

        var ecs = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecs.ListClusterNamesAsync(CancellationToken.None));
        var ecr = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecr.DescribeRepositoriesAsync(null, null, CancellationToken.None));
        var s3 = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.GetObjectAsync("mighty-secrets", "production.json", CancellationToken.None));
        var ec2 = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ec2.DescribeInstancesAsync(["i-0123456789abcdef0"], CancellationToken.None));

        foreach (MightyOpsException error in new[] { ecs, ecr, s3, ec2 })
        {
            Assert.Equal("AwsAuthenticationFailed", error.ErrorId);
            Assert.Equal(MightyErrorKind.Authentication, error.Kind);
            Assert.Contains(AccessKeyId.Mask(_host.Options.AccessKeyId), error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(_host.Options.AccessKeyId, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-sandbox-secret", error.Message, StringComparison.Ordinal);
        }
        Assert.Contains("secret access key", ecs.Message, StringComparison.Ordinal);
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.ListClusters"));
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecr.DescribeRepositories"));
    }

    [Fact]
    public async Task An_unknown_access_key_is_AwsAuthenticationFailed_naming_the_endpoint_that_refused_it()
    {
        using AwsSession aws = await AwsSession.CreateAsync(
            new AwsOptions(Region: _host.Options.Region, EndpointUrl: _host.Endpoint.ToString()) { Credentials = new AwsCredentialSnapshot("AKIANOBODYKNOWS0000", "x") },
            _log,
            CancellationToken.None);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecs.ListClusterNamesAsync(CancellationToken.None));

        Assert.Equal("AwsAuthenticationFailed", error.ErrorId);
        Assert.Contains("access key AKIA…0000 ", error.Message, StringComparison.Ordinal);
        // The sandbox is an endpoint override: the message must not send the user hunting in their AWS account.
        Assert.Contains($"The endpoint {_host.Endpoint.GetLeftPart(UriPartial.Authority)} does not recognise", error.Message, StringComparison.Ordinal);
        Assert.Contains("endpoint override", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_names_the_endpoints_of_the_services_a_session_calls_and_no_others()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host, _log);

        await aws.Ecs.ListClusterNamesAsync(CancellationToken.None);

        string[] endpoints = _log.VerboseLines.Where(l => l.Contains(" endpoint ", StringComparison.Ordinal)).ToArray();
        Assert.Single(endpoints, l => l.StartsWith("ecs endpoint ", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(endpoints, l => l.StartsWith("ecr", StringComparison.OrdinalIgnoreCase) || l.StartsWith("ec2", StringComparison.OrdinalIgnoreCase) || l.StartsWith("s3", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Paging and batching at the API limits, counted by the sandbox, on worlds big enough to need several pages.</summary>
public sealed class SandboxPagingTests
{
    [Fact]
    public async Task Ecr_pages_of_1000_and_name_batches_of_100()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "empty" });
        lock (host.World.Sync)
        {
            for (int i = 0; i < 1_050; i++)
            {
                string name = $"repo-{i:D4}";
                host.World.Repositories[name] = new SandboxRepository { Name = name, CreatedAt = DateTimeOffset.UtcNow };
            }
            SandboxRepository big = host.World.Repositories["repo-0000"];
            for (int i = 0; i < 1_205; i++)
            {
                string digest = "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))).ToLowerInvariant();
                var image = new SandboxImage { Digest = digest, Manifest = "{\"schemaVersion\":2}", PushedAt = DateTimeOffset.UtcNow };
                image.Tags.Add($"build.{i}");
                big.Images.Add(image);
            }
        }
        using AwsSession aws = await SandboxFixture.SessionAsync(host);

        var before = SandboxFixture.Snapshot(host);
        IReadOnlyList<EcrRepository> all = await aws.Ecr.DescribeRepositoriesAsync(null, null, CancellationToken.None);
        Assert.Equal(1_050, all.Select(r => r.RepositoryName).Distinct().Count());
        Assert.Equal(2, SandboxFixture.Delta(host, before, "ecr.DescribeRepositories"));

        before = SandboxFixture.Snapshot(host);
        IReadOnlyList<EcrRepository> named = await aws.Ecr.DescribeRepositoriesAsync(Enumerable.Range(0, 250).Select(i => $"repo-{i:D4}"), null, CancellationToken.None);
        Assert.Equal(250, named.Count);
        Assert.Equal(3, SandboxFixture.Delta(host, before, "ecr.DescribeRepositories"));

        before = SandboxFixture.Snapshot(host);
        var images = new List<EcrImageDetail>();
        await foreach (EcrImageDetail image in aws.Ecr.DescribeAllImagesAsync("repo-0000", null, null, CancellationToken.None))
        {
            images.Add(image);
        }
        Assert.Equal(1_205, images.Select(i => i.ImageDigest).Distinct().Count());
        Assert.Equal(2, SandboxFixture.Delta(host, before, "ecr.DescribeImages"));

        before = SandboxFixture.Snapshot(host);
        BatchGetImageResponse manifests = await aws.Ecr.BatchGetImageAsync(
            "repo-0000", Enumerable.Range(0, 230).Select(i => new EcrImageIdentifier { ImageTag = $"build.{i}" }).Append(new EcrImageIdentifier { ImageTag = "nope" }), null, null, CancellationToken.None);
        Assert.Equal(230, manifests.Images!.Count);
        Assert.Single(manifests.Failures!);
        Assert.Equal(3, SandboxFixture.Delta(host, before, "ecr.BatchGetImage"));
    }

    [Fact]
    public async Task Ecs_pages_of_100_and_describe_batches()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 500 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        // 118 more services: 150 in all, two ListServices pages and fifteen DescribeServices batches.
        DescribeServicesResponse seed = await aws.Ecs.DescribeServicesAsync("production", ["low"], CancellationToken.None);
        string taskDefinition = seed.Services!.Single().TaskDefinition!;
        for (int i = 0; i < 118; i++)
        {
            await aws.Ecs.Json.InvokeAsync<JsonObject, Dictionary<string, JsonElement>>(
                "CreateService",
                new JsonObject { ["cluster"] = "production", ["serviceName"] = $"extra-{i:D3}", ["taskDefinition"] = taskDefinition, ["desiredCount"] = 0 },
                null,
                CancellationToken.None);
        }

        var before = SandboxFixture.Snapshot(host);
        IReadOnlyList<string> names = await aws.Ecs.ListServiceNamesAsync("production", CancellationToken.None);
        DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync("production", names, CancellationToken.None);

        Assert.Equal(150, names.Distinct().Count());
        Assert.Equal(2, SandboxFixture.Delta(host, before, "ecs.ListServices"));
        Assert.Equal(150, described.Services!.Count);
        Assert.Empty(described.Failures!);
        Assert.Equal(15, SandboxFixture.Delta(host, before, "ecs.DescribeServices"));
    }
}

/// <summary>Retries end to end: the sandbox injects throttling and server errors, the client still succeeds.</summary>
public sealed class SandboxFaultTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Twenty_percent_throttling_and_five_percent_server_errors_still_succeed()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", ThrottlingRate = 0.2, ServerErrorRate = 0.05, RandomSeed = 20261126 });
        var log = new RecordingLog();
        using AwsSession aws = await SandboxFixture.SessionAsync(host, log, retry: new RetryPolicy(baseDelay: TimeSpan.FromMilliseconds(5), maxDelay: TimeSpan.FromMilliseconds(50)));
        var before = SandboxFixture.Snapshot(host);

        const int Rounds = 15;
        for (int i = 0; i < Rounds; i++)
        {
            IReadOnlyList<string> names = await aws.Ecs.ListServiceNamesAsync("production", CancellationToken.None);
            DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync("production", names, CancellationToken.None);
            Assert.Equal(32, described.Services!.Count);
            Assert.Equal(2, (await aws.Ecr.DescribeRepositoriesAsync(null, null, CancellationToken.None)).Count);
        }

        long listCalls = SandboxFixture.Delta(host, before, "ecs.ListServices");
        long describeCalls = SandboxFixture.Delta(host, before, "ecs.DescribeServices");
        long ecrCalls = SandboxFixture.Delta(host, before, "ecr.DescribeRepositories");
        Assert.True(listCalls + describeCalls + ecrCalls > Rounds * 6, "faults were injected and retried");
        Assert.Contains(log.VerboseLines, m => m.Contains("ThrottlingException", StringComparison.Ordinal));
        Assert.Contains(log.VerboseLines, m => m.Contains("retrying in", StringComparison.Ordinal));
    }

    /// <summary>
    /// A storm of 30 % throttling and 10 % server errors (fixed fault seed), and reads of the whole
    /// demo cluster (32 services) through MightyOps and through the real AWS CLI in its standard
    /// and legacy retry modes, each against a sandbox of its own with the same seed. A MightyOps
    /// read is one ListServices and four DescribeServices in a session of its own, as each cmdlet
    /// invocation has (and so its own retry quota); a CLI read is `aws ecs list-services` (four
    /// pages of 10) and four `aws ecs describe-services`, each command with its own quota. Neither
    /// client sleeps its backoff here: which attempts are made does not depend on the waits.
    /// The numbers are printed and recorded in docs/design/retries-and-timeouts.md.
    /// </summary>
    [Fact]
    public async Task A_whole_cluster_read_survives_a_storm_at_least_as_well_as_with_the_AWS_CLI()
    {
        const int Runs = 60;
        (int survived, double attempts) mighty = await StormAsync(Runs, MightyOpsReadsAsync);
        (int survived, double attempts) standard = await StormAsync(Runs, (host, runs) => CliReadsAsync(host, runs, "standard"));
        (int survived, double attempts) legacy = await StormAsync(Runs, (host, runs) => CliReadsAsync(host, runs, "legacy"));

        output.WriteLine($"MightyOps:             {mighty.survived}/{Runs} reads survived, {mighty.attempts:0.0} HTTP attempts per read (5 without faults)");
        output.WriteLine($"AWS CLI, standard mode: {standard.survived}/{Runs} reads survived, {standard.attempts:0.0} HTTP attempts per read (8 without faults)");
        output.WriteLine($"AWS CLI, legacy mode:   {legacy.survived}/{Runs} reads survived, {legacy.attempts:0.0} HTTP attempts per read (8 without faults)");
        Assert.True(mighty.survived >= standard.survived, $"MightyOps {mighty.survived}, CLI standard {standard.survived}");
        Assert.True(mighty.survived >= legacy.survived, $"MightyOps {mighty.survived}, CLI legacy {legacy.survived}");
        Assert.True(mighty.survived >= Runs * 0.9, $"only {mighty.survived} of {Runs} MightyOps reads survived");
    }

    private static async Task<(int Survived, double Attempts)> StormAsync(int runs, Func<SandboxHost, int, Task<int>> reads)
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", ThrottlingRate = 0.3, ServerErrorRate = 0.1, RandomSeed = 6 });
        var before = SandboxFixture.Snapshot(host);
        int survived = await reads(host, runs);
        long attempts = SandboxFixture.Delta(host, before, "ecs.ListServices") + SandboxFixture.Delta(host, before, "ecs.DescribeServices");
        return (survived, (double)attempts / runs);
    }

    private static async Task<int> MightyOpsReadsAsync(SandboxHost host, int runs)
    {
        int survived = 0;
        for (int run = 0; run < runs; run++)
        {
            using AwsSession aws = await SandboxFixture.SessionAsync(host, retry: new RetryPolicy(random: new Random(run).NextDouble, delay: (_, _) => Task.CompletedTask));
            try
            {
                IReadOnlyList<string> names = await aws.Ecs.ListServiceNamesAsync("production", CancellationToken.None);
                Assert.Equal(32, (await aws.Ecs.DescribeServicesAsync("production", names, CancellationToken.None)).Services!.Count);
                survived++;
            }
            catch (MightyOpsException e) when (e.ErrorId is "AwsThrottled" or "AwsServerError")
            {
            }
        }
        return survived;
    }

    private static async Task<int> CliReadsAsync(SandboxHost host, int runs, string retryMode)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestEnvironment.RepositoryRoot(), "tests", "tools", "cli_retry_storm.py"));
        start.ArgumentList.Add(runs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("production");
        start.Environment["AWS_ENDPOINT_URL"] = host.Endpoint.ToString();
        start.Environment["AWS_DEFAULT_REGION"] = host.Options.Region;
        start.Environment["AWS_ACCESS_KEY_ID"] = host.Options.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = host.Options.SecretAccessKey;
        start.Environment["AWS_RETRY_MODE"] = retryMode;
        start.Environment.Remove("AWS_MAX_ATTEMPTS");
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return System.Text.Json.JsonDocument.Parse(await stdout).RootElement.GetProperty("survived").GetInt32();
    }

    [Fact]
    public async Task Throttling_every_time_ends_as_AwsThrottled_after_the_attempts_allowed()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", ThrottlingRate = 1.0 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host, retry: new RetryPolicy(maxAttempts: 4, baseDelay: TimeSpan.FromMilliseconds(1)));
        var before = SandboxFixture.Snapshot(host);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecs.ListClusterNamesAsync(CancellationToken.None));

        Assert.Equal("AwsThrottled", error.ErrorId);
        Assert.Equal(4, SandboxFixture.Delta(host, before, "ecs.ListClusters"));
    }

    [Fact]
    public async Task S3_and_EC2_are_retried_with_the_modules_attempts_and_S3_SlowDown_is_throttling()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo" });
        host.Faults.SetRates(1, 0, ["s3", "ec2"]);
        var log = new RecordingLog();
        using AwsSession aws = await SandboxFixture.SessionAsync(host, log, retry: new RetryPolicy(maxAttempts: 4, baseDelay: TimeSpan.FromMilliseconds(1)));

        // HEAD answers have no body: S3's bare 503 is its SlowDown all the same.
        var head = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.ObjectExistsAsync("mighty-secrets", "production.json", CancellationToken.None));
        var get = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.GetObjectAsync("mighty-secrets", "production.json", CancellationToken.None));
        var put = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.PutObjectAsync("mighty-secrets", "x.env", [1, 2, 3], null, CancellationToken.None));
        var ec2 = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ec2.DescribeInstancesAsync(["i-0123456789abcdef0"], CancellationToken.None));

        foreach ((MightyOpsException error, string operation) in new[] { (head, "s3.HeadObject"), (get, "s3.GetObject"), (put, "s3.PutObject"), (ec2, "ec2.DescribeInstances") })
        {
            Assert.Equal("AwsThrottled", error.ErrorId);
            Assert.Equal(MightyErrorKind.Throttled, error.Kind);
            Assert.Contains("after 4 attempts", error.Message, StringComparison.Ordinal);
            Assert.Equal(4, host.RequestCounts[operation]);
        }
        Assert.Contains("SlowDown", head.Message, StringComparison.Ordinal);
        Assert.Contains("RequestLimitExceeded", ec2.Message, StringComparison.Ordinal);
        Assert.Contains(log.VerboseLines, m => m.StartsWith("S3 HeadObject: SlowDown", StringComparison.Ordinal) && m.Contains("retrying in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_S3_call_gets_the_modules_time_per_attempt()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo" });
        host.Faults.SetLatency(TimeSpan.FromSeconds(30), ["s3"]);
        using AwsSession aws = await SandboxFixture.SessionAsync(host, retry: new RetryPolicy(maxAttempts: 2, attemptTimeout: TimeSpan.FromMilliseconds(1500), baseDelay: TimeSpan.FromMilliseconds(1)));

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.S3.GetObjectAsync("mighty-secrets", "production.json", CancellationToken.None));

        // 1.5 s per attempt (not less): on a loaded machine a shorter one can end before the request reaches the sandbox.
        Assert.Equal("AwsEndpointTooSlow", error.ErrorId);
        Assert.Contains("within 1.5 s on any of 2 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, host.RequestCounts["s3.GetObject"]);
        host.Faults.SetLatency(TimeSpan.Zero, []);
    }

    [Fact]
    public async Task A_deployment_whose_UpdateService_answer_came_too_late_is_found_and_not_started_again()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 200 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host, retry: new RetryPolicy(attemptTimeout: TimeSpan.FromMilliseconds(300), baseDelay: TimeSpan.FromMilliseconds(1)));
        EcsService before = (await aws.Ecs.DescribeServicesAsync("production", ["API"], CancellationToken.None)).Services!.Single();
        string primaryBefore = before.Deployments!.Single(d => d.Status == "PRIMARY").Id!;
        DescribeTaskDefinitionResponse live = await aws.Ecs.DescribeTaskDefinitionAsync(before.TaskDefinition!, includeTags: false, CancellationToken.None);
        RegisterTaskDefinitionRequest request = SandboxFixture.RegisterRequest(live.TaskDefinition!, null);
        request.ContainerDefinitions![0].Image = request.ContainerDefinitions[0].Image![..request.ContainerDefinitions[0].Image!.LastIndexOf(':')] + ":master.3";
        string target = (await aws.Ecs.RegisterTaskDefinitionAsync(request, CancellationToken.None)).TaskDefinition!.TaskDefinitionArn!;
        host.ResetRequestCounts();
        host.Faults.SetLatency(TimeSpan.FromSeconds(1), ["ecs.UpdateService"]);

        UpdateServiceResponse updated = await aws.Ecs.StartDeploymentAsync(
            new UpdateServiceRequest { Cluster = "production", Service = "API", TaskDefinition = target }, primaryBefore, CancellationToken.None);

        host.Faults.SetLatency(TimeSpan.Zero, []);
        Assert.Equal(1, host.RequestCounts["ecs.UpdateService"]);
        EcsDeployment started = updated.Service!.Deployments!.Single(d => d.Status == "PRIMARY");
        Assert.Equal(target, started.TaskDefinition);
        Assert.NotEqual(primaryBefore, started.Id);
        EcsService after = (await aws.Ecs.DescribeServicesAsync("production", ["API"], CancellationToken.None)).Services!.Single();
        Assert.Single(after.Deployments!, d => d.TaskDefinition == target);
    }

    [Fact]
    public async Task A_slow_sandbox_call_stops_when_cancelled()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", Latency = TimeSpan.FromSeconds(20) });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aws.Ecs.ListClusterNamesAsync(cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_stopped_sandbox_is_AwsEndpointUnreachable()
    {
        SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "empty" });
        using AwsSession aws = await SandboxFixture.SessionAsync(host, retry: new RetryPolicy(baseDelay: TimeSpan.FromMilliseconds(1)));
        string endpoint = host.Endpoint.GetLeftPart(UriPartial.Authority);
        await host.DisposeAsync();

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Ecs.ListClusterNamesAsync(CancellationToken.None));

        Assert.Equal("AwsEndpointUnreachable", error.ErrorId);
        Assert.Equal(MightyErrorKind.Connection, error.Kind);
        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
    }
}
