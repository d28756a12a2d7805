using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using MightyOps.Core.Exec;
using MightyOps.Core.Targeting;

namespace MightyOps.Core.Tasks;

/// <summary>What to run as a one-off task of a service.</summary>
/// <param name="Cluster">The cluster's short name.</param>
/// <param name="Service">The service whose revision, network and placement the task takes.</param>
/// <param name="Container">The container the command runs in; may be left out when the definition has one.</param>
/// <param name="Command">The command.</param>
/// <param name="TaskDefinition">A revision instead of the live one: an ARN, <c>family:revision</c>, or a revision number of the live family.</param>
/// <param name="Render">With images (-Tag/-Image): the revision rendered exactly as a deploy renders it, registered but deployed nowhere.</param>
/// <param name="Environment">Variables set on top of the container's own.</param>
/// <param name="Count">How many tasks (1 to 10).</param>
public sealed record TaskRunSpec(
    string Cluster,
    string Service,
    string? Container,
    TaskCommand Command,
    string? TaskDefinition = null,
    DeployOptions? Render = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    int Count = 1);

/// <summary>A one-off task worked out before anything is changed: where it runs, what it runs, and the RunTask request.</summary>
public sealed class TaskRunPlan
{
    internal TaskRunPlan(TaskRunSpec spec, string container, string taskDefinition, ServicePlan? toRegister, RunTaskRequest request)
    {
        Spec = spec;
        Container = container;
        TaskDefinitionArn = taskDefinition;
        ToRegister = toRegister;
        Request = request;
    }

    public TaskRunSpec Spec { get; }

    /// <summary>The container the command runs in.</summary>
    public string Container { get; }

    /// <summary>The revision the task runs; for a rendered one that still has to be registered, the live revision it is rendered from.</summary>
    public string TaskDefinitionArn { get; }

    /// <summary>The rendered revision to register first (docs/design/deploy.md), or null.</summary>
    public ServicePlan? ToRegister { get; }

    internal RunTaskRequest Request { get; }

    /// <summary>What would run, in one line, for -WhatIf and the progress display (environment names, never values).</summary>
    public string Describe()
    {
        string revision = ToRegister is null
            ? MightyServiceDeployment.ShortTaskDefinition(TaskDefinitionArn)
            : ToRegister.ExistingRevision is string existing
                ? $"{MightyServiceDeployment.ShortTaskDefinition(existing)} (registered before, rendered from {MightyServiceDeployment.ShortTaskDefinition(TaskDefinitionArn)})"
                : $"a new revision of {Family(TaskDefinitionArn)} rendered from {MightyServiceDeployment.ShortTaskDefinition(TaskDefinitionArn)} ({string.Join(", ", ToRegister.Images.Select(i => $"{i.Key}={ShortImage(i.Value)}"))})";
        string count = Spec.Count == 1 ? "a one-off task" : $"{Spec.Count} one-off tasks";
        string environment = Spec.Environment is { Count: > 0 } variables ? $" with {string.Join(", ", variables.Keys.Order(StringComparer.Ordinal))} set" : string.Empty;
        return $"Run '{Spec.Command.Text}' in container '{Container}' of {revision}, as {count} of service {Spec.Service} (cluster {Spec.Cluster}){environment}";
    }

    private static string Family(string arn) => MightyServiceDeployment.ShortTaskDefinition(arn).Split(':')[0];

    private static string ShortImage(string image) => ImageReference.TryParse(image, out ImageReference parsed) ? $"{parsed.Repository}:{parsed.TagOrDigest}" : image;
}

/// <summary>What RunTask gave: the tasks started (PROVISIONING or PENDING), and one run per task it could not place, with the error to report.</summary>
public sealed record TaskRunStart(IReadOnlyList<MightyTaskRun> Started, IReadOnlyList<(MightyTaskRun Run, MightyOpsException Error)> NotPlaced);

/// <summary>
/// Starts one-off tasks of a service (docs/design/one-off-tasks.md): the service's live revision,
/// another one named, or one rendered for new images exactly as a deploy renders it; with the
/// service's launch type or capacity provider strategy, network configuration, placement and
/// tags, <c>startedBy</c> <c>mightyops</c>, and the command as the container's command override.
/// </summary>
public sealed class TaskRunner(AwsSession aws, IOperationLog log)
{
    /// <summary>The <c>startedBy</c> of every task MightyOps starts (ListTasks filters on it).</summary>
    public const string StartedBy = "mightyops";

