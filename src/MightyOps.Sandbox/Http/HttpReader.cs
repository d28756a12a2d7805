using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace MightyOps.Sandbox.Http;

/// <summary>Buffered reads of lines and exact byte counts, each read bounded by a timeout and, for a request head, by a deadline.</summary>
/// <remarks>Its buffer is rented from the shared pool for the connection's life: a client that opens a connection per call costs no new buffer.</remarks>
internal sealed class HttpReader(Stream stream, CancellationTokenSource timeout) : IDisposable
{
    private const int BufferSize = 16 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private long _deadline;
    private TimeSpan _deadlineLength;

    /// <summary>Reads from now on must all be done within <paramref name="within"/>, or the request is answered 408.</summary>
    public void StartDeadline(TimeSpan within)
    {
        _deadlineLength = within;
        _deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
    }

    public void ClearDeadline() => _deadline = 0;

    /// <summary>Waits for the first byte of the next request; false at end of stream.</summary>
    public async Task<bool> WaitForDataAsync(TimeSpan idleTimeout) =>
        _start < _end || await FillAsync(idleTimeout).ConfigureAwait(false);

    /// <summary>Reads up to CRLF (a bare LF is tolerated). Null at end of stream when <paramref name="allowEof"/> and nothing was read.</summary>
    public async Task<string?> ReadLineAsync(int maxBytes, TimeSpan readTimeout, bool allowEof)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(readTimeout).ConfigureAwait(false))
            {
                if (allowEof && line.Count == 0)
                {
                    return null;
                }
                throw new HttpProtocolException(400, "The connection closed in the middle of a request.");
            }
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int take = newline < 0 ? _end - _start : newline - _start;
            if (line.Count + take > maxBytes)
            {
                throw new HttpProtocolException(431, "A request line or header is too long.");
            }
            for (int i = 0; i < take; i++)
            {
                line.Add(_buffer[_start + i]);
            }
            if (newline < 0)
            {
                _start = _end;
                continue;
            }
            _start = newline + 1;
            if (line.Count > 0 && line[^1] == '\r')
            {
                line.RemoveAt(line.Count - 1);
            }
            foreach (byte b in line)
            {
                // Control characters (other than tab) never belong in a request head.
                if ((b < 0x20 && b != '\t') || b == 0x7f)
                {
                    throw new HttpProtocolException(400, "Control characters in the request head.");
                }
            }
            // Header values are Latin-1 by HTTP's rules; UTF-8 bytes pass through unchanged that way.
            return Encoding.Latin1.GetString(line.ToArray());
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes into <paramref name="body"/>, as they arrive (a declared length alone reserves nothing).</summary>
    public async Task CopyToAsync(RequestBody body, long count, TimeSpan readTimeout)
    {
        long left = count;
        while (left > 0)
        {
            if (_start == _end && !await FillAsync(readTimeout).ConfigureAwait(false))
            {
                throw new HttpProtocolException(400, "The connection closed before the whole body arrived.");
            }
            int take = (int)Math.Min(left, _end - _start);
            await body.AppendAsync(_buffer.AsMemory(_start, take), CancellationToken.None).ConfigureAwait(false);
            _start += take;
            left -= take;
        }
    }

    private async Task<bool> FillAsync(TimeSpan readTimeout)
    {
        TimeSpan wait = readTimeout;
        bool deadlineBound = false;
        if (_deadline != 0)
        {
            TimeSpan left = TimeSpan.FromSeconds((double)(_deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero)
            {
                throw DeadlinePassed();
            }
            deadlineBound = left < wait;
            wait = deadlineBound ? left : wait;
        }
        timeout.CancelAfter(wait);
        int read;
        try
        {
            read = await stream.ReadAsync(_buffer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadlineBound || (_deadline != 0 && Stopwatch.GetTimestamp() >= _deadline))
        {
            // The timer may fire a little before the stopwatch reaches the deadline: when the wait
            // was cut to the deadline, its expiry is the deadline passing, and the client gets its 408.
            throw DeadlinePassed();
        }
        finally
        {
            if (!timeout.IsCancellationRequested)
            {
                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
        _start = 0;
        _end = read;
        return read > 0;
    }

    private HttpProtocolException DeadlinePassed() =>
        new(408, $"The request did not arrive within {_deadlineLength.TotalSeconds:0.#} seconds of its first byte.");

    /// <summary>Gives the buffer back to the pool; the reader is not used afterwards.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _start = _end = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
