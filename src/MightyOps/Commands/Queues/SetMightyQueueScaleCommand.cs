using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Capacity;
using MightyOps.Core.Queues;

namespace MightyOps.Commands.Queues;

[Cmdlet(VerbsCommon.Set, "MightyQueueScale", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = AutoSet)]
[OutputType(typeof(MightyQueueScale))]
public sealed class SetMightyQueueScaleCommand : QueueCmdlet
{
    private const string AutoSet = "Auto";
    private const string CountSet = "Count";

    // Queues and services piped in are gathered per cluster and read once at the end: one Redis
    // read and one ListServices + DescribeServices round for the whole pipeline, on fresh numbers.
    private readonly List<ScaleRequest> _requests = [];

    // Queues that came through the pipeline: Get-MightyQueue has already warned (under its own
    // -WarningAction) about those that no service works, so they are not warned about again.
    private readonly HashSet<string> _piped = new(StringComparer.Ordinal);

    // Neither is mandatory: an object that binds either names what to scale (Get-MightyQueue's
    // queues, Get-MightyService's services), and naming neither is QueueNotNamed, not a prompt.
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QueueCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Queue { get; set; }

    // Empty strings are allowed: Get-MightyQueue writes a queue no service works with Service ''.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? Service { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CountSet)]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; }

    // Not mandatory, so a call with neither -Count nor -Auto is ScaleModeNotGiven rather than an
    // "Auto:" prompt that a switch cannot answer.
    [Parameter(ParameterSetName = AutoSet)]
    public SwitchParameter Auto { get; set; }

    [Parameter(ParameterSetName = CountSet)]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>What to do when the new tasks would not fit; CapacityCheck in mighty.psd1, else Warn. -Auto always holds back what does not fit.</summary>
    [Parameter]
    public CapacityCheck CapacityCheck { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (ParameterSetName == AutoSet && !Auto)
        {
            ThrowMightyError(new MightyOpsException(QueuesErrorIds.ScaleModeNotGiven,
                "Say how to scale: -Count <n> sets the desired count by hand, -Auto lets each queue's policy decide (Get-MightyQueue shows what it would set).",
                null));
        }
    }

    protected override void ProcessRecord()
    {
        if (MyInvocation.ExpectingInput && Queue is { Length: > 0 })
        {
            _piped.UnionWith(Queue);
        }
        string[] services = (Service ?? []).Where(s => !string.IsNullOrEmpty(s)).ToArray();
        if (Queue is not { Length: > 0 } && services.Length == 0)
        {
            WriteMightyError(new MightyOpsException(QueuesErrorIds.QueueNotNamed,
                "Name what to scale: -Queue mailers, -Service with the ECS service that works the queue, or pipe in Get-MightyQueue or Get-MightyService output.",
                null));
            return;
        }
        _requests.Add(new ScaleRequest(Cluster, Queue ?? [], Queue is { Length: > 0 } ? services : [], Queue is { Length: > 0 } ? [] : services));
    }

    protected override void EndProcessing()
    {
        foreach (IGrouping<string?, ScaleRequest> group in _requests.GroupBy(r => r.Cluster))
        {
            QueueSnapshotResult snapshot;
            try
            {
                snapshot = ReadSnapshot(group.Key, group.SelectMany(r => r.Queues).ToArray());
            }
            catch (MightyOpsException e)
            {
                // Never scale on missing data: a Redis or ECS failure stops this cluster's changes.
                WriteMightyError(e);
                continue;
            }
            var selected = new List<QueueState>();
            foreach (ScaleRequest request in group)
            {
                IReadOnlyList<QueueState> queues = request.Queues.Length > 0
                    ? QueueSnapshot.Select(snapshot, request.Queues, wildcardMustMatch: true, WriteMightyError)
                    : QueueSnapshot.SelectWorkedBy(snapshot, request.Services, WriteMightyError);
                foreach (QueueState queue in queues)
                {
                    if (request.QueueOf.Length > 0 && !request.QueueOf.Contains(queue.Service?.ServiceName ?? string.Empty, StringComparer.Ordinal))
                    {
                        WriteMightyError(new MightyOpsException(QueuesErrorIds.QueueServiceMismatch,
                            $"Queue '{queue.Queue}' is worked by {(queue.Service is null ? "no service" : $"service '{queue.Service.ServiceName}'")} in cluster '{queue.Cluster}', not by {string.Join(" or ", request.QueueOf.Select(s => $"'{s}'"))}; nothing was changed for it. Name the queue or the service, not both.",
                            queue.Queue));
                        continue;
                    }
                    if (!selected.Any(q => q.Queue == queue.Queue))
                    {
                        selected.Add(queue);
                    }
                }
            }
            Scale(selected);
        }
    }

