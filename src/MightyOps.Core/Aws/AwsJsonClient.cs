using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MightyOps.Core.Aws;

/// <summary>
/// One AWS JSON 1.1 service (ECS, ECR): POST / with X-Amz-Target, SigV4-signed, retried with
/// backoff on throttling and transient failures, errors turned into <see cref="MightyOpsException"/>.
/// The typed clients (<see cref="Ecs.EcsClient"/>, <see cref="Ecr.EcrClient"/>) add paging and batching.
/// </summary>
internal sealed class AwsJsonClient
{
    private const string ContentType = "application/x-amz-json-1.1";
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private readonly string _targetPrefix;
    private readonly CredentialSource _credentials;
    private readonly IOperationLog _log;
    private readonly HttpMessageInvoker _http;
    private readonly TimeProvider _clock;

    // How far AWS's clock is from ours, learned from a "Signature expired" answer (as the SDKs do):
    // a VM whose clock drifted still works, and says so once.
    private static long _clockOffsetTicks;

    public AwsJsonClient(
        AwsServiceEndpoint endpoint,
        string targetPrefix,
        CredentialSource credentials,
        RetryPolicy retry,
        IOperationLog log,
        HttpMessageInvoker? http = null,
        TimeProvider? clock = null)
    {
        Endpoint = endpoint;
        _targetPrefix = targetPrefix;
        _credentials = credentials;
        Retry = retry;
        _log = log;
        _http = http ?? AwsHttp.Shared;
        _clock = clock ?? TimeProvider.System;
    }

    public AwsServiceEndpoint Endpoint { get; }

    public RetryPolicy Retry { get; }

