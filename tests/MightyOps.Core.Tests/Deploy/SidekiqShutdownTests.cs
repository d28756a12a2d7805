using System.Text.Json;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>Sidekiq's shutdown timeout read from a command line, and the stopTimeout it needs (docs/design/load-balanced-deploys.md, "Sidekiq").</summary>
public sealed class SidekiqShutdownTests
{
    [Theory]
    [InlineData("bundle exec sidekiq -q mailers", 25)]
    [InlineData("bundle exec sidekiq -q mailers -t 60", 60)]
    [InlineData("bundle exec sidekiq -t60 -q a", 60)]
    [InlineData("bundle exec sidekiq --timeout 8", 8)]
    [InlineData("bundle exec sidekiq --timeout=40 -C config/sidekiq.yml", 40)]
    [InlineData("sh -c|bundle exec sidekiq -q default -t 45", 45)]
    [InlineData("/app/bin/sidekiq -c 5", 25)]
    [InlineData("bundle exec puma -C config/puma.rb -t 5:5", null)]
    [InlineData("bundle exec sidekiqmon", null)]
    public void Reads_the_shutdown_timeout(string command, int? expected) =>
        Assert.Equal(expected, SidekiqShutdown.Timeout(command.Split('|')));

    private static EcsContainerDefinition Container(string command, int? stopTimeout) => new()
    {
        Name = "sidekiq",
        Command = [.. command.Split(' ')],
        Other = stopTimeout is int s ? new Dictionary<string, JsonElement> { ["stopTimeout"] = JsonSerializer.SerializeToElement(s) } : null,
    };

    [Theory]
    [InlineData("bundle exec sidekiq -q mailers -t 60", 30, "mailers: container 'sidekiq' has stopTimeout 30 but Sidekiq's shutdown timeout is 60 s (-t 60): ECS kills the container 30 s after SIGTERM, while jobs may still run and before Sidekiq pushes them back. Set StopTimeout to at least 65 in mighty.psd1 (ECS allows up to 120), or lower -t.")]
    [InlineData("bundle exec sidekiq -q mailers", 20, "mailers: container 'sidekiq' has stopTimeout 20 but Sidekiq's default shutdown timeout is 25 s: ECS kills the container 20 s after SIGTERM, while jobs may still run and before Sidekiq pushes them back. Set StopTimeout to at least 30 in mighty.psd1 (ECS allows up to 120), or lower -t.")]
    [InlineData("bundle exec sidekiq -q mailers -t 30", null, "mailers: container 'sidekiq' has no stopTimeout (ECS waits 30 s) but Sidekiq's shutdown timeout is 30 s (-t 30): ECS kills the container 30 s after SIGTERM, while jobs may still run and before Sidekiq pushes them back. Set StopTimeout to at least 35 in mighty.psd1 (ECS allows up to 120), or lower -t.")]
    [InlineData("bundle exec sidekiq -q mailers", null, null)]
    [InlineData("bundle exec sidekiq -q mailers", 30, null)]
    [InlineData("bundle exec sidekiq -q mailers -t 60", 90, null)]
    [InlineData("bundle exec puma", 5, null)]
    public void Warns_when_stopTimeout_is_not_longer_than_the_shutdown_timeout(string command, int? stopTimeout, string? expected) =>
        Assert.Equal(expected is null ? [] : [expected], SidekiqShutdown.Warnings("mailers", [Container(command, stopTimeout)]).ToList());
}
