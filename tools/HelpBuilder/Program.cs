namespace MightyOps.HelpBuilder;

/// <summary>
/// Builds MightyOps' help from docs/*.md: exit 0 when written (or valid with --check-only),
/// 1 when a page is malformed (each problem printed as path:line), 2 on bad arguments.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["--help"] or ["-h"] or ["-?"])
        {
            Console.Out.WriteLine(BuildOptions.Usage);
            return 0;
        }
        BuildOptions? options = BuildOptions.Parse(args, out string? error);
        if (options is null)
        {
            Console.Error.WriteLine($"HelpBuilder: {error}");
            Console.Error.WriteLine(BuildOptions.Usage);
            return 2;
        }
        return HelpBuild.Run(options, Console.Out, Console.Error);
    }
}
