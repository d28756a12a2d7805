using System.Diagnostics;

namespace MightyOps.Core.Aws;

/// <summary>An error answer from AWS, thrown by one attempt of <see cref="AwsRetryLoop"/> for the loop to judge.</summary>
internal sealed class AwsErrorAnswer(AwsErrorResponse error) : Exception(error.Code)
{
    public AwsErrorResponse Error { get; } = error;
}

/// <summary>
/// How to find out whether a write that must not be repeated blindly has happened, after an
/// attempt that leaves it open (no answer in time, a dropped connection, a server error).
/// docs/design/retries-and-timeouts.md, "Writes that must not happen twice", has the rules.
/// </summary>
/// <typeparam name="T">The call's response, as the look rebuilds it from what the write left behind.</typeparam>
public sealed class AwsWriteCheck<T>
    where T : class
{
    /// <param name="evidence">What the write leaves behind, for messages: "a revision of family WEB tagged mightyops:request=…".</param>
    /// <param name="find">Looks for that evidence: the response when the write happened, null when it has not (yet).</param>
    /// <param name="whenUnknown">What to do when it stays unknown, appended to the error.</param>
    public AwsWriteCheck(string evidence, Func<CancellationToken, Task<T?>>? find, string? whenUnknown = null)
    {
        Evidence = evidence;
        Find = find;
        WhenUnknown = whenUnknown;
    }

    /// <summary>What the write leaves behind.</summary>
    public string Evidence { get; }

    /// <summary>Null when there is no way to look: the write is then never sent again after an attempt that leaves it open.</summary>
    public Func<CancellationToken, Task<T?>>? Find { get; }

    /// <summary>What to do when it stays unknown.</summary>
    public string? WhenUnknown { get; }
}

/// <summary>
/// The one retry loop of every AWS call, the hand-written JSON clients' and the AWSSDK-based
/// ones' alike: attempts with their own timeout, the standard retry mode's backoff and quota
/// (<see cref="RetryPolicy"/>), a failure that needs no retry or ran out of them turned into a
/// <see cref="MightyOpsException"/> (<see cref="AwsErrors"/>). A write that must not happen twice
/// (<see cref="AwsWriteCheck{T}"/>) is sent again only when it surely did not run: after a
/// rejection (throttling, a refused connection), or after a server error once a look found no
/// trace of it. Without an answer it may still be running, so it is never sent again: the
/// attempts left are spent looking for it. docs/design/retries-and-timeouts.md.
/// </summary>
internal sealed class AwsRetryLoop
{
    private readonly IOperationLog _log;

    public AwsRetryLoop(RetryPolicy policy, IOperationLog log)
    {
        Policy = policy;
        _log = log;
    }

    public RetryPolicy Policy { get; }

    /// <summary>
    /// Runs <paramref name="attempt"/> (given the attempt number and a token that ends with the
    /// attempt's time) until it succeeds or must give up. An attempt reports an error answer by
    /// throwing <see cref="AwsErrorAnswer"/>; a <see cref="MightyOpsException"/> it throws ends the
    /// call as it is. <paramref name="call"/> names the call in messages (read when one is written).
    /// </summary>
    public Task<T> RunAsync<T>(Func<AwsCall> call, Func<int, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken) =>
        RunAsync(call, attempt, null, null, cancellationToken);

    /// <summary>As <see cref="RunAsync{T}(Func{AwsCall}, Func{int, CancellationToken, Task{T}}, CancellationToken)"/>, for a write that is only sent again once <paramref name="write"/> says it did not happen.</summary>
    public Task<T> RunAsync<T>(Func<AwsCall> call, Func<int, CancellationToken, Task<T>> attempt, AwsWriteCheck<T>? write, CancellationToken cancellationToken)
        where T : class =>
        RunAsync(
            call,
            attempt,
            write is null ? null : new WriteRule(write.Evidence, write.WhenUnknown),
            write?.Find is { } find ? async ct => await find(ct).ConfigureAwait(false) is T found ? (true, found) : (false, default!) : null,
            cancellationToken);

