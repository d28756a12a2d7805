using MightyOps.Core.Tagging;
using Xunit;

namespace MightyOps.Core.Tests.Tagging;

public sealed class GitCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mighty-gitcli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Git_runs_in_english_without_prompts()
    {
        var git = new GitCli(_folder, NullOperationLog.Instance);
        GitResult result = await git.RunAsync(["-c", "alias.env=!env", "env"], CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        Assert.Contains("LC_ALL=C\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("GIT_TERMINAL_PROMPT=0\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_reach_git_as_given_without_a_shell()
    {
        var git = new GitCli(_folder, NullOperationLog.Instance);
        string odd = "it's $HOME; `rm -rf /` \"quoted\"\nsecond line";
        GitResult result = await git.RunAsync(["-c", "alias.echo=!printf '%s' ", "echo", odd], CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(odd, result.Output);
    }

    [Fact]
    public async Task Failures_carry_gits_complaint()
    {
        var git = new GitCli(_folder, NullOperationLog.Instance);
        var e = await Assert.ThrowsAsync<MightyOpsException>(() => git.OutputAsync(["rev-parse", "--absolute-git-dir"], CancellationToken.None));
        Assert.Equal("GitFailed", e.ErrorId);
        Assert.Contains("not a git repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_git_is_reported_as_such()
    {
        var git = new GitCli(_folder, NullOperationLog.Instance, "git-that-is-not-installed");
        var e = await Assert.ThrowsAsync<MightyOpsException>(() => git.RunAsync(["version"], CancellationToken.None));
        Assert.Equal("GitNotFound", e.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Cancelling_kills_git_and_what_it_started()
    {
        var git = new GitCli(_folder, NullOperationLog.Instance);
        string marker = Path.Combine(_folder, "still-running");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => git.RunAsync(["-c", $"alias.slow=!sleep 6; touch '{marker}'", "slow"], cts.Token));
        // Back well before the 6 s sleep ends (loose: a loaded machine starts and kills processes slowly),
        // and the marker is still absent once the sleep would have ended.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        TimeSpan rest = TimeSpan.FromSeconds(6.5) - clock.Elapsed;
        await Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero);
        Assert.False(File.Exists(marker), "the child of git outlived the cancellation");
    }

    [Fact]
    public void The_display_form_quotes_what_a_shell_would_need()
    {
        Assert.Equal("git tag --annotate --message 'Release master.5' master.5", GitCli.Display(["tag", "--annotate", "--message", "Release master.5", "master.5"]));
        Assert.Equal(@"git commit -m 'it'\''s\nfine'", GitCli.Display(["commit", "-m", "it's\nfine"]));
    }
}
