using System.Diagnostics;
using System.Globalization;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.AutoScaling;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Config;

namespace MightyOps.Core.Capacity;

/// <summary>What Set-MightyClusterCapacity was asked: a capacity, or -Fit with spare instances.</summary>
/// <param name="Cluster">The cluster whose container instances the group's instances are.</param>
/// <param name="Group">The Auto Scaling group.</param>
/// <param name="DesiredCapacity">-DesiredCapacity, or null for -Fit.</param>
/// <param name="SpareInstances">-SpareInstances (with -Fit).</param>
/// <param name="InstancesNeeded">InstancesNeeded as Get-MightyCapacity piped it; null to work it out here.</param>
/// <param name="RaiseMaximum">-RaiseMaximum: raise MaxSize to the new capacity when it is above.</param>
public sealed record ClusterScaleRequest(string Cluster, string Group, int? DesiredCapacity, int SpareInstances = 0, int? InstancesNeeded = null, bool RaiseMaximum = false);

/// <summary>One instance a scale-in drains and terminates, and the service tasks that move off it.</summary>
/// <param name="Ec2InstanceId">The EC2 instance.</param>
/// <param name="Instance">Its container instance; null when it never registered with the cluster.</param>
/// <param name="Tasks">Service name to the number of its tasks on the instance.</param>
public sealed record DrainStep(string Ec2InstanceId, CapacityInstance? Instance, IReadOnlyDictionary<string, int> Tasks)
{
    /// <summary>The service tasks that move, as DescribeTasks gave them.</summary>
    internal IReadOnlyList<EcsTask> Moving { get; init; } = [];

    public int TaskCount => Tasks.Values.Sum();

    public override string ToString() =>
        TaskCount == 0
            ? $"{Ec2InstanceId}{Zone}: no tasks"
            : $"{Ec2InstanceId}{Zone}: {TaskCount} task{(TaskCount == 1 ? string.Empty : "s")} move ({string.Join(", ", Tasks.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Value == 1 ? t.Key : $"{t.Key} ×{t.Value}"))})";

    private string Zone => Instance?.AvailabilityZone is string zone ? $" ({zone})" : string.Empty;
}

/// <summary>What a Set-MightyClusterCapacity run will do to one group, worked out before anything changes.</summary>
public sealed class ScalePlan
{
    public required string Cluster { get; init; }

    public required AutoScalingGroup Group { get; init; }

    public string Name => Group.AutoScalingGroupName ?? string.Empty;

    public required int From { get; init; }

    public required int To { get; init; }

    /// <summary>Why <see cref="To"/>, in words ("InstancesNeeded 9 + 1 spare").</summary>
    public required string Reason { get; init; }

    /// <summary>MaxSize is raised to <see cref="To"/> first (-RaiseMaximum).</summary>
    public bool RaiseMaximum { get; init; }

    /// <summary>For a scale-in: the instances drained and terminated, fewest tasks first.</summary>
    public IReadOnlyList<DrainStep> Drains { get; init; } = [];

    /// <summary>The services counted in the group, and their tasks waiting for room before the change.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    public int TasksWaitingBefore { get; init; }

    public bool Changes => To != From;

    /// <summary>The plan in words, for -WhatIf and -Confirm.</summary>
    public string Describe()
    {
        if (!Changes)
        {
            return $"Leave Auto Scaling group {Name} at {From} ({Reason})";
        }
        if (To > From)
        {
            return $"Set the desired capacity of Auto Scaling group {Name} from {From} to {To} ({Reason}){(RaiseMaximum ? $", raising MaxSize from {Group.MaxSize} to {To}" : string.Empty)}, and wait until the {To - From} new instance{(To - From == 1 ? " registers" : "s register")} with cluster {Cluster}";
        }
        string steps = string.Concat(Drains.Select(d => $"{Environment.NewLine}    drain and terminate {d}"));
        return $"Scale Auto Scaling group {Name} in from {From} to {To} ({Reason}): set {Drains.Count} instance{(Drains.Count == 1 ? string.Empty : "s")} DRAINING, wait until ECS has moved their service tasks to the other instances, then terminate {(Drains.Count == 1 ? "it" : "them")}:{steps}{Environment.NewLine}";
    }
}

