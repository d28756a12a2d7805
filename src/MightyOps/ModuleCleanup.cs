using System.Management.Automation;
using MightyOps.Commands.Sandbox;

namespace MightyOps;

/// <summary>
/// PowerShell calls this when the module is removed (<c>Remove-Module MightyOps</c>, or the old
/// copy on <c>Import-Module -Force</c>): the sandboxes the session started stop, and the AWS
/// environment variables they took over are put back, instead of pointing later AWS clients at
/// an endpoint nothing serves any more.
/// </summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo) => SandboxSessions.StopAll();
}
