namespace MightyOps.HelpBuilder;

/// <summary>What is wrong with a page, located so the author can go straight to it.</summary>
internal sealed record PageProblem(string Path, int Line, string Section, string Message, bool IsError)
{
    /// <summary>The compiler-style form editors and CI logs turn into links: <c>path:line: error: [section] message</c>.</summary>
    public override string ToString()
    {
        string where = Line > 0 ? $"{Path}:{Line}" : Path;
        string kind = IsError ? "error" : "warning";
        string section = string.IsNullOrEmpty(Section) ? string.Empty : $"[{Section}] ";
        return $"{where}: {kind}: {section}{Message}";
    }
}

/// <summary>Collects every problem in every page, so one run reports them all instead of the first.</summary>
internal sealed class PageProblems
{
    private readonly List<PageProblem> _problems = [];

    public IReadOnlyList<PageProblem> All => _problems;

    public int ErrorCount => _problems.Count(p => p.IsError);

    public void Error(string path, int line, string section, string message) =>
        _problems.Add(new PageProblem(path, line, section, message, IsError: true));

    public void Warning(string path, int line, string section, string message) =>
        _problems.Add(new PageProblem(path, line, section, message, IsError: false));
}
