using System.Runtime.InteropServices;

namespace MightyOps.Core.Exec;

/// <summary>
/// The local terminal in raw mode, on Linux (docs/design/interactive-terminal.md): termios from
/// tcgetattr on fd 0 is saved, cfmakeraw's settings applied, and the saved settings restored on
/// Dispose. Input is read as bytes from fd 0 (poll, then read), output written as bytes to fd 1,
/// so every key (arrows, Ctrl+C, Alt-keys, pasted text) passes through unchanged; the window
/// size comes from ioctl(TIOCGWINSZ).
/// </summary>
public sealed class RawTerminal : IDisposable
{
    private const string Libc = "libc.so.6";
    private const int StdIn = 0;
    private const int StdOut = 1;
    private const int TcsaNow = 0;
    private const int TcsaDrain = 1;
    private const ulong TiocGWinSz = 0x5413;
    private const short PollIn = 0x1;
    private const short PollHup = 0x10;
    private const int Eintr = 4;
    private const int Eagain = 11;

    // glibc's struct termios is 60 bytes; the buffer is larger so nothing depends on its layout.
    private readonly byte[] _saved = new byte[256];
    private bool _restored;

    private RawTerminal()
    {
    }

    /// <summary>Why raw input is impossible here (not Linux, stdin or stdout not a terminal), or null when it is possible.</summary>
    public static string? Unsupported()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "raw terminal input is implemented for Linux only";
        }
        if (Console.IsInputRedirected || isatty(StdIn) != 1)
        {
            return "standard input is not a terminal";
        }
        if (Console.IsOutputRedirected || isatty(StdOut) != 1)
        {
            return "standard output is not a terminal";
        }
        return null;
    }

    /// <summary>Switches the terminal to raw mode; Dispose restores it.</summary>
    public static RawTerminal Enter()
    {
        var terminal = new RawTerminal();
        if (tcgetattr(StdIn, terminal._saved) != 0)
        {
            throw Failed("tcgetattr");
        }
        byte[] raw = (byte[])terminal._saved.Clone();
        cfmakeraw(raw);
        if (tcsetattr(StdIn, TcsaNow, raw) != 0)
        {
            throw Failed("tcsetattr");
        }
        return terminal;
    }

    /// <summary>Columns and rows of the window (80x24 when the terminal does not say).</summary>
    public static (int Columns, int Rows) Size()
    {
        if (OperatingSystem.IsLinux() && ioctl(StdOut, TiocGWinSz, out WinSize size) == 0 && size.Columns > 0 && size.Rows > 0)
        {
            return (size.Columns, size.Rows);
        }
        return (80, 24);
    }

    /// <summary>
    /// Reads what the user typed: the byte count, 0 when nothing came within
    /// <paramref name="timeoutMilliseconds"/>, -1 at the end of input.
    /// </summary>
    public int Read(byte[] buffer, int timeoutMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var fds = new[] { new PollFd { Fd = StdIn, Events = PollIn } };
        int ready = poll(fds, 1, timeoutMilliseconds);
        if (ready == 0 || (ready < 0 && Marshal.GetLastPInvokeError() == Eintr))
        {
            return 0;
        }
        if (ready < 0)
        {
            throw Failed("poll");
        }
        if ((fds[0].Revents & PollIn) == 0 && (fds[0].Revents & PollHup) != 0)
        {
            return -1;
        }
        nint count = read(StdIn, buffer, buffer.Length);
        if (count < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            return error is Eintr or Eagain ? 0 : throw Failed("read");
        }
        return count == 0 ? -1 : (int)count;
    }

    /// <summary>Writes bytes to the terminal as they are.</summary>
    public static void Write(byte[] data, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(data);
        while (count > 0)
        {
            byte[] chunk = offset == 0 ? data : data[offset..(offset + count)];
            nint written = write(StdOut, chunk, count);
            if (written < 0)
            {
                if (Marshal.GetLastPInvokeError() == Eintr)
                {
                    continue;
                }
                return;
            }
            offset += (int)written;
            count -= (int)written;
        }
    }

    /// <summary>Restores the settings saved by <see cref="Enter"/>.</summary>
    public void Dispose()
    {
        if (!_restored)
        {
            _restored = true;
            tcsetattr(StdIn, TcsaDrain, _saved);
        }
    }

    private static MightyOpsException Failed(string call) =>
        new(ExecErrorIds.TerminalFailed, $"The terminal refused {call} (errno {Marshal.GetLastPInvokeError()}). Run the command in a terminal window, or use Invoke-MightyContainer.");

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport(Libc, SetLastError = true)]
    private static extern int isatty(int fd);

    [DllImport(Libc, SetLastError = true)]
    private static extern int tcgetattr(int fd, [Out] byte[] termios);

    [DllImport(Libc, SetLastError = true)]
    private static extern int tcsetattr(int fd, int actions, [In] byte[] termios);

    [DllImport(Libc)]
    private static extern void cfmakeraw([In, Out] byte[] termios);

    [DllImport(Libc, SetLastError = true)]
    private static extern int ioctl(int fd, ulong request, out WinSize size);

    [DllImport(Libc, SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, ulong count, int timeout);

    [DllImport(Libc, SetLastError = true)]
    private static extern nint read(int fd, [Out] byte[] buffer, nint count);

    [DllImport(Libc, SetLastError = true)]
    private static extern nint write(int fd, [In] byte[] buffer, nint count);
}
