using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>What a deploy of one service would do, worked out before anything is changed.</summary>
public sealed class ServicePlan
{
    public required string Cluster { get; init; }

    public required string Service { get; init; }

    /// <summary>The live task definition (described with its tags).</summary>
    public required EcsTaskDefinition Live { get; init; }

    /// <summary>The request that registers the new revision; null when <see cref="Unchanged"/>.</summary>
    public RegisterTaskDefinitionRequest? Rendered { get; init; }

    /// <summary>Container name to image, as the service will run them.</summary>
    public required IReadOnlyDictionary<string, string> Images { get; init; }

    /// <summary>Field-level differences between the live and the new definition (no values of environment variables).</summary>
    public required IReadOnlyList<DefinitionChange> Changes { get; init; }

    /// <summary>The rendered definition equals the live one: nothing to register.</summary>
    public bool Unchanged => Rendered is null;

    /// <summary>
    /// The family's newest revision when it equals <see cref="Rendered"/> (registered by an
    /// earlier run that did not get to update the service): deployed instead of registering another.
    /// </summary>
    public string? ExistingRevision { get; internal set; }

    /// <summary>The family's newest revision number when the deploy was planned; a registration's look searches only newer ones.</summary>
    public int NewestRevision { get; internal set; }

    /// <summary>The service's PRIMARY deployment when the deploy was planned: a deployment other than this one is ours.</summary>
    public string? PrimaryDeploymentId { get; init; }

    /// <summary>
    /// When <see cref="Unchanged"/>: the service's rollout of the live revision, still in progress
    /// (started by an earlier run or someone else); the deploy watches it instead of saying Unchanged.
    /// </summary>
    public WatchedDeployment? InFlight { get; init; }

    /// <summary>Start new tasks even when <see cref="Unchanged"/> (-ForceNewDeployment).</summary>
    public bool ForceNewDeployment { get; init; }

    /// <summary>The env file with the service's secrets, uploaded (if absent) before the revision is registered; null without one.</summary>
    public EnvironmentFile? SecretsFile { get; init; }

    /// <summary>The secrets document the file is written next to.</summary>
    public S3Location? SecretsSource { get; init; }

    /// <summary>The live task definition ARN.</summary>
    public string LiveArn => Live.TaskDefinitionArn ?? string.Empty;
}

/// <summary>The deploy options shared by every service of one Publish-MightyService call.</summary>
/// <param name="Images">-Tag / -Image / -Container.</param>
/// <param name="ForceNewDeployment">Start new tasks even when nothing changed.</param>
/// <param name="Config">mighty.psd1: container settings, environment, where the secrets are (<see cref="MightyConfig.Empty"/> without a file).</param>
public sealed record DeployOptions(ImageRequest Images, bool ForceNewDeployment, MightyConfig Config);

