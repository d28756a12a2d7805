using System.Text;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;
using MightyOps.Core.Deploy;
using MightyOps.Core.Tests.Aws;
using MightyOps.Sandbox;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>The secrets engine against the sandbox's S3: read, check, merge, write the env file once; never show a value.</summary>
public sealed class SecretsTests : IClassFixture<SandboxFixture>
{
    // A value that must never leave the places it is delivered to.
    private const string Planted = "pl4nted-s3cret-VALUE";
    private const string Bucket = "mighty-secrets";

    private readonly SandboxHost _host;

    public SecretsTests(SandboxFixture fixture)
    {
        _host = fixture.Host;
    }

    [Fact]
    public async Task The_demo_document_is_per_service_and_a_service_gets_shared_then_its_own_keys()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var log = new RecordingLog();

        SecretsDocument document = await new SecretsSource(aws.S3, log).ReadAsync(S3Location.Parse("s3://mighty-secrets/production.json"), CancellationToken.None);

        Assert.Equal(SecretsLayout.PerService, document.Layout);
        Assert.Contains("WEB", document.Services);
        SecretSet web = document.For("WEB");
        Assert.Superset(new HashSet<string>(document.Shared.Keys), new HashSet<string>(web.Keys));
        Assert.Equal(document.Shared.Keys, document.For("no-section").Keys);
        Assert.Contains(log.VerboseLines, l => l.StartsWith("Secrets s3://mighty-secrets/production.json: shared keys and sections for", StringComparison.Ordinal));
        foreach (string value in document.Shared.Reveal().Values)
        {
            Assert.DoesNotContain(log.Entries, e => e.Message.Contains(value, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_flat_document_is_the_same_set_for_every_service()
    {
        SecretsDocument document = await ReadAsync($$"""{"DATABASE_URL": "{{Planted}}", "SECRET_KEY_BASE": "abc"}""");
        Assert.Equal(SecretsLayout.Flat, document.Layout);
        Assert.Equal(["DATABASE_URL", "SECRET_KEY_BASE"], document.For("WEB").Keys);
        Assert.Equal(Planted, document.For("API").Reveal()["DATABASE_URL"]);
    }

    [Fact]
    public async Task Service_secrets_win_over_shared_ones()
    {
        SecretsDocument document = await ReadAsync($$$"""{"shared": {"A": "shared-a", "B": "shared-b"}, "WEB": {"B": "{{{Planted}}}", "C": "web-c"}}""");
        Assert.Equal(new Dictionary<string, string> { ["A"] = "shared-a", ["B"] = Planted, ["C"] = "web-c" }, document.For("WEB").Reveal());
        Assert.Equal(new Dictionary<string, string> { ["A"] = "shared-a", ["B"] = "shared-b" }, document.For("web").Reveal());
    }

    [Theory]
    [InlineData("{\"DATABASE_URL\": \"" + Planted + "\"", "is not valid JSON (line 1")]
    [InlineData("[\"" + Planted + "\"]", "is a JSON array, not an object.")]
    [InlineData("\"" + Planted + "\"", "is a JSON string, not an object.")]
    [InlineData("{\"PORT\": 3000, \"X\": \"" + Planted + "\"}", "has a JSON number for 'PORT'; secret values must be strings.")]
    [InlineData("{\"shared\": {\"FORCE_SSL\": true}}", "has a JSON boolean for 'shared.FORCE_SSL'")]
    [InlineData("{\"shared\": {\"A\": \"" + Planted + "\"}, \"B\": \"x\"}", "mixes sections and variables: 'B' is a JSON string")]
    [InlineData("{\"Shared\": {\"A\": \"" + Planted + "\"}}", "the shared section is spelled 'shared'")]
    [InlineData("{\"RAILS-ENV\": \"" + Planted + "\"}", "has the key 'RAILS-ENV', which is not an environment variable name")]
    [InlineData("{\"A\": \"" + Planted + "\", \"A\": \"y\"}", "has the key 'A' twice")]
    public async Task A_document_that_cannot_be_used_is_SecretsInvalid_naming_the_key_never_the_value(string json, string expected)
    {
        S3Location source = await PutAsync(json);
        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(source));

        Assert.Equal("SecretsInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidData, error.Kind);
        Assert.Equal(source.ToString(), error.Target);
        Assert.StartsWith($"The secrets object {source} ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error);
    }

    [Theory]
    [InlineData("latin-1", "is not UTF-8 text: byte 11 of line 1 does not begin a UTF-8 character")]
    [InlineData("utf-16", "is not UTF-8 text: byte 1 of line 1 does not begin a UTF-8 character, and JSON must be UTF-8. It starts with a UTF-16 byte order mark")]
    [InlineData("bad byte after a secret", "is not UTF-8 text: byte 40 of line 2 does not begin a UTF-8 character")]
    [InlineData("truncated character", "is not UTF-8 text: byte 8 of line 1 does not begin a UTF-8 character")]
    [InlineData("half a surrogate in a value", "has an escape of half a UTF-16 surrogate pair (\\uD800-\\uDFFF without its other half) in the value of 'shared.A'")]
    [InlineData("half a surrogate in a key", "has an escape of half a UTF-16 surrogate pair (\\uD800-\\uDFFF without its other half) in a top-level key")]
    public async Task A_document_that_is_not_UTF8_text_is_SecretsInvalid_naming_where_never_the_bytes(string document, string expected)
    {
        byte[] content = document switch
        {
            "latin-1" => [.. "{\"A\": \"caf"u8, 0xE9, .. "\"}"u8],
            "utf-16" => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("{\"A\": \"" + Planted + "\"}")).ToArray(),
            "bad byte after a secret" => [.. "{\n  \"DATABASE_URL\": \"pl4nted-s3cret-VALUE"u8, 0xFF, .. "\"\n}"u8],
            "truncated character" => [.. "{\"A\": \""u8, 0xE2, 0x82],
            "half a surrogate in a value" => Encoding.UTF8.GetBytes("{\"shared\": {\"A\": \"\\ud800" + Planted + "\"}}"),
            _ => Encoding.UTF8.GetBytes("{\"\\udc00A\": \"" + Planted + "\"}"),
        };
        S3Location source = await PutAsync(content);

        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(source));

        Assert.Equal("SecretsInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidData, error.Kind);
        Assert.StartsWith($"The secrets object {source} ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error);
    }

    [Theory]
    [InlineData("mighty-secrets", "no/such/secrets.json", "no such object")]
    [InlineData("no-such-bucket-mighty", "production.json", "no such bucket 'no-such-bucket-mighty'")]
    public async Task A_missing_object_or_bucket_is_SecretsNotFound(string bucket, string key, string expected)
    {
        var source = new S3Location(bucket, key);
        MightyOpsException error = await Assert.ThrowsAsync<MightyOpsException>(() => ReadAsync(source));

        Assert.Equal("SecretsNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
        Assert.Equal(source.ToString(), error.Target);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_env_file_is_sorted_name_equals_value_lines_named_by_its_hash_next_to_the_source()
    {
        var secrets = new SecretSet(new Dictionary<string, string> { ["B"] = "two words", ["A"] = Planted, ["C"] = "\"quoted\"=x" });

        EnvironmentFile file = EnvironmentFile.Render(secrets, "WEB", S3Location.Parse("s3://b-secrets/env/production.json"));

        Assert.Equal($"A={Planted}\nB=two words\nC=\"quoted\"=x\n", Encoding.UTF8.GetString(file.Content.Span));
        Assert.Matches("^[0-9a-f]{64}$", file.Sha256);
        Assert.Equal($"WEB-{file.Sha256[..12]}.env", file.FileName);
        Assert.Equal($"s3://b-secrets/env/production/WEB-{file.Sha256[..12]}.env", file.LocationNextTo(S3Location.Parse("s3://b-secrets/env/production.json")).ToString());
        Assert.Equal(file.Sha256, EnvironmentFile.Render(new SecretSet(secrets.Reveal().Reverse()), "WEB", S3Location.Parse("s3://b-secrets/x.json")).Sha256);
        Assert.NotEqual(file.Sha256, EnvironmentFile.Render(secrets.Overlay(new SecretSet([new("A", "rotated")])), "WEB", S3Location.Parse("s3://b-secrets/x.json")).Sha256);
        Assert.Equal(secrets.Reveal(), EnvironmentFile.Parse(file.Content.Span).Reveal());
        Assert.Equal("WEB-" + file.Sha256[..12] + ".env (3 variables: A, B, C; values masked)", file.ToString());
    }

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("windows\r\n")]
    public void A_value_with_a_line_break_is_refused_naming_the_key(string value)
    {
        var secrets = new SecretSet(new Dictionary<string, string> { ["TLS_KEY"] = Planted + value });
        var source = S3Location.Parse("s3://mighty-secrets/production.json");

        MightyOpsException error = Assert.Throws<MightyOpsException>(() => EnvironmentFile.Render(secrets, "WEB", source));

        Assert.Equal("SecretsInvalid", error.ErrorId);
        Assert.Contains("line break for 'TLS_KEY' (service WEB)", error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error);
        // Environment mode can carry it: the task definition's environment is JSON, not a line format.
        Assert.Equal(Planted + value, SecretDelivery.Plan(new Dictionary<string, string>(), secrets, SecretsMode.Environment, "WEB", source).Environment["TLS_KEY"]);
    }

    [Fact]
    public async Task The_env_file_is_written_once_per_content_and_holds_exactly_the_rendered_bytes()
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var log = new RecordingLog();
        var source = new SecretsSource(aws.S3, log);
        S3Location origin = new(Bucket, $"tests/{Guid.NewGuid():n}.json");
        EnvironmentFile file = EnvironmentFile.Render(new SecretSet(new Dictionary<string, string> { ["DATABASE_URL"] = Planted }), "WEB", origin);
        var before = SandboxFixture.Snapshot(_host);

        EnvironmentFileUpload first = await source.PublishAsync(file, origin, CancellationToken.None);
        EnvironmentFileUpload second = await source.PublishAsync(file, origin, CancellationToken.None);

        Assert.True(first.Written);
        Assert.False(second.Written);
        Assert.Equal(first.Location, second.Location);
        Assert.Equal($"arn:aws:s3:::{Bucket}/{origin.Key[..^5]}/{file.FileName}", first.Arn);
        Assert.Equal(1, SandboxFixture.Delta(_host, before, "s3.PutObject"));
        Assert.Equal(2, SandboxFixture.Delta(_host, before, "s3.HeadObject"));
        S3ObjectContent stored = await aws.S3.GetObjectAsync(first.Location, CancellationToken.None);
        Assert.Equal(file.Content.ToArray(), stored.Content);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains(Planted, StringComparison.Ordinal));
        Assert.Contains(log.VerboseLines, l => l.Contains("DATABASE_URL", StringComparison.Ordinal));
    }

    [Fact]
    public void The_merge_order_is_defaults_then_service_environment_then_shared_then_service_secrets()
    {
        MightyConfig config = MightyConfigReader.Read(
            "@{ Defaults = @{ Environment = @{ RAILS_ENV = 'production'; A = 'defaults'; B = 'defaults' } }; Services = @{ WEB = @{ Environment = @{ B = 'service'; C = 'service' } } } }",
            "/app/mighty.psd1");
        IReadOnlyDictionary<string, string> plain = config.ContainerSettingsFor("WEB", "application")!.Environment;
        SecretSet secrets = new SecretSet([new("C", "shared"), new("D", "shared")]).Overlay(new SecretSet([new("D", Planted)]));
        var source = S3Location.Parse("s3://mighty-secrets/production.json");

        SecretDelivery asFile = SecretDelivery.Plan(plain, secrets, SecretsMode.EnvironmentFile, "WEB", source);
        SecretDelivery inline = SecretDelivery.Plan(plain, secrets, SecretsMode.Environment, "WEB", source);

        Assert.Equal(new Dictionary<string, string> { ["RAILS_ENV"] = "production", ["A"] = "defaults", ["B"] = "service" }, asFile.Environment);
        Assert.Equal(new Dictionary<string, string> { ["C"] = "shared", ["D"] = Planted }, EnvironmentFile.Parse(asFile.File!.Content.Span).Reveal());
        Assert.Equal(new Dictionary<string, string> { ["RAILS_ENV"] = "production", ["A"] = "defaults", ["B"] = "service", ["C"] = "shared", ["D"] = Planted }, inline.Environment);
        Assert.Null(inline.File);
        Assert.Null(SecretDelivery.Plan(plain, SecretSet.Empty, SecretsMode.EnvironmentFile, "WEB", source).File);
        Assert.DoesNotContain(Planted, inline.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Planted, asFile.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_set_shows_names_and_masks_values()
    {
        var before = new SecretSet(new Dictionary<string, string> { ["A"] = Planted, ["B"] = "b", ["GONE"] = "x" });
        var after = new SecretSet(new Dictionary<string, string> { ["A"] = Planted + "2", ["B"] = "b", ["NEW"] = "n" });

        Assert.Equal("3 secrets: A, B, GONE (values masked)", before.ToString());
        Assert.Equal(new Dictionary<string, string> { ["A"] = SecretSet.Mask, ["B"] = SecretSet.Mask, ["GONE"] = SecretSet.Mask }, before.Masked);
        Assert.Equal(
            [new SecretChange("A", SecretChangeKind.Changed), new SecretChange("GONE", SecretChangeKind.Removed), new SecretChange("NEW", SecretChangeKind.Added)],
            after.ChangesFrom(before));
        Assert.Equal("no secrets", SecretSet.Empty.ToString());
    }

    private static void AssertNoSecretIn(MightyOpsException error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain(Planted, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Planted, e.ToString(), StringComparison.Ordinal);
        }
    }

    private Task<S3Location> PutAsync(string json) => PutAsync(Encoding.UTF8.GetBytes(json));

    private async Task<S3Location> PutAsync(byte[] content)
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        var location = new S3Location(Bucket, $"tests/{Guid.NewGuid():n}.json");
        await aws.S3.PutObjectAsync(location.Bucket, location.Key, content, "application/json", CancellationToken.None);
        return location;
    }

    private async Task<SecretsDocument> ReadAsync(string json) => await ReadAsync(await PutAsync(json));

    private async Task<SecretsDocument> ReadAsync(S3Location source)
    {
        using AwsSession aws = await SandboxFixture.SessionAsync(_host);
        return await new SecretsSource(aws.S3, NullOperationLog.Instance).ReadAsync(source, CancellationToken.None);
    }
}
