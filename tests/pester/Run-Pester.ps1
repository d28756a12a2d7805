#Requires -Version 7.4
<#
Runs the Pester suite against the built module. build.ps1 -Task Test starts this in a fresh pwsh,
and this starts -Workers fresh pwsh processes that import the module the way a user does.

The test files are a queue (a folder of claim tokens, longest expected first): each worker claims
the next file with an atomic rename, runs it, and writes its console output, its NUnit XML and
its counts under -ResultsPath. Most of a test's time is spent waiting (on the sandbox's simulated
time, a child pwsh, sshd, Redis, a retry's backoff), so a few workers finish well before one even
on two cores. This process prints each file's output whole as it finishes, then the counts.
docs/design/architecture.md ("Tests") describes the run.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    # A folder: per file <name>.xml (NUnit), <name>.log (console) and <name>.json (counts).
    [Parameter(Mandatory)] [string] $ResultsPath,
    [string] $Filter,
    [ValidateRange(1, 16)] [int] $Workers = 3,
    # Internal: run as a worker that claims files from this queue folder.
    [string] $Queue
)

$ErrorActionPreference = 'Stop'
# Plain text: ANSI escapes in failure messages break Pester's NUnit XML export.
$PSStyle.OutputRendering = 'PlainText'

# Test files read this to import the module under test (tests/pester/Common.ps1).
$env:MIGHTYOPS_TEST_MODULE = (Resolve-Path $ModulePath).Path

function Invoke-Worker {
    Import-Module (Join-Path $PesterPath 'Pester.psd1') -Force
    $claimed = Join-Path $Queue 'claimed'
    while ($true) {
        $next = Get-ChildItem $Queue -File | Sort-Object Name | Select-Object -First 1
        if (-not $next) {
            return
        }
        $mine = Join-Path $claimed "$PID.$($next.Name)"
        try {
            [IO.File]::Move($next.FullName, $mine)
        }
        catch [IO.IOException] {
            continue    # another worker took it first
        }
        $path = Get-Content $mine -Raw
        $name = [IO.Path]::GetFileNameWithoutExtension([IO.Path]::GetFileNameWithoutExtension($path))
        $config = New-PesterConfiguration
        $config.Run.Path = @($path)
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputPath = Join-Path $ResultsPath "$name.xml"
        $config.TestResult.OutputFormat = 'NUnitXml'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $result = $null
        $config.Output.RenderMode = 'Plaintext'
        # Pester writes its report to the Information stream (Write-Host, pieces of a line with
        # -NoNewline); keep it, whole lines, for the parent to print.
        $text = [Text.StringBuilder]::new()
        & { Invoke-Pester -Configuration $config } 6>&1 | ForEach-Object {
            if ($_ -is [Management.Automation.InformationRecord] -and $_.MessageData -is [Management.Automation.HostInformationMessage]) {
                $null = $text.Append($_.MessageData.Message)
                if (-not $_.MessageData.NoNewLine) { $null = $text.AppendLine() }
            }
            elseif ($_.PSObject.TypeNames -contains 'Pester.Run') { $result = $_ }
            else { $null = $text.AppendLine("$_") }
        }
        Set-Content -Path (Join-Path $ResultsPath "$name.log") -Value $text.ToString().TrimEnd() -Encoding utf8NoBOM
        $counts = [ordered]@{
            File    = [IO.Path]::GetFileName($path)
            Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 1)
            Result  = if ($result) { $result.Result } else { 'Failed' }
            Total   = if ($result) { $result.TotalCount } else { 0 }
            Passed  = if ($result) { $result.PassedCount } else { 0 }
            Failed  = if ($result) { $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount } else { 1 }
            Skipped = if ($result) { $result.SkippedCount } else { 0 }
        }
        # Written last: its presence tells the parent this file is done.
        $counts | ConvertTo-Json | Set-Content -Path (Join-Path $ResultsPath "$name.json") -Encoding utf8NoBOM
    }
}

if ($Queue) {
    Invoke-Worker
    exit 0
}

$files = if ($Filter) {
    foreach ($pattern in $Filter -split ',') {
        Get-ChildItem $PSScriptRoot -Filter "*$pattern*.Tests.ps1"
    }
}
else {
    Get-ChildItem $PSScriptRoot -Filter '*.Tests.ps1'
}
$files = @($files | Sort-Object FullName -Unique)
if ($files.Count -eq 0) {
    Write-Host "No Pester files match '$Filter'."
    exit 1
}

