using MightyOps.Core.Aws.Query;

namespace MightyOps.Core.Tests.Aws.Query;

// Some Auto Scaling (2011-01-01) and Elastic Load Balancing v2 (2015-12-01) shapes, named and
// laid out as botocore's models have them: what the Auto Scaling and ELBv2 clients will declare.
// Property names are the model's member names; attributes only where the model names the wire
// form otherwise (docs/design/query-protocol.md, "Writing a client").

public sealed class DescribeAutoScalingGroupsRequest
{
    public List<string>? AutoScalingGroupNames { get; set; }
    public bool? IncludeInstances { get; set; }
    public string? NextToken { get; set; }
    public int? MaxRecords { get; set; }
    public List<AutoScalingFilter>? Filters { get; set; }
}

public sealed class AutoScalingFilter
{
    public string? Name { get; set; }
    public List<string>? Values { get; set; }
}

public sealed class DescribeAutoScalingGroupsResponse
{
    public List<AutoScalingGroup>? AutoScalingGroups { get; set; }
    public string? NextToken { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class AutoScalingGroup
{
    public string? AutoScalingGroupName { get; set; }
    public string? AutoScalingGroupARN { get; set; }
    public string? LaunchConfigurationName { get; set; }
    public LaunchTemplateSpecification? LaunchTemplate { get; set; }
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public int? DesiredCapacity { get; set; }
    public int? DefaultCooldown { get; set; }
    public List<string>? AvailabilityZones { get; set; }
    public List<string>? LoadBalancerNames { get; set; }
    public List<string>? TargetGroupARNs { get; set; }
    public string? HealthCheckType { get; set; }
    public int? HealthCheckGracePeriod { get; set; }
    public List<AutoScalingInstance>? Instances { get; set; }
    public DateTimeOffset? CreatedTime { get; set; }
    public string? VPCZoneIdentifier { get; set; }
    public string? Status { get; set; }
    public List<TagDescription>? Tags { get; set; }
    public List<string>? TerminationPolicies { get; set; }
    public bool? NewInstancesProtectedFromScaleIn { get; set; }
    public int? MaxInstanceLifetime { get; set; }
    public bool? CapacityRebalance { get; set; }
}

public sealed class AutoScalingInstance
{
    public string? InstanceId { get; set; }
    public string? InstanceType { get; set; }
    public string? AvailabilityZone { get; set; }
    public string? LifecycleState { get; set; }
    public string? HealthStatus { get; set; }
    public string? LaunchConfigurationName { get; set; }
    public bool? ProtectedFromScaleIn { get; set; }
    public string? WeightedCapacity { get; set; }
}

public sealed class TagDescription
{
    public string? ResourceId { get; set; }
    public string? ResourceType { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
    public bool? PropagateAtLaunch { get; set; }
}

public sealed class SetDesiredCapacityRequest
{
    public string? AutoScalingGroupName { get; set; }
    public int? DesiredCapacity { get; set; }
    public bool? HonorCooldown { get; set; }
}

/// <summary>SetDesiredCapacity has no output: the answer is the metadata alone.</summary>
public sealed class SetDesiredCapacityResponse
{
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class PutScheduledUpdateGroupActionRequest
{
    public string? AutoScalingGroupName { get; set; }
    public string? ScheduledActionName { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public string? Recurrence { get; set; }
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public int? DesiredCapacity { get; set; }
    public string? TimeZone { get; set; }
}

public sealed class PutScalingPolicyRequest
{
    public string? AutoScalingGroupName { get; set; }
    public string? PolicyName { get; set; }
    public string? PolicyType { get; set; }
    public string? AdjustmentType { get; set; }
    public List<StepAdjustment>? StepAdjustments { get; set; }
    public TargetTrackingConfiguration? TargetTrackingConfiguration { get; set; }
    public bool? Enabled { get; set; }
}

public sealed class StepAdjustment
{
    public double? MetricIntervalLowerBound { get; set; }
    public double? MetricIntervalUpperBound { get; set; }
    public int? ScalingAdjustment { get; set; }
}

public sealed class TargetTrackingConfiguration
{
    public PredefinedMetricSpecification? PredefinedMetricSpecification { get; set; }
    public double? TargetValue { get; set; }
    public bool? DisableScaleIn { get; set; }
}

public sealed class PredefinedMetricSpecification
{
    public string? PredefinedMetricType { get; set; }
    public string? ResourceLabel { get; set; }
}

public sealed class CreateAutoScalingGroupRequest
{
    public string? AutoScalingGroupName { get; set; }
    public MixedInstancesPolicy? MixedInstancesPolicy { get; set; }
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public string? VPCZoneIdentifier { get; set; }
    public List<string>? TerminationPolicies { get; set; }
    public List<AutoScalingTag>? Tags { get; set; }
}

public sealed class AutoScalingTag
{
    public string? ResourceId { get; set; }
    public string? ResourceType { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
    public bool? PropagateAtLaunch { get; set; }
}

public sealed class MixedInstancesPolicy
{
    public MixedLaunchTemplate? LaunchTemplate { get; set; }
}

public sealed class MixedLaunchTemplate
{
    public LaunchTemplateSpecification? LaunchTemplateSpecification { get; set; }
    public List<LaunchTemplateOverrides>? Overrides { get; set; }
}

public sealed class LaunchTemplateSpecification
{
    public string? LaunchTemplateId { get; set; }
    public string? LaunchTemplateName { get; set; }
    public string? Version { get; set; }
}

public sealed class LaunchTemplateOverrides
{
    public string? InstanceType { get; set; }
    public InstanceRequirements? InstanceRequirements { get; set; }
}

public sealed class InstanceRequirements
{
    public IntRange? VCpuCount { get; set; }
    public IntRange? MemoryMiB { get; set; }
    public BaselinePerformanceFactors? BaselinePerformanceFactors { get; set; }
}

public sealed class IntRange
{
    public int? Min { get; set; }
    public int? Max { get; set; }
}

public sealed class BaselinePerformanceFactors
{
    public CpuPerformanceFactor? Cpu { get; set; }
}

/// <summary>The model names this member <c>Reference</c> on the wire, and its list's members <c>item</c>.</summary>
public sealed class CpuPerformanceFactor
{
    [QueryName("Reference")]
    [QueryList(Member = "item")]
    public List<PerformanceFactorReference>? References { get; set; }
}

public sealed class PerformanceFactorReference
{
    public string? InstanceFamily { get; set; }
}

public sealed class DescribeTargetHealthRequest
{
    public string? TargetGroupArn { get; set; }
    public List<TargetDescription>? Targets { get; set; }
    public List<string>? Include { get; set; }
}

public sealed class TargetDescription
{
    public string? Id { get; set; }
    public int? Port { get; set; }
    public string? AvailabilityZone { get; set; }
}

public sealed class DescribeTargetHealthResponse
{
    public List<TargetHealthDescription>? TargetHealthDescriptions { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class TargetHealthDescription
{
    public TargetDescription? Target { get; set; }
    public string? HealthCheckPort { get; set; }
    public TargetHealth? TargetHealth { get; set; }
}

public sealed class TargetHealth
{
    public string? State { get; set; }
    public string? Reason { get; set; }
    public string? Description { get; set; }
}

public sealed class ModifyTargetGroupAttributesRequest
{
    public string? TargetGroupArn { get; set; }
    public List<TargetGroupAttribute>? Attributes { get; set; }
}

public sealed class ModifyTargetGroupAttributesResponse
{
    public List<TargetGroupAttribute>? Attributes { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class TargetGroupAttribute
{
    public string? Key { get; set; }
    public string? Value { get; set; }
}

public sealed class CreateListenerRequest
{
    public string? LoadBalancerArn { get; set; }
    public string? Protocol { get; set; }
    public int? Port { get; set; }
    public List<ListenerAction>? DefaultActions { get; set; }
}

public sealed class ListenerAction
{
    public string? Type { get; set; }
    public string? TargetGroupArn { get; set; }
    public AuthenticateOidcConfig? AuthenticateOidcConfig { get; set; }
    public int? Order { get; set; }
}

public sealed class AuthenticateOidcConfig
{
    public string? Issuer { get; set; }
    public string? AuthorizationEndpoint { get; set; }
    public string? TokenEndpoint { get; set; }
    public string? UserInfoEndpoint { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public long? SessionTimeout { get; set; }
    public Dictionary<string, string>? AuthenticationRequestExtraParams { get; set; }
    public bool? UseExistingClientSecret { get; set; }
}

public sealed class DescribeTargetGroupsResponse
{
    public List<TargetGroup>? TargetGroups { get; set; }
    public string? NextMarker { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class TargetGroup
{
    public string? TargetGroupArn { get; set; }
    public string? TargetGroupName { get; set; }
    public string? Protocol { get; set; }
    public int? Port { get; set; }
    public string? VpcId { get; set; }
    public bool? HealthCheckEnabled { get; set; }
    public int? HealthCheckIntervalSeconds { get; set; }
    public int? HealthyThresholdCount { get; set; }
    public string? HealthCheckPath { get; set; }
    public TargetGroupMatcher? Matcher { get; set; }
    public List<string>? LoadBalancerArns { get; set; }
    public string? TargetType { get; set; }
}

public sealed class TargetGroupMatcher
{
    public string? HttpCode { get; set; }
}

public sealed class DescribeListenersResponse
{
    public List<Listener>? Listeners { get; set; }
    public string? NextMarker { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class Listener
{
    public string? ListenerArn { get; set; }
    public string? LoadBalancerArn { get; set; }
    public int? Port { get; set; }
    public string? Protocol { get; set; }
    public List<ListenerAction>? DefaultActions { get; set; }
}
