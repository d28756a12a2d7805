using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>
/// The deploy of a set of services, in the order docs/design/deploy.md ("Order of work") gives:
/// read everything (services, live task definitions with their tags, batched), choose each
/// container's image, verify the images in ECR, read the secrets, render and compare the new
/// definitions, look for a revision registered before; only then register and update, service by
/// service (<see cref="StartAsync"/>). Each step is a method of its own; a service whose step
/// fails is reported and left alone, the others go ahead.
/// </summary>
public sealed class DeployPlanner
{
    /// <summary>Tag on every revision MightyOps registers: the release it runs.</summary>
    public const string ReleaseTag = "mightyops:release";

    /// <summary>Tag on every revision MightyOps registers: the task definition the service ran before it, for Restore-MightyService -Previous.</summary>
    public const string PreviousTaskDefinitionTag = "mightyops:previous-task-definition";

    /// <summary>Tag on every revision MightyOps registers: a value unique to the registration, to find out whether it happened.</summary>
    public const string RequestTag = "mightyops:request";

    private const int ParallelRequests = 4;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public DeployPlanner(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// Plans the deploy of <paramref name="services"/> of <paramref name="cluster"/>. Problems
    /// with one service (not found, unknown container, missing image) go to
    /// <paramref name="onError"/>, and that service gets no plan. Nothing is changed.
    /// </summary>
    public async Task<IReadOnlyList<ServicePlan>> PlanAsync(
        string cluster,
        IReadOnlyList<string> services,
        DeployOptions options,
        Action<MightyOpsException> onError,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<ServiceDraft> described = await DescribeAsync(cluster, services, onError, cancellationToken).ConfigureAwait(false);
        List<ServiceDraft> chosen = described.Select(draft => ChooseImages(draft, options, _aws.Region, onError)).OfType<ServiceDraft>().ToList();
        IReadOnlyDictionary<ServiceDraft, IReadOnlyList<MightyOpsException>> missing = await VerifyImagesAsync(chosen, options, cancellationToken).ConfigureAwait(false);

        (bool read, SecretsDocument? secrets) = await ReadSecretsAsync(chosen, options, onError, cancellationToken).ConfigureAwait(false);
        if (!read)
        {
            return [];
        }
        string account = described.Select(d => d.Account).FirstOrDefault(a => a.Length > 0) ?? string.Empty;
        var rendering = new ConfigRendering(options.Config, secrets, account, _aws.Region);

        var plans = new List<ServicePlan>();
        foreach (ServiceDraft draft in chosen)
        {
            if (missing.TryGetValue(draft, out IReadOnlyList<MightyOpsException>? problems))
            {
                foreach (MightyOpsException problem in problems)
                {
                    onError(problem);
                }
                continue;
            }
            try
            {
                plans.Add(Plan(cluster, draft, options, rendering));
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        return await FindRegisteredAsync(await GuardAsync(plans, options.Force, onError, cancellationToken).ConfigureAwait(false), onError, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The plans that start a deployment, checked for one already in progress (DeploymentGuard);
    /// a refused plan goes to <paramref name="onError"/>. A plan that only watches its own
    /// deployment in flight, or changes nothing, is not checked.
    /// </summary>
    private async Task<IReadOnlyList<ServicePlan>> GuardAsync(IReadOnlyList<ServicePlan> plans, bool force, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var guard = new DeploymentGuard(new ServiceLedger(_aws, _log, quiet: true), _log);
        var kept = new List<ServicePlan>();
        foreach (ServicePlan plan in plans)
        {
            if (plan.Unchanged && !plan.ForceNewDeployment)
            {
                kept.Add(plan);
                continue;
            }
            try
            {
                plan.LookedAt = await guard.CheckAsync(plan.Cluster, plan.Service, force, cancellationToken).ConfigureAwait(false);
                kept.Add(plan);
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        return kept;
    }

    /// <summary>
    /// Read: the ACTIVE services of the rolling (ECS) controller among
    /// <paramref name="services"/>, each with its live task definition described with its tags
    /// (once per distinct revision). The others go to <paramref name="onError"/>.
    /// </summary>
    internal async Task<IReadOnlyList<ServiceDraft>> DescribeAsync(string cluster, IReadOnlyList<string> services, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        DescribeServicesResponse described = await _aws.Ecs.DescribeServicesAsync(cluster, services, cancellationToken).ConfigureAwait(false);
        foreach (EcsFailure failure in described.Failures ?? [])
        {
            string name = EcsArn.LastSegment(failure.Arn ?? string.Empty);
            onError(new MightyOpsException(AwsErrorIds.ServiceNotFound,
                $"Service '{name}' was not found in cluster '{cluster}' ({_aws.Region}). Run Get-MightyService -Cluster {cluster} to see the services there.", name));
        }
        var active = new List<EcsService>();
        foreach (EcsService service in described.Services ?? [])
        {
            if (service.Status != "ACTIVE")
            {
                onError(new MightyOpsException(DeployErrorIds.ServiceNotActive,
                    $"Service '{service.ServiceName}' in cluster '{cluster}' is {service.Status}, not ACTIVE: it is being deleted and cannot be deployed.", service.ServiceName));
            }
            else if (service.DeploymentController?.Type is string controller && controller != "ECS")
            {
                onError(new MightyOpsException(DeployErrorIds.DeploymentControllerUnsupported,
                    $"Service '{service.ServiceName}' uses the {controller} deployment controller; MightyOps deploys services of the ECS deployment controller only (with any of its strategies: ROLLING, BLUE_GREEN, LINEAR, CANARY).", service.ServiceName));
            }
            else
            {
                active.Add(service);
            }
        }

        // One DescribeTaskDefinition per distinct live revision (services often share none, but workers may).
        var definitions = new Dictionary<string, DescribeTaskDefinitionResponse>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            active.Select(s => s.TaskDefinition!).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = cancellationToken },
            async (arn, ct) =>
            {
                DescribeTaskDefinitionResponse response = await _aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: true, ct).ConfigureAwait(false);
                lock (definitions)
                {
                    definitions[arn] = response;
                }
            }).ConfigureAwait(false);
        return active.Select(s => new ServiceDraft(s, definitions[s.TaskDefinition!])).ToList();
    }

    /// <summary>
    /// Choose: <paramref name="draft"/> with the new image of each container that gets
    /// one (none when nothing was asked), or null after reporting why not: a container
    /// mighty.psd1 configures that the live definition lacks (<c>ConfigInvalid</c>), or what
    /// <see cref="ImageSelection.Resolve"/> refuses.
    /// </summary>
    internal static ServiceDraft? ChooseImages(ServiceDraft draft, DeployOptions options, string region, Action<MightyOpsException> onError)
    {
        if (UnknownContainer(options.Config, draft.Name, draft.Live) is MightyOpsException unknown)
        {
            onError(unknown);
            return null;
        }
        try
        {
            return options.Images.IsEmpty
                ? draft
                : draft with
                {
                    Images = ImageSelection.Resolve(draft.Live, options.Images, draft.Account, region, draft.Name,
                        container => options.Config.ContainerSettingsFor(draft.Name, container)?.Repository),
                };
        }
        catch (MightyOpsException e)
        {
            onError(e);
            return null;
        }
    }

    /// <summary>
    /// Verify: every new ECR image of <paramref name="drafts"/> checked at once, per
    /// repository (<see cref="ImageVerifier"/>). The result names, per service with a missing
    /// image or repository, the errors to report: "Service 'x' was not deployed", and for a
    /// repository that does not exist where its name came from.
    /// </summary>
    internal async Task<IReadOnlyDictionary<ServiceDraft, IReadOnlyList<MightyOpsException>>> VerifyImagesAsync(IReadOnlyList<ServiceDraft> drafts, DeployOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<ImageReference, MightyOpsException> missing = await new ImageVerifier(_aws, _log)
            .VerifyAsync(drafts.SelectMany(d => d.Images.Values), cancellationToken).ConfigureAwait(false);
        var problems = new Dictionary<ServiceDraft, IReadOnlyList<MightyOpsException>>();
        foreach (ServiceDraft draft in drafts)
        {
            List<MightyOpsException> errors = draft.Images.Values.Distinct().Where(missing.ContainsKey).Select(image =>
            {
                MightyOpsException problem = missing[image];
                string hint = problem.Is(AwsErrorIds.RepositoryNotFound)
                    ? " " + RepositoryHint(options, draft, draft.Images.Where(i => i.Value == image).Select(i => i.Key))
                    : string.Empty;
                return new MightyOpsException(problem.Error, problem.Kind, $"Service '{draft.Name}' was not deployed: {problem.Message}{hint}", draft.Name, problem);
            }).ToList();
            if (errors.Count > 0)
            {
                problems[draft] = errors;
            }
        }
        return problems;
    }

    /// <summary>
    /// Read the secrets document once for every service in <paramref name="chosen"/> (none when
    /// mighty.psd1 names none). A document that cannot be used stops them all: each is reported,
    /// and Read is false.
    /// </summary>
    private async Task<(bool Read, SecretsDocument? Secrets)> ReadSecretsAsync(List<ServiceDraft> chosen, DeployOptions options, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        if (options.Config.Secrets is not SecretsSettings settings || chosen.Count == 0)
        {
            return (true, null);
        }
        SecretsDocument secrets;
        try
        {
            secrets = await new SecretsSource(_aws.S3, _log).ReadAsync(settings.Source, cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e)
        {
            chosen.ForEach(draft => onError(NotDeployed(draft.Name, e)));
            return (false, null);
        }
        if (settings.Mode == SecretsMode.Environment)
        {
            _log.Warning(SecretDelivery.EnvironmentModeWarning);
        }
        return (true, secrets);
    }

    /// <summary>
    /// Render: the register request of the new revision (<see cref="TaskDefinitionRenderer.Render"/>
    /// with the configuration, the chosen images, the environment and secrets) with the tags of a
    /// MightyOps revision, and the secrets env file it points at.
    /// </summary>
    internal static RenderedRevision Render(ServiceDraft draft, DeployOptions options, ConfigRendering rendering)
    {
        EnvironmentFile? secretsFile = null;
        S3Location? secretsSource = null;
        RegisterTaskDefinitionRequest request = TaskDefinitionRenderer.Render(
            draft.Live, draft.Images, rendering.Settings(draft.Name), rendering.Environment(draft.Name, (file, source) => (secretsFile, secretsSource) = (file, source)), RevisionTags(draft, options));
        return new RenderedRevision(request, secretsFile, secretsSource);
    }

    /// <summary>
    /// The tags of a new revision: the live revision's own, without MightyOps's, then
    /// <see cref="ReleaseTag"/> (when the request names a release) and <see cref="PreviousTaskDefinitionTag"/>.
    /// <see cref="RequestTag"/> is added when it is registered.
    /// </summary>
    internal static List<EcsTag> RevisionTags(ServiceDraft draft, DeployOptions options)
    {
        var tags = (draft.Described.Tags ?? [])
            .Where(t => t.Key is not ReleaseTag and not PreviousTaskDefinitionTag and not RequestTag)
            .Select(t => new EcsTag { Key = t.Key, Value = t.Value })
            .ToList();
        if (options.Images.ReleaseLabel(draft.Images) is string release)
        {
            tags.Add(new EcsTag { Key = ReleaseTag, Value = release });
        }
        tags.Add(new EcsTag { Key = PreviousTaskDefinitionTag, Value = draft.Live.TaskDefinitionArn });
        return tags;
    }

    /// <summary>
    /// Compare: whether <paramref name="rendered"/> registers the same definition as the
    /// allow-list copy of <paramref name="live"/> (tags aside), and if not, the field-level
    /// changes (no values of environment variables).
    /// </summary>
    internal static (bool Unchanged, IReadOnlyList<DefinitionChange> Changes) Compare(EcsTaskDefinition live, RegisterTaskDefinitionRequest rendered)
    {
        RegisterTaskDefinitionRequest copy = TaskDefinitionRenderer.Copy(live);
        return TaskDefinitionRenderer.SameDefinition(copy, rendered) ? (true, []) : (false, TaskDefinitionDiff.Compare(copy, rendered));
    }

    /// <summary>
    /// Before registering: a changed definition may have been registered already by a run
    /// that stopped before it updated the service; the family's newest revision, when equal, is
    /// deployed instead (<see cref="ServicePlan.ExistingRevision"/>). A service whose look fails
    /// is reported and dropped; unchanged plans pass as they are.
    /// </summary>
    internal async Task<IReadOnlyList<ServicePlan>> FindRegisteredAsync(IReadOnlyList<ServicePlan> plans, Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        var registrar = new RevisionRegistrar(_aws, _log);
        var checkedPlans = new List<ServicePlan>();
        await Parallel.ForEachAsync(
            plans.Where(p => p.Rendered is not null),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = cancellationToken },
            async (plan, ct) =>
            {
                try
                {
                    (plan.NewestRevision, plan.ExistingRevision) = await registrar.NewestAsync(plan.LiveArn, plan.Rendered!, ct).ConfigureAwait(false);
                }
                catch (MightyOpsException e)
                {
                    onError(NotDeployed(plan.Service, e, e.RequestId));
                    return;
                }
                lock (checkedPlans)
                {
                    checkedPlans.Add(plan);
                }
            }).ConfigureAwait(false);
        return plans.Where(p => p.Rendered is null || checkedPlans.Contains(p)).ToList();
    }

    // Render and compare one service, and what an unchanged one still has to watch.
    private ServicePlan Plan(string cluster, ServiceDraft draft, DeployOptions options, ConfigRendering rendering)
    {
        RenderedRevision rendered = Render(draft, options, rendering);
        (bool unchanged, IReadOnlyList<DefinitionChange> changes) = Compare(draft.Live, rendered.Request);
        foreach (string warning in SidekiqShutdown.Warnings(draft.Name, rendered.Request.ContainerDefinitions ?? []))
        {
            _log.Warning(warning);
        }
        string live = MightyServiceDeployment.ShortTaskDefinition(draft.Live.TaskDefinitionArn ?? string.Empty);
        _log.Verbose(unchanged
            ? $"{draft.Name}: the new definition equals {live}."
            : $"{draft.Name}: {changes.Count} change(s) to {live}: {string.Join("; ", changes)}");
        EcsDeployment? primary = draft.Service.Deployments?.FirstOrDefault(d => d.Status == "PRIMARY");
        return new ServicePlan
        {
            PrimaryDeploymentId = primary?.Id,
            InFlight = unchanged ? InFlight(cluster, draft.Service, primary, draft.Described) : null,
            Cluster = cluster,
            Service = draft.Name,
            Described = draft.Service,
            Live = draft.Live,
            Rendered = unchanged ? null : rendered.Request,
            Images = (rendered.Request.ContainerDefinitions ?? []).Where(c => c.Name is not null).ToDictionary(c => c.Name!, c => c.Image ?? string.Empty, StringComparer.Ordinal),
            Changes = changes,
            ForceNewDeployment = options.ForceNewDeployment,
            SecretsFile = unchanged ? null : rendered.SecretsFile,
            SecretsSource = rendered.SecretsSource,
        };
    }

    // "Service 'x' was not deployed: …" with the same id and kind.
    private static MightyOpsException NotDeployed(string service, MightyOpsException e, string? requestId = null) =>
        new(e.Error, e.Kind, $"Service '{service}' was not deployed: {e.Message}", service, e) { RequestId = requestId };

    /// <summary>
    /// <c>ConfigInvalid</c> when mighty.psd1 configures a container of <paramref name="service"/>
    /// that its live task definition lacks: a misspelt name would otherwise be ignored and the
    /// deploy report Unchanged. Names the key path, the file (with line and column), the
    /// containers there are and the nearest one.
    /// </summary>
    private static MightyOpsException? UnknownContainer(MightyConfig config, string service, EcsTaskDefinition live)
    {
        if (!config.Services.TryGetValue(service, out ServiceSettings? settings))
        {
            return null;
        }
        List<string> names = (live.ContainerDefinitions ?? []).Select(c => c.Name).OfType<string>().ToList();
        List<string> unknown = settings.Containers.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
        {
            return null;
        }
        string definition = MightyServiceDeployment.ShortTaskDefinition(live.TaskDefinitionArn ?? string.Empty);
        IEnumerable<string> problems = unknown.Select(key =>
        {
            string at = settings.ContainerPositions.TryGetValue(key, out TextPosition position) ? $"{config.Path}:{position}" : $"{config.Path}";
            string? near = names.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase)) ?? ConfigErrors.Suggest(key, names);
            string suggestion = near is null ? string.Empty : $" Did you mean '{near}'?";
            return $"{at}: Services.{service}.Containers.{key}: service '{service}' has no container '{key}'; its task definition {definition} has {string.Join(", ", names.Select(n => $"'{n}'"))}.{suggestion}";
        });
        return ConfigErrors.Invalid(config.Path ?? service,
            $"{string.Join(System.Environment.NewLine, problems)} Service '{service}' was not deployed; fix the container name in the config file.");
    }

    // Where the repository of a missing ECR repository came from, and where to fix it.
    private static string RepositoryHint(DeployOptions options, ServiceDraft draft, IEnumerable<string> containers)
    {
        (string service, EcsTaskDefinition live) = (draft.Name, draft.Live);
        IEnumerable<string> hints = containers.Order(StringComparer.Ordinal).Select(container =>
        {
            string? configured = options.Config.ContainerSettingsFor(service, container)?.Repository;
            return ImageSelection.SourceOf(options.Images, container, configured) switch
            {
                RepositorySource.Config => $"The repository of container '{container}' comes from Services.{service}.Containers.{container}.Repository in {options.Config.Path}: fix the name there.",
                RepositorySource.Parameter => $"The repository of container '{container}' comes from -Image: check the name there.",
                _ => $"The repository of container '{container}' comes from the image task definition {MightyServiceDeployment.ShortTaskDefinition(live.TaskDefinitionArn ?? string.Empty)} runs: name the image with -Image, or set Services.{service}.Containers.{container}.Repository in mighty.psd1.",
            };
        });
        return string.Join(" ", hints.Distinct(StringComparer.Ordinal));
    }

    /// <summary>
    /// The service's rollout of the live revision when it is still in progress: what a deploy of
    /// the same definition watches (an earlier run may have been stopped while it watched).
    /// </summary>
    private WatchedDeployment? InFlight(string cluster, EcsService service, EcsDeployment? primary, DescribeTaskDefinitionResponse live)
    {
        List<EcsDeployment> deployments = service.Deployments ?? [];
        bool inProgress = primary?.RolloutState is string state
            ? state == "IN_PROGRESS"
            : deployments.Count > 1 || primary?.RunningCount != primary?.DesiredCount;
        if (primary?.Id is null || primary.TaskDefinition != live.TaskDefinition?.TaskDefinitionArn || !inProgress)
        {
            return null;
        }
        string previous = deployments.FirstOrDefault(d => d.Status != "PRIMARY" && d.TaskDefinition != primary.TaskDefinition)?.TaskDefinition
            ?? live.Tags?.FirstOrDefault(t => t.Key == PreviousTaskDefinitionTag)?.Value
            ?? string.Empty;
        _log.Verbose($"{service.ServiceName}: the deployment {primary.Id} of {MightyServiceDeployment.ShortTaskDefinition(primary.TaskDefinition ?? string.Empty)} is still in progress; watching it.");
        return WatchedDeployment.Of(cluster, service.ServiceName!, primary, previous, live.TaskDefinition);
    }

    /// <summary>
    /// Registers the plan's revision (unless unchanged, or an equal one exists) and points the
    /// service at it (<see cref="RegisterAsync"/>, then <see cref="UpdateAsync"/>). Returns the
    /// deployment to watch: the one started, the one still in progress of an unchanged plan, or
    /// null when the plan is unchanged and not forced (nothing is called).
    /// </summary>
    public async Task<WatchedDeployment?> StartAsync(ServicePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Unchanged && !plan.ForceNewDeployment)
        {
            return plan.InFlight;
        }
        string target = await RegisterAsync(plan, cancellationToken).ConfigureAwait(false);
        return await UpdateAsync(plan, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The revision the plan deploys, registered if it has to be: the live one when unchanged,
    /// the equal one an earlier run registered, or a new one (its secrets env file uploaded
    /// first). Changes no service.
    /// </summary>
    public async Task<string> RegisterAsync(ServicePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.SecretsFile is EnvironmentFile file && plan.SecretsSource is S3Location source)
        {
            // Before the revision that points at it: a task must never start without its file.
            EnvironmentFileUpload upload = await new SecretsSource(_aws.S3, _log).PublishAsync(file, source, cancellationToken).ConfigureAwait(false);
            _log.Verbose($"{plan.Service}: secrets file {upload.Location} {(upload.Written ? "written" : "already there")}.");
        }
        if (plan.ExistingRevision is string existing)
        {
            return existing;
        }
        return plan.Rendered is RegisterTaskDefinitionRequest rendered
            ? await new RevisionRegistrar(_aws, _log).RegisterAsync(plan.Service, rendered, plan.NewestRevision, cancellationToken).ConfigureAwait(false)
            : plan.LiveArn;
    }

    /// <summary>
    /// Points the service at <paramref name="target"/> (what <see cref="RegisterAsync"/> gave),
    /// starting a deployment at most once; returns the deployment to watch.
    /// </summary>
    public async Task<WatchedDeployment> UpdateAsync(ServicePlan plan, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(target);
        UpdateServiceResponse updated;
        try
        {
            updated = await _aws.Ecs.StartDeploymentAsync(new UpdateServiceRequest
            {
                Cluster = plan.Cluster,
                Service = plan.Service,
                TaskDefinition = target,
                ForceNewDeployment = plan.ForceNewDeployment,
            }, plan.PrimaryDeploymentId, cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (target != plan.LiveArn)
        {
            string how = plan.ExistingRevision is null ? "was registered" : "is registered (by an earlier run)";
            string service = e.Is(AwsErrorIds.AwsWriteOutcomeUnknown)
                ? $"whether the service '{plan.Service}' was updated to it is unknown"
                : $"the service '{plan.Service}' could not be updated to it and still runs {MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn)}";
            throw new MightyOpsException(e.Error, e.Kind,
                $"{MightyServiceDeployment.ShortTaskDefinition(target)} {how}, but {service}: {e.Message}",
                plan.Service, e) { RequestId = e.RequestId };
        }
        WatchedDeployment started = WatchedDeployment.FromUpdate(plan.Cluster, plan.Service, updated.Service, target, plan.LiveArn, plan.Images);
        started.LookedAt = plan.LookedAt;
        return started;
    }
}
