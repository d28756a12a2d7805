# Publish-MightyService: the wall time of 30 piped deploys against one (goal <= 1.3x: they share
# one watch loop), the API calls per deploy and per poll (goal: ceil(n/10) DescribeServices per
# poll, nothing per service), and how long after the sandbox's deployment reached COMPLETED the
# cmdlet returns (goal: at most one poll interval).
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

$timeScale = 20
$sandbox = Start-MightySandbox -Seed demo -TimeScale $timeScale
try {
    foreach ($tag in 'master.5', 'master.6') { $null = $sandbox.PushImage('app', $tag); $null = $sandbox.PushImage('nginx-proxy', $tag) }
    $workers = @(Get-MightyService -Cluster production | Where-Object Service -NotIn 'WEB', 'API')

    # One service.
    $sandbox.ResetRequestCounts()
    $one = Measure-Command { $single = Publish-MightyService -Cluster production -Service API -Tag master.5 }
    $oneCounts = $sandbox.RequestCounts
    # How far past the deployment's completion (simulated time) the sandbox clock was when the cmdlet returned.
    $now = [DateTimeOffset]::Parse((Invoke-RestMethod "$($sandbox.Endpoint)/_sandbox/info").now)
    $lagSeconds = ($now - $single.CompletedAt).TotalSeconds / $timeScale

    # Thirty services, piped.
    $sandbox.ResetRequestCounts()
    $many = Measure-Command { $results = @($workers | Publish-MightyService -Tag master.5) }
    $counts = $sandbox.RequestCounts
    $completed = @($results | Where-Object Status -EQ 'Completed').Count

    Write-BenchResult 'one deploy (API, 2 tasks)' $one.TotalSeconds 's' "TimeScale $timeScale; $($single.Status)"
    Write-BenchResult "$($workers.Count) piped deploys" $many.TotalSeconds 's' "$completed completed"
    Write-BenchResult "$($workers.Count) deploys / one deploy (goal <= 1.3)" ($many.TotalSeconds / $one.TotalSeconds) 'x'

    $total = ($counts.Values | Measure-Object -Sum).Sum
    foreach ($key in $counts.Keys | Sort-Object) { Write-BenchResult "  $key" $counts[$key] 'calls' }
    Write-BenchResult 'API calls per deploy (30 piped)' ($total / $workers.Count) 'calls'
    Write-BenchResult 'API calls for one deploy alone' (($oneCounts.Values | Measure-Object -Sum).Sum) 'calls'
    # Planning describes the 30 in 3 batches; the rest is the watch loop, ceil(n/10) per poll for the n still running.
    $watching = $counts['ecs.DescribeServices'] - [math]::Ceiling($workers.Count / 10)
    $lowerBound = [math]::Ceiling($workers.Count / 10)
    Write-BenchResult 'DescribeServices while watching 30' $watching 'calls' "at most $lowerBound per poll; one per service would be 30 per poll"
    Write-BenchResult 'DescribeServices per poll (if every poll had all 30)' $lowerBound 'calls' 'ceil(30/10)'
    Write-BenchResult 'return after COMPLETED (goal <= one poll, 1-5 s)' $lagSeconds 's' 'sandbox clock at return minus the deployment''s completion, in real seconds'
}
finally {
    Stop-MightySandbox
}