/// <summary>
/// The deploy of a set of services, in the order the issue sets: read everything (services,
/// live task definitions with their tags, the images in ECR, batched), check everything, render
/// the new definitions; only then register and update, service by service. A service whose
/// checks fail is reported and left alone; the others go ahead.
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
                onError(new MightyOpsException(DeployErrorIds.DeploymentControllerNotSupported,
                    $"Service '{service.ServiceName}' uses the {controller} deployment controller; MightyOps deploys services of the rolling (ECS) controller only.", service.ServiceName));
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

        // Which images each service would run; then every ECR image checked at once, per repository.
        var chosen = new Dictionary<string, IReadOnlyDictionary<string, ImageReference>>(StringComparer.Ordinal);
        foreach (EcsService service in active)
        {
            EcsTaskDefinition live = definitions[service.TaskDefinition!].TaskDefinition!;
            if (UnknownContainer(options.Config, service.ServiceName!, live) is MightyOpsException unknown)
            {
                onError(unknown);
                continue;
            }
            string account = EcsArn.TryParse(service.ServiceArn ?? string.Empty, out EcsArn arn) ? arn.Account : string.Empty;
            try
            {
                chosen[service.ServiceName!] = options.Images.IsEmpty
                    ? new Dictionary<string, ImageReference>()
                    : ImageSelection.Resolve(live, options.Images, account, _aws.Region, service.ServiceName!,
                        container => options.Config.ContainerSettingsFor(service.ServiceName!, container)?.Repository);
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }
        IReadOnlyDictionary<ImageReference, MightyOpsException> missing = await new ImageVerifier(_aws, _log)
            .VerifyAsync(chosen.Values.SelectMany(c => c.Values), cancellationToken).ConfigureAwait(false);

        // The secrets are read once for every service; a document that cannot be used stops them all.
        SecretsDocument? secrets = null;
        if (options.Config.Secrets is SecretsSettings settings && chosen.Count > 0)
        {
            try
            {
                secrets = await new SecretsSource(_aws.S3, _log).ReadAsync(settings.Source, cancellationToken).ConfigureAwait(false);
            }
            catch (MightyOpsException e)
            {
                foreach (string name in chosen.Keys)
                {
                    onError(new MightyOpsException(e.Error, e.Kind, $"Service '{name}' was not deployed: {e.Message}", name, e));
                }
                return [];
            }
            if (settings.Mode == SecretsMode.Environment)
            {
                _log.Warning(SecretDelivery.EnvironmentModeWarning);
            }
        }
        string serviceAccount = active.Select(s => EcsArn.TryParse(s.ServiceArn ?? string.Empty, out EcsArn a) ? a.Account : null).FirstOrDefault(a => a is not null) ?? string.Empty;
        var rendering = new ConfigRendering(options.Config, secrets, serviceAccount, _aws.Region);

        var plans = new List<ServicePlan>();
        foreach (EcsService service in active.Where(s => chosen.ContainsKey(s.ServiceName!)))
        {
            string name = service.ServiceName!;
            IReadOnlyDictionary<string, ImageReference> images = chosen[name];
            List<ImageReference> problems = images.Values.Distinct().Where(missing.ContainsKey).ToList();
            if (problems.Count > 0)
            {
                foreach (ImageReference image in problems)
                {
                    MightyOpsException problem = missing[image];
                    string hint = problem.Is(AwsErrorIds.RepositoryNotFound)
                        ? " " + RepositoryHint(options, name, images.Where(i => i.Value == image).Select(i => i.Key), definitions[service.TaskDefinition!].TaskDefinition!)
                        : string.Empty;
                    onError(new MightyOpsException(problem.Error, problem.Kind,
                        $"Service '{name}' was not deployed: {problem.Message}{hint}", name, problem));
                }
                continue;
            }
            try
            {
                plans.Add(Plan(cluster, service, definitions[service.TaskDefinition!], images, options, rendering));
            }
            catch (MightyOpsException e)
            {
                onError(e);
            }
        }

        // A changed definition may have been registered already by a run that stopped before it
        // updated the service: the family's newest revision, if equal, is deployed instead.
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
                    onError(new MightyOpsException(e.Error, e.Kind, $"Service '{plan.Service}' was not deployed: {e.Message}", plan.Service, e) { RequestId = e.RequestId });
                    return;
                }
                lock (checkedPlans)
                {
                    checkedPlans.Add(plan);
                }
            }).ConfigureAwait(false);
        return plans.Where(p => p.Rendered is null || checkedPlans.Contains(p)).ToList();
    }

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
    private static string RepositoryHint(DeployOptions options, string service, IEnumerable<string> containers, EcsTaskDefinition live)
    {
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

    private ServicePlan Plan(string cluster, EcsService ecsService, DescribeTaskDefinitionResponse described, IReadOnlyDictionary<string, ImageReference> images, DeployOptions options, ConfigRendering rendering)
    {
        string service = ecsService.ServiceName!;
        EcsTaskDefinition live = described.TaskDefinition!;
        var tags = (described.Tags ?? [])
            .Where(t => t.Key is not ReleaseTag and not PreviousTaskDefinitionTag and not RequestTag)
            .Select(t => new EcsTag { Key = t.Key, Value = t.Value })
            .ToList();
        if (options.Images.ReleaseLabel(images) is string release)
        {
            tags.Add(new EcsTag { Key = ReleaseTag, Value = release });
        }
        tags.Add(new EcsTag { Key = PreviousTaskDefinitionTag, Value = live.TaskDefinitionArn });

        EnvironmentFile? secretsFile = null;
        S3Location? secretsSource = null;
        RegisterTaskDefinitionRequest rendered = TaskDefinitionRenderer.Render(
            live, images, rendering.Settings(service), rendering.Environment(service, (file, source) => (secretsFile, secretsSource) = (file, source)), tags);
        RegisterTaskDefinitionRequest copy = TaskDefinitionRenderer.Copy(live);
        bool unchanged = TaskDefinitionRenderer.SameDefinition(copy, rendered);
        IReadOnlyList<DefinitionChange> changes = unchanged ? [] : TaskDefinitionDiff.Compare(copy, rendered);
        _log.Verbose(unchanged
            ? $"{service}: the new definition equals {MightyServiceDeployment.ShortTaskDefinition(live.TaskDefinitionArn ?? string.Empty)}."
            : $"{service}: {changes.Count} change(s) to {MightyServiceDeployment.ShortTaskDefinition(live.TaskDefinitionArn ?? string.Empty)}: {string.Join("; ", changes)}");
        EcsDeployment? primary = ecsService.Deployments?.FirstOrDefault(d => d.Status == "PRIMARY");
        return new ServicePlan
        {
            PrimaryDeploymentId = primary?.Id,
            InFlight = unchanged ? InFlight(cluster, ecsService, primary, described) : null,
            Cluster = cluster,
            Service = service,
            Live = live,
            Rendered = unchanged ? null : rendered,
            Images = (rendered.ContainerDefinitions ?? []).Where(c => c.Name is not null).ToDictionary(c => c.Name!, c => c.Image ?? string.Empty, StringComparer.Ordinal),
            Changes = changes,
            ForceNewDeployment = options.ForceNewDeployment,
            SecretsFile = unchanged ? null : secretsFile,
            SecretsSource = secretsSource,
        };
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
    /// service at it. Returns the deployment to watch: the one started, the one still in progress
    /// of an unchanged plan, or null when the plan is unchanged and not forced (nothing is called).
    /// </summary>
    public async Task<WatchedDeployment?> StartAsync(ServicePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Unchanged && !plan.ForceNewDeployment)
        {
            return plan.InFlight;
        }
        string target = plan.LiveArn;
        if (plan.SecretsFile is EnvironmentFile file && plan.SecretsSource is S3Location source)
        {
            // Before the revision that points at it: a task must never start without its file.
            EnvironmentFileUpload upload = await new SecretsSource(_aws.S3, _log).PublishAsync(file, source, cancellationToken).ConfigureAwait(false);
            _log.Verbose($"{plan.Service}: secrets file {upload.Location} {(upload.Written ? "written" : "already there")}.");
        }
        if (plan.ExistingRevision is string existing)
        {
            target = existing;
        }
        else if (plan.Rendered is RegisterTaskDefinitionRequest rendered)
        {
            target = await new RevisionRegistrar(_aws, _log).RegisterAsync(plan.Service, rendered, plan.NewestRevision, cancellationToken).ConfigureAwait(false);
        }
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
        return WatchedDeployment.FromUpdate(plan.Cluster, plan.Service, updated.Service, target, plan.LiveArn, plan.Images);
    }
}
