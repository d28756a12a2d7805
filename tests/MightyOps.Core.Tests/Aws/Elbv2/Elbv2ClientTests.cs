using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Elbv2;
using MightyOps.Core.Aws.Query;
using MightyOps.Core.Deploy;
using QuerySerializerTests = MightyOps.Core.Tests.Aws.Query.QuerySerializerTests;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Aws.Elbv2;

/// <summary>
/// The ELBv2 client: its request bodies are botocore's (the installed elbv2 model, parameters
/// validated by a real botocore client), its reads and writes work against the sandbox, and the
/// watch reads target health once per target group per poll, nothing per task.
/// </summary>
public sealed class Elbv2ClientTests : IClassFixture<SandboxFixture>
{
    private const string Group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a000";

    private readonly SandboxFixture _sandbox;

    public Elbv2ClientTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
    }

    public static readonly (string Operation, object Request, string Parameters)[] Requests =
    [
        ("DescribeTargetGroups", new DescribeTargetGroupsRequest { TargetGroupArns = [Group, Group.Replace("web-tg", "api-tg", StringComparison.Ordinal)], Marker = "m-1" },
            $$"""{"TargetGroupArns":["{{Group}}","{{Group.Replace("web-tg", "api-tg", StringComparison.Ordinal)}}"],"Marker":"m-1"}"""),
        ("DescribeTargetGroupAttributes", new DescribeTargetGroupAttributesRequest { TargetGroupArn = Group }, $$"""{"TargetGroupArn":"{{Group}}"}"""),
        ("ModifyTargetGroupAttributes", new ModifyTargetGroupAttributesRequest { TargetGroupArn = Group, Attributes = [new() { Key = Elbv2Client.DeregistrationDelayKey, Value = "30" }] },
            $$"""{"TargetGroupArn":"{{Group}}","Attributes":[{"Key":"deregistration_delay.timeout_seconds","Value":"30"}]}"""),
        ("DescribeTargetHealth", new DescribeTargetHealthRequest { TargetGroupArn = Group }, $$"""{"TargetGroupArn":"{{Group}}"}"""),
        ("DescribeLoadBalancers", new DescribeLoadBalancersRequest { Names = ["mighty"], PageSize = 20 }, """{"Names":["mighty"],"PageSize":20}"""),
    ];

    [Fact]
    public async Task Request_bodies_are_what_botocore_sends()
    {
        var requests = new JsonArray();
        foreach ((string operation, _, string parameters) in Requests)
        {
            requests.Add(new JsonObject { ["service"] = "elbv2", ["operation"] = operation, ["params"] = JsonNode.Parse(parameters) });
        }
        JsonArray sent = (await QuerySerializerTests.BotocoreAsync(new JsonObject { ["requests"] = requests }))["requests"]!.AsArray();
        for (int i = 0; i < Requests.Length; i++)
        {
            (string operation, object request, _) = Requests[i];
            string ours = System.Text.Encoding.UTF8.GetString(QuerySerializer.Body(QuerySerializer.Parameters(operation, Elbv2Client.ApiVersion, request)));
            Assert.Equal((string?)sent[i]!["body"], ours);
        }
    }

    [Fact]
    public async Task Reads_target_groups_attributes_and_health_and_changes_the_delay()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_sandbox.Host);
        string api = Group.Replace("web-tg/73e2d6bc24d8a000", "api-tg/73e2d6bc24d8a001", StringComparison.Ordinal);
        IReadOnlyList<TargetGroup> groups = await aws.Elbv2.DescribeTargetGroupsAsync([Group, api, Group], CancellationToken.None);
        Assert.Equal(["web-tg", "api-tg"], groups.Select(g => g.TargetGroupName));
        Assert.Equal((30, 5, 2), (groups[0].HealthCheckIntervalSeconds, groups[0].HealthyThresholdCount, groups[0].UnhealthyThresholdCount));
        Assert.Equal("300", (await aws.Elbv2.DescribeTargetGroupAttributesAsync(api, CancellationToken.None))[Elbv2Client.DeregistrationDelayKey]);
        ModifyTargetGroupAttributesResponse changed = await aws.Elbv2.ModifyTargetGroupAttributesAsync(api, new Dictionary<string, string> { [Elbv2Client.DeregistrationDelayKey] = "45" }, CancellationToken.None);
        Assert.Contains(changed.Attributes!, a => a.Key == Elbv2Client.DeregistrationDelayKey && a.Value == "45");
        Assert.NotNull(changed.ResponseMetadata?.RequestId);
        IReadOnlyList<TargetHealthDescription> health = await aws.Elbv2.DescribeTargetHealthAsync(Group, CancellationToken.None);
        Assert.Equal(2, health.Count);
        Assert.All(health, t => Assert.Equal("healthy", t.TargetHealth!.State));
        Assert.All(health, t => Assert.StartsWith("i-", t.Target!.Id, StringComparison.Ordinal));
        Assert.Equal("web-tg", Elbv2Client.ShortName(Group));
    }

    [Fact]
    public async Task An_unknown_target_group_is_an_error_that_names_it()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_sandbox.Host);
        MightyOpsException e = await Assert.ThrowsAsync<MightyOpsException>(() => aws.Elbv2.DescribeTargetHealthAsync(Group + "0", CancellationToken.None));
        Assert.Contains("TargetGroupNotFound", e.Message, StringComparison.Ordinal);
    }

    public sealed class CreateTargetGroupRequest
    {
        public string? Name { get; set; }
        public string? Protocol { get; set; }
        public int? Port { get; set; }
        public string? VpcId { get; set; }
        public int? HealthCheckIntervalSeconds { get; set; }
        public int? HealthyThresholdCount { get; set; }
    }

    public sealed class CreateTargetGroupResponse
    {
        public List<TargetGroup>? TargetGroups { get; set; }
    }

    [Fact]
    public async Task A_poll_of_ten_load_balanced_services_on_ten_target_groups_is_one_DescribeServices_and_ten_DescribeTargetHealth()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 40 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        string[] queues = ["default", "mailers", "critical", "high", "low", "imports", "exports", "webhooks", "ios_web_scrape", "android_web_scrape"];
        var deployments = new List<WatchedDeployment>();
        foreach (string queue in queues)
        {
            CreateTargetGroupResponse created = await aws.Elbv2.Query.InvokeAsync<CreateTargetGroupRequest, CreateTargetGroupResponse>("CreateTargetGroup",
                new CreateTargetGroupRequest { Name = $"{queue.Replace('_', '-')}-tg", Protocol = "HTTP", Port = 80, VpcId = "vpc-0sandbox", HealthCheckIntervalSeconds = 5, HealthyThresholdCount = 2 }, null, CancellationToken.None);
            string arn = created.TargetGroups![0].TargetGroupArn!;
            UpdateServiceResponse updated = await aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest
            {
                Cluster = "production",
                Service = queue,
                LoadBalancers = [new JsonObject { ["targetGroupArn"] = arn, ["containerName"] = "sidekiq", ["containerPort"] = 80 }],
                ForceNewDeployment = true,
            }, CancellationToken.None);
            string definition = updated.Service!.TaskDefinition!;
            deployments.Add(WatchedDeployment.FromUpdate("production", queue, updated.Service, definition, definition, new Dictionary<string, string>()));
        }
        IReadOnlyDictionary<string, long> before = SandboxFixture.Snapshot(host);
        var watcher = new RolloutWatcher(aws, NullOperationLog.Instance);
        await watcher.WatchAsync(deployments, TimeSpan.FromMinutes(2), noRollback: true, null, _ => { }, CancellationToken.None);

        Assert.All(deployments, d => Assert.Equal(MightyDeploymentStatus.Completed, d.Status));
        Assert.Equal(watcher.Polls, SandboxFixture.Delta(host, before, "ecs.DescribeServices"));
        Assert.Equal(10, watcher.TargetHealth.CallsPerPoll[0]);
        Assert.All(watcher.TargetHealth.CallsPerPoll, calls => Assert.InRange(calls, 0, 10));
        Assert.Equal(watcher.TargetHealth.CallsPerPoll.Sum(), SandboxFixture.Delta(host, before, "elasticloadbalancing.DescribeTargetHealth"));
        // Once per deployment: the groups (10 ARNs, one call) and each group's attributes.
        Assert.Equal(1, SandboxFixture.Delta(host, before, "elasticloadbalancing.DescribeTargetGroups"));
        Assert.Equal(10, SandboxFixture.Delta(host, before, "elasticloadbalancing.DescribeTargetGroupAttributes"));
        // Nothing per task: the tasks are read once per deployment, at its end, for the timeline.
        Assert.Equal(20, SandboxFixture.Delta(host, before, "ecs.ListTasks"));
        Assert.InRange(SandboxFixture.Delta(host, before, "ecs.DescribeTasks"), 10, 20);
        Assert.All(deployments, d => Assert.Contains(d.ToResult().Timeline, p => p.Name == "HealthChecks"));
    }
}
