using MightyOps.Core.Exec;
using Xunit;

namespace MightyOps.Core.Tests.Exec;

/// <summary>
/// Which task and which container a command or a session goes to (docs/design/exec.md,
/// "Choosing"), one row per case with the expected choice or error id beside it.
/// </summary>
public sealed class ContainerTargetTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The task's containers as <c>name:lastStatus:runtimeId</c> (| between them; a runtime id of
    /// <c>-</c> is none), its launch type and EC2 instance, the -Container given, and the container
    /// chosen or the error id.
    /// </summary>
    [Theory]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "EC2", "i-0a1b2c3d", null, "application")]                               // the only one
    [InlineData("application:RUNNING:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", "nginx", "nginx")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", null, "ContainerNameRequired")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", "", "ContainerNameRequired")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "EC2", "i-0a1b2c3d", "Application", "ContainerNotFound")]                 // names are exact
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "EC2", "i-0a1b2c3d", "sidekiq", "ContainerNotFound")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "FARGATE", "", null, "TaskHasNoEc2Instance")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "EXTERNAL", "", null, "TaskHasNoEc2Instance")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "FARGATE", "", "sidekiq", "ContainerNotFound")]                          // the name is checked first
    [InlineData("application:RUNNING:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "FARGATE", "", null, "ContainerNameRequired")]
    [InlineData("application:PENDING:-", "EC2", "i-0a1b2c3d", null, "ContainerNotRunning")]
    [InlineData("application:RUNNING:-", "EC2", "i-0a1b2c3d", null, "ContainerNotRunning")]                                   // no runtime id to exec into
    [InlineData("application:STOPPED:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", "application", "ContainerNotRunning")]
    [InlineData("application:STOPPED:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", "nginx", "nginx")]
    public void The_container_is_the_one_named_or_the_only_one(string containers, string launchType, string ec2InstanceId, string? container, string expected)
    {
        MightyTask task = OneTask(containers, launchType, ec2InstanceId);
        string actual;
        try
        {
            ContainerTarget target = ContainerTarget.For(task, container);
            Assert.Same(task, target.Task);
            actual = target.Container.Name;
        }
        catch (MightyOpsException e)
        {
            actual = e.ErrorId;
        }
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("application:RUNNING:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", null, "has 2 containers; name one with -Container: application, nginx.")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa|nginx:RUNNING:bbbbbbbbbbbb", "EC2", "i-0a1b2c3d", "sidekiq", "has no container 'sidekiq'. Its containers: application, nginx.")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "FARGATE", "", null, "is a Fargate task: there is no EC2 host to SSH to. ECS Exec is the route there (the service needs enableExecuteCommand): aws ecs execute-command --cluster production --task 0f2a9c7e5b3d4e1f8a6b2c9d0e7f1a3b --container application --interactive --command bash")]
    [InlineData("application:RUNNING:aaaaaaaaaaaa", "EXTERNAL", "", null, "is a task on an external (ECS Anywhere) instance")]
    [InlineData("application:PENDING:-", "EC2", "i-0a1b2c3d", null, "Container 'application' of task 0f2a9c7e5b3d4e1f8a6b2c9d0e7f1a3b is PENDING, not RUNNING. Run Get-MightyTask -Cluster production -Service WEB for a running task.")]
    public void The_error_names_what_there_is_and_what_to_do(string containers, string launchType, string ec2InstanceId, string? container, string sentence)
    {
        MightyOpsException e = Assert.Throws<MightyOpsException>(() => ContainerTarget.For(OneTask(containers, launchType, ec2InstanceId), container));
        Assert.Contains(sentence, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stopped_containers_reason_is_quoted_made_visible()
    {
        MightyTask task = OneTask("application:STOPPED:aaaaaaaaaaaa", "EC2", "i-0a1b2c3d", reason: "OutOfMemoryError: Container killed due to memory usage\u001b[2J");
        MightyOpsException e = Assert.Throws<MightyOpsException>(() => ContainerTarget.For(task, null));
        Assert.Equal("ContainerNotRunning", e.ErrorId);
        Assert.Contains("is STOPPED (", e.Message, StringComparison.Ordinal);
        Assert.Contains("OutOfMemoryError: Container killed due to memory usage", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', e.Message);
    }

    /// <summary>
    /// The service's tasks as <c>id:lastStatus:healthStatus:startedAt</c> (| between them;
    /// startedAt in minutes after a fixed time, <c>-</c> for none), and the task chosen.
    /// </summary>
    [Theory]
    [InlineData("t1:RUNNING:HEALTHY:30|t2:RUNNING:UNKNOWN:0", "t1")]                       // healthy before older
    [InlineData("t1:RUNNING:UNHEALTHY:0|t2:RUNNING:UNKNOWN:30", "t2")]                     // unknown before unhealthy
    [InlineData("t1:RUNNING:UNHEALTHY:0|t2:RUNNING:HEALTHY:30|t3:RUNNING:UNKNOWN:10", "t2")]
    [InlineData("t1:RUNNING:UNKNOWN:30|t2:RUNNING:UNKNOWN:10|t3:RUNNING:UNKNOWN:20", "t2")] // then the oldest
    [InlineData("t1:RUNNING::30|t2:RUNNING::10", "t2")]                                    // no health check at all
    [InlineData("t2:RUNNING:HEALTHY:10|t1:RUNNING:HEALTHY:10", "t1")]                     // then the lowest id: stable between calls
    [InlineData("t1:RUNNING:HEALTHY:-|t2:RUNNING:HEALTHY:50", "t2")]                       // a start time beats none
    [InlineData("t1:PENDING:UNKNOWN:-|t2:RUNNING:UNHEALTHY:50|t3:STOPPED:UNKNOWN:0", "t2")] // only RUNNING tasks
    [InlineData("t1:PENDING:UNKNOWN:-|t2:DEACTIVATING:HEALTHY:0", "NoRunningTask")]
    [InlineData("", "NoRunningTask")]
    public void Without_a_task_id_the_task_is_a_running_one_healthy_first_then_the_oldest(string tasks, string expected)
    {
        var list = tasks.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split(':')).Select(f => new MightyTask
        {
            Cluster = "production",
            Service = "WEB",
            TaskId = f[0],
            LastStatus = f[1],
            HealthStatus = f[2],
            StartedAt = f[3] == "-" ? null : Start.AddMinutes(int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture)),
        }).ToList();
        string actual;
        try
        {
            actual = ContainerTarget.Choose(list, "production", "WEB").TaskId;
        }
        catch (MightyOpsException e)
        {
            Assert.Equal(MightyErrorKind.NotFound, e.Kind);
            Assert.Contains("Get-MightyTask -Cluster production -Service WEB -DesiredStatus STOPPED", e.Message, StringComparison.Ordinal);
            actual = e.ErrorId;
        }
        Assert.Equal(expected, actual);
    }

    private static MightyTask OneTask(string containers, string launchType, string ec2InstanceId, string reason = "") => new()
    {
        Cluster = "production",
        Service = "WEB",
        TaskId = "0f2a9c7e5b3d4e1f8a6b2c9d0e7f1a3b",
        LastStatus = "RUNNING",
        LaunchType = launchType,
        Ec2InstanceId = ec2InstanceId,
        Containers = containers.Split('|').Select(c => c.Split(':')).Select(f => new MightyTaskContainer
        {
            Name = f[0],
            LastStatus = f[1],
            RuntimeId = f[2] == "-" ? string.Empty : f[2],
            Reason = reason,
        }).ToList(),
    };
}
