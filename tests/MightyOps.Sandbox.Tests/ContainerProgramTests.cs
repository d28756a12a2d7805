using MightyOps.Sandbox.Ecs;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>What a one-off command does in the sandbox, one row per command (docs/design/one-off-tasks.md).</summary>
public sealed class ContainerProgramTests
{
    public static TheoryData<string[], double, int, string[], bool> Commands => new()
    {
        // command words                                   seconds exit  lines printed (first, last)                           loads Rails
        { ["sh", "-c", "bin/rails db:migrate"],             2.8,    0, ["== 20261128093012 AddIndexToOrdersCreatedAt: migrating", "== 20261201114530 CreateInvoiceReminders: migrated (0.0215s)"], true },
        { ["bundle", "exec", "rake", "db:migrate"],         2.8,    0, ["== 20261128093012", "== 20261201114530"],                                                true },
        { ["sh", "-c", "exit 3"],                           0.05,   3, [],                                                                                       false },
        { ["sh", "-c", "bin/rails db:migrate && exit 7"],   2.8,    7, ["== 20261128093012", "== 20261201114530"],                                                true },
        { ["sh", "-c", "sleep 3600"],                       3600,   0, [],                                                                                       false },
        { ["sleep", "90"],                                  90,     0, [],                                                                                       false },
        { ["sh", "-c", "echo 'one two'; sleep 2; echo three"], 2.1, 0, ["one two", "three"],                                                                   false },
        { ["sh", "-c", "./bin/cleanup --dry-run"],          0.05,   0, ["./bin/cleanup --dry-run", "./bin/cleanup --dry-run"],                                  false },
        { ["bin/rails", "runner", "puts User.count"],       2,      0, ["bin/rails runner puts User.count", "bin/rails runner puts User.count"],               true },
        { ["sh", "-c", "exit 300"],                         0.05,   44, [],                                                                                      false },
        { ["sh", "-c", "true\nexit"],                       0.05,   0, [],                                                                                       false },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_command_runs_for_its_time_prints_its_lines_and_exits_with_its_code(string[] command, double seconds, int exitCode, string[] lines, bool loadsRails)
    {
        ContainerProgram program = ContainerProgram.For(command)!;

        Assert.Equal(seconds, program.RunsFor.TotalSeconds, precision: 3);
        Assert.Equal(exitCode, program.ExitCode);
        Assert.Equal(loadsRails, program.BootsApplication);
        if (lines.Length == 0)
        {
            Assert.Empty(program.Output);
            return;
        }
        Assert.StartsWith(lines[0], program.Output[0].Line, StringComparison.Ordinal);
        Assert.StartsWith(lines[^1], program.Output[^1].Line, StringComparison.Ordinal);
        Assert.True(program.Output.All(o => o.At <= program.RunsFor), "every line is printed before the command ends");
    }

    [Fact]
    public void Without_an_override_the_image_runs_its_own_command()
    {
        Assert.Null(ContainerProgram.For(null));
    }
}
