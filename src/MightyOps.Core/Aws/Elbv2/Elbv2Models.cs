using MightyOps.Core.Aws.Query;

namespace MightyOps.Core.Aws.Elbv2;

// Elastic Load Balancing v2 (2015-12-01) shapes, named and laid out as botocore's elbv2 model has
// them: property names are the model's member names, in the model's order, nullable so that what
// is not set is not sent (docs/design/query-protocol.md, "Writing a client"). Only the members
// MightyOps reads or sends are declared; the reader skips the others.

public sealed class DescribeLoadBalancersRequest
{
    public List<string>? LoadBalancerArns { get; set; }
    public List<string>? Names { get; set; }
    public string? Marker { get; set; }
    public int? PageSize { get; set; }
}

public sealed class DescribeLoadBalancersResponse
{
    public List<LoadBalancer>? LoadBalancers { get; set; }
    public string? NextMarker { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class LoadBalancer
{
    public string? LoadBalancerArn { get; set; }
    public string? DNSName { get; set; }
    public DateTimeOffset? CreatedTime { get; set; }
    public string? LoadBalancerName { get; set; }
    public string? Scheme { get; set; }
    public string? VpcId { get; set; }
    public LoadBalancerState? State { get; set; }
    public string? Type { get; set; }
}

public sealed class LoadBalancerState
{
    public string? Code { get; set; }
    public string? Reason { get; set; }
}

public sealed class DescribeTargetGroupsRequest
{
    public string? LoadBalancerArn { get; set; }
    public List<string>? TargetGroupArns { get; set; }
    public List<string>? Names { get; set; }
    public string? Marker { get; set; }
    public int? PageSize { get; set; }
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
    public string? HealthCheckProtocol { get; set; }
    public string? HealthCheckPort { get; set; }
    public bool? HealthCheckEnabled { get; set; }
    public int? HealthCheckIntervalSeconds { get; set; }
    public int? HealthCheckTimeoutSeconds { get; set; }
    public int? HealthyThresholdCount { get; set; }
    public int? UnhealthyThresholdCount { get; set; }
    public string? HealthCheckPath { get; set; }
    public TargetGroupMatcher? Matcher { get; set; }
    public List<string>? LoadBalancerArns { get; set; }
    public string? TargetType { get; set; }
}

public sealed class TargetGroupMatcher
{
    public string? HttpCode { get; set; }
    public string? GrpcCode { get; set; }
}

public sealed class DescribeTargetGroupAttributesRequest
{
    public string? TargetGroupArn { get; set; }
}

public sealed class DescribeTargetGroupAttributesResponse
{
    public List<TargetGroupAttribute>? Attributes { get; set; }
    public AwsQueryResponseMetadata? ResponseMetadata { get; set; }
}

public sealed class TargetGroupAttribute
{
    public string? Key { get; set; }
    public string? Value { get; set; }
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

public sealed class DescribeTargetHealthRequest
{
    public string? TargetGroupArn { get; set; }
    public List<TargetDescription>? Targets { get; set; }
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
