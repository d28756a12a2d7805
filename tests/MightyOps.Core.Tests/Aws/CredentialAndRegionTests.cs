using System.Diagnostics;
using System.Net;
using System.Text;
using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// Credential and region resolution through AWSSDK.Core's real profile store and default chain,
/// with temporary shared config/credentials files and environment variables (restored after each test).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CredentialAndRegionTests
{
    private const string Credentials = """
        [base]
        aws_access_key_id = AKIABASE00000000000
        aws_secret_access_key = base-secret

        [deploy]
        aws_access_key_id = AKIADEPLOY000000000
        aws_secret_access_key = deploy-secret
        aws_session_token = deploy-token
        """;

    private const string Config = """
        [default]
        region = eu-north-1

        [profile deploy]
        region = ap-southeast-2

        [profile roley]
        role_arn = arn:aws:iam::123456789012:role/mighty-deploy
        source_profile = base
        region = eu-west-2

        [profile ssoy]
        sso_session = mightyops-test-session-that-never-logged-in
        sso_account_id = 123456789012
        sso_role_name = Admin
        region = eu-west-1

        [sso-session mightyops-test-session-that-never-logged-in]
        sso_start_url = https://mightyops-test.awsapps.com/start
        sso_region = us-east-1

        [profile regiononly]
        region = sa-east-1
        """;

    private readonly RecordingLog _log = new();

    [Fact]
    public async Task Environment_keys_are_used_when_nothing_is_named()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config)
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0000").Set("AWS_SECRET_ACCESS_KEY", "env-secret").Set("AWS_SESSION_TOKEN", "env-token");

        using AwsSession session = await AwsSession.CreateAsync(new AwsOptions(Region: "us-east-1"), _log, CancellationToken.None);

        Assert.Equal(new AwsCredentialSnapshot("AKIAENVIRONMENT0000", "env-secret", "env-token"), await session.GetCredentialsAsync(CancellationToken.None));
        Assert.Contains("environment", session.CredentialSource, StringComparison.Ordinal);
        Assert.DoesNotContain("env-secret", _log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_profile_wins_over_environment_keys()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config)
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0000").Set("AWS_SECRET_ACCESS_KEY", "env-secret");

        using AwsSession session = await AwsSession.CreateAsync(new AwsOptions(ProfileName: "deploy"), _log, CancellationToken.None);

        Assert.Equal(new AwsCredentialSnapshot("AKIADEPLOY000000000", "deploy-secret", "deploy-token"), await session.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal("ap-southeast-2", session.Region);
        Assert.Equal("profile 'deploy'", session.RegionSource);
    }

    [Fact]
    public async Task AWS_PROFILE_selects_the_profile_when_none_is_named()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config).Set("AWS_PROFILE", "deploy");

        using AwsSession session = await AwsSession.CreateAsync(new AwsOptions(), _log, CancellationToken.None);

        Assert.Equal("AKIADEPLOY000000000", (await session.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal("ap-southeast-2", session.Region);
    }

    [Fact]
    public async Task Environment_keys_win_over_AWS_PROFILE_whose_profile_still_gives_the_region()
    {
        // The AWS CLI's order and the AWS SDK for .NET's (docs/design/credentials.md).
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config).Set("AWS_PROFILE", "deploy")
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0000").Set("AWS_SECRET_ACCESS_KEY", "env-secret");

        using AwsSession session = await AwsSession.CreateAsync(new AwsOptions(), _log, CancellationToken.None);

        Assert.Equal(new AwsCredentialSnapshot("AKIAENVIRONMENT0000", "env-secret"), await session.GetCredentialsAsync(CancellationToken.None));
        Assert.Equal("environment variables (AWS_ACCESS_KEY_ID)", session.CredentialSource);
        Assert.Equal("ap-southeast-2", session.Region);
        Assert.Equal("profile 'deploy'", session.RegionSource);
        Assert.Contains(_log.VerboseLines, line => line.StartsWith("AWS_PROFILE names profile 'deploy', but AWS_ACCESS_KEY_ID holds keys, and those come first", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWS_PROFILE_alone_is_not_remarked_on()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config).Set("AWS_PROFILE", "deploy");

        using AwsSession session = await AwsSession.CreateAsync(new AwsOptions(), _log, CancellationToken.None);

        Assert.Equal("AKIADEPLOY000000000", (await session.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.DoesNotContain(_log.VerboseLines, line => line.Contains("come first", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AKIAENVIRONMENT0000", "AKIA…0000")]
    [InlineData("ASIAQW3EXAMPLEWXYZ12", "ASIA…YZ12")]
    public async Task Verbose_shows_the_access_key_id_shortened(string keyId, string shown)
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config)
            .Set("AWS_ACCESS_KEY_ID", keyId).Set("AWS_SECRET_ACCESS_KEY", "env-secret");

        using AwsSession session = await AwsSession.CreateAsync(new AwsOptions(Region: "us-east-1"), _log, CancellationToken.None);

        Assert.Contains(_log.VerboseLines, line => line.Contains($"access key {shown} from environment variables", StringComparison.Ordinal));
        Assert.DoesNotContain(keyId, _log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_the_credentials_file_is_noticed_by_the_next_session()
    {
        using EnvironmentScope env = new EnvironmentScope().Config(Config).Set("AWS_PROFILE", "deploy").Credentials(Credentials);
        using (AwsSession first = await AwsSession.CreateAsync(new AwsOptions(), _log, CancellationToken.None))
        {
            Assert.Equal("AKIADEPLOY000000000", (await first.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        }

        env.Credentials(Credentials.Replace("AKIADEPLOY000000000", "AKIAROTATED00000000 ", StringComparison.Ordinal));
        using AwsSession second = await AwsSession.CreateAsync(new AwsOptions(), _log, CancellationToken.None);

        Assert.Equal("AKIAROTATED00000000", (await second.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
    }

    [Fact]
    public async Task A_missing_named_profile_is_an_error_that_names_it_and_lists_the_others()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config)
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0000").Set("AWS_SECRET_ACCESS_KEY", "env-secret");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(Region: "us-east-1", ProfileName: "prod-typo"), _log, CancellationToken.None));

        Assert.Equal("AwsProfileNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
        Assert.Equal("prod-typo", error.Target);
        Assert.Contains("'prod-typo'", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy", error.Message, StringComparison.Ordinal);
        Assert.Contains(TestEnvironment.CredentialsFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_AWS_PROFILE_is_an_error_that_names_it()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config).Set("AWS_PROFILE", "gone");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(Region: "us-east-1"), _log, CancellationToken.None));

        Assert.Equal("AwsProfileNotFound", error.ErrorId);
        Assert.Contains("'gone' (from AWS_PROFILE)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_anywhere_says_how_to_set_them()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(string.Empty).Config(string.Empty);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(Region: "us-east-1"), _log, CancellationToken.None));

        Assert.Equal("AwsCredentialsNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.Authentication, error.Kind);
        foreach (string hint in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "-ProfileName", "AWS_PROFILE", "aws configure", "aws sso login", TestEnvironment.CredentialsFile })
        {
            Assert.Contains(hint, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_instance_metadata_service_that_never_answers_does_not_stall_the_chain()
    {
        // A listener that accepts connections and never answers: what 169.254.169.254 looks like
        // from a laptop or container that drops the packets. AWSSDK.Core alone waits ~31 s here.
        await using var blackHole = new BlackHoleListener();
        using EnvironmentScope env = new EnvironmentScope().Credentials(string.Empty).Config(string.Empty)
            .Set("AWS_EC2_METADATA_DISABLED", null)
            .Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", $"http://127.0.0.1:{blackHole.Port}");
        // AWSSDK.Core reads the IMDS endpoint setting once per process; make it read this one.
        Amazon.Runtime.Internal.FallbackInternalConfigurationFactory.Reset();
        var watch = Stopwatch.StartNew();

        MightyOpsException error;
        try
        {
            error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(Region: "us-east-1"), _log, CancellationToken.None));
        }
        finally
        {
            env.Dispose();
            Amazon.Runtime.Internal.FallbackInternalConfigurationFactory.Reset();
        }

        watch.Stop();
        Assert.Equal("AwsCredentialsNotFound", error.ErrorId);
        Assert.True(blackHole.Accepted > 0, "the chain did ask the metadata endpoint");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the chain took {watch.Elapsed} to give up");
        Assert.Contains("instance metadata", error.InnerException!.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_role_profile_assumes_its_role_with_the_source_profile_keys_and_a_refusal_reads_well()
    {
        using var sts = new FakeSts();
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config)
            .Set("AWS_ENDPOINT_URL_STS", sts.Url);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(ProfileName: "roley"), _log, CancellationToken.None));

        // The SDK recognised the role profile: it called STS AssumeRole for that role, signed with base's key.
        string request = Assert.Single(sts.Requests);
        Assert.Contains("Action=AssumeRole", request, StringComparison.Ordinal);
        Assert.Contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fmighty-deploy", request, StringComparison.Ordinal);
        Assert.Contains("Credential=AKIABASE00000000000/", request, StringComparison.Ordinal);
        Assert.Equal("AwsCredentialsFailed", error.ErrorId);
        Assert.Equal(MightyErrorKind.Authentication, error.Kind);
        Assert.Contains("profile 'roley'", error.Message, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::123456789012:role/mighty-deploy", error.Message, StringComparison.Ordinal);
        Assert.Contains("not authorized to perform: sts:AssumeRole", error.Message, StringComparison.Ordinal);
        Assert.Contains("source_profile", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("base-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_profile_whose_sts_endpoint_is_unreachable_says_so()
    {
        int port = TestEnvironment.ClosedPort();
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config).Set("AWS_ENDPOINT_URL_STS", $"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(ProfileName: "roley"), _log, CancellationToken.None));

        Assert.Equal("AwsCredentialsFailed", error.ErrorId);
        Assert.Contains("AssumeRole", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_sso_profile_without_a_login_says_to_run_aws_sso_login()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(ProfileName: "ssoy"), _log, CancellationToken.None));

        Assert.Equal("AwsSsoLoginRequired", error.ErrorId);
        Assert.Equal(MightyErrorKind.Authentication, error.Kind);
        Assert.Contains("aws sso login --profile ssoy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_sso_profile_selected_by_AWS_PROFILE_reports_the_login_not_a_generic_failure()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config).Set("AWS_PROFILE", "ssoy");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(), _log, CancellationToken.None));

        Assert.Equal("AwsSsoLoginRequired", error.ErrorId);
        Assert.Contains("aws sso login --profile ssoy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_names_come_from_both_files()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config);

        IReadOnlyList<string> names = AwsProfiles.Names();

        Assert.Contains("base", names);
        Assert.Contains("deploy", names);
        Assert.Contains("roley", names);
        Assert.Contains("ssoy", names);
        Assert.DoesNotContain("regiononly", names); // no credentials in it: nothing to complete to
    }

    [Fact]
    public void Region_names_are_the_sdks_known_regions()
    {
        IReadOnlyList<string> names = RegionResolver.KnownRegions;

        Assert.Contains("us-east-1", names);
        Assert.Contains("cn-north-1", names);
        Assert.DoesNotContain("us-east-1-regional", names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void The_region_option_wins_then_AWS_REGION_then_AWS_DEFAULT_REGION_then_the_profile()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(Config)
            .Set("AWS_REGION", "eu-central-1").Set("AWS_DEFAULT_REGION", "us-west-2");

        Assert.Equal(("ca-central-1", "-Region"), RegionResolver.Resolve(new AwsOptions(Region: "ca-central-1"), _log));
        Assert.Equal(("eu-central-1", "AWS_REGION"), RegionResolver.Resolve(new AwsOptions(), _log));
        env.Set("AWS_REGION", null);
        Assert.Equal(("us-west-2", "AWS_DEFAULT_REGION"), RegionResolver.Resolve(new AwsOptions(), _log));
        env.Set("AWS_DEFAULT_REGION", null);
        Assert.Equal(("eu-north-1", "profile 'default'"), RegionResolver.Resolve(new AwsOptions(), _log));
        Assert.Equal(("sa-east-1", "profile 'regiononly'"), RegionResolver.Resolve(new AwsOptions(ProfileName: "regiononly"), _log));
        env.Set("AWS_PROFILE", "deploy");
        Assert.Equal(("ap-southeast-2", "profile 'deploy'"), RegionResolver.Resolve(new AwsOptions(), _log));
    }

    [Fact]
    public async Task No_region_anywhere_says_how_to_set_one()
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials).Config(string.Empty);

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(ProfileName: "base"), _log, CancellationToken.None));

        Assert.Equal("AwsRegionNotSet", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidOperation, error.Kind);
        Assert.Contains("-Region", error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_REGION", error.Message, StringComparison.Ordinal);
        Assert.Contains("region", error.Message, StringComparison.Ordinal);
        Assert.Contains("'base'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistyped_region_is_refused_with_a_suggestion()
    {
        using EnvironmentScope env = new EnvironmentScope();

        var error = Assert.Throws<MightyOpsException>(() => RegionResolver.Resolve(new AwsOptions(Region: "us-eest-1"), _log));

        Assert.Equal("AwsRegionInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'us-eest-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'us-east-1'?", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("us-eest-1", RegionResolver.KnownRegions);
    }

    [Fact]
    public void An_unknown_region_with_an_endpoint_override_is_only_a_warning()
    {
        using EnvironmentScope env = new EnvironmentScope().Set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");

        Assert.Equal(("local-1", "-Region"), RegionResolver.Resolve(new AwsOptions(Region: "local-1"), _log));
        Assert.Contains(_log.Warnings, w => w.Contains("'local-1'", StringComparison.Ordinal));
    }

    [Fact]
    public void AWS_MAX_ATTEMPTS_sets_the_number_of_attempts()
    {
        using EnvironmentScope env = new EnvironmentScope().Set("AWS_MAX_ATTEMPTS", "3");
        Assert.Equal(3, RetryPolicy.FromEnvironment(_log).MaxAttempts);

        env.Set("AWS_MAX_ATTEMPTS", "lots");
        Assert.Equal(RetryPolicy.DefaultMaxAttempts, RetryPolicy.FromEnvironment(_log).MaxAttempts);
        Assert.Contains(_log.Warnings, w => w.Contains("AWS_MAX_ATTEMPTS", StringComparison.Ordinal));

        env.Set("AWS_MAX_ATTEMPTS", null);
        Assert.Equal(RetryPolicy.DefaultMaxAttempts, RetryPolicy.FromEnvironment(_log).MaxAttempts);
    }

    [Fact]
    public async Task Endpoint_variables_reach_the_session_clients()
    {
        using EnvironmentScope env = new EnvironmentScope()
            .Set("AWS_ENDPOINT_URL", "http://127.0.0.1:2222").Set("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:3333");

        using AwsSession session = await AwsSession.CreateAsync(
            new AwsOptions(Region: "eu-west-1") { Credentials = new AwsCredentialSnapshot("AKIAEXPLICIT", "explicit") }, _log, CancellationToken.None);

        Assert.Equal(new Uri("http://127.0.0.1:2222/"), session.Ecs.Endpoint.Url);
        Assert.Equal(new Uri("http://127.0.0.1:3333/"), session.Ecr.Endpoint.Url);
        Assert.Equal(new Uri("http://127.0.0.1:2222/"), session.S3.Endpoint.Url);
        Assert.Equal("eu-west-1", session.Ecr.Endpoint.Region);
        Assert.Equal("explicit credentials", session.CredentialSource);
    }

    /// <summary>A loopback STS that refuses every AssumeRole the way STS does (Query protocol, XML error).</summary>
    private const string PlantedSecret = "PLANTEDsecret7Qw2xZ";

    [Theory]
    [InlineData("deploy", "us-east-1")]
    [InlineData(null, "us-east-1")]
    [InlineData("deploy", null)]
    [InlineData(null, null)]
    public async Task A_malformed_credentials_line_is_named_by_file_line_and_profile_and_never_quoted(string? profileName, string? region)
    {
        using EnvironmentScope env = new EnvironmentScope().Config(Config).Set("AWS_PROFILE", "deploy")
            .Credentials(Credentials.Replace("aws_secret_access_key = deploy-secret", $"aws_secret_access_key {PlantedSecret}", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(region, profileName), _log, CancellationToken.None));

        Assert.Equal("AwsConfigUnreadable", error.ErrorId);
        Assert.Equal(TestEnvironment.CredentialsFile, error.Target);
        Assert.Contains($"{TestEnvironment.CredentialsFile} cannot be parsed: line 7 (in profile 'deploy')", error.Message, StringComparison.Ordinal);
        AssertNothingQuotes(error);
    }

    [Theory]
    [InlineData("base", "us-east-1")]
    [InlineData(null, null)]
    public async Task A_malformed_config_line_is_named_by_file_line_and_section_and_never_quoted(string? profileName, string? region)
    {
        using EnvironmentScope env = new EnvironmentScope().Credentials(Credentials)
            .Config(Config.Replace("sso_region = us-east-1", $"sso_secret {PlantedSecret}", StringComparison.Ordinal))
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0000").Set("AWS_SECRET_ACCESS_KEY", "env-secret");

        var error = await Assert.ThrowsAsync<MightyOpsException>(() => AwsSession.CreateAsync(new AwsOptions(region, profileName), _log, CancellationToken.None));

        Assert.Equal("AwsConfigUnreadable", error.ErrorId);
        Assert.Contains($"config file {TestEnvironment.ConfigFile} cannot be parsed: line 20 (in sso-session 'mightyops-test-session-that-never-logged-in')", error.Message, StringComparison.Ordinal);
        AssertNothingQuotes(error);
    }

    [Fact]
    public void Listing_profiles_of_a_malformed_file_is_an_error_that_does_not_quote_it()
    {
        using EnvironmentScope env = new EnvironmentScope().Config(Config)
            .Credentials(Credentials.Replace("aws_secret_access_key = base-secret", PlantedSecret, StringComparison.Ordinal));

        var error = Assert.Throws<MightyOpsException>(() => AwsProfiles.Names());

        Assert.Contains("line 3 (in profile 'base')", error.Message, StringComparison.Ordinal);
        AssertNothingQuotes(error);
    }

    private void AssertNothingQuotes(MightyOpsException error)
    {
        Assert.DoesNotContain(PlantedSecret, error.ToString(), StringComparison.Ordinal);
        for (Exception? inner = error; inner is not null; inner = inner.InnerException)
        {
            Assert.DoesNotContain(PlantedSecret, inner.Message, StringComparison.Ordinal);
            Assert.NotSame(typeof(Amazon.Runtime.AWSCredentials).Assembly, inner.GetType().Assembly);
        }
        Assert.DoesNotContain(PlantedSecret, _log.All, StringComparison.Ordinal);
    }

    private sealed class FakeSts : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        public FakeSts()
        {
            Url = $"http://127.0.0.1:{TestEnvironment.ClosedPort()}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public List<string> Requests { get; } = [];

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                _serving.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                string body = await reader.ReadToEndAsync();
                lock (Requests)
                {
                    Requests.Add($"Authorization: {context.Request.Headers["Authorization"]}\n{body}");
                }
                byte[] answer = Encoding.UTF8.GetBytes("""
                    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/mighty-deploy</Message></Error>
                      <RequestId>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</RequestId>
                    </ErrorResponse>
                    """);
                context.Response.StatusCode = 403;
                context.Response.ContentType = "text/xml";
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
        }
    }
}
