using System.Net.Sockets;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// The rules for a write that must not happen twice (docs/design/retries-and-timeouts.md, "Writes
/// that must not happen twice"), one row per case: what each attempt got (canned answers through
/// the real JSON client), what each look for the write found, and what the call did.
/// </summary>
public sealed class WriteRetryTests
{
    private static readonly AwsServiceEndpoint Ecs = new("ECS", "ecs", new Uri("http://127.0.0.1:4566/"), "eu-west-1", true, "-EndpointUrl");
    private readonly RecordingLog _log = new();

    /// <param name="attempts">What each attempt gets: 200, 400 (bad input), 500, throttle, hang (no answer in time), reset (connection dropped after sending), refused (never sent).</param>
    /// <param name="looks">What each look finds: yes, no, fail (the look itself fails); no once the list runs out.</param>
    [Theory]
    [InlineData("hang", "no,yes", 1, 2, "found")]
    [InlineData("hang", "", 1, 5, "AwsWriteOutcomeUnknown")]
    [InlineData("reset", "", 1, 5, "AwsWriteOutcomeUnknown")]
    [InlineData("500,200", "no", 2, 1, "sent")]
    [InlineData("500", "yes", 1, 1, "found")]
    [InlineData("500,200", "fail,no", 2, 2, "sent")]
    [InlineData("500,500,500,500,500", "", 5, 5, "AwsServerError")]
    [InlineData("throttle,throttle,200", "", 3, 0, "sent")]
    [InlineData("refused,200", "", 2, 0, "sent")]
    [InlineData("400", "", 1, 0, "AwsInvalidParameter")]
    public async Task A_write_that_must_not_happen_twice(string attempts, string looks, int sends, int looked, string outcome)
    {
        CannedAws aws = Script(attempts);
        Queue<string> findings = new(looks.Split(',', StringSplitOptions.RemoveEmptyEntries));
        int lookCount = 0;
        var check = new AwsWriteCheck<RegisterTaskDefinitionResponse>("revision tagged mightyops:request=abc", _ =>
        {
            lookCount++;
            return (findings.TryDequeue(out string? finding) ? finding : "no") switch
            {
                "yes" => Task.FromResult<RegisterTaskDefinitionResponse?>(new RegisterTaskDefinitionResponse { TaskDefinition = new EcsTaskDefinition { TaskDefinitionArn = "found" } }),
                "fail" => throw new MightyOpsException(AwsErrorIds.AwsThrottled, "ECS ListTaskDefinitions was still throttled."),
                _ => Task.FromResult<RegisterTaskDefinitionResponse?>(null),
            };
        });

        string result;
        try
        {
            RegisterTaskDefinitionResponse response = await Client(aws).InvokeAsync<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse>(
                "RegisterTaskDefinition", new RegisterTaskDefinitionRequest { Family = "WEB" }, "WEB", check, CancellationToken.None);
            result = response.TaskDefinition?.TaskDefinitionArn == "found" ? "found" : "sent";
        }
        catch (MightyOpsException e)
        {
            result = e.ErrorId;
            if (e.ErrorId == "AwsWriteOutcomeUnknown")
            {
                Assert.Contains("ECS RegisterTaskDefinition may or may not have happened", e.Message, StringComparison.Ordinal);
                Assert.Contains("found no revision tagged mightyops:request=abc", e.Message, StringComparison.Ordinal);
                Assert.Contains("happened at most once", e.Message, StringComparison.Ordinal);
                Assert.Equal(MightyErrorKind.Timeout, e.Kind);
            }
        }

        Assert.Equal(outcome, result);
        Assert.Equal(sends, aws.Count);
        Assert.Equal(looked, lookCount);
    }

    [Fact]
    public async Task Without_a_way_to_look_a_write_without_an_answer_is_not_sent_again()
    {
        CannedAws aws = Script("hang");
        var error = await Assert.ThrowsAsync<MightyOpsException>(() => new EcsClient(Client(aws)).RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest { Family = "WEB" }, CancellationToken.None));

        Assert.Equal("AwsWriteOutcomeUnknown", error.ErrorId);
        Assert.Contains("there is no way to look for new revision of family 'WEB'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, aws.Count);
    }

    [Fact]
    public async Task A_read_without_an_answer_is_simply_sent_again()
    {
        CannedAws aws = Script("hang,reset,200");
        await Client(aws).InvokeAsync<ListClustersRequest, ListClustersResponse>("ListClusters", new ListClustersRequest(), null, CancellationToken.None);
        Assert.Equal(3, aws.Count);
    }

    [Fact]
    public async Task An_update_that_forces_a_new_deployment_is_not_repeated_blindly_but_one_that_sets_a_count_is()
    {
        CannedAws forced = Script("500");
        var error = await Assert.ThrowsAsync<MightyOpsException>(() => new EcsClient(Client(forced)).UpdateServiceAsync(
            new UpdateServiceRequest { Cluster = "production", Service = "WEB", ForceNewDeployment = true }, CancellationToken.None));
        Assert.Equal("AwsWriteOutcomeUnknown", error.ErrorId);
        Assert.Equal(MightyErrorKind.Failed, error.Kind);
        Assert.Equal(1, forced.Count);

        CannedAws count = Script("500,hang,200");
        await new EcsClient(Client(count)).UpdateServiceAsync(new UpdateServiceRequest { Cluster = "production", Service = "WEB", DesiredCount = 3 }, CancellationToken.None);
        Assert.Equal(3, count.Count);
    }

    private static CannedAws Script(string attempts)
    {
        var aws = new CannedAws();
        foreach (string attempt in attempts.Split(','))
        {
            _ = attempt switch
            {
                "200" => aws.Reply(200, """{"taskDefinition":{"taskDefinitionArn":"registered"}}"""),
                "400" => aws.Error(400, "ClientException", "Container list cannot be empty."),
                "500" => aws.Error(500, "ServerException", "Service unavailable."),
                "throttle" => aws.Error(400, "ThrottlingException", "Rate exceeded"),
                "hang" => aws.Hang(),
                "reset" => aws.Throw(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)))),
                "refused" => aws.Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:4566)", new SocketException((int)SocketError.ConnectionRefused))),
                _ => throw new ArgumentException(attempt, nameof(attempts)),
            };
        }
        return aws;
    }

    private AwsJsonClient Client(CannedAws aws) =>
        new(Ecs, EcsClient.TargetPrefix, CredentialSource.Static(new AwsCredentialSnapshot("AKIDEXAMPLE", "secret")),
            new RetryPolicy(attemptTimeout: TimeSpan.FromMilliseconds(100), delay: (_, _) => Task.CompletedTask), _log, new HttpMessageInvoker(aws));
}
