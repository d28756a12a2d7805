namespace MightyOps;

/// <summary>
/// One ECS service as Get-MightyService reports it: a snapshot. Piped into another cmdlet it names
/// the service (<see cref="Cluster"/>, <see cref="Service"/>, <see cref="Region"/> bind by property
/// name, in MightyOps and in AWS.Tools.ECS) and nothing else: the counts and the task definition
/// carry names that no Update-ECSService or MightyOps parameter takes, so piping a snapshot never
/// writes back a desired count or a task definition that may have changed since it was read.
/// docs/design/aws-tools-pipeline.md has the parameter-by-parameter table.
/// </summary>
public sealed class MightyService
{
    /// <summary>The cluster's short name.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>The service's short name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The service ARN.</summary>
    public string ServiceArn { get; init; } = string.Empty;

    /// <summary>The region the service lives in.</summary>
    public string Region { get; init; } = string.Empty;

    /// <summary>ACTIVE, DRAINING or INACTIVE.</summary>
    public string Status { get; init; } = string.Empty;

    /// <summary>
    /// The service's desired count (ECS <c>desiredCount</c>). Not named DesiredCount on purpose:
    /// Update-ECSService would bind that from the pipeline and undo a scale made since this read.
    /// </summary>
    public int DesiredTasks { get; init; }

    /// <summary>Tasks running (ECS <c>runningCount</c>, the sum over the deployments).</summary>
    public int RunningTasks { get; init; }

    /// <summary>Tasks starting (ECS <c>pendingCount</c>).</summary>
    public int PendingTasks { get; init; }

    /// <summary>
    /// The PRIMARY deployment's task definition ARN. Not named TaskDefinition on purpose: a
    /// snapshot piped into Update-ECSService must not redeploy the revision it saw.
    /// </summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    /// <summary><c>family:revision</c> of <see cref="TaskDefinitionArn"/>, e.g. <c>WEB:12</c>.</summary>
    public string TaskDefinitionName => MightyServiceDeployment.ShortTaskDefinition(TaskDefinitionArn);

    /// <summary>The revision number of <see cref="TaskDefinitionArn"/>; 0 when it has none.</summary>
    public int Revision => MightyServiceDeployment.RevisionOf(TaskDefinitionArn);

    private readonly PrintableDictionary<string>? _images;

    /// <summary>
    /// Container name to image, from the service's task definition. Filled when Get-MightyService
    /// is asked for images (-IncludeImages); null when they were not looked up.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Images { get => _images; init => _images = PrintableDictionary<string>.From(value); }

    private readonly PrintableList<MightyServiceDeployment> _deployments = PrintableList<MightyServiceDeployment>.Empty;

    /// <summary>The service's deployments, PRIMARY first.</summary>
    public IReadOnlyList<MightyServiceDeployment> Deployments { get => _deployments; init => _deployments = PrintableList<MightyServiceDeployment>.From(value) ?? PrintableList<MightyServiceDeployment>.Empty; }

    /// <summary>The newest service event, or null when the service has none.</summary>
    public MightyServiceEvent? LastEvent { get; init; }

    /// <summary>EC2, FARGATE, EXTERNAL, or empty for capacity-provider services.</summary>
    public string LaunchType { get; init; } = string.Empty;

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED), or empty.</summary>
    public string RolloutState => Deployments.Count > 0 ? Deployments[0].RolloutState : string.Empty;

    /// <inheritdoc />
    public override string ToString() => TerminalText.VisibleLine($"{Cluster}/{Service}");
}

/// <summary>
/// One deployment of a service (ECS rolling deployment controller), as <see cref="MightyService.Deployments"/>
/// lists them. Its counts and revision carry the names <see cref="MightyService"/> uses, so that
/// <c>$service.Deployments | Update-ECSService -Service WEB</c> cannot write them back.
/// </summary>
public sealed class MightyServiceDeployment
{
    /// <summary>The deployment id, e.g. <c>ecs-svc/7419115625193919142</c>.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>PRIMARY, ACTIVE or INACTIVE.</summary>
    public string Status { get; init; } = string.Empty;

    /// <summary>The task definition ARN the deployment runs.</summary>
    public string TaskDefinitionArn { get; init; } = string.Empty;

    /// <summary><c>family:revision</c> of <see cref="TaskDefinitionArn"/>.</summary>
    public string TaskDefinitionName => ShortTaskDefinition(TaskDefinitionArn);

    /// <summary>The deployment's desired count (ECS <c>desiredCount</c>).</summary>
    public int DesiredTasks { get; init; }

    /// <summary>Tasks of the deployment starting (ECS <c>pendingCount</c>).</summary>
    public int PendingTasks { get; init; }

    /// <summary>Tasks of the deployment running (ECS <c>runningCount</c>).</summary>
    public int RunningTasks { get; init; }

    public int FailedTasks { get; init; }

    /// <summary>IN_PROGRESS, COMPLETED or FAILED; empty when ECS does not report one.</summary>
    public string RolloutState { get; init; } = string.Empty;

    public string RolloutStateReason { get; init; } = string.Empty;

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        TerminalText.VisibleLine($"{Status} {ShortTaskDefinition(TaskDefinitionArn)} {RunningTasks}/{DesiredTasks} {RolloutState}".TrimEnd());

    /// <summary><c>family:revision</c> from a task definition ARN (or the input when it is not an ARN).</summary>
    public static string ShortTaskDefinition(string taskDefinition)
    {
        int slash = taskDefinition.LastIndexOf('/');
        return slash >= 0 ? taskDefinition[(slash + 1)..] : taskDefinition;
    }

    /// <summary>The revision of a task definition ARN or <c>family:revision</c>; 0 when it names none.</summary>
    public static int RevisionOf(string taskDefinition)
    {
        string name = ShortTaskDefinition(taskDefinition);
        int colon = name.LastIndexOf(':');
        return colon >= 0 && int.TryParse(name.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int revision)
            ? revision
            : 0;
    }
}

/// <summary>One entry of a service's event log.</summary>
public sealed class MightyServiceEvent
{
    public string Cluster { get; init; } = string.Empty;

    public string Service { get; init; } = string.Empty;

    public string Id { get; init; } = string.Empty;

    public DateTimeOffset CreatedAt { get; init; }

    public string Message { get; init; } = string.Empty;

    /// <summary>The local time as PowerShell shows a DateTime, then the message (made visible: <see cref="TerminalText"/>).</summary>
    public override string ToString() => TerminalText.Visible($"{CreatedAt.LocalDateTime} {Message}");
}
