using MightyOps.Core.Exec;
using Xunit;

namespace MightyOps.Core.Tests.Exec;

/// <summary>
/// The docker exec command lines as the instance's login shell reads them (docs/design/exec.md,
/// "The command line"): each word quoted once, the expected text beside it, and the real shells
/// (dash as sh, and bash, the ECS-optimized AMIs' login shell) asked to split the line back into
/// the words docker is given. Then how docker's own failures are told from the command's.
/// </summary>
public sealed class DockerExecQuotingTests
{
    private const string RuntimeId = "4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

    /// <summary>The word, and how it is written on the command line.</summary>
    public static TheoryData<string, string> Words => new()
    {
        { "ls", "ls" },                                              // nothing a shell reads specially: as it is
        { "/usr/local/bin/rake", "/usr/local/bin/rake" },
        { "RAILS_ENV=production", "RAILS_ENV=production" },
        { "a@b%c+d=e:f,g.h/i_j-k", "a@b%c+d=e:f,g.h/i_j-k" },         // the whole safe set
        { "-n", "-n" },
        { "", "''" },                                                // an empty word stays a word
        { "a b", "'a b'" },
        { "it's", "'it'\\''s'" },                                    // ' closes, \' is the quote, ' reopens
        { "'", "''\\'''" },
        { "''", "''\\'''\\'''" },
        { "$HOME", "'$HOME'" },                                      // no expansion on the instance
        { "`id`", "'`id`'" },
        { "$(id)", "'$(id)'" },
        { "a;b", "'a;b'" },
        { "a&&b||c", "'a&&b||c'" },
        { "x > /tmp/y", "'x > /tmp/y'" },
        { "*", "'*'" },                                              // no globbing on the instance
        { "~", "'~'" },
        { "\\", "'\\'" },                                            // a backslash is plain inside single quotes
        { "\"", "'\"'" },
        { "tab\there", "'tab\there'" },
        { "line 1\nline 2", "'line 1\nline 2'" },
        { "ls\n", "'ls\n'" },                                        // a trailing newline is part of the word
        { "ünïcode", "'ünïcode'" },
        { "!event", "'!event'" },                                    // history expansion is off in bash -c, quoted anyway
        { "echo 'a' \"$b\" `c` \\d", "'echo '\\''a'\\'' \"$b\" `c` \\d'" },
    };

    [Theory]
    [MemberData(nameof(Words))]
    public void A_word_is_quoted_only_when_a_shell_would_read_it_differently(string word, string quoted)
    {
        Assert.Equal(quoted, DockerExec.Quote(word));
    }

    public static TheoryData<string> JustTheWords => [.. Words.Select(row => (string)row[0])];

    [Theory]
    [MemberData(nameof(JustTheWords))]
    public async Task The_login_shells_read_the_quoted_word_back_unchanged(string word)
    {
        foreach (string shell in Shells)
        {
            Assert.Equal([word], await SplitAsync(shell, DockerExec.Quote(word)));
        }
    }