# Longest first, so no long file starts last: the durations of the previous run when there is
# one, else the expected ones committed beside the tests, else the file's size.
$durationsFile = Join-Path (Split-Path $ResultsPath) 'pester-durations.json'
$expected = @{}
foreach ($source in (Join-Path $PSScriptRoot 'expected-durations.json'), $durationsFile) {
    if (Test-Path $source) {
        (Get-Content $source -Raw | ConvertFrom-Json -AsHashtable).GetEnumerator() | ForEach-Object { $expected[$_.Key] = [double]$_.Value }
    }
}
$ordered = $files | Sort-Object { if ($expected.ContainsKey($_.Name)) { $expected[$_.Name] } else { $_.Length / 2000 } } -Descending

if (Test-Path $ResultsPath) {
    Remove-Item $ResultsPath -Recurse -Force
}
New-Item -ItemType Directory -Path $ResultsPath | Out-Null
$queueFolder = Join-Path $ResultsPath 'queue'
New-Item -ItemType Directory -Path (Join-Path $queueFolder 'claimed') | Out-Null
# What a worker's tests print straight to the host (What if: lines) goes to its own files.
$workerLogs = Join-Path $ResultsPath 'workers'
New-Item -ItemType Directory -Path $workerLogs | Out-Null
$index = 0
foreach ($file in $ordered) {
    Set-Content -Path (Join-Path $queueFolder ('{0:D3}.{1}' -f $index++, $file.Name)) -Value $file.FullName -NoNewline
}

$pwsh = [Environment]::ProcessPath
[string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
$workerCount = [math]::Min($Workers, $files.Count)
Write-Host "Pester: $($files.Count) files, $workerCount workers"
$clock = [Diagnostics.Stopwatch]::StartNew()
$processes = foreach ($n in 1..$workerCount) {
    $arguments = $prefix + @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-PesterPath', $PesterPath,
        '-ModulePath', $ModulePath, '-ResultsPath', $ResultsPath, '-Queue', $queueFolder)
    Start-Process -FilePath $pwsh -ArgumentList $arguments -NoNewWindow -PassThru `
        -RedirectStandardOutput (Join-Path $workerLogs "worker$n.out") -RedirectStandardError (Join-Path $workerLogs "worker$n.err")
}

# Print each file's report as it finishes.
$printed = @{}
function Write-Finished {
    foreach ($done in Get-ChildItem $ResultsPath -Filter '*.json') {
        if ($printed.ContainsKey($done.Name)) { continue }
        $printed[$done.Name] = $true
        $log = [IO.Path]::ChangeExtension($done.FullName, '.log')
        if (Test-Path $log) { Get-Content $log | Write-Host }
    }
}
while (@($processes | Where-Object { -not $_.HasExited }).Count -gt 0) {
    Write-Finished
    Start-Sleep -Milliseconds 500
}
Write-Finished

$results = @(Get-ChildItem $ResultsPath -Filter '*.json' | ForEach-Object { Get-Content $_.FullName -Raw | ConvertFrom-Json })
$missing = @($files.Name | Where-Object { $_ -notin $results.File })
foreach ($n in 1..$workerCount) {
    $err = Join-Path $workerLogs "worker$n.err"
    if ((Test-Path $err) -and (Get-Item $err).Length -gt 0) {
        Write-Host "Worker $n wrote to its error stream:"
        Get-Content $err | Write-Host
    }
}
$durations = [ordered]@{}
$results | Sort-Object Seconds -Descending | ForEach-Object { $durations[$_.File] = $_.Seconds }
if (-not $Filter) {
    $durations | ConvertTo-Json | Set-Content -Path $durationsFile -Encoding utf8NoBOM
}
$total = ($results | Measure-Object Total -Sum).Sum
$passed = ($results | Measure-Object Passed -Sum).Sum
$failed = ($results | Measure-Object Failed -Sum).Sum
$skipped = ($results | Measure-Object Skipped -Sum).Sum
Write-Host ''
Write-Host ("Pester: {0} files in {1:N0} s with {2} workers (the files' own times add up to {3:N0} s)" -f $results.Count, $clock.Elapsed.TotalSeconds, $workerCount, ($results | Measure-Object Seconds -Sum).Sum)
Write-Host "Tests Passed: $passed, Failed: $failed, Skipped: $skipped, Total: $total"
if ($missing) {
    Write-Host "These files did not finish (their worker failed): $($missing -join ', ')"
}
if ($failed -gt 0 -or $missing -or $total -eq 0) {
    exit 1
}
exit 0
