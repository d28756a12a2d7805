# Import-Module cost: a fresh pwsh that imports MightyOps against a bare `pwsh -c 1` and against a
# one-function script module, then where the time goes inside the import.
#
# Each child reports its own CPU time and its age (wall time since the process started) when its
# command ends, so the numbers leave out the parent's process handling. On a loaded machine the
# wall ratios drift with the load; the CPU ratios hold better and are printed next to them.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
$pwsh = Get-FreshPwsh
$manifest = Join-Path $ModulePath 'MightyOps.psd1'
$runs = 9

$scriptModule = Join-Path ([IO.Path]::GetTempPath()) ('mighty-bench-' + [guid]::NewGuid().ToString('n'))
New-Item -ItemType Directory -Path $scriptModule | Out-Null
Set-Content -Path (Join-Path $scriptModule 'OneFunction.psm1') -Value 'function Get-One { 1 }'

$report = '$p = [Diagnostics.Process]::GetCurrentProcess(); "{0} {1}" -f ([DateTime]::Now - $p.StartTime).TotalMilliseconds, $p.TotalProcessorTime.TotalMilliseconds'
$commands = [ordered]@{
    'pwsh -c 1 (bare)'                  = $report
    'Import-Module <one-function .psm1>' = "Import-Module '$(Join-Path $scriptModule 'OneFunction.psm1')'; $report"
    'Import-Module MightyOps'            = "Import-Module '$manifest'; $report"
}

# Interleaved, so that a change in the machine's load hits every command alike.
$wall = @{}; $cpu = @{}
foreach ($name in $commands.Keys) { $wall[$name] = @(); $cpu[$name] = @() }
foreach ($run in 0..$runs) {
    foreach ($name in $commands.Keys) {
        $line = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $commands[$name] | Select-Object -Last 1
        if ($run -eq 0) { continue }   # warm-up
        $w, $c = $line -split ' '
        $wall[$name] += [double]$w
        $cpu[$name] += [double]$c
    }
}
Remove-Item $scriptModule -Recurse -Force

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

$bareWall = Get-Median $wall['pwsh -c 1 (bare)']
$bareCpu = Get-Median $cpu['pwsh -c 1 (bare)']
foreach ($name in $commands.Keys) {
    $w = Get-Median $wall[$name]
    $c = Get-Median $cpu[$name]
    Write-BenchResult $name $w 'ms' ("wall, median of $runs; {0:N3}x bare" -f ($w / $bareWall))
    Write-BenchResult '  CPU' $c 'ms' ("{0:N3}x bare" -f ($c / $bareCpu))
}
$importWall = Get-Median $wall['Import-Module MightyOps']
$importCpu = Get-Median $cpu['Import-Module MightyOps']
Write-BenchResult 'Import-Module MightyOps / bare pwsh (wall)' ($importWall / $bareWall) 'x' 'goal: <= 1.15'
Write-BenchResult 'Import-Module MightyOps / bare pwsh (CPU)' ($importCpu / $bareCpu) 'x'
Write-BenchResult 'Import-Module MightyOps cost (wall)' ($importWall - $bareWall) 'ms'

# Where the time goes, step by step in a fresh pwsh, each timed by wall clock and CPU.
# MightyOps.dll is the root module (PowerShell loads it into the default context; its ModuleImport
# sets up the module's own load context; MightyOps.Core loads on first use). The table views are
# not loaded at import but by the first MightyOps command of a runspace: the last two steps show
# the first formatted output (which builds PowerShell's format tables, paid by any session) and
# what the views then add on that first command.
$steps = @'
param($ModulePath)
$p = [Diagnostics.Process]::GetCurrentProcess()
$null = [Math]::Abs($p.TotalProcessorTime.TotalMilliseconds)
$sw = [Diagnostics.Stopwatch]::new()
$marks = [ordered]@{}
function Step([string] $Name, [scriptblock] $Action) {
    $p.Refresh(); $cpu0 = $p.TotalProcessorTime.TotalMilliseconds; $sw.Restart()
    $null = & $Action
    $elapsed = $sw.Elapsed.TotalMilliseconds; $p.Refresh()
    $script:marks[$Name] = '{0} {1}' -f $elapsed, ($p.TotalProcessorTime.TotalMilliseconds - $cpu0)
}
Step 'Import-Module MightyOps (cmdlets, load context)' { Import-Module "$ModulePath/MightyOps.psd1" }
Step 'first formatted output (any session)' { 1 | Out-String }
Step 'table views (first MightyOps command)' { Update-FormatData -AppendPath "$ModulePath/MightyOps.Format.ps1xml" }
$marks.GetEnumerator() | ForEach-Object { '{0}|{1}' -f $_.Key, $_.Value }
'@
$stepsFile = Join-Path ([IO.Path]::GetTempPath()) ('mighty-bench-steps-' + [guid]::NewGuid().ToString('n') + '.ps1')
Set-Content -Path $stepsFile -Value $steps
$stepWall = [ordered]@{}; $stepCpu = @{}
foreach ($run in 1..$runs) {
    foreach ($line in & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $stepsFile -ModulePath $ModulePath) {
        $name, $values = $line -split '\|'
        $w, $c = $values -split ' '
        if (-not $stepWall.Contains($name)) { $stepWall[$name] = @(); $stepCpu[$name] = @() }
        $stepWall[$name] += [double]$w
        $stepCpu[$name] += [double]$c
    }
}
Remove-Item $stepsFile
Write-Host '  breakdown (fresh pwsh, median of each step):'
foreach ($name in $stepWall.Keys) {
    Write-BenchResult "    $name" (Get-Median $stepWall[$name]) 'ms' ('wall; CPU {0:N0} ms' -f (Get-Median $stepCpu[$name]))
}
