using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Queues;

namespace MightyOps.Commands.Queues;

[Cmdlet(VerbsCommon.Set, "MightyQueueScale", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = AutoSet)]
[OutputType(typeof(MightyQueueScale))]
public sealed class SetMightyQueueScaleCommand : QueueCmdlet
{
    private const string AutoSet = "Auto";
    private const string CountSet = "Count";

    // Queues piped in are gathered per cluster and read once at the end: one Redis read and one
    // ListServices + DescribeServices round for the whole pipeline, on fresh numbers.
    private readonly List<(string? Cluster, List<string> Queues)> _requests = [];

    // Queues that came through the pipeline: Get-MightyQueue has already warned (under its own
    // -WarningAction) about those that no service works, so they are not warned about again.
    private readonly HashSet<string> _piped = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QueueCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Queue { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = CountSet)]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AutoSet)]
    public SwitchParameter Auto { get; set; }

    [Parameter(ParameterSetName = CountSet)]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (MyInvocation.ExpectingInput)
        {
            _piped.UnionWith(Queue);
        }
        int index = _requests.FindIndex(r => r.Cluster == Cluster);
        if (index < 0)
        {
            _requests.Add((Cluster, [.. Queue]));
        }
        else
        {
            _requests[index].Queues.AddRange(Queue);
        }
    }

    protected override void EndProcessing()
    {
        foreach ((string? cluster, List<string> queues) in _requests)
        {
            QueueSnapshotResult snapshot;
            try
            {
                snapshot = ReadSnapshot(cluster);
            }
            catch (MightyOpsException e)
            {
                // Never scale on missing data: a Redis or ECS failure stops this cluster's changes.
                WriteMightyError(e);
                continue;
            }
            Scale(QueueSnapshot.Select(snapshot, queues, wildcardMustMatch: true, WriteMightyError));
        }
    }

    private void Scale(IReadOnlyList<QueueState> queues)
    {
        var scaler = new QueueScaler(Aws, Log);
        var progress = new ProgressRecord(1, "Set-MightyQueueScale", "Reading queues");
        int done = 0;
        try
        {
            foreach (QueueState queue in queues)
            {
                if (queue.Service is null && Auto)
                {
                    // A runbook pipes every queue in; one without a service must not stop the others.
                    string skipped = $"Queue '{queue.Queue}' is skipped: no ECS service in cluster '{queue.Cluster}' works it.";
                    if (_piped.Contains(queue.Queue))
                    {
                        WriteVerbose(skipped);
                    }
                    else
                    {
                        WriteWarning(skipped);
                    }
                    continue;
                }
                QueueScalePlan plan;
                try
                {
                    plan = QueueScaler.Plan(queue, ParameterSetName == CountSet ? Count : null, Force);
                }
                catch (MightyOpsException e)
                {
                    WriteMightyError(e);
                    continue;
                }
                if (!plan.Changes)
                {
                    WriteVerbose($"Queue '{plan.Queue.Queue}' (service '{plan.Queue.Service!.ServiceName}'): stays at {plan.From}: {plan.Reason}.");
                    if (PassThru)
                    {
                        WriteObject(plan.ToResult(changed: false));
                    }
                    continue;
                }
                string target = $"service '{plan.Queue.Service!.ServiceName}' (queue '{plan.Queue.Queue}', cluster '{plan.Queue.Cluster}')";
                if (!ShouldProcess(target, $"Set desired count {plan.From} → {plan.To} ({plan.Reason})"))
                {
                    continue;
                }
                progress.StatusDescription = $"{plan.Queue.Service.ServiceName}: {plan.From} → {plan.To}";
                progress.PercentComplete = Math.Min(100, done * 100 / Math.Max(1, queues.Count));
                WriteProgress(progress);
                try
                {
                    WriteObject(Run(ct => scaler.ApplyAsync(plan, ct)));
                }
                catch (MightyOpsException e)
                {
                    WriteMightyError(e);
                }
                done++;
            }
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
