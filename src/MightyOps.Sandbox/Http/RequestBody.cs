using System.Security.Cryptography;

namespace MightyOps.Sandbox.Http;

/// <summary>
/// A request body as it arrives: in memory up to <see cref="SpoolThresholdBytes"/>, then in a
/// temporary file deleted when the request is done, so a large body costs disk, not memory,
/// until a handler asks for its bytes (after the signature over it has been checked).
/// </summary>
internal sealed class RequestBody : IDisposable
{
    /// <summary>Bodies above this size go to a temporary file instead of memory.</summary>
    public const int SpoolThresholdBytes = 256 * 1024;

    private readonly MemoryStream _memory = new();
    private FileStream? _file;
    private byte[]? _bytes;

    public long Length => _file?.Length ?? _memory.Length;

    /// <summary>True once the body outgrew memory and went to a temporary file.</summary>
    public bool IsSpooled => _file is not null;

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_file is null && _memory.Length + data.Length > SpoolThresholdBytes)
        {
            _file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            _memory.Position = 0;
            await _memory.CopyToAsync(_file, cancellationToken).ConfigureAwait(false);
            _memory.SetLength(0);
            _memory.Capacity = 0;
        }
        if (_file is not null)
        {
            await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _memory.Write(data.Span);
        }
    }

    /// <summary>The whole body, read once (from the file when it was spooled).</summary>
    public byte[] ToArray()
    {
        if (_bytes is not null)
        {
            return _bytes;
        }
        if (_file is null)
        {
            return _bytes = _memory.ToArray();
        }
        byte[] bytes = new byte[_file.Length];
        _file.Position = 0;
        _file.ReadExactly(bytes);
        return _bytes = bytes;
    }

    /// <summary>The lower-case hex SHA-256 of the body, without loading a spooled body into memory.</summary>
    public string Sha256Hex()
    {
        if (_file is null || _bytes is not null)
        {
            return Convert.ToHexString(SHA256.HashData(ToArray())).ToLowerInvariant();
        }
        _file.Position = 0;
        return Convert.ToHexString(SHA256.HashData(_file)).ToLowerInvariant();
    }

    public void Dispose()
    {
        _file?.Dispose();
        _memory.Dispose();
    }
}
