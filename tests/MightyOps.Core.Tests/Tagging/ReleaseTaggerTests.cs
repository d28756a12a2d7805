using MightyOps.Core.Tagging;
using Xunit;

namespace MightyOps.Core.Tests.Tagging;

/// <summary>The tagger against real git: temporary clones of a bare origin on disk.</summary>
public sealed class ReleaseTaggerTests : IDisposable
{
    private readonly GitSandbox _git = new();
    private readonly ReleaseTagger _tagger = new(NullOperationLog.Instance);

    public void Dispose() => _git.Dispose();

    [Fact]
    public async Task Someone_taking_the_number_between_plan_and_push_gets_the_next_one()
    {
        string mine = _git.Clone("mine");
        string theirs = _git.Clone("theirs");
        _git.Commit(mine, "mine");
        TagPlan plan = await _tagger.PlanAsync(new TagRequest { Path = mine }, null, CancellationToken.None);
        Assert.Equal("master.1", plan.Tag);

        // The other clone wins the race for master.1 after we planned.
        _git.Commit(theirs, "theirs");
        MightyTag winner = await _tagger.CreateAsync(await _tagger.PlanAsync(new TagRequest { Path = theirs }, null, CancellationToken.None), null, CancellationToken.None);
        Assert.Equal("master.1", winner.Tag);

        MightyTag tag = await _tagger.CreateAsync(plan, null, CancellationToken.None);
        Assert.Equal("master.2", tag.Tag);
        Assert.True(tag.Pushed);
        Assert.Equal(["master.2"], GitSandbox.Tags(mine));
        Assert.Equal(["master.1", "master.2"], GitSandbox.Tags(_git.Origin));
    }

    [Fact]
    public async Task A_remote_that_refuses_the_tag_leaves_no_local_tag()
    {
        string repo = _git.Clone("refused");
        _git.OriginHook("pre-receive", "#!/bin/sh\necho 'tags are frozen' >&2\nexit 1\n");

        TagPlan plan = await _tagger.PlanAsync(new TagRequest { Path = repo }, null, CancellationToken.None);
        var e = await Assert.ThrowsAsync<MightyOpsException>(() => _tagger.CreateAsync(plan, null, CancellationToken.None));
        Assert.Equal("TagPushRejected", e.ErrorId);
        Assert.Equal(MightyErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("hook declined", e.Message, StringComparison.Ordinal);
        Assert.Empty(GitSandbox.Tags(repo));
        Assert.Empty(GitSandbox.Tags(_git.Origin));
    }

    [Fact]
    public async Task Cancelling_during_the_push_kills_git_and_leaves_no_local_tag()
    {
        string repo = _git.Clone("cancelled");
        _git.OriginHook("pre-receive", "#!/bin/sh\nsleep 30\n");

        using var cts = new CancellationTokenSource();
        var pushing = new TaskCompletionSource();
        var progress = new InlineProgress(status =>
        {
            if (status.StartsWith("Pushing", StringComparison.Ordinal))
            {
                pushing.TrySetResult();
            }
        });
        TagPlan plan = await _tagger.PlanAsync(new TagRequest { Path = repo }, null, CancellationToken.None);
        Task<MightyTag> create = _tagger.CreateAsync(plan, progress, cts.Token);
        await pushing.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(300);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => create);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {clock.Elapsed}");
        Assert.Empty(GitSandbox.Tags(repo));
    }

    [Fact]
    public async Task An_identical_tag_object_pushed_by_another_run_does_not_count_as_ours()
    {
        // Two clones with the same identity tagging the same commit in the same second build the
        // same tag object; git push then reports "= [up to date]", and only one run owns the number.
        string a = _git.Clone("same-a");
        string b = _git.Clone("same-b");
        GitSandbox.Git(b, "config", "user.name", "Test same-a");
        GitSandbox.Git(b, "config", "user.email", "same-a@example.com");
        var tagger = new ReleaseTagger(NullOperationLog.Instance, clock: new FixedClock(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.FromHours(2))));
        TagPlan planA = await tagger.PlanAsync(new TagRequest { Path = a }, null, CancellationToken.None);
        TagPlan planB = await tagger.PlanAsync(new TagRequest { Path = b }, null, CancellationToken.None);

        Assert.Equal(planA.Tagger, planB.Tagger);
        Assert.Equal(planA.Commit, planB.Commit);

        MightyTag first = await tagger.CreateAsync(planA, null, CancellationToken.None);
        MightyTag second = await tagger.CreateAsync(planB, null, CancellationToken.None);
        Assert.Equal("master.1", first.Tag);
        Assert.Equal("master.2", second.Tag);
        Assert.Equal(["master.1", "master.2"], GitSandbox.Tags(_git.Origin));
        Assert.Equal(["master.2"], GitSandbox.Tags(b));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();

        public override TimeZoneInfo LocalTimeZone { get; } = TimeZoneInfo.CreateCustomTimeZone("test", now.Offset, "test", "test");
    }

    private sealed class InlineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
