using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Queues;

namespace MightyOps.Commands.Queues;

/// <summary>
/// Base of the queue cmdlets: where Sidekiq's Redis is (-Redis, -Namespace), which cluster
/// (-Cluster), and one read of queues and services through <see cref="QueueSnapshot"/>.
/// </summary>
public abstract class QueueCmdlet : ClusterCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Redis { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Reads Redis and ECS for <paramref name="cluster"/>; a failure of either is thrown as a <see cref="MightyOpsException"/>.</summary>
    private protected QueueSnapshotResult ReadSnapshot(string? cluster) =>
        ReadSnapshot(QueueSnapshotRequest.From(Config, cluster, Redis, Namespace, Environment.GetEnvironmentVariable));

    /// <summary>Reads what <paramref name="request"/> names; a failure is thrown as a <see cref="MightyOpsException"/>.</summary>
    private protected QueueSnapshotResult ReadSnapshot(QueueSnapshotRequest request)
    {
        var reader = new QueueSnapshot(Aws, Log);
        return Run(ct => reader.ReadAsync(request, ct));
    }
}
