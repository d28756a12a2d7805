using System.Diagnostics;
using System.Text.Json;

namespace MightyOps.Core.Tests.Queues;

/// <summary>
/// The real Sidekiq (Debian ruby-sidekiq) as the reference: its client enqueues jobs, its API
/// reports sizes, latencies and busy jobs, and its server runs jobs that sleep.
/// </summary>
public static class SidekiqRuby
{
    // Loaded before each script: quiet logs, and the API classes.
    private const string Prelude = "require 'sidekiq'; require 'sidekiq/api'; require 'json'; Sidekiq.logger.level = Logger::WARN; ";

    /// <summary>
    /// Pushes jobs with Sidekiq::Client.push: <paramref name="jobs"/> maps queue to how many, each
    /// enqueued <paramref name="age"/> ago (Sidekiq stamps enqueued_at from Time.now, which the
    /// script moves back; everything else is Sidekiq's own code).
    /// </summary>
    public static Task PushAsync(string redisUrl, IReadOnlyDictionary<string, int> jobs, TimeSpan age, string jobClass = "HardJob", int sleepSeconds = 0)
    {
        string pushes = string.Join(" ", jobs.Select(j => $"{j.Value}.times {{ Sidekiq::Client.push('queue' => '{j.Key}', 'class' => '{jobClass}', 'args' => [{sleepSeconds}]) }};"));
        string clock = age > TimeSpan.Zero
            ? $"class << Time; alias_method :real_now, :now; def now = real_now - {age.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}; end; "
            : string.Empty;
        return RunAsync(redisUrl, clock + pushes);
    }

    /// <summary>Sidekiq's own numbers: queue name to size, latency in seconds, and busy jobs per queue (Sidekiq::Workers).</summary>
    public static async Task<Dictionary<string, (long Size, double Latency, int Busy)>> StatsAsync(string redisUrl)
    {
        string json = await RunAsync(redisUrl,
            "busy = Hash.new(0); Sidekiq::Workers.new.each { |_p, _t, w| busy[w['queue']] += 1 }; " +
            "puts JSON.dump(Sidekiq::Queue.all.to_h { |q| [q.name, [q.size, q.latency, busy[q.name]]] })");
        var result = new Dictionary<string, (long, double, int)>(StringComparer.Ordinal);
        foreach (JsonProperty queue in JsonDocument.Parse(json).RootElement.EnumerateObject())
        {
            JsonElement v = queue.Value;
            result[queue.Name] = (v[0].GetInt64(), v[1].GetDouble(), v[2].GetInt32());
        }
        return result;
    }

    /// <summary>Sidekiq::Workers.new.size: busy jobs across live processes, per their last heartbeat.</summary>
    public static async Task<int> BusyAsync(string redisUrl) =>
        int.Parse((await RunAsync(redisUrl, "puts Sidekiq::Workers.new.size")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<string> RunAsync(string redisUrl, string script, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("ruby") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Path.GetTempPath() };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(Prelude + script);
        start.Environment["REDIS_URL"] = redisUrl;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("ruby did not start.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ruby (Sidekiq) failed with exit code {process.ExitCode}: {await error}");
        }
        return output;
    }

    /// <summary>
    /// Starts a real Sidekiq server process working <paramref name="queues"/> with
    /// <paramref name="concurrency"/> threads; its only job class, SlowJob, sleeps for its argument.
    /// </summary>
    public static SidekiqServer StartServer(string redisUrl, int concurrency, params string[] queues)
    {
        string directory = Path.Combine(Path.GetTempPath(), "mightyops-sidekiq-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "worker.rb"), """
            require "sidekiq"
            class SlowJob
              include Sidekiq::Worker
              def perform(seconds) = sleep(seconds)
            end
            """);
        var start = new ProcessStartInfo("sidekiq") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (string argument in (string[])["-r", "./worker.rb", "-c", concurrency.ToString(), "-t", "1", .. queues.SelectMany(q => new[] { "-q", q })])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["REDIS_URL"] = redisUrl;
        Process process = Process.Start(start) ?? throw new InvalidOperationException("sidekiq did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SidekiqServer(process, directory);
    }
}

/// <summary>A running <c>sidekiq</c> process; disposing stops it.</summary>
public sealed class SidekiqServer(Process process, string directory) : IAsyncDisposable
{
    public bool HasExited => process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
