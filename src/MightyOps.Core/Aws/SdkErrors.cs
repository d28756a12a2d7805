using Amazon.Runtime;

namespace MightyOps.Core.Aws;

/// <summary>Turns AWSSDK (S3, EC2) exceptions into the same error ids the JSON clients use.</summary>
internal static class SdkErrors
{
    /// <summary>True for exceptions to translate: everything the SDK throws, but not the caller's cancellation.</summary>
    public static bool Handles(Exception e, CancellationToken cancellationToken) =>
        e is not MightyOpsException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    public static MightyOpsException ToException(Exception e, AwsCall call)
    {
        if (e is AmazonServiceException service && (int)service.StatusCode > 0)
        {
            string code = string.IsNullOrEmpty(service.ErrorCode) ? ((int)service.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : service.ErrorCode;
            if (call.SigningName == "s3" && (int)service.StatusCode == 404 && code is "404" or "NotFound")
            {
                // HEAD has no body, so a missing object is a bare 404.
                code = "NoSuchKey";
            }
            var error = new AwsErrorResponse((int)service.StatusCode, code, service.Message ?? string.Empty, string.IsNullOrEmpty(service.RequestId) ? null : service.RequestId);
            return AwsErrors.ToException(error, call, attempts: null);
        }
        if (e is OperationCanceledException || AwsErrors.IsNetworkFailure(e, out _))
        {
            return AwsErrors.Unreachable(e, call, attempts: null, timedOut: e is OperationCanceledException);
        }
        return new MightyOpsException("AwsRequestFailed", MightyErrorKind.Failed,
            $"{call.Service} {call.Operation} failed: {TerminalText.Quote(e.Message, TerminalText.LineLength)}", call.Target, e);
    }
}