/// <summary>Where a change stands, for the progress display.</summary>
/// <param name="Status">What is happening, in words.</param>
/// <param name="PercentComplete">0 to 100.</param>
public sealed record ScaleProgress(string Status, int PercentComplete);

/// <summary>
/// Set-MightyClusterCapacity's engine (docs/design/capacity-and-placement.md, "Sizing a group"):
/// plans a group's new capacity from what was asked (a number, or InstancesNeeded and spare
/// instances), refuses what it must not do before anything changes (a group ECS manages, beyond
/// MaxSize, a scale-in the other instances cannot absorb), then scales out (SetDesiredCapacity and
/// a wait until the new instances registered) or in (drain the instances with the fewest tasks,
/// wait until ECS moved their service tasks, terminate them with the desired capacity lowered).
/// </summary>
public sealed class ClusterScaler
{
    /// <summary>How often the waits look.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly TimeSpan _poll;

    public ClusterScaler(AwsSession aws, IOperationLog log, TimeSpan? pollInterval = null)
    {
        _aws = aws;
        _log = log;
        _poll = pollInterval ?? PollInterval;
    }

    /// <summary>Reads the group and the cluster and works out the change; throws the refusals, nothing changes.</summary>
    public async Task<ScalePlan> PlanAsync(ClusterScaleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AutoScalingGroup group = await FindGroupAsync(request.Group, cancellationToken).ConfigureAwait(false);
        var reader = new CapacityReader(_aws, _log);
        CapacitySnapshot snapshot = await reader.ReadAsync(request.Cluster, null, null, e => _log.Warning(e.Message), cancellationToken).ConfigureAwait(false);
        EcsCapacityProvider? provider = snapshot.ProviderOf(group);
        if (provider is null && group.Tags?.Any(t => t.Key == CapacityReader.ManagedTag) == true)
        {
            DescribeCapacityProvidersResponse all = await _aws.Ecs.DescribeCapacityProvidersAsync(null, cancellationToken).ConfigureAwait(false);
            provider = new CapacitySnapshot { Cluster = request.Cluster, Instances = [], Providers = all.CapacityProviders ?? [] }.ProviderOf(group);
        }
        if (provider?.AutoScalingGroupProvider?.ManagedScaling?.Status == "ENABLED")
        {
            throw new MightyOpsException(CapacityErrorIds.ManagedByCapacityProvider,
                $"Auto Scaling group '{request.Group}' serves capacity provider '{provider.Name}', which has managed scaling on: ECS sets its capacity, and MightyOps does not change it. Turn managed scaling off for '{provider.Name}' to size the group by hand.",
                request.Group);
        }
        GroupCapacity? capacity = CapacityReport.Build(snapshot).FirstOrDefault(g => g.Name == request.Group);
        int from = group.DesiredCapacity ?? 0;
        int min = group.MinSize ?? 0;
        int max = group.MaxSize ?? int.MaxValue;
        int to;
        string reason;
        if (request.DesiredCapacity is int asked)
        {
            to = asked;
            reason = "asked for";
            if (to < min)
            {
                throw new MightyOpsException(CapacityErrorIds.BelowMinSize,
                    $"Auto Scaling group '{request.Group}' has MinSize {min}, so it cannot be set to {to}. Ask for {min} or more, or lower MinSize first (aws autoscaling update-auto-scaling-group --auto-scaling-group-name {request.Group} --min-size {to}).",
                    request.Group);
            }
        }
        else
        {
            int needed = request.InstancesNeeded ?? capacity?.InstancesNeeded
                ?? throw new MightyOpsException(CapacityErrorIds.CapacityUnknown,
                    $"Auto Scaling group '{request.Group}' has no container instance in cluster '{request.Cluster}', so the CPU and memory of its instance type are not known and -Fit cannot work out how many it needs. Pass -DesiredCapacity, or check -Cluster.",
                    request.Group);
            to = needed + request.SpareInstances;
            reason = request.SpareInstances > 0 ? $"InstancesNeeded {needed} + {request.SpareInstances} spare" : $"InstancesNeeded {needed}";
            if (to < min)
            {
                reason += $", raised to MinSize {min}";
                to = min;
            }
        }
        bool raise = false;
        if (to > max)
        {
            if (!request.RaiseMaximum)
            {
                throw new MightyOpsException(CapacityErrorIds.MaxSizeExceeded,
                    $"Auto Scaling group '{request.Group}' has MaxSize {max}, and {to} instances were asked for ({reason}). Pass -RaiseMaximum to raise MaxSize to {to} with it, or ask for {max} or fewer.",
                    request.Group);
            }
            raise = true;
        }
        List<CapacityService> services = capacity?.Services.ToList() ?? [];
        var plan = new ScalePlan
        {
            Cluster = request.Cluster,
            Group = group,
            From = from,
            To = to,
            Reason = reason,
            RaiseMaximum = raise,
            Services = services.Select(s => s.Name).ToList(),
            TasksWaitingBefore = services.Sum(s => s.Missing),
        };
        if (to >= from)
        {
            return plan;
        }
        IReadOnlyList<DrainStep> drains = await PlanDrainsAsync(request, group, snapshot, from - to, cancellationToken).ConfigureAwait(false);
        return new ScalePlan
        {
            Cluster = plan.Cluster,
            Group = plan.Group,
            From = plan.From,
            To = plan.To,
            Reason = plan.Reason,
            Services = plan.Services,
            TasksWaitingBefore = plan.TasksWaitingBefore,
            Drains = drains,
        };
    }

