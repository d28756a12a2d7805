# Deploys behind a load balancer in the demo sandbox (WEB on web-tg, API on api-tg, AWS's
# defaults: 300 s deregistration delay, a check every 30 s, 5 to be healthy): where the minutes
# went, checked against the sandbox's own task and event times; the advice that names the
# setting; the shorter deploy once it is changed; an image that fails its health checks; the
# Sidekiq shutdown warning; no advice for a short deploy.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    foreach ($tag in 'master.5', 'master.6') {
        foreach ($repository in 'app', 'nginx-proxy') { $null = $script:sandbox.PushImage($repository, $tag) }
    }
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("mighty-lb-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    # ECS's own record of a service's tasks (running and stopped), as the AWS CLI reads it.
    function Get-EcsTasks([string] $Service) {
        $arns = foreach ($status in 'RUNNING', 'STOPPED') {
            (aws ecs list-tasks --cluster production --service-name $Service --desired-status $status | ConvertFrom-Json).taskArns
        }
        (aws ecs describe-tasks --cluster production --tasks @($arns) | ConvertFrom-Json).tasks
    }

    # The CLI's JSON writes timestamps as epoch seconds.
    function ConvertFrom-Epoch($Value) { [DateTimeOffset]::FromUnixTimeMilliseconds([long]([double]$Value * 1000)) }

    function Get-TargetGroupArn([string] $Name) {
        (aws elbv2 describe-target-groups --names $Name | ConvertFrom-Json).TargetGroups[0].TargetGroupArn
    }
}

AfterAll {
    Stop-MightySandbox
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-MightyTask behind a load balancer' {
    It 'shows the target of each task: group, state and reason' {
        $tasks = @(Get-MightyTask -Cluster production -Service WEB, sync_crm)
        $web = @($tasks | Where-Object Service -EQ WEB)
        $web.Count | Should -Be 2
        foreach ($task in $web) {
            $task.TargetHealth.Count | Should -Be 1
            $task.TargetHealth[0].TargetGroup | Should -Be 'web-tg'
            $task.TargetHealth[0].State | Should -Be 'healthy'
            "$($task.TargetHealth)" | Should -Be 'web-tg healthy'
        }
        ($tasks | Where-Object Service -EQ sync_crm).TargetHealth.Count | Should -Be 0
        ($web[0] | Format-List | Out-String) | Should -Match 'TargetHealth\s+: web-tg healthy'
        ($web | ConvertTo-Csv | ConvertFrom-Csv)[0].TargetHealth | Should -Be 'web-tg healthy'
    }
}

