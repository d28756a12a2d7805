using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>One demo sandbox on a loopback port for a test class, and sessions that talk to it.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await StartAsync(new SandboxOptions { Seed = "demo", TimeScale = 200 });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static Task<SandboxHost> StartAsync(SandboxOptions options) => SandboxHost.StartAsync(options with { Port = 0 });

    /// <summary>A session on <paramref name="host"/> with its keys, region and endpoint passed explicitly (no environment involved).</summary>
    public static Task<AwsSession> SessionAsync(SandboxHost host, IOperationLog? log = null, string? secret = null, RetryPolicy? retry = null) =>
        AwsSession.CreateAsync(
            new AwsOptions(Region: host.Options.Region, EndpointUrl: host.Endpoint.ToString())
            {
                Credentials = new AwsCredentialSnapshot(host.Options.AccessKeyId, secret ?? host.Options.SecretAccessKey),
            },
            log ?? NullOperationLog.Instance,
            retry,
            http: null,
            CancellationToken.None);

    /// <summary>
    /// A register request copied from a described task definition: the task-level members
    /// RegisterTaskDefinition accepts (docs/design/task-definition-copy.md) and every container definition as described.
    /// </summary>
    public static RegisterTaskDefinitionRequest RegisterRequest(EcsTaskDefinition definition, List<EcsTag>? tags) => new()
    {
        Family = definition.Family,
        TaskRoleArn = definition.TaskRoleArn,
        ExecutionRoleArn = definition.ExecutionRoleArn,
        NetworkMode = definition.NetworkMode,
        ContainerDefinitions = definition.ContainerDefinitions,
        Volumes = definition.Volumes,
        PlacementConstraints = definition.PlacementConstraints,
        RequiresCompatibilities = definition.RequiresCompatibilities,
        Cpu = definition.Cpu,
        Memory = definition.Memory,
        Tags = tags is { Count: > 0 } ? tags : null,
    };

    /// <summary>Requests the sandbox counted for <paramref name="operation"/> (e.g. <c>ecs.DescribeServices</c>) since <paramref name="before"/>.</summary>
    public static long Delta(SandboxHost host, IReadOnlyDictionary<string, long> before, string operation) =>
        host.RequestCounts.GetValueOrDefault(operation) - before.GetValueOrDefault(operation);

    public static IReadOnlyDictionary<string, long> Snapshot(SandboxHost host) => new Dictionary<string, long>(host.RequestCounts, StringComparer.Ordinal);
}
