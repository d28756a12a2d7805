using System.Globalization;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Logs;

/// <summary>
/// What a simulated container prints: a Rails app under Puma, a Sidekiq worker or an nginx proxy,
/// told apart by the container's command and image. Boot lines when it starts, a request or job
/// every <see cref="Interval"/> while it runs, and on exit either a graceful shutdown or, for an
/// image marked failing, its crash: the image's own message with a Ruby backtrace.
/// </summary>
internal abstract class ContainerOutput
{
    private const string Gems = "/usr/local/bundle/ruby/3.3.0/gems";

    protected ContainerOutput(string crashMessage)
    {
        CrashMessage = crashMessage;
    }

    /// <summary>How often the container writes a periodic line (simulated time).</summary>
    public virtual TimeSpan Interval => TimeSpan.FromSeconds(10);

    /// <summary>The message of the exception the container dies of, when its image is marked failing.</summary>
    protected string CrashMessage { get; }

    /// <summary>The output of a container: the one-off command's when it runs one, else what its image and command make it.</summary>
    public static ContainerOutput For(EcsContainerDefinition definition, SandboxImage? image, Ecs.ContainerProgram? program = null)
    {
        string crash = image?.CrashMessage ?? SandboxImage.DefaultCrashMessage;
        if (program is not null)
        {
            return new CommandOutput(program, crash);
        }
        string command = string.Join(' ', (definition.EntryPoint ?? []).Concat(definition.Command ?? []));
        if (command.Contains("sidekiq", StringComparison.Ordinal))
        {
            return new SidekiqOutput(crash);
        }
        if ((definition.Image ?? string.Empty).Contains("nginx", StringComparison.Ordinal))
        {
            return new NginxOutput(crash);
        }
        return new PumaOutput(crash);
    }

    public abstract IEnumerable<(TimeSpan Offset, string Line)> Boot(DateTimeOffset at);

    public abstract IEnumerable<(TimeSpan Offset, string Line)> Periodic(DateTimeOffset at, int count);

    public abstract IEnumerable<(TimeSpan Offset, string Line)> Shutdown(DateTimeOffset at);

    /// <summary>An uncaught exception as Ruby prints it: the message on the first line, then the backtrace.</summary>
    public virtual IEnumerable<(TimeSpan Offset, string Line)> Crash(DateTimeOffset at)
    {
        string[] backtrace =
        [
            $"{Gems}/activesupport-7.1.3/lib/active_support/lazy_load_hooks.rb:94:in `block in execute_hook'",
            $"{Gems}/activesupport-7.1.3/lib/active_support/lazy_load_hooks.rb:87:in `with_execution_control'",
            $"{Gems}/railties-7.1.3/lib/rails/initializable.rb:32:in `instance_exec'",
            $"{Gems}/railties-7.1.3/lib/rails/initializable.rb:32:in `run'",
            $"{Gems}/railties-7.1.3/lib/rails/initializable.rb:61:in `block in run_initializers'",
            $"{Gems}/railties-7.1.3/lib/rails/application.rb:426:in `initialize!'",
            "/app/config/environment.rb:5:in `<main>'",
            $"{Gems}/bootsnap-1.17.0/lib/bootsnap/load_path_cache/core_ext/kernel_require.rb:30:in `require'",
            "/app/config.ru:3:in `block in <main>'",
        ];
        yield return (TimeSpan.FromMilliseconds(900), $"/app/config/initializers/boot_checks.rb:12:in `<main>': {CrashMessage}");
        for (int i = 0; i < backtrace.Length; i++)
        {
            yield return (TimeSpan.FromMilliseconds(900), "\tfrom " + backtrace[i]);
        }
    }

