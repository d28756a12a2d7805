using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Capacity;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Capacity;

[Cmdlet(VerbsCommon.Get, "MightyCapacity")]
[OutputType(typeof(MightyCapacity))]
public sealed class GetMightyCapacityCommand : AwsCmdlet
{
    // Pipeline input is gathered and each cluster is read once at the end.
    private ServiceTargetResolver? _targets;

    // Tasks piped objects (Set-MightyQueueScale -Auto -PassThru) held back, by cluster and service: they count as wanted.
    private readonly Dictionary<(string? Cluster, string Service), int> _heldBack = [];

    // True once a record named services: then only the groups those services count in are written.
    private bool _named;

    /// <summary>A cluster name or ARN; when neither this nor a service ARN names one, the config's Cluster, else 'default'.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Piped input: see <see cref="ServiceTargetInput"/>; a piped MightyQueueScale adds its HeldBack tasks as wanted.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster);
    }

    protected override void ProcessRecord()
    {
        try
        {
            (string? cluster, IReadOnlyList<string>? services) = ServiceTargetInput.Read(InputObject, Cluster, Service);
            if (services is { Count: > 0 })
            {
                _named = true;
                if (InputObject?.Properties["HeldBack"]?.Value is int held && held > 0)
                {
                    foreach (string service in services)
                    {
                        _heldBack[(cluster, service)] = _heldBack.GetValueOrDefault((cluster, service)) + held;
                    }
                }
            }
            foreach (MightyOpsException error in _targets!.Add(cluster, services))
            {
                WriteMightyError(error);
            }
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
        }
    }

    protected override void EndProcessing()
    {
        if (_targets!.IsEmpty)
        {
            _targets.Add(Cluster, null);
        }
        var reader = new CapacityReader(Aws, Log);
        RunEach(ct => ReadAsync(reader, ct), WriteObject);
    }

    private async IAsyncEnumerable<MightyCapacity> ReadAsync(CapacityReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (ClusterTargets targets in _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), cancellationToken).ConfigureAwait(false))
        {
            var additional = _heldBack
                .Where(h => h.Key.Cluster is null || h.Key.Cluster == targets.Cluster || h.Key.Cluster.EndsWith("/" + targets.Cluster, StringComparison.Ordinal))
                .GroupBy(h => h.Key.Service, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(h => h.Value), StringComparer.Ordinal);
            // Every service of the cluster counts (a group's room depends on all of them); when the
            // input named services, only the groups they count in are written.
            CapacitySnapshot snapshot = await reader.ReadAsync(targets.Cluster, _named ? null : targets.Services.Select(s => s.ServiceArn).ToList(),
                additional, e => Post(() => WriteWarning(e.Message)), cancellationToken).ConfigureAwait(false);
            var named = targets.ServiceNames.ToHashSet(StringComparer.Ordinal);
            foreach (GroupCapacity group in CapacityReport.Build(snapshot))
            {
                if (!_named || group.Services.Any(s => named.Contains(s.Name)))
                {
                    yield return group.ToOutput();
                }
            }
        }
    }
}
