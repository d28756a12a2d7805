using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.AutoScaling;
using MightyOps.Core.Tests.Aws;

using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Capacity;

/// <summary>
/// The Auto Scaling client against the sandbox: every form it posts is the one a real botocore
/// client (tests/tools/query_protocol.py, the installed autoscaling model) makes of the same
/// parameters, and what it reads back is what the sandbox holds.
/// </summary>
public sealed class AutoScalingClientTests
{
    [Fact]
    public async Task Every_form_it_posts_is_the_one_botocore_posts_for_the_same_call()
    {
        await using SandboxHost host = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", CaptureRequests = true, TimeScale = 200 });
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        CancellationToken ct = CancellationToken.None;

        AutoScalingGroup workers = Assert.Single(await aws.AutoScaling.DescribeGroupsAsync(["workers", "workers"], ct));
        IReadOnlyList<AutoScalingGroup> all = await aws.AutoScaling.DescribeAllGroupsAsync(ct);
        await aws.AutoScaling.SetDesiredCapacityAsync("workers", 11, ct);
        await aws.AutoScaling.SetMaxSizeAsync("workers", 15, ct);
        string victim = workers.Instances![0].InstanceId!;
        ScalingActivityResponse terminated = await aws.AutoScaling.TerminateInstanceAsync("workers", victim, decrementDesiredCapacity: true, ct);
        IReadOnlyList<ScalingActivity> activities = await aws.AutoScaling.DescribeScalingActivitiesAsync("workers", 10, ct);

        // What it read is what the sandbox holds.
        Assert.Equal(["staging", "web", "workers"], all.Select(g => g.AutoScalingGroupName!).Order());
        Assert.All(all, g => Assert.Null(g.Instances is { Count: > 0 } ? g.Instances : null));
        Assert.Equal((2, 10, 14), (workers.MinSize, workers.DesiredCapacity, workers.MaxSize));
        Assert.Equal(10, workers.Instances!.Count);
        Assert.Contains(workers.Tags!, t => t.Key == "Name" && t.Value == "ecs-production" && t.PropagateAtLaunch == true);
        Assert.Equal($"Terminating EC2 instance: {victim}", terminated.Activity!.Description);
        Assert.Contains(activities, a => a.Description == $"Terminating EC2 instance: {victim}");
        Assert.Contains(activities, a => a.Description!.StartsWith("Launching a new EC2 instance: ", StringComparison.Ordinal));

        // What it posted is what botocore posts.
        var expected = new (string Operation, JsonObject Params)[]
        {
            ("DescribeAutoScalingGroups", new JsonObject { ["AutoScalingGroupNames"] = new JsonArray("workers"), ["MaxRecords"] = 100 }),
            ("DescribeAutoScalingGroups", new JsonObject { ["IncludeInstances"] = false, ["MaxRecords"] = 100 }),
            ("SetDesiredCapacity", new JsonObject { ["AutoScalingGroupName"] = "workers", ["DesiredCapacity"] = 11, ["HonorCooldown"] = false }),
            ("UpdateAutoScalingGroup", new JsonObject { ["AutoScalingGroupName"] = "workers", ["MaxSize"] = 15 }),
            ("TerminateInstanceInAutoScalingGroup", new JsonObject { ["InstanceId"] = victim, ["ShouldDecrementDesiredCapacity"] = true }),
            ("DescribeScalingActivities", new JsonObject { ["AutoScalingGroupName"] = "workers", ["MaxRecords"] = 10 }),
        };
        List<SandboxCapturedRequest> posted = host.CapturedRequests.Where(r => r.Service == "autoscaling").ToList();
        Assert.Equal(expected.Select(e => e.Operation), posted.Select(p => p.Operation));
        JsonObject botocore = await MightyOps.Core.Tests.Aws.Query.QuerySerializerTests.BotocoreAsync(new JsonObject
        {
            ["requests"] = new JsonArray(expected.Select(e => (JsonNode?)new JsonObject { ["service"] = "autoscaling", ["operation"] = e.Operation, ["params"] = e.Params }).ToArray()),
        });
        JsonArray bodies = botocore["requests"]!.AsArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(Pairs((string)bodies[i]!["body"]!), Pairs(posted[i].Body));
        }
    }

    private static string[] Pairs(string form) => form.Split('&').Order(StringComparer.Ordinal).ToArray();
}
