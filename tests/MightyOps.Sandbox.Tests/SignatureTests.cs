using System.Globalization;
using System.Net.Http.Headers;
using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// SigV4 verification (docs/design/sigv4.md) in each protocol's error shape. ECS and
/// ECR refuse a signature with HTTP 400 (what their clients report), EC2 with 401, S3 with 403.
/// </summary>
public sealed class SignatureTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo");

    public async Task DisposeAsync() => await _host.StopAsync();

    [Fact]
    public async Task CorrectlySignedRequestPasses()
    {
        using var client = new SignedClient(_host);
        var (status, body, response) = await client.EcrAsync("DescribeRepositories", "{}");
        Assert.Equal(200, status);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        Assert.Equal(2, body!["repositories"]!.AsArray().Count);
    }

    [Fact]
    public async Task WrongSecretIsInvalidSignatureException()
    {
        using var client = new SignedClient(_host, secretAccessKey: "not-the-sandbox-secret");
        var (status, body, _) = await client.EcrAsync("DescribeRepositories", "{}");
        Assert.Equal(400, status);
        Assert.Equal("com.amazon.coral.service#InvalidSignatureException", (string?)body!["__type"]);
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", (string?)body["message"]);
    }

    [Fact]
    public async Task UnknownAccessKeyIsUnrecognizedClientException()
    {
        using var client = new SignedClient(_host, accessKeyId: "AKIAUNKNOWN000000000");
        var (status, body, _) = await client.EcsAsync("ListClusters", "{}");
        Assert.Equal(400, status);
        Assert.Equal("com.amazon.coral.service#UnrecognizedClientException", (string?)body!["__type"]);
        Assert.Equal("The security token included in the request is invalid.", (string?)body["message"]);
    }

    [Fact]
    public async Task UnsignedRequestIsMissingAuthenticationToken()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _host.Endpoint) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("MissingAuthenticationTokenException", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnsignedEc2AndS3RequestsGetTheirServicesErrors()
    {
        using var http = new HttpClient();
        using var form = new StringContent("Action=DescribeInstances&Version=2016-11-15", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using HttpResponseMessage ec2 = await http.PostAsync(_host.Endpoint, form);
        Assert.Equal(401, (int)ec2.StatusCode);
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", await ec2.Content.ReadAsStringAsync());

        using HttpResponseMessage s3 = await http.GetAsync(new Uri(_host.Endpoint, "/mighty-secrets/production.json"));
        Assert.Equal(403, (int)s3.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await s3.Content.ReadAsStringAsync());
        Assert.NotNull(s3.Headers.GetValues("x-amz-request-id").Single());
    }

    [Fact]
    public async Task BodyChangedAfterSigningIsRejected()
    {
        using var client = new SignedClient(_host);
        using var http = new HttpClient();
        using HttpRequestMessage request = client.JsonRequest("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
        request.Content = new ByteArrayContent("{\"maxResults\":1}"u8.ToArray());
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("InvalidSignatureException", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignedHeaderChangedAfterSigningIsRejected()
    {
        using var client = new SignedClient(_host);
        using var http = new HttpClient();
        using HttpRequestMessage request = client.JsonRequest("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
        request.Headers.Remove("X-Amz-Target");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeImages");
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("InvalidSignatureException", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignedSessionTokenIsAccepted()
    {
        using var client = new SignedClient(_host, sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN//////////");
        var (status, _, _) = await client.EcrAsync("DescribeRepositories", "{}");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task UnsignedSessionTokenIsRejected()
    {
        using var client = new SignedClient(_host);
        using var http = new HttpClient();
        using HttpRequestMessage request = client.JsonRequest("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
        request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", "added-after-signing");
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("InvalidSignatureException", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheServiceMustMatch()
    {
        using var client = new SignedClient(_host);
        var (status, body, _) = await client.JsonAsync("ecs", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
        Assert.Equal(400, status);
        Assert.Contains("Credential should be scoped to correct service: 'ecr'", (string?)body!["message"]);

        var (unknownStatus, unknownBody, _) = await client.JsonAsync("sqs", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
        Assert.Equal(400, unknownStatus);
        Assert.Contains("IncompleteSignatureException", (string?)unknownBody!["__type"]);
    }

    [Fact]
    public async Task Ec2WrongSecretIsAuthFailureXml()
    {
        using var client = new SignedClient(_host, secretAccessKey: "wrong");
        var (status, body) = await client.Ec2Async("Action=DescribeInstances&Version=2016-11-15");
        Assert.Equal(401, status);
        Assert.Contains("<Response><Errors><Error><Code>AuthFailure</Code>", body);
        Assert.Contains("<RequestID>", body);
    }

    [Fact]
    public async Task S3WrongSecretIsSignatureDoesNotMatch()
    {
        using var client = new SignedClient(_host, secretAccessKey: "wrong");
        using HttpResponseMessage response = await client.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(403, (int)response.StatusCode);
        string xml = await response.Content.ReadAsStringAsync();
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", xml);
        Assert.NotNull(response.Headers.GetValues("x-amz-request-id").Single());
    }

    [Fact]
    public async Task S3UnknownKeyIsInvalidAccessKeyId()
    {
        using var client = new SignedClient(_host, accessKeyId: "AKIANOBODY");
        using HttpResponseMessage response = await client.S3Async(HttpMethod.Get, "/");
        Assert.Equal(403, (int)response.StatusCode);
        Assert.Contains("<Code>InvalidAccessKeyId</Code>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task S3BodyNotMatchingItsDeclaredHashIsRejected()
    {
        using var client = new SignedClient(_host);
        using var http = new HttpClient();
        byte[] body = "hello"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_host.Endpoint, "/mighty-secrets/x.txt")) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", SigV4.HexSha256("other"u8));
        SigV4.Sign(request, "other"u8, client.Credentials, client.Region, "s3", DateTime.UtcNow);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("XAmzContentSHA256Mismatch", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PresignedS3UrlWorksAndTamperingFails()
    {
        string url = Presign("/mighty-secrets/production.json", _host.Options.SecretAccessKey);
        using var http = new HttpClient();
        using HttpResponseMessage ok = await http.GetAsync(url);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Contains("\"shared\"", await ok.Content.ReadAsStringAsync());

        using HttpResponseMessage bad = await http.GetAsync(Presign("/mighty-secrets/production.json", "wrong"));
        Assert.Equal(403, (int)bad.StatusCode);
    }

    /// <summary>A query-string presigned GET, built from the SigV4 pieces as the SDKs do.</summary>
    private string Presign(string path, string secret)
    {
        DateTime now = DateTime.UtcNow;
        string scope = SigV4.Scope(now, _host.Options.Region, "s3");
        string host = $"127.0.0.1:{_host.Endpoint.Port}";
        string query =
            "X-Amz-Algorithm=AWS4-HMAC-SHA256" +
            "&X-Amz-Credential=" + SigV4.Encode($"{_host.Options.AccessKeyId}/{scope}", keepSlash: false) +
            "&X-Amz-Date=" + now.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture) +
            "&X-Amz-Expires=300&X-Amz-SignedHeaders=host";
        string creq = SigV4.CanonicalRequest("GET", path, SigV4.CanonicalQuery(query), $"host:{host}\n", ["host"], "UNSIGNED-PAYLOAD");
        string signature = SigV4.Signature(SigV4.SigningKey(secret, now, _host.Options.Region, "s3"), SigV4.StringToSign(now, scope, creq));
        return $"{_host.Endpoint.ToString().TrimEnd('/')}{path}?{query}&X-Amz-Signature={signature}";
    }

    [Fact]
    public async Task AuthFailuresAreCountedToo()
    {
        _host.ResetRequestCounts();
        using var client = new SignedClient(_host, secretAccessKey: "wrong");
        await client.EcrAsync("DescribeImages", "{\"repositoryName\":\"app\"}");
        Assert.Equal(1, _host.RequestCounts["ecr.DescribeImages"]);
    }
}
