using System.Text.Json;
using System.Text.RegularExpressions;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using MightyOps.Core.Tests.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>The parts of a deploy that need no AWS: the allow-list copy, unchanged detection, the -WhatIf diff, image selection.</summary>
public sealed class TaskDefinitionRenderingTests
{
    private const string Registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    // A definition as DescribeTaskDefinition returns it: read-only members, empty lists, a container member newer than our model.
    private static EcsTaskDefinition Live() => JsonSerializer.Deserialize<EcsTaskDefinition>($$$"""
        {"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/WEB:7","family":"WEB","revision":7,"status":"ACTIVE",
         "requiresAttributes":[{"name":"ecs.capability.env-files.s3"}],"compatibilities":["EC2"],"registeredAt":1700000000,"registeredBy":"arn:aws:iam::123456789012:root",
         "executionRoleArn":"arn:aws:iam::123456789012:role/exec","networkMode":"bridge","volumes":[],"placementConstraints":[],
         "containerDefinitions":[
           {"name":"application","image":"{{{Registry}}}/app:master.4","cpu":256,"memoryReservation":512,"essential":true,"mountPoints":[],
            "environment":[{"name":"RAILS_ENV","value":"production"},{"name":"SECRET_TOKEN","value":"hunter2"}],
            "restartPolicy":{"enabled":true,"restartAttemptPeriod":60}},
           {"name":"datadog","image":"datadog/agent:7","cpu":10,"memoryReservation":64,"essential":false}]}
        """, AwsJson.Options)!;

    // The chosen images as the text the task definition gets.
    private static IReadOnlyDictionary<string, string> Text(IReadOnlyDictionary<string, ImageReference> chosen) =>
        chosen.ToDictionary(c => c.Key, c => c.Value.ToString(), StringComparer.Ordinal);

