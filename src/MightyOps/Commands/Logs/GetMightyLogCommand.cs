using System.Globalization;
using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Logs;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Logs;

/// <summary>
/// Gets the output of a service's containers (or of some of its tasks) from CloudWatch Logs, where
/// the awslogs driver sends it; merged in time order, and with -Follow, kept coming until Ctrl+C.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MightyLog")]
[OutputType(typeof(MightyLogEvent))]
[OutputType(typeof(string))]
public sealed class GetMightyLogCommand : ClusterCmdlet
{
    /// <summary>How often -Follow asks for new events.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan DefaultSince = TimeSpan.FromMinutes(10);

    private ServiceTargetResolver? _targets;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Only this container's output; every awslogs container of the service when omitted.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary>Only these tasks (ids or task ARNs).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TaskArn")]
    [ValidateNotNullOrEmpty]
    public string[]? TaskId { get; set; }

    /// <summary>A point in time (DateTime) or how long ago (TimeSpan); 10 minutes when omitted.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Since { get; set; }

    [Parameter]
    [ValidateRange(1, 10000)]
    public int Tail { get; set; }

    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>A CloudWatch Logs filter pattern, e.g. <c>ERROR</c> or <c>"Completed 500"</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>
    /// Each line's exact text as a string instead of an event object: control characters and all,
    /// for a file or a program. Printed to a terminal, the terminal obeys them
    /// (docs/design/terminal-safety.md).
    /// </summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _targets = new ServiceTargetResolver(Aws, Log, TargetingMode.Read, DefaultCluster);
    }

    protected override void ProcessRecord()
    {
        if (Service is null || Service.Length == 0)
        {
            WriteMightyError(new MightyOpsException(LogsErrorIds.ServiceNotGiven,
                "Name the service whose logs to read (-Service), or pipe Get-MightyService or Get-MightyTask output.", TaskId));
            return;
        }
        // With -TaskId the services must be exact: the resolver narrows them to those tasks.
        foreach (MightyOpsException error in _targets!.Add(Cluster, Service, TaskId))
        {
            WriteMightyError(error);
        }
    }

    protected override void EndProcessing()
    {
        if (_targets!.IsEmpty)
        {
            return;
        }
        LogWindow window;
        try
        {
            window = new LogWindow(SinceTime(), Since is not null, Tail > 0 ? Tail : null, Filter);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }
        var targets = new List<LogTarget>();
        void OnError(MightyOpsException e) => Post(() => WriteMightyError(e));
        Run(async ct =>
        {
            await foreach (ClusterTargets group in _targets.ResolveAsync(OnError, ct).ConfigureAwait(false))
            {
                targets.AddRange(group.Services.Select(service => new LogTarget(group.Cluster, service.Service, service.TaskIds)));
            }
        });
        if (targets.Count == 0)
        {
            return;
        }
        var reader = new LogReader(Aws, Log);
        LogPlan plan = Run(ct => reader.PlanAsync(targets, Container, OnError, ct));
        if (plan.IsEmpty)
        {
            return;
        }
        if (Follow)
        {
            RunEach(ct => reader.FollowAsync(plan, window, PollInterval, OnError, ct), WriteEvent);
        }
        else
        {
            foreach (MightyLogEvent e in Run(ct => reader.ReadAsync(plan, window, OnError, ct)))
            {
                WriteEvent(e);
            }
        }
    }

    private void WriteEvent(MightyLogEvent e) => WriteObject(Raw ? e.Message : e);

    private DateTimeOffset SinceTime()
    {
        object? value = Since is PSObject ps ? ps.BaseObject : Since;
        return value switch
        {
            null => DateTimeOffset.UtcNow - DefaultSince,
            TimeSpan ago when ago > TimeSpan.Zero => DateTimeOffset.UtcNow - ago,
            DateTime at => at.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(at.ToUniversalTime()) : new DateTimeOffset(at),
            DateTimeOffset at => at,
            string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan ago) && ago > TimeSpan.Zero => DateTimeOffset.UtcNow - ago,
            string text when DateTimeOffset.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out DateTimeOffset at) => at,
            int minutes when minutes > 0 => DateTimeOffset.UtcNow - TimeSpan.FromMinutes(minutes),
            _ => throw new MightyOpsException(LogsErrorIds.SinceInvalid,
                $"-Since takes a point in time ([datetime]'2026-11-30 14:00') or how long ago ([timespan]'00:30:00', (New-TimeSpan -Hours 2)); '{value}' is neither.", value),
        };
    }
}
