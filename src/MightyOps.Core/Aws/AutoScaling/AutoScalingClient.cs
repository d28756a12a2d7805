using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Query;

namespace MightyOps.Core.Aws.AutoScaling;

/// <summary>
/// Amazon EC2 Auto Scaling over the query protocol (docs/design/query-protocol.md): the groups of
/// a cluster's instances, their size, and the instances they terminate. Paging follows
/// <c>NextToken</c>; group names go 50 to a call (the model's limit, docs/design/batch-limits.md).
/// Writes are safe to send again where they are absolute (SetDesiredCapacity, UpdateAutoScalingGroup);
/// a termination is looked for before it is sent again (docs/design/retries-and-timeouts.md).
/// </summary>
public sealed class AutoScalingClient
{
    public const string ApiVersion = "2011-01-01";

    /// <summary>Group names per DescribeAutoScalingGroups call (the model: "up to 50 names").</summary>
    public const int NamesPerCall = 50;

    /// <summary>The most records a page holds (MaxRecords at most 100).</summary>
    public const int PageSize = 100;

    internal AutoScalingClient(AwsQueryClient query)
    {
        Query = query;
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint => Query.Endpoint;

    internal AwsQueryClient Query { get; }

    /// <summary>The groups with these names, with their instances; names that are not groups are simply absent (AWS answers so).</summary>
    public async Task<IReadOnlyList<AutoScalingGroup>> DescribeGroupsAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var groups = new List<AutoScalingGroup>();
        foreach (string[] batch in EcsClient.Distinct(names).Chunk(NamesPerCall))
        {
            groups.AddRange(await DescribePagesAsync([.. batch], includeInstances: true, batch.Length == 1 ? batch[0] : null, cancellationToken).ConfigureAwait(false));
        }
        return groups;
    }

    /// <summary>Every group of the account and region, without their instances (for completion and did-you-mean).</summary>
    public Task<IReadOnlyList<AutoScalingGroup>> DescribeAllGroupsAsync(CancellationToken cancellationToken) =>
        DescribePagesAsync(null, includeInstances: false, null, cancellationToken);

    private async Task<IReadOnlyList<AutoScalingGroup>> DescribePagesAsync(List<string>? names, bool includeInstances, string? target, CancellationToken cancellationToken)
    {
        var groups = new List<AutoScalingGroup>();
        string? token = null;
        do
        {
            DescribeAutoScalingGroupsResponse page = await Query.InvokeAsync<DescribeAutoScalingGroupsRequest, DescribeAutoScalingGroupsResponse>(
                "DescribeAutoScalingGroups",
                new DescribeAutoScalingGroupsRequest { AutoScalingGroupNames = names, IncludeInstances = includeInstances ? null : false, NextToken = token, MaxRecords = PageSize },
                target,
                cancellationToken).ConfigureAwait(false);
            groups.AddRange(page.AutoScalingGroups ?? []);
            token = EcsClient.NextToken(token, page.NextToken, "DescribeAutoScalingGroups");
        }
        while (token is not null);
        return groups;
    }

    /// <summary>
    /// Sets the group's desired capacity. Absolute, so an attempt whose answer was lost is sent
    /// again as it is: twice is the same capacity. Outside MinSize..MaxSize AWS refuses it (ValidationError).
    /// </summary>
    public Task<SetDesiredCapacityResponse> SetDesiredCapacityAsync(string group, int desiredCapacity, CancellationToken cancellationToken) =>
        Query.InvokeAsync<SetDesiredCapacityRequest, SetDesiredCapacityResponse>(
            "SetDesiredCapacity",
            new SetDesiredCapacityRequest { AutoScalingGroupName = group, DesiredCapacity = desiredCapacity, HonorCooldown = false },
            group,
            cancellationToken);

    /// <summary>Sets the group's MaxSize (absolute, sent again as it is after a lost answer).</summary>
    public Task<UpdateAutoScalingGroupResponse> SetMaxSizeAsync(string group, int maxSize, CancellationToken cancellationToken) =>
        Query.InvokeAsync<UpdateAutoScalingGroupRequest, UpdateAutoScalingGroupResponse>(
            "UpdateAutoScalingGroup",
            new UpdateAutoScalingGroupRequest { AutoScalingGroupName = group, MaxSize = maxSize },
            group,
            cancellationToken);

    /// <summary>
    /// Terminates one instance of <paramref name="group"/>, lowering the desired capacity with it
    /// when <paramref name="decrementDesiredCapacity"/> (else the group launches a replacement).
    /// Not absolute: sent twice, the second would find the instance terminating and fail, or with
    /// the decrement lower the capacity once more. So after an attempt that leaves open whether it
    /// ran, the group's scaling activities are read: an activity "Terminating EC2 instance: &lt;id&gt;"
    /// started since this call means it ran (docs/design/retries-and-timeouts.md).
    /// </summary>
    public Task<ScalingActivityResponse> TerminateInstanceAsync(string group, string instanceId, bool decrementDesiredCapacity, CancellationToken cancellationToken)
    {
        DateTimeOffset sentAfter = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5);
        var write = new AwsWriteCheck<ScalingActivityResponse>(
            $"a scaling activity 'Terminating EC2 instance: {instanceId}' of Auto Scaling group '{group}'",
            async ct => await FindTerminationAsync(group, instanceId, sentAfter, ct).ConfigureAwait(false) is ScalingActivity found
                ? new ScalingActivityResponse { Activity = found }
                : null,
            $"See whether instance {instanceId} is terminating with 'aws autoscaling describe-scaling-activities --auto-scaling-group-name {group}' before running the command again.");
        return Query.InvokeAsync(
            "TerminateInstanceInAutoScalingGroup",
            new TerminateInstanceInAutoScalingGroupRequest { InstanceId = instanceId, ShouldDecrementDesiredCapacity = decrementDesiredCapacity },
            instanceId,
            write,
            cancellationToken);
    }

    /// <summary>The group's newest scaling activities (one page, newest first).</summary>
    public async Task<IReadOnlyList<ScalingActivity>> DescribeScalingActivitiesAsync(string group, int maxRecords, CancellationToken cancellationToken)
    {
        DescribeScalingActivitiesResponse page = await Query.InvokeAsync<DescribeScalingActivitiesRequest, DescribeScalingActivitiesResponse>(
            "DescribeScalingActivities",
            new DescribeScalingActivitiesRequest { AutoScalingGroupName = group, MaxRecords = Math.Clamp(maxRecords, 1, PageSize) },
            group,
            cancellationToken).ConfigureAwait(false);
        return page.Activities ?? [];
    }

    // The activity a termination starts is described "Terminating EC2 instance: <id>" (the AWS CLI's
    // own example of terminate-instance-in-auto-scaling-group); the clock is AWS's, so the window is wide.
    private async Task<ScalingActivity?> FindTerminationAsync(string group, string instanceId, DateTimeOffset sentAfter, CancellationToken cancellationToken)
    {
        IReadOnlyList<ScalingActivity> activities = await DescribeScalingActivitiesAsync(group, PageSize, cancellationToken).ConfigureAwait(false);
        return activities.FirstOrDefault(a =>
            string.Equals(a.Description, $"Terminating EC2 instance: {instanceId}", StringComparison.Ordinal)
            && (a.StartTime is null || a.StartTime >= sentAfter));
    }
}
