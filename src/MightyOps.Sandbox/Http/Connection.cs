using System.Diagnostics;
using System.Net.Sockets;

namespace MightyOps.Sandbox.Http;

/// <summary>One accepted connection: its socket, its read cancellation, and whether it waits between requests.</summary>
internal sealed class Connection(Socket socket, CancellationTokenSource reads)
{
    private const int Busy = 0;
    private const int Idle = 1;
    private const int Evicted = 2;
    private const int Finished = 3;

    // A new connection has sent nothing yet: it is idle (and may be evicted) until its first byte.
    private int _state = Idle;
    private long _idleSince = Stopwatch.GetTimestamp();

    public Socket Socket { get; } = socket;

    /// <summary>Cancels every read: the server stops, or the connection is evicted.</summary>
    public CancellationTokenSource Reads { get; } = reads;

    public Task? Task { get; set; }

    public bool IsIdle => Volatile.Read(ref _state) == Idle;

    /// <summary>The connection's task is done; false when it was evicted first (the evictor counted it off).</summary>
    public bool TryFinish()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Evicted)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _state, Finished, state) == state)
            {
                return true;
            }
        }
    }

    public long IdleSince => Volatile.Read(ref _idleSince);

    public void MarkIdle()
    {
        Volatile.Write(ref _idleSince, Stopwatch.GetTimestamp());
        Interlocked.CompareExchange(ref _state, Idle, Busy);
    }

    /// <summary>A request is starting; false when the connection was evicted first.</summary>
    public bool TryMarkBusy() => Interlocked.CompareExchange(ref _state, Busy, Idle) == Idle;

    /// <summary>Closes the connection if it is still waiting for a request.</summary>
    public bool TryEvict()
    {
        if (Interlocked.CompareExchange(ref _state, Evicted, Idle) != Idle)
        {
            return false;
        }
        Cut();
        return true;
    }

    /// <summary>Ends reads and closes the socket at once (its descriptor is free when this returns).</summary>
    public void Cut()
    {
        try
        {
            Reads.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        Socket.Dispose();
    }

    public void Close()
    {
        Socket.Dispose();
        Reads.Dispose();
    }
}
