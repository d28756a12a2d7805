using System.Security.Cryptography;

namespace MightyOps.Sandbox.S3;

/// <summary>
/// The flexible checksums S3 accepts in <c>x-amz-checksum-*</c> headers and aws-chunked trailers
/// (botocore and AWSSDK add CRC32 by default since early 2025), as base64 of the big-endian value.
/// </summary>
internal static class Checksums
{
    public static readonly IReadOnlyList<string> Algorithms = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

    private static readonly uint[] Crc32Table = Table32(0xEDB88320u);
    private static readonly uint[] Crc32CTable = Table32(0x82F63B78u);
    private static readonly ulong[] Crc64NvmeTable = Table64(0x9A6C9329AC4BC9B5ul);

    /// <summary>The header that carries <paramref name="algorithm"/>, e.g. <c>x-amz-checksum-crc32</c>.</summary>
    public static string HeaderName(string algorithm) => "x-amz-checksum-" + algorithm.ToLowerInvariant();

    public static string Compute(string algorithm, ReadOnlySpan<byte> data) => algorithm.ToUpperInvariant() switch
    {
        "CRC32" => Convert.ToBase64String(BigEndian(Crc32(data, Crc32Table))),
        "CRC32C" => Convert.ToBase64String(BigEndian(Crc32(data, Crc32CTable))),
        "CRC64NVME" => Convert.ToBase64String(BigEndian(Crc64(data))),
        "SHA1" => Convert.ToBase64String(SHA1.HashData(data)),
        "SHA256" => Convert.ToBase64String(SHA256.HashData(data)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };

    private static uint Crc32(ReadOnlySpan<byte> data, uint[] table)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static ulong Crc64(ReadOnlySpan<byte> data)
    {
        ulong crc = ulong.MaxValue;
        foreach (byte b in data)
        {
            crc = Crc64NvmeTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] Table32(uint polynomial)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }

    private static ulong[] Table64(ulong polynomial)
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            ulong c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static byte[] BigEndian(ulong value)
    {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(value >> (56 - (8 * i)));
        }
        return bytes;
    }
}
