namespace MightyOps.HelpBuilder;

/// <summary>Command-line options (build.ps1's Invoke-Docs passes all but --check-only).</summary>
internal sealed record BuildOptions
{
    public const string Usage = """
        Usage: HelpBuilder --docs <dir> --out <dir> --module-name <name> --assembly <file.dll> [--check-only]

          --docs         folder with <Verb-Noun>.md (platyPS 0.14 layout) and about_*.md pages
          --out          help folder of the built module (e.g. output/MightyOps/0.1.0/en-US)
          --module-name  the module the pages belong to (their 'Module Name:')
          --assembly     the cmdlet assembly; the MAML file is <assembly>-Help.xml
          --check-only   check the pages and write nothing (--out is not needed)
        """;

    public required string DocsPath { get; init; }

    public string? OutPath { get; init; }

    public required string ModuleName { get; init; }

    public required string AssemblyName { get; init; }

    public bool CheckOnly { get; init; }

    /// <summary>The name PowerShell looks for: CmdletInfo.HelpFile is "&lt;assembly file&gt;-Help.xml".</summary>
    public string HelpFileName => AssemblyName + "-Help.xml";

    /// <summary>Parses the arguments; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static BuildOptions? Parse(string[] args, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool checkOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--check-only":
                    checkOnly = true;
                    break;
                case "--nologo":
                    // Not a 'dotnet run' option in SDK 10, so 'dotnet run --nologo ... -- args' (build.ps1's
                    // Invoke-Docs) hands it to the program; there is no logo to suppress.
                    break;
                case "--docs" or "--out" or "--module-name" or "--assembly":
                    if (i + 1 >= args.Length)
                    {
                        error = $"{arg} needs a value.";
                        return null;
                    }
                    values[arg] = args[++i];
                    break;
                default:
                    error = $"Unknown argument '{arg}'.";
                    return null;
            }
        }
        foreach (string required in checkOnly ? ["--docs", "--module-name", "--assembly"] : new[] { "--docs", "--out", "--module-name", "--assembly" })
        {
            if (!values.ContainsKey(required))
            {
                error = $"{required} is required.";
                return null;
            }
        }
        error = null;
        return new BuildOptions
        {
            DocsPath = Path.GetFullPath(values["--docs"]),
            OutPath = values.TryGetValue("--out", out string? output) ? Path.GetFullPath(output) : null,
            ModuleName = values["--module-name"],
            AssemblyName = values["--assembly"],
            CheckOnly = checkOnly,
        };
    }
}
