namespace MightyOps;

/// <summary>
/// A running local AWS endpoint (Start-MightySandbox). Point any AWS client at
/// <see cref="Endpoint"/> with the test credentials, or let Start-MightySandbox set the process
/// environment so MightyOps and the AWS CLI use it without flags.
/// </summary>
/// <remarks>
/// Its methods drive the sandbox the way the outside world would, so a test or a runbook needs no
/// hand-written HTTP calls: <see cref="PushImage(string, string)"/> is CI pushing a build,
/// <see cref="SetImageFailsToStart(string, string, bool)"/> makes a build crash on boot,
/// <see cref="AdvanceTime"/> moves simulated time, <see cref="GetContainers"/> shows what each
/// container process really sees (its environment).
/// </remarks>
public sealed class MightySandbox
{
    private readonly IMightySandboxControl _control;

    /// <summary>Created by Start-MightySandbox over the running host.</summary>
    public MightySandbox(IMightySandboxControl control)
    {
        _control = control;
    }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:4566</c>.</summary>
    public string Endpoint { get; init; } = string.Empty;

    public int Port { get; init; }

    public string Region { get; init; } = string.Empty;

    public string AccessKeyId { get; init; } = string.Empty;

    public string SecretAccessKey { get; init; } = string.Empty;

    /// <summary>The 12-digit account id the sandbox puts in ARNs.</summary>
    public string AccountId { get; init; } = string.Empty;

    /// <summary>The seed it started with (<c>demo</c> or <c>empty</c>).</summary>
    public string Seed { get; init; } = string.Empty;

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; }

    /// <summary>Requests served so far, per <c>Service.Operation</c> (e.g. <c>ecs.DescribeServices</c>).</summary>
    public IReadOnlyDictionary<string, long> RequestCounts => PrintableDictionary<long>.From(_control.RequestCounts)!;

    /// <summary>True while the sandbox is serving.</summary>
    public bool IsRunning => _control.IsRunning;

    /// <summary>Pushes a new build of <paramref name="repository"/> tagged <paramref name="tag"/>, as CI does after a release tag.</summary>
    public MightySandboxImage PushImage(string repository, string tag) => _control.PushImage(repository, tag, failsToStart: false);

    /// <summary>Pushes a build that crashes on boot when <paramref name="failsToStart"/> (its containers exit 1).</summary>
    public MightySandboxImage PushImage(string repository, string tag, bool failsToStart) => _control.PushImage(repository, tag, failsToStart);

    /// <summary>Makes an existing image crash on boot.</summary>
    public MightySandboxImage SetImageFailsToStart(string repository, string tag) => _control.SetImageFailsToStart(repository, tag, failsToStart: true);

    /// <summary>Makes an existing image crash on boot, or start normally again.</summary>
    public MightySandboxImage SetImageFailsToStart(string repository, string tag, bool failsToStart) => _control.SetImageFailsToStart(repository, tag, failsToStart);

    /// <summary>
    /// Makes an existing image's containers answer a load balancer's health checks with HTTP 502:
    /// they start, the target group finds them unhealthy (Target.ResponseCodeMismatch), ECS stops
    /// them and its circuit breaker counts them as failed.
    /// </summary>
    public MightySandboxImage SetImageFailsHealthChecks(string repository, string tag) => _control.SetImageFailsHealthChecks(repository, tag);

    /// <summary>
    /// Makes an existing image crash on boot with <paramref name="crashMessage"/>: its containers
    /// print that exception and a Ruby backtrace to their awslogs stream, then exit 1.
    /// </summary>
    public MightySandboxImage SetImageCrash(string repository, string tag, string crashMessage) => _control.SetImageCrash(repository, tag, crashMessage);

    /// <summary>
    /// Adds an event to a service's event log, now, as ECS writes one: what Get-MightyServiceEvent
    /// and a deploy's watch then report (a test plants an endpoint's hostile text this way).
    /// </summary>
    public void AddServiceEvent(string cluster, string service, string message) => _control.AddServiceEvent(cluster, service, message);

    /// <summary>Puts a CloudWatch alarm into ALARM (<paramref name="inAlarm"/>) or back to OK: a deployment whose configuration names it fails, and rolls back when its alarms say so.</summary>
    public void SetAlarm(string name, bool inAlarm) => _control.SetAlarm(name, inAlarm);

    /// <summary>What a Lambda lifecycle hook answers from now on: IN_PROGRESS holds the deployment at its stage, SUCCEEDED lets it go on, FAILED rolls it back.</summary>
    public void SetHookAnswer(string functionArn, string answer) => _control.SetHookAnswer(functionArn, answer);

    /// <summary>Makes the service-deployment operations answer (true) or say UnsupportedFeatureException, as in a region without them (false).</summary>
    public void SetServiceDeploymentsAvailable(bool available) => _control.SetServiceDeploymentsAvailable(available);

    /// <summary>Every event of a CloudWatch Logs group as the sandbox stores it, oldest first (empty when there is no such group).</summary>
    public MightySandboxLogEvent[] GetLogEvents(string logGroup) => _control.GetLogEvents(logGroup).ToArray();

    /// <summary>Deletes a CloudWatch Logs group; false when there was none.</summary>
    public bool DeleteLogGroup(string logGroup) => _control.DeleteLogGroup(logGroup);

    /// <summary>Now, in the sandbox's simulated time (what its timestamps are relative to).</summary>
    public DateTimeOffset UtcNow => _control.UtcNow;

    /// <summary>Moves simulated time forward (deployments, task starts and events follow it).</summary>
    public void AdvanceTime(TimeSpan simulated) => _control.AdvanceTime(simulated);

    /// <summary>The containers of a service's tasks (stopped ones included while ECS still lists them), oldest task first.</summary>
    public MightySandboxContainer[] GetContainers(string cluster, string service) => _control.GetContainers(cluster, service).ToArray();

    /// <summary>The container with this Docker id (DescribeTasks <c>runtimeId</c>), or null.</summary>
    public MightySandboxContainer? GetContainer(string runtimeId) => _control.GetContainer(runtimeId);

    /// <summary>Starts <see cref="RequestCounts"/> and <see cref="FaultCounts"/> again from zero.</summary>
    public void ResetRequestCounts() => _control.ResetRequestCounts();

    /// <summary>Sets the share (0 to 1) of all AWS requests answered with throttling and with server errors.</summary>
    public void SetFaults(double throttlingRate, double serverErrorRate) => _control.SetFaults(throttlingRate, serverErrorRate, []);

    /// <summary>
    /// Sets the share (0 to 1) of AWS requests answered with throttling and with server errors: of
    /// every request, or only of the services and operations in <paramref name="only"/>
    /// (<c>'s3'</c>, <c>'ecs.UpdateService'</c>). Throttling takes each protocol's shape: ECS
    /// ThrottlingException, EC2 RequestLimitExceeded, S3 503 SlowDown.
    /// </summary>
    public void SetFaults(double throttlingRate, double serverErrorRate, params string[] only) => _control.SetFaults(throttlingRate, serverErrorRate, only ?? []);

    /// <summary>
    /// Holds every AWS request (or those of <paramref name="only"/>) back this long before it is
    /// handled; a client that stops waiting does not stop the request. Lowering it lets held
    /// requests through at once.
    /// </summary>
    public void SetLatency(TimeSpan latency, params string[] only) => _control.SetLatency(latency, only ?? []);

    /// <summary>Faults injected since the last <see cref="ResetRequestCounts"/>, per <c>Service.Operation</c>.</summary>
    public IReadOnlyDictionary<string, long> FaultCounts => PrintableDictionary<long>.From(_control.FaultCounts)!;

    /// <summary>AWS requests received and not yet answered (held back by latency, or being handled).</summary>
    public int RequestsInProgress => _control.RequestsInProgress;

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine(Endpoint);
}