    // A count set by hand needs ECS and the config only (docs/design/queue-scaling.md); -Auto reads Redis.
    private QueueSnapshotResult ReadSnapshot(string? cluster, IReadOnlyCollection<string> queues) =>
        ParameterSetName == CountSet
            ? ReadSnapshot(QueueSnapshotRequest.ForCount(Config, cluster, Redis, Namespace, Environment.GetEnvironmentVariable, queues))
            : ReadSnapshot(cluster);

    private void Scale(IReadOnlyList<QueueState> queues)
    {
        // 1. Plan every queue; nothing changes yet.
        var plans = new List<QueueScalePlan>();
        foreach (QueueState queue in queues)
        {
            if (queue.Service is null && Auto)
            {
                // A runbook pipes every queue in; one without a service must not stop the others.
                string skipped = $"Queue '{TerminalText.Quote(queue.Queue)}' is skipped: no ECS service in cluster '{queue.Cluster}' works it.";
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
            try
            {
                plans.Add(QueueScaler.Plan(queue, ParameterSetName == CountSet ? Count : null, Force));
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }

        // 2. Room for the new tasks (docs/design/queue-scaling.md, "Room for the tasks").
        plans = CheckCapacity(plans);

        // 3. Apply.
        var scaler = new QueueScaler(Aws, Log);
        var progress = new ProgressRecord(1, "Set-MightyQueueScale", "Reading queues");
        int done = 0;
        try
        {
            foreach (QueueScalePlan plan in plans)
            {
                if (!plan.Changes)
                {
                    WriteVerbose($"Queue '{TerminalText.Quote(plan.Queue.Queue)}' (service '{plan.Queue.Service!.ServiceName}'): stays at {plan.From}: {plan.Reason}.");
                    if (PassThru)
                    {
                        WriteObject(plan.ToResult(changed: false));
                    }
                    continue;
                }
                string target = $"service '{plan.Queue.Service!.ServiceName}' (queue '{TerminalText.Quote(plan.Queue.Queue)}', cluster '{plan.Queue.Cluster}')";
                if (!ShouldProcess(target, $"Set desired count {plan.From} → {plan.To} ({plan.Reason})"))
                {
                    continue;
                }
                progress.StatusDescription = $"{plan.Queue.Service.ServiceName}: {plan.From} → {plan.To}";
                progress.PercentComplete = Math.Min(100, done * 100 / Math.Max(1, plans.Count));
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

    private List<QueueScalePlan> CheckCapacity(List<QueueScalePlan> plans)
    {
        CapacityCheck mode = MyInvocation.BoundParameters.ContainsKey(nameof(CapacityCheck)) ? CapacityCheck : Config.CapacityCheck ?? CapacityCheck.Warn;
        if (plans.Count == 0 || plans[0].Queue.Cluster is not string cluster)
        {
            return plans;
        }
        QueueCapacityResult result;
        try
        {
            result = Run(ct => new QueueCapacity(Aws, Log).CheckAsync(cluster, plans, holdBack: Auto, mode, ct));
        }
        catch (MightyOpsException e) when (mode != CapacityCheck.Strict)
        {
            WriteWarning($"The capacity of cluster '{cluster}' could not be read, so the counts are set unchecked: {e.Message}");
            return plans;
        }
        foreach (string note in result.Notes)
        {
            WriteInformation(new HostInformationMessage { Message = TerminalText.Visible(note) }, ["MightyOps.Capacity"]);
        }
        foreach (string warning in result.Warnings)
        {
            WriteWarning(warning);
        }
        foreach (MightyOpsException refused in result.Refused)
        {
            WriteMightyError(refused);
        }
        return result.Plans.ToList();
    }

    /// <summary>One pipeline record: queues (with the services piped alongside, which must work them), or services whose queues to scale.</summary>
    private sealed record ScaleRequest(string? Cluster, string[] Queues, string[] QueueOf, string[] Services);
}
