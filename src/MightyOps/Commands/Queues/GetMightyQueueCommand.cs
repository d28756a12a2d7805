using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Queues;

namespace MightyOps.Commands.Queues;

[Cmdlet(VerbsCommon.Get, "MightyQueue")]
[OutputType(typeof(MightyQueue))]
public sealed class GetMightyQueueCommand : QueueCmdlet
{
    [Parameter(Position = 0)]
    [Alias("Queue")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QueueCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void EndProcessing()
    {
        QueueSnapshotResult snapshot;
        try
        {
            snapshot = ReadSnapshot(Cluster);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }
        IReadOnlyList<QueueState> queues = QueueSnapshot.Select(snapshot, Name, wildcardMustMatch: false, WriteMightyError);
        QueueSnapshot.WarnUnmapped(queues, Log);
        foreach (QueueState queue in queues)
        {
            WriteObject(queue.ToMightyQueue());
        }
    }
}
