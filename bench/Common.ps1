# Dot-sourced by the *.Bench.ps1 files.

# The command line of a fresh pwsh: the dotnet tool (dotnet pwsh.dll) or an installed pwsh.
function Get-FreshPwsh {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

# Median wall time in milliseconds of running $Action $Count times (after one warm-up run).
function Measure-Median {
    param([Parameter(Mandatory)] [scriptblock] $Action, [int] $Count = 5)
    & $Action | Out-Null
    $times = foreach ($i in 1..$Count) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        & $Action | Out-Null
        $sw.Elapsed.TotalMilliseconds
    }
    $sorted = @($times | Sort-Object)
    return $sorted[[int][math]::Floor($sorted.Count / 2)]
}

# One line of a benchmark report.
function Write-BenchResult {
    param([string] $Name, [double] $Value, [string] $Unit, [string] $Note = '')
    Write-Host ('  {0,-58} {1,10:N2} {2,-6} {3}' -f $Name, $Value, $Unit, $Note)
}
