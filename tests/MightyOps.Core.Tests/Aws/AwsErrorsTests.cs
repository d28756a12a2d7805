using System.Text;
using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

public sealed class AwsErrorsTests
{
    private static readonly AwsCall Call = new("ECS", "ecs", "DescribeServices", new Uri("https://ecs.us-east-1.amazonaws.com/"), "us-east-1", "AKIAIOSFODNN7EXAMPLE", "WEB");

    [Theory]
    [InlineData("ClusterNotFoundException", "ClusterNotFoundException")]
    [InlineData("com.amazon.coral.service#UnrecognizedClientException", "UnrecognizedClientException")]
    [InlineData("com.amazonaws.ecs#ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/", "ThrottlingException")]
    [InlineData("InvalidParameterException:", "InvalidParameterException")]
    [InlineData("aws.protocoltests.json#FooError", "FooError")]
    public void The_code_is_cut_at_the_colon_and_after_the_last_hash(string type, string code) =>
        Assert.Equal(code, AwsErrors.NormalizeCode(type));

    [Fact]
    public void Message_comes_from_message_then_Message_and_the_request_id_from_the_header()
    {
        AwsErrorResponse lower = AwsErrors.Parse(400, Encoding.UTF8.GetBytes("""{"__type":"ClientException","message":"lower"}"""), "id-1");
        AwsErrorResponse upper = AwsErrors.Parse(400, Encoding.UTF8.GetBytes("""{"__type":"ClientException","Message":"upper"}"""), null);

        Assert.Equal(new AwsErrorResponse(400, "ClientException", "lower", "id-1"), lower);
        Assert.Equal(new AwsErrorResponse(400, "ClientException", "upper", null), upper);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>Service Unavailable</html>")]
    [InlineData("[1,2]")]
    [InlineData("""{"message":"no type"}""")]
    public void Without_a_type_the_code_is_the_status(string body) =>
        Assert.Equal("503", AwsErrors.Parse(503, Encoding.UTF8.GetBytes(body), null).Code);

    [Theory]
    [InlineData(400, "ThrottlingException", true)]
    [InlineData(400, "Throttling", true)]
    [InlineData(400, "RequestLimitExceeded", true)]
    [InlineData(503, "SlowDown", true)]
    [InlineData(429, "429", true)]
    [InlineData(400, "LimitExceededException", false)]
    [InlineData(400, "ClientException", false)]
    public void Throttling_is_recognised_by_code_and_429_but_an_ECS_quota_is_not(int status, string code, bool throttling) =>
        Assert.Equal(throttling, AwsErrors.IsThrottling(new AwsErrorResponse(status, code, string.Empty, null)));

    [Theory]
    [InlineData(500, "ServerException", true)]
    [InlineData(502, "502", true)]
    [InlineData(503, "503", true)]
    [InlineData(504, "504", true)]
    [InlineData(400, "RequestTimeout", true)]
    [InlineData(501, "NotImplemented", false)]
    [InlineData(400, "InvalidParameterException", false)]
    public void Transient_failures_are_the_5xx_and_timeout_codes(int status, string code, bool transient) =>
        Assert.Equal(transient, AwsErrors.IsTransient(new AwsErrorResponse(status, code, string.Empty, null)));

    [Theory]
    [InlineData("InvalidClientTokenId", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData("SignatureDoesNotMatch", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData("IncompleteSignature", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData("AuthFailure", "AwsAuthenticationFailed", MightyErrorKind.Authentication)]
    [InlineData("UnauthorizedOperation", "AwsAccessDenied", MightyErrorKind.PermissionDenied)]
    [InlineData("ConflictException", "AwsConflict", MightyErrorKind.Conflict)]
    [InlineData("NoSuchKey", "S3ObjectNotFound", MightyErrorKind.NotFound)]
    [InlineData("NoSuchBucket", "S3BucketNotFound", MightyErrorKind.NotFound)]
    [InlineData("InvalidInstanceID.NotFound", "Ec2InstanceNotFound", MightyErrorKind.NotFound)]
    [InlineData("InvalidInstanceID.Malformed", "AwsInvalidParameter", MightyErrorKind.InvalidArgument)]
    [InlineData("ServerException", "AwsServerError", MightyErrorKind.Failed)]
    public void Codes_map_to_stable_ids(string code, string errorId, MightyErrorKind kind)
    {
        int status = code == "ServerException" ? 500 : 400;
        MightyOpsException error = AwsErrors.ToException(new AwsErrorResponse(status, code, "AWS text", "req-9"), Call, attempts: 3);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal("req-9", error.RequestId);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_session_token_says_to_get_new_credentials()
    {
        MightyOpsException error = AwsErrors.ToException(new AwsErrorResponse(400, "ExpiredTokenException", "The security token included in the request is expired", null), Call);

        Assert.Equal("AwsAuthenticationFailed", error.ErrorId);
        Assert.Contains("session token", error.Message, StringComparison.Ordinal);
        Assert.Contains("aws sso login", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_outside_the_time_window_points_at_the_clock()
    {
        MightyOpsException error = AwsErrors.ToException(new AwsErrorResponse(400, "InvalidSignatureException", "Signature expired: 20150830T123600Z is now earlier than 20150830T125100Z (20150830T130100Z - 10 min.)", null), Call);

        Assert.Equal("AwsAuthenticationFailed", error.ErrorId);
        Assert.Contains("clock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_says_which_key_and_what_to_check()
    {
        MightyOpsException error = AwsErrors.ToException(new AwsErrorResponse(400, "UnrecognizedClientException", "The security token included in the request is invalid.", null), Call);

        Assert.Contains("access key AKIA…MPLE ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_SESSION_TOKEN", error.Message, StringComparison.Ordinal);
    }
}
