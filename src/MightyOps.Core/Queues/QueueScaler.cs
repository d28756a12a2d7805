using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Queues;

/// <summary>A planned desired-count change of one queue's service.</summary>
/// <param name="Queue">The queue as it was read.</param>
/// <param name="To">The desired count to set.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record QueueScalePlan(QueueState Queue, int To, string Reason)
{
    public int From => Queue.Service?.DesiredCount ?? 0;

    /// <summary>Tasks -Auto wanted and did not ask for because they would not fit (docs/design/queue-scaling.md, "Room for the tasks").</summary>
    public int HeldBack { get; init; }

    /// <summary>Instances of the group's type that would place the held-back tasks; null when none are held back or the type is not known.</summary>
    public int? InstancesToPlace { get; init; }

    /// <summary>The Auto Scaling group those instances belong in; empty when none.</summary>
    public string AutoScalingGroup { get; init; } = string.Empty;

    /// <summary>True when the count changes (UpdateService is called only then).</summary>
    public bool Changes => To != From;

    /// <summary>The output object; <paramref name="changed"/> says whether UpdateService ran.</summary>
    public MightyQueueScale ToResult(bool changed) => new()
    {
        Queue = Queue.Queue,
        Cluster = Queue.Cluster,
        Service = Queue.Service?.ServiceName ?? string.Empty,
        From = From,
        To = To,
        Reason = Reason,
        Changed = changed,
        HeldBack = HeldBack,
        InstancesToPlace = InstancesToPlace,
        AutoScalingGroup = AutoScalingGroup,
    };
}

/// <summary>
/// Set-MightyQueueScale's engine: plans a count (given, or the -Auto policy) for a queue read by
/// <see cref="QueueSnapshot"/>, and applies it with one UpdateService and one TagResource
/// (<c>mightyops:scaled-at</c>, which the cooldown reads).
/// </summary>
public sealed class QueueScaler
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly TimeProvider _clock;

    public QueueScaler(AwsSession aws, IOperationLog log, TimeProvider? clock = null)
    {
        _aws = aws;
        _log = log;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// The plan for <paramref name="queue"/>: <paramref name="count"/> when given (outside
    /// MinCount..MaxCount only with <paramref name="force"/>), otherwise the -Auto decision. A
    /// queue without a service is <c>QueueHasNoService</c>; a count out of policy is <c>CountOutsidePolicy</c>.
    /// </summary>
    public static QueueScalePlan Plan(QueueState queue, int? count, bool force)
    {
        ArgumentNullException.ThrowIfNull(queue);
        string name = TerminalText.Quote(queue.Queue);
        if (queue.Service is null)
        {
            throw new MightyOpsException(
                QueuesErrorIds.QueueHasNoService,
                $"No ECS service in cluster '{queue.Cluster}' works queue '{name}', so there is nothing to scale. Map one with Services.<service>.Queue = '{name}' in mighty.psd1 or the service tag {QueueSnapshot.QueueTag}={name}.",
                queue.Queue);
        }
        if (count is not { } wanted)
        {
            return new QueueScalePlan(queue, queue.Suggested.To, queue.Suggested.Reason);
        }
        if (wanted < 0)
        {
            throw new MightyOpsException(QueuesErrorIds.CountOutsidePolicy, $"A desired count cannot be negative ({wanted}).", queue.Queue);
        }
        QueuePolicy policy = queue.Policy;
        if ((wanted < policy.MinCount || wanted > policy.MaxCount) && !force)
        {
            throw new MightyOpsException(
                QueuesErrorIds.CountOutsidePolicy,
                $"{wanted} is outside the policy of queue '{name}' ({policy.MinCount} to {policy.MaxCount} tasks). Pass -Force to set it anyway, or change MinCount/MaxCount in mighty.psd1.",
                queue.Queue);
        }
        string reason = wanted < policy.MinCount || wanted > policy.MaxCount
            ? $"set by hand to {wanted} (-Force; policy {policy.MinCount} to {policy.MaxCount})"
            : $"set by hand to {wanted}";
        return new QueueScalePlan(queue, wanted, reason);
    }

    /// <summary>Sets the desired count, then records when in the service's <c>mightyops:scaled-at</c> tag.</summary>
    public async Task<MightyQueueScale> ApplyAsync(QueueScalePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        EcsService service = plan.Queue.Service ?? throw new ArgumentException("The plan has no service.", nameof(plan));
        await _aws.Ecs.UpdateServiceAsync(
            new UpdateServiceRequest { Cluster = plan.Queue.Cluster, Service = service.ServiceName, DesiredCount = plan.To },
            cancellationToken).ConfigureAwait(false);
        _log.Verbose($"Service '{service.ServiceName}' (queue '{TerminalText.Quote(plan.Queue.Queue)}'): desired count {plan.From} → {plan.To}.");
        try
        {
            await _aws.Ecs.TagResourceAsync(
                service.ServiceArn!,
                [new EcsTag { Key = QueueSnapshot.ScaledAtTag, Value = QueueSnapshot.FormatScaledAt(_clock.GetUtcNow()) }],
                cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e)
        {
            // The count is set; only the cooldown's memory is missing. Say so rather than fail the change.
            _log.Warning($"Service '{service.ServiceName}' now has desired count {plan.To}, but its {QueueSnapshot.ScaledAtTag} tag could not be written ({e.Message}); the next scale-in will not wait for the cooldown. Allow ecs:TagResource.");
        }
        return plan.ToResult(changed: true);
    }
}
