using System.Globalization;

namespace MightyOps.Core.Aws;

/// <summary>
/// How the hand-written AWS clients retry: the AWS SDKs' "standard" retry mode (botocore's
/// <c>retries/standard.py</c>, AWSSDK's <c>RequestRetryMode.Standard</c>): a bounded number of
/// attempts, each with its own timeout; exponential backoff with full jitter (delay drawn
/// uniformly from 0 .. min(20 s, 1 s * 2^(retry-1))); and a retry quota (<see cref="RetryQuota"/>)
/// that stops retrying once most recent calls failed. docs/design/retries-and-timeouts.md says
/// why the attempt count and timeout differ from the SDKs' defaults. Every wait observes the
/// caller's CancellationToken.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>
    /// Attempts in all (the first call included) unless AWS_MAX_ATTEMPTS says otherwise. The SDKs
    /// use 3 for one API call; a cmdlet makes several calls (a 32-service cluster is one
    /// ListServices and four DescribeServices), each of which must succeed, so 5.
    /// </summary>
    public const int DefaultMaxAttempts = 5;

    /// <summary>A refused connection or an unknown host rarely heals in seconds; fail fast after this many attempts.</summary>
    public const int DefaultMaxConnectAttempts = 3;

    /// <summary>
    /// How long one attempt may take by default: with <see cref="DefaultMaxAttempts"/> and the
    /// backoff between them, a call that never gets an answer gives up after about a minute.
    /// </summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<double> _random;

    public RetryPolicy(
        int maxAttempts = DefaultMaxAttempts,
        TimeSpan? baseDelay = null,
        TimeSpan? maxDelay = null,
        TimeSpan? attemptTimeout = null,
        int maxConnectAttempts = DefaultMaxConnectAttempts,
        Func<double>? random = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        RetryQuota? quota = null)
    {
        if (maxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt is needed.");
        }
        MaxAttempts = maxAttempts;
        MaxConnectAttempts = Math.Clamp(maxConnectAttempts, 1, maxAttempts);
        BaseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(20);
        AttemptTimeout = attemptTimeout ?? DefaultAttemptTimeout;
        Quota = quota ?? new RetryQuota();
        _random = random ?? Random.Shared.NextDouble;
        _delay = delay ?? Task.Delay;
    }

    /// <summary>
    /// The default policy, with AWS_MAX_ATTEMPTS (the SDKs' variable) honoured when it holds a
    /// positive number, and <paramref name="attemptTimeout"/> (-TimeoutSec) when given.
    /// </summary>
    public static RetryPolicy FromEnvironment(IOperationLog log, TimeSpan? attemptTimeout = null)
    {
        string? text = Environment.GetEnvironmentVariable("AWS_MAX_ATTEMPTS");
        int attempts = DefaultMaxAttempts;
        if (!string.IsNullOrWhiteSpace(text))
        {
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed >= 1)
            {
                attempts = parsed;
            }
            else
            {
                log.Warning($"AWS_MAX_ATTEMPTS='{text}' is not a positive whole number; using {DefaultMaxAttempts} attempts.");
            }
        }
        return new RetryPolicy(maxAttempts: attempts, attemptTimeout: attemptTimeout);
    }

    public int MaxAttempts { get; }

    public int MaxConnectAttempts { get; }

    public TimeSpan BaseDelay { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>How long one HTTP attempt may take from send to the last byte of the response.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>The retry quota shared by the calls made with this policy (one cmdlet invocation's session).</summary>
    public RetryQuota Quota { get; }

    /// <summary>The backoff before attempt <paramref name="nextAttempt"/> (2 for the first retry).</summary>
    public TimeSpan DelayBefore(int nextAttempt)
    {
        int exponent = Math.Clamp(nextAttempt - 2, 0, 30);
        double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(_random() * ceiling);
    }

    /// <summary>Waits before the next attempt; throws OperationCanceledException as soon as the token is cancelled.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => _delay(delay, cancellationToken);
}

/// <summary>
/// The standard retry mode's retry quota (a token bucket): each retry takes
/// <see cref="RetryCost"/> (<see cref="TimeoutRetryCost"/> after a timeout) from a bucket of
/// <see cref="Capacity"/>; a call that succeeds at once puts <see cref="NoRetryIncrement"/> back, a
/// call that succeeds after retries puts back what its last retry took. When the bucket cannot pay
/// for a retry the call fails with the error it has, so that a service in trouble is not hit with
/// every client's full set of retries.
/// </summary>
public sealed class RetryQuota
{
    public const int Capacity = 500;
    public const int RetryCost = 5;
    public const int TimeoutRetryCost = 10;
    public const int NoRetryIncrement = 1;

    private readonly object _gate = new();
    private int _available = Capacity;

    /// <summary>What is left in the bucket.</summary>
    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _available;
            }
        }
    }

    /// <summary>Takes the cost of one retry; false (and nothing taken) when the bucket cannot pay it.</summary>
    public bool TryAcquire(bool afterTimeout, out int cost)
    {
        cost = afterTimeout ? TimeoutRetryCost : RetryCost;
        lock (_gate)
        {
            if (_available < cost)
            {
                cost = 0;
                return false;
            }
            _available -= cost;
            return true;
        }
    }

    /// <summary>A call succeeded: <paramref name="lastRetryCost"/> back if it needed retries, else <see cref="NoRetryIncrement"/>.</summary>
    public void Release(int lastRetryCost)
    {
        lock (_gate)
        {
            _available = Math.Min(Capacity, _available + (lastRetryCost > 0 ? lastRetryCost : NoRetryIncrement));
        }
    }
}
