using System.Globalization;
using System.Text.RegularExpressions;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// What a container runs when a one-off task overrides its command: a recognisable set of demo
/// commands (docs/design/one-off-tasks.md, "What a command does in the sandbox"). There is no
/// shell here, so the command is read the way a shell would split it into simple commands:
/// <c>sh -c '&lt;script&gt;'</c> (or bash) is the script; any other word list is one command.
/// </summary>
/// <param name="RunsFor">Simulated time from start to exit.</param>
/// <param name="ExitCode">The exit code it ends with.</param>
/// <param name="Output">The lines it prints, each after the time that has passed when it prints it.</param>
/// <param name="BootsApplication">
/// True when it loads the Rails application (<c>bin/rails</c>, <c>rake</c>, <c>bundle exec</c>):
/// such a command crashes on an image marked failing, as the service's own command does; a
/// <c>sleep</c> or an <c>echo</c> does not.
/// </param>
internal sealed partial record ContainerProgram(TimeSpan RunsFor, int ExitCode, IReadOnlyList<(TimeSpan At, string Line)> Output, bool BootsApplication)
{
    // How long the pieces take, in simulated time.
    private static readonly TimeSpan RailsBoot = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MigrationStep = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(50);

    /// <summary>The demo migrations <c>bin/rails db:migrate</c> runs.</summary>
    public static readonly IReadOnlyList<(string Version, string Name, string Change)> Migrations =
    [
        ("20261128093012", "AddIndexToOrdersCreatedAt", "add_index(:orders, :created_at)"),
        ("20261201114530", "CreateInvoiceReminders", "create_table(:invoice_reminders)"),
    ];

    /// <summary>The program of a command override, or null when <paramref name="command"/> is null (the image's own command runs).</summary>
    public static ContainerProgram? For(IReadOnlyList<string>? command)
    {
        if (command is null)
        {
            return null;
        }
        string script = command.Count >= 3 && command[0] is "sh" or "/bin/sh" or "bash" or "/bin/bash" && command[1] == "-c"
            ? command[2]
            : string.Join(' ', command);
        var output = new List<(TimeSpan, string)>();
        TimeSpan elapsed = TimeSpan.Zero;
        bool boots = false;
        foreach (string simple in SimpleCommands().Split(script).Select(c => c.Trim()).Where(c => c.Length > 0))
        {
            Match match;
            if ((match = ExitCommand().Match(simple)).Success)
            {
                int code = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) % 256 : 0;
                return new ContainerProgram(Max(elapsed, Instant), code, output, boots);
            }
            if ((match = SleepCommand().Match(simple)).Success)
            {
                elapsed += TimeSpan.FromSeconds(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
            else if ((match = EchoCommand().Match(simple)).Success)
            {
                elapsed += Instant;
                output.Add((elapsed, Unquote(match.Groups[1].Value)));
            }
            else if (simple is "true" or ":")
            {
                elapsed += Instant;
            }
            else if (simple.Contains("db:migrate", StringComparison.Ordinal))
            {
                boots = true;
                elapsed += RailsBoot;
                foreach ((string version, string name, string change) in Migrations)
                {
                    output.Add((elapsed, $"== {version} {name}: migrating {new string('=', Math.Max(3, 50 - name.Length))}"));
                    output.Add((elapsed, $"-- {change}"));
                    elapsed += MigrationStep;
                    output.Add((elapsed, "   -> 0.0213s"));
                    output.Add((elapsed, $"== {version} {name}: migrated (0.0215s) {new string('=', Math.Max(3, 43 - name.Length))}"));
                }
            }
            else
            {
                // Anything else is printed and succeeds; a Rails command loads the application first.
                boots |= RailsCommand().IsMatch(simple);
                elapsed += boots ? RailsBoot : Instant;
                output.Add((elapsed, simple));
            }
        }
        return new ContainerProgram(Max(elapsed, Instant), 0, output, boots);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Unquote(string text)
    {
        string trimmed = text.Trim();
        return trimmed.Length >= 2 && (trimmed[0] == '\'' || trimmed[0] == '"') && trimmed[^1] == trimmed[0] ? trimmed[1..^1] : trimmed;
    }

    // A script's simple commands: split at ;, &&, || and line breaks (a demo, not a shell).
    [GeneratedRegex(@"&&|\|\||;|\n")]
    private static partial Regex SimpleCommands();

    [GeneratedRegex(@"^exit(?:\s+(\d+))?$")]
    private static partial Regex ExitCommand();

    [GeneratedRegex(@"^sleep\s+(\d+(?:\.\d+)?)$")]
    private static partial Regex SleepCommand();

    [GeneratedRegex(@"^echo(?:\s+(.*))?$", RegexOptions.Singleline)]
    private static partial Regex EchoCommand();

    [GeneratedRegex(@"(^|\s|/)(rails|rake|bundle)(\s|$)")]
    private static partial Regex RailsCommand();
}