    /// <summary>The tag that names the service a one-off task was started for (a standalone task belongs to no service).</summary>
    public const string ServiceTag = "mightyops:service";

    /// <summary>The most characters RunTask's overrides may take, as JSON.</summary>
    public const int MaxOverridesLength = 8192;

    /// <summary>Reads the service and the revision, chooses the container and builds the request. Nothing is changed.</summary>
    public async Task<TaskRunPlan> PlanAsync(TaskRunSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync(spec.Cluster, [spec.Service], includeTags: true, cancellationToken).ConfigureAwait(false);
        EcsService service = described.Services?.FirstOrDefault(s => s.ServiceName == spec.Service)
            ?? throw new MightyOpsException(AwsErrorIds.ServiceNotFound,
                $"Service '{spec.Service}' was not found in cluster '{spec.Cluster}' ({aws.Region}). Run Get-MightyService -Cluster {spec.Cluster} to see the services there.", spec.Service);

        ServicePlan? toRegister = null;
        EcsTaskDefinition definition;
        if (spec.Render is DeployOptions render)
        {
            var errors = new List<MightyOpsException>();
            IReadOnlyList<ServicePlan> plans = await new DeployPlanner(aws, log).PlanAsync(spec.Cluster, [spec.Service], render, errors.Add, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0 || plans.Count == 0)
            {
                throw errors.FirstOrDefault() ?? new MightyOpsException(AwsErrorIds.ServiceNotFound, $"Service '{spec.Service}' could not be read in cluster '{spec.Cluster}'.", spec.Service);
            }
            ServicePlan plan = plans[0];
            definition = plan.Live;
            toRegister = plan.Unchanged ? null : plan;
        }
        else
        {
            string reference = RevisionReference(spec.TaskDefinition, service.TaskDefinition ?? string.Empty);
            definition = (await aws.Ecs.DescribeTaskDefinitionAsync(reference, includeTags: false, cancellationToken).ConfigureAwait(false)).TaskDefinition!;
        }

        string container = ChooseContainer(spec, definition);
        RunTaskRequest request = Request(spec, service, definition, container);
        return new TaskRunPlan(spec, container, definition.TaskDefinitionArn ?? string.Empty, toRegister, request);
    }

    /// <summary>
    /// Registers the rendered revision when there is one (its env file first), then RunTask. Tasks
    /// RunTask could not place come back as runs that never started, each with its
    /// <c>TaskStartFailed</c> error.
    /// </summary>
    public async Task<TaskRunStart> StartAsync(TaskRunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string taskDefinition = plan.TaskDefinitionArn;
        if (plan.ToRegister is ServicePlan rendered)
        {
            taskDefinition = await new DeployPlanner(aws, log).RegisterAsync(rendered, cancellationToken).ConfigureAwait(false);
            log.Verbose($"{plan.Spec.Service}: the one-off task runs {MightyServiceDeployment.ShortTaskDefinition(taskDefinition)}, registered for it and deployed nowhere.");
        }
        plan.Request.TaskDefinition = taskDefinition;
        RunTaskResponse response = await aws.Ecs.RunTaskAsync(plan.Request, cancellationToken).ConfigureAwait(false);
        var started = (response.Tasks ?? []).Select(t => TaskRunState.ToRun(t, plan.Spec.Cluster, plan.Spec.Service, plan.Container, plan.Spec.Command.Text, [])).ToList();
        var notPlaced = (response.Failures ?? []).Select(f => NotPlaced(plan, taskDefinition, f)).ToList();
        return new TaskRunStart(started, notPlaced);
    }

