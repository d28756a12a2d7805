# Get-MightyLog -Follow on a 20-task service: the API calls each poll makes, once the first read is
# done. Goal: 1 (one FilterLogEvents for all the service's streams; no call per task).
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

# A slow clock keeps each poll's new lines under one FilterLogEvents page.
$sandbox = Start-MightySandbox -Seed demo -TimeScale 5
try {
    aws ecs update-service --cluster production --service API --desired-count 20 --output json | Out-Null
    $sandbox.AdvanceTime([timespan]::FromMinutes(5))
    $tasks = @(Get-MightyLog -Cluster production -Service API -Since $sandbox.UtcNow.AddMinutes(-1)).TaskId | Sort-Object -Unique
    Write-BenchResult 'tasks writing to the service''s log group' $tasks.Count ''

    $job = Start-ThreadJob -ScriptBlock {
        param($manifest, $since)
        Import-Module $manifest
        Get-MightyLog -Cluster production -Service API -Since $since -Follow
    } -ArgumentList (Join-Path $ModulePath 'MightyOps.psd1'), $sandbox.UtcNow.AddMinutes(-1)
    try {
        # Past the first read (DescribeServices, DescribeTaskDefinition, one DescribeTasks for the new ids).
        while (-not @(Receive-Job $job -Keep)) { Start-Sleep -Milliseconds 200 }
        Start-Sleep -Milliseconds 500
        $sandbox.ResetRequestCounts()
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Start-Sleep -Seconds 20
        $counts = $sandbox.RequestCounts
        $watch.Stop()
    }
    finally {
        $job | Stop-Job
        $job | Remove-Job -Force
    }
    $polls = [math]::Floor($watch.Elapsed.TotalSeconds / 2)
    foreach ($key in $counts.Keys | Sort-Object) {
        Write-BenchResult "  $key" $counts[$key] 'calls'
    }
    $total = ($counts.Values | Measure-Object -Sum).Sum
    Write-BenchResult "polls in $([math]::Round($watch.Elapsed.TotalSeconds, 1)) s (one per 2 s)" $polls ''
    Write-BenchResult 'API calls per -Follow poll (goal 1)' ($total / $polls) 'calls'
    Write-BenchResult "against one GetLogEvents per task stream ($($tasks.Count))" (($total / $polls) / $tasks.Count) 'x'
}
finally {
    Stop-MightySandbox
}
