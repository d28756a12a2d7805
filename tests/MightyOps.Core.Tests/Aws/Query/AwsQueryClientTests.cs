using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Query;
using Xunit;

namespace MightyOps.Core.Tests.Aws.Query;

/// <summary>
/// The query-protocol client against captured AWS answers from an in-process handler: what it
/// posts and signs, the retry loop it shares with the JSON clients (throttling retried, a
/// validation error not), an answer that is not XML; and the endpoint variables it honours,
/// checked against botocore's.
/// </summary>
public sealed class AwsQueryClientTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly AwsCredentialSnapshot Keys = new("AKIDEXAMPLE", Secret, "the-session-token");
    private static readonly AwsServiceEndpoint AutoScaling = EndpointResolver.Resolve("autoscaling", "eu-west-1", "http://127.0.0.1:4566");
    private readonly List<TimeSpan> _delays = [];
    private readonly RecordingLog _log = new();

    [Fact]
    public async Task A_call_posts_the_signed_form_to_the_root_and_reads_the_XML_answer()
    {
        var aws = new CannedAws().Reply(200, QueryXmlReaderTests.DescribeAutoScalingGroupsExample);

        DescribeAutoScalingGroupsResponse answer = await Client(aws).InvokeAsync<DescribeAutoScalingGroupsRequest, DescribeAutoScalingGroupsResponse>(
            "DescribeAutoScalingGroups", new DescribeAutoScalingGroupsRequest { AutoScalingGroupNames = ["my-asg"] }, "my-asg", CancellationToken.None);

        Assert.Equal("my-asg", Assert.Single(answer.AutoScalingGroups!).AutoScalingGroupName);
        Assert.Equal("7c6e177f-f082-11e1-ac58-3714bEXAMPLE", answer.ResponseMetadata!.RequestId);
        SeenRequest request = Assert.Single(aws.Seen);
        Assert.Equal((HttpMethod.Post, "/"), (request.Method, request.Uri.AbsolutePath));
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal("Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=my-asg", request.BodyText);
        Assert.Null(request.Header("X-Amz-Target"));
        Assert.Contains("/eu-west-1/autoscaling/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.StartsWith("MightyOps/", request.Header("User-Agent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_is_retried_with_backoff_until_it_succeeds()
    {
        var aws = new CannedAws()
            .Reply(400, Error("Throttling", "Rate exceeded", "t-1"))
            .Reply(400, Error("Throttling", "Rate exceeded", "t-2"))
            .Reply(200, QueryXmlReaderTests.DescribeTargetHealthAnswer);

        DescribeTargetHealthResponse answer = await Client(aws, ElbV2()).InvokeAsync<DescribeTargetHealthRequest, DescribeTargetHealthResponse>(
            "DescribeTargetHealth", new DescribeTargetHealthRequest { TargetGroupArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067" }, null, CancellationToken.None);

        Assert.Equal(3, answer.TargetHealthDescriptions!.Count);
        Assert.Equal((3, 2), (aws.Count, _delays.Count));
        Assert.Contains(_log.VerboseLines, m => m.Contains("Elastic Load Balancing v2 DescribeTargetHealth: Throttling (request id t-2); retrying in", StringComparison.Ordinal));
        Assert.All(aws.Seen, r => Assert.Contains("/eu-west-1/elasticloadbalancing/aws4_request", r.Header("Authorization"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throttling_that_never_ends_is_AwsThrottled_after_the_last_attempt()
    {
        var aws = new CannedAws().ThenAlways(400, Error("Throttling", "Rate exceeded", "last-id"));

        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<SetDesiredCapacityRequest, SetDesiredCapacityResponse>("SetDesiredCapacity", new() { AutoScalingGroupName = "ecs-production", DesiredCapacity = 3 }, "ecs-production", CancellationToken.None));

        Assert.Equal(("AwsThrottled", MightyErrorKind.Throttled, "last-id"), (error.ErrorId, error.Kind, error.RequestId));
        Assert.Contains("Auto Scaling SetDesiredCapacity was still throttled by AWS after 5 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, aws.Count);
    }

    [Fact]
    public async Task A_validation_error_is_not_retried_and_says_what_AWS_said()
    {
        var aws = new CannedAws().Reply(400, Error("ValidationError", "New SetDesiredCapacity value 30 is above max value 10 for the AutoScalingGroup.", "v-1"));

        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<SetDesiredCapacityRequest, SetDesiredCapacityResponse>("SetDesiredCapacity", new() { AutoScalingGroupName = "ecs-production", DesiredCapacity = 30 }, "ecs-production", CancellationToken.None));

        Assert.Equal(("AwsInvalidParameter", MightyErrorKind.InvalidArgument, "v-1", (object?)"ecs-production"), (error.ErrorId, error.Kind, error.RequestId, error.Target));
        Assert.Contains("New SetDesiredCapacity value 30 is above max value 10 for the AutoScalingGroup.", error.Message, StringComparison.Ordinal);
        Assert.Equal("ValidationError", error.Data["AwsErrorCode"]);
        Assert.Equal(1, aws.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_and_then_reported_with_the_attempts()
    {
        var aws = new CannedAws().ThenAlways(500, Error("InternalFailure", "An internal error occurred.", "i-1"));

        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<DescribeAutoScalingGroupsRequest, DescribeAutoScalingGroupsResponse>("DescribeAutoScalingGroups", null, null, CancellationToken.None));

        Assert.Equal(("AwsServerError", 5), (error.ErrorId, aws.Count));
        Assert.Contains("after 5 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_is_not_XML_is_AwsResponseInvalid_naming_the_endpoint()
    {
        var aws = new CannedAws().Reply(200, "<html><body>It works!</html>");

        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<DescribeAutoScalingGroupsRequest, DescribeAutoScalingGroupsResponse>("DescribeAutoScalingGroups", null, null, CancellationToken.None));

        Assert.Equal(("AwsResponseInvalid", MightyErrorKind.Failed), (error.ErrorId, error.Kind));
        Assert.Contains("Auto Scaling DescribeAutoScalingGroups answered HTTP 200 with a body that is not the expected XML", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:4566", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The endpoint variables: the environment, and the endpoint chosen; botocore given the same environment chooses the same.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "autoscaling", "", "https://autoscaling.us-east-1.amazonaws.com/" },
        { "autoscaling", "AWS_ENDPOINT_URL_AUTO_SCALING=http://127.0.0.1:7001", "http://127.0.0.1:7001/" },
        { "autoscaling", "AWS_ENDPOINT_URL=http://127.0.0.1:7000", "http://127.0.0.1:7000/" },
        { "autoscaling", "AWS_ENDPOINT_URL=http://127.0.0.1:7000 AWS_ENDPOINT_URL_AUTO_SCALING=http://127.0.0.1:7001", "http://127.0.0.1:7001/" },
        { "autoscaling", "AWS_ENDPOINT_URL_AUTOSCALING=http://127.0.0.1:7001", "https://autoscaling.us-east-1.amazonaws.com/" },   // not the service id
        { "autoscaling", "AWS_ENDPOINT_URL_AUTO_SCALING=http://127.0.0.1:7001 AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "https://autoscaling.us-east-1.amazonaws.com/" },
        { "elbv2", "", "https://elasticloadbalancing.us-east-1.amazonaws.com/" },
        { "elbv2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2=http://127.0.0.1:7002", "http://127.0.0.1:7002/" },
        { "elbv2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING=http://127.0.0.1:7002", "https://elasticloadbalancing.us-east-1.amazonaws.com/" },   // that is the classic ELB's
        { "elbv2", "AWS_ENDPOINT_URL_ELBV2=http://127.0.0.1:7002", "https://elasticloadbalancing.us-east-1.amazonaws.com/" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void Endpoints_follow_the_SDKs_variables(string service, string environment, string endpoint)
    {
        Dictionary<string, string?> variables = Variables(environment);
        AwsServiceEndpoint resolved = EndpointResolver.Resolve(service == "elbv2" ? "elasticloadbalancing" : service, "us-east-1", null, n => variables.GetValueOrDefault(n));
        Assert.Equal(endpoint, resolved.Url.ToString());
        Assert.Equal(service == "elbv2" ? "elasticloadbalancing" : "autoscaling", resolved.SigningName);
        Assert.Equal(!endpoint.StartsWith("https://", StringComparison.Ordinal), EndpointResolver.AnyOverride(null, n => variables.GetValueOrDefault(n)) && resolved.IsOverride);
    }

    [Fact]
    public async Task Botocore_chooses_the_same_endpoints()
    {
        var rows = Endpoints.Select(r => ((string)r[0], (string)r[1], (string)r[2])).ToList();
        JsonObject answer = await QuerySerializerTests.BotocoreAsync(new JsonObject
        {
            ["endpoints"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
            {
                ["service"] = r.Item1,
                ["environment"] = new JsonObject([.. Variables(r.Item2).Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))]),
            })]),
        });
        Assert.Equal(rows.Select(r => r.Item3.TrimEnd('/')), answer["endpoints"]!.AsArray().Select(e => ((string)e!).TrimEnd('/')));
    }

    private static Dictionary<string, string?> Variables(string environment) =>
        environment.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => (string?)v[1], StringComparer.Ordinal);

    private static string Error(string code, string message, string requestId) =>
        $"<ErrorResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>";

    private static AwsServiceEndpoint ElbV2() => EndpointResolver.Resolve("elasticloadbalancing", "eu-west-1", "http://127.0.0.1:4566");

    private AwsQueryClient Client(CannedAws aws, AwsServiceEndpoint? endpoint = null) =>
        new(endpoint ?? AutoScaling, endpoint is null ? "2011-01-01" : "2015-12-01", CredentialSource.Static(Keys),
            new RetryPolicy(delay: (d, _) => { _delays.Add(d); return Task.CompletedTask; }), _log, new HttpMessageInvoker(aws));
}
