using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Targeting;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Targeting;

/// <summary>
/// The demo sandbox plus what targeting needs to tell apart: a service 'web' beside 'WEB' in
/// staging, and a cluster 'empty' with no services.
/// </summary>
public sealed class TargetingSandbox : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public string Region => Host.Options.Region;

    public string Account => Host.Options.AccountId;

    public async Task InitializeAsync()
    {
        Host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 200 });
        using AwsSession aws = await SandboxFixture.SessionAsync(Host);
        string taskDefinition = (await aws.Ecs.DescribeServicesAsync("staging", ["WEB"], CancellationToken.None)).Services!.Single().TaskDefinition!;
        await aws.Ecs.Json.InvokeAsync<JsonObject, Dictionary<string, JsonElement>>(
            "CreateService",
            new JsonObject { ["cluster"] = "staging", ["serviceName"] = "web", ["taskDefinition"] = taskDefinition, ["desiredCount"] = 0 },
            null,
            CancellationToken.None);
        await aws.Ecs.Json.InvokeAsync<JsonObject, Dictionary<string, JsonElement>>(
            "CreateCluster", new JsonObject { ["clusterName"] = "empty" }, null, CancellationToken.None);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public string ServiceArn(string cluster, string service, string? account = null, string? region = null) =>
        $"arn:aws:ecs:{region ?? Region}:{account ?? Account}:service/{cluster}/{service}";

    public string ClusterArn(string cluster, string? account = null, string? region = null) =>
        $"arn:aws:ecs:{region ?? Region}:{account ?? Account}:cluster/{cluster}";
}

/// <summary>ServiceTargetResolver against the sandbox: each targeting rule of docs/design/targeting.md.</summary>
public sealed class ServiceTargetResolverTests : IClassFixture<TargetingSandbox>, IAsyncLifetime
{
    private const string OtherAccount = "999999999999";
    private readonly TargetingSandbox _sandbox;
    private AwsSession _aws = null!;

    public ServiceTargetResolverTests(TargetingSandbox sandbox)
    {
        _sandbox = sandbox;
    }

    public async Task InitializeAsync() => _aws = await SandboxFixture.SessionAsync(_sandbox.Host);

    public Task DisposeAsync()
    {
        _aws.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_name_without_wildcards_matches_only_the_service_spelled_exactly_so()
    {
        Resolution upper = await ResolveAsync(TargetingMode.Read, ("staging", ["WEB"]));
        Resolution lower = await ResolveAsync(TargetingMode.Read, ("staging", ["web"]));

        Assert.Equal(["staging/WEB"], upper.Targets);
        Assert.Equal(["staging/web"], lower.Targets);
        Assert.Empty(upper.Errors);
        Assert.Empty(lower.Errors);
    }

    [Fact]
    public async Task A_name_in_the_wrong_case_is_ServiceNotFound_suggesting_the_real_spelling()
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, ("production", ["web", "Api", "WEB"]));

        Assert.Equal(["production/WEB"], result.Targets);
        Assert.Equal(["ServiceNotFound:web", "ServiceNotFound:Api"], result.Errors.Select(Describe));
        Assert.Contains("ECS names are case-sensitive: did you mean 'WEB'?", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'API'?", result.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wildcards_match_without_regard_to_case()
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, ("staging", ["w*"]), ("staging", ["a?I"]));

        Assert.Equal(["staging/API", "staging/WEB", "staging/web"], result.Targets);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task A_service_arn_names_its_cluster_when_no_cluster_is_given()
    {
        var before = SandboxFixture.Snapshot(_sandbox.Host);

        Resolution result = await ResolveAsync(TargetingMode.Read, (null, [_sandbox.ServiceArn("staging", "WEB")]));

        Assert.Equal(["staging/WEB"], result.Targets);
        Assert.Empty(result.Errors);
        Assert.Equal(1, SandboxFixture.Delta(_sandbox.Host, before, "ecs.ListServices"));
    }

    [Fact]
    public async Task A_cluster_that_contradicts_the_service_arn_is_ClusterMismatch_and_nothing_is_called()
    {
        var before = SandboxFixture.Snapshot(_sandbox.Host);

        Resolution result = await ResolveAsync(TargetingMode.Read, ("production", [_sandbox.ServiceArn("staging", "WEB")]));

        Assert.Empty(result.Targets);
        MightyOpsException error = Assert.Single(result.Errors);
        Assert.Equal("ClusterMismatch", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'staging'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'production'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, SandboxFixture.Delta(_sandbox.Host, before, "ecs.ListServices"));
    }

