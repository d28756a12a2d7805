using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MightyOps.Core.Aws;
using MightyOps.Sandbox.S3;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// aws-chunked bodies built by hand (the SDK tests cover the happy paths): chunk signatures are
/// really checked, trailers and decoded lengths really compared; and the checksum algorithms
/// against their published check values.
/// </summary>
public sealed class AwsChunkedTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo");

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
    }

    [Theory]
    [InlineData("CRC32", "cbf43926")]
    [InlineData("CRC32C", "e3069283")]
    [InlineData("CRC64NVME", "ae8b14860a799888")]
    [InlineData("SHA1", "f7c3bc1d808e04732adf679965ccc34ca7ae3441")]
    [InlineData("SHA256", "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")]
    public void ChecksumsMatchTheirCheckValues(string algorithm, string hexOf123456789)
    {
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(hexOf123456789)), Checksums.Compute(algorithm, "123456789"u8));
    }

    [Fact]
    public async Task SignedChunksAreVerified()
    {
        byte[] content = RandomNumberGenerator.GetBytes(5000);
        using HttpResponseMessage ok = await PutSignedStreamingAsync("chunked/ok.bin", content, tamperChunk: -1);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal(content, _host.World.Buckets["mighty-secrets"].Objects["chunked/ok.bin"].Content);

        using HttpResponseMessage tampered = await PutSignedStreamingAsync("chunked/bad.bin", content, tamperChunk: 1);
        Assert.Equal(403, (int)tampered.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await tampered.Content.ReadAsStringAsync());
        Assert.False(_host.World.Buckets["mighty-secrets"].Objects.ContainsKey("chunked/bad.bin"));
    }

    [Fact]
    public async Task UnsignedTrailerChecksumIsVerified()
    {
        byte[] content = Encoding.UTF8.GetBytes("{\"shared\":{\"A\":\"1\"}}");
        string crc = Checksums.Compute("CRC32", content);
        using HttpResponseMessage ok = await PutUnsignedTrailerAsync("trailer/ok.json", content, crc, content.Length);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal(crc, ok.Headers.GetValues("x-amz-checksum-crc32").Single());
        Assert.Equal(crc, _host.World.Buckets["mighty-secrets"].Objects["trailer/ok.json"].Checksums["CRC32"]);

        using HttpResponseMessage wrong = await PutUnsignedTrailerAsync("trailer/bad.json", content, Checksums.Compute("CRC32", "x"u8), content.Length);
        Assert.Equal(400, (int)wrong.StatusCode);
        Assert.Contains("<Code>BadDigest</Code>", await wrong.Content.ReadAsStringAsync());

        using HttpResponseMessage length = await PutUnsignedTrailerAsync("trailer/len.json", content, crc, content.Length + 1);
        Assert.Equal(400, (int)length.StatusCode);
        Assert.Contains("<Code>IncompleteBody</Code>", await length.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TruncatedAwsChunkedBodyIsIncompleteBody()
    {
        byte[] body = Encoding.ASCII.GetBytes("10\r\n0123456789abcdef\r\n");
        using HttpResponseMessage response = await SendAsync("trailer/cut.bin", body, AwsChunkedDecoder.UnsignedPayloadTrailer, 16, trailer: null);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("<Code>IncompleteBody</Code>", await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> PutUnsignedTrailerAsync(string key, byte[] content, string crc, int declaredLength)
    {
        var body = new MemoryStream();
        Write(body, $"{content.Length:x}\r\n");
        body.Write(content);
        Write(body, $"\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n");
        return await SendAsync(key, body.ToArray(), AwsChunkedDecoder.UnsignedPayloadTrailer, declaredLength, "x-amz-checksum-crc32");
    }

    private async Task<HttpResponseMessage> PutSignedStreamingAsync(string key, byte[] content, int tamperChunk)
    {
        DateTime now = DateTime.UtcNow;
        (HttpRequestMessage request, string seed) = Build(key, AwsChunkedDecoder.SignedPayload, content.Length, trailer: null, now);
        byte[] signingKey = SigV4.SigningKey(_host.Options.SecretAccessKey, now, _host.Options.Region, "s3");
        string scope = SigV4.Scope(now, _host.Options.Region, "s3");
        string previous = seed;
        var body = new MemoryStream();
        List<byte[]> chunks = content.Chunk(2048).Append([]).ToList();
        for (int i = 0; i < chunks.Count; i++)
        {
            string toSign = string.Join('\n', "AWS4-HMAC-SHA256-PAYLOAD", now.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture), scope, previous,
                SigV4.EmptyPayloadHash, SigV4.HexSha256(chunks[i]));
            string signature = SigV4.Signature(signingKey, toSign);
            previous = signature;
            Write(body, $"{chunks[i].Length:x};chunk-signature={(i == tamperChunk ? new string('0', 64) : signature)}\r\n");
            body.Write(chunks[i]);
            Write(body, "\r\n");
        }
        request.Content = new ByteArrayContent(body.ToArray());
        request.Content.Headers.ContentEncoding.Add("aws-chunked");
        return await _http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(string key, byte[] body, string mode, int declaredLength, string? trailer)
    {
        (HttpRequestMessage request, _) = Build(key, mode, declaredLength, trailer, DateTime.UtcNow);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentEncoding.Add("aws-chunked");
        return await _http.SendAsync(request);
    }

    /// <summary>A PUT signed over its headers with a STREAMING-* payload hash; returns the seed signature.</summary>
    private (HttpRequestMessage Request, string Signature) Build(string key, string mode, int decodedLength, string? trailer, DateTime now)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_host.Endpoint, "/mighty-secrets/" + key));
        var headers = new List<KeyValuePair<string, string>>
        {
            new("content-encoding", "aws-chunked"),
            new("host", $"127.0.0.1:{_host.Endpoint.Port}"),
            new("x-amz-content-sha256", mode),
            new("x-amz-date", now.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture)),
            new("x-amz-decoded-content-length", decodedLength.ToString(CultureInfo.InvariantCulture)),
        };
        if (trailer is not null)
        {
            headers.Add(new("x-amz-trailer", trailer));
        }
        List<string> signed = headers.Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
        string creq = SigV4.CanonicalRequest("PUT", "/mighty-secrets/" + key, string.Empty, SigV4.CanonicalHeaders(headers, signed), signed, mode);
        string scope = SigV4.Scope(now, _host.Options.Region, "s3");
        string signature = SigV4.Signature(SigV4.SigningKey(_host.Options.SecretAccessKey, now, _host.Options.Region, "s3"), SigV4.StringToSign(now, scope, creq));
        foreach ((string name, string value) in headers.Where(h => h.Key is not ("content-encoding" or "host")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.TryAddWithoutValidation("Authorization", SigV4.AuthorizationHeader(_host.Options.AccessKeyId, scope, signed, signature));
        return (request, signature);
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
