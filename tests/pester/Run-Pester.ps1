#Requires -Version 7.4
# Runs the Pester suite against the built module. build.ps1 -Task Test starts this in a fresh
# pwsh so the module is imported the way a user imports it.
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultsPath,
    [string] $Filter
)

$ErrorActionPreference = 'Stop'
# Plain text: ANSI escapes in failure messages break Pester's NUnit XML export.
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PesterPath 'Pester.psd1') -Force

# Test files read this to import the module under test (tests/pester/Common.ps1).
$env:MIGHTYOPS_TEST_MODULE = (Resolve-Path $ModulePath).Path

$paths = if ($Filter) {
    foreach ($pattern in $Filter -split ',') {
        Get-ChildItem $PSScriptRoot -Filter "*$pattern*.Tests.ps1" | ForEach-Object FullName
    }
}
else {
    $PSScriptRoot
}

$config = New-PesterConfiguration
$config.Run.Path = @($paths)
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = $ResultsPath
$config.TestResult.OutputFormat = 'NUnitXml'

$result = Invoke-Pester -Configuration $config
if ($null -eq $result -or $result.Result -ne 'Passed' -or $result.FailedCount -gt 0 -or $result.FailedBlocksCount -gt 0 -or $result.FailedContainersCount -gt 0 -or $result.TotalCount -eq 0) {
    exit 1
}
exit 0