    private async Task<T> RunAsync<T>(
        Func<AwsCall> call,
        Func<int, CancellationToken, Task<T>> attempt,
        WriteRule? write,
        Func<CancellationToken, Task<(bool Happened, T Result)>>? find,
        CancellationToken cancellationToken)
    {
        int lastRetryCost = 0;
        bool mayBeRunning = false;
        for (int number = 1; ; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Failure failure;
            using (var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptToken.CancelAfter(Policy.AttemptTimeout);
                try
                {
                    T result = await attempt(number, attemptToken.Token).ConfigureAwait(false);
                    Policy.Quota.Release(lastRetryCost);
                    return result;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (AwsErrorAnswer answer)
                {
                    failure = Failure.Answered(answer.Error);
                }
                catch (Exception e) when (e is OperationCanceledException || AwsErrors.IsNetworkFailure(e, out _))
                {
                    failure = Failure.NoAnswer(e);
                }
            }
            if (failure.Fatal)
            {
                throw failure.ToException(call(), number, Policy.AttemptTimeout);
            }

            if (write is not null && failure.MayHaveHappened)
            {
                mayBeRunning |= failure.MayStillRun;
                string evidence = write.Evidence;
                int looks = 0;
                string? lookFailure = null;
                var looking = Stopwatch.StartNew();
                while (find is not null)
                {
                    (bool happened, T result, string? error) = await LookAsync(find, cancellationToken).ConfigureAwait(false);
                    looks++;
                    if (happened)
                    {
                        _log.Verbose($"{Name(call())}: {failure.Describe(Policy.AttemptTimeout)}, but it happened: found {evidence}; not sending it again.");
                        Policy.Quota.Release(lastRetryCost);
                        return result;
                    }
                    lookFailure = error;
                    if (!mayBeRunning && error is null)
                    {
                        break;   // answered, and no trace of it: safe to send again
                    }
                    if (number >= Policy.MaxAttempts)
                    {
                        break;
                    }
                    // The look takes the place of the attempt it replaces; an attempt that got no
                    // answer is given at least its own timeout to show up before each look.
                    number++;
                    TimeSpan wait = Policy.DelayBefore(number);
                    if (mayBeRunning && wait < Policy.AttemptTimeout)
                    {
                        wait = Policy.AttemptTimeout;
                    }
                    _log.Verbose($"{Name(call())}: {failure.Describe(Policy.AttemptTimeout)}; not sending it again while it may still run. Looking for {evidence} again in {wait.TotalMilliseconds:0} ms (attempt {number} of {Policy.MaxAttempts}).");
                    await Policy.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                }
                if (find is null || mayBeRunning || lookFailure is not null)
                {
                    throw AwsErrors.WriteOutcomeUnknown(call(), failure.Describe(Policy.AttemptTimeout), failure.Exception, evidence, looks, looking.Elapsed, lookFailure, mayBeRunning, write.WhenUnknown);
                }
            }

            int limit = failure.WhileConnecting ? Policy.MaxConnectAttempts : Policy.MaxAttempts;
            if (number >= limit || !TryTakeRetry(call(), failure.TimedOut, ref lastRetryCost))
            {
                throw failure.ToException(call(), number, Policy.AttemptTimeout);
            }
            TimeSpan delay = Policy.DelayBefore(number + 1);
            _log.Verbose($"{Name(call())}: {failure.Describe(Policy.AttemptTimeout)}; retrying in {delay.TotalMilliseconds:0} ms (attempt {number + 1} of {Policy.MaxAttempts}).");
            await Policy.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(bool Happened, T Result, string? Error)> LookAsync<T>(Func<CancellationToken, Task<(bool Happened, T Result)>> find, CancellationToken cancellationToken)
    {
        try
        {
            (bool happened, T result) = await find(cancellationToken).ConfigureAwait(false);
            return (happened, result, null);
        }
        catch (MightyOpsException e)
        {
            return (false, default!, e.Message);
        }
    }

    /// <summary>Pays for a retry from the quota; says so when the quota is spent and the call gives up instead.</summary>
    private bool TryTakeRetry(AwsCall call, bool afterTimeout, ref int lastRetryCost)
    {
        if (Policy.Quota.TryAcquire(afterTimeout, out int cost))
        {
            lastRetryCost = cost;
            return true;
        }
        _log.Verbose($"{Name(call)}: not retrying, the retry quota is spent ({Policy.Quota.Available} of {RetryQuota.Capacity} left): too many recent calls in this command failed.");
        return false;
    }

    private static string Name(AwsCall call) => $"{call.Service} {call.Operation}";

    /// <summary>The messages of a write's <see cref="AwsWriteCheck{T}"/>.</summary>
    private sealed record WriteRule(string Evidence, string? WhenUnknown);

    /// <summary>What went wrong with one attempt, and what that means for the next.</summary>
    private sealed record Failure(AwsErrorResponse? Error, Exception? Exception, bool TimedOut, bool WhileConnecting)
    {
        public static Failure Answered(AwsErrorResponse error) => new(error, null, false, false);

        public static Failure NoAnswer(Exception e)
        {
            bool timedOut = e is OperationCanceledException;
            bool connecting = !timedOut && AwsErrors.IsNetworkFailure(e, out bool c) && c;
            return new Failure(null, e, timedOut, connecting);
        }

        /// <summary>An error answer that no retry changes (bad input, access denied, not found).</summary>
        public bool Fatal => Error is { } error && !AwsErrors.IsThrottling(error) && !AwsErrors.IsTransient(error);

        /// <summary>The request may have been carried out: a server error, or no answer after it was sent. Throttling and refused connections were not.</summary>
        public bool MayHaveHappened => Error is { } error ? !AwsErrors.IsThrottling(error) : !WhileConnecting;

        /// <summary>No answer: the request may still be running on the server.</summary>
        public bool MayStillRun => Error is null && !WhileConnecting;

        public string Describe(TimeSpan attemptTimeout) => Error is { } error
            ? $"{error.Code}{(error.RequestId is null ? string.Empty : $" (request id {error.RequestId})")}"
            : TimedOut ? $"no answer within {AwsJsonClient.Seconds(attemptTimeout)}" : Exception!.Message;

        public MightyOpsException ToException(AwsCall call, int attempts, TimeSpan attemptTimeout) =>
            Error is { } error ? AwsErrors.ToException(error, call, attempts)
            : TimedOut ? AwsErrors.TooSlow(Exception!, call, attempts, attemptTimeout)
            : AwsErrors.Unreachable(Exception!, call, attempts, timedOut: false);
    }
}
