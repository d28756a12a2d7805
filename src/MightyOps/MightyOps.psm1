# MightyOps loader. MightyOps.Shared.dll (the load-context bridge and the public output types)
# goes into PowerShell's default context; everything else in bin/ (the cmdlets, MightyOps.Core,
# AWSSDK.*, SSH.NET, ...) loads into the module's own AssemblyLoadContext, so the module works
# in the same session as AWS.Tools.* with a different AWSSDK.Core.
# Pattern: jborean93/PowerShell-Yayaml module/Yayaml.psm1.

$binPath = Join-Path $PSScriptRoot 'bin'
$isReload = $true

if (-not ('MightyOps.Shared.LoadContext' -as [type])) {
    $isReload = $false
    Add-Type -Path (Join-Path $binPath 'MightyOps.Shared.dll')
}

$mainModule = [MightyOps.Shared.LoadContext]::Initialize('MightyOps')
$innerMod = Import-Module -Assembly $mainModule -PassThru

if ($isReload) {
    # Workaround for PowerShell/PowerShell#20710: on a re-import (Import-Module -Force) the binary
    # module's cmdlets are not re-exported through this script module unless added again.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet',
        [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmd in $innerMod.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmd))
    }
}
