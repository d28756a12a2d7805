using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The real AWS CLI (botocore) against the sandbox's Auto Scaling endpoint, unchanged: the demo's
/// groups as the world holds them, a desired capacity that launches instances which register with
/// their cluster, a termination and its scaling activity, and AWS's ValidationError beyond MaxSize.
/// </summary>
public sealed class AwsCliAutoScalingTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo");

    public async Task DisposeAsync() => await _host.StopAsync();

    [Fact]
    public void Describe_auto_scaling_groups_gives_the_demo_groups_as_the_world_holds_them()
    {
        JsonArray groups = AwsCli.Ok(_host, "autoscaling", "describe-auto-scaling-groups").Json!["AutoScalingGroups"]!.AsArray();
        Assert.Equal(["staging", "web", "workers"], groups.Select(g => (string)g!["AutoScalingGroupName"]!).Order());
        JsonNode workers = groups.Single(g => (string)g!["AutoScalingGroupName"]! == "workers")!;
        Assert.Equal((2, 10, 14), ((int)workers["MinSize"]!, (int)workers["DesiredCapacity"]!, (int)workers["MaxSize"]!));
        JsonArray instances = workers["Instances"]!.AsArray();
        Assert.Equal(10, instances.Count);
        Assert.All(instances, i => Assert.Equal(("InService", "t3.medium"), ((string)i!["LifecycleState"]!, (string)i["InstanceType"]!)));
        lock (_host.World.Sync)
        {
            Assert.Equal(_host.World.AutoScalingGroups["workers"].Instances.Select(i => i.InstanceId).Order(), instances.Select(i => (string)i!["InstanceId"]!).Order());
        }
        // The instances are Spot, tagged with their group, as EC2 describes them.
        JsonNode ec2 = AwsCli.Ok(_host, "ec2", "describe-instances", "--instance-ids", (string)instances[0]!["InstanceId"]!).Json!["Reservations"]![0]!["Instances"]![0]!;
        Assert.Equal("spot", (string)ec2["InstanceLifecycle"]!);
        Assert.Contains(ec2["Tags"]!.AsArray(), t => (string)t!["Key"]! == "aws:autoscaling:groupName" && (string)t["Value"]! == "workers");
    }

    [Fact]
    public void Set_desired_capacity_launches_instances_that_register_with_the_cluster_and_refuses_beyond_MaxSize()
    {
        AwsCli.Ok(_host, "autoscaling", "set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "4");
        _host.AdvanceTime(TimeSpan.FromMinutes(2));
        JsonNode web = AwsCli.Ok(_host, "autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "web").Json!["AutoScalingGroups"]![0]!;
        Assert.Equal(4, web["Instances"]!.AsArray().Count(i => (string)i!["LifecycleState"]! == "InService"));
        JsonArray arns = AwsCli.Ok(_host, "ecs", "list-container-instances", "--cluster", "production", "--filter", "attribute:role == web").Json!["containerInstanceArns"]!.AsArray();
        Assert.Equal(4, arns.Count);

        AwsCliResult refused = AwsCli.Run(_host, "autoscaling", "set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "7");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ValidationError", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("above max value 6", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Terminate_instance_lowers_the_capacity_deregisters_the_instance_and_leaves_an_activity()
    {
        string id = (string)AwsCli.Ok(_host, "autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "staging").Json!["AutoScalingGroups"]![0]!["Instances"]![0]!["InstanceId"]!;
        // staging's MinSize is 1: the group refuses to go below it, as AWS does.
        AwsCliResult refused = AwsCli.Run(_host, "autoscaling", "terminate-instance-in-auto-scaling-group", "--instance-id", id, "--should-decrement-desired-capacity");
        Assert.Contains("min size", refused.Stderr, StringComparison.Ordinal);

        string worker = (string)AwsCli.Ok(_host, "autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "workers").Json!["AutoScalingGroups"]![0]!["Instances"]![0]!["InstanceId"]!;
        JsonNode activity = AwsCli.Ok(_host, "autoscaling", "terminate-instance-in-auto-scaling-group", "--instance-id", worker, "--should-decrement-desired-capacity").Json!["Activity"]!;
        Assert.Equal($"Terminating EC2 instance: {worker}", (string)activity["Description"]!);
        _host.AdvanceTime(TimeSpan.FromMinutes(5));
        JsonNode workers = AwsCli.Ok(_host, "autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "workers").Json!["AutoScalingGroups"]![0]!;
        Assert.Equal(9, (int)workers["DesiredCapacity"]!);
        Assert.DoesNotContain(workers["Instances"]!.AsArray(), i => (string)i!["InstanceId"]! == worker);
        JsonArray activities = AwsCli.Ok(_host, "autoscaling", "describe-scaling-activities", "--auto-scaling-group-name", "workers").Json!["Activities"]!.AsArray();
        Assert.Equal("Successful", (string)activities.First(a => (string)a!["Description"]! == $"Terminating EC2 instance: {worker}")!["StatusCode"]!);
        JsonArray arns = AwsCli.Ok(_host, "ecs", "list-container-instances", "--cluster", "production", "--filter", $"ec2InstanceId == {worker}").Json!["containerInstanceArns"]!.AsArray();
        Assert.Empty(arns);
    }
}
