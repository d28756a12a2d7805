using System.Diagnostics;
using MightyOps.Core.Exec;
using Xunit;

namespace MightyOps.Core.Tests.Exec;

/// <summary>The docker exec command lines: the marker that finds a command's processes, the script that ends them, NUL refused.</summary>
public sealed class DockerExecTests
{
    private const string RuntimeId = "0123456789abcdef0123";
    private const string ExecId = "00112233445566778899aabbccddeeff";

    [Fact]
    public void A_command_runs_under_its_marker_and_is_quoted_once()
    {
        Assert.Equal(
            $"docker exec {RuntimeId} env MIGHTYOPS_EXEC={ExecId} sh -c 'echo '\\''hi'\\'''",
            DockerExec.Command(RuntimeId, "echo 'hi'", ExecId));
    }

    [Theory]
    [InlineData("echo a\0b", 7)]
    [InlineData("\0", 1)]
    public void A_NUL_is_refused_before_anything_is_sent(string command, int position)
    {
        var e = Assert.Throws<MightyOpsException>(() => DockerExec.Command(RuntimeId, command, ExecId));
        Assert.Equal("InvalidCommand", e.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"NUL character at position {position}", e.Message, StringComparison.Ordinal);
        Assert.Throws<MightyOpsException>(() => DockerExec.Interactive(RuntimeId, command, "bash"));
    }

    [Fact]
    public void An_exec_id_is_what_NewExecId_makes()
    {
        Assert.Matches("^[0-9a-f]{32}$", DockerExec.NewExecId());
        Assert.Throws<ArgumentException>(() => DockerExec.Stop(RuntimeId, "x; rm -rf /"));
    }

    /// <summary>
    /// The stop script as the container's sh runs it, here against real processes of this
    /// machine: the marked command and its child end, an unmarked process is left alone.
    /// </summary>
    [Fact]
    public async Task The_stop_script_ends_the_marked_command_and_its_children_and_nothing_else()
    {
        string execId = DockerExec.NewExecId();
        int seconds = Random.Shared.Next(60_000, 69_999);
        using Process marked = Start("env", $"MIGHTYOPS_EXEC={execId}", "sh", "-c", $"sleep {seconds} & sleep {seconds + 1}");
        using Process bystander = Start("sleep", $"{seconds + 2}");
        try
        {
            await WaitForAsync(() => Sleeping(seconds + 1));
            // The command line from "sh -c" on, through a shell as the instance's login shell
            // would run it: what docker exec runs in the container.
            string line = DockerExec.Stop(RuntimeId, execId);
            using Process stop = Start("sh", "-c", line[line.IndexOf("sh -c ", StringComparison.Ordinal)..]);
            string said = await stop.StandardOutput.ReadToEndAsync();
            await stop.WaitForExitAsync();

            Assert.Equal(0, stop.ExitCode);
            Assert.Matches(@"^ended [23]$", said.Trim());   // sh, and the two sleeps unless sh exec'd the last
            Assert.False(Sleeping(seconds));
            Assert.False(Sleeping(seconds + 1));
            Assert.True(Sleeping(seconds + 2));
        }
        finally
        {
            bystander.Kill();
            if (!marked.HasExited)
            {
                marked.Kill(entireProcessTree: true);
            }
        }
    }

    private static bool Sleeping(int seconds) =>
        Directory.EnumerateDirectories("/proc").Any(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")) == $"sleep\0{seconds}\0";
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition());
    }

    private static Process Start(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info)!;
    }
}
