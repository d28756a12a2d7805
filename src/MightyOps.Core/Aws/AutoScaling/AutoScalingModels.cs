using MightyOps.Core.Aws.Query;

// Wire shapes of Amazon EC2 Auto Scaling (query protocol, model autoscaling-2011-01-01): one class
// per botocore shape MightyOps uses, property names the model's member names, declared in the
// model's order (the order a request's members are sent in), every member nullable so that what
// is not set is not sent. Members MightyOps does not read are left out: the reader ignores them.
// docs/design/query-protocol.md ("Writing a client").

namespace MightyOps.Core.Aws.AutoScaling;

/// <summary>DescribeAutoScalingGroups input (<c>AutoScalingGroupNamesType</c>).</summary>
public sealed class DescribeAutoScalingGroupsRequest
{
    public List<string>? AutoScalingGroupNames { get; set; }
    public bool? IncludeInstances { get; set; }
    public string? NextToken { get; set; }
    public int? MaxRecords { get; set; }
    public List<AutoScalingFilter>? Filters { get; set; }
}

/// <summary>A filter of DescribeAutoScalingGroups or DescribeScalingActivities (<c>Filter</c>).</summary>
public sealed class AutoScalingFilter
{
    public string? Name { get; set; }
    public List<string>? Values { get; set; }
}

/// <summary>DescribeAutoScalingGroups output (<c>AutoScalingGroupsType</c>).</summary>
public sealed class DescribeAutoScalingGroupsResponse
{
    public List<AutoScalingGroup>? AutoScalingGroups { get; set; }
    public string? NextToken { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

/// <summary>An Auto Scaling group (<c>AutoScalingGroup</c>), the members MightyOps reads.</summary>
public sealed class AutoScalingGroup
{
    public string? AutoScalingGroupName { get; set; }
    public string? AutoScalingGroupARN { get; set; }
    public string? LaunchConfigurationName { get; set; }
    public AutoScalingLaunchTemplate? LaunchTemplate { get; set; }
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public int? DesiredCapacity { get; set; }
    public int? DefaultCooldown { get; set; }
    public List<string>? AvailabilityZones { get; set; }
    public string? HealthCheckType { get; set; }
    public int? HealthCheckGracePeriod { get; set; }
    public List<AutoScalingInstance>? Instances { get; set; }
    public DateTimeOffset? CreatedTime { get; set; }
    public string? VPCZoneIdentifier { get; set; }
    public string? Status { get; set; }
    public List<AutoScalingTagDescription>? Tags { get; set; }
    public List<string>? TerminationPolicies { get; set; }
    public bool? NewInstancesProtectedFromScaleIn { get; set; }
    public int? DefaultInstanceWarmup { get; set; }
}

/// <summary>A launch template reference (<c>LaunchTemplateSpecification</c>).</summary>
public sealed class AutoScalingLaunchTemplate
{
    public string? LaunchTemplateId { get; set; }
    public string? LaunchTemplateName { get; set; }
    public string? Version { get; set; }
}

/// <summary>An instance of a group (<c>Instance</c>): where it is in the group's lifecycle.</summary>
public sealed class AutoScalingInstance
{
    public string? InstanceId { get; set; }
    public string? InstanceType { get; set; }
    public string? AvailabilityZone { get; set; }

    /// <summary>Pending, InService, Terminating, Terminated, ... (docs/design/capacity-and-placement.md, "Auto Scaling groups").</summary>
    public string? LifecycleState { get; set; }
    public string? HealthStatus { get; set; }
    public string? LaunchConfigurationName { get; set; }
    public AutoScalingLaunchTemplate? LaunchTemplate { get; set; }
    public bool? ProtectedFromScaleIn { get; set; }
}

/// <summary>A tag of a group (<c>TagDescription</c>).</summary>
public sealed class AutoScalingTagDescription
{
    public string? ResourceId { get; set; }
    public string? ResourceType { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
    public bool? PropagateAtLaunch { get; set; }
}

/// <summary>SetDesiredCapacity input (<c>SetDesiredCapacityType</c>).</summary>
public sealed class SetDesiredCapacityRequest
{
    public string? AutoScalingGroupName { get; set; }
    public int? DesiredCapacity { get; set; }
    public bool? HonorCooldown { get; set; }
}

/// <summary>SetDesiredCapacity has no output but the request id.</summary>
public sealed class SetDesiredCapacityResponse
{
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

/// <summary>UpdateAutoScalingGroup input (<c>UpdateAutoScalingGroupType</c>): the size members.</summary>
public sealed class UpdateAutoScalingGroupRequest
{
    public string? AutoScalingGroupName { get; set; }
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public int? DesiredCapacity { get; set; }
}

/// <summary>UpdateAutoScalingGroup has no output but the request id.</summary>
public sealed class UpdateAutoScalingGroupResponse
{
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

/// <summary>TerminateInstanceInAutoScalingGroup input (<c>TerminateInstanceInAutoScalingGroupType</c>).</summary>
public sealed class TerminateInstanceInAutoScalingGroupRequest
{
    public string? InstanceId { get; set; }
    public bool? ShouldDecrementDesiredCapacity { get; set; }
}

/// <summary>TerminateInstanceInAutoScalingGroup output (<c>ActivityType</c>): the activity it started.</summary>
public sealed class ScalingActivityResponse
{
    public ScalingActivity? Activity { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

/// <summary>DescribeScalingActivities input (<c>DescribeScalingActivitiesType</c>).</summary>
public sealed class DescribeScalingActivitiesRequest
{
    public List<string>? ActivityIds { get; set; }
    public string? AutoScalingGroupName { get; set; }
    public bool? IncludeDeletedGroups { get; set; }
    public int? MaxRecords { get; set; }
    public string? NextToken { get; set; }
}

/// <summary>DescribeScalingActivities output (<c>ActivitiesType</c>), newest first.</summary>
public sealed class DescribeScalingActivitiesResponse
{
    public List<ScalingActivity>? Activities { get; set; }
    public string? NextToken { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

/// <summary>A scaling activity (<c>Activity</c>): a launch or a termination, and why.</summary>
public sealed class ScalingActivity
{
    public string? ActivityId { get; set; }
    public string? AutoScalingGroupName { get; set; }

    /// <summary>"Launching a new EC2 instance: i-…", "Terminating EC2 instance: i-…".</summary>
    public string? Description { get; set; }
    public string? Cause { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>InProgress, Successful, Failed, Cancelled, WaitingForInstanceWarmup, ...</summary>
    public string? StatusCode { get; set; }
    public string? StatusMessage { get; set; }
    public int? Progress { get; set; }
    public string? Details { get; set; }
    public string? AutoScalingGroupState { get; set; }
    public string? AutoScalingGroupARN { get; set; }
}
