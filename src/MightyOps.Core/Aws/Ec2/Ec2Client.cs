using Amazon.EC2;
using Amazon.EC2.Model;

namespace MightyOps.Core.Aws.Ec2;

/// <summary>What MightyOps needs to know about an EC2 instance: its addresses (to SSH into a container's host), its type, Spot or On-Demand, and its tags (the Auto Scaling group it belongs to).</summary>
public sealed record Ec2Instance(
    string InstanceId,
    string State,
    string? PrivateIpAddress,
    string? PublicIpAddress,
    string? PrivateDnsName,
    string? PublicDnsName,
    string? AvailabilityZone,
    string? KeyName,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The instance type, e.g. <c>c5.large</c>; null when EC2 did not say.</summary>
    public string? InstanceType { get; init; }

    /// <summary><c>spot</c> for a Spot Instance; null for On-Demand (EC2's <c>instanceLifecycle</c> is absent then).</summary>
    public string? InstanceLifecycle { get; init; }

    /// <summary>When it was launched.</summary>
    public DateTimeOffset? LaunchTime { get; init; }
}

/// <summary>
/// A thin wrapper over AWSSDK.EC2 (Query protocol): DescribeInstances by id, in batches of 100,
/// retried by the module's own loop like every AWS call. No AWSSDK type leaves this class.
/// </summary>
public sealed class Ec2Client : IDisposable
{
    public const int BatchSize = 100;

    private readonly AmazonEC2Client _client;

    private readonly CredentialSource _credentials;

    private readonly AwsRetryLoop _retries;

    internal Ec2Client(AwsServiceEndpoint endpoint, CredentialSource credentials, AwsRetryLoop retries)
    {
        Endpoint = endpoint;
        _credentials = credentials;
        _retries = retries;
        _client = new AmazonEC2Client(credentials.Sdk, SdkConfig.For<AmazonEC2Config>(endpoint));
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint { get; }

    /// <summary>
    /// The instances with these ids. An unknown id fails the call with <c>Ec2InstanceNotFound</c>
    /// (EC2 rejects the whole request, it does not report per id).
    /// </summary>
    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken)
    {
        List<string> ids = Ecs.EcsClient.Distinct(instanceIds);
        var result = new List<Ec2Instance>();
        foreach (string[] batch in ids.Chunk(BatchSize))
        {
            var call = new AwsCall("EC2", "ec2", "DescribeInstances", Endpoint.Url, Endpoint.Region, _credentials.LastAccessKeyId, string.Join(", ", batch));
            DescribeInstancesResponse response = await SdkErrors.RunAsync(_retries, call,
                token => _client.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [.. batch] }, token), cancellationToken).ConfigureAwait(false);
            // AWSSDK v4 leaves empty collections null (docs/design/aws-sdk-notes.md).
            foreach (Reservation reservation in response.Reservations ?? [])
            {
                foreach (Instance instance in reservation.Instances ?? [])
                {
                    result.Add(ToInstance(instance));
                }
            }
        }
        return result;
    }

    public void Dispose() => _client.Dispose();

    private static Ec2Instance ToInstance(Instance instance)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Tag tag in instance.Tags ?? [])
        {
            if (!string.IsNullOrEmpty(tag.Key))
            {
                tags[tag.Key] = tag.Value ?? string.Empty;
            }
        }
        return new Ec2Instance(
            instance.InstanceId ?? string.Empty,
            instance.State?.Name?.Value ?? string.Empty,
            Blank(instance.PrivateIpAddress),
            Blank(instance.PublicIpAddress),
            Blank(instance.PrivateDnsName),
            Blank(instance.PublicDnsName),
            Blank(instance.Placement?.AvailabilityZone),
            Blank(instance.KeyName),
            tags)
        {
            InstanceType = Blank(instance.InstanceType?.Value),
            InstanceLifecycle = Blank(instance.InstanceLifecycle?.Value),
            LaunchTime = instance.LaunchTime is DateTime launched ? new DateTimeOffset(launched.Kind == DateTimeKind.Local ? launched.ToUniversalTime() : DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : null,
        };
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
