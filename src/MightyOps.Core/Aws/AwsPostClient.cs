using System.Diagnostics;
using System.Net.Http.Headers;

namespace MightyOps.Core.Aws;

/// <summary>One request body of a protocol client, ready to be posted to the service's endpoint.</summary>
/// <param name="Operation">The API operation, for messages and the debug log.</param>
/// <param name="Body">The body, exactly as signed and sent.</param>
/// <param name="ContentType">The Content-Type, exactly as signed and sent.</param>
/// <param name="Headers">Other headers to sign and send (JSON 1.1's <c>X-Amz-Target</c>).</param>
/// <param name="Target">What the call is about, for errors.</param>
internal sealed record AwsPost(string Operation, byte[] Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, object? Target);

/// <summary>An answer of HTTP 2xx: its body, status and request id (the header; a protocol may find a better one in the body).</summary>
internal sealed record AwsAnswer(byte[] Body, int Status, string? RequestId);

/// <summary>
/// What the protocol clients share (<see cref="AwsJsonClient"/> for JSON 1.1,
/// <see cref="Query.AwsQueryClient"/> for the query protocol): <c>POST</c> to the endpoint,
/// SigV4-signed, each attempt run by <see cref="AwsRetryLoop"/> (backoff on throttling and
/// transient failures, writes that must not happen twice checked first). A protocol client
/// brings the body and reads the answer and the error document its own way; a request refused
/// for its time stamp alone is signed again with AWS's clock, once (docs/design/retries-and-timeouts.md,
/// "A clock that is off").
/// </summary>
internal sealed class AwsPostClient
{
    private readonly CredentialSource _credentials;
    private readonly IOperationLog _log;
    private readonly HttpMessageInvoker _http;
    private readonly TimeProvider _clock;
    private readonly AwsRetryLoop _retries;

    // How far AWS's clock is from ours, learned from a "Signature expired" answer (as the SDKs do):
    // a VM whose clock drifted still works, and says so once.
    private static long _clockOffsetTicks;

    public AwsPostClient(AwsServiceEndpoint endpoint, CredentialSource credentials, RetryPolicy retry, IOperationLog log, HttpMessageInvoker? http = null, TimeProvider? clock = null)
    {
        Endpoint = endpoint;
        _credentials = credentials;
        _retries = new AwsRetryLoop(retry, log);
        _log = log;
        _http = http ?? AwsHttp.Shared;
        _clock = clock ?? TimeProvider.System;
    }

    public AwsServiceEndpoint Endpoint { get; }

    public RetryPolicy Retry => _retries.Policy;

    /// <summary>
    /// Posts <paramref name="post"/> until an attempt succeeds or the call must give up.
    /// <paramref name="read"/> turns a 2xx answer into the result (throwing a
    /// <see cref="MightyOpsException"/> when it is not the expected document);
    /// <paramref name="readError"/> turns any other answer into the error the retry loop judges.
    /// </summary>
    public Task<T> SendAsync<T>(AwsPost post, Func<AwsAnswer, AwsCall, T> read, Func<int, byte[], string?, AwsErrorResponse> readError, AwsWriteCheck<T>? write, CancellationToken cancellationToken)
        where T : class
    {
        var call = new AwsCall(Endpoint.Service, Endpoint.SigningName, post.Operation, Endpoint.Url, Endpoint.Region, null, post.Target);
        bool correctedClock = false;

        async Task<T> AttemptAsync(int attempt, CancellationToken attemptToken)
        {
            while (true)
            {
                AwsCredentialSnapshot credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
                call = call with { AccessKeyId = credentials.AccessKeyId };
                using HttpRequestMessage message = BuildRequest(post, credentials);
                long started = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await _http.SendAsync(message, attemptToken).ConfigureAwait(false);
                byte[] responseBody = await response.Content.ReadAsByteArrayAsync(attemptToken).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                string? requestId = Header(response, "x-amzn-RequestId") ?? Header(response, "x-amz-request-id");
                _log.Debug($"{Endpoint.Service} {post.Operation}: HTTP {status} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms (attempt {attempt}).");
                if (status is >= 200 and < 300)
                {
                    return read(new AwsAnswer(responseBody, status, requestId), call);
                }
                AwsErrorResponse error = readError(status, responseBody, requestId);
                if (!correctedClock && response.Headers.Date is { } date && IsClockSkew(error))
                {
                    TimeSpan offset = date - _clock.GetUtcNow();
                    if (offset.Duration() > TimeSpan.FromMinutes(4))
                    {
                        // Refused on its time stamp alone: sent again at once, signed with AWS's time, as the same attempt.
                        Interlocked.Exchange(ref _clockOffsetTicks, offset.Ticks);
                        correctedClock = true;
                        _log.Warning($"This machine's clock is {offset.Duration().TotalMinutes:0} minutes {(offset > TimeSpan.Zero ? "behind" : "ahead of")} AWS's ({call.Service} said: {error.Message}); signing with AWS's time. Fix the clock (NTP).");
                        continue;
                    }
                }
                throw new AwsErrorAnswer(error);
            }
        }

        return _retries.RunAsync(() => call, AttemptAsync, write, cancellationToken);
    }

    /// <summary>
    /// The error for a 2xx answer whose body is not the document the protocol expects
    /// (<paramref name="format"/>: JSON, XML): usually an endpoint override that points at something else.
    /// </summary>
    public static MightyOpsException Unreadable(AwsAnswer answer, AwsCall call, string format, Exception cause) =>
        new(
            AwsErrorIds.AwsResponseInvalid,
            $"{call.Service} {call.Operation} answered HTTP {answer.Status} with a body that is not the expected {format} ({cause.Message}). Check that {call.Endpoint.GetLeftPart(UriPartial.Authority)} is an {call.Service} endpoint.",
            call.Target,
            cause)
        { RequestId = answer.RequestId };

    /// <summary>For tests: forget a learned clock offset.</summary>
    internal static void ResetClockOffset() => Interlocked.Exchange(ref _clockOffsetTicks, 0);

    private HttpRequestMessage BuildRequest(AwsPost post, AwsCredentialSnapshot credentials)
    {
        var content = new ByteArrayContent(post.Body);
        // Set explicitly: StringContent would append "; charset=utf-8", and the value sent must be the value signed.
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(post.ContentType);
        var message = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = content };
        foreach ((string name, string value) in post.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        DateTime signedAt = _clock.GetUtcNow().UtcDateTime + TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));
        SigV4.Sign(message, post.Body, credentials, Endpoint.Region, Endpoint.SigningName, signedAt);
        // Not signed (SigV4.Sign skips it): proxies and HttpClient may rewrite it.
        message.Headers.TryAddWithoutValidation("User-Agent", AwsHttp.UserAgent);
        return message;
    }

    private static bool IsClockSkew(AwsErrorResponse error) =>
        error.Code is "RequestExpired" or "RequestTimeTooSkewed" or "RequestInTheFuture"
        || (error.Code is "InvalidSignatureException" or "SignatureDoesNotMatch" or "AuthFailure"
            && (error.Message.Contains("Signature expired", StringComparison.OrdinalIgnoreCase) || error.Message.Contains("not yet current", StringComparison.OrdinalIgnoreCase)));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
}
