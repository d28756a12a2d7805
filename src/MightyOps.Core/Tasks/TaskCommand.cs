using System.Text.RegularExpressions;

namespace MightyOps.Core.Tasks;

/// <summary>
/// The command of a one-off task, parsed once (docs/design/one-off-tasks.md, "The command"): a
/// string is a shell command line, sent as <c>["sh", "-c", text]</c> so that the container's
/// shell reads it exactly once; a list of words is sent as it is, each word one argument, no shell
/// involved. Either replaces the container's <c>command</c> (its entry point stays).
/// </summary>
public sealed partial class TaskCommand
{
    private TaskCommand(IReadOnlyList<string> words, string text, bool isShell)
    {
        Words = words;
        Text = text;
        IsShell = isShell;
    }

    /// <summary>What ECS is given as the container's command.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The command as the user wrote it: the shell text, or the words each quoted for sh where it needs it.</summary>
    public string Text { get; }

    /// <summary>True for a command line run by <c>sh -c</c>.</summary>
    public bool IsShell { get; }

    /// <summary>A command line for the container's shell. Empty text and a NUL (no process argument can carry one) are <c>TaskCommandInvalid</c>.</summary>
    public static TaskCommand Shell(string text)
    {
        Check(text is null || string.IsNullOrWhiteSpace(text) ? null : [text]);
        return new TaskCommand(["sh", "-c", text!], text!, isShell: true);
    }

    /// <summary>A program and its arguments, passed as they are. No words, an empty first word or a NUL is <c>TaskCommandInvalid</c>.</summary>
    public static TaskCommand Exec(IReadOnlyList<string> words)
    {
        Check(words is { Count: > 0 } && !string.IsNullOrWhiteSpace(words[0]) ? words : null);
        return new TaskCommand([.. words], string.Join(' ', words.Select(Quote)), isShell: false);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>A word as sh reads it back: as it is when it holds nothing sh would act on, else in single quotes (each <c>'</c> written <c>'\''</c>).</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && PlainWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static void Check(IReadOnlyList<string>? words)
    {
        if (words is null)
        {
            throw new MightyOpsException(TasksErrorIds.TaskCommandInvalid,
                "The command is empty. Give a command line as a string ('bin/rails db:migrate', run by sh -c in the container) or the program and its arguments as a list ('bin/rails', 'db:migrate').");
        }
        if (words.Any(w => w.Contains('\0', StringComparison.Ordinal)))
        {
            throw new MightyOpsException(TasksErrorIds.TaskCommandInvalid,
                "The command holds a NUL character, which no process argument can carry; nothing was run.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex PlainWord();
}
