using System.Globalization;

namespace MightyOps.Core.Aws;

/// <summary>
/// How the hand-written AWS clients retry: a bounded number of attempts with exponential backoff
/// and full jitter (delay drawn uniformly from 0 .. min(cap, base * 2^(attempt-1))), the scheme
/// botocore's standard mode and the AWS Architecture Blog "Exponential Backoff And Jitter" use.
/// Every wait observes the caller's CancellationToken.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Attempts in all (the first call included) unless AWS_MAX_ATTEMPTS says otherwise.</summary>
    public const int DefaultMaxAttempts = 8;

    /// <summary>A refused connection or an unknown host rarely heals in seconds; fail fast after this many attempts.</summary>
    public const int DefaultMaxConnectAttempts = 3;

    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<double> _random;

    public RetryPolicy(
        int maxAttempts = DefaultMaxAttempts,
        TimeSpan? baseDelay = null,
        TimeSpan? maxDelay = null,
        TimeSpan? attemptTimeout = null,
        int maxConnectAttempts = DefaultMaxConnectAttempts,
        Func<double>? random = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        if (maxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt is needed.");
        }
        MaxAttempts = maxAttempts;
        MaxConnectAttempts = Math.Clamp(maxConnectAttempts, 1, maxAttempts);
        BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(100);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(10);
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(30);
        _random = random ?? Random.Shared.NextDouble;
        _delay = delay ?? Task.Delay;
    }

    /// <summary>The default policy, with AWS_MAX_ATTEMPTS (the SDKs' variable) honoured when it holds a positive number.</summary>
    public static RetryPolicy FromEnvironment(IOperationLog log)
    {
        string? text = Environment.GetEnvironmentVariable("AWS_MAX_ATTEMPTS");
        if (string.IsNullOrWhiteSpace(text))
        {
            return new RetryPolicy();
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int attempts) && attempts >= 1)
        {
            return new RetryPolicy(maxAttempts: attempts);
        }
        log.Warning($"AWS_MAX_ATTEMPTS='{text}' is not a positive whole number; using {DefaultMaxAttempts} attempts.");
        return new RetryPolicy();
    }

    public int MaxAttempts { get; }

    public int MaxConnectAttempts { get; }

    public TimeSpan BaseDelay { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>How long one HTTP attempt may take from send to the last byte of the response.</summary>
    public TimeSpan AttemptTimeout { get; }

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
