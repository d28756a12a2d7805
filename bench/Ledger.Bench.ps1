# Deploys watched on ECS's service-deployment ledger: 30 piped services on mixed strategies
# (rolling, blue/green, linear, canary). Calls per poll (goal: ceil(30/10) DescribeServices +
# ceil(30/20) DescribeServiceDeployments, nothing per service) and how long after the ledger said
# SUCCESSFUL the cmdlet returns (goal: at most one poll interval, 1-5 s)
# (docs/design/ecs-service-deployments.md, "Finding our deployment, one poll").
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

$timeScale = 20
$sandbox = Start-MightySandbox -Seed demo -TimeScale $timeScale
try {
    foreach ($repository in 'app', 'nginx-proxy') { $null = $sandbox.PushImage($repository, 'master.5') }
    $workers = @(Get-MightyService -Cluster production | Where-Object Service -NotIn 'WEB', 'API' | Select-Object -First 30)
    # Mixed strategies: a third blue/green, a sixth linear, a sixth canary, the rest rolling.
    $strategies = @{
        BLUE_GREEN = '{"strategy":"BLUE_GREEN","bakeTimeInMinutes":1}'
        LINEAR     = '{"strategy":"LINEAR","bakeTimeInMinutes":1,"linearConfiguration":{"stepPercent":50.0,"stepBakeTimeInMinutes":1}}'
        CANARY     = '{"strategy":"CANARY","bakeTimeInMinutes":1,"canaryConfiguration":{"canaryPercent":10.0,"canaryBakeTimeInMinutes":1}}'
    }
    for ($i = 0; $i -lt $workers.Count; $i++) {
        $strategy = if ($i % 6 -in 0, 1) { 'BLUE_GREEN' } elseif ($i % 6 -eq 2) { 'LINEAR' } elseif ($i % 6 -eq 3) { 'CANARY' } else { $null }
        if ($strategy) {
            aws ecs update-service --cluster production --service $workers[$i].Service --deployment-configuration $strategies[$strategy] --output json | Out-Null
        }
    }

    # Started without waiting (each identified in the ledger once), then watched in one loop.
    $started = @($workers | Publish-MightyService -Tag master.5 -NoWait)
    $sandbox.ResetRequestCounts()
    $debug = [System.Collections.Generic.List[string]]::new()
    $wall = Measure-Command {
        $results = @(& { $DebugPreference = 'Continue'; $started | Wait-MightyDeployment 5>&1 } | ForEach-Object {
                if ($_ -is [System.Management.Automation.DebugRecord]) { if ($_.Message -like 'Poll *') { $debug.Add($_.Message) } } else { $_ }
            })
    }
    $now = [DateTimeOffset]::Parse((Invoke-RestMethod "$($sandbox.Endpoint)/_sandbox/info").now)
    $counts = $sandbox.RequestCounts
    $completed = @($results | Where-Object Status -EQ 'Completed').Count
    $byStrategy = ($results | Group-Object Strategy | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '

    Write-BenchResult "$($workers.Count) piped deploys watched" $wall.TotalSeconds 's' "$completed completed ($byStrategy); TimeScale $timeScale"
    Write-BenchResult 'first poll: calls' ([int]($debug[0] -replace '^.*?(\d+) DescribeServices and (\d+) .*$', '$1') + [int]($debug[0] -replace '^.*?(\d+) DescribeServiceDeployments.*$', '$1')) 'calls' "goal ceil(30/10) + ceil(30/20) = $([math]::Ceiling($workers.Count / 10) + [math]::Ceiling($workers.Count / 20)); $($debug[0])"
    $polls = $debug.Count
    Write-BenchResult 'polls' $polls 'polls'
    foreach ($key in $counts.Keys | Sort-Object) { Write-BenchResult "  $key" $counts[$key] 'calls' }
    $perPoll = ($counts['ecs.DescribeServices'] + $counts['ecs.DescribeServiceDeployments']) / [math]::Max($polls, 1)
    Write-BenchResult 'DescribeServices + DescribeServiceDeployments per poll (average, fewer as services finish)' $perPoll 'calls'
    Write-BenchResult 'ListServiceDeployments + DescribeServiceRevisions while watching (goal 0: identified once, at -NoWait)' (([int]$counts['ecs.ListServiceDeployments']) + ([int]$counts['ecs.DescribeServiceRevisions'])) 'calls'
    $last = ($results | Measure-Object -Property CompletedAt -Maximum).Maximum
    Write-BenchResult 'return after the last SUCCESSFUL (goal <= one poll, 1-5 s)' (($now - $last).TotalSeconds / $timeScale) 's' 'sandbox clock at return minus the ledger''s finishedAt, in real seconds'
}
finally {
    Stop-MightySandbox
}