    /// <summary>
    /// The tasks <paramref name="targets"/> names, described (with their tags, 100 per call) as
    /// runs: each labelled with the service and container <paramref name="labels"/> gives for its
    /// id (a piped run's), else the service it was started for and the container its command
    /// override names. An id ECS does not know is <c>TaskNotFound</c> for <paramref name="onNotFound"/>.
    /// </summary>
    public async Task<IReadOnlyList<MightyTaskRun>> DescribeAsync(TaskTargets targets, Func<string, (string? Service, string? Container)> labels, Action<MightyOpsException> onNotFound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(onNotFound);
        IReadOnlyList<string> ids = targets.TaskIds ?? [];
        if (ids.Count == 0)
        {
            return [];
        }
        DescribeTasksResponse described = await aws.Ecs.DescribeTasksAsync(targets.Cluster, ids, includeTags: true, cancellationToken).ConfigureAwait(false);
        foreach (EcsFailure failure in described.Failures ?? [])
        {
            string id = EcsArn.LastSegment(failure.Arn ?? string.Empty);
            onNotFound(new MightyOpsException(ExecErrorIds.TaskNotFound,
                $"Task '{id}' was not found in cluster '{targets.Cluster}' ({aws.Region}); stopped tasks are kept about an hour. Run Get-MightyTask -Cluster {targets.Cluster} to see its tasks.", id));
        }
        return (described.Tasks ?? [])
            .Where(t => targets.Services is not { Count: > 0 } filter || filter.Contains(TaskLocator.ServiceOf(t), StringComparer.Ordinal))
            .Select(t =>
            {
                (string? service, string? container) = labels(EcsArn.LastSegment(t.TaskArn ?? string.Empty));
                return TaskRunState.ToRun(t, targets.Cluster, service ?? TaskLocator.ServiceOf(t), container, string.Empty, []);
            })
            .ToList();
    }

    /// <summary>StopTask for a task that has not stopped yet; the run as ECS answers (desired STOPPED).</summary>
    public async Task<MightyTaskRun> StopAsync(MightyTaskRun run, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        StopTaskResponse stopped = await aws.Ecs.StopTaskAsync(run.Cluster, run.TaskArn, reason, cancellationToken).ConfigureAwait(false);
        return stopped.Task is EcsTask task ? TaskRunState.ToRun(task, run.Cluster, run.Service, run.Container, run.Command, run.LastLogLines) : run;
    }

