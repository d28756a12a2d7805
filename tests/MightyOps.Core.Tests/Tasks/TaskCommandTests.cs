using System.Diagnostics;
using MightyOps.Core.Tasks;
using Xunit;

namespace MightyOps.Core.Tests.Tasks;

/// <summary>A one-off task's command: a string through sh -c, quoted once; a string array word for word (docs/design/one-off-tasks.md, "The command").</summary>
public sealed class TaskCommandTests
{
    [Fact]
    public void A_string_is_one_argument_to_sh_c_exactly_as_typed()
    {
        const string text = """bin/rails runner 'puts "it''s $HOME"' && echo done; exit 3""";
        TaskCommand command = TaskCommand.Shell(text);
        Assert.Equal(["sh", "-c", text], command.Words);
        Assert.True(command.IsShell);
        Assert.Equal(text, command.Text);
    }

    [Fact]
    public void A_string_array_is_passed_word_for_word_without_a_shell()
    {
        TaskCommand command = TaskCommand.Exec(["bin/rails", "runner", "puts 1; exit 2", "$HOME", ""]);
        Assert.Equal(["bin/rails", "runner", "puts 1; exit 2", "$HOME", ""], command.Words);
        Assert.False(command.IsShell);
        Assert.Equal("bin/rails runner 'puts 1; exit 2' '$HOME' ''", command.Text);
    }

    [Theory]
    [InlineData("db:migrate", "db:migrate")]
    [InlineData("RAILS_ENV=production", "RAILS_ENV=production")]
    [InlineData("two  words", "'two  words'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$HOME", "'$HOME'")]
    [InlineData("a;b|c", "'a;b|c'")]
    [InlineData("", "''")]
    public void Quote_writes_a_word_so_sh_reads_it_back(string word, string quoted)
    {
        Assert.Equal(quoted, TaskCommand.Quote(word));
    }

    [Theory]
    [InlineData("two  words")]
    [InlineData("it's \"quoted\" $HOME `x` \\ ; | & > < * ? ~ # ! \n new line")]
    [InlineData("'")]
    public void What_Quote_writes_the_real_sh_reads_back_as_the_same_word(string word)
    {
        // printf '%s' <quoted> prints exactly the word when sh reads the quoting once.
        using var sh = Process.Start(new ProcessStartInfo("sh", ["-c", "printf '%s' " + TaskCommand.Quote(word)]) { RedirectStandardOutput = true })!;
        string output = sh.StandardOutput.ReadToEnd();
        sh.WaitForExit();
        Assert.Equal(word, output);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("echo \0")]
    public void An_empty_command_or_a_NUL_is_TaskCommandInvalid(string text)
    {
        MightyOpsException error = Assert.Throws<MightyOpsException>(() => TaskCommand.Shell(text));
        Assert.True(error.Is(TasksErrorIds.TaskCommandInvalid));
    }

    [Fact]
    public void An_empty_array_or_an_empty_program_is_TaskCommandInvalid()
    {
        Assert.True(Assert.Throws<MightyOpsException>(() => TaskCommand.Exec([])).Is(TasksErrorIds.TaskCommandInvalid));
        Assert.True(Assert.Throws<MightyOpsException>(() => TaskCommand.Exec(["", "x"])).Is(TasksErrorIds.TaskCommandInvalid));
        Assert.True(Assert.Throws<MightyOpsException>(() => TaskCommand.Exec(["echo", "a\0b"])).Is(TasksErrorIds.TaskCommandInvalid));
    }
}
