using Amazon.Runtime;
using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// Life beside AWS Tools for PowerShell: its session defaults (Set-DefaultAWSRegion,
/// Set-AWSCredential) come after explicit parameters and before the environment, and its
/// credentials objects are read by reflection (docs/design/credentials.md).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AwsToolsDefaultsTests
{
    private const string Credentials = """
        [deploy]
        aws_access_key_id = AKIADEPLOY000000000
        aws_secret_access_key = deploy-secret

        [session]
        aws_access_key_id = AKIASESSION00000000
        aws_secret_access_key = session-secret
        """;

    private readonly RecordingLog _log = new();

    [Fact]
    public void The_session_region_comes_after_the_region_parameter_and_before_the_environment()
    {
        using EnvironmentScope env = new EnvironmentScope().Set("AWS_REGION", "eu-central-1").Set("AWS_DEFAULT_REGION", null);

        Assert.Equal(("ca-central-1", "-Region"), RegionResolver.Resolve(new AwsOptions(Region: "ca-central-1") { SessionRegion = "eu-west-1" }, _log));
        Assert.Equal(("eu-west-1", "Set-DefaultAWSRegion"), RegionResolver.Resolve(new AwsOptions { SessionRegion = "eu-west-1" }, _log));
        Assert.Equal(("eu-central-1", "AWS_REGION"), RegionResolver.Resolve(new AwsOptions(), _log));
    }

    [Fact]
    public void No_region_anywhere_names_Set_DefaultAWSRegion_among_the_ways_to_set_one()
    {
        using EnvironmentScope env = new EnvironmentScope().Set("AWS_REGION", null).Set("AWS_DEFAULT_REGION", null).Config(string.Empty);

        var error = Assert.Throws<MightyOpsException>(() => RegionResolver.Resolve(new AwsOptions(), _log));

        Assert.Equal("AwsRegionNotSet", error.ErrorId);
        Assert.Contains("Set-DefaultAWSRegion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_profile_name_wins_over_environment_keys_and_loses_to_ProfileName()
    {
        using EnvironmentScope env = Environment();

        using (AwsSession session = await CreateAsync(new AwsOptions(Region: "us-east-1") { SessionCredentials = "session" }))
        {
            Assert.Equal("AKIASESSION00000000", (await session.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
            Assert.Contains("Set-AWSCredential", session.CredentialSource, StringComparison.Ordinal);
        }
        using (AwsSession session = await CreateAsync(new AwsOptions(Region: "us-east-1", ProfileName: "deploy") { SessionCredentials = "session" }))
        {
            Assert.Equal("AKIADEPLOY000000000", (await session.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        }
    }

    [Fact]
    public async Task A_session_credentials_wrapper_is_unwrapped_and_read_without_a_cast()
    {
        using EnvironmentScope env = Environment();
        var stored = new StoredCredentialsLookalike(new ForeignLookalike("AKIAFOREIGN00000000", "foreign-secret", "foreign-token"), "ops-admin");

        using AwsSession session = await CreateAsync(new AwsOptions(Region: "us-east-1") { SessionCredentials = stored });

        Assert.Equal(new AwsCredentialSnapshot("AKIAFOREIGN00000000", "foreign-secret", "foreign-token"), await session.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal("'ops-admin' (Set-AWSCredential ($StoredAWSCredentials))", session.CredentialSource);
        Assert.DoesNotContain("foreign-secret", string.Join('\n', _log.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_credential_parameter_takes_an_AWSSDK_credentials_object_before_session_defaults_and_environment()
    {
        using EnvironmentScope env = Environment();
        AWSCredentials sdk = new BasicAWSCredentials("AKIABASIC0000000000", "basic-secret");

        using AwsSession session = await CreateAsync(new AwsOptions(Region: "us-east-1") { CredentialObject = sdk, SessionCredentials = "session" });

        Assert.Equal(new AwsCredentialSnapshot("AKIABASIC0000000000", "basic-secret"), await session.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal("-Credential", session.CredentialSource);
    }

    [Fact]
    public async Task Explicit_keys_win_over_everything_and_say_where_they_came_from()
    {
        using EnvironmentScope env = Environment();

        using AwsSession session = await CreateAsync(new AwsOptions(Region: "us-east-1", ProfileName: "deploy")
        {
            Credentials = new AwsCredentialSnapshot("AKIAKEYS00000000000", "keys-secret"),
            CredentialsSource = "-AccessKey",
            CredentialObject = new ForeignLookalike("AKIAFOREIGN00000000", "foreign-secret", null),
            SessionCredentials = "session",
        });

        Assert.Equal("AKIAKEYS00000000000", (await session.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal("-AccessKey", session.CredentialSource);
    }

    [Fact]
    public async Task Something_that_is_not_credentials_is_AwsCredentialsInvalid_naming_its_type()
    {
        using EnvironmentScope env = Environment();

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => CreateAsync(new AwsOptions(Region: "us-east-1") { CredentialObject = new Uri("https://example.com") }));

        Assert.Equal("AwsCredentialsInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("System.Uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileLocation_reads_the_profile_from_that_file()
    {
        using EnvironmentScope env = Environment();
        string file = Path.Combine(TestEnvironment.AwsDirectory, "elsewhere-credentials");
        File.WriteAllText(file, "[deploy]\naws_access_key_id = AKIAELSEWHERE000000\naws_secret_access_key = elsewhere-secret\n");
        try
        {
            using AwsSession session = await CreateAsync(new AwsOptions(Region: "us-east-1", ProfileName: "deploy") { ProfileLocation = file });

            Assert.Equal("AKIAELSEWHERE000000", (await session.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
            Assert.Equal($"profile 'deploy' of {file}", session.CredentialSource);
            var missing = await Assert.ThrowsAsync<MightyOpsException>(() => CreateAsync(new AwsOptions(Region: "us-east-1") { ProfileLocation = file + ".nope" }));
            Assert.Equal("AwsProfileLocationNotFound", missing.ErrorId);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static EnvironmentScope Environment() =>
        new EnvironmentScope().Credentials(Credentials).Config(string.Empty)
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0000").Set("AWS_SECRET_ACCESS_KEY", "env-secret").Set("AWS_PROFILE", null);

    private Task<AwsSession> CreateAsync(AwsOptions options) => AwsSession.CreateAsync(options, _log, CancellationToken.None);

    /// <summary>The shape of an AWSCredentials of another AWSSDK.Core: a public GetCredentialsAsync and nothing in common with ours.</summary>
    private sealed class ForeignLookalike(string accessKey, string secretKey, string? token)
    {
        public Task<ForeignImmutable> GetCredentialsAsync() => Task.FromResult(new ForeignImmutable(accessKey, secretKey, token));

        public ForeignImmutable GetCredentials() => throw new InvalidOperationException("The async method is preferred.");
    }

    private sealed record ForeignImmutable(string AccessKey, string SecretKey, string? Token);

    /// <summary>The shape of AWS.Tools' AWSPSCredentials: the credentials in an internal property, the name as ToString().</summary>
    private sealed class StoredCredentialsLookalike(object credentials, string name)
    {
        internal object Credentials { get; } = credentials;

        public override string ToString() => name;
    }
}
