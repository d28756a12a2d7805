using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MightyOps.Core.Aws;

/// <summary>
/// One AWS JSON 1.1 service (ECS, ECR): POST / with X-Amz-Target, SigV4-signed, retried by
/// <see cref="AwsRetryLoop"/> (backoff on throttling and transient failures, writes that must not
/// happen twice checked first), errors turned into <see cref="MightyOpsException"/>.
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
    private readonly AwsRetryLoop _retries;

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
        _retries = new AwsRetryLoop(retry, log);
        _log = log;
        _http = http ?? AwsHttp.Shared;
        _clock = clock ?? TimeProvider.System;
    }

    public AwsServiceEndpoint Endpoint { get; }

    public RetryPolicy Retry => _retries.Policy;

    /// <summary>
    /// Calls <paramref name="operation"/> with <paramref name="request"/> as the JSON body and
    /// returns the parsed response. <paramref name="target"/> names what the call is about in errors.
    /// </summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, CancellationToken cancellationToken)
        where TResponse : class, new() =>
        InvokeAsync<TRequest, TResponse>(operation, request, target, write: null, cancellationToken);

    /// <summary>
    /// As <see cref="InvokeAsync{TRequest, TResponse}(string, TRequest, object, CancellationToken)"/>
    /// for a write that must not happen twice: after an attempt that leaves open whether it ran,
    /// it is sent again only once <paramref name="write"/> found no trace of it (never when the
    /// attempt got no answer: it may still run).
    /// </summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, AwsWriteCheck<TResponse>? write, CancellationToken cancellationToken)
        where TResponse : class, new()
    {
        byte[] body = request is null ? EmptyObject : JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options);
        var call = new AwsCall(Endpoint.Service, Endpoint.SigningName, operation, Endpoint.Url, Endpoint.Region, null, target);
        bool correctedClock = false;

        async Task<TResponse> AttemptAsync(int attempt, CancellationToken attemptToken)
        {
            while (true)
            {
                AwsCredentialSnapshot credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
                call = call with { AccessKeyId = credentials.AccessKeyId };
                using HttpRequestMessage message = BuildRequest(operation, body, credentials);
                long started = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await _http.SendAsync(message, attemptToken).ConfigureAwait(false);
                byte[] responseBody = await response.Content.ReadAsByteArrayAsync(attemptToken).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                string? requestId = Header(response, "x-amzn-RequestId") ?? Header(response, "x-amz-request-id");
                _log.Debug($"{Endpoint.Service} {operation}: HTTP {status} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms (attempt {attempt}).");
                if (status is >= 200 and < 300)
                {
                    return Deserialize<TResponse>(responseBody, call, status, requestId);
                }
                AwsErrorResponse error = AwsErrors.Parse(status, responseBody, requestId);
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

    internal static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";

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
                AwsErrorIds.AwsResponseInvalid,
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