    /// <summary>The whole line, as the login shell splits it into docker's arguments.</summary>
    public static TheoryData<string, string[]> Lines => new()
    {
        {
            DockerExec.Interactive(RuntimeId, null, "bash"),
            ["docker", "exec", "-it", RuntimeId, "bash"]
        },
        {
            DockerExec.Interactive(RuntimeId, null, "/bin/my shell"),
            ["docker", "exec", "-it", RuntimeId, "/bin/my shell"]
        },
        {
            DockerExec.Interactive(RuntimeId, "bundle exec rails c", "bash"),
            ["docker", "exec", "-it", RuntimeId, "sh", "-c", "bundle exec rails c"]
        },
        {
            DockerExec.Interactive(RuntimeId, "echo 'it''s' \"$HOME\" > /tmp/x; exit 3", "sh"),
            ["docker", "exec", "-it", RuntimeId, "sh", "-c", "echo 'it''s' \"$HOME\" > /tmp/x; exit 3"]
        },
        {
            DockerExec.FindBash(RuntimeId),
            ["docker", "exec", RuntimeId, "sh", "-c", "command -v bash"]
        },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task The_login_shells_give_docker_exactly_these_arguments(string line, string[] arguments)
    {
        foreach (string shell in Shells)
        {
            Assert.Equal(arguments, await SplitAsync(shell, line));
        }
    }

    [Theory]
    [InlineData("0123456789ab", true)]                          // the shortest id docker takes
    [InlineData(RuntimeId, true)]                               // the 64 hex digits ECS reports on EC2
    [InlineData("0123456789a", false)]                          // too short
    [InlineData(RuntimeId + "0", false)]                        // too long
    [InlineData("0123456789AB", false)]                         // docker ids are lower case
    [InlineData("web-application", false)]                      // a container name: never sent
    [InlineData("abc123-1", false)]                             // a Fargate runtime id (<task id>-<number>)
    [InlineData("0123456789ab; rm -rf /", false)]
    [InlineData("0123456789ab\n", false)]
    public void Only_a_hex_runtime_id_is_put_on_the_line(string runtimeId, bool sent)
    {
        if (sent)
        {
            Assert.StartsWith($"docker exec -it {runtimeId} ", DockerExec.Interactive(runtimeId, null, "sh"), StringComparison.Ordinal);
            return;
        }
        MightyOpsException e = Assert.Throws<MightyOpsException>(() => DockerExec.Interactive(runtimeId, null, "sh"));
        Assert.Equal(("InvalidRuntimeId", MightyErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Throws<MightyOpsException>(() => DockerExec.FindBash(runtimeId));
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddeeff", true)]
    [InlineData("00112233445566778899aabbccddeeff\n", false)]       // a newline would end the command on the instance
    [InlineData("00112233445566778899AABBCCDDEEFF", false)]
    [InlineData("x; rm -rf /", false)]
    public void Only_an_exec_id_of_32_hex_digits_is_put_on_the_line(string execId, bool sent)
    {
        if (sent)
        {
            Assert.Contains($"MIGHTYOPS_EXEC={execId}", DockerExec.Command(RuntimeId, "true", execId), StringComparison.Ordinal);
            return;
        }
        Assert.Throws<ArgumentException>(() => DockerExec.Command(RuntimeId, "true", execId));
        Assert.Throws<ArgumentException>(() => DockerExec.Stop(RuntimeId, execId));
    }

    /// <summary>What docker, the login shell and the daemon print when docker itself fails, and what it means (null: the command's own failure).</summary>
    [Theory]
    [InlineData(127, "bash: docker: command not found\n", "DockerNotFound")]                 // bash as login shell
    [InlineData(127, "sh: 1: docker: not found\n", "DockerNotFound")]                          // dash
    [InlineData(127, "bash: line 1: docker: command not found\n", "DockerNotFound")]
    [InlineData(1, "bash: docker: command not found\n", null)]                                 // not docker's exit code for it
    [InlineData(127, "sh: 1: rake: not found\n", null)]                                        // the container lacks the program
    [InlineData(127, "OCI runtime exec failed: exec failed: unable to start container process: exec: \"rake\": executable file not found in $PATH: unknown\n", null)]
    [InlineData(1, "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json\": dial unix /var/run/docker.sock: connect: permission denied\n", "DockerPermissionDenied")]
    [InlineData(1, "Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n", "DockerPermissionDenied")]
    [InlineData(1, "Error response from daemon: No such container: 4f1c2b3a9d8e\n", "ContainerNotRunning")]
    [InlineData(1, "Error response from daemon: Container 4f1c2b3a9d8e7f6a is not running\n", "ContainerNotRunning")]
    [InlineData(1, "Error response from daemon: container 4f1c2b3a9d8e is paused, unpause the container before exec\n", null)]
    [InlineData(2, "ls: cannot access '/nope': No such file or directory\n", null)]
    [InlineData(0, "", null)]
    public void Docker_failures_are_told_from_the_commands_own(int exitCode, string error, string? errorId)
    {
        var target = new ContainerTarget(
            new MightyTask { Cluster = "production", Service = "WEB", TaskId = "0f2a9c7e5b3d4e1f8a6b2c9d0e7f1a3b" },
            new MightyTaskContainer { Name = "application", RuntimeId = RuntimeId, LastStatus = "RUNNING" });
        MightyOpsException? failure = DockerExec.Failure(new RemoteResult(exitCode, string.Empty, error, TimeSpan.Zero), target, new SshHost("ec2-user", "10.0.1.20", 22));
        Assert.Equal(errorId, failure?.ErrorId);
        if (failure is not null)
        {
            // The reason is quoted one line, made visible, in the sentence.
            Assert.DoesNotContain('\n', failure.Message);
        }
    }

    private static readonly string[] Shells = ["/bin/sh", "/bin/bash"];

    /// <summary>The words <paramref name="shell"/> makes of <paramref name="line"/> (it prints each NUL-terminated).</summary>
    private static async Task<string[]> SplitAsync(string shell, string line)
    {
        (int exitCode, string output, string error) = await ExternalProgram.RunAsync(shell, ["-c", "words() { printf '%s\\0' \"$@\"; }; words " + line]);
        Assert.True(exitCode == 0, $"{shell} could not read the line {line}: {error}");
        return output.Split('\0')[..^1];
    }
}
