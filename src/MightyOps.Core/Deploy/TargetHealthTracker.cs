using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Elbv2;

namespace MightyOps.Core.Deploy;

/// <summary>
/// The load-balanced part of the watch (docs/design/load-balanced-deploys.md): once per poll,
/// one DescribeTargetHealth per target group of the services being watched (whatever the number
/// of tasks); once per deployment, DescribeTargetGroups and DescribeTargetGroupAttributes for the
/// health-check settings and the deregistration delay. Targets present at the first look are the
/// old tasks'; the others are the new tasks'. A new target's failed health check is reported once.
/// </summary>
public sealed class TargetHealthTracker
{
    private readonly AwsSession _aws;
    private readonly IOperationLog _log;
    private readonly Dictionary<string, TargetGroupSettings> _settings = new(StringComparer.Ordinal);
    private readonly Dictionary<WatchedDeployment, Watched> _watched = [];

    public TargetHealthTracker(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    private readonly List<int> _callsPerPoll = [];

    /// <summary>DescribeTargetHealth calls made at each poll so far (one per target group of the services still watched).</summary>
    public IReadOnlyList<int> CallsPerPoll => _callsPerPoll;

    private sealed class Watched
    {
        public required List<string> Groups { get; init; }

        /// <summary>Target keys (group, id, port) seen at the first look: the old tasks'.</summary>
        public HashSet<string>? Before { get; set; }

        public HashSet<string> Reported { get; } = new(StringComparer.Ordinal);

        public List<(string Group, string Target, string Evidence)> Failures { get; } = [];

        public string Progress { get; set; } = string.Empty;
    }

    /// <summary>
    /// Reads the target health of every target group of <paramref name="services"/> (one call per
    /// group, shared by the services on it) and updates each deployment's view. A read that fails
    /// is logged and tried again at the next poll: the watch does not depend on it.
    /// </summary>
    public async Task PollAsync(IReadOnlyList<(WatchedDeployment Deployment, EcsService Service)> services, CancellationToken cancellationToken)
    {
        var added = new List<string>();
        foreach ((WatchedDeployment deployment, EcsService service) in services)
        {
            if (!_watched.ContainsKey(deployment))
            {
                List<string> groups = TargetGroupArns(service.LoadBalancers);
                _watched[deployment] = new Watched { Groups = groups };
                added.AddRange(groups);
            }
        }
        if (added.Count > 0)
        {
            // The settings of every new deployment's groups together: 20 ARNs to a DescribeTargetGroups.
            await LoadSettingsAsync(added.Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        }
        var health = new Dictionary<string, IReadOnlyList<TargetHealthDescription>>(StringComparer.Ordinal);
        _callsPerPoll.Add(0);
        foreach (string group in services.SelectMany(s => _watched[s.Deployment].Groups).Distinct(StringComparer.Ordinal))
        {
            try
            {
                _callsPerPoll[^1]++;
                health[group] = await _aws.Elbv2.DescribeTargetHealthAsync(group, cancellationToken).ConfigureAwait(false);
            }
            catch (MightyOpsException e)
            {
                _log.Verbose($"Reading the target health of {Elbv2Client.ShortName(group)} failed ({e.Message}); trying again at the next poll.");
            }
        }
        foreach ((WatchedDeployment deployment, _) in services)
        {
            Update(deployment, _watched[deployment], health);
        }
    }

    private void Update(WatchedDeployment deployment, Watched watched, Dictionary<string, IReadOnlyList<TargetHealthDescription>> health)
    {
        if (watched.Groups.Count == 0 || watched.Groups.Any(g => !health.ContainsKey(g)))
        {
            return;
        }
        watched.Before ??= watched.Groups.SelectMany(g => health[g].Select(t => Key(g, t))).ToHashSet(StringComparer.Ordinal);
        var parts = new List<string>();
        foreach (string group in watched.Groups)
        {
            string name = Elbv2Client.ShortName(group);
            List<TargetHealthDescription> fresh = health[group].Where(t => !watched.Before.Contains(Key(group, t))).ToList();
            int healthy = fresh.Count(t => t.TargetHealth?.State == "healthy");
            int draining = health[group].Count(t => t.TargetHealth?.State == "draining");
            string part = $"{healthy}/{fresh.Count} healthy in {name}";
            if (draining > 0)
            {
                int? delay = _settings.TryGetValue(group, out TargetGroupSettings? settings) ? settings.DeregistrationDelaySeconds : null;
                part += $", {draining} draining" + (delay is int d ? $" (deregistration delay {MightyDeploymentPhase.Clock(TimeSpan.FromSeconds(d))})" : string.Empty);
            }
            parts.Add(part);
            foreach (TargetHealthDescription target in fresh.Where(t => t.TargetHealth?.State == "unhealthy"))
            {
                if (watched.Reported.Add(Key(group, target)))
                {
                    string where = $"{target.Target?.Id}:{target.Target?.Port}";
                    string evidence = Evidence(target);
                    watched.Failures.Add((name, where, evidence));
                    _log.Information($"{deployment.Service}: target {where} is unhealthy in {name}: {evidence}", "MightyOps.TargetHealth");
                }
            }
        }
        watched.Progress = string.Join(", ", parts);
    }

    /// <summary>"1/2 healthy in web-tg, 2 draining (deregistration delay 5:00)"; empty for a service without target groups or before the first read.</summary>
    public string Progress(WatchedDeployment deployment) =>
        _watched.TryGetValue(deployment, out Watched? watched) ? watched.Progress : string.Empty;

    /// <summary>
    /// The new targets' failed health checks, for the failure report: "2 new targets failed the
    /// health checks of web-tg: Target.ResponseCodeMismatch: Health checks failed with these codes: [502]."
    /// Empty when none failed.
    /// </summary>
    public string Failures(WatchedDeployment deployment)
    {
        if (!_watched.TryGetValue(deployment, out Watched? watched) || watched.Failures.Count == 0)
        {
            return string.Empty;
        }
        string groups = string.Join(", ", watched.Failures.Select(f => f.Group).Distinct(StringComparer.Ordinal));
        string evidence = string.Join("; ", watched.Failures.Select(f => f.Evidence).Distinct(StringComparer.Ordinal));
        string targets = watched.Failures.Count == 1 ? "1 new target" : $"{watched.Failures.Count} new targets";
        return $"{targets} failed the health checks of {groups}: {evidence}.";
    }

    /// <summary>The target groups' settings of a deployment's service (empty when it has none).</summary>
    public IReadOnlyList<TargetGroupSettings> Settings(WatchedDeployment deployment) =>
        _watched.TryGetValue(deployment, out Watched? watched)
            ? watched.Groups.Where(_settings.ContainsKey).Select(g => _settings[g]).ToList()
            : [];

    /// <summary>Whether the deployment's service is behind at least one target group.</summary>
    public bool IsLoadBalanced(WatchedDeployment deployment) =>
        _watched.TryGetValue(deployment, out Watched? watched) && watched.Groups.Count > 0;

    private async Task LoadSettingsAsync(List<string> groups, CancellationToken cancellationToken)
    {
        List<string> unknown = groups.Where(g => !_settings.ContainsKey(g)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }
        try
        {
            foreach (TargetGroup group in await _aws.Elbv2.DescribeTargetGroupsAsync(unknown, cancellationToken).ConfigureAwait(false))
            {
                if (group.TargetGroupArn is not string arn)
                {
                    continue;
                }
                IReadOnlyDictionary<string, string> attributes = await _aws.Elbv2.DescribeTargetGroupAttributesAsync(arn, cancellationToken).ConfigureAwait(false);
                int? delay = attributes.TryGetValue(Elbv2Client.DeregistrationDelayKey, out string? text) && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds) ? seconds : null;
                _settings[arn] = new TargetGroupSettings(group.TargetGroupName ?? Elbv2Client.ShortName(arn), delay, group.HealthCheckIntervalSeconds, group.HealthyThresholdCount, group.UnhealthyThresholdCount);
            }
        }
        catch (MightyOpsException e)
        {
            _log.Verbose($"Reading the target groups failed ({e.Message}); the timeline's advice leaves them out.");
        }
    }

    /// <summary>"Target.ResponseCodeMismatch: Health checks failed with these codes: [502]".</summary>
    private static string Evidence(TargetHealthDescription target)
    {
        TargetHealth health = target.TargetHealth ?? new TargetHealth();
        string reason = TerminalText.Quote(health.Reason ?? "unhealthy", 80);
        return string.IsNullOrEmpty(health.Description) ? reason : $"{reason}: {TerminalText.Quote(health.Description, TerminalText.LineLength).TrimEnd('.')}";
    }

    private static string Key(string group, TargetHealthDescription target) => $"{group}|{target.Target?.Id}|{target.Target?.Port}";

    /// <summary>The target group ARNs of a service's <c>loadBalancers</c> (classic load balancers have none and are skipped).</summary>
    internal static List<string> TargetGroupArns(JsonArray? loadBalancers) =>
        (loadBalancers ?? [])
            .Select(lb => lb?["targetGroupArn"]?.GetValue<string>())
            .Where(arn => !string.IsNullOrEmpty(arn))
            .Select(arn => arn!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
