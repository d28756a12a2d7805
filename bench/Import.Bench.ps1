# Import-Module overhead: a fresh pwsh that imports MightyOps against a bare `pwsh -c 1`.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
$pwsh = Get-FreshPwsh
$manifest = Join-Path $ModulePath 'MightyOps.psd1'
$runs = 7

$bare = Measure-Median -Count $runs -Action { & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command '1' }
$import = Measure-Median -Count $runs -Action { & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "Import-Module '$manifest'; 1" }
$firstUse = Measure-Median -Count $runs -Action { & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Get-Help Get-MightyService | Out-Null; 1" }

Write-BenchResult 'pwsh -c 1 (bare)' $bare 'ms' "median of $runs"
Write-BenchResult 'pwsh -c "Import-Module MightyOps; 1"' $import 'ms' "median of $runs"
Write-BenchResult '... plus Get-Help Get-MightyService' $firstUse 'ms' "median of $runs"
Write-BenchResult 'Import-Module overhead (import / bare)' ($import / $bare) 'x'
Write-BenchResult 'Import-Module cost' ($import - $bare) 'ms'
