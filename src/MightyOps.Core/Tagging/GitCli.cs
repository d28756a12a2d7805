using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MightyOps.Core.Tagging;

/// <summary>What one git command printed and how it exited.</summary>
public sealed record GitResult(IReadOnlyList<string> Arguments, int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The command line as a person would type it, for messages.</summary>
    public string CommandLine => GitCli.Display(Arguments);

    /// <summary>git's own complaint: the last non-empty stderr lines, without hints, on one line (a remote's words among them: each line shortened and made visible).</summary>
    public string Complaint
    {
        get
        {
            string[] lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => !l.StartsWith("hint:", StringComparison.Ordinal))
                .ToArray();
            return lines.Length == 0 ? $"git exited with code {ExitCode}" : string.Join(" ", lines.TakeLast(3).Select(l => TerminalText.Quote(l, TerminalText.LineLength)));
        }
    }
}

/// <summary>
/// Runs the git CLI. MightyOps drives git rather than a library so the user's SSH agent,
/// credential helpers, includes and hooks all apply exactly as they do at the prompt. Arguments go to the process as a list, never through a shell; messages are forced to
/// English (<c>LC_ALL=C</c>) so failures can be recognised; <c>GIT_TERMINAL_PROMPT=0</c> makes a
/// missing credential fail at once instead of waiting forever for an answer in a runbook; standard
/// input is closed for the same reason. Cancelling kills git and whatever it started (ssh,
/// credential helpers).
/// </summary>
public sealed class GitCli
{
    private readonly IOperationLog _log;

    public GitCli(string workingDirectory, IOperationLog log, string executable = "git")
    {
        WorkingDirectory = workingDirectory;
        Executable = executable;
        _log = log;
    }

    public string WorkingDirectory { get; }

    public string Executable { get; }

    /// <summary>Runs git and returns its result whatever the exit code; throws only when git cannot be started or the run is cancelled.</summary>
    public Task<GitResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(arguments, null, cancellationToken);

    /// <summary>Runs git with extra environment variables (e.g. <c>GIT_COMMITTER_DATE</c>).</summary>
    public async Task<GitResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _log.Verbose($"{Display(arguments)}  (in {WorkingDirectory})");

        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        // Reads (status, for-each-ref) must not take index.lock: concurrent runs and the user's
        // own git commands would otherwise fail with "Unable to create index.lock".
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new MightyOpsException(
                TaggingErrorIds.GitNotFound,
                $"Could not run '{Executable}': {e.Message}. Install git and make sure it is on PATH.",
                Executable,
                e);
        }

        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var result = new GitResult(arguments, process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        if (!result.Succeeded)
        {
            _log.Debug($"git exited with {result.ExitCode}: {result.Error.Trim()}");
        }
        return result;
    }

    /// <summary>Runs git and returns its standard output; a non-zero exit becomes a <c>GitFailed</c> error.</summary>
    public async Task<string> OutputAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        GitResult result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Failed(result);
        }
        return result.Output;
    }

    /// <summary>The generic error for a git command that failed in a way nobody expected.</summary>
    public MightyOpsException Failed(GitResult result) =>
        new(TaggingErrorIds.GitFailed, $"'{result.CommandLine}' failed in {WorkingDirectory}: {result.Complaint}", WorkingDirectory);

    /// <summary>Shows arguments the way a POSIX shell would need them, for logs and messages only.</summary>
    public static string Display(IEnumerable<string> arguments)
    {
        var sb = new StringBuilder("git");
        foreach (string argument in arguments)
        {
            sb.Append(' ');
            bool plain = argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '=' or ':' or '^' or '{' or '}' or '@' or '%' or '+' or ',');
            sb.Append(plain ? argument : "'" + argument.Replace("'", "'\\''").Replace("\n", "\\n") + "'");
        }
        return sb.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited by itself in the meantime.
        }
        catch (Win32Exception)
        {
            // Already on its way out.
        }
    }
}
