using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>SigV4 against every vector of AWS's own test suite (sigv4-test-suite/, see its README).</summary>
public sealed class SigV4Tests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Region = "us-east-1";
    private const string Service = "service";
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    private static string SuiteDirectory => Path.Combine(AppContext.BaseDirectory, "sigv4-test-suite");

    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (string req in Directory.EnumerateFiles(SuiteDirectory, "*.req", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(SuiteDirectory, req[..^4]));
        }
        return data;
    }

    [Fact]
    public void The_suite_has_all_six_vectors()
    {
        Assert.Equal(
            ["get-vanilla", "get-vanilla-query-order-key-case", "post-sts-header-after", "post-sts-header-before", "post-vanilla", "post-x-www-form-urlencoded"],
            Directory.EnumerateFiles(SuiteDirectory, "*.req", SearchOption.AllDirectories).Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Canonical_request_string_to_sign_and_authorization_match_the_vector(string vector)
    {
        RawRequest raw = RawRequest.Parse(File.ReadAllText(Path.Combine(SuiteDirectory, vector + ".req")));
        List<string> signed = raw.Headers.Select(h => h.Key.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();

        string creq = SigV4.CanonicalRequest(
            raw.Method,
            SigV4.CanonicalUri(raw.Path, isS3: false),
            SigV4.CanonicalQuery(raw.Query),
            SigV4.CanonicalHeaders(raw.Headers, signed),
            signed,
            SigV4.HexSha256(raw.Body));
        Assert.Equal(Expected(vector, ".creq"), creq);

        string scope = SigV4.Scope(SignedAt, Region, Service);
        string sts = SigV4.StringToSign(SignedAt, scope, creq);
        Assert.Equal(Expected(vector, ".sts"), sts);

        string signature = SigV4.Signature(SigV4.SigningKey(SecretKey, SignedAt, Region, Service), sts);
        Assert.Equal(Expected(vector, ".authz"), SigV4.AuthorizationHeader(AccessKey, scope, signed, signature));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Signing_an_HttpRequestMessage_gives_the_vectors_authorization(string vector)
    {
        RawRequest raw = RawRequest.Parse(File.ReadAllText(Path.Combine(SuiteDirectory, vector + ".req")));
        var request = new HttpRequestMessage(new HttpMethod(raw.Method), $"https://example.amazonaws.com{raw.Path}{(raw.Query.Length > 0 ? "?" + raw.Query : string.Empty)}");
        string? token = null;
        if (raw.Body.Length > 0 || raw.Headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            request.Content = new ByteArrayContent(raw.Body);
        }
        foreach ((string name, string value) in raw.Headers)
        {
            switch (name.ToLowerInvariant())
            {
                case "host" or "x-amz-date":
                    break; // Sign sets these itself.
                case "x-amz-security-token":
                    token = value;
                    break;
                case "content-type":
                    request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                    break;
                default:
                    request.Headers.TryAddWithoutValidation(name, value);
                    break;
            }
        }

        SigV4.Sign(request, raw.Body, new AwsCredentialSnapshot(AccessKey, SecretKey, token), Region, Service, SignedAt);

        Assert.Equal(Expected(vector, ".authz"), request.Headers.Authorization!.ToString());
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("example.amazonaws.com", request.Headers.Host);
        if (vector.EndsWith("post-sts-header-after", StringComparison.Ordinal))
        {
            // The "after" variant: the token is added once the request is signed, and is not in SignedHeaders.
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", File.ReadAllLines(Path.Combine(SuiteDirectory, "post-sts-token", "readme.txt")).Last(l => l.StartsWith("AQoD", StringComparison.Ordinal)));
            Assert.DoesNotContain("x-amz-security-token", request.Headers.Authorization.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_json_request_signs_content_type_host_date_and_target_and_the_token_but_not_the_user_agent()
    {
        byte[] body = "{}"u8.ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
        request.Headers.TryAddWithoutValidation("User-Agent", "MightyOps/0.1.0");

        SigV4.Sign(request, body, new AwsCredentialSnapshot("ASIAEXAMPLE", "secret", "session-token"), "eu-west-1", "ecs", SignedAt);

        string authorization = request.Headers.Authorization!.ToString();
        Assert.Contains("Credential=ASIAEXAMPLE/20150830/eu-west-1/ecs/aws4_request,", authorization, StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,", authorization, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:4566", request.Headers.Host);
        Assert.Equal("session-token", request.Headers.GetValues("X-Amz-Security-Token").Single());

        // Recompute independently from what is on the message: the signature covers exactly those headers.
        string[] signed = ["content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"];
        var headers = new List<KeyValuePair<string, string>>
        {
            new("content-type", "application/x-amz-json-1.1"),
            new("host", "127.0.0.1:4566"),
            new("x-amz-date", "20150830T123600Z"),
            new("x-amz-security-token", "session-token"),
            new("x-amz-target", "AmazonEC2ContainerServiceV20141113.ListClusters"),
        };
        string creq = SigV4.CanonicalRequest("POST", "/", string.Empty, SigV4.CanonicalHeaders(headers, signed), signed, SigV4.HexSha256(body));
        string scope = SigV4.Scope(SignedAt, "eu-west-1", "ecs");
        string expected = SigV4.Signature(SigV4.SigningKey("secret", SignedAt, "eu-west-1", "ecs"), SigV4.StringToSign(SignedAt, scope, creq));
        Assert.EndsWith("Signature=" + expected, authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void Permanent_keys_send_no_token_header()
    {
        byte[] body = "{}"u8.ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "https://ecs.us-east-1.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");

        SigV4.Sign(request, body, new AwsCredentialSnapshot("AKIAEXAMPLE", "secret"), "us-east-1", "ecs", SignedAt);

        Assert.False(request.Headers.Contains("X-Amz-Security-Token"));
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,", request.Headers.Authorization!.ToString(), StringComparison.Ordinal);
        Assert.Equal("ecs.us-east-1.amazonaws.com", request.Headers.Host);
    }

    [Fact]
    public void A_snapshot_never_prints_its_secret()
    {
        var snapshot = new AwsCredentialSnapshot("AKIAEXAMPLE", "very-secret-value", "session-token-value");
        Assert.DoesNotContain("very-secret-value", snapshot.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("session-token-value", snapshot.ToString(), StringComparison.Ordinal);
    }

    private static string Expected(string vector, string extension) =>
        File.ReadAllText(Path.Combine(SuiteDirectory, vector + extension));

    /// <summary>A raw HTTP request of the suite: request line, Name:value headers, blank line, body.</summary>
    private sealed record RawRequest(string Method, string Path, string Query, List<KeyValuePair<string, string>> Headers, byte[] Body)
    {
        public static RawRequest Parse(string text)
        {
            string[] lines = text.Split('\n');
            string[] requestLine = lines[0].Split(' ');
            string target = requestLine[1];
            int question = target.IndexOf('?');
            var headers = new List<KeyValuePair<string, string>>();
            int i = 1;
            for (; i < lines.Length && lines[i].Length > 0; i++)
            {
                int colon = lines[i].IndexOf(':');
                headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..]));
            }
            string body = i < lines.Length ? string.Join('\n', lines[(i + 1)..]) : string.Empty;
            return new RawRequest(
                requestLine[0],
                question < 0 ? target : target[..question],
                question < 0 ? string.Empty : target[(question + 1)..],
                headers,
                Encoding.UTF8.GetBytes(body));
        }
    }
}
