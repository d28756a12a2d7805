using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// At the end of a watched deployment: reads its tasks' times (ListTasks of the service, running
/// and stopped, and DescribeTasks in batches of 100: a few calls per deployment, none per poll),
/// builds its <see cref="DeploymentTimeline"/> and asks <see cref="DeploymentAdvice"/> about it
/// (docs/design/load-balanced-deploys.md).
/// </summary>
internal sealed class DeploymentTimelineReader
{
    private const int TasksRead = 100;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public DeploymentTimelineReader(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    public async Task RecordAsync(WatchedDeployment deployment, TargetHealthTracker targets, CancellationToken cancellationToken)
    {
        if (deployment.StartedAt is not DateTimeOffset started)
        {
            return;
        }
        try
        {
            List<EcsTask> tasks = [];
            foreach (string status in new[] { "RUNNING", "STOPPED" })
            {
                var arns = new List<string>();
                await foreach (string arn in _aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = deployment.Cluster, ServiceName = deployment.Service, DesiredStatus = status }, cancellationToken).ConfigureAwait(false))
                {
                    arns.Add(arn);
                    if (arns.Count == TasksRead)
                    {
                        break;
                    }
                }
                if (arns.Count > 0)
                {
                    tasks.AddRange((await _aws.Ecs.DescribeTasksAsync(deployment.Cluster, arns, includeTags: false, cancellationToken).ConfigureAwait(false)).Tasks ?? []);
                }
            }
            List<EcsTask> fresh = tasks.Where(t => t.TaskDefinitionArn == deployment.TaskDefinitionArn && t.CreatedAt >= started).ToList();
            List<EcsTask> old = tasks.Where(t => t.TaskDefinitionArn != deployment.TaskDefinitionArn && (t.StoppedAt ?? t.StoppingAt) >= started).ToList();
            bool loadBalanced = targets.IsLoadBalanced(deployment);
            var seen = new TimelineObservations
            {
                StartedAt = started,
                CompletedAt = deployment.CompletedAt,
                NewTasks = fresh.Select(Times).ToList(),
                OldTasks = old.Select(Times).ToList(),
                LoadBalanced = loadBalanced,
                DrainingStarted = deployment.Events.Where(e => e.Message.Contains("has begun draining connections", StringComparison.Ordinal)).Select(e => e.CreatedAt).ToList(),
                // The ledger's BAKE_TIME stage as the watch first saw it (docs/design/ecs-service-deployments.md).
                BakeTimeStartedAt = deployment.BakeStartedAt,
            };
            IReadOnlyList<MightyDeploymentPhase> timeline = DeploymentTimeline.Build(seen);
            EcsService? service = deployment.LastService;
            var input = new AdviceInput
            {
                Timeline = timeline,
                Status = deployment.Status.ToString(),
                DesiredCount = service?.DesiredCount ?? 0,
                MinimumHealthyPercent = service?.DeploymentConfiguration?.MinimumHealthyPercent,
                MaximumPercent = service?.DeploymentConfiguration?.MaximumPercent,
                HealthCheckGracePeriodSeconds = service?.HealthCheckGracePeriodSeconds,
                TargetGroups = targets.Settings(deployment),
                Pulls = fresh.Where(t => t.PullStartedAt is not null && t.PullStoppedAt is not null).Select(t => t.PullStoppedAt!.Value - t.PullStartedAt!.Value).ToList(),
                StopTimeoutSeconds = await StopTimeoutAsync(deployment, timeline, cancellationToken).ConfigureAwait(false),
            };
            deployment.Timeline = timeline;
            deployment.Advice = DeploymentAdvice.Advise(input);
        }
        catch (MightyOpsException e)
        {
            _log.Verbose($"{deployment.Service}: could not read the tasks for the timeline ({e.Message}).");
        }
    }

    private static TaskTimes Times(EcsTask t) => new(t.CreatedAt, t.PullStartedAt, t.PullStoppedAt, t.StartedAt, t.StoppingAt, t.StoppedAt);

    /// <summary>The old task definition's longest container stopTimeout (ECS's default 30 s), read only when stopping the old tasks took long enough to matter.</summary>
    private async Task<int?> StopTimeoutAsync(WatchedDeployment deployment, IReadOnlyList<MightyDeploymentPhase> timeline, CancellationToken cancellationToken)
    {
        if (deployment.PreviousTaskDefinitionArn.Length == 0 || !timeline.Any(p => p.Name == "StoppingOld" && p.Duration >= DeploymentAdvice.LongPhase))
        {
            return null;
        }
        EcsTaskDefinition? definition = (await _aws.Ecs.DescribeTaskDefinitionAsync(deployment.PreviousTaskDefinitionArn, includeTags: false, cancellationToken).ConfigureAwait(false)).TaskDefinition;
        return (definition?.ContainerDefinitions ?? [])
            .Select(c => c.Other is not null && c.Other.TryGetValue("stopTimeout", out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : DeploymentAdvice.DefaultStopTimeout)
            .DefaultIfEmpty(DeploymentAdvice.DefaultStopTimeout)
            .Max();
    }
}
