using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>What Ctrl+C during a deploy's UpdateService calls says (docs/design/deploy.md, "Ctrl+C").</summary>
public sealed class ServiceUpdatesTests
{
    private static WatchedDeployment Deployment(string service) => new()
    {
        Cluster = "production", Service = service, DeploymentId = "ecs-svc/1", TaskDefinitionArn = $"arn:aws:ecs:eu-west-1:123456789012:task-definition/{service}:8", PreviousTaskDefinitionArn = string.Empty,
    };

    [Fact]
    public void Names_what_started_what_was_on_its_way_and_what_was_left()
    {
        var updates = new ServiceUpdates([
            ("production", "WEB", "arn:aws:ecs:eu-west-1:123456789012:task-definition/WEB:8"),
            ("production", "API", "arn:aws:ecs:eu-west-1:123456789012:task-definition/API:5"),
            ("production", "sync_crm", "arn:aws:ecs:eu-west-1:123456789012:task-definition/sync_crm:3"),
        ]);
        updates.Starting("production", "WEB");
        updates.Ended("production", "WEB", Deployment("WEB"));
        updates.Starting("production", "API");

        Assert.Equal(
            "Stopped while updating the services. The deployment of WEB goes on in ECS (stopping MightyOps does not stop it); watch it with: Wait-MightyDeployment -Cluster production -Service WEB. "
            + "The update of API was on its way and may have started a deployment: Get-MightyDeployment -Cluster production -Service API -Last 1 says. "
            + "Not updated: sync_crm (its new revision sync_crm:3 is registered, unused).",
            updates.StoppedMessage());
        Assert.Equal(["WEB"], updates.Started().Select(d => d.Service));
    }

    [Fact]
    public void Leaves_out_a_failed_update_from_what_goes_on()
    {
        var updates = new ServiceUpdates([("production", "WEB", "arn:aws:ecs:eu-west-1:123456789012:task-definition/WEB:8")]);
        updates.Starting("production", "WEB");
        updates.Ended("production", "WEB", null);

        Assert.Equal("Stopped while updating the services.", updates.StoppedMessage());
        Assert.Empty(updates.Started());
    }
}
