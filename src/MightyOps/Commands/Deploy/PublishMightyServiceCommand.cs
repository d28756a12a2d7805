using System.Collections;
using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Capacity;
using MightyOps.Core.Deploy;
using MightyOps.Commands.Tasks;
using MightyOps.Core.Config;
using MightyOps.Core.Targeting;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsData.Publish, "MightyService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = RedeploySet)]
[OutputType(typeof(MightyDeployment))]
public sealed class PublishMightyServiceCommand : RolloutCmdlet
{
    private const string TagSet = "Tag";
    private const string ImageSet = "Image";
    private const string RedeploySet = "Redeploy";
    private const int ParallelStarts = 4;

    // Every piped record adds its services; all are deployed together in EndProcessing.
    private string? _tag;
    private TaskRunDisplay? _beforeDeployDisplay;
    private volatile ServiceUpdates? _updates;

    /// <summary>A cluster name or ARN; 'default' when neither this nor a service ARN names one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Piped service names or objects (see ServiceTargetInput); a piped MightyTag gives -Tag instead.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = TagSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Tag { get; set; }

    [Parameter(ParameterSetName = TagSet)]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Container { get; set; }

    /// <summary>Container names and images; or one string, a tag or an image (see ImageRequest.FromImageText).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ImageSet)]
    [ImageTextTransformation]
    [ValidateNotNullOrEmpty]
    public Hashtable? Image { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    [Parameter]
    public SwitchParameter ForceNewDeployment { get; set; }

    /// <summary>What to do when the rollouts need more room than the cluster has; CapacityCheck in mighty.psd1, else Warn.</summary>
    [Parameter]
    public CapacityCheck CapacityCheck { get; set; }

    /// <summary>The before-deploy command for this run (a string for sh -c, or a program and its arguments), on mighty.psd1's BeforeDeploy service and container.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? BeforeDeploy { get; set; }

    /// <summary>Deploys without running mighty.psd1's BeforeDeploy task.</summary>
    [Parameter]
    public SwitchParameter SkipBeforeDeploy { get; set; }

    /// <summary>Deploys even while another deployment of the service is in progress (ECS stops that one).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override TargetingMode Targeting => TargetingMode.Change;

    private protected override string Activity => "Deploying";

    protected override void ProcessRecord()
    {
        try
        {
            if (Tag is not null)
            {
                if (_tag is not null && _tag != Tag)
                {
                    throw new MightyOpsException(DeployErrorIds.TagConflict,
                        $"One Publish-MightyService call deploys one tag; the pipeline gave '{_tag}' and '{Tag}'. Deploy them in two calls.", Tag);
                }
                _tag = Tag;
            }
            // A piped tag object (New-MightyTag) gives -Tag; the services come from -Service.
            bool pipedTagOnly = InputObject?.BaseObject is not string && InputObject?.Properties["Tag"] is not null
                && InputObject.Properties["Service"] is null && InputObject.Properties["ServiceName"] is null;
            (string? cluster, IReadOnlyList<string>? services) = pipedTagOnly
                ? (Cluster, Service)
                : ServiceTargetInput.Read(InputObject, Cluster, Service);
            AddTargets(cluster, services);
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
        }
    }

    protected override void EndProcessing()
    {
        DeployOptions options;
        try
        {
            options = new DeployOptions(ImageParameters.Request(Image, _tag, Container), ForceNewDeployment, Config, Force);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }
        var planner = new DeployPlanner(Aws, Log);

        // 1. Read and check everything; nothing changes yet.
        List<ServicePlan> plans = PlanPerCluster((cluster, services, onError, ct) => planner.PlanAsync(cluster, services, options, onError, ct));

        // 1b. Room for the rollouts' extra tasks (docs/design/capacity-and-placement.md, "The preflight").
        if (!CapacityPreflight(plans))
        {
            return;
        }

        // 2. Ask, the before-deploy task first (it runs before any service is updated), then per
        //    service, showing what would change; -WhatIf says each and changes nothing.
        (BeforeDeployRequest Request, ServicePlan Plan)? beforeDeploy = plans.Any(Changes) ? ChooseBeforeDeploy(plans) : null;
        bool beforeDeployApproved = beforeDeploy is not var (request, runsOn) || ShouldProcess($"{runsOn.Cluster}/{runsOn.Service}", BeforeDeployTask.Describe(request, runsOn));
        var approved = new List<ServicePlan>();
        foreach (ServicePlan plan in plans)
        {
            if (plan.Unchanged && !plan.ForceNewDeployment && plan.InFlight is null)
            {
                WriteVerbose($"{plan.Service} already runs this ({MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn)}); nothing to deploy. -ForceNewDeployment starts new tasks anyway.");
                WriteObject(Unchanged(plan));
                continue;
            }
            if (ShouldProcess($"{plan.Cluster}/{plan.Service}", Describe(plan)))
            {
                approved.Add(plan);
            }
        }

        List<ServicePlan> changing = approved.Where(Changes).ToList();
        if (!beforeDeployApproved && changing.Count > 0)
        {
            WriteWarning("No service was deployed: the before-deploy task was not confirmed, and it runs before any service is updated.");
            return;
        }
        if (changing.Count == 0)
        {
            beforeDeploy = null;
        }

        // 4. Register every changed service's revision, a few at a time; no service is updated yet.
        var registered = new List<(ServicePlan Plan, string Revision)>();
        Run(ct => Parallel.ForEachAsync(changing, new ParallelOptions { MaxDegreeOfParallelism = ParallelStarts, CancellationToken = ct }, async (plan, token) =>
        {
            try
            {
                string revision = await planner.RegisterAsync(plan, token).ConfigureAwait(false);
                lock (registered)
                {
                    registered.Add((plan, revision));
                }
            }
            catch (MightyOpsException e)
            {
                Post(() => WriteMightyError(e));
            }
        }));

        // 5. The before-deploy task, once, on its service's new revision: if it fails, nothing is updated.
        if (beforeDeploy is var (task, taskPlan) && !RunBeforeDeploy(task, taskPlan, registered))
        {
            return;
        }

        // 6. Update every registered service, a few at a time; rollouts of unchanged ones still in progress are watched.
        var updates = new ServiceUpdates(registered.Select(r => (r.Plan.Cluster, r.Plan.Service, r.Revision)));
        _updates = updates;
        try
        {
            Run(ct => Parallel.ForEachAsync(registered, new ParallelOptions { MaxDegreeOfParallelism = ParallelStarts, CancellationToken = ct }, async (one, token) =>
            {
                WatchedDeployment? deployment = null;
                updates.Starting(one.Plan.Cluster, one.Plan.Service);
                try
                {
                    deployment = await planner.UpdateAsync(one.Plan, one.Revision, token).ConfigureAwait(false);
                }
                catch (MightyOpsException e)
                {
                    Post(() => WriteMightyError(e));
                }
                finally
                {
                    updates.Ended(one.Plan.Cluster, one.Plan.Service, deployment);
                }
            }));
        }
        finally
        {
            _updates = null;
        }

        // 7. Watch them all in one loop, unless asked not to.
        List<WatchedDeployment> started = [.. approved.Except(changing).Select(p => p.InFlight).OfType<WatchedDeployment>(), .. updates.Started()];
        started.Sort((a, b) => string.CompareOrdinal(a.Service, b.Service));
        Watch(started, NoRollback, NoWait);
    }

    /// <summary>
    /// Checks that every cluster has room for the extra tasks of the rollouts about to start (all
    /// piped services together, since they roll out at once). Warns with the numbers; with
    /// CapacityCheck Strict writes InsufficientCapacity and returns false: nothing is registered.
    /// </summary>
    private bool CapacityPreflight(IReadOnlyList<ServicePlan> plans)
    {
        CapacityCheck mode = MyInvocation.BoundParameters.ContainsKey(nameof(CapacityCheck)) ? CapacityCheck : Config.CapacityCheck ?? CapacityCheck.Warn;
        if (mode == CapacityCheck.Off)
        {
            return true;
        }
        bool fits = true;
        foreach (IGrouping<string, ServicePlan> cluster in plans.GroupBy(p => p.Cluster, StringComparer.Ordinal))
        {
            IReadOnlyList<CapacityDemand> demands = DeployCapacity.Demands(cluster, e => WriteWarning(e.Message));
            if (demands.Count == 0)
            {
                continue;
            }
            CapacityVerdict verdict;
            try
            {
                verdict = Run(ct => new CapacityPreflight(Aws, Log).CheckAsync(cluster.Key, demands, e => Post(() => WriteWarning(e.Message)), ct));
            }
            catch (MightyOpsException e) when (mode == CapacityCheck.Warn)
            {
                WriteWarning($"The capacity of cluster '{cluster.Key}' could not be read, so the deploy goes on unchecked: {e.Message}");
                continue;
            }
            foreach (ManagedNote note in verdict.Managed)
            {
                WriteInformation(new HostInformationMessage { Message = TerminalText.Visible(Core.Capacity.CapacityPreflight.Describe(note, CapacityPurpose.Rollout)) }, ["MightyOps.Capacity"]);
            }
            foreach (GroupShortfall shortfall in verdict.Shortfalls)
            {
                string message = Core.Capacity.CapacityPreflight.Describe(shortfall, CapacityPurpose.Rollout);
                if (mode == CapacityCheck.Strict)
                {
                    fits = false;
                    WriteMightyError(new MightyOpsException(CapacityErrorIds.InsufficientCapacity,
                        $"{message} Nothing was registered or deployed (-CapacityCheck Strict).", $"{shortfall.Cluster}/{shortfall.Group}"));
                }
                else
                {
                    WriteWarning(message);
                }
            }
        }
        return fits;
    }

    // A plan that registers a revision or starts a deployment (not one only watched, or unchanged).
    private static bool Changes(ServicePlan plan) => !plan.Unchanged || plan.ForceNewDeployment;

    protected override void StopProcessing()
    {
        if (_beforeDeployDisplay is { IsWatching: true })
        {
            WriteHostWarning(_beforeDeployDisplay.StoppedMessage() + " No service was updated.");
        }
        else if (_updates is { } updates)
        {
            WriteHostWarning(updates.StoppedMessage());
        }
        base.StopProcessing();
    }

    /// <summary>
    /// The before-deploy task of this call (mighty.psd1's BeforeDeploy, -BeforeDeploy's command)
    /// and the plan whose new revision runs it; null when there is none or -SkipBeforeDeploy.
    /// A service it cannot run on stops the call before anything changes.
    /// </summary>
    private (BeforeDeployRequest, ServicePlan)? ChooseBeforeDeploy(IReadOnlyList<ServicePlan> plans)
    {
        try
        {
            if (SkipBeforeDeploy && BeforeDeploy is not null)
            {
                throw new MightyOpsException(TasksErrorIds.BeforeDeployConflict,
                    "-BeforeDeploy gives the before-deploy command and -SkipBeforeDeploy says to run none: use one of them.", BeforeDeploy);
            }
            BeforeDeploySettings? configured = Config.BeforeDeploy;
            BeforeDeployRequest? request = SkipBeforeDeploy ? null
                : BeforeDeploy is not null ? new BeforeDeployRequest(configured?.Service, configured?.Container, TaskCommandParameter.From(BeforeDeploy), configured?.Timeout ?? BeforeDeploySettings.DefaultTimeout)
                : configured is null ? null
                : new BeforeDeployRequest(configured.Service, configured.Container, configured.Command, configured.Timeout);
            return request is null ? null : (request, BeforeDeployTask.Choose(request, plans));
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return null;
        }
    }

    /// <summary>
    /// Runs the before-deploy task on <paramref name="plan"/>'s new revision and waits for it, with
    /// progress and its lines on the Information stream. False, with the BeforeDeployFailed error and
    /// every service's result written, when it did not succeed (or its revision was not registered).
    /// </summary>
    private bool RunBeforeDeploy(BeforeDeployRequest request, ServicePlan plan, IReadOnlyList<(ServicePlan Plan, string Revision)> registered)
    {
        string? revision = plan.Unchanged && !plan.ForceNewDeployment ? plan.LiveArn : registered.FirstOrDefault(r => r.Plan == plan).Revision;
        if (revision is null)
        {
            // Its registration failed (written above): the task cannot run on the new revision.
            WriteBeforeDeployFailed(new MightyTaskRun
            {
                Cluster = plan.Cluster,
                Service = plan.Service,
                Command = request.Command.Text,
                Status = nameof(MightyTaskRunStatus.FailedToStart),
                StoppedReason = $"the new revision of {plan.Service} could not be registered",
            }, registered);
            return false;
        }
        _beforeDeployDisplay = new TaskRunDisplay(this, "Before the deploy: running", firstActivityId: 100);
        var runner = new BeforeDeployTask(Aws, Log);
        MightyTaskRun run = _beforeDeployDisplay.Watch([], Run, async ct => [await runner.RunAsync(request, plan, revision, _beforeDeployDisplay.Progress, _beforeDeployDisplay.OnLine, ct).ConfigureAwait(false)])[0];
        if (run.Succeeded)
        {
            WriteVerbose($"The before-deploy task {run.TaskId} succeeded; updating the services.");
            return true;
        }
        WriteBeforeDeployFailed(run, registered);
        return false;
    }

    private void WriteBeforeDeployFailed(MightyTaskRun run, IReadOnlyList<(ServicePlan Plan, string Revision)> registered)
    {
        WriteMightyError(BeforeDeployTask.Failed(run, registered));
        foreach ((ServicePlan plan, string revision) in registered.OrderBy(r => r.Plan.Service, StringComparer.Ordinal))
        {
            WriteObject(BeforeDeployTask.NotDeployed(plan, revision, run, registered));
        }
    }

    private static string Describe(ServicePlan plan)
    {
        string live = MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn);
        if (plan.Unchanged && plan.ForceNewDeployment)
        {
            return $"Start new tasks of {live} (-ForceNewDeployment; the task definition is unchanged)";
        }
        if (plan.InFlight is WatchedDeployment inFlight)
        {
            return $"Watch the deployment {inFlight.DeploymentId} of {live}, still in progress, to its end" + (inFlight.PreviousTaskDefinitionArn.Length > 0 ? $" (rolled back to {MightyServiceDeployment.ShortTaskDefinition(inFlight.PreviousTaskDefinitionArn)} if it fails, unless -NoRollback)" : string.Empty);
        }
        string changes = string.Concat(plan.Changes.Select(c => $"{Environment.NewLine}    {c.Path}: {c.Change}"));
        return plan.ExistingRevision is string existing
            ? $"Deploy {MightyServiceDeployment.ShortTaskDefinition(existing)}, registered before and equal to the new definition (from {live}):{changes}{Environment.NewLine}"
            : $"Register a new revision of {live.Split(':')[0]} (from {live}) and deploy it:{changes}{Environment.NewLine}";
    }

    private static MightyDeployment Unchanged(ServicePlan plan) => new()
    {
        Cluster = plan.Cluster,
        Service = plan.Service,
        TaskDefinitionArn = plan.LiveArn,
        PreviousTaskDefinitionArn = plan.LiveArn,
        Images = plan.Images,
        Status = nameof(MightyDeploymentStatus.Unchanged),
    };
}