    protected static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    protected static string Hex(int seed, int length) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed)))[..length].ToLowerInvariant();

    private sealed class PumaOutput(string crash) : ContainerOutput(crash)
    {
        private static readonly string[] Paths = ["/api/v1/projects", "/api/v1/users/me", "/health", "/api/v1/reports", "/"];

        public override IEnumerable<(TimeSpan, string)> Boot(DateTimeOffset at)
        {
            string[] lines =
            [
                "=> Booting Puma",
                "=> Rails 7.1.3 application starting in production ",
                "=> Run `bin/rails server --help` for more startup options",
                "Puma starting in single mode...",
                "* Puma version: 6.4.2 (ruby 3.3.0-p0) (\"The Eagle of Durango\")",
                "*  Min threads: 5",
                "*  Max threads: 5",
                "*  Environment: production",
                "*          PID: 1",
                "* Listening on http://0.0.0.0:3000",
                "Use Ctrl-C to stop",
            ];
            for (int i = 0; i < lines.Length; i++)
            {
                yield return (TimeSpan.FromMilliseconds(i < 3 ? 0 : 2400 + (i * 5)), lines[i]);
            }
        }

        public override IEnumerable<(TimeSpan, string)> Periodic(DateTimeOffset at, int count)
        {
            string id = $"{Hex(count, 8)}-{Hex(count + 7919, 4)}";
            string path = Paths[count % Paths.Length] + (count % Paths.Length == 0 ? $"/{40 + (count % 13)}" : string.Empty);
            int status = count % 9 == 4 ? 404 : 200;
            string stamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            yield return (TimeSpan.Zero, $"I, [{stamp} #1]  INFO -- : [{id}] Started GET \"{path}\" for 10.0.1.{20 + (count % 30)} at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} +0000");
            yield return (TimeSpan.FromMilliseconds(12 + (count % 40)), $"I, [{stamp} #1]  INFO -- : [{id}] Completed {status} {(status == 200 ? "OK" : "Not Found")} in {12 + (count % 40)}ms (Views: {3 + (count % 5)}.1ms | ActiveRecord: {2 + (count % 7)}.4ms | Allocations: {1800 + (count * 37 % 900)})");
        }

        public override IEnumerable<(TimeSpan, string)> Shutdown(DateTimeOffset at)
        {
            yield return (TimeSpan.Zero, "- Gracefully stopping, waiting for requests to finish");
            yield return (TimeSpan.FromMilliseconds(300), $"=== puma shutdown: {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} +0000 ===");
            yield return (TimeSpan.FromMilliseconds(300), "- Goodbye!");
        }

        public override IEnumerable<(TimeSpan, string)> Crash(DateTimeOffset at)
        {
            yield return (TimeSpan.Zero, "=> Booting Puma");
            yield return (TimeSpan.Zero, "=> Rails 7.1.3 application starting in production ");
            yield return (TimeSpan.Zero, "=> Run `bin/rails server --help` for more startup options");
            yield return (TimeSpan.FromMilliseconds(800), "Exiting");
            foreach ((TimeSpan, string) line in base.Crash(at))
            {
                yield return line;
            }
        }
    }

    private sealed class SidekiqOutput(string crash) : ContainerOutput(crash)
    {
        private static readonly string[] Workers = ["ImportWorker", "ScrapeWorker", "MailerWorker", "ReportWorker"];

        public override TimeSpan Interval => TimeSpan.FromSeconds(15);

        public override IEnumerable<(TimeSpan, string)> Boot(DateTimeOffset at)
        {
            string p = $"pid=1 tid={Hex(1, 4)}";
            yield return (TimeSpan.Zero, $"{Iso(at)} {p} INFO: Booting Sidekiq 6.5.12 with Sidekiq::RedisConnection::RedisAdapter options {{:url=>\"redis://sidekiq.internal:6379/0\"}}");
            yield return (TimeSpan.FromMilliseconds(2100), $"{Iso(at.AddMilliseconds(2100))} {p} INFO: Booted Rails 7.1.3 application in production environment");
            yield return (TimeSpan.FromMilliseconds(2100), $"{Iso(at.AddMilliseconds(2100))} {p} INFO: Running in ruby 3.3.0 (2023-12-25 revision 5124f9ac75) [x86_64-linux]");
            yield return (TimeSpan.FromMilliseconds(2101), $"{Iso(at.AddMilliseconds(2101))} {p} INFO: See LICENSE and the LGPL-3.0 for licensing details.");
            yield return (TimeSpan.FromMilliseconds(2102), $"{Iso(at.AddMilliseconds(2102))} {p} INFO: Starting processing, hit Ctrl-C to stop");
        }

        public override IEnumerable<(TimeSpan, string)> Periodic(DateTimeOffset at, int count)
        {
            string job = $"pid=1 tid={Hex(count % 10, 4)} class={Workers[count % Workers.Length]} jid={Hex(count, 24)}";
            int ms = 180 + (count * 53 % 2400);
            yield return (TimeSpan.Zero, $"{Iso(at)} {job} INFO: start");
            yield return (TimeSpan.FromMilliseconds(ms), $"{Iso(at.AddMilliseconds(ms))} {job} elapsed={ms / 1000.0:0.000} INFO: done");
        }

        public override IEnumerable<(TimeSpan, string)> Shutdown(DateTimeOffset at)
        {
            string p = $"pid=1 tid={Hex(1, 4)}";
            yield return (TimeSpan.Zero, $"{Iso(at)} {p} INFO: Shutting down");
            yield return (TimeSpan.FromMilliseconds(5), $"{Iso(at.AddMilliseconds(5))} {p} INFO: Terminating quiet threads");
            yield return (TimeSpan.FromMilliseconds(900), $"{Iso(at.AddMilliseconds(900))} {p} INFO: Bye!");
        }
    }

    private sealed class NginxOutput(string crash) : ContainerOutput(crash)
    {
        public override IEnumerable<(TimeSpan, string)> Boot(DateTimeOffset at)
        {
            yield return (TimeSpan.Zero, "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
            yield return (TimeSpan.Zero, "/docker-entrypoint.sh: Configuration complete; ready for start up");
            yield return (TimeSpan.FromMilliseconds(40), $"{at.UtcDateTime:yyyy/MM/dd HH:mm:ss} [notice] 1#1: nginx/1.25.3");
            yield return (TimeSpan.FromMilliseconds(41), $"{at.UtcDateTime:yyyy/MM/dd HH:mm:ss} [notice] 1#1: start worker processes");
        }

        public override IEnumerable<(TimeSpan, string)> Periodic(DateTimeOffset at, int count)
        {
            string when = at.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture);
            yield return (TimeSpan.Zero, $"10.0.1.{20 + (count % 30)} - - [{when} +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"ELB-HealthChecker/2.0\"");
        }

        public override IEnumerable<(TimeSpan, string)> Shutdown(DateTimeOffset at)
        {
            yield return (TimeSpan.Zero, $"{at.UtcDateTime:yyyy/MM/dd HH:mm:ss} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down");
            yield return (TimeSpan.FromMilliseconds(20), $"{at.UtcDateTime:yyyy/MM/dd HH:mm:ss} [notice] 1#1: exit");
        }

        public override IEnumerable<(TimeSpan, string)> Crash(DateTimeOffset at)
        {
            yield return (TimeSpan.Zero, $"{at.UtcDateTime:yyyy/MM/dd HH:mm:ss} [emerg] 1#1: {CrashMessage}");
        }
    }
}