    /// <summary>
    /// Calls <paramref name="operation"/> with <paramref name="request"/> as the JSON body and
    /// returns the parsed response. <paramref name="target"/> names what the call is about in errors.
    /// </summary>
    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, CancellationToken cancellationToken)
        where TResponse : new()
    {
        byte[] body = request is null ? EmptyObject : JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options);
        var call = new AwsCall(Endpoint.Service, Endpoint.SigningName, operation, Endpoint.Url, Endpoint.Region, null, target);
        bool correctedClock = false;
        int lastRetryCost = 0;
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AwsCredentialSnapshot credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
            call = call with { AccessKeyId = credentials.AccessKeyId };

            using HttpRequestMessage message = BuildRequest(operation, body, credentials);
            using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptToken.CancelAfter(Retry.AttemptTimeout);
            long started = Stopwatch.GetTimestamp();

            int status;
            byte[] responseBody;
            string? requestId;
            DateTimeOffset? serverDate;
            try
            {
                using HttpResponseMessage response = await _http.SendAsync(message, attemptToken.Token).ConfigureAwait(false);
                responseBody = await response.Content.ReadAsByteArrayAsync(attemptToken.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
                requestId = Header(response, "x-amzn-RequestId") ?? Header(response, "x-amz-request-id");
                serverDate = response.Headers.Date;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is OperationCanceledException || AwsErrors.IsNetworkFailure(e, out _))
            {
                bool timedOut = e is OperationCanceledException;
                bool connecting = !timedOut && AwsErrors.IsNetworkFailure(e, out bool c) && c;
                int limit = connecting ? Retry.MaxConnectAttempts : Retry.MaxAttempts;
                if (attempt >= limit || !TryTakeRetry(call, timedOut, ref lastRetryCost))
                {
                    throw timedOut ? AwsErrors.TooSlow(e, call, attempt, Retry.AttemptTimeout) : AwsErrors.Unreachable(e, call, attempt, timedOut: false);
                }
                await BackoffAsync(call, attempt, timedOut ? $"no answer within {Seconds(Retry.AttemptTimeout)}" : e.Message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            _log.Debug($"{Endpoint.Service} {operation}: HTTP {status} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms (attempt {attempt}).");
            if (status is >= 200 and < 300)
            {
                Retry.Quota.Release(lastRetryCost);
                return Deserialize<TResponse>(responseBody, call, status, requestId);
            }

            AwsErrorResponse error = AwsErrors.Parse(status, responseBody, requestId);
            if (!correctedClock && serverDate is { } date && IsClockSkew(error))
            {
                TimeSpan offset = date - _clock.GetUtcNow();
                if (offset.Duration() > TimeSpan.FromMinutes(4))
                {
                    Interlocked.Exchange(ref _clockOffsetTicks, offset.Ticks);
                    correctedClock = true;
                    _log.Warning($"This machine's clock is {offset.Duration().TotalMinutes:0} minutes {(offset > TimeSpan.Zero ? "behind" : "ahead of")} AWS's ({call.Service} said: {error.Message}); signing with AWS's time. Fix the clock (NTP).");
                    attempt--;
                    continue;
                }
            }
            bool retryable = AwsErrors.IsThrottling(error) || AwsErrors.IsTransient(error);
            if (retryable && attempt < Retry.MaxAttempts && TryTakeRetry(call, afterTimeout: false, ref lastRetryCost))
            {
                await BackoffAsync(call, attempt, $"{error.Code}{(error.RequestId is null ? string.Empty : $" (request id {error.RequestId})")}", cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw AwsErrors.ToException(error, call, attempt);
        }
    }

    private HttpRequestMessage BuildRequest(string operation, byte[] body, AwsCredentialSnapshot credentials)
    {
        var content = new ByteArrayContent(body);
        // Set explicitly: StringContent would append "; charset=utf-8", and the value sent must be the value signed.
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        var message = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = content };
        message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{_targetPrefix}.{operation}");
        DateTime signedAt = _clock.GetUtcNow().UtcDateTime + TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));
        SigV4.Sign(message, body, credentials, Endpoint.Region, Endpoint.SigningName, signedAt);
        // Not signed (SigV4.Sign skips it): proxies and HttpClient may rewrite it.
        message.Headers.TryAddWithoutValidation("User-Agent", AwsHttp.UserAgent);
        return message;
    }

    /// <summary>Pays for a retry from the quota; says so when the quota is spent and the call gives up instead.</summary>
    private bool TryTakeRetry(AwsCall call, bool afterTimeout, ref int lastRetryCost)
    {
        if (Retry.Quota.TryAcquire(afterTimeout, out int cost))
        {
            lastRetryCost = cost;
            return true;
        }
        _log.Verbose($"{call.Service} {call.Operation}: not retrying, the retry quota is spent ({Retry.Quota.Available} of {RetryQuota.Capacity} left): too many recent calls in this command failed.");
        return false;
    }

    internal static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";

    private async Task BackoffAsync(AwsCall call, int attempt, string reason, CancellationToken cancellationToken)
    {
        TimeSpan delay = Retry.DelayBefore(attempt + 1);
        _log.Verbose($"{call.Service} {call.Operation}: {reason}; retrying in {delay.TotalMilliseconds:0} ms (attempt {attempt + 1} of {Retry.MaxAttempts}).");
        await Retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
    }

    private static TResponse Deserialize<TResponse>(byte[] body, AwsCall call, int status, string? requestId)
        where TResponse : new()
    {
        if (body.Length == 0)
        {
            return new TResponse();
        }
        try
        {
            return JsonSerializer.Deserialize<TResponse>(body, AwsJson.Options) ?? new TResponse();
        }
        catch (JsonException e)
        {
            throw new MightyOpsException(
                "AwsResponseInvalid",
                MightyErrorKind.Failed,
                $"{call.Service} {call.Operation} answered HTTP {status} with a body that is not the expected JSON ({e.Message}). Check that {call.Endpoint.GetLeftPart(UriPartial.Authority)} is an {call.Service} endpoint.",
                call.Target,
                e)
            { RequestId = requestId };
        }
    }

    private static bool IsClockSkew(AwsErrorResponse error) =>
        error.Code is "RequestExpired" or "RequestTimeTooSkewed" or "RequestInTheFuture"
        || (error.Code is "InvalidSignatureException" or "SignatureDoesNotMatch" or "AuthFailure"
            && (error.Message.Contains("Signature expired", StringComparison.OrdinalIgnoreCase) || error.Message.Contains("not yet current", StringComparison.OrdinalIgnoreCase)));

    /// <summary>For tests: forget a learned clock offset.</summary>
    internal static void ResetClockOffset() => Interlocked.Exchange(ref _clockOffsetTicks, 0);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
}
