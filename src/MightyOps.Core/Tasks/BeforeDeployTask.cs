using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;

namespace MightyOps.Core.Tasks;

/// <summary>The before-deploy task of one deploy: mighty.psd1's <c>BeforeDeploy</c>, or -BeforeDeploy's command with the file's service and container.</summary>
/// <param name="Service">The service whose new revision runs it; null: the one service the call deploys.</param>
/// <param name="Container">Its container; null when the definition has one.</param>
/// <param name="Command">The command.</param>
/// <param name="Timeout">How long it may run.</param>
public sealed record BeforeDeployRequest(string? Service, string? Container, TaskCommand Command, TimeSpan Timeout);

/// <summary>
/// The one-off task a deploy runs once per Publish-MightyService call, after every image is
/// verified and every new revision registered, and before any service is updated: on the new
/// revision of its service, with that service's network and placement. When it fails no service
/// is updated (docs/design/one-off-tasks.md, "Before a deploy").
/// </summary>
public sealed class BeforeDeployTask(AwsSession aws, IOperationLog log)
{
    /// <summary>
    /// The plan whose new revision runs the task: the named service's, which the call must deploy
    /// in exactly one cluster; without a name, the call's only service. Otherwise
    /// <c>BeforeDeployServiceNotDeployed</c>, before anything is changed.
    /// </summary>
    public static ServicePlan Choose(BeforeDeployRequest request, IReadOnlyList<ServicePlan> plans)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plans);
        string deployed = string.Join(", ", plans.Select(p => $"{p.Cluster}/{p.Service}").Distinct(StringComparer.Ordinal));
        if (request.Service is null)
        {
            return plans.Count == 1
                ? plans[0]
                : throw new MightyOpsException(TasksErrorIds.BeforeDeployServiceNotDeployed,
                    $"The before-deploy task '{request.Command.Text}' runs on the new revision of one service, and this call deploys {plans.Count} ({deployed}): name it in mighty.psd1, BeforeDeploy = @{{ Service = 'WEB'; Container = 'application'; Command = '...' }}. Nothing was changed.",
                    request.Command.Text);
        }
        List<ServicePlan> named = plans.Where(p => p.Service == request.Service).ToList();
        return named.Count switch
        {
            1 => named[0],
            0 => throw new MightyOpsException(TasksErrorIds.BeforeDeployServiceNotDeployed,
                $"The before-deploy task '{request.Command.Text}' runs on the new revision of service {request.Service}, and this call does not deploy {request.Service} (it deploys {(deployed.Length > 0 ? deployed : "nothing")}). Add -Service {request.Service}, or deploy without the task with -SkipBeforeDeploy. Nothing was changed.",
                request.Service),
            _ => throw new MightyOpsException(TasksErrorIds.BeforeDeployServiceNotDeployed,
                $"The before-deploy task '{request.Command.Text}' runs once per deploy, and this call deploys {request.Service} in {named.Count} clusters ({string.Join(", ", named.Select(p => p.Cluster))}): deploy one cluster per call. Nothing was changed.",
                request.Service),
        };
    }

    /// <summary>What -WhatIf says and ShouldProcess asks.</summary>
    public static string Describe(BeforeDeployRequest request, ServicePlan plan)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        string revision = plan.Unchanged
            ? MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn)
            : plan.ExistingRevision is string existing
                ? MightyServiceDeployment.ShortTaskDefinition(existing)
                : $"the new revision of {MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn).Split(':')[0]}";
        string container = request.Container is null ? string.Empty : $" in container '{request.Container}'";
        return $"Run '{request.Command.Text}'{container} as a one-off task of {revision} (service {plan.Service}, cluster {plan.Cluster}), once, before any service is updated; if it fails, no service is updated";
    }

    /// <summary>
    /// Runs the task on <paramref name="revision"/> (what the plan's registration gave) and waits
    /// for it to stop, at most <see cref="BeforeDeployRequest.Timeout"/>; the run as it ended (or
    /// as it stands when the time ran out).
    /// </summary>
    public async Task<MightyTaskRun> RunAsync(BeforeDeployRequest request, ServicePlan plan, string revision, IProgress<TaskRunProgress>? progress, Action<MightyLogEvent>? onLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        var runner = new TaskRunner(aws, log);
        TaskRunPlan task = await runner.PlanAsync(new TaskRunSpec(plan.Cluster, plan.Service, request.Container, request.Command, TaskDefinition: revision), cancellationToken).ConfigureAwait(false);
        TaskRunStart start = await runner.StartAsync(task, cancellationToken).ConfigureAwait(false);
        if (start.Started.Count == 0)
        {
            return start.NotPlaced[0].Run;
        }
        log.Verbose($"The before-deploy task {start.Started[0].TaskId} runs '{request.Command.Text}' on {MightyServiceDeployment.ShortTaskDefinition(revision)}.");
        IReadOnlyList<MightyTaskRun> ended = await new TaskRunWatcher(aws, log).WaitAsync(start.Started, request.Timeout, progress, onLine, cancellationToken).ConfigureAwait(false);
        return ended[0];
    }

    /// <summary>
    /// <c>BeforeDeployFailed</c> for a run that did not succeed: its exit code or ECS's reason (or
    /// that it is still running), its last lines, and the revisions registered for the deploy
    /// and left unused.
    /// </summary>
    public static MightyOpsException Failed(MightyTaskRun run, IReadOnlyList<(ServicePlan Plan, string Revision)> registered)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(registered);
        return new MightyOpsException(TasksErrorIds.BeforeDeployFailed, Reason(run, registered), run);
    }

    /// <summary>The result of a service the failed before-deploy task kept from being updated.</summary>
    public static MightyDeployment NotDeployed(ServicePlan plan, string revision, MightyTaskRun run, IReadOnlyList<(ServicePlan Plan, string Revision)> registered)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new MightyDeployment
        {
            Cluster = plan.Cluster,
            Service = plan.Service,
            TaskDefinitionArn = revision,
            PreviousTaskDefinitionArn = plan.LiveArn,
            Images = plan.Images,
            Status = nameof(MightyDeploymentStatus.BeforeDeployFailed),
            FailureReason = Reason(run, registered),
        };
    }

    private static string Reason(MightyTaskRun run, IReadOnlyList<(ServicePlan Plan, string Revision)> registered)
    {
        string task = run.TaskId.Length > 0 ? $" (task {run.TaskId}, {MightyServiceDeployment.ShortTaskDefinition(run.TaskDefinitionArn)})" : string.Empty;
        string outcome = run.Status switch
        {
            nameof(MightyTaskRunStatus.Failed) when run.ExitCode is int code => $"exited with code {code}",
            nameof(MightyTaskRunStatus.FailedToStart) => $"never ran: {TerminalText.Quote(run.StoppedReason, TerminalText.LineLength)}",
            nameof(MightyTaskRunStatus.Stopped) => $"was stopped before it ended ({TerminalText.Quote(run.StoppedReason, TerminalText.LineLength)})",
            nameof(MightyTaskRunStatus.Pending) or nameof(MightyTaskRunStatus.Running) =>
                $"did not finish in the time allowed (BeforeDeploy.Timeout) and goes on in ECS: Stop-MightyTask -Cluster {run.Cluster} -TaskId {run.TaskId} stops it",
            _ => $"stopped without an exit code ({TerminalText.Quote(run.StoppedReason, TerminalText.LineLength)})",
        };
        List<(ServicePlan Plan, string Revision)> unused = registered.Where(r => r.Revision != r.Plan.LiveArn).OrderBy(r => r.Plan.Service, StringComparer.Ordinal).ToList();
        string revisions = unused.Count == 0
            ? string.Empty
            : $" The revisions registered for this deploy are left unused: {string.Join(", ", unused.Select(r => MightyServiceDeployment.ShortTaskDefinition(r.Revision)))} (the services still run {string.Join(", ", unused.Select(r => MightyServiceDeployment.ShortTaskDefinition(r.Plan.LiveArn)))}); a deploy run again uses them.";
        return $"The before-deploy task '{TerminalText.Quote(run.Command, TerminalText.LineLength)}'{task} {outcome}, so no service was updated.{revisions}{TaskRunState.LastLines(run)}";
    }
}
