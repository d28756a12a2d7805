using MightyOps.Sandbox;

namespace MightyOps.Commands.Sandbox;

/// <summary>The <see cref="MightySandbox"/> methods, carried out on the in-process host.</summary>
internal sealed class SandboxControl(SandboxHost host) : IMightySandboxControl
{
    public IReadOnlyDictionary<string, long> RequestCounts => host.RequestCounts;

    public bool IsRunning => host.IsRunning;

    public MightySandboxImage PushImage(string repository, string tag, bool failsToStart) =>
        Image(repository, tag, host.PushImage(repository, tag, failsToStart));

    public MightySandboxImage SetImageFailsToStart(string repository, string tag, bool failsToStart) =>
        Image(repository, tag, host.SetImageFailsToStart(repository, tag, failsToStart));

    public void AdvanceTime(TimeSpan simulated) => host.AdvanceTime(simulated);

    public MightySandboxImage SetImageCrash(string repository, string tag, string crashMessage) =>
        Image(repository, tag, host.SetImageCrash(repository, tag, crashMessage));

    public MightySandboxImage SetImageFailsHealthChecks(string repository, string tag) =>
        Image(repository, tag, host.SetImageFailsHealthChecks(repository, tag));

    public void AddServiceEvent(string cluster, string service, string message) => host.AddServiceEvent(cluster, service, message);

    public void SetAlarm(string name, bool inAlarm) => host.SetAlarm(name, inAlarm);

    public void SetHookAnswer(string functionArn, string answer) => host.SetLambdaHookAnswer(functionArn, answer);

    public void SetServiceDeploymentsAvailable(bool available) => host.SetServiceDeploymentsAvailable(available);

    public IReadOnlyList<MightySandboxLogEvent> GetLogEvents(string logGroup) =>
        host.LogEvents(logGroup).Select(e => new MightySandboxLogEvent { LogStream = e.LogStream, Timestamp = e.Timestamp, Message = e.Message }).ToList();

    public bool DeleteLogGroup(string logGroup) => host.DeleteLogGroup(logGroup);

    public DateTimeOffset UtcNow => host.UtcNow;

    public IReadOnlyList<MightySandboxContainer> GetContainers(string cluster, string service) =>
        host.Containers(cluster, service).Select(Container).ToList();

    public MightySandboxContainer? GetContainer(string runtimeId) =>
        host.Container(runtimeId) is SandboxContainer container ? Container(container) : null;

    public void ResetRequestCounts() => host.ResetRequestCounts();

    public void SetFaults(double throttlingRate, double serverErrorRate, IReadOnlyList<string> only) =>
        host.Faults.SetRates(throttlingRate, serverErrorRate, only);

    public void SetLatency(TimeSpan latency, IReadOnlyList<string> only) => host.Faults.SetLatency(latency, only);

    public IReadOnlyDictionary<string, long> FaultCounts => host.Faults.InjectedCounts;

    public int RequestsInProgress => host.RequestsInProgress;

    private MightySandboxImage Image(string repository, string tag, SandboxImage image) => new()
    {
        Repository = repository,
        Tag = tag,
        Digest = image.Digest,
        ImageUri = host.World.Image(repository, tag).ToString(),
        FailsToStart = image.FailsToStart,
    };

    private static MightySandboxContainer Container(SandboxContainer container) => new()
    {
        RuntimeId = container.RuntimeId,
        Name = container.Name,
        Cluster = container.Cluster,
        Service = container.Service,
        TaskArn = container.TaskArn,
        TaskDefinitionArn = container.TaskDefinitionArn,
        Image = container.Image,
        LastStatus = container.LastStatus,
        ExitCode = container.ExitCode,
        Environment = container.Environment,
    };
}
