using System.Diagnostics;
using System.Globalization;
using MightyOps.Core.Aws;

namespace MightyOps.Core.Deploy;

/// <summary>
/// Whether ECS answers <see cref="RolloutWatcher"/>'s polls: how long since the last answer, the
/// warning when polls start failing, and the <c>AwsEndpointUnreachable</c> that ends the watch
/// once the bound passes without an answer (docs/design/deploy.md, "When ECS does not answer").
/// A throttle or a server error is an answer; a refused, reset or timed-out connection is not.
/// </summary>
internal sealed class UnansweredPolls
{
    private readonly string _endpoint;
    private readonly TimeSpan _limit;
    private readonly IOperationLog _log;
    private long _pollStarted;
    private long? _outageStarted;
    private MightyOpsException? _first;
    private MightyOpsException? _last;

    public UnansweredPolls(Uri endpoint, TimeSpan limit, IOperationLog log)
    {
        _endpoint = endpoint.GetLeftPart(UriPartial.Authority);
        _limit = limit;
        _log = log;
    }

    /// <summary>True from a poll that got no answer until the next one that does.</summary>
    public bool Failing => _last is not null;

    /// <summary>
    /// True once the bound has passed during an outage (give or take the few milliseconds a timer
    /// that woke the loop for the deadline may be early: a poll that short cannot be answered).
    /// </summary>
    public bool Expired => Failing && Left < TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Time left before the watch gives up. The outage is counted from the start of the first
    /// poll that got no answer: the pause between polls of an endpoint that answers is no outage.
    /// </summary>
    public TimeSpan Left => _limit - Outage;

    /// <summary>The progress line while ECS does not answer.</summary>
    public string Status => $"no answer from ECS for {Seconds(Outage)}; trying again until {Seconds(_limit)} without one";

    private TimeSpan Outage => _outageStarted is long started ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;

    /// <summary>A failure that means ECS gave no answer at all (as opposed to an answer that says no).</summary>
    public static bool IsNoAnswer(MightyOpsException e) => e.Kind is MightyErrorKind.Connection or MightyErrorKind.Timeout;

    /// <summary>Runs one poll, cancelled when the bound passes so that a stuck call cannot outlast it.</summary>
    public async Task<T> PollAsync<T>(Func<CancellationToken, Task<T>> poll, CancellationToken cancellationToken)
    {
        _pollStarted = Stopwatch.GetTimestamp();
        TimeSpan allowed = Left;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(allowed > TimeSpan.Zero ? allowed : TimeSpan.Zero);
        try
        {
            return await poll(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MightyOpsException(AwsErrorIds.AwsEndpointUnreachable, MightyErrorKind.Timeout,
                $"DescribeServices was still waiting for an answer after {Seconds(Stopwatch.GetElapsedTime(_pollStarted))}.", _endpoint, e);
        }
    }

    /// <summary>A poll got no answer: the first one of an outage is a warning naming the endpoint and the error.</summary>
    public void Failed(MightyOpsException failure)
    {
        bool first = _last is null;
        _last = failure;
        _outageStarted ??= _pollStarted;
        _first ??= failure;
        if (first)
        {
            _log.Warning($"No answer from ECS at {_endpoint}: {failure.Message} Still waiting: the watch stops after {Seconds(_limit)} without an answer (-UnreachableTimeout); the deployments go on in ECS either way.");
        }
        else
        {
            _log.Verbose($"Still no answer from ECS at {_endpoint} after {Seconds(Outage)}: {failure.Message}");
        }
    }

    /// <summary>A poll got an answer (even a throttle or a server error).</summary>
    public void Answered()
    {
        if (_last is not null)
        {
            _log.Verbose($"ECS at {_endpoint} answers again after {Seconds(Outage)} without an answer.");
            _first = null;
            _last = null;
            _outageStarted = null;
        }
    }

    /// <summary>
    /// The error that ends the watch: nothing was judged or rolled back, the deployments go on in
    /// ECS, and the command that follows them again. <paramref name="timeout"/> is set when the
    /// deployments' own -Timeout passed during the outage.
    /// </summary>
    public MightyOpsException GiveUp(IReadOnlyList<WatchedDeployment> open, TimeSpan? timeout)
    {
        string when = timeout is TimeSpan passed
            ? $"and -Timeout ({passed}) has passed"
            : $"the bound set by -UnreachableTimeout";
        string services = string.Join(",", open.Select(d => d.Service));
        return new MightyOpsException(
            AwsErrorIds.AwsEndpointUnreachable,
            $"Stopped waiting: ECS at {_endpoint} has given no answer for {Seconds(Outage)}, {when}. The first poll without an answer: {_first?.Message} " +
            $"The deployment of {services} goes on in ECS; MightyOps rolled nothing back. Once the endpoint answers again, follow it with: {RolloutWatcher.FollowCommand(open)}",
            _endpoint,
            _first);
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
}