    [Fact]
    public async Task The_same_cluster_by_name_and_by_arn_agree()
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, (_sandbox.ClusterArn("staging"), [_sandbox.ServiceArn("staging", "API"), "WEB"]));

        Assert.Equal(["staging/API", "staging/WEB"], result.Targets);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task An_arn_of_another_region_is_AwsRegionMismatch_naming_both_regions()
    {
        Resolution result = await ResolveAsync(
            TargetingMode.Read,
            (null, [_sandbox.ServiceArn("staging", "WEB", region: "eu-west-1")]),
            (_sandbox.ClusterArn("staging", region: "eu-west-1"), null));

        Assert.Empty(result.Targets);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("AwsRegionMismatch", e.ErrorId);
            Assert.Contains("eu-west-1", e.Message, StringComparison.Ordinal);
            Assert.Contains(_sandbox.Region, e.Message, StringComparison.Ordinal);
            Assert.Contains("-Region eu-west-1", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task An_arn_of_another_account_is_AwsAccountMismatch_naming_both_accounts()
    {
        Resolution result = await ResolveAsync(
            TargetingMode.Read,
            (null, [_sandbox.ServiceArn("staging", "WEB", OtherAccount), _sandbox.ServiceArn("staging", "API")]));

        Assert.Equal(["staging/API"], result.Targets);
        MightyOpsException error = Assert.Single(result.Errors);
        Assert.Equal("AwsAccountMismatch", error.ErrorId);
        Assert.Contains(OtherAccount, error.Message, StringComparison.Ordinal);
        Assert.Contains(_sandbox.Account, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_arn_of_another_account_is_AwsAccountMismatch_for_a_cluster_with_services_without_services_and_not_there()
    {
        Resolution result = await ResolveAsync(
            TargetingMode.Read,
            (_sandbox.ClusterArn("staging", OtherAccount), null),
            (_sandbox.ClusterArn("empty", OtherAccount), null),
            (_sandbox.ClusterArn("theirs", OtherAccount), null));

        Assert.Empty(result.Targets);
        Assert.Equal(3, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("AwsAccountMismatch", e.ErrorId);
            Assert.Contains(OtherAccount, e.Message, StringComparison.Ordinal);
            Assert.Contains(_sandbox.Account, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task No_service_means_every_service_when_reading_and_is_refused_when_changing()
    {
        Resolution read = await ResolveAsync(TargetingMode.Read, ("staging", null));
        Resolution change = await ResolveAsync(TargetingMode.Change, ("staging", null), ("staging", []));
        Resolution everything = await ResolveAsync(TargetingMode.Change, ("staging", ["*"]));

        Assert.Equal(["staging/API", "staging/WEB", "staging/web"], read.Targets);
        Assert.Empty(change.Targets);
        Assert.Equal(["ServiceNotNamed:staging", "ServiceNotNamed:staging"], change.Errors.Select(Describe));
        Assert.Contains("-Service *", change.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(read.Targets, everything.Targets);
    }

    [Fact]
    public async Task A_wildcard_that_matches_nothing_is_silent_when_reading_and_an_error_when_changing()
    {
        Resolution read = await ResolveAsync(TargetingMode.Read, ("staging", ["zzz*", "WEB"]));
        Resolution change = await ResolveAsync(TargetingMode.Change, ("staging", ["zzz*", "WEB"]));

        Assert.Equal(["staging/WEB"], read.Targets);
        Assert.Empty(read.Errors);
        Assert.Equal(["staging/WEB"], change.Targets);
        Assert.Equal(["ServiceNotFound:zzz*"], change.Errors.Select(Describe));
    }

    [Fact]
    public async Task Inputs_are_grouped_per_cluster_in_first_seen_order_with_one_ListServices_each()
    {
        var before = SandboxFixture.Snapshot(_sandbox.Host);

        Resolution result = await ResolveAsync(
            TargetingMode.Read,
            ("production", ["WEB"]),
            (null, [_sandbox.ServiceArn("staging", "API")]),
            ("production", ["API", "WEB"]),
            ("staging", ["web"]));

        Assert.Equal(["production/API", "production/WEB", "staging/API", "staging/web"], result.Targets);
        Assert.Equal(["production", "staging"], result.Clusters);
        Assert.Equal(2, SandboxFixture.Delta(_sandbox.Host, before, "ecs.ListServices"));
    }

    [Fact]
    public async Task An_arn_of_something_else_is_EcsArnInvalid()
    {
        Resolution result = await ResolveAsync(
            TargetingMode.Read,
            ("staging", [$"arn:aws:ecs:{_sandbox.Region}:{_sandbox.Account}:task/staging/0123456789abcdef0123456789abcdef", "arn:aws:s3:::bucket"]),
            (_sandbox.ServiceArn("staging", "WEB"), null));

        Assert.Empty(result.Targets);
        Assert.Equal(3, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Equal("EcsArnInvalid", e.ErrorId));
    }

    [Fact]
    public async Task A_service_arn_in_the_old_short_format_uses_the_cluster_given()
    {
        string shortArn = $"arn:aws:ecs:{_sandbox.Region}:{_sandbox.Account}:service/WEB";

        Resolution result = await ResolveAsync(TargetingMode.Read, ("staging", [shortArn]));

        Assert.Equal(["staging/WEB"], result.Targets);
    }

    [Fact]
    public async Task No_cluster_means_default_and_its_absence_names_the_clusters_there()
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, (null, ["WEB"]));

        MightyOpsException error = Assert.Single(result.Errors);
        Assert.Equal("ClusterNotFound", error.ErrorId);
        Assert.Equal("default", error.Target);
        Assert.Contains("one of the clusters there: empty, production, staging.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "Cluster 'Production' was not found in us-east-1. ECS names are case-sensitive: did you mean 'production'? Pass -Cluster with one of the clusters there: empty, production, staging.")]
    [InlineData("STAGING", "Cluster 'STAGING' was not found in us-east-1. ECS names are case-sensitive: did you mean 'staging'? Pass -Cluster with one of the clusters there: empty, production, staging.")]
    [InlineData("prodution", "Cluster 'prodution' was not found in us-east-1. Did you mean 'production'? Pass -Cluster with one of the clusters there: empty, production, staging.")]
    [InlineData("nowhere", "Cluster 'nowhere' was not found in us-east-1. Pass -Cluster with one of the clusters there: empty, production, staging.")]
    public async Task A_missing_cluster_suggests_the_one_meant(string cluster, string message)
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, (cluster, ["WEB"]));

        MightyOpsException error = Assert.Single(result.Errors);
        Assert.Equal(("ClusterNotFound", cluster, message), (error.ErrorId, error.Target, error.Message));
    }

    [Fact]
    public async Task A_default_cluster_that_is_not_there_says_that_no_cluster_was_named()
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, (null, ["WEB"]), (null, null));

        MightyOpsException error = Assert.Single(result.Errors);
        Assert.Equal(
            "Cluster 'default' was not found in us-east-1. No -Cluster was given, so the default was used (Cluster in mighty.psd1, else ECS's 'default'). Pass -Cluster with one of the clusters there: empty, production, staging.",
            error.Message);
    }

    [Fact]
    public async Task A_task_lookup_in_a_cluster_that_is_not_there_suggests_the_one_meant()
    {
        var locator = new MightyOps.Core.Exec.TaskLocator(_aws, NullOperationLog.Instance);

        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() => locator.GetAsync(new MightyOps.Core.Exec.TaskQuery("Production", TaskIds: ["0123456789abcdef0123456789abcdef"]), _ => { }, CancellationToken.None));

        Assert.Equal("ClusterNotFound", error.ErrorId);
        Assert.Contains("ECS names are case-sensitive: did you mean 'production'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_cluster_does_not_stop_the_next_one()
    {
        Resolution result = await ResolveAsync(TargetingMode.Read, ("nowhere", ["WEB"]), ("staging", ["WEB"]));

        Assert.Equal(["staging/WEB"], result.Targets);
        Assert.Equal(["ClusterNotFound:nowhere"], result.Errors.Select(Describe));
    }

    [Fact]
    public void Ecs_arns_are_taken_apart_in_the_long_and_short_formats()
    {
        Assert.True(EcsArn.TryParse("arn:aws-cn:ecs:cn-north-1:123456789012:service/prod/web", out EcsArn service));
        Assert.Equal(("aws-cn", "cn-north-1", "123456789012", "service", "prod", "web"), (service.Partition, service.Region, service.Account, service.ResourceType, service.Cluster, service.Name));
        Assert.True(EcsArn.TryParse("arn:aws:ecs:us-east-1:123456789012:service/web", out EcsArn old));
        Assert.Null(old.Cluster);
        Assert.True(EcsArn.TryParse("arn:aws:ecs:us-east-1:123456789012:cluster/prod", out EcsArn cluster));
        Assert.Equal(("cluster", "prod", "prod"), (cluster.ResourceType, cluster.Cluster, cluster.Name));
        Assert.False(EcsArn.TryParse("arn:aws:ecs:us-east-1:123456789012:cluster/a/b", out _));
        Assert.False(EcsArn.TryParse("arn:aws:ecr:us-east-1:123456789012:repository/app", out _));
        Assert.False(EcsArn.TryParse("arn:aws:ecs:us-east-1::service/prod/web", out _));
        Assert.False(EcsArn.TryParse("production", out _));
    }

    // Task narrowing: one row per case, inputs as (cluster, services, task ids) records and what
    // each resolved service carries ("-" for the whole service).
    public static TheoryData<string, string[], string[]> TaskNarrowingCases()
    {
        string task(string cluster, string id) => $"arn:aws:ecs:us-east-1:123456789012:task/{cluster}/{id}";
        return new()
        {
            { "exact name narrowed to its tasks", ["staging|WEB|t1,t2"], ["staging/WEB=t1,t2"] },
            { "task ARNs become ids", ["staging|WEB|" + task("staging", "t1") + ",t2"], ["staging/WEB=t1,t2"] },
            { "a service ARN narrowed", ["|arn:aws:ecs:us-east-1:123456789012:service/staging/API|t3"], ["staging/API=t3"] },
            { "two records add their tasks", ["staging|WEB|t1", "staging|WEB|t2"], ["staging/WEB=t1,t2"] },
            { "the whole service wins over its tasks", ["staging|WEB|t1", "staging|WEB|"], ["staging/WEB=-"] },
            { "a service without tasks stays whole beside one with", ["staging|WEB|t1", "staging|API|"], ["staging/API=-", "staging/WEB=t1"] },
            { "a wildcard with task ids is refused whole", ["staging|W*|t1"], ["TaskIdNeedsExactService:W*"] },
            { "task ids with no service are refused", ["staging||t1"], ["TaskIdNeedsExactService"] },
            { "a task ARN of another cluster is ClusterMismatch", ["staging|WEB|" + task("production", "t1")], ["ClusterMismatch:" + task("production", "t1")] },
            { "a service ARN is not a task ARN", ["staging|WEB|arn:aws:ecs:us-east-1:123456789012:service/staging/WEB"], ["EcsArnInvalid:arn:aws:ecs:us-east-1:123456789012:service/staging/WEB"] },
        };
    }

    [Theory]
    [MemberData(nameof(TaskNarrowingCases))]
    public async Task Task_ids_narrow_exactly_named_services(string why, string[] records, string[] expected)
    {
        var resolver = new ServiceTargetResolver(_aws, NullOperationLog.Instance, TargetingMode.Read);
        var errors = new List<MightyOpsException>();
        foreach (string record in records)
        {
            string[] parts = record.Split('|');
            string[]? services = parts[1].Length == 0 ? null : [parts[1]];
            string[]? ids = parts[2].Length == 0 ? null : parts[2].Split(',');
            errors.AddRange(resolver.Add(parts[0].Length == 0 ? null : parts[0], services, ids));
        }
        var got = new List<string>();
        await foreach (ClusterTargets group in resolver.ResolveAsync(errors.Add, CancellationToken.None))
        {
            got.AddRange(group.Services.Select(s => $"{s.Cluster}/{s.Service}={(s.TaskIds is null ? "-" : string.Join(',', s.TaskIds))}"));
        }
        got.AddRange(errors.Select(e => e.Target is string target ? Describe(e) : e.ErrorId));
        Assert.True(expected.SequenceEqual(got), $"{why}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");
    }

    private static string Describe(MightyOpsException e) => $"{e.ErrorId}:{e.Target}";

    private async Task<Resolution> ResolveAsync(TargetingMode mode, params (string? Cluster, string[]? Services)[] inputs)
    {
        var resolver = new ServiceTargetResolver(_aws, NullOperationLog.Instance, mode);
        var errors = new List<MightyOpsException>();
        foreach ((string? cluster, string[]? services) in inputs)
        {
            errors.AddRange(resolver.Add(cluster, services));
        }
        var groups = new List<ClusterTargets>();
        await foreach (ClusterTargets group in resolver.ResolveAsync(errors.Add, CancellationToken.None))
        {
            groups.Add(group);
        }
        Assert.All(groups, g => Assert.All(g.Services, s => Assert.Equal(_sandbox.ServiceArn(g.Cluster, s.Service), s.ServiceArn)));
        return new Resolution(
            groups.SelectMany(g => g.Services.Select(s => $"{s.Cluster}/{s.Service}")).ToList(),
            groups.Select(g => g.Cluster).ToList(),
            errors);
    }

    private sealed record Resolution(List<string> Targets, List<string> Clusters, List<MightyOpsException> Errors);
}