/// <summary>What a <see cref="MightySandbox"/> needs from the host behind it (implemented by the module).</summary>
public interface IMightySandboxControl
{
    IReadOnlyDictionary<string, long> RequestCounts { get; }

    bool IsRunning { get; }

    MightySandboxImage PushImage(string repository, string tag, bool failsToStart);

    MightySandboxImage SetImageFailsToStart(string repository, string tag, bool failsToStart);

    void AdvanceTime(TimeSpan simulated);

    MightySandboxImage SetImageCrash(string repository, string tag, string crashMessage);

    MightySandboxImage SetImageFailsHealthChecks(string repository, string tag);

    void AddServiceEvent(string cluster, string service, string message);

    void SetAlarm(string name, bool inAlarm);

    void SetHookAnswer(string functionArn, string answer);

    void SetServiceDeploymentsAvailable(bool available);

    IReadOnlyList<MightySandboxLogEvent> GetLogEvents(string logGroup);

    bool DeleteLogGroup(string logGroup);

    DateTimeOffset UtcNow { get; }

    IReadOnlyList<MightySandboxContainer> GetContainers(string cluster, string service);

    MightySandboxContainer? GetContainer(string runtimeId);

    void ResetRequestCounts();

    void SetFaults(double throttlingRate, double serverErrorRate, IReadOnlyList<string> only);

    void SetLatency(TimeSpan latency, IReadOnlyList<string> only);

    IReadOnlyDictionary<string, long> FaultCounts { get; }

    int RequestsInProgress { get; }
}

/// <summary>One stored CloudWatch Logs event of the sandbox.</summary>
public sealed class MightySandboxLogEvent
{
    public string LogStream { get; init; } = string.Empty;

    public DateTimeOffset Timestamp { get; init; }

    public string Message { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => TerminalText.Visible(Message);
}

/// <summary>An image in the sandbox's ECR registry.</summary>
public sealed class MightySandboxImage
{
    public string Repository { get; init; } = string.Empty;

    public string Tag { get; init; } = string.Empty;

    /// <summary><c>sha256:</c> and 64 hex digits.</summary>
    public string Digest { get; init; } = string.Empty;

    /// <summary>The full URI a task definition uses: <c>{account}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}</c>.</summary>
    public string ImageUri { get; init; } = string.Empty;

    /// <summary>True when containers of this image crash on boot.</summary>
    public bool FailsToStart { get; init; }

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine(ImageUri);
}

/// <summary>One container of a sandbox task, as the host sees it (what <c>docker inspect</c> would say).</summary>
public sealed class MightySandboxContainer
{
    /// <summary>The Docker container id (DescribeTasks <c>runtimeId</c>); empty before the container is created.</summary>
    public string RuntimeId { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public string Cluster { get; init; } = string.Empty;

    public string Service { get; init; } = string.Empty;

    public string TaskArn { get; init; } = string.Empty;

    /// <summary>The task definition ARN the task was started from.</summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    public string Image { get; init; } = string.Empty;

    /// <summary>PENDING, RUNNING or STOPPED.</summary>
    public string LastStatus { get; init; } = string.Empty;

    public int? ExitCode { get; init; }

    private readonly PrintableDictionary<string> _environment = PrintableDictionary<string>.Empty;

    /// <summary>The environment the process sees: environment files from S3, then the task definition's environment on top (as text: <c>NAME=value; …</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get => _environment; init => _environment = PrintableDictionary<string>.From(value) ?? PrintableDictionary<string>.Empty; }

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Name} {LastStatus} {RuntimeId}");
}
