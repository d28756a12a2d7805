using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace MightyOps;

/// <summary>
/// Adds the module's views (MightyOps.Format.ps1xml) and display defaults (MightyOps.Types.ps1xml:
/// what PowerShell falls back to when it cannot use a view, made visible) to a runspace when the
/// first MightyOps cmdlet runs in it, instead of at Import-Module: loading them at import built
/// PowerShell's format tables there, a third of the import's cost, for sessions (a profile, a
/// runbook that only pipes objects on) that may never format a MightyOps object
/// (docs/design/module-loading.md, "The format file"; docs/design/terminal-safety.md).
/// </summary>
internal static class ModuleFormats
{
    private const string FileName = "MightyOps.Format.ps1xml";
    private const string TypesFileName = "MightyOps.Types.ps1xml";
    private static readonly ConditionalWeakTable<Runspace, object> Loaded = new();

    private static string NotLoaded(string why) =>
        $"The MightyOps views were not loaded ({why}). Objects show as PowerShell's plain lists, which print text from the cluster, logs, Redis or git as it is: control characters in it reach the terminal.";

    /// <summary>Loads the views into the cmdlet's runspace unless they are there already.</summary>
    public static void EnsureLoaded(Commands.MightyCmdlet cmdlet)
    {
        Runspace? runspace = Runspace.DefaultRunspace;
        if (runspace is null || !Loaded.TryAdd(runspace, FileName))
        {
            return;
        }
        string folder = cmdlet.MyInvocation.MyCommand.Module?.ModuleBase
            ?? Path.GetDirectoryName(typeof(ModuleFormats).Assembly.Location)
            ?? string.Empty;
        string path = Path.Join(folder, FileName);
        try
        {
            using var update = PowerShell.Create(RunspaceMode.CurrentRunspace);
            update.AddCommand("Microsoft.PowerShell.Utility\\Update-TypeData").AddParameter("AppendPath", Path.Join(folder, TypesFileName))
                .AddStatement().AddCommand("Microsoft.PowerShell.Utility\\Update-FormatData").AddParameter("AppendPath", path).Invoke();
            if (update.Streams.Error.Count > 0)
            {
                cmdlet.WriteWarning(NotLoaded(string.Join(" ", update.Streams.Error.Select(e => e.ToString().ReplaceLineEndings(" ")))));
            }
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            // A constrained or locked-down runspace may not allow it: the objects are still right,
            // but PowerShell's own lists print their text as it is, so the user is told.
            cmdlet.WriteWarning(NotLoaded(e.Message));
        }
    }
}
