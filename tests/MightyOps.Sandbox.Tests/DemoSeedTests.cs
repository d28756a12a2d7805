using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>The registry and secrets half of the demo seed (EcsDemoSeedTests covers the ECS half).</summary>
public sealed class DemoSeedTests
{
    [Fact]
    public async Task RepositoriesCarryReleaseTagsAndBrokenBuilds()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        foreach (string name in new[] { "app", "nginx-proxy" })
        {
            SandboxRepository repository = host.World.Repositories[name];
            List<SandboxImage> releases = new[] { "master.1", "master.2", "master.3", "master.4" }.Select(tag => repository.Images.Single(i => i.Tags.Contains(tag))).ToList();
            Assert.Equal(releases.OrderBy(i => i.PushedAt), releases);
            Assert.Equal(4, releases.Select(i => i.Digest).Distinct().Count());
            Assert.All(releases, i => Assert.True(i.PushedAt < host.World.Clock.UtcNow));
            Assert.True(repository.Images.Single(i => i.Tags.Contains("broken.1")).FailsToStart);
        }
    }

    [Fact]
    public async Task SecretsObjectHasSharedAndPerServiceSections()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo");
        SandboxObject secrets = host.World.Buckets["mighty-secrets"].Objects["production.json"];
        Assert.Equal("application/json", secrets.ContentType);
        JsonObject document = JsonNode.Parse(secrets.Content)!.AsObject();
        Assert.Equal(["shared", "WEB", "API"], document.Select(p => p.Key));
        Assert.StartsWith("postgres://", (string?)document["shared"]!["DATABASE_URL"]);
        Assert.All(document, section => Assert.All(section.Value!.AsObject(), pair => Assert.Equal(System.Text.Json.JsonValueKind.String, pair.Value!.GetValueKind())));
    }

    [Fact]
    public async Task SeedNamesAreCaseInsensitive()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("Empty");
        Assert.Empty(host.World.Repositories);
    }
}