    /// <summary>
    /// Carries <paramref name="plan"/> out. <paramref name="onDrained"/> hears the EC2 ids of the
    /// instances set DRAINING as soon as they are (what Ctrl+C must report); the waits stop at
    /// <paramref name="timeout"/> with CapacityTimedOut, and at once with <paramref name="noWait"/>.
    /// </summary>
    public async Task<MightyCapacityChange> ApplyAsync(ScalePlan plan, IProgress<ScaleProgress> progress, Action<IReadOnlyList<string>> onDrained, TimeSpan timeout, bool noWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(onDrained);
        var clock = Stopwatch.StartNew();
        if (!plan.Changes)
        {
            return Change(plan, "Unchanged", clock.Elapsed);
        }
        return plan.To > plan.From
            ? await ScaleOutAsync(plan, progress, timeout, noWait, clock, cancellationToken).ConfigureAwait(false)
            : await ScaleInAsync(plan, progress, onDrained, timeout, noWait, clock, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MightyCapacityChange> ScaleOutAsync(ScalePlan plan, IProgress<ScaleProgress> progress, TimeSpan timeout, bool noWait, Stopwatch clock, CancellationToken cancellationToken)
    {
        HashSet<string> before = (plan.Group.Instances ?? []).Select(i => i.InstanceId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (plan.RaiseMaximum)
        {
            await _aws.AutoScaling.SetMaxSizeAsync(plan.Name, plan.To, cancellationToken).ConfigureAwait(false);
            _log.Verbose($"Auto Scaling group {plan.Name}: MaxSize {plan.Group.MaxSize} → {plan.To}.");
        }
        await _aws.AutoScaling.SetDesiredCapacityAsync(plan.Name, plan.To, cancellationToken).ConfigureAwait(false);
        _log.Verbose($"Auto Scaling group {plan.Name}: desired capacity {plan.From} → {plan.To}.");
        if (noWait)
        {
            return Change(plan, "Started", clock.Elapsed);
        }
        int expected = plan.To - plan.From;
        List<string> registered = [];
        while (true)
        {
            IReadOnlyList<AutoScalingGroup> now = await _aws.AutoScaling.DescribeGroupsAsync([plan.Name], cancellationToken).ConfigureAwait(false);
            HashSet<string> launched = (now.FirstOrDefault()?.Instances ?? [])
                .Where(i => i.InstanceId is not null && !before.Contains(i.InstanceId) && i.LifecycleState is not null && !i.LifecycleState.StartsWith("Terminat", StringComparison.Ordinal))
                .Select(i => i.InstanceId!)
                .ToHashSet(StringComparer.Ordinal);
            List<EcsContainerInstance> instances = await ContainerInstancesAsync(plan.Cluster, cancellationToken).ConfigureAwait(false);
            registered = instances.Where(i => i.Status == "ACTIVE" && i.Ec2InstanceId is string id && launched.Contains(id)).Select(i => i.Ec2InstanceId!).Order(StringComparer.Ordinal).ToList();
            progress.Report(new ScaleProgress($"{plan.Name}: {registered.Count} of {expected} new instance{(expected == 1 ? string.Empty : "s")} registered with {plan.Cluster} ({launched.Count} launched)", Math.Min(99, registered.Count * 100 / expected)));
            if (registered.Count >= expected)
            {
                break;
            }
            if (clock.Elapsed > timeout)
            {
                throw new MightyOpsException(CapacityErrorIds.CapacityTimedOut,
                    $"Auto Scaling group {plan.Name} is at desired capacity {plan.To}, but after {Minutes(timeout)} only {registered.Count} of its {expected} new instances have registered with cluster {plan.Cluster} ({launched.Count} launched). They keep launching; Get-MightyCapacity -Cluster {plan.Cluster} shows when they are there, and 'aws autoscaling describe-scaling-activities --auto-scaling-group-name {plan.Name}' why not.",
                    plan.Name);
            }
            await Task.Delay(_poll, cancellationToken).ConfigureAwait(false);
        }
        int placed = await WaitForPlacementAsync(plan, progress, cancellationToken).ConfigureAwait(false);
        return Change(plan, "Completed", clock.Elapsed, registered: registered, placed: placed);
    }

    // Tasks that waited for room get placed within a scheduler pass or two of the instances registering.
    private async Task<int> WaitForPlacementAsync(ScalePlan plan, IProgress<ScaleProgress> progress, CancellationToken cancellationToken)
    {
        if (plan.TasksWaitingBefore == 0 || plan.Services.Count == 0)
        {
            return 0;
        }
        int waiting = plan.TasksWaitingBefore;
        int unchanged = 0;
        for (int poll = 0; poll < 15 && waiting > 0 && unchanged < 3; poll++)
        {
            await Task.Delay(_poll, cancellationToken).ConfigureAwait(false);
            DescribeServicesResponse described = await _aws.Ecs.DescribeServicesAsync(plan.Cluster, plan.Services, cancellationToken).ConfigureAwait(false);
            int now = (described.Services ?? []).Sum(s => Math.Max(0, s.DesiredCount - s.RunningCount - s.PendingCount));
            unchanged = now == waiting ? unchanged + 1 : 0;
            waiting = now;
            progress.Report(new ScaleProgress($"{plan.Name}: {plan.TasksWaitingBefore - Math.Min(waiting, plan.TasksWaitingBefore)} of {plan.TasksWaitingBefore} waiting tasks placed", 99));
        }
        return Math.Max(0, plan.TasksWaitingBefore - waiting);
    }

    private async Task<MightyCapacityChange> ScaleInAsync(ScalePlan plan, IProgress<ScaleProgress> progress, Action<IReadOnlyList<string>> onDrained, TimeSpan timeout, bool noWait, Stopwatch clock, CancellationToken cancellationToken)
    {
        List<DrainStep> toDrain = plan.Drains.Where(d => d.Instance is { IsDraining: false }).ToList();
        List<string> drained = plan.Drains.Where(d => d.Instance is not null).Select(d => d.Ec2InstanceId).ToList();
        if (toDrain.Count > 0)
        {
            UpdateContainerInstancesStateResponse updated = await _aws.Ecs.UpdateContainerInstancesStateAsync(
                plan.Cluster, toDrain.Select(d => d.Instance!.ContainerInstanceArn), "DRAINING", cancellationToken).ConfigureAwait(false);
            if (updated.Failures is { Count: > 0 } failures)
            {
                throw new MightyOpsException(AwsErrorIds.AwsRequestFailed,
                    $"ECS did not set every instance DRAINING ({string.Join("; ", failures.Select(f => $"{f.Arn}: {f.Reason}"))}); nothing was terminated. Run the command again.",
                    plan.Name);
            }
        }
        onDrained(drained);
        _log.Verbose($"Auto Scaling group {plan.Name}: {string.Join(", ", drained)} DRAINING.");
        if (noWait)
        {
            return Change(plan, "Started", clock.Elapsed, drained: drained);
        }
        List<string> arns = plan.Drains.Where(d => d.Instance is not null).Select(d => d.Instance!.ContainerInstanceArn).ToList();
        int total = Math.Max(1, plan.Drains.Sum(d => d.TaskCount));
        while (arns.Count > 0)
        {
            DescribeContainerInstancesResponse described = await _aws.Ecs.DescribeContainerInstancesAsync(plan.Cluster, arns, cancellationToken).ConfigureAwait(false);
            int left = (described.ContainerInstances ?? []).Sum(i => i.RunningTasksCount + i.PendingTasksCount);
            progress.Report(new ScaleProgress($"{plan.Name}: {left} task{(left == 1 ? string.Empty : "s")} left on {arns.Count} draining instance{(arns.Count == 1 ? string.Empty : "s")}", Math.Clamp((total - left) * 90 / total, 0, 90)));
            if (left == 0)
            {
                break;
            }
            if (clock.Elapsed > timeout)
            {
                throw new MightyOpsException(CapacityErrorIds.CapacityTimedOut,
                    $"After {Minutes(timeout)} the draining instances {string.Join(", ", drained)} still run {left} task{(left == 1 ? string.Empty : "s")}; nothing was terminated. {Bringback(plan.Cluster, plan.Drains)}",
                    plan.Name);
            }
            await Task.Delay(_poll, cancellationToken).ConfigureAwait(false);
        }
        var terminated = new List<string>();
        foreach (DrainStep step in plan.Drains)
        {
            progress.Report(new ScaleProgress($"{plan.Name}: terminating {step.Ec2InstanceId}", 90 + (terminated.Count * 10 / plan.Drains.Count)));
            await _aws.AutoScaling.TerminateInstanceAsync(plan.Name, step.Ec2InstanceId, decrementDesiredCapacity: true, cancellationToken).ConfigureAwait(false);
            terminated.Add(step.Ec2InstanceId);
            _log.Verbose($"Auto Scaling group {plan.Name}: {step.Ec2InstanceId} terminating (desired capacity lowered with it).");
        }
        return Change(plan, "Completed", clock.Elapsed, drained: drained, terminated: terminated);
    }

    /// <summary>How to put drained instances back into service: what a stopped scale-in says.</summary>
    public static string Bringback(string cluster, IEnumerable<DrainStep> drains)
    {
        List<DrainStep> drained = drains.Where(d => d.Instance is not null).ToList();
        if (drained.Count == 0)
        {
            return string.Empty;
        }
        return $"The instances set DRAINING stay DRAINING: run the same command again to finish the scale-in, or put them back into service with 'aws ecs update-container-instances-state --cluster {cluster} --status ACTIVE --container-instances {string.Join(' ', drained.Select(d => d.Instance!.Id))}'.";
    }

    private async Task<AutoScalingGroup> FindGroupAsync(string name, CancellationToken cancellationToken)
    {
        IReadOnlyList<AutoScalingGroup> found = await _aws.AutoScaling.DescribeGroupsAsync([name], cancellationToken).ConfigureAwait(false);
        if (found.FirstOrDefault(g => g.AutoScalingGroupName == name) is AutoScalingGroup group)
        {
            return group;
        }
        IReadOnlyList<AutoScalingGroup> all = await _aws.AutoScaling.DescribeAllGroupsAsync(cancellationToken).ConfigureAwait(false);
        List<string> names = all.Select(g => g.AutoScalingGroupName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        string? near = names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) ?? ConfigErrors.Suggest(name, names);
        string hint = near is not null
            ? $" Did you mean '{near}'?"
            : names.Count > 0 ? $" The groups there are: {string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", …" : string.Empty)}." : " There are no Auto Scaling groups there.";
        throw new MightyOpsException(CapacityErrorIds.AutoScalingGroupNotFound,
            $"Auto Scaling group '{TerminalText.Quote(name)}' was not found in {_aws.Region}.{hint}",
            name);
    }

    // Which instances a scale-in takes (docs/design/capacity-and-placement.md, "Sizing a group"):
    // instances already DRAINING, then instances that never registered, then the fewest tasks, the
    // fullest Availability Zone first; and whether the instances left can take their service tasks.
    private async Task<IReadOnlyList<DrainStep>> PlanDrainsAsync(ClusterScaleRequest request, AutoScalingGroup group, CapacitySnapshot snapshot, int count, CancellationToken cancellationToken)
    {
        Dictionary<string, CapacityInstance> registered = snapshot.Instances
            .Where(i => i.IsActive || i.IsDraining)
            .GroupBy(i => i.Ec2InstanceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        List<AutoScalingInstance> members = (group.Instances ?? [])
            .Where(i => i.InstanceId is not null && i.LifecycleState is "InService" or "Pending")
            .ToList();
        Dictionary<string, int> perZone = members.GroupBy(i => i.AvailabilityZone ?? string.Empty).ToDictionary(g => g.Key, g => g.Count());
        List<AutoScalingInstance> ordered = members
            .OrderByDescending(i => registered.GetValueOrDefault(i.InstanceId!)?.IsDraining == true)
            .ThenByDescending(i => !registered.ContainsKey(i.InstanceId!))
            .ThenBy(i => registered.GetValueOrDefault(i.InstanceId!) is CapacityInstance c ? c.RunningTasks + c.PendingTasks : 0)
            .ThenByDescending(i => perZone.GetValueOrDefault(i.AvailabilityZone ?? string.Empty))
            .ThenBy(i => i.InstanceId, StringComparer.Ordinal)
            .ToList();

        var chosen = new List<DrainStep>();
        var refused = new List<string>();
        Dictionary<string, TaskRequirements> definitions = snapshot.Services
            .Where(s => s.Service.TaskDefinition is not null)
            .GroupBy(s => s.Service.TaskDefinition!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Task, StringComparer.Ordinal);
        foreach (AutoScalingInstance member in ordered)
        {
            if (chosen.Count == count)
            {
                break;
            }
            CapacityInstance? instance = registered.GetValueOrDefault(member.InstanceId!);
            if (instance is null || instance.RunningTasks + instance.PendingTasks == 0)
            {
                chosen.Add(new DrainStep(member.InstanceId!, instance, new Dictionary<string, int>(StringComparer.Ordinal)));
                continue;
            }
            List<EcsTask> tasks = await TasksOnAsync(request.Cluster, instance, cancellationToken).ConfigureAwait(false);
            EcsTask? standalone = tasks.FirstOrDefault(t => t.Group is null || !t.Group.StartsWith("service:", StringComparison.Ordinal));
            if (standalone is not null)
            {
                refused.Add($"{member.InstanceId} runs task {EcsArn.LastSegment(standalone.TaskArn ?? string.Empty)} (started by {standalone.StartedBy ?? "a user"}), which belongs to no service");
                continue;
            }
            foreach (string arn in tasks.Select(t => t.TaskDefinitionArn).OfType<string>().Where(a => !definitions.ContainsKey(a)).Distinct(StringComparer.Ordinal))
            {
                DescribeTaskDefinitionResponse described = await _aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: false, cancellationToken).ConfigureAwait(false);
                definitions[arn] = described.TaskDefinition is EcsTaskDefinition d ? TaskRequirements.Of(d) : TaskRequirements.None;
            }
            chosen.Add(new DrainStep(member.InstanceId!, instance, tasks
                .GroupBy(t => t.Group!["service:".Length..], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal))
            {
                Moving = tasks,
            });
        }
        if (chosen.Count < count)
        {
            string why = refused.Count > 0 ? $" {string.Join("; ", refused)}: ECS does not move such tasks, so draining would never end." : string.Empty;
            throw new MightyOpsException(refused.Count > 0 ? CapacityErrorIds.TaskNotMovable : CapacityErrorIds.InsufficientCapacity,
                $"Auto Scaling group '{request.Group}' cannot lose {count} instance{(count == 1 ? string.Empty : "s")}: only {chosen.Count} can be drained.{why} Nothing was drained.",
                request.Group);
        }
        CheckAbsorbed(request, snapshot, chosen, definitions, (group.DesiredCapacity ?? 0) - count);
        return chosen;
    }

    // The instances left (this group's and any other the services may use) must take every service
    // task of the drained ones, placed as ECS would place them; else refuse before draining anything.
    private static void CheckAbsorbed(ClusterScaleRequest request, CapacitySnapshot snapshot, List<DrainStep> chosen, Dictionary<string, TaskRequirements> definitions, int to)
    {
        HashSet<string> leaving = chosen.Select(c => c.Ec2InstanceId).ToHashSet(StringComparer.Ordinal);
        List<CapacityInstance> staying = snapshot.Instances.Where(i => i.IsActive && !leaving.Contains(i.Ec2InstanceId)).ToList();
        var simulator = new PlacementSimulator(staying);
        Dictionary<string, CapacityService> services = snapshot.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var placedPer = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (DrainStep step in chosen)
        {
            foreach (EcsTask task in step.Moving)
            {
                string name = task.Group!["service:".Length..];
                CapacityService? service = services.GetValueOrDefault(name);
                TaskRequirements requirements = task.TaskDefinitionArn is string arn && definitions.TryGetValue(arn, out TaskRequirements? known) ? known : service?.Task ?? TaskRequirements.None;
                TaskPlacement placement = service?.Placement ?? TaskPlacement.Anywhere;
                HashSet<CapacityInstance> eligible = service is null ? staying.ToHashSet() : CapacityReport.Eligible(snapshot, service, staying).ToHashSet();
                int moving = chosen.Sum(c => c.Tasks.GetValueOrDefault(name));
                int already = placedPer.GetValueOrDefault(name);
                PlacementResult result = simulator.Place(name, requirements, placement, Math.Max(0, (service?.Running ?? 0) - moving) + already, eligible.Contains);
                if (!result.Placed)
                {
                    int tasks = chosen.Sum(c => c.TaskCount);
                    throw new MightyOpsException(CapacityErrorIds.InsufficientCapacity,
                        $"Scaling Auto Scaling group '{request.Group}' in to {to} would leave no room for the {tasks} service task{(tasks == 1 ? string.Empty : "s")} of {string.Join(", ", chosen.Select(c => c.Ec2InstanceId))}: a task of {name} ({requirements}) would not fit on the instances left ({CapacityReport.Explain(result, requirements)}). Nothing was drained. Keep more instances, or lower the services' desired counts first.",
                        request.Group);
                }
                placedPer[name] = already + 1;
            }
        }
    }

    private async Task<List<EcsTask>> TasksOnAsync(string cluster, CapacityInstance instance, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        await foreach (string arn in _aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = cluster, ContainerInstance = instance.ContainerInstanceArn, DesiredStatus = "RUNNING" }, cancellationToken).ConfigureAwait(false))
        {
            arns.Add(arn);
        }
        if (arns.Count == 0)
        {
            return [];
        }
        DescribeTasksResponse described = await _aws.Ecs.DescribeTasksAsync(cluster, arns, includeTags: false, cancellationToken).ConfigureAwait(false);
        return described.Tasks ?? [];
    }

    private async Task<List<EcsContainerInstance>> ContainerInstancesAsync(string cluster, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        await foreach (string arn in _aws.Ecs.ListContainerInstancesAsync(cluster, null, cancellationToken).ConfigureAwait(false))
        {
            arns.Add(arn);
        }
        return arns.Count == 0 ? [] : (await _aws.Ecs.DescribeContainerInstancesAsync(cluster, arns, cancellationToken).ConfigureAwait(false)).ContainerInstances ?? [];
    }

    private static MightyCapacityChange Change(ScalePlan plan, string status, TimeSpan duration, IReadOnlyList<string>? drained = null, IReadOnlyList<string>? terminated = null, IReadOnlyList<string>? registered = null, int placed = 0) => new()
    {
        Cluster = plan.Cluster,
        AutoScalingGroup = plan.Name,
        From = plan.From,
        To = plan.Changes ? plan.To : plan.From,
        Status = status,
        Drained = drained ?? [],
        Terminated = terminated ?? [],
        Registered = registered ?? [],
        TasksPlaced = placed,
        Duration = duration,
    };

    private static string Minutes(TimeSpan time) =>
        time.TotalMinutes >= 1 ? $"{time.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} minutes" : $"{time.TotalSeconds:0} s";
}