    [Fact]
    public void The_copy_keeps_only_what_register_accepts_and_passes_unknown_container_members_through()
    {
        string json = JsonSerializer.Serialize(TaskDefinitionRenderer.Copy(Live()), AwsJson.Options);
        foreach (string readOnly in (string[])["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy"])
        {
            Assert.DoesNotContain($"\"{readOnly}\"", json, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("\"volumes\"", json, StringComparison.Ordinal);      // empty: left out
        Assert.DoesNotContain("\"mountPoints\"", json, StringComparison.Ordinal);
        Assert.Contains("\"restartAttemptPeriod\":60", json, StringComparison.Ordinal);
        Assert.Contains("\"executionRoleArn\"", json, StringComparison.Ordinal);
    }

    // The allow-list lives in code and in one document; the document's table is read and compared.
    [Fact]
    public void The_copied_members_are_the_ones_task_definition_copy_md_lists()
    {
        string page = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot(), "docs", "design", "task-definition-copy.md"));
        Match section = Regex.Match(page, @"^## What is copied\s*$(.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "task-definition-copy.md has no '## What is copied' section");
        List<string> documented = Regex.Matches(section.Groups[1].Value, @"^\| `(\w+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(documented, TaskDefinitionRenderer.CopiedMembers);
    }

    [Fact]
    public void The_same_images_render_an_unchanged_definition_and_new_ones_a_diff_without_environment_values()
    {
        EcsTaskDefinition live = Live();
        RegisterTaskDefinitionRequest copy = TaskDefinitionRenderer.Copy(live);
        RegisterTaskDefinitionRequest same = TaskDefinitionRenderer.Render(live, new Dictionary<string, ImageReference>(), null, null, [new EcsTag { Key = "k", Value = "v" }]);
        Assert.True(TaskDefinitionRenderer.SameDefinition(copy, same));

        RegisterTaskDefinitionRequest changed = TaskDefinitionRenderer.Render(
            live,
            new Dictionary<string, ImageReference> { ["application"] = ImageReference.Parse($"{Registry}/app:master.5") },
            settings: r => r.ContainerDefinitions![0].Cpu = 512,
            environment: r => r.ContainerDefinitions![0].Environment = [new() { Name = "RAILS_ENV", Value = "staging" }, new() { Name = "NEW_KEY", Value = "x" }],
            tags: []);
        Assert.False(TaskDefinitionRenderer.SameDefinition(copy, changed));
        List<string> diff = TaskDefinitionDiff.Compare(copy, changed).Select(c => c.ToString()).ToList();
        Assert.Contains($"containers.application.image: {Registry}/app:master.4 -> {Registry}/app:master.5", diff);
        Assert.Contains("containers.application.cpu: 256 -> 512", diff);
        Assert.Contains("containers.application.environment: added NEW_KEY; removed SECRET_TOKEN; changed RAILS_ENV (values not shown)", diff);
        Assert.DoesNotContain(diff, d => d.Contains("hunter2", StringComparison.Ordinal) || d.Contains("staging", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("master.5", Registry + "/app:master.5")]
    [InlineData("other-repo:v2", Registry + "/other-repo:v2")]
    [InlineData("ghcr.io/acme/app:1.0", "ghcr.io/acme/app:1.0")]
    [InlineData("team/app", Registry + "/team/app")]
    [InlineData("app@sha256:0123", Registry + "/app@sha256:0123")]
    public void Image_values_are_a_tag_a_repository_and_tag_or_a_full_uri(string value, string expected) =>
        Assert.Equal(expected, ImageSelection.ImageFor($"{Registry}/app:master.4", value, "123456789012", "us-east-1").ToString());

    [Fact]
    public void A_tag_changes_the_ECR_containers_and_leaves_a_Docker_Hub_sidecar_alone()
    {
        IReadOnlyDictionary<string, string> chosen = Text(ImageSelection.Resolve(Live(), new ImageRequest("master.5", null, null), "123456789012", "us-east-1", "WEB"));
        Assert.Equal([$"application={Registry}/app:master.5"], chosen.Select(c => $"{c.Key}={c.Value}"));

        MightyOpsException unknown = Assert.Throws<MightyOpsException>(() =>
            Text(ImageSelection.Resolve(Live(), new ImageRequest(null, new Dictionary<string, string> { ["Application"] = "x" }, null), "123456789012", "us-east-1", "WEB")));
        Assert.Equal("ContainerNotFound", unknown.ErrorId);
        Assert.Contains("'application', 'datadog'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'application'?", unknown.Message, StringComparison.Ordinal);

        MightyOpsException sidecar = Assert.Throws<MightyOpsException>(() =>
            Text(ImageSelection.Resolve(Live(), new ImageRequest("master.5", null, ["datadog"]), "123456789012", "us-east-1", "WEB")));
        Assert.Equal("ContainerNotInEcr", sidecar.ErrorId);
    }

    [Fact]
    public void A_configured_repository_decides_where_a_tag_points_even_for_a_container_that_runs_another_image()
    {
        Func<string, string?> repositories = c => c switch { "datadog" => "team/agent", _ => null };
        IReadOnlyDictionary<string, string> tagged = Text(ImageSelection.Resolve(Live(), new ImageRequest("master.5", null, null), "123456789012", "us-east-1", "WEB", repositories));
        Assert.Equal(
            [$"application={Registry}/app:master.5", $"datadog={Registry}/team/agent:master.5"],
            tagged.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

        // -Container datadog is no longer "not in ECR": the config says which repository it is.
        IReadOnlyDictionary<string, string> only = Text(ImageSelection.Resolve(Live(), new ImageRequest("master.5", null, ["datadog"]), "123456789012", "us-east-1", "WEB", repositories));
        Assert.Equal([$"datadog={Registry}/team/agent:master.5"], only.Select(c => $"{c.Key}={c.Value}"));

        // A bare tag in -Image uses it too; repository:tag and full URIs are taken as written.
        var images = new Dictionary<string, string> { ["datadog"] = "7.1", ["application"] = "ghcr.io/acme/app:1.0" };
        IReadOnlyDictionary<string, string> imaged = Text(ImageSelection.Resolve(Live(), new ImageRequest(null, images, null), "123456789012", "us-east-1", "WEB", repositories));
        Assert.Equal($"{Registry}/team/agent:7.1", imaged["datadog"]);
        Assert.Equal("ghcr.io/acme/app:1.0", imaged["application"]);
        var explicitRepository = new Dictionary<string, string> { ["datadog"] = "other:7.1" };
        Assert.Equal($"{Registry}/other:7.1", Text(ImageSelection.Resolve(Live(), new ImageRequest(null, explicitRepository, null), "123456789012", "us-east-1", "WEB", repositories))["datadog"]);
    }

    [Theory]
    [InlineData("master.5", "master.5", null)]
    [InlineData(" master.5 ", "master.5", null)]
    [InlineData("app:master.5", null, "app:master.5")]
    [InlineData("ghcr.io/acme/app:1.0", null, "ghcr.io/acme/app:1.0")]
    [InlineData("app@sha256:0123", null, "app@sha256:0123")]
    public void One_image_string_is_a_tag_or_an_image(string text, string? tag, string? image)
    {
        ImageRequest request = ImageRequest.FromImageText(text);
        Assert.Equal((tag, image), (request.Tag, request.Image));
    }

    // One image without container names: the containers that run its repository, else the only container.
    [Theory]
    [InlineData("app:master.5", "application", Registry + "/app:master.5")]
    [InlineData(Registry + "/app:master.5", "application", Registry + "/app:master.5")]
    [InlineData("docker.io/datadog/agent:7.1", "datadog", "docker.io/datadog/agent:7.1")]
    [InlineData("index.docker.io/datadog/agent:7.1", "datadog", "index.docker.io/datadog/agent:7.1")]
    public void One_image_goes_to_the_containers_that_run_its_repository(string image, string container, string expected)
    {
        IReadOnlyDictionary<string, string> chosen = Text(ImageSelection.Resolve(Live(), new ImageRequest(null, null, null) { Image = image }, "123456789012", "us-east-1", "WEB"));
        Assert.Equal([new KeyValuePair<string, string>(container, expected)], chosen);
    }

    [Fact]
    public void One_image_finds_an_official_Docker_Hub_image_however_either_side_spells_its_name()
    {
        EcsTaskDefinition live = Live();
        live.ContainerDefinitions![1].Image = "nginx:1.25";
        IReadOnlyDictionary<string, string> chosen = Text(ImageSelection.Resolve(live, new ImageRequest(null, null, null) { Image = "docker.io/library/nginx:1.27" }, "123456789012", "us-east-1", "WEB"));
        Assert.Equal([new KeyValuePair<string, string>("datadog", "docker.io/library/nginx:1.27")], chosen);
        live.ContainerDefinitions![1].Image = "index.docker.io/library/nginx:1.25";
        chosen = Text(ImageSelection.Resolve(live, new ImageRequest(null, null, null) { Image = "docker.io/nginx:1.27" }, "123456789012", "us-east-1", "WEB"));
        Assert.Equal([new KeyValuePair<string, string>("datadog", "docker.io/nginx:1.27")], chosen);
    }

    [Fact]
    public void One_image_goes_to_the_configured_repository_or_the_only_container_and_is_refused_when_it_fits_none()
    {
        IReadOnlyDictionary<string, string> configured = Text(ImageSelection.Resolve(Live(), new ImageRequest(null, null, null) { Image = "team/agent:7.1" }, "123456789012", "us-east-1", "WEB",
            container => container == "datadog" ? "team/agent" : null));
        Assert.Equal($"{Registry}/team/agent:7.1", Assert.Single(configured, c => c.Key == "datadog").Value);

        EcsTaskDefinition single = Live();
        single.ContainerDefinitions!.RemoveAt(1);
        IReadOnlyDictionary<string, string> only = Text(ImageSelection.Resolve(single, new ImageRequest(null, null, null) { Image = "ghcr.io/acme/app:1.0" }, "123456789012", "us-east-1", "WEB"));
        Assert.Equal("ghcr.io/acme/app:1.0", only["application"]);

        MightyOpsException unclear = Assert.Throws<MightyOpsException>(() =>
            Text(ImageSelection.Resolve(Live(), new ImageRequest(null, null, null) { Image = "ghcr.io/acme/app:1.0" }, "123456789012", "us-east-1", "WEB")));
        Assert.Equal("ContainerNameRequired", unclear.ErrorId);
        Assert.Contains("-Image @{ application = 'ghcr.io/acme/app:1.0' }", unclear.Message, StringComparison.Ordinal);
    }

    // Where a container's repository was named, for the message about one that does not exist.
    [Theory]
    [InlineData("master.5", null, null, null, RepositorySource.TaskDefinition)]
    [InlineData("master.5", null, null, "app", RepositorySource.Config)]
    [InlineData(null, "master.5", null, null, RepositorySource.TaskDefinition)]
    [InlineData(null, "master.5", null, "app", RepositorySource.Config)]
    [InlineData(null, "ap:master.5", null, "app", RepositorySource.Parameter)]
    [InlineData(null, "ghcr.io/acme/app:1", null, null, RepositorySource.Parameter)]
    [InlineData(null, null, "ap:master.5", "app", RepositorySource.Parameter)]
    public void The_source_of_a_repository_is_the_parameter_the_config_or_the_task_definition(string? tag, string? imageForContainer, string? oneImage, string? configured, RepositorySource expected)
    {
        var request = new ImageRequest(tag, imageForContainer is null ? null : new Dictionary<string, string> { ["application"] = imageForContainer }, null) { Image = oneImage };
        Assert.Equal(expected, ImageSelection.SourceOf(request, "application", configured));
    }

    [Fact]
    public void Stopped_tasks_are_summarised_with_reasons_and_exit_codes()
    {
        var task = new EcsTask
        {
            StoppedReason = "Essential container in task exited",
            Containers = [new EcsContainer { Name = "application", ExitCode = 137, Reason = "OutOfMemoryError: Container killed due to memory usage" }, new EcsContainer { Name = "nginx", ExitCode = 0 }],
        };
        string summary = RolloutWatcher.StoppedTasks([task, task]);
        Assert.Equal("2 tasks of this deployment stopped: Essential container in task exited (application exit code 137: OutOfMemoryError: Container killed due to memory usage).", summary);
    }
}
