using System.Text;
using MightyOps.Core.Exec;
using Xunit;

namespace MightyOps.Core.Tests.Exec;

/// <summary>What a command's output keeps: every byte counted and copied, the last bytes kept, whole lines shown.</summary>
public sealed class OutputTailTests
{
    [Theory]
    [InlineData(new[] { 3 }, "abc")]
    [InlineData(new[] { 4, 4 }, "ab\ncd\nef")]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1, 1 }, "ab\ncd\nef")]
    [InlineData(new[] { 8 }, "ab\ncd\nef")]
    public void Keeps_everything_up_to_the_limit_whatever_the_chunks(int[] chunks, string text)
    {
        var tail = new OutputTail(limit: 16);
        Feed(tail, text, chunks);
        Assert.Equal(text, tail.Text());
        Assert.False(tail.Truncated);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), tail.TotalBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(64)]
    public void Keeps_the_last_bytes_and_starts_at_a_whole_line(int chunk)
    {
        string text = string.Concat(Enumerable.Range(0, 20).Select(i => $"line {i:00}\n"));   // 8 bytes a line
        var tail = new OutputTail(limit: 20);
        Feed(tail, text, Enumerable.Repeat(chunk, text.Length / chunk + 1).ToArray());

        Assert.True(tail.Truncated);
        Assert.Equal(160, tail.TotalBytes);
        Assert.Equal(text[^20..], Encoding.UTF8.GetString(tail.KeptBytes()));
        Assert.Equal("line 18\nline 19\n", tail.Text());
    }

    [Fact]
    public void Never_starts_inside_a_UTF8_character_when_there_is_no_whole_line()
    {
        var tail = new OutputTail(limit: 5);
        Feed(tail, "ééééééé", [3, 3, 3, 3, 2]);   // 2 bytes each: the cut falls inside one
        Assert.Equal("éé", tail.Text());
    }

    [Fact]
    public void Copies_every_byte_exactly_and_counts_what_reached_the_copy()
    {
        byte[] random = new byte[256 * 1024];
        new Random(7).NextBytes(random);
        using var copy = new MemoryStream();
        var tail = new OutputTail(limit: 1024, copy: copy);
        tail.ReadAll(new MemoryStream(random));

        Assert.Equal(random, copy.ToArray());
        Assert.Equal(random.Length, tail.TotalBytes);
        Assert.Equal(random.Length, tail.CopiedBytes);
        Assert.Equal(random[^1024..], tail.KeptBytes());
        Assert.Null(tail.CopyError);
    }

    [Fact]
    public void A_copy_that_fails_stops_copying_and_keeps_counting()
    {
        var tail = new OutputTail(limit: 8, copy: new FullDisk(capacity: 5));
        Feed(tail, "abcdefghij", [4, 4, 2]);
        Assert.IsType<IOException>(tail.CopyError);
        Assert.Equal(4, tail.CopiedBytes);
        Assert.Equal(10, tail.TotalBytes);
        Assert.Equal("cdefghij", Encoding.UTF8.GetString(tail.KeptBytes()));
    }

    private static void Feed(OutputTail tail, string text, int[] chunks)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int at = 0;
        foreach (int size in chunks)
        {
            int n = Math.Min(size, bytes.Length - at);
            if (n <= 0)
            {
                break;
            }
            tail.Append(bytes.AsSpan(at, n));
            at += n;
        }
        Assert.Equal(bytes.Length, at);
    }

    private sealed class FullDisk(int capacity) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length + buffer.Length > capacity)
            {
                throw new IOException("No space left on device");
            }
            base.Write(buffer);
        }
    }
}
