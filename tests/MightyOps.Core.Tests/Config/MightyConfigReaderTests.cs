using MightyOps.Core.Config;
using Xunit;

namespace MightyOps.Core.Tests.Config;

/// <summary>mighty.psd1 to <see cref="MightyConfig"/>: every key, and every kind of mistake named with its key path.</summary>
public sealed class MightyConfigReaderTests
{
    private const string FilePath = "/app/mighty.psd1";

    /// <summary>Every key of the schema once (the documented example is read by the Pester tests).</summary>
    public const string FullExample = """
        @{
            Cluster     = 'production'
            Region      = 'us-east-1'
            ProfileName = 'mighty-production'
            EndpointUrl = 'http://127.0.0.1:4566'
            Secrets = @{ Source = 's3://mighty-secrets/production.json'; Mode = 'EnvironmentFile' }
            Ssh = @{
                User = 'ec2-user'; KeyFilePath = 'keys/deploy.pem'; Port = 2222
                Bastion = 'ops@bastion.example.com:2200'; Address = 'Private'; HostKeyPolicy = 'Strict'
            }
            Redis     = 'redis://sidekiq.internal:6379/0'
            Namespace = 'mighty'
            Defaults = @{
                Cpu = 128; MemoryReservation = 256; StopTimeout = 30
                Environment = @{ RAILS_ENV = 'production'; RAILS_LOG_TO_STDOUT = '1' }
                LogConfiguration = @{
                    LogDriver = 'awslogs'
                    Options = @{ 'awslogs-group' = '/mighty/{service}'; 'awslogs-stream-prefix' = '{container}'; 'awslogs-region' = 'us-east-1' }
                }
            }
            Services = @{
                WEB = @{
                    Environment = @{ WEB_CONCURRENCY = 2 }
                    Containers = @{
                        application = @{ Repository = 'app'; Memory = 1024; Command = 'bundle', 'exec', 'puma' }
                        nginx = @{ Repository = 'nginx-proxy'; PortMappings = 80; Cpu = 64; Essential = $true }
                    }
                }
                ios_web_scrape = @{
                    Queue = 'ios_web_scrape'; MinCount = 1; MaxCount = 20; JobsPerTask = 500; CooldownMinutes = 5
                    Containers = @{ sidekiq = @{ Repository = 'app'; Command = @('bundle', 'exec', 'sidekiq', '-q', 'ios_web_scrape'); EntryPoint = 'bin/entry' } }
                }
            }
        }
        """;

    private static MightyConfig Read(string text) => MightyConfigReader.Read(text, FilePath);

