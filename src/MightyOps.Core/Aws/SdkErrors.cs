using Amazon.Runtime;

namespace MightyOps.Core.Aws;

/// <summary>
/// Runs AWSSDK (S3, EC2) calls through the module's own retry loop (<see cref="AwsRetryLoop"/>:
/// the SDK itself makes one attempt per call) and turns what the SDK throws into the same errors
/// the JSON clients give.
/// </summary>
internal static class SdkErrors
{
    /// <summary>
    /// Sends <paramref name="send"/> as the attempts of one call: an error answer is judged by the
    /// loop like any other (S3's 503 as throttling), anything else the SDK throws becomes a
    /// <see cref="MightyOpsException"/>.
    /// </summary>
    public static async Task<T> RunAsync<T>(AwsRetryLoop retries, AwsCall call, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await retries.RunAsync(() => call, async (_, attemptToken) =>
            {
                try
                {
                    return await send(attemptToken).ConfigureAwait(false);
                }
                catch (AmazonServiceException e) when ((int)e.StatusCode > 0)
                {
                    throw new AwsErrorAnswer(Response(e, call));
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Handles(e, cancellationToken))
        {
            throw ToException(e, call);
        }
    }

    /// <summary>True for exceptions to translate: everything the SDK throws, but not the caller's cancellation.</summary>
    public static bool Handles(Exception e, CancellationToken cancellationToken) =>
        e is not MightyOpsException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>
    /// The error answer as the JSON clients read theirs. HEAD has no body, so a missing object is a
    /// bare 404 (NoSuchKey). Every 503 of S3 asks the caller to slow down (SlowDown, or
    /// ServiceUnavailable "Reduce your request rate", bodiless on HEAD): throttling, not a server
    /// failure (docs/design/aws-sdk-notes.md, "S3 throttling").
    /// </summary>
    public static AwsErrorResponse Response(AmazonServiceException service, AwsCall call)
    {
        int status = (int)service.StatusCode;
        string code = string.IsNullOrEmpty(service.ErrorCode) ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : service.ErrorCode;
        if (call.SigningName == "s3" && status == 404 && code is "404" or "NotFound")
        {
            code = "NoSuchKey";
        }
        if (call.SigningName == "s3" && status == 503)
        {
            code = "SlowDown";
        }
        return new AwsErrorResponse(status, code, service.Message ?? string.Empty, string.IsNullOrEmpty(service.RequestId) ? null : service.RequestId);
    }

    public static MightyOpsException ToException(Exception e, AwsCall call)
    {
        if (e is AmazonServiceException service && (int)service.StatusCode > 0)
        {
            return AwsErrors.ToException(Response(service, call), call, attempts: null);
        }
        if (e is OperationCanceledException || AwsErrors.IsNetworkFailure(e, out _))
        {
            return AwsErrors.Unreachable(e, call, attempts: null, timedOut: e is OperationCanceledException);
        }
        return new MightyOpsException(AwsErrorIds.AwsRequestFailed,
            $"{call.Service} {call.Operation} failed: {TerminalText.Quote(e.Message, TerminalText.LineLength)}", call.Target, e);
    }
}
