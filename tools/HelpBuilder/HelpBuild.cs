using System.Diagnostics;
using System.Text;
using System.Xml.Linq;

namespace MightyOps.HelpBuilder;

/// <summary>
/// One run: read every page in the docs folder, report every problem, and only when there is none
/// write &lt;assembly&gt;-Help.xml and the about_*.help.txt files (never a half-built help folder).
/// </summary>
internal static class HelpBuild
{
    public static int Run(BuildOptions options, TextWriter output, TextWriter errors)
    {
        var clock = Stopwatch.StartNew();
        if (!Directory.Exists(options.DocsPath))
        {
            errors.WriteLine($"HelpBuilder: the docs folder '{options.DocsPath}' does not exist.");
            return 2;
        }

        var problems = new PageProblems();
        var commands = new List<CommandHelp>();
        var abouts = new List<(string Topic, string Text)>();
        string[] pages = Directory.GetFiles(options.DocsPath, "*.md").OrderBy(p => p, StringComparer.Ordinal).ToArray();
        foreach (string path in pages)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            string display = Path.GetRelativePath(Environment.CurrentDirectory, path);
            if (display.StartsWith("..", StringComparison.Ordinal))
            {
                display = path;
            }
            if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            {
                string? text = AboutTopic.Render(MarkdownPage.Load(path, display, problems), problems);
                if (text is not null)
                {
                    abouts.Add((name, text));
                }
            }
            else if (name.Count(c => c == '-') == 1 && !name.StartsWith('-') && !name.EndsWith('-'))
            {
                CommandHelp? command = CommandPageParser.Parse(MarkdownPage.Load(path, display, problems), options, problems);
                if (command is not null)
                {
                    commands.Add(command);
                }
            }
            else
            {
                problems.Warning(display, 0, string.Empty, "Not a cmdlet page (Verb-Noun.md) or an about topic (about_Name.md); left out of the help.");
            }
        }

        foreach (PageProblem problem in problems.All)
        {
            (problem.IsError ? errors : output).WriteLine(problem.ToString());
        }
        if (problems.ErrorCount > 0)
        {
            errors.WriteLine($"HelpBuilder: {problems.ErrorCount} error(s) in {options.DocsPath}; no help was written.");
            return 1;
        }

        if (options.CheckOnly)
        {
            output.WriteLine($"HelpBuilder: {commands.Count} cmdlet page(s) and {abouts.Count} about topic(s) are valid ({clock.ElapsedMilliseconds} ms).");
            return 0;
        }

        string outPath = options.OutPath!;
        Directory.CreateDirectory(outPath);
        XDocument maml = MamlWriter.Document(commands);
        MamlWriter.Save(maml, Path.Combine(outPath, options.HelpFileName));

        var written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        foreach ((string topic, string text) in abouts)
        {
            string file = topic + ".help.txt";
            File.WriteAllText(Path.Combine(outPath, file), text, utf8);
            written.Add(file);
        }
        // A topic whose page was deleted must not linger in an incremental Docs run.
        foreach (string stale in Directory.GetFiles(outPath, "about_*.help.txt").Where(f => !written.Contains(Path.GetFileName(f))))
        {
            File.Delete(stale);
        }

        output.WriteLine($"HelpBuilder: {commands.Count} cmdlet(s) -> {Path.Combine(outPath, options.HelpFileName)}, {abouts.Count} about topic(s) ({clock.ElapsedMilliseconds} ms).");
        return 0;
    }
}
