using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.Query;

namespace MightyOps.Core.Aws.Elbv2;

/// <summary>
/// Elastic Load Balancing v2 over the query protocol (docs/design/query-protocol.md): the target
/// groups of load-balanced services, their attributes and their targets' health
/// (docs/design/load-balanced-deploys.md). Paging follows <c>Marker</c>/<c>NextMarker</c>; target
/// group ARNs go 20 to a DescribeTargetGroups call (docs/design/batch-limits.md).
/// </summary>
public sealed class Elbv2Client
{
    public const string ApiVersion = "2015-12-01";

    /// <summary>Target group ARNs per DescribeTargetGroups call (ELBv2's documented limit for its other describe calls).</summary>
    public const int TargetGroupsPerCall = 20;

    /// <summary>The attribute that holds the deregistration delay, in seconds (default 300).</summary>
    public const string DeregistrationDelayKey = "deregistration_delay.timeout_seconds";

    internal Elbv2Client(AwsQueryClient query)
    {
        Query = query;
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint => Query.Endpoint;

    internal AwsQueryClient Query { get; }

    /// <summary>The target groups with these ARNs (each ARN once, 20 to a call).</summary>
    public async Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsAsync(IEnumerable<string> arns, CancellationToken cancellationToken)
    {
        var groups = new List<TargetGroup>();
        foreach (string[] batch in arns.Distinct(StringComparer.Ordinal).Chunk(TargetGroupsPerCall))
        {
            string? marker = null;
            do
            {
                DescribeTargetGroupsResponse page = await Query.InvokeAsync<DescribeTargetGroupsRequest, DescribeTargetGroupsResponse>(
                    "DescribeTargetGroups", new DescribeTargetGroupsRequest { TargetGroupArns = [.. batch], Marker = marker }, batch.Length == 1 ? batch[0] : null, cancellationToken).ConfigureAwait(false);
                groups.AddRange(page.TargetGroups ?? []);
                marker = EcsClient.NextToken(marker, page.NextMarker, "DescribeTargetGroups");
            }
            while (marker is not null);
        }
        return groups;
    }

    /// <summary>A target group's attributes, key to value.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(string targetGroupArn, CancellationToken cancellationToken)
    {
        DescribeTargetGroupAttributesResponse answer = await Query.InvokeAsync<DescribeTargetGroupAttributesRequest, DescribeTargetGroupAttributesResponse>(
            "DescribeTargetGroupAttributes", new DescribeTargetGroupAttributesRequest { TargetGroupArn = targetGroupArn }, targetGroupArn, cancellationToken).ConfigureAwait(false);
        return (answer.Attributes ?? []).Where(a => a.Key is not null).ToDictionary(a => a.Key!, a => a.Value ?? string.Empty, StringComparer.Ordinal);
    }

    /// <summary>Sets attributes (absolute values: sent again as they are after a lost answer).</summary>
    public Task<ModifyTargetGroupAttributesResponse> ModifyTargetGroupAttributesAsync(string targetGroupArn, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken) =>
        Query.InvokeAsync<ModifyTargetGroupAttributesRequest, ModifyTargetGroupAttributesResponse>(
            "ModifyTargetGroupAttributes",
            new ModifyTargetGroupAttributesRequest { TargetGroupArn = targetGroupArn, Attributes = attributes.Select(a => new TargetGroupAttribute { Key = a.Key, Value = a.Value }).ToList() },
            targetGroupArn,
            cancellationToken);

    /// <summary>Every registered target of the group and its health: one call, whatever the number of targets.</summary>
    public async Task<IReadOnlyList<TargetHealthDescription>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken)
    {
        DescribeTargetHealthResponse answer = await Query.InvokeAsync<DescribeTargetHealthRequest, DescribeTargetHealthResponse>(
            "DescribeTargetHealth", new DescribeTargetHealthRequest { TargetGroupArn = targetGroupArn }, targetGroupArn, cancellationToken).ConfigureAwait(false);
        return answer.TargetHealthDescriptions ?? [];
    }

    /// <summary>The short name in a target group ARN (<c>…:targetgroup/web-tg/73e2d6bc24d8a067</c> is <c>web-tg</c>).</summary>
    public static string ShortName(string targetGroupArn)
    {
        int slash = targetGroupArn.IndexOf("targetgroup/", StringComparison.Ordinal);
        if (slash < 0)
        {
            return targetGroupArn;
        }
        string rest = targetGroupArn[(slash + "targetgroup/".Length)..];
        int end = rest.IndexOf('/', StringComparison.Ordinal);
        return end < 0 ? rest : rest[..end];
    }
}