    /// <summary>The revisions of the live family of <paramref name="service"/>, newest first (-TaskDefinition's completion).</summary>
    public static async Task<IReadOnlyList<string>> RevisionNamesAsync(AwsSession aws, string cluster, string service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aws);
        DescribeServicesResponse described = await aws.Ecs.DescribeServicesAsync(cluster, [service], cancellationToken).ConfigureAwait(false);
        if (described.Services?.FirstOrDefault()?.TaskDefinition is not string live)
        {
            return [];
        }
        IReadOnlyList<string> arns = await aws.Ecs.ListNewestRevisionsAsync(MightyServiceDeployment.ShortTaskDefinition(live).Split(':')[0], 20, cancellationToken).ConfigureAwait(false);
        return arns.Select(MightyServiceDeployment.ShortTaskDefinition).ToList();
    }

    /// <summary>A revision named as an ARN or <c>family:revision</c> as it is; a bare number is that revision of the live definition's family.</summary>
    internal static string RevisionReference(string? requested, string live)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return live;
        }
        string text = requested.Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int revision)
            ? $"{MightyServiceDeployment.ShortTaskDefinition(live).Split(':')[0]}:{revision}"
            : text;
    }

    private static string ChooseContainer(TaskRunSpec spec, EcsTaskDefinition definition)
    {
        List<string> names = (definition.ContainerDefinitions ?? []).Select(c => c.Name).OfType<string>().ToList();
        string revision = MightyServiceDeployment.ShortTaskDefinition(definition.TaskDefinitionArn ?? string.Empty);
        if (spec.Container is string named)
        {
            return names.Contains(named, StringComparer.Ordinal)
                ? named
                : throw new MightyOpsException(TargetingErrorIds.ContainerNotFound,
                    $"{revision} of service '{spec.Service}' has no container '{named}'. Its containers: {string.Join(", ", names)}.", named);
        }
        return names.Count == 1
            ? names[0]
            : throw new MightyOpsException(TargetingErrorIds.ContainerNameRequired,
                $"{revision} of service '{spec.Service}' has {names.Count} containers; name the one to run the command in with -Container: {string.Join(", ", names)}.", spec.Service);
    }

    /// <summary>The RunTask request: the service's way of running tasks, the command as the container's override.</summary>
    internal static RunTaskRequest Request(TaskRunSpec spec, EcsService service, EcsTaskDefinition definition, string container)
    {
        var overrides = new EcsTaskOverride
        {
            ContainerOverrides =
            [
                new EcsContainerOverride
                {
                    Name = container,
                    Command = [.. spec.Command.Words],
                    Environment = spec.Environment is { Count: > 0 } variables
                        ? variables.Select(v => new EcsKeyValuePair { Name = v.Key, Value = v.Value }).ToList()
                        : null,
                },
            ],
        };
        int length = JsonSerializer.Serialize(overrides, AwsJson.Options).Length;
        if (length > MaxOverridesLength)
        {
            throw new MightyOpsException(TasksErrorIds.TaskCommandInvalid,
                $"The command and its environment take {length} characters as RunTask overrides, and ECS takes at most {MaxOverridesLength}. Put the script in the image, or pass a file name instead of its content.", spec.Command.Text);
        }
        bool awsvpc = definition.NetworkMode == "awsvpc";
        bool strategy = service.CapacityProviderStrategy is { Count: > 0 };
        var tags = new List<EcsTag> { new() { Key = ServiceTag, Value = spec.Service } };
        if (service.PropagateTags == "SERVICE")
        {
            // RunTask cannot propagate a service's tags; they are copied, so cost allocation sees the task.
            tags.AddRange((service.Tags ?? []).Where(t => t.Key is not null && !t.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) && t.Key != ServiceTag).Take(49));
        }
        return new RunTaskRequest
        {
            Cluster = spec.Cluster,
            Count = spec.Count,
            StartedBy = StartedBy,
            LaunchType = strategy ? null : service.LaunchType,
            CapacityProviderStrategy = strategy ? service.CapacityProviderStrategy!.Select(i => new EcsCapacityProviderStrategyItem { CapacityProvider = i.CapacityProvider, Weight = i.Weight, Base = i.Base }).ToList() : null,
            PlatformVersion = service.LaunchType == "FARGATE" || strategy ? service.PlatformVersion : null,
            NetworkConfiguration = awsvpc ? (JsonObject?)service.NetworkConfiguration?.DeepClone() : null,
            PlacementConstraints = service.PlacementConstraints is { Count: > 0 } constraints ? (JsonArray)constraints.DeepClone() : null,
            PlacementStrategy = service.PlacementStrategy is { Count: > 0 } placement ? (JsonArray)placement.DeepClone() : null,
            Overrides = overrides,
            Tags = tags,
            PropagateTags = service.PropagateTags == "TASK_DEFINITION" ? "TASK_DEFINITION" : null,
            EnableECSManagedTags = service.EnableECSManagedTags ? true : null,
            EnableExecuteCommand = service.EnableExecuteCommand ? true : null,
        };
    }

    // A task RunTask could not place (docs/design/one-off-tasks.md, "When a task cannot be placed").
    private static (MightyTaskRun Run, MightyOpsException Error) NotPlaced(TaskRunPlan plan, string taskDefinition, EcsFailure failure)
    {
        string reason = failure.Reason ?? "unknown";
        string where = failure.Arn is string arn && EcsArn.TryParse(arn, out EcsArn parsed) && parsed.ResourceType == "container-instance"
            ? $" (closest: container instance {parsed.Name})"
            : failure.Arn is null ? string.Empty : $" ({failure.Arn})";
        string meaning = reason switch
        {
            "RESOURCE:CPU" => "no container instance has the CPU units the task needs",
            "RESOURCE:MEMORY" => "no container instance has the memory the task needs",
            "RESOURCE:PORTS" => "the host ports the task needs are taken on every container instance",
            "RESOURCE:ENI" => "no container instance has a free network interface attachment for an awsvpc task",
            "RESOURCE:GPU" => "no container instance has the GPUs the task needs",
            "AGENT" => "the ECS agent of the chosen container instance is disconnected",
            "ATTRIBUTE" => "no container instance has an attribute the task definition requires",
            _ => "ECS could not place it",
        };
        string text = failure.Detail is { Length: > 0 } detail ? $"{reason}{where}: {detail}" : $"{reason}{where}";
        MightyTaskRun run = new()
        {
            Cluster = plan.Spec.Cluster,
            Service = plan.Spec.Service,
            TaskDefinitionArn = taskDefinition,
            Container = plan.Container,
            Command = plan.Spec.Command.Text,
            Status = nameof(MightyTaskRunStatus.FailedToStart),
            StoppedReason = text,
        };
        var error = new MightyOpsException(TasksErrorIds.TaskStartFailed,
            $"RunTask could not place a task of {MightyServiceDeployment.ShortTaskDefinition(taskDefinition)} in cluster '{plan.Spec.Cluster}': {text}; {meaning}. Add container instances to the cluster, or free what the task needs, and run it again.",
            run);
        return (run, error);
    }
}