Describe 'A deploy behind a load balancer' {
    It 'has its phases in order, as the sandbox recorded them, with draining dominating and the advice that fixes it' {
        $script:first = Publish-MightyService -Cluster production -Service WEB -Tag master.5
        $first = $script:first
        $first.Status | Should -Be 'Completed'
        @($first.Timeline.Name) | Should -Be @('Registered', 'Placing', 'Starting', 'HealthChecks', 'Draining', 'StoppingOld', 'Done')
        $phase = @{}; $first.Timeline | ForEach-Object { $phase[$_.Name] = $_ }

        # The sandbox's own times: task timestamps from DescribeTasks, draining from the service's events.
        $tasks = @(Get-EcsTasks WEB)
        $new = @($tasks | Where-Object taskDefinitionArn -EQ $first.TaskDefinitionArn)
        $old = @($tasks | Where-Object { $_.taskDefinitionArn -eq $first.PreviousTaskDefinitionArn -and (ConvertFrom-Epoch $_.stoppedAt) -gt $first.StartedAt })
        $new.Count | Should -Be 2
        $old.Count | Should -Be 2
        $drains = @(Get-MightyServiceEvent -Cluster production -Service WEB -Since $first.StartedAt.UtcDateTime | Where-Object Message -Match 'has begun draining connections')
        $drains.Count | Should -Be 2
        $near = { param($a, $b) [Math]::Abs(([DateTimeOffset]$a - [DateTimeOffset]$b).TotalSeconds) | Should -BeLessOrEqual 1 }
        & $near $phase.Starting.End (ConvertFrom-Epoch ($new.startedAt | Sort-Object | Select-Object -Last 1))
        & $near $phase.Draining.Start ($drains.CreatedAt | Sort-Object | Select-Object -First 1)
        & $near $phase.Draining.End (ConvertFrom-Epoch ($old.stoppingAt | Sort-Object | Select-Object -Last 1))
        & $near $phase.StoppingOld.End (ConvertFrom-Epoch ($old.stoppedAt | Sort-Object | Select-Object -Last 1))
        # The target group's settings in time: 5 checks 30 s apart, then 300 s of draining (ECS works on a 5 s tick).
        $phase.HealthChecks.Duration.TotalSeconds | Should -BeGreaterOrEqual 150
        $phase.HealthChecks.Duration.TotalSeconds | Should -BeLessOrEqual 160
        $phase.Draining.Duration.TotalSeconds | Should -BeGreaterOrEqual 300
        $phase.Draining.Duration.TotalSeconds | Should -BeLessOrEqual 305

        $first.SlowestPhase | Should -Be 'Draining'
        $first.Advice[0] | Should -Match "^Draining took 5:0\d of \d+:\d\d: web-tg's deregistration_delay.timeout_seconds is 300 \(default\); .*30 would have saved 4:30\.$"
        $text = $first | Format-List | Out-String -Width 200
        $text | Should -Match 'TimelineBar|Timeline\s+: \[[PSHDO.]+\] \d+:\d\d'
        $text | Should -Match 'SlowestPhase\s+: Draining'
    }

    It 'is shorter by about the advised saving once the deregistration delay is lowered' {
        $arn = Get-TargetGroupArn 'web-tg'
        aws elbv2 modify-target-group-attributes --target-group-arn $arn --attributes Key=deregistration_delay.timeout_seconds,Value=30 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $second = Publish-MightyService -Cluster production -Service WEB -Tag master.6
        $second.Status | Should -Be 'Completed'
        ($second.Timeline | Where-Object Name -EQ 'Draining').Duration.TotalSeconds | Should -BeLessOrEqual 35
        $saved = $script:first.Duration - $second.Duration
        Write-Host "WEB deploy: $($script:first.Duration) with the default 300 s delay, $($second.Duration) with 30 s; saved $saved (advised 4:30)"
        $saved.TotalSeconds | Should -BeGreaterOrEqual 250
        $saved.TotalSeconds | Should -BeLessOrEqual 290
        $second.Advice | Should -Not -Match 'deregistration_delay'
    }

    It 'fails on an image that answers its health checks with 502, naming the target group, the reason and the codes, and rolls back' {
        $null = $script:sandbox.PushImage('app', 'unhealthy.1')
        $null = $script:sandbox.SetImageFailsHealthChecks('app', 'unhealthy.1')
        $before = (Get-MightyService -Cluster production -Service API).TaskDefinitionArn
        $result = Publish-MightyService -Cluster production -Service API -Tag unhealthy.1 -ErrorVariable failed -ErrorAction SilentlyContinue -InformationVariable info
        $result.Status | Should -Be 'RolledBack'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Match '^DeploymentFailed'
        $message = $failed[0].Exception.Message
        $message | Should -Match 'api-tg'
        $message | Should -Match 'Health checks failed with these codes: \[502\]'
        $message | Should -Match 'Task failed ELB health checks'
        (Get-MightyService -Cluster production -Service API).TaskDefinitionArn | Should -Be $before
    }

    It 'warns before deploying a Sidekiq worker whose stopTimeout is shorter than its shutdown timeout' {
        $path = Join-Path $script:work 'mighty.psd1'
        Set-Content -Path $path -Value "@{ Services = @{ mailers = @{ Containers = @{ sidekiq = @{ Command = @('bundle', 'exec', 'sidekiq', '-q', 'mailers', '-t', '60'); StopTimeout = 30 } } } } }"
        $result = Publish-MightyService -Cluster production -Service mailers -Tag master.5 -ConfigPath $path -WarningVariable warned -WarningAction SilentlyContinue
        $result.Status | Should -Be 'Completed'
        @($warned -match 'stopTimeout 30 but Sidekiq.s shutdown timeout is 60 s \(-t 60\)').Count | Should -Be 1
    }

    It 'gives no advice for a deploy whose phases are all short' {
        $result = Publish-MightyService -Cluster production -Service sync_crm -Tag master.5
        $result.Status | Should -Be 'Completed'
        @($result.Timeline.Name) | Should -Be @('Registered', 'Placing', 'Starting', 'StoppingOld', 'Done')
        $result.Advice.Count | Should -Be 0
        $result.SlowestPhase | Should -Not -BeNullOrEmpty
    }
}
