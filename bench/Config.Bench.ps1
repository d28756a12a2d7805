# mighty.psd1 reading: the time to read a file of 20,000 keys and of 200,000 keys, as a cmdlet does
# before its first AWS call. Reading is linear in the size of the file when the ratio of the two
# is about 10 (quadratic would be about 100). Two shapes: one hashtable of valid environment
# variables (read, then one Get-MightyService call to the sandbox), and 200,000 unknown top-level
# keys (every one a problem: the ConfigInvalid path).
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Small = 20000,
    [int] $Large = 200000
)

. $PSScriptRoot/Common.ps1
Import-Module (Join-Path (Resolve-Path $ModulePath) 'MightyOps.psd1')

$sandbox = Start-MightySandbox -Seed demo
$work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-config-bench-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    function New-ConfigFile([string] $Name, [int] $Keys, [scriptblock] $Line, [string] $Open, [string] $Close) {
        $path = Join-Path $work $Name
        $builder = [Text.StringBuilder]::new()
        $null = $builder.AppendLine($Open)
        for ($i = 0; $i -lt $Keys; $i++) { $null = $builder.AppendLine((& $Line $i)) }
        $null = $builder.AppendLine($Close)
        [IO.File]::WriteAllText($path, $builder.ToString())
        $path
    }

    $shapes = @(
        @{ Name = 'environment'; Line = { param($i) "        VAR_$i = 'value $i'" }; Open = "@{ Cluster = 'production'`n    Defaults = @{ Environment = @{"; Close = '    } }
}'; Run = { param($path) $null = Get-MightyService -Service WEB -ConfigPath $path } }
        @{ Name = 'unknown keys'; Line = { param($i) "    Unknown$i = $i" }; Open = '@{'; Close = '}'; Run = { param($path) try { $null = Get-MightyService -Service WEB -ConfigPath $path } catch { if ($_.FullyQualifiedErrorId -notlike 'ConfigInvalid*') { throw } } } }
    )
    foreach ($shape in $shapes) {
        $times = @{}
        foreach ($keys in $Small, $Large) {
            $path = New-ConfigFile "$($shape.Name -replace ' ', '-')-$keys.psd1" $keys $shape.Line $shape.Open $shape.Close
            $times[$keys] = Measure-Median -Count 3 -Action { & $shape.Run $path }
            Write-BenchResult "$($shape.Name): $keys keys" ($times[$keys] / 1000) 's' ('{0:N1} MB' -f ((Get-Item $path).Length / 1MB))
        }
        $factor = $Large / $Small
        Write-BenchResult "$($shape.Name): $Large / $Small keys (linear: about $factor, quadratic: $($factor * $factor))" ($times[$Large] / $times[$Small]) 'x'
    }
}
finally {
    Stop-MightySandbox
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
