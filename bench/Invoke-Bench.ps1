#Requires -Version 7.4
# Runs every bench/*.Bench.ps1 against the built module. Each benchmark measures in this one run
# and prints ratios (MightyOps against the baseline it replaces); nothing here passes or fails.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Root,
    [string] $Filter = '*'
)

$ErrorActionPreference = 'Stop'
$env:MIGHTYOPS_BENCH_MODULE = (Resolve-Path $ModulePath).Path

foreach ($bench in Get-ChildItem $PSScriptRoot -Filter "$Filter.Bench.ps1" | Sort-Object Name) {
    Write-Host ''
    Write-Host "=== $($bench.BaseName -replace '\.Bench$')" -ForegroundColor Cyan
    & $bench.FullName -ModulePath $env:MIGHTYOPS_BENCH_MODULE
}