    private static MightyOpsException Fails(string text)
    {
        MightyOpsException error = Assert.Throws<MightyOpsException>(() => Read(text));
        Assert.Equal("ConfigInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidData, error.Kind);
        Assert.Equal(FilePath, error.Target);
        return error;
    }

    [Fact]
    public void Reads_every_key_of_the_documented_example()
    {
        MightyConfig config = Read(FullExample);

        Assert.Equal(FilePath, config.Path);
        Assert.Equal("production", config.Cluster);
        Assert.Equal("us-east-1", config.Region);
        Assert.Equal("mighty-production", config.ProfileName);
        Assert.Equal("http://127.0.0.1:4566/", config.EndpointUrl);
        Assert.Equal("s3://mighty-secrets/production.json", config.Secrets!.Source.ToString());
        Assert.Equal(SecretsMode.EnvironmentFile, config.Secrets.Mode);
        Assert.Equal("ec2-user", config.Ssh.User);
        Assert.Equal(Path.GetFullPath("/app/keys/deploy.pem"), config.Ssh.KeyFilePath);
        Assert.Equal(2222, config.Ssh.Port);
        Assert.Equal(new SshEndpoint("ops", "bastion.example.com", 2200), config.Ssh.Bastion);
        Assert.Equal(SshAddressKind.Private, config.Ssh.Address);
        Assert.Equal(HostKeyPolicy.Strict, config.Ssh.HostKeyPolicy);
        Assert.Equal(new Uri("redis://sidekiq.internal:6379/0"), config.Redis);
        Assert.Equal("mighty", config.Namespace);
        Assert.Equal(128, config.Defaults.Cpu);
        Assert.Equal(30, config.Defaults.StopTimeout);

        ServiceSettings web = config.Services["WEB"];
        Assert.Null(web.Queue);
        Assert.Equal("2", web.Environment["WEB_CONCURRENCY"]);
        Assert.Equal(["bundle", "exec", "puma"], web.Containers["application"].Command);
        Assert.Equal([80], web.Containers["nginx"].PortMappings);
        // Where each container key is written, for errors only the live task definition can find.
        string[] lines = FullExample.Split('\n');
        int line = Array.FindIndex(lines, l => l.Contains("nginx = @{", StringComparison.Ordinal));
        Assert.Equal(new TextPosition(line + 1, lines[line].IndexOf("nginx", StringComparison.Ordinal) + 1), web.ContainerPositions["nginx"]);

        ServiceSettings worker = config.Services["ios_web_scrape"];
        Assert.Equal(("ios_web_scrape", 1, 20, 500, 5), (worker.Queue, worker.MinCount, worker.MaxCount, worker.JobsPerTask, worker.CooldownMinutes));
        Assert.Equal(["bin/entry"], worker.Containers["sidekiq"].EntryPoint);
        Assert.Equal(["ios_web_scrape"], config.QueueServices.Select(q => q.Key));
    }

    [Fact]
    public void Container_settings_layer_defaults_service_environment_and_the_container_and_fill_in_placeholders()
    {
        MightyConfig config = Read(FullExample);

        ContainerSettings nginx = config.ContainerSettingsFor("WEB", "nginx")!;
        Assert.Equal(64, nginx.Cpu);
        Assert.Equal(256, nginx.MemoryReservation);
        Assert.Equal("nginx-proxy", nginx.Repository);
        Assert.Equal(new Dictionary<string, string> { ["RAILS_ENV"] = "production", ["RAILS_LOG_TO_STDOUT"] = "1", ["WEB_CONCURRENCY"] = "2" }, nginx.Environment);
        Assert.Equal("/mighty/WEB", nginx.LogConfiguration!.Options["awslogs-group"]);
        Assert.Equal("nginx", nginx.LogConfiguration.Options["awslogs-stream-prefix"]);

        // A container the config does not list still gets the Defaults; a service it does not list gets nothing.
        ContainerSettings sidecar = config.ContainerSettingsFor("WEB", "datadog")!;
        Assert.Equal(128, sidecar.Cpu);
        Assert.Null(sidecar.Repository);
        Assert.Null(config.ContainerSettingsFor("web", "nginx"));
    }

    [Fact]
    public void An_empty_hashtable_is_a_valid_config_with_the_documented_defaults()
    {
        MightyConfig config = Read("@{}");
        Assert.Null(config.Cluster);
        Assert.Null(config.Secrets);
        Assert.Empty(config.Services);
        Assert.Equal(SecretsMode.EnvironmentFile, Read("@{ Secrets = @{ Source = 's3://bucket/x.json' } }").Secrets!.Mode);
        ServiceSettings worker = Read("@{ Services = @{ q = @{ Queue = 'default' } } }").Services["q"];
        Assert.Equal((0, 10, 100, 10), (worker.MinCount, worker.MaxCount, worker.JobsPerTask, worker.CooldownMinutes));
    }

    [Fact]
    public void Keys_ignore_case_and_names_keep_their_case()
    {
        MightyConfig config = Read("@{ cluster = 'prod'; SERVICES = @{ Web = @{ containers = @{ App = @{ cpu = 5 } } } }; secrets = @{ source = 's3://bkt/a.json'; mode = 'environment' } }");
        Assert.Equal("prod", config.Cluster);
        Assert.Equal(5, config.Services["Web"].Containers["App"].Cpu);
        Assert.False(config.Services.ContainsKey("WEB"));
        Assert.Equal(SecretsMode.Environment, config.Secrets!.Mode);
    }

    [Fact]
    public void BeforeDeploy_reads_a_command_line_or_words_with_its_service_container_and_timeout()
    {
        BeforeDeploySettings line = Read("@{ BeforeDeploy = @{ Service = 'WEB'; Container = 'application'; Command = 'bin/rails db:migrate' } }").BeforeDeploy!;
        Assert.Equal("WEB", line.Service);
        Assert.Equal("application", line.Container);
        Assert.Equal(["sh", "-c", "bin/rails db:migrate"], line.Command.Words);
        Assert.Equal(BeforeDeploySettings.DefaultTimeout, line.Timeout);

        BeforeDeploySettings words = Read("@{ BeforeDeploy = @{ Service = 'API'; Command = 'bin/rails', 'db:migrate'; Timeout = 600 } }").BeforeDeploy!;
        Assert.Null(words.Container);
        Assert.Equal(["bin/rails", "db:migrate"], words.Command.Words);
        Assert.Equal(TimeSpan.FromMinutes(10), words.Timeout);
        Assert.Null(Read("@{}").BeforeDeploy);
    }

    [Theory]
    [InlineData("@{ Clustr = 'x' }", "/app/mighty.psd1:1:4: Clustr: unknown key. Did you mean 'Cluster'?")]
    [InlineData("@{ Profile = 'x' }", "Profile: unknown key. Did you mean 'ProfileName'?")]
    [InlineData("@{ Services = @{ WEB = @{ Containers = @{ nginx = @{ Cpus = 1 } } } } }", "Services.WEB.Containers.nginx.Cpus: unknown key. Did you mean 'Cpu'?")]
    [InlineData("@{ Services = @{ WEB = @{ Containers = @{ nginx = @{ Cpu = 'lots' } } } } }", "1:60: Services.WEB.Containers.nginx.Cpu: expected CPU units, 0 or more (1024 = one vCPU), found the string 'lots'.")]
    [InlineData("@{ Services = @{ WEB = @{ Containers = @{ nginx = @{ Cpu = -1 } } } } }", "Services.WEB.Containers.nginx.Cpu: expected CPU units")]
    [InlineData("@{ Services = @{ q = @{ MinCount = -1 } } }", "Services.q.MinCount: expected a task count of 0 or more, found the integer -1.")]
    [InlineData("@{ Services = @{ q = @{ MinCount = 5; MaxCount = 2 } } }", "Services.q.MinCount: 5 is more than MaxCount (2)")]
    [InlineData("@{ Services = @{ q = @{ JobsPerTask = 0 } } }", "Services.q.JobsPerTask: expected a number of jobs of 1 or more")]
    [InlineData("@{ Secrets = @{ Source = 'https://bucket/x.json' } }", "Secrets.Source: expected an S3 object URI")]
    [InlineData("@{ Secrets = @{ Mode = 'Environment' } }", "Secrets.Source: missing")]
    [InlineData("@{ Secrets = @{ Source = 's3://bkt/a.json'; Mode = 'EnviromentFile' } }", "Secrets.Mode: 'EnviromentFile' is not one of EnvironmentFile, Environment. Did you mean 'EnvironmentFile'?")]
    [InlineData("@{ Ssh = @{ Port = 70000 } }", "Ssh.Port: expected a TCP port (1-65535), found the integer 70000.")]
    [InlineData("@{ Ssh = @{ Bastion = 'ops@host:0' } }", "Ssh.Bastion: expected user@host or user@host:port")]
    [InlineData("@{ Ssh = @{ Address = 'Elastic' } }", "Ssh.Address: 'Elastic' is not one of Private, Public.")]
    [InlineData("@{ Ssh = @{ HostKeyPolicy = 'Yolo' } }", "Ssh.HostKeyPolicy: 'Yolo' is not one of AcceptNew, Strict.")]
    [InlineData("@{ Redis = 'http://x:6379' }", "Redis: expected a Redis URL")]
    [InlineData("@{ Region = 'Virginia' }", "Region: expected an AWS region name")]
    [InlineData("@{ Cluster = 'my cluster' }", "Cluster: expected an ECS cluster name")]
    [InlineData("@{ Cluster = 5 }", "Cluster: expected a string, found the integer 5.")]
    [InlineData("@{ Services = 'WEB' }", "Services: expected a hashtable, @{ ... }, found the string 'WEB'.")]
    [InlineData("@{ Services = @{ 'WEB APP' = @{} } }", "Services.WEB APP: 'WEB APP' is not an ECS service name")]
    [InlineData("@{ Defaults = @{ Repository = 'app' } }", "Defaults.Repository: unknown key.")]
    [InlineData("@{ Defaults = @{ Environment = @{ 'RAILS-ENV' = 'x' } } }", "Defaults.Environment.RAILS-ENV: 'RAILS-ENV' is not an environment variable name")]
    [InlineData("@{ Defaults = @{ Environment = @{ FORCE_SSL = $true } } }", "Defaults.Environment.FORCE_SSL: expected a string (or a whole number), found $true.")]
    [InlineData("@{ Defaults = @{ LogConfiguration = @{ LogDriver = 'awslog' } } }", "Defaults.LogConfiguration.LogDriver: 'awslog' is not an ECS log driver. Did you mean 'awslogs'?")]
    [InlineData("@{ Defaults = @{ LogConfiguration = @{ Options = @{} } } }", "Defaults.LogConfiguration.LogDriver: missing")]
    [InlineData("@{ Defaults = @{ LogConfiguration = @{ LogDriver = 'awslogs'; Options = @{ g = '/x/{servce}' } } } }", "Defaults.LogConfiguration.Options.g: unknown placeholder {servce}")]
    [InlineData("@{ Services = @{ W = @{ Containers = @{ a = @{ PortMappings = 80, 'https' } } } } }", "Services.W.Containers.a.PortMappings: expected container ports")]
    [InlineData("@{ Services = @{ W = @{ Containers = @{ a = @{ Command = 'rails', 5 } } } } }", "Services.W.Containers.a.Command: expected strings")]
    [InlineData("@{ Services = @{ W = @{ Containers = @{ a = @{ Essential = 'yes' } } } } }", "Services.W.Containers.a.Essential: expected $true or $false")]
    [InlineData("@{ Services = @{ W = @{ Containers = @{ a = @{ Repository = 'App' } } } } }", "Services.W.Containers.a.Repository: expected an ECR repository name")]
    [InlineData("@{ BeforeDeploy = @{ Service = 'WEB'; Command = 'x'; Comand = 'y' } }", "BeforeDeploy.Comand: unknown key. Did you mean 'Command'?")]
    [InlineData("@{ BeforeDeploy = @{ Command = 'bin/rails db:migrate' } }", "BeforeDeploy.Service: missing")]
    [InlineData("@{ BeforeDeploy = @{ Service = 'WEB' } }", "BeforeDeploy.Command: missing")]
    [InlineData("@{ BeforeDeploy = @{ Service = 'WEB'; Command = '' } }", "BeforeDeploy.Command: The command is empty")]
    [InlineData("@{ BeforeDeploy = @{ Service = 'WEB'; Command = 5 } }", "BeforeDeploy.Command: expected a command line")]
    [InlineData("@{ BeforeDeploy = @{ Service = 'WEB APP'; Command = 'x' } }", "BeforeDeploy.Service: expected an ECS service name")]
    [InlineData("@{ BeforeDeploy = @{ Service = 'WEB'; Command = 'x'; Timeout = 0 } }", "BeforeDeploy.Timeout: expected seconds from 1 to 86400")]
    [InlineData("@{ BeforeDeploy = 'bin/rails db:migrate' }", "BeforeDeploy: expected a hashtable")]
    [InlineData("@{ Defaults = @{ MemoryReservation = 512 }; Services = @{ W = @{ Containers = @{ a = @{ Memory = 256 } } } } }", "Services.W.Containers.a: Memory (256 MiB) is less than MemoryReservation (512 MiB, counting Defaults)")]
    public void A_mistake_names_the_file_the_key_path_and_what_is_expected(string text, string expected)
    {
        MightyOpsException error = Fails(text);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(FilePath + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_value_or_key_is_quoted_by_a_short_prefix()
    {
        string huge = new('v', 20 * 1024 * 1024);

        MightyOpsException value = Fails($"@{{ Cluster = '{huge}' }}");
        MightyOpsException key = Fails($"@{{ Services = @{{ '{huge}' = @{{}} }} }}");
        MightyOpsException environment = Fails($"@{{ Defaults = @{{ Environment = @{{ A = @{{}}; '{huge}-x' = '1' }} }} }}");

        foreach (MightyOpsException error in new[] { value, key, environment })
        {
            Assert.True(error.Message.Length < 1000, $"{error.Message.Length} characters");
            Assert.Contains(new string('v', ConfigErrors.QuoteLength) + "… (", error.Message, StringComparison.Ordinal);
        }
        Assert.Contains("Cluster: expected an ECS cluster name", value.Message, StringComparison.Ordinal);
        Assert.Contains("characters)' is not an ECS service name", key.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thousands_of_problems_are_reported_by_the_first_ones()
    {
        string text = "@{\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"  Unknown{i} = 1\n")) + "}";

        MightyOpsException error = Fails(text);

        Assert.StartsWith($"The config file {FilePath} has 5000 problems:", error.Message, StringComparison.Ordinal);
        Assert.Contains("  2:3: Unknown0: unknown key.", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("... and 4970 more; fix these first.", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 10_000, $"{error.Message.Length} characters");
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        MightyOpsException error = Fails("@{\n  Region = 'nowhere'\n  Clustr = 'x'\n  Services = @{ q = @{ MaxCount = -2 } }\n}");
        string[] lines = error.Message.Split('\n');
        Assert.StartsWith("The config file /app/mighty.psd1 has 3 problems:", lines[0]);
        Assert.StartsWith("  2:12: Region:", lines[1]);
        Assert.StartsWith("  3:3: Clustr: unknown key.", lines[2]);
        Assert.StartsWith("  4:35: Services.q.MaxCount:", lines[3]);
    }
}
