using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>ServiceQuery (Get-MightyService's engine) against the demo sandbox over loopback HTTP.</summary>
public sealed class ServiceQueryTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxHost _host;

    public ServiceQueryTests(SandboxFixture fixture)
    {
        _host = fixture.Host;
    }

    [Fact]
    public async Task Repeated_names_give_each_service_and_each_not_found_error_once()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var notFound = new List<MightyOpsException>();
        var before = SandboxFixture.Snapshot(_host);

        List<MightyService> services = await ToListAsync(new ServiceQuery(aws, NullOperationLog.Instance)
            .GetAsync("production", ["WEB", "WEB", "API", "ghost", "ghost", "*_WEB_scrape"], includeImages: false, notFound.Add, CancellationToken.None));

        Assert.Equal(["android_web_scrape", "API", "ios_web_scrape", "WEB"], services.Select(s => s.Service));
        MightyOpsException missing = Assert.Single(notFound);
        Assert.Equal("ServiceNotFound", missing.ErrorId);
        Assert.Equal("ghost", missing.Target);
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.ListServices"));
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "ecs.DescribeServices"));
    }

    [Fact]
    public async Task An_unknown_cluster_is_ClusterNotFound_naming_the_clusters_there()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        IReadOnlyList<string> clusters = await aws.Ecs.ListClusterNamesAsync(CancellationToken.None);
        var errors = new List<MightyOpsException>();

        Assert.Empty(await ToListAsync(new ServiceQuery(aws, NullOperationLog.Instance).GetAsync(null, null, includeImages: false, errors.Add, CancellationToken.None)));

        MightyOpsException error = Assert.Single(errors);
        Assert.Equal("ClusterNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
        Assert.Equal("default", error.Target);
        Assert.NotEmpty(clusters);
        Assert.Contains($"one of the clusters there: {string.Join(", ", clusters)}.", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.RequestId);
    }

    [Fact]
    public async Task Images_of_the_same_task_definition_arn_on_two_endpoints_are_kept_apart()
    {
        // Two sandboxes hand out the same ARN (WEB:3) for different contents; the process-wide
        // cache of task definition images must not answer one with the other's. Real-time clocks:
        // the images deployed here are not in the registry, so with fast simulated time a busy
        // machine could let the circuit breaker roll one service back to WEB:2 before it is read.
        await using SandboxHost other = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 1 });
        await using SandboxHost first = await SandboxFixture.StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 1 });
        string firstImage = await DeployWebAsync(first, "app:first");
        string otherImage = await DeployWebAsync(other, "app:other");

        MightyService a = await WebWithImagesAsync(first);
        MightyService b = await WebWithImagesAsync(other);

        Assert.Equal(a.TaskDefinitionArn, b.TaskDefinitionArn);
        Assert.Equal(firstImage, a.Images!["application"]);
        Assert.Equal(otherImage, b.Images!["application"]);
    }

    private static async Task<string> DeployWebAsync(SandboxHost host, string tag)
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        string current = (await aws.Ecs.DescribeServicesAsync("production", ["WEB"], CancellationToken.None)).Services!.Single().TaskDefinition!;
        EcsTaskDefinition definition = (await aws.Ecs.DescribeTaskDefinitionAsync(current, includeTags: false, CancellationToken.None)).TaskDefinition!;
        EcsContainerDefinition application = definition.ContainerDefinitions!.Single(c => c.Name == "application");
        string image = application.Image!;
        application.Image = image[..image.LastIndexOf('/')] + "/" + tag;
        RegisterTaskDefinitionResponse registered = await aws.Ecs.RegisterTaskDefinitionAsync(SandboxFixture.RegisterRequest(definition, null), CancellationToken.None);
        await aws.Ecs.UpdateServiceAsync(
            new UpdateServiceRequest { Cluster = "production", Service = "WEB", TaskDefinition = registered.TaskDefinition!.TaskDefinitionArn }, CancellationToken.None);
        return application.Image;
    }

    private static async Task<MightyService> WebWithImagesAsync(SandboxHost host)
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(host);
        return Assert.Single(await ToListAsync(new ServiceQuery(aws, NullOperationLog.Instance).GetAsync("production", ["WEB"], includeImages: true, _ => { }, CancellationToken.None)));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
