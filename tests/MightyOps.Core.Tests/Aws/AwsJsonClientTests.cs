using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// The JSON 1.1 client against canned AWS responses from an in-process handler: request shape,
/// retries and backoff, cancellation, error mapping. The same behaviour end to end is in SandboxClientTests.
/// </summary>
public sealed class AwsJsonClientTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly AwsCredentialSnapshot Keys = new("AKIDEXAMPLE", Secret, "the-session-token");
    private static readonly AwsServiceEndpoint Ecs = new("ECS", "ecs", new Uri("http://127.0.0.1:4566/"), "eu-west-1", true, "-EndpointUrl");
    private readonly List<TimeSpan> _delays = [];
    private readonly RecordingLog _log = new();

    [Fact]
    public async Task A_call_posts_signed_json_1_1_to_the_root()
    {
        var aws = new CannedAws().Reply(200, """{"clusterArns":["arn:aws:ecs:eu-west-1:123456789012:cluster/production"]}""", "req-1");

        ListClustersResponse response = await Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>(
            "ListClusters", new ListClustersRequest { MaxResults = 100 }, null, CancellationToken.None);

        Assert.Equal("arn:aws:ecs:eu-west-1:123456789012:cluster/production", Assert.Single(response.ClusterArns!));
        SeenRequest request = Assert.Single(aws.Seen);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/", request.Uri.AbsolutePath);
        Assert.Equal("application/x-amz-json-1.1", request.ContentType);
        Assert.Equal("AmazonEC2ContainerServiceV20141113.ListClusters", request.Header("X-Amz-Target"));
        Assert.Equal("""{"maxResults":100}""", request.BodyText);
        Assert.Equal("the-session-token", request.Header("X-Amz-Security-Token"));
        Assert.StartsWith("MightyOps/", request.Header("User-Agent"), StringComparison.Ordinal);
        string authorization = request.Header("Authorization")!;
        Assert.Contains("/eu-west-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,", authorization, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, string.Join("\n", request.Headers.Select(h => h.Value)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Members_without_a_value_are_not_sent_and_an_empty_request_is_an_empty_object()
    {
        var aws = new CannedAws().Reply(200, "{}").Reply(200, "{}");
        AwsJsonClient client = Client(aws);

        await client.InvokeAsync<DescribeServicesRequest, DescribeServicesResponse>(
            "DescribeServices", new DescribeServicesRequest { Cluster = "production", Services = ["WEB"] }, null, CancellationToken.None);
        await client.InvokeAsync<ListClustersRequest?, ListClustersResponse>("ListClusters", null, null, CancellationToken.None);

        Assert.Equal("""{"cluster":"production","services":["WEB"]}""", aws.Seen.First().BodyText);
        Assert.Equal("{}", aws.Seen.Last().BodyText);
    }

    [Fact]
    public async Task Throttling_is_retried_with_backoff_until_it_succeeds()
    {
        var aws = new CannedAws()
            .Error(400, "ThrottlingException", "Rate exceeded", "t-1")
            .Error(400, "ThrottlingException", "Rate exceeded", "t-2")
            .Reply(429, "{}")
            .Reply(200, """{"clusterArns":[]}""");

        ListClustersResponse response = await Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);

        Assert.NotNull(response.ClusterArns);
        Assert.Equal(4, aws.Count);
        Assert.Equal(3, _delays.Count);
        Assert.Equal(3, _log.VerboseLines.Count(m => m.Contains("retrying in", StringComparison.Ordinal)));
        Assert.Contains(_log.VerboseLines, m => m.Contains("ThrottlingException (request id t-2)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throttling_that_never_ends_stops_after_the_last_attempt_as_AwsThrottled()
    {
        var aws = new CannedAws().ThenAlwaysError(400, "ThrottlingException", "Rate exceeded", "last-id");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws, maxAttempts: 5).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsThrottled", error.ErrorId);
        Assert.Equal(MightyErrorKind.Throttled, error.Kind);
        Assert.Equal("last-id", error.RequestId);
        Assert.Contains("ThrottlingException", error.Message, StringComparison.Ordinal);
        Assert.Contains("last-id", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 5 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, aws.Count);
        Assert.Equal(4, _delays.Count);
    }

    [Fact]
    public async Task Backoff_delays_are_full_jitter_under_an_exponential_ceiling()
    {
        var aws = new CannedAws().ThenAlwaysError(503, "ServiceUnavailable", "busy");
        var policy = new RetryPolicy(maxAttempts: 8, baseDelay: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromMilliseconds(1000),
            random: () => 0.999, delay: (d, _) => { _delays.Add(d); return Task.CompletedTask; });

        await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws, policy).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        double[] ceilings = [100, 200, 400, 800, 1000, 1000, 1000];
        Assert.Equal(ceilings.Length, _delays.Count);
        for (int i = 0; i < ceilings.Length; i++)
        {
            Assert.InRange(_delays[i].TotalMilliseconds, ceilings[i] * 0.99, ceilings[i]);
        }
    }

    [Fact]
    public void Jitter_spreads_delays_over_the_whole_range_and_never_past_the_ceiling()
    {
        var policy = new RetryPolicy(baseDelay: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromSeconds(10), random: new Random(7).NextDouble);
        double[] samples = Enumerable.Range(0, 2000).Select(_ => policy.DelayBefore(4).TotalMilliseconds).ToArray();

        Assert.All(samples, s => Assert.InRange(s, 0, 400));
        Assert.True(samples.Min() < 40, "full jitter reaches down to zero");
        Assert.True(samples.Max() > 360, "full jitter reaches up to the ceiling");
        Assert.All(Enumerable.Range(2, 40), n => Assert.InRange(policy.DelayBefore(n).TotalMilliseconds, 0, 10_000));
    }

    [Theory]
    [InlineData(500, "InternalFailure")]
    [InlineData(502, "BadGateway")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(504, "GatewayTimeout")]
    [InlineData(400, "RequestTimeout")]
    public async Task Transient_server_errors_are_retried(int status, string code)
    {
        var aws = new CannedAws().Error(status, code, "try again").Reply(200, """{"clusterArns":["a"]}""");

        ListClustersResponse response = await Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);

        Assert.Single(response.ClusterArns!);
        Assert.Equal(2, aws.Count);
    }

    [Fact]
    public async Task A_5xx_that_persists_is_AwsServerError_and_an_html_body_still_gives_the_status()
    {
        var aws = new CannedAws().ThenAlways(502, "<html><body>Bad Gateway</body></html>", "gw-1");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws, maxAttempts: 3).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsServerError", error.ErrorId);
        Assert.Equal(MightyErrorKind.Failed, error.Kind);
        Assert.Equal("502", error.Data["AwsErrorCode"]);
        Assert.Equal(3, aws.Count);
    }

    [Theory]
    [InlineData(400, "ClusterNotFoundException", "Cluster not found.", "ClusterNotFound", MightyErrorKind.NotFound)]
    [InlineData(400, "ServiceNotFoundException", "Service not found.", "ServiceNotFound", MightyErrorKind.NotFound)]
    [InlineData(400, "ServiceNotActiveException", "Service was not ACTIVE.", "ServiceNotFound", MightyErrorKind.NotFound)]
    [InlineData(400, "ClientException", "Unable to describe task definition.", "TaskDefinitionNotFound", MightyErrorKind.NotFound)]
    [InlineData(400, "ClientException", "TaskDefinition not found.", "TaskDefinitionNotFound", MightyErrorKind.NotFound)]
    [InlineData(400, "ClientException", "Container.image should not be null or empty.", "AwsInvalidParameter", MightyErrorKind.InvalidArgument)]
    [InlineData(400, "InvalidParameterException", "service names can have at most 10 items.", "AwsInvalidParameter", MightyErrorKind.InvalidArgument)]
    [InlineData(400, "AccessDeniedException", "User is not authorized to perform: ecs:ListClusters", "AwsAccessDenied", MightyErrorKind.PermissionDenied)]
    [InlineData(400, "LimitExceededException", "Too many revisions.", "AwsLimitExceeded", MightyErrorKind.InvalidOperation)]
    [InlineData(400, "com.amazon.coral.service#InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData(400, "com.amazon.coral.service#UnrecognizedClientException", "The security token included in the request is invalid.", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData(400, "com.amazon.coral.service#ExpiredTokenException", "The security token included in the request is expired", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData(400, "RepositoryNotFoundException", "The repository with name 'x' does not exist", "RepositoryNotFound", MightyErrorKind.NotFound)]
    [InlineData(400, "ImageNotFoundException", "The image with imageId {imageTag:'nope'} does not exist", "ImageNotFound", MightyErrorKind.NotFound)]
    public async Task Errors_that_retrying_cannot_fix_fail_at_once_with_a_stable_id(int status, string type, string message, string errorId, MightyErrorKind kind)
    {
        var aws = new CannedAws().Error(status, type, message, "rid-42");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<DescribeServicesRequest, DescribeServicesResponse>("DescribeServices", new() { Cluster = "production", Services = ["WEB"] }, "production", CancellationToken.None));

        Assert.Equal(1, aws.Count);
        Assert.Empty(_delays);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal("rid-42", error.RequestId);
        Assert.Equal("production", error.Target);
        Assert.Equal(AwsErrors.NormalizeCode(type), error.Data["AwsErrorCode"]);
        Assert.Contains(AwsErrors.NormalizeCode(type), error.Message, StringComparison.Ordinal);
        Assert.Contains("rid-42", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the-session-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_signature_says_what_to_check()
    {
        var aws = new CannedAws().Error(400, "com.amazon.coral.service#InvalidSignatureException", "The request signature we calculated does not match the signature you provided.");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Contains("made with access key AKID…MPLE.", error.Message, StringComparison.Ordinal);
        Assert.Contains("secret access key", error.Message, StringComparison.Ordinal);
        Assert.Contains("clock", error.Message, StringComparison.Ordinal);
        Assert.Contains("eu-west-1/ecs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_during_a_backoff_wait_ends_the_call_promptly()
    {
        var aws = new CannedAws().ThenAlwaysError(400, "ThrottlingException", "Rate exceeded");
        var policy = new RetryPolicy(maxAttempts: 8, baseDelay: TimeSpan.FromSeconds(30), maxDelay: TimeSpan.FromSeconds(30), random: () => 1.0);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Client(aws, policy).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {watch.Elapsed}");
        Assert.Equal(1, aws.Count);
    }

    [Fact]
    public async Task Cancellation_during_a_request_ends_the_call_and_is_not_retried()
    {
        var aws = new CannedAws().ThenAlwaysHang();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, cts.Token));

        Assert.Equal(1, aws.Count);
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task An_attempt_that_gets_no_answer_times_out_and_is_retried()
    {
        var aws = new CannedAws().Hang().Reply(200, """{"clusterArns":["a"]}""");
        var policy = new RetryPolicy(attemptTimeout: TimeSpan.FromMilliseconds(200), delay: (_, _) => Task.CompletedTask);

        ListClustersResponse response = await Client(aws, policy).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);

        Assert.Single(response.ClusterArns!);
        Assert.Equal(2, aws.Count);
    }

    [Fact]
    public async Task A_real_endpoint_that_accepts_and_never_answers_is_too_slow_not_unreachable()
    {
        await using var blackHole = new BlackHoleListener();
        var endpoint = new AwsServiceEndpoint("ecs", "ecs", new Uri($"http://127.0.0.1:{blackHole.Port}/"), "us-east-1", true, "test");
        var policy = new RetryPolicy(maxAttempts: 3, attemptTimeout: TimeSpan.FromMilliseconds(300), delay: (_, _) => Task.CompletedTask);
        var client = new AwsJsonClient(endpoint, EcsClient.TargetPrefix, CredentialSource.Static(Keys), policy, _log);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            client.InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsEndpointTooSlow", error.ErrorId);
        Assert.Equal(MightyErrorKind.Timeout, error.Kind);
        Assert.Contains($"{endpoint.Url.GetLeftPart(UriPartial.Authority)} answered too slowly", error.Message, StringComparison.Ordinal);
        Assert.Contains("within 0.3 s on any of 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("-TimeoutSec", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing answers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_attempts_and_timeout_bound_an_unanswered_call_to_about_a_minute()
    {
        var policy = new RetryPolicy(random: () => 1.0);
        TimeSpan worst = policy.AttemptTimeout * policy.MaxAttempts
            + Enumerable.Range(2, policy.MaxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, n) => sum + policy.DelayBefore(n));

        Assert.InRange(worst.TotalSeconds, 45, 70);
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_is_too_slow_naming_it_and_the_attempts()
    {
        var aws = new CannedAws().ThenAlwaysHang();
        var policy = new RetryPolicy(maxAttempts: 2, attemptTimeout: TimeSpan.FromMilliseconds(100), delay: (_, _) => Task.CompletedTask);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws, policy).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsEndpointTooSlow", error.ErrorId);
        Assert.Equal(MightyErrorKind.Timeout, error.Kind);
        Assert.Contains("http://127.0.0.1:4566", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.1 s on any of 2 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, aws.Count);
    }

    [Fact]
    public async Task Retries_stop_when_the_retry_quota_is_spent_and_successes_refill_it()
    {
        var quota = new RetryQuota();
        var policy = new RetryPolicy(maxAttempts: 1000, delay: (_, _) => Task.CompletedTask, quota: quota);
        var aws = new CannedAws().ThenAlwaysError(400, "ThrottlingException", "Rate exceeded");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws, policy).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsThrottled", error.ErrorId);
        Assert.Equal(RetryQuota.Capacity / RetryQuota.RetryCost + 1, aws.Count);
        Assert.Equal(0, quota.Available);
        Assert.Contains(_log.VerboseLines, m => m.Contains("retry quota is spent", StringComparison.Ordinal));

        var healthy = new CannedAws().Reply(200, """{"clusterArns":[]}""");
        await Client(healthy, policy).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);
        Assert.Equal(RetryQuota.NoRetryIncrement, quota.Available);
    }

    [Fact]
    public void A_timeout_retry_costs_more_and_a_success_after_retries_gives_back_what_its_retry_took()
    {
        var quota = new RetryQuota();

        Assert.True(quota.TryAcquire(afterTimeout: true, out int timeoutCost));
        Assert.True(quota.TryAcquire(afterTimeout: false, out int retryCost));
        quota.Release(retryCost);

        Assert.Equal(10, timeoutCost);
        Assert.Equal(5, retryCost);
        Assert.Equal(RetryQuota.Capacity - 10, quota.Available);
    }

    [Fact]
    public async Task Connection_resets_are_retried()
    {
        var aws = new CannedAws()
            .Throw(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))))
            .Reply(200, """{"clusterArns":["a"]}""");

        ListClustersResponse response = await Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);

        Assert.Single(response.ClusterArns!);
        Assert.Equal(2, aws.Count);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_a_few_times_then_AwsEndpointUnreachable()
    {
        var aws = new CannedAws().ThenAlwaysThrow(() => new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:4566)", new SocketException((int)SocketError.ConnectionRefused)));

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsEndpointUnreachable", error.ErrorId);
        Assert.Equal(MightyErrorKind.Connection, error.Kind);
        Assert.Equal(RetryPolicy.DefaultMaxConnectAttempts, aws.Count);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("sandbox", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_closed_port_is_AwsEndpointUnreachable_naming_the_endpoint()
    {
        int port = TestEnvironment.ClosedPort();
        var endpoint = Ecs with { Url = new Uri($"http://127.0.0.1:{port}/") };
        var client = new AwsJsonClient(endpoint, EcsClient.TargetPrefix, CredentialSource.Static(Keys), new RetryPolicy(delay: (_, _) => Task.CompletedTask), _log);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            client.InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsEndpointUnreachable", error.ErrorId);
        Assert.Contains($"http://127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_success_whose_body_is_not_json_is_AwsResponseInvalid()
    {
        var aws = new CannedAws().Reply(200, "<html>captive portal</html>");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() =>
            Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None));

        Assert.Equal("AwsResponseInvalid", error.ErrorId);
        Assert.IsType<JsonException>(error.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task Every_attempt_is_signed_with_the_credentials_current_then()
    {
        // A refreshing provider (a role, SSO, instance metadata) may hand out new keys between
        // two attempts; the retry must carry the new ones, not a signature made with the old.
        var aws = new CannedAws().Error(500, "InternalFailure", "x").Reply(200, "{}");
        var rotating = new RotatingCredentials("AKIAFIRST0000000000", "AKIASECOND000000000");
        var client = new AwsJsonClient(Ecs, EcsClient.TargetPrefix, CredentialSource.FromSdk(rotating, "a rotating provider"),
            new RetryPolicy(delay: (_, _) => Task.CompletedTask), _log, new HttpMessageInvoker(aws));

        await client.InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new(), null, CancellationToken.None);

        Assert.Equal(
            ["AKIAFIRST0000000000", "AKIASECOND000000000"],
            aws.Seen.Select(r => r.Header("Authorization")!.Split("Credential=")[1].Split('/')[0]));
    }

    /// <summary>Keys that change on every request for them, as a refreshing provider's may.</summary>
    private sealed class RotatingCredentials(params string[] accessKeyIds) : Amazon.Runtime.AWSCredentials
    {
        private int _calls;

        public override Amazon.Runtime.ImmutableCredentials GetCredentials() =>
            new(accessKeyIds[Math.Min(_calls++, accessKeyIds.Length - 1)], Secret, null);
    }

    private AwsJsonClient Client(CannedAws aws, int maxAttempts = RetryPolicy.DefaultMaxAttempts) =>
        Client(aws, new RetryPolicy(maxAttempts: maxAttempts, delay: (d, _) => { _delays.Add(d); return Task.CompletedTask; }));

    private AwsJsonClient Client(CannedAws aws, RetryPolicy policy) =>
        new(Ecs, EcsClient.TargetPrefix, CredentialSource.Static(Keys), policy, _log, new HttpMessageInvoker(aws));
}
