using MightyOps.Core.Aws;
using MightyOps.Core.Config;
using MightyOps.Core.Deploy;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>Planning a deploy against the demo sandbox: nothing is changed, problems come back per service.</summary>
public sealed class DeployPlannerTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxHost _host;

    public DeployPlannerTests(SandboxFixture fixture)
    {
        _host = fixture.Host;
    }

    private string Registry => _host.World.RegistryHost;

    // Every form of an image ECS pulls by tag or digest is checked in ECR before a revision is
    // registered: no tag means latest, and a digest next to a tag is what is pulled.
    [Theory]
    [InlineData("/app", "tag 'latest'")]
    [InlineData("/app:master.4@sha256:00000000000000000000000000000000000000000000000000000000000000aa", "digest sha256:00000000000000000000000000000000000000000000000000000000000000aa")]
    [InlineData("/app:master.9", "tag 'master.9'")]
    public async Task An_image_that_is_not_in_ECR_stops_the_service_before_anything_is_registered(string image, string what)
    {
        (IReadOnlyList<ServicePlan> plans, List<MightyOpsException> errors) = await PlanAsync(new ImageRequest(null, new Dictionary<string, string> { ["application"] = Registry + image }, null));

        Assert.Empty(plans);
        MightyOpsException missing = Assert.Single(errors);
        Assert.Equal("ImageTagNotFound", missing.ErrorId);
        Assert.Contains($"has no image with {what}", missing.Message, StringComparison.Ordinal);
    }

    private async Task<(IReadOnlyList<ServicePlan> Plans, List<MightyOpsException> Errors)> PlanAsync(ImageRequest images, string service = "WEB")
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var errors = new List<MightyOpsException>();
        IReadOnlyList<ServicePlan> plans = await new DeployPlanner(aws, NullOperationLog.Instance)
            .PlanAsync("production", [service], new DeployOptions(images, ForceNewDeployment: false, MightyConfig.Empty), errors.Add, CancellationToken.None);
        return (plans, errors);
    }
}
