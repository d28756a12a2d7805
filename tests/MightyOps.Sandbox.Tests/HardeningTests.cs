using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// Inputs that used to knock the sandbox over or slip past it (docs/design/sandbox-hardening.md): out-of-range admin
/// calls, admin calls from web pages, signatures for another region or time, unsigned large
/// bodies, malformed HTTP, unreadable JSON text, unknown nested members, keys XML cannot carry.
/// </summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1 });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
    }

    private Uri Url(string path) => new(_host.Endpoint, path);

    private string Host => $"127.0.0.1:{_host.Endpoint.Port}";

    // ------------------------------------------------------------------ admin input ranges

    [Theory]
    [InlineData("/_sandbox/advance-time?seconds=3e11", "")]
    [InlineData("/_sandbox/advance-time?seconds=1e300", "")]
    [InlineData("/_sandbox/advance-time?seconds=-5", "")]
    [InlineData("/_sandbox/advance-time?seconds=NaN", "")]
    [InlineData("/_sandbox/advance-time?seconds=lots", "")]
    [InlineData("/_sandbox/advance-time", "{\"seconds\":1e300}")]
    [InlineData("/_sandbox/advance-time", "{\"seconds\":1e400}")]
    [InlineData("/_sandbox/faults", "{\"latencyMs\":1e300}")]
    [InlineData("/_sandbox/faults", "{\"latencyMs\":-1}")]
    [InlineData("/_sandbox/faults", "{\"latencyMs\":300001}")]
    [InlineData("/_sandbox/faults", "{\"throttlingRate\":1.5}")]
    [InlineData("/_sandbox/faults", "{\"serverErrorRate\":-0.1}")]
    [InlineData("/_sandbox/push-image", "{\"repository\":\"App Name\",\"tag\":\"v1\"}")]
    [InlineData("/_sandbox/push-image", "{\"repository\":\"app\",\"tag\":\".hidden\"}")]
    [InlineData("/_sandbox/push-image", "{\"repository\":\"app\",\"tag\":\"a\\u0000b\"}")]
    public async Task An_out_of_range_admin_call_is_400_with_a_message_and_changes_nothing(string path, string body)
    {
        DateTimeOffset before = _host.World.Clock.UtcNow;
        using HttpResponseMessage response = await _http.PostAsync(Url(path), AdminApiTests.Json(body));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]));
        Assert.InRange(_host.World.Clock.UtcNow - before, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.Zero, _host.Faults.Latency);
        Assert.Equal(0, _host.Faults.ThrottlingRate);
        await EcsStillAnswersAsync();
    }

    [Fact]
    public async Task The_longest_step_of_simulated_time_leaves_ECS_answering()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using HttpResponseMessage response = await _http.PostAsync(Url("/_sandbox/advance-time?seconds=31622400"), AdminApiTests.NoBody());
        Assert.Equal(200, (int)response.StatusCode);
        TimeSpan jump = watch.Elapsed;
        watch.Restart();
        await EcsStillAnswersAsync();
        Console.WriteLine($"advance-time by 366 days: {jump.TotalSeconds:0.00} s; the next ECS call: {watch.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task Simulated_time_cannot_be_pushed_past_the_years_every_client_reads()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty");
        using var http = new HttpClient();
        // A year at a time, until the sandbox says no: ECS must still answer afterwards.
        int refusedAfter = 0;
        for (int step = 0; step < 300; step++)
        {
            using HttpResponseMessage response = await http.PostAsync(new Uri(host.Endpoint, "/_sandbox/advance-time?seconds=31536000"), AdminApiTests.NoBody());
            if ((int)response.StatusCode == 400)
            {
                Assert.Contains("2200", await response.Content.ReadAsStringAsync());
                refusedAfter = step;
                break;
            }
            Assert.Equal(200, (int)response.StatusCode);
        }
        Assert.InRange(refusedAfter, 100, 200);
        Assert.True(host.World.Clock.UtcNow < SandboxHost.LatestSimulatedTime);
        using var client = new SignedClient(host);
        Assert.Equal(200, (await client.EcsAsync("ListClusters", "{}")).Status);
    }

    // ------------------------------------------------------------------ admin endpoints and web pages

    [Fact]
    public async Task Admin_endpoints_answer_only_their_own_host_and_json_posts()
    {
        await using RawConnection rebound = await RawConnection.OpenAsync(_host);
        await rebound.SendAsync($"POST /_sandbox/faults HTTP/1.1\r\nHost: attacker.example:{_host.Endpoint.Port}\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{{\"throttlingRate\":1}}");
        RawResponse wrongHost = await rebound.ReadResponseAsync();
        Assert.Equal(403, wrongHost.Status);
        Assert.Contains("127.0.0.1", wrongHost.Text);

        // What a cross-site form or fetch() without a preflight can send.
        using HttpResponseMessage plain = await _http.PostAsync(Url("/_sandbox/faults"), new StringContent("{\"throttlingRate\":1}"));
        Assert.Equal(415, (int)plain.StatusCode);
        using HttpResponseMessage form = await _http.PostAsync(Url("/_sandbox/reset-counts"), new FormUrlEncodedContent([]));
        Assert.Equal(415, (int)form.StatusCode);
        Assert.Equal(0, _host.Faults.ThrottlingRate);

        using HttpResponseMessage json = await _http.PostAsync(Url("/_sandbox/faults"), AdminApiTests.Json("{\"throttlingRate\":0}"));
        Assert.Equal(200, (int)json.StatusCode);
        using var localhost = new HttpRequestMessage(HttpMethod.Get, Url("/_sandbox/info"));
        localhost.Headers.Host = $"localhost:{_host.Endpoint.Port}";
        using HttpResponseMessage info = await _http.SendAsync(localhost);
        Assert.Equal(200, (int)info.StatusCode);
        Assert.DoesNotContain(_host.Options.SecretAccessKey, await info.Content.ReadAsStringAsync());
    }

    // ------------------------------------------------------------------ signing region and time

    [Fact]
    public async Task A_signature_for_another_region_is_refused_in_each_services_shape()
    {
        using var other = new SignedClient(_host, region: "eu-west-2");
        var (status, body, _) = await other.EcsAsync("ListClusters", "{}");
        Assert.Equal(400, status);
        Assert.Equal("com.amazon.coral.service#InvalidSignatureException", (string?)body!["__type"]);
        Assert.Contains("'us-east-1'", (string?)body["message"]);
        Assert.Contains("'eu-west-2'", (string?)body["message"]);

        using HttpResponseMessage s3 = await other.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(400, (int)s3.StatusCode);
        XElement error = XElement.Parse(await s3.Content.ReadAsStringAsync());
        Assert.Equal("AuthorizationHeaderMalformed", error.Element("Code")!.Value);
        Assert.Equal("us-east-1", error.Element("Region")!.Value);

        (int ec2Status, string ec2Body) = await other.Ec2Async("Action=DescribeInstances&Version=2016-11-15");
        Assert.Equal(401, ec2Status);
        Assert.Contains("AuthFailure", ec2Body);
    }

    [Fact]
    public async Task AnySigningRegion_lets_a_client_that_signs_us_east_1_through()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("empty", o => o with { Region = "eu-west-1", AnySigningRegion = true });
        using var usEast = new SignedClient(host, region: "us-east-1");
        Assert.Equal(200, (await usEast.EcsAsync("ListClusters", "{}")).Status);
    }

    [Theory]
    [InlineData(-20, "Signature expired")]
    [InlineData(20, "Signature not yet current")]
    public async Task A_request_signed_more_than_15_minutes_from_the_real_clock_is_refused(int minutes, string message)
    {
        using var skewed = new SignedClient(_host) { Clock = () => DateTime.UtcNow.AddMinutes(minutes) };
        var (status, body, _) = await skewed.EcsAsync("ListClusters", "{}");
        Assert.Equal(400, status);
        Assert.Equal("com.amazon.coral.service#InvalidSignatureException", (string?)body!["__type"]);
        Assert.StartsWith(message, (string?)body["message"]);

        using HttpResponseMessage s3 = await skewed.S3Async(HttpMethod.Get, "/mighty-secrets/production.json");
        Assert.Equal(403, (int)s3.StatusCode);
        XElement error = XElement.Parse(await s3.Content.ReadAsStringAsync());
        Assert.Equal("RequestTimeTooSkewed", error.Element("Code")!.Value);
        Assert.Equal("900000", error.Element("MaxAllowedSkewMilliseconds")!.Value);

        using var inTime = new SignedClient(_host) { Clock = () => DateTime.UtcNow.AddMinutes(minutes / 2) };
        Assert.Equal(200, (await inTime.EcsAsync("ListClusters", "{}")).Status);
    }

    [Fact]
    public async Task The_signing_time_is_compared_with_the_real_clock_not_simulated_time()
    {
        using HttpResponseMessage advanced = await _http.PostAsync(Url("/_sandbox/advance-time?seconds=86400"), AdminApiTests.NoBody());
        Assert.Equal(200, (int)advanced.StatusCode);
        await EcsStillAnswersAsync();
    }

    // ------------------------------------------------------------------ bodies and HTTP-level errors

    [Fact]
    public async Task An_unsigned_large_body_is_refused_before_it_is_sent()
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        // Only the head goes out: the answer must not wait for the 200 MB the head announces.
        await connection.SendAsync($"PUT /mighty-secrets/big.bin HTTP/1.1\r\nHost: {Host}\r\nContent-Length: 209715200\r\n\r\n");
        RawResponse response = await connection.ReadResponseAsync(timeoutMs: 5_000);
        Assert.Equal(403, response.Status);
        Assert.Equal("AccessDenied", XElement.Parse(response.Text).Element("Code")!.Value);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(1, _host.RequestCounts["s3.PutObject"]);
    }

    [Fact]
    public async Task A_large_signed_body_is_spooled_and_stored_whole()
    {
        using var client = new SignedClient(_host);
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(6).NextBytes(data);
        using HttpResponseMessage put = await client.S3Async(HttpMethod.Put, "/mighty-secrets/spooled.bin", data);
        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal(data, _host.World.Buckets["mighty-secrets"].Objects["spooled.bin"].Content);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nX-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "json", "NotImplemented")]
    [InlineData("POST / HTTP/1.1\r\nX-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "json", "SerializationException")]
    [InlineData("POST / HTTP/2.0\r\nX-Amz-Target: AmazonEC2ContainerRegistry_V20150921.DescribeRepositories\r\n\r\n", 505, "json", "HttpVersionNotSupported")]
    [InlineData("PUT /bucket/key HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", 413, "s3", "EntityTooLarge")]
    [InlineData("GET /bucket/key HTTP/1.1\r\nX-Big: {big}\r\n\r\n", 431, "s3", "RequestHeaderSectionTooLarge")]
    [InlineData("POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: br\r\n\r\n", 501, "ec2", "NotImplemented")]
    public async Task HTTP_level_errors_come_in_the_services_error_shape(string request, int status, string shape, string code)
    {
        await using RawConnection connection = await RawConnection.OpenAsync(_host);
        await connection.SendAsync(request.Replace("{big}", new string('a', 20_000), StringComparison.Ordinal));
        RawResponse response = await connection.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        switch (shape)
        {
            case "json":
                Assert.Equal("application/x-amz-json-1.1", response.Header("Content-Type"));
                Assert.Equal(code, (string?)JsonNode.Parse(response.Text)!["__type"]);
                Assert.NotNull(response.Header("x-amzn-RequestId"));
                break;
            case "s3":
                XElement error = XElement.Parse(response.Text);
                Assert.Equal(code, error.Element("Code")!.Value);
                Assert.NotNull(response.Header("x-amz-request-id"));
                if (status == 413)
                {
                    Assert.Equal(HttpServerMaxBody, error.Element("MaxSizeAllowed")!.Value);
                    Assert.Equal("999999999999", error.Element("ProposedSize")!.Value);
                }
                break;
            default:
                Assert.Equal(code, XElement.Parse(response.Text).Descendants("Code").Single().Value);
                break;
        }
        Assert.True(await connection.IsClosedByServerAsync());
    }

    private static string HttpServerMaxBody => (256L * 1024 * 1024).ToString(CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ ECS JSON text and members

    [Theory]
    [InlineData(new byte[] { 0xff, 0xfe })]
    [InlineData(new byte[] { 0xc3 })]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' })]
    public async Task Invalid_UTF8_or_a_lone_surrogate_in_an_ECS_body_is_a_SerializationException(byte[] inside)
    {
        byte[] body = [.. "{\"clusters\":[\""u8.ToArray(), .. inside, .. "\"]}"u8.ToArray()];
        using var client = new SignedClient(_host);
        using HttpRequestMessage request = client.JsonRequest("ecs", "AmazonEC2ContainerServiceV20141113.DescribeClusters", body);
        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("SerializationException", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["__type"]);
    }

    [Fact]
    public async Task Unknown_nested_members_are_refused_as_botocore_words_it()
    {
        using var client = new SignedClient(_host);
        var (status, body, _) = await client.EcsAsync("RegisterTaskDefinition",
            """{"family":"web","containerDefinitions":[{"name":"a","image":"nginx","memory":128,"bogus":1}]}""");
        Assert.Equal(400, status);
        Assert.Equal("InvalidParameterException", (string?)body!["__type"]);
        Assert.StartsWith("Unknown parameter in containerDefinitions[0]: \"bogus\", must be one of: name, image,", (string?)body["message"]);

        (status, body, _) = await client.EcsAsync("RegisterTaskDefinition",
            """{"family":"web","containerDefinitions":[{"name":"a","image":"nginx","memory":128,"portMappings":[{"containerPort":80,"hostPort":0,"bogus":true}]}]}""");
        Assert.Equal(400, status);
        Assert.StartsWith("Unknown parameter in containerDefinitions[0].portMappings[0]: \"bogus\"", (string?)body!["message"]);

        (status, _, _) = await client.EcsAsync("RegisterTaskDefinition",
            """{"family":"web","containerDefinitions":[{"name":"a","image":"nginx","memory":128,"portMappings":[{"containerPort":80,"name":"http","appProtocol":"http"}]}]}""");
        Assert.Equal(200, status);
    }

    private async Task EcsStillAnswersAsync()
    {
        using var client = new SignedClient(_host);
        var (status, body, _) = await client.EcsAsync("DescribeServices", "{\"cluster\":\"production\",\"services\":[\"WEB\"]}");
        Assert.Equal(200, status);
        Assert.Equal("WEB", (string?)body!["services"]![0]!["serviceName"]);
    }
}
