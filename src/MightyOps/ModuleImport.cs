using System.Management.Automation;
using MightyOps.Shared;

namespace MightyOps;

/// <summary>
/// PowerShell calls this when it imports the cmdlet assembly, before any cmdlet runs: the
/// module's private load context is set up over the <c>bin</c> folder, where MightyOps.Core and
/// every third-party assembly live (docs/design/module-loading.md).
/// </summary>
public sealed class ModuleImport : IModuleAssemblyInitializer
{
    /// <inheritdoc />
    public void OnImport()
    {
        string root = Path.GetDirectoryName(typeof(ModuleImport).Assembly.Location)
            ?? throw new InvalidOperationException("Cannot find the MightyOps module folder.");
        LoadContext.Register("MightyOps", Path.Join(root, "bin"));
    }
}
