namespace MightyOps.Core.Logs;

/// <summary>
/// Following a <see cref="LogPlan"/>: the first poll reads the window (<see cref="LogReader.ReadAsync"/>),
/// each later one is one FilterLogEvents per log group from the newest event seen less
/// <see cref="LogReader.FollowOverlap"/> (CloudWatch may make an event readable seconds after its
/// timestamp). An event is never given twice. Get-MightyLog -Follow polls it on a timer; the
/// one-off task watch polls it between looks at the task.
/// </summary>
public sealed class LogFollow
{
    private readonly LogReader _reader;
    private readonly LogPlan _plan;
    private readonly LogWindow _window;
    private readonly List<LogQuery> _queries;
    private readonly Dictionary<(string Stream, long Timestamp, string Message), long> _seen = [];
    private long _newest;
    private bool _started;

    internal LogFollow(LogReader reader, LogPlan plan, LogWindow window)
    {
        _reader = reader;
        _plan = plan;
        _window = window;
        _queries = plan.Queries().ToList();
        _newest = window.Since.ToUnixTimeMilliseconds();
    }

    /// <summary>The events not given by an earlier poll, oldest first.</summary>
    public async Task<IReadOnlyList<MightyLogEvent>> PollAsync(Action<MightyOpsException> onError, CancellationToken cancellationToken)
    {
        long since = _window.Since.ToUnixTimeMilliseconds();
        var result = new List<MightyLogEvent>();
        if (!_started)
        {
            // The window as Get-MightyLog reads it (-Tail included), every line of it.
            _started = true;
            foreach (MightyLogEvent e in await _reader.ReadAsync(_plan, _window, onError, cancellationToken).ConfigureAwait(false))
            {
                long ms = e.Timestamp.ToUnixTimeMilliseconds();
                _seen[(e.LogStream, ms, e.Message)] = ms;
                _newest = Math.Max(_newest, ms);
                result.Add(e);
            }
        }
        else
        {
            long from = Math.Max(since, _newest - (long)LogReader.FollowOverlap.TotalMilliseconds);
            var fresh = new List<MightyLogEvent>();
            foreach (LogQuery query in _queries)
            {
                fresh.AddRange(await _reader.PollAsync(query, from, _window.FilterPattern, cancellationToken).ConfigureAwait(false));
            }
            foreach (MightyLogEvent e in fresh.OrderBy(e => e.Timestamp))
            {
                long ms = e.Timestamp.ToUnixTimeMilliseconds();
                if (_seen.TryAdd((e.LogStream, ms, e.Message), ms))
                {
                    _newest = Math.Max(_newest, ms);
                    result.Add(e);
                }
            }
        }
        // Forget what the next poll cannot return again.
        long horizon = Math.Max(since, _newest - (long)LogReader.FollowOverlap.TotalMilliseconds);
        foreach (var key in _seen.Where(s => s.Value < horizon).Select(s => s.Key).ToList())
        {
            _seen.Remove(key);
        }
        return result;
    }
}
