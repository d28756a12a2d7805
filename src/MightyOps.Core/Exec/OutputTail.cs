using System.Text;

namespace MightyOps.Core.Exec;

/// <summary>
/// One output stream of a remote command, read as it arrives: every byte is counted and, when a
/// file is given, copied to it unchanged; only the last <see cref="Limit"/> bytes are kept for
/// the text, so a command that writes gigabytes costs a bounded amount of memory
/// (docs/design/exec.md, "Output").
/// </summary>
public sealed class OutputTail
{
    /// <summary>What a result keeps of each stream by default: the last 1 MiB.</summary>
    public const int DefaultLimit = 1024 * 1024;

    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _ring;
    private Stream? _copy;
    private int _start;
    private int _count;

    /// <param name="limit">How many of the last bytes to keep.</param>
    /// <param name="copy">Where every byte also goes (an -OutFile), or null.</param>
    public OutputTail(int limit = DefaultLimit, Stream? copy = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _ring = new byte[limit];
        _copy = copy;
    }

    /// <summary>How many bytes are kept at most.</summary>
    public int Limit => _ring.Length;

    /// <summary>Every byte the stream carried.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>True when more arrived than <see cref="Limit"/>: the text is the end of it.</summary>
    public bool Truncated => TotalBytes > _ring.Length;

    /// <summary>Why the copy to the file stopped (a full disk), or null.</summary>
    public IOException? CopyError { get; private set; }

    /// <summary>The bytes that reached the file.</summary>
    public long CopiedBytes { get; private set; }

    /// <summary>
    /// Reads <paramref name="source"/> to its end, blocking (SSH.NET's output streams only read
    /// synchronously: callers give this a thread of its own).
    /// </summary>
    public void ReadAll(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        byte[] buffer = new byte[ChunkSize];
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            Append(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Takes one chunk: copied whole, counted, and the end of it kept.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_copy is not null)
        {
            try
            {
                _copy.Write(bytes);
                CopiedBytes += bytes.Length;
            }
            catch (IOException e)
            {
                // The command goes on and is still read (and counted); the caller reports it.
                CopyError = e;
                _copy = null;
            }
        }
        TotalBytes += bytes.Length;
        if (bytes.Length >= _ring.Length)
        {
            bytes[^_ring.Length..].CopyTo(_ring);
            _start = 0;
            _count = _ring.Length;
            return;
        }
        int end = (_start + _count) % _ring.Length;
        int first = Math.Min(bytes.Length, _ring.Length - end);
        bytes[..first].CopyTo(_ring.AsSpan(end));
        bytes[first..].CopyTo(_ring);
        int overflow = Math.Max(0, _count + bytes.Length - _ring.Length);
        _count = Math.Min(_ring.Length, _count + bytes.Length);
        _start = (_start + overflow) % _ring.Length;
    }

    /// <summary>The bytes kept, oldest first.</summary>
    public byte[] KeptBytes()
    {
        byte[] kept = new byte[_count];
        int first = Math.Min(_count, _ring.Length - _start);
        _ring.AsSpan(_start, first).CopyTo(kept);
        _ring.AsSpan(0, _count - first).CopyTo(kept.AsSpan(first));
        return kept;
    }

    /// <summary>
    /// The kept bytes as UTF-8 text (bytes that are not UTF-8 become U+FFFD: the exact bytes go
    /// to a file). Cut off at the front, the text starts at the first whole line.
    /// </summary>
    public string Text()
    {
        byte[] kept = KeptBytes();
        int from = 0;
        if (Truncated)
        {
            int newline = Array.IndexOf(kept, (byte)'\n');
            if (newline >= 0 && newline < kept.Length - 1)
            {
                from = newline + 1;
            }
            else
            {
                // No whole line: at least do not start inside a UTF-8 sequence.
                while (from < kept.Length && (kept[from] & 0xC0) == 0x80)
                {
                    from++;
                }
            }
        }
        return Encoding.UTF8.GetString(kept, from, kept.Length - from);
    }
}
