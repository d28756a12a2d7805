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

    [Fact]
    public async Task Reading_gives_each_service_its_live_definition_with_tags_and_reports_the_missing_ones()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var errors = new List<MightyOpsException>();
        IReadOnlyList<ServiceDraft> drafts = await new DeployPlanner(aws, NullOperationLog.Instance).DescribeAsync("production", ["WEB", "ghost"], errors.Add, CancellationToken.None);

        ServiceDraft web = Assert.Single(drafts);
        Assert.Equal(("WEB", web.Service.TaskDefinition), (web.Name, web.Live.TaskDefinitionArn));
        Assert.Equal("123456789012", web.Account);
        Assert.Contains(web.Described.Tags!, t => t.Key == "app" && t.Value == "mighty");
        Assert.Empty(web.Images);
        MightyOpsException ghost = Assert.Single(errors);
        Assert.Equal(("ServiceNotFound", "ghost"), (ghost.ErrorId, ghost.Target));
    }

    [Fact]
    public async Task Verifying_names_where_the_name_of_a_missing_repository_came_from()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var planner = new DeployPlanner(aws, NullOperationLog.Instance);
        DeployOptions options = new(new ImageRequest("master.4", null, null), ForceNewDeployment: false,
            MightyConfigReader.Read("@{ Services = @{ WEB = @{ Containers = @{ application = @{ Repository = 'ap' } } } } }", "/repo/mighty.psd1"));
        IReadOnlyList<ServiceDraft> drafts = await planner.DescribeAsync("production", ["WEB", "API"], e => throw e, CancellationToken.None);
        List<ServiceDraft> chosen = drafts.Select(d => DeployPlanner.ChooseImages(d, options, aws.Region, e => throw e)!).ToList();

        IReadOnlyDictionary<ServiceDraft, IReadOnlyList<MightyOpsException>> problems = await planner.VerifyImagesAsync(chosen, options, CancellationToken.None);

        (ServiceDraft web, IReadOnlyList<MightyOpsException> webProblems) = Assert.Single(problems);
        Assert.Equal("WEB", web.Name);
        MightyOpsException missing = Assert.Single(webProblems);
        Assert.Equal(("RepositoryNotFound", "WEB"), (missing.ErrorId, missing.Target));
        Assert.StartsWith("Service 'WEB' was not deployed: ECR repository 'ap' was not found", missing.Message, StringComparison.Ordinal);
        Assert.EndsWith("comes from Services.WEB.Containers.application.Repository in /repo/mighty.psd1: fix the name there.", missing.Message, StringComparison.Ordinal);
    }

    // A run stopped after it registered and before it updated the service: the plan of the same
    // deploy finds that revision and deploys it instead of registering another.
    [Fact]
    public async Task Before_registering_a_revision_registered_by_an_earlier_run_is_found()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var planner = new DeployPlanner(aws, NullOperationLog.Instance);
        (IReadOnlyList<ServicePlan> plans, List<MightyOpsException> errors) = await PlanAsync(new ImageRequest("master.2", null, null), "ios_web_scrape");
        Assert.Empty(errors);
        ServicePlan plan = Assert.Single(plans);
        Assert.Null(plan.ExistingRevision);

        string registered = await new RevisionRegistrar(aws, NullOperationLog.Instance).RegisterAsync(plan.Service, plan.Rendered!, plan.NewestRevision, CancellationToken.None);
        IReadOnlyList<ServicePlan> found = await planner.FindRegisteredAsync([plan], e => throw e, CancellationToken.None);

        Assert.Same(plan, Assert.Single(found));
        Assert.Equal(registered, plan.ExistingRevision);
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
