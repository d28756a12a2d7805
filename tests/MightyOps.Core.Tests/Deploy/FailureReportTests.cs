using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;
using MightyOps.Core.Logs;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>The pieces of a failed deploy's report on their own (docs/design/deploy.md, "The failure report").</summary>
public sealed class FailureReportTests
{
    private static readonly string[] RubyCrash =
    [
        "=> Booting Puma",
        "Exiting",
        "/app/config/initializers/boot_checks.rb:12:in `<main>': KeyError: key not found: \"STRIPE_SECRET\"",
        "\tfrom /usr/local/bundle/ruby/3.3.0/gems/activesupport-7.1.3/lib/active_support/lazy_load_hooks.rb:94:in `block in execute_hook'",
        "\tfrom /usr/local/bundle/ruby/3.3.0/gems/activesupport-7.1.3/lib/active_support/lazy_load_hooks.rb:87:in `with_execution_control'",
        "\tfrom /usr/local/bundle/ruby/3.3.0/gems/railties-7.1.3/lib/rails/initializable.rb:32:in `instance_exec'",
        "\tfrom /usr/local/bundle/ruby/3.3.0/gems/railties-7.1.3/lib/rails/initializable.rb:32:in `run'",
        "\tfrom /usr/local/bundle/ruby/3.3.0/gems/railties-7.1.3/lib/rails/application.rb:426:in `initialize!'",
        "\tfrom /app/config/environment.rb:5:in `<main>'",
        "\tfrom /usr/local/bundle/ruby/3.3.0/gems/bootsnap-1.17.0/lib/bootsnap/load_path_cache/core_ext/kernel_require.rb:30:in `require'",
        "\tfrom /app/config.ru:3:in `block in <main>'",
    ];

    [Theory]
    [InlineData("\tfrom x", "    from x")]
    [InlineData("a\tb", "a   b")]
    [InlineData("abcd\te", "abcd    e")]
    [InlineData("no tabs", "no tabs")]
    public void Tabs_expand_to_stops_of_four(string line, string expected) => Assert.Equal(expected, CrashOutput.ExpandTabs(line));

    [Fact]
    public void A_backtrace_keeps_the_applications_frames_and_folds_the_libraries()
    {
        Assert.Equal(
        [
            "=> Booting Puma",
            "Exiting",
            "/app/config/initializers/boot_checks.rb:12:in `<main>': KeyError: key not found: \"STRIPE_SECRET\"",
            "    … 5 more lines",
            "    from /app/config/environment.rb:5:in `<main>'",
            "    from /usr/local/bundle/ruby/3.3.0/gems/bootsnap-1.17.0/lib/bootsnap/load_path_cache/core_ext/kernel_require.rb:30:in `require'",
            "    from /app/config.ru:3:in `block in <main>'",
        ], CrashOutput.Excerpt(RubyCrash));
    }

    [Fact]
    public void A_backtrace_without_library_paths_keeps_its_first_three_frames_and_its_last()
    {
        string[] java = ["Exception in thread \"main\" java.lang.IllegalStateException: boom", .. Enumerable.Range(1, 9).Select(i => $"\tat com.example.Frame{i}.run(Frame{i}.java:{i})")];
        Assert.Equal(
        [
            java[0],
            "    at com.example.Frame1.run(Frame1.java:1)",
            "    at com.example.Frame2.run(Frame2.java:2)",
            "    at com.example.Frame3.run(Frame3.java:3)",
            "    … 5 more lines",
            "    at com.example.Frame9.run(Frame9.java:9)",
        ], CrashOutput.Excerpt(java));
    }

    [Fact]
    public void Short_runs_and_control_characters()
    {
        Assert.Equal(["boom\u241b[2J", "  at a", "  at b"], CrashOutput.Excerpt(["boom\u001b[2J", "  at a", "  at b  "]));
    }

    [Fact]
    public void Tasks_that_crashed_the_same_way_are_told_once()
    {
        // The same lines apart from numbers and ids (a time, a process id, the task's own id).
        CrashOutput.Crash Crash(string id, int pid) => new(id, "application", 1, "/mighty/API", $"application/application/{id}",
            [$"I, [2026-12-07T16:0{pid}:00 #{pid}] booting task {id}", .. RubyCrash]);
        string text = CrashOutput.Describe([Crash("8085f698591608fab9acb5d0da9b92b2", 1), Crash("8a705e0647497d916c2c5064fe899dc7", 2), Crash("0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", 3)]);

        Assert.StartsWith("\n3 tasks crashed the same way. Last 12 lines of application in task 8085f698 (exit code 1, log group /mighty/API):\n", text, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "KeyError"));
        Assert.DoesNotContain("\t", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_crash_is_shown_by_its_last_lines()
    {
        var same = new CrashOutput.Crash("aaaaaaaa11111111", "application", 1, "/g", "s1", RubyCrash);
        var other = new CrashOutput.Crash("bbbbbbbb22222222", "sidekiq", 2, "/g", "s2", ["one", "two", "three", "Redis::CannotConnectError"]);
        string text = CrashOutput.Describe([same, same with { TaskId = "cccccccc33333333" }, other]);
        Assert.Contains("\n2 tasks crashed the same way. Last 11 lines of application in task aaaaaaaa", text, StringComparison.Ordinal);
        Assert.EndsWith("\nLast 3 lines of sidekiq in task bbbbbbbb (exit code 2, log group /g):\n  two\n  three\n  Redis::CannotConnectError", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "Essential container in task exited", "Essential container in task exited" }, "2 tasks of this deployment stopped: Essential container in task exited (application exit code 1).")]
    [InlineData(new[] { "Essential container in task exited" }, "1 task of this deployment stopped: Essential container in task exited (application exit code 1).")]
    [InlineData(new[] { "Essential container in task exited", "Essential container in task exited", "Task failed ELB health checks" },
        "3 tasks of this deployment stopped: 2× Essential container in task exited (application exit code 1); 1× Task failed ELB health checks (application exit code 1).")]
    public void Stopped_tasks_say_each_reason_once(string[] reasons, string expected)
    {
        // The container's reason repeats the task's, as ECS reports an essential container's exit.
        var tasks = reasons.Select(r => new EcsTask
        {
            StoppedReason = r,
            Containers = [new EcsContainer { Name = "application", ExitCode = 1, Reason = r }],
        }).ToList();
        Assert.Equal(expected, RolloutWatcher.StoppedTasks(tasks));
    }

    [Fact]
    public void A_container_reason_that_adds_something_is_kept()
    {
        var task = new EcsTask { StoppedReason = "Essential container in task exited", Containers = [new EcsContainer { Name = "application", ExitCode = 137, Reason = "OutOfMemoryError: Container killed due to memory usage" }] };
        Assert.Equal("1 task of this deployment stopped: Essential container in task exited (application exit code 137: OutOfMemoryError: Container killed due to memory usage).", RolloutWatcher.StoppedTasks([task]));
    }
}
