using System.Globalization;
using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Logs;

namespace MightyOps.Commands.Logs;

/// <summary>
/// Gets the output of a service's containers (or of some of its tasks) from CloudWatch Logs, where
/// the awslogs driver sends it; merged in time order, and with -Follow, kept coming until Ctrl+C.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MightyLog")]
[OutputType(typeof(MightyLogEvent))]
public sealed class GetMightyLogCommand : AwsCmdlet
{
    /// <summary>How often -Follow asks for new events.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan DefaultSince = TimeSpan.FromMinutes(10);

    // (cluster, service) -> the task ids asked for; null means the whole service.
    private readonly Dictionary<(string Cluster, string Service), HashSet<string>?> _targets = [];

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>Only this container's output; every awslogs container of the service when omitted.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

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

    protected override void ProcessRecord()
    {
        if (Service is null)
        {
            WriteMightyError(new MightyOpsException("ServiceNotGiven", MightyErrorKind.InvalidArgument,
                "Name the service whose logs to read (-Service), or pipe Get-MightyService or Get-MightyTask output.", TaskId));
            return;
        }
        string cluster = Cluster ?? DefaultCluster;
        string service = Service;
        // A service ARN names its cluster.
        if (Core.Aws.Ecs.EcsArn.TryParse(service, out Core.Aws.Ecs.EcsArn arn) && arn.ResourceType == "service")
        {
            (cluster, service) = (arn.Cluster ?? cluster, arn.Name);
        }
        (string, string) key = (cluster, service);
        if (TaskId is null)
        {
            _targets[key] = null;
            return;
        }
        if (!_targets.TryGetValue(key, out HashSet<string>? ids))
        {
            _targets[key] = ids = new HashSet<string>(StringComparer.Ordinal);
        }
        ids?.UnionWith(TaskId.Select(t => t[(t.LastIndexOf('/') + 1)..]));
    }

    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
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
        var targets = _targets.Select(t => new LogTarget(t.Key.Cluster, t.Key.Service, t.Value?.ToList())).ToList();
        var reader = new LogReader(Aws, Log);
        void OnError(MightyOpsException e) => Post(() => WriteMightyError(e));
        LogPlan plan = Run(ct => reader.PlanAsync(targets, Container, OnError, ct));
        if (plan.IsEmpty)
        {
            return;
        }
        if (Follow)
        {
            RunEach(ct => reader.FollowAsync(plan, window, PollInterval, OnError, ct), WriteObject);
        }
        else
        {
            foreach (MightyLogEvent e in Run(ct => reader.ReadAsync(plan, window, OnError, ct)))
            {
                WriteObject(e);
            }
        }
    }

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
            _ => throw new MightyOpsException("SinceInvalid", MightyErrorKind.InvalidArgument,
                $"-Since takes a point in time ([datetime]'2026-11-30 14:00') or how long ago ([timespan]'00:30:00', (New-TimeSpan -Hours 2)); '{value}' is neither.", value),
        };
    }
}
