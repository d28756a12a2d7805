using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Config;
using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>
/// The steps of <see cref="DeployPlanner.PlanAsync"/> that need no AWS, each on its own:
/// choosing the images, the tags of a new revision, rendering, comparing. The steps that read
/// AWS are in <see cref="DeployPlannerTests"/>, against the sandbox.
/// </summary>
public sealed class DeployStepTests
{
    private const string Registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    private const string LiveArn = "arn:aws:ecs:us-east-1:123456789012:task-definition/WEB:7";

    private static ServiceDraft Draft(params EcsTag[] tags) => new(
        new EcsService { ServiceName = "WEB", ServiceArn = "arn:aws:ecs:us-east-1:123456789012:service/production/WEB", Status = "ACTIVE" },
        new DescribeTaskDefinitionResponse
        {
            TaskDefinition = JsonSerializer.Deserialize<EcsTaskDefinition>($$$"""
                {"taskDefinitionArn":"{{{LiveArn}}}","family":"WEB","revision":7,"status":"ACTIVE",
                 "containerDefinitions":[
                   {"name":"application","image":"{{{Registry}}}/app:master.4","cpu":256,"memoryReservation":512,"essential":true},
                   {"name":"datadog","image":"datadog/agent:7","cpu":10,"memoryReservation":64,"essential":false}]}
                """, AwsJson.Options),
            Tags = [.. tags],
        });

    private static DeployOptions Options(ImageRequest images, string config = "@{}") =>
        new(images, ForceNewDeployment: false, MightyConfigReader.Read(config, "/repo/mighty.psd1"));

    private static readonly ImageRequest Nothing = new(null, null, null);

    [Fact]
    public void Choosing_with_nothing_asked_keeps_every_image()
    {
        var errors = new List<MightyOpsException>();
        ServiceDraft draft = Draft();
        Assert.Same(draft, DeployPlanner.ChooseImages(draft, Options(Nothing), "us-east-1", errors.Add));
        Assert.Empty(errors);
        Assert.Empty(draft.Images);
    }

    [Fact]
    public void Choosing_a_tag_retags_the_ECR_containers_once_for_every_later_step()
    {
        ServiceDraft? chosen = DeployPlanner.ChooseImages(Draft(), Options(new ImageRequest("master.5", null, null)), "us-east-1", e => throw e);
        Assert.Equal([$"application={Registry}/app:master.5"], chosen!.Images.Select(i => $"{i.Key}={i.Value}"));
    }

    [Fact]
    public void Choosing_reports_a_configured_container_the_live_definition_lacks_and_drops_the_service()
    {
        var errors = new List<MightyOpsException>();
        ServiceDraft? chosen = DeployPlanner.ChooseImages(Draft(), Options(new ImageRequest("master.5", null, null), "@{ Services = @{ WEB = @{ Containers = @{ aplication = @{ Cpu = 512 } } } } }"), "us-east-1", errors.Add);
        Assert.Null(chosen);
        MightyOpsException error = Assert.Single(errors);
        Assert.Equal("ConfigInvalid", error.ErrorId);
        Assert.Contains("Services.WEB.Containers.aplication: service 'WEB' has no container 'aplication'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'application'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_revision_keeps_the_live_tags_and_replaces_MightyOps_own()
    {
        ServiceDraft draft = DeployPlanner.ChooseImages(
            Draft(new EcsTag { Key = "team", Value = "web" }, new EcsTag { Key = DeployPlanner.ReleaseTag, Value = "master.4" }, new EcsTag { Key = DeployPlanner.RequestTag, Value = "0123" }),
            Options(new ImageRequest(null, new Dictionary<string, string> { ["application"] = "app@sha256:00aa" }, null)), "us-east-1", e => throw e)!;

        Assert.Equal(
            ["team=web", $"{DeployPlanner.ReleaseTag}=application=sha256:00aa", $"{DeployPlanner.PreviousTaskDefinitionTag}={LiveArn}"],
            DeployPlanner.RevisionTags(draft, Options(new ImageRequest(null, new Dictionary<string, string> { ["application"] = "app@sha256:00aa" }, null))).Select(t => $"{t.Key}={t.Value}"));
    }

    [Fact]
    public void Rendering_writes_the_chosen_images_and_the_tags_and_leaves_the_rest()
    {
        DeployOptions options = Options(new ImageRequest("master.5", null, null));
        ServiceDraft draft = DeployPlanner.ChooseImages(Draft(), options, "us-east-1", e => throw e)!;
        RenderedRevision rendered = DeployPlanner.Render(draft, options, new ConfigRendering(options.Config, null, "123456789012", "us-east-1"));

        Assert.Equal([$"{Registry}/app:master.5", "datadog/agent:7"], rendered.Request.ContainerDefinitions!.Select(c => c.Image));
        Assert.Equal([$"{DeployPlanner.ReleaseTag}=master.5", $"{DeployPlanner.PreviousTaskDefinitionTag}={LiveArn}"], rendered.Request.Tags!.Select(t => $"{t.Key}={t.Value}"));
        Assert.Null(rendered.SecretsFile);
    }

    [Fact]
    public void Comparing_finds_an_unchanged_definition_and_names_each_change_of_a_new_one()
    {
        DeployOptions same = Options(Nothing);
        ServiceDraft draft = Draft();
        var rendering = new ConfigRendering(same.Config, null, "123456789012", "us-east-1");
        Assert.Equal((true, 0), Count(DeployPlanner.Compare(draft.Live, DeployPlanner.Render(draft, same, rendering).Request)));

        DeployOptions tagged = Options(new ImageRequest("master.5", null, null), "@{ Services = @{ WEB = @{ Containers = @{ application = @{ Cpu = 512 } } } } }");
        ServiceDraft chosen = DeployPlanner.ChooseImages(draft, tagged, "us-east-1", e => throw e)!;
        (bool unchanged, IReadOnlyList<DefinitionChange> changes) = DeployPlanner.Compare(chosen.Live, DeployPlanner.Render(chosen, tagged, new ConfigRendering(tagged.Config, null, "123456789012", "us-east-1")).Request);
        Assert.False(unchanged);
        Assert.Equal(
            ["containers.application.cpu: 256 -> 512", $"containers.application.image: {Registry}/app:master.4 -> {Registry}/app:master.5"],
            changes.Select(c => c.ToString()).Order(StringComparer.Ordinal));

        static (bool, int) Count((bool Unchanged, IReadOnlyList<DefinitionChange> Changes) result) => (result.Unchanged, result.Changes.Count);
    }
}
