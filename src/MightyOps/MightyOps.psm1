# MightyOps loader. MightyOps.Shared.dll (the load-context bridge and the public output types)
# goes into PowerShell's default context; everything else in bin/ (the cmdlets, MightyOps.Core,
# AWSSDK.*, SSH.NET, ...) loads into the module's own AssemblyLoadContext, so the module works
# in the same session as AWS.Tools.* with a different AWSSDK.Core.
# Pattern: jborean93/PowerShell-Yayaml module/Yayaml.psm1. Import time is measured by
# bench/Import.Bench.ps1; every line here runs on each Import-Module, so keep it cheap.

# The real Import-Module, whatever proxy or alias the session may have defined for the name.
$importModule = $ExecutionContext.InvokeCommand.GetCmdlet('Microsoft.PowerShell.Core\Import-Module')
$isReload = $true

if (-not ('MightyOps.Shared.LoadContext' -as [type])) {
    $isReload = $false
    # Assembly.LoadFrom rather than Add-Type -Path: the same load into the default context, but
    # Add-Type's first use in a session costs tens of milliseconds more.
    $null = [System.Reflection.Assembly]::LoadFrom("$PSScriptRoot/bin/MightyOps.Shared.dll")
}

$mainModule = [MightyOps.Shared.LoadContext]::Initialize('MightyOps')
$innerMod = & $importModule -Assembly $mainModule -PassThru

if ($isReload) {
    # Workaround for PowerShell/PowerShell#20710: on a re-import (Import-Module -Force) the binary
    # module's cmdlets and aliases are not re-exported through this script module unless added again.
    $nonPublic = [System.Reflection.BindingFlags]'Instance, NonPublic'
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', $nonPublic)
    $addExportedAlias = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedAlias', $nonPublic)
    foreach ($cmd in $innerMod.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmd))
    }
    foreach ($alias in $innerMod.ExportedAliases.Values) {
        $addExportedAlias.Invoke($ExecutionContext.SessionState.Module, @(, $alias))
    }
}
