# The sandbox under a soak: one standalone sandbox, two deployers and two readers (each its own
# pwsh) for a few minutes of wall time, twice, with simulated time running fast so that hours of
# ECS time pass. Prints what the sandbox holds and its memory (managed heap, resident set) at the
# start and after the first soak (each after a full collection), right after the second soak, idle
# 40 s later (what the sandbox gave back by itself) and then after a full collection. A sandbox
# that forgets what ECS forgets stays flat from the first soak to the second.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Wall time of each of the two soaks.
    [int] $SoakSeconds = 75,
    # Simulated seconds per real second: 600 makes each soak about 12 hours of ECS time.
    [double] $TimeScale = 600
)

. $PSScriptRoot/Common.ps1
$ModulePath = (Resolve-Path $ModulePath).Path

$sandboxDll = Join-Path $ModulePath 'bin/MightyOps.Sandbox.dll'
$startInfo = [Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($argument in $sandboxDll, '--seed', 'demo', '--time-scale', "$TimeScale", '--port', '0') { $startInfo.ArgumentList.Add($argument) }
$startInfo.RedirectStandardOutput = $true
$startInfo.UseShellExecute = $false
$process = [Diagnostics.Process]::Start($startInfo)
$work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-soak-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    $info = $process.StandardOutput.ReadLine() | ConvertFrom-Json
    $endpoint = $info.endpoint
    $admin = @{ ContentType = 'application/json'; Method = 'Post' }
    foreach ($repository in 'app', 'nginx-proxy') {
        foreach ($tag in 'master.5', 'master.6') {
            $null = Invoke-RestMethod @admin -Uri "$endpoint/_sandbox/push-image" -Body (@{ repository = $repository; tag = $tag } | ConvertTo-Json)
        }
    }

    # One role of the soak, in a fresh pwsh: loops until its deadline, then prints one JSON line.
    $role = {
        param($ModuleManifest, $Role, $Seconds)
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $ModuleManifest
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        $done = 0; $failed = 0; $i = 0
        $workers = @(Get-MightyService -Cluster production | Where-Object Service -NotIn 'WEB', 'API' | ForEach-Object Service)
        while ([DateTime]::UtcNow -lt $deadline) {
            $i++
            # Each round moves every service to the other tag, so every deploy registers a revision.
            $round = if ($Role -eq 'deploy-workers') { [math]::Floor($i * 5 / $workers.Count) } else { $i }
            $tag = if ($round % 2) { 'master.5' } else { 'master.6' }
            try {
                switch ($Role) {
                    'deploy-web' { $null = Publish-MightyService -Cluster production -Service WEB, API -Tag $tag }
                    'deploy-workers' { $null = Publish-MightyService -Cluster production -Service ($workers[(($i * 5) % $workers.Count)..((($i * 5) % $workers.Count) + 4)]) -Tag $tag }
                    'read-services' { $null = Get-MightyService -Cluster production; $null = Get-MightyServiceEvent -Cluster production -Service WEB -Last 20 }
                    'read-logs' { $null = Get-MightyLog -Cluster production -Service WEB -Tail 50; $null = Get-MightyTask -Cluster production -Service API }
                }
                $done++
            }
            catch { $failed++ }
        }
        [pscustomobject]@{ role = $Role; done = $done; failed = $failed } | ConvertTo-Json -Compress
    }
    $roleFile = Join-Path $work 'role.ps1'
    Set-Content -Path $roleFile -Value $role.ToString() -Encoding utf8NoBOM
    $pwsh = Get-FreshPwsh
    $environment = @{
        AWS_ENDPOINT_URL = $endpoint; AWS_REGION = $info.region; AWS_DEFAULT_REGION = $info.region
        AWS_ACCESS_KEY_ID = $info.accessKeyId; AWS_SECRET_ACCESS_KEY = $info.secretAccessKey
    }

    function Get-Footprint([switch] $Collect) {
        $query = if ($Collect) { '?collect=true' } else { '' }
        Invoke-RestMethod -Uri "$endpoint/_sandbox/memory$query"
    }

    function Invoke-Soak([int] $Number) {
        $saved = @{}
        foreach ($name in $environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $environment[$name]) }
        try {
            $children = foreach ($name in 'deploy-web', 'deploy-workers', 'read-services', 'read-logs') {
                $childInfo = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
                foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $roleFile, (Join-Path $ModulePath 'MightyOps.psd1'), $name, "$SoakSeconds")) {
                    $childInfo.ArgumentList.Add($argument)
                }
                $childInfo.RedirectStandardOutput = $true
                $childInfo.UseShellExecute = $false
                [Diagnostics.Process]::Start($childInfo)
            }
            $outputs = foreach ($child in $children) { $text = $child.StandardOutput.ReadToEnd(); $child.WaitForExit(); $text }
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
        foreach ($line in $outputs -split "`n" | Where-Object { $_ -like '{*' }) {
            $result = $line | ConvertFrom-Json
            Write-BenchResult "soak $Number $($result.role)" $result.done 'runs' "$($result.failed) failed"
        }
    }

    $rows = [ordered]@{}
    $rows['start'] = Get-Footprint -Collect
    Invoke-Soak 1
    $rows['after soak 1'] = Get-Footprint -Collect
    Invoke-Soak 2
    $rows['after soak 2'] = Get-Footprint
    # No collection asked for: what the sandbox gives back by itself once it has been quiet.
    Start-Sleep -Seconds 40
    $rows['idle 40 s'] = Get-Footprint
    $rows['idle 40 s, GC'] = Get-Footprint -Collect

    $columns = 'managed MB', 'RSS MB', 'tasks', 'stopped', 'events', 'max ev/svc', 'revisions', 'log streams', 'log events', 'max ev/stream', 'sim. time'
    Write-Host ('  {0,-18}' -f '') -NoNewline
    foreach ($column in $columns) { Write-Host ('{0,14}' -f $column) -NoNewline }
    Write-Host ''
    foreach ($name in $rows.Keys) {
        $r = $rows[$name]
        $values = @(
            ('{0:N1}' -f ($r.managedHeapBytes / 1MB)), ('{0:N1}' -f ($r.workingSetBytes / 1MB)), $r.tasks, $r.stoppedTasks, $r.serviceEvents,
            $r.mostEventsPerService, $r.taskDefinitions, $r.logStreams, $r.logEvents, $r.mostEventsPerStream, ([DateTimeOffset]$r.simulatedNow).ToString('MM-dd HH:mm'))
        Write-Host ('  {0,-18}' -f $name) -NoNewline
        foreach ($value in $values) { Write-Host ('{0,14}' -f $value) -NoNewline }
        Write-Host ''
    }
    $growth = $rows['idle 40 s, GC'].managedHeapBytes / [math]::Max(1, $rows['after soak 1'].managedHeapBytes)
    Write-BenchResult 'managed heap, idle after soak 2 / after soak 1 (both after a GC; flat: about 1)' $growth 'x'
    Write-BenchResult 'RSS, idle after soak 2 / after soak 1 (both after a GC; flat: about 1)' ($rows['idle 40 s, GC'].workingSetBytes / $rows['after soak 1'].workingSetBytes) 'x'
    Write-BenchResult 'RSS idle 40 s (no GC asked for) / RSS at start' ($rows['idle 40 s'].workingSetBytes / $rows['start'].workingSetBytes) 'x'
}
finally {
    if (-not $process.HasExited) { $process.Kill() }
    $process.WaitForExit()
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
