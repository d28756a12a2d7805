# Deploys judged by ECS's service-deployment ledger, against the demo sandbox: every strategy ends
# Completed exactly when the ledger says SUCCESSFUL, rollbacks (circuit breaker, alarm, ECS's own
# failed rollback, a stop) are reported as ECS decided them, pause hooks are announced and
# answered, a rollback in flight is StopServiceDeployment, one deploy per service at a time, and
# the DescribeServices rules where the ledger is not available (docs/design/ecs-service-deployments.md).

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    foreach ($repository in 'app', 'nginx-proxy') { $null = $script:sandbox.PushImage($repository, 'master.5') }

    # The ledger's own record of a service deployment, read with the AWS CLI.
    function Get-LedgerEntry([string] $Arn) {
        $answer = aws ecs describe-service-deployments --service-deployment-arns $Arn --output json | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $answer.serviceDeployments[0]
    }

    # A time of the AWS CLI's JSON (seconds since the epoch) as a DateTimeOffset.
    function ConvertFrom-Epoch($Value) { [DateTimeOffset]::FromUnixTimeMilliseconds([long][Math]::Round([double]$Value * 1000)) }

    # A service's deployment configuration changed with the AWS CLI (no new deployment).
    function Set-DeploymentConfiguration([string] $Service, [string] $Json) {
        aws ecs update-service --cluster production --service $Service --deployment-configuration $Json --output json | Out-Null
        $LASTEXITCODE | Should -Be 0
    }
}

AfterAll {
    Stop-MightySandbox $script:sandbox
}

Describe 'Deploys on every strategy' {
    It 'ends each strategy''s good deploy Completed exactly when the ledger says SUCCESSFUL, after its bake time' {
        $results = @(Publish-MightyService -Cluster production -Service WEB, imports, exports, reports -Tag master.5)
        $results.Count | Should -Be 4
        $expected = @{ WEB = @('ROLLING', 0); imports = @('BLUE_GREEN', 1); exports = @('LINEAR', 2); reports = @('CANARY', 2) }
        foreach ($result in $results) {
            $result.Status | Should -Be 'Completed'
            $result.EcsStatus | Should -Be 'SUCCESSFUL'
            $result.Strategy | Should -Be $expected[$result.Service][0]
            $result.DeploymentArn | Should -Match ':service-deployment/production/'
            $entry = Get-LedgerEntry $result.DeploymentArn
            $entry.status | Should -Be 'SUCCESSFUL'
            [Math]::Abs(((ConvertFrom-Epoch $entry.finishedAt) - $result.CompletedAt).TotalMilliseconds) | Should -BeLessOrEqual 1 -Because 'the result completes when the ledger does'
            ($result.CompletedAt - (ConvertFrom-Epoch $entry.startedAt)).TotalMinutes | Should -BeGreaterOrEqual $expected[$result.Service][1] -Because 'bake and step times are waited out'
            $result.ImageDigests.Values | ForEach-Object { $_ | Should -Match '^sha256:[0-9a-f]{64}$' }
        }
    }

    It 'ends broken.1 RolledBack on each strategy, with the circuit breaker''s counts in the error' {
        $results = @(Publish-MightyService -Cluster production -Service mailers, imports, exports, reports -Tag broken.1 -ErrorVariable failed -ErrorAction SilentlyContinue)
        $results.Status | Should -Be @('RolledBack', 'RolledBack', 'RolledBack', 'RolledBack')
        $results.EcsStatus | Sort-Object -Unique | Should -Be 'ROLLBACK_SUCCESSFUL'
        $failed.Count | Should -Be 4
        foreach ($error in $failed) {
            $error.FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
            "$error" | Should -Match 'Circuit breaker: \d+ of \d+ tasks failed \(TRIGGERED\)'
            "$error" | Should -Match 'Rolled back by ECS'
        }
        foreach ($result in $results) {
            $result.CircuitBreaker.Status | Should -Be 'TRIGGERED'
            $result.CircuitBreaker.FailureCount | Should -BeGreaterOrEqual $result.CircuitBreaker.Threshold
            $result.Rollback.By | Should -Be 'ECS'
        }
    }

    It 'names the CloudWatch alarm that rolled a deployment back' {
        Set-DeploymentConfiguration low '{"alarms":{"alarmNames":["low-5xx"],"enable":true,"rollback":true}}'
        $script:sandbox.SetAlarm('low-5xx', $true)
        try {
            $result = Publish-MightyService -Cluster production -Service low -Tag master.5 -ErrorVariable failed -ErrorAction SilentlyContinue
        }
        finally {
            $script:sandbox.SetAlarm('low-5xx', $false)
        }
        $result.Status | Should -Be 'RolledBack'
        $result.TriggeredAlarms | Should -Be @('low-5xx')
        "$($failed[0])" | Should -Match 'CloudWatch alarm in ALARM: low-5xx'
    }
}

Describe 'ECS''s other verdicts' {
    It 'reports ROLLBACK_FAILED as Failed, saying what the service runs and what to do' {
        # The revision to roll back to starts no more either: ECS's rollback fails too.
        $null = $script:sandbox.PushImage('app', 'rbf.1')
        (Publish-MightyService -Cluster production -Service sync_crm -Tag rbf.1).Status | Should -Be 'Completed'
        $null = $script:sandbox.SetImageFailsToStart('app', 'rbf.1')
        $result = Publish-MightyService -Cluster production -Service sync_crm -Tag broken.1 -ErrorVariable failed -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $result.EcsStatus | Should -Be 'ROLLBACK_FAILED'
        "$($failed[0])" | Should -Match 'ECS''s rollback failed too \(ROLLBACK_FAILED'
        "$($failed[0])" | Should -Match 'Restore-MightyService -Cluster production -Service sync_crm -TaskDefinition'
        "$warned" | Should -Match 'may run no healthy task'
    }

    It 'reports a deployment stopped in ECS as Stopped, with DeploymentStopped' {
        # An hour of bake time: the deployment is still open when the AWS CLI stops it, however slow the machine.
        Set-DeploymentConfiguration billing '{"strategy":"BLUE_GREEN","bakeTimeInMinutes":60}'
        $started = Publish-MightyService -Cluster production -Service billing -Tag master.5 -NoWait
        aws ecs stop-service-deployment --service-deployment-arn $started.DeploymentArn --stop-type ABORT --output json | Out-Null
        $LASTEXITCODE | Should -Be 0
        $result = $started | Wait-MightyDeployment -ErrorVariable failed -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Stopped'
        $result.EcsStatus | Should -Be 'STOPPED'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentStopped,*'
    }

    It 'Stop-MightyDeployment without -Rollback stops a deployment where it stands, as asked' {
        $started = Publish-MightyService -Cluster production -Service billing -Tag master.3 -NoWait
        $result = $started | Stop-MightyDeployment -Confirm:$false -ErrorVariable failed
        $result.Status | Should -Be 'Stopped'
        $failed | Should -BeNullOrEmpty
    }
}

Describe 'Pause hooks' {
    It 'says the wait is at a pause hook; Resume-MightyDeployment -Continue completes it, -Rollback rolls the next back' {
        $waited = Wait-MightyDeployment -Cluster staging -Service API -Timeout 3 -NoRollback -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $waited.Status | Should -Be 'TimedOut'
        @($warned | Where-Object { "$_" -match 'waits at a pause hook' }).Count | Should -Be 1 -Because 'the hook is announced once'
        "$warned" | Should -Match 'stage POST_SCALE_UP'
        "$warned" | Should -Match 'Resume-MightyDeployment -Cluster staging -Service API -Continue'
        "$warned" | Should -Match 'then ECS rolls it back'

        $continued = Resume-MightyDeployment -Cluster staging -Service API -Continue -Confirm:$false
        $continued.Status | Should -Be 'Completed'
        $continued.EcsStatus | Should -Be 'SUCCESSFUL'

        $before = (Get-MightyService -Cluster staging -Service API).TaskDefinitionArn
        $started = Publish-MightyService -Cluster staging -Service API -Tag master.5 -NoWait
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ((Get-MightyDeployment -Cluster staging -Service API -Last 1).LifecycleStage -ne 'POST_SCALE_UP') {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The deployment did not reach its pause hook.' }
            Start-Sleep -Milliseconds 100
        }
        $script:sandbox.ResetRequestCounts()
        $rolledBack = $started | Resume-MightyDeployment -Rollback -Confirm:$false -ErrorVariable failed
        $rolledBack.Status | Should -Be 'RolledBack'
        $failed | Should -BeNullOrEmpty -Because 'the rollback was asked for'
        $script:sandbox.RequestCounts['ecs.ContinueServiceDeployment'] | Should -Be 1
        (Get-MightyService -Cluster staging -Service API).TaskDefinitionArn | Should -Be $before
    }
}

Describe 'Rolling back in flight' {
    It 'Stop-MightyDeployment -Rollback during a LINEAR deployment rolls it back' {
        # Half-hour steps: the deployment is still shifting traffic when it is stopped.
        Set-DeploymentConfiguration exports '{"strategy":"LINEAR","bakeTimeInMinutes":1,"linearConfiguration":{"stepPercent":50.0,"stepBakeTimeInMinutes":30}}'
        $before = (Get-MightyService -Cluster production -Service exports).TaskDefinitionArn
        $started = Publish-MightyService -Cluster production -Service exports -Tag master.3 -NoWait
        $script:sandbox.ResetRequestCounts()
        $result = $started | Stop-MightyDeployment -Rollback -Confirm:$false -ErrorVariable failed
        $result.Status | Should -Be 'RolledBack'
        $result.Strategy | Should -Be 'LINEAR'
        $result.Rollback.By | Should -Be 'StopServiceDeployment'
        $failed | Should -BeNullOrEmpty
        $script:sandbox.RequestCounts['ecs.StopServiceDeployment'] | Should -Be 1
        $script:sandbox.RequestCounts['ecs.UpdateService'] | Should -BeNullOrEmpty
        (Get-MightyService -Cluster production -Service exports).TaskDefinitionArn | Should -Be $before
    }

    It 'Publish-MightyService rolls a timed-out deployment back with StopServiceDeployment while it is in flight' {
        $script:sandbox.ResetRequestCounts()
        $result = Publish-MightyService -Cluster production -Service exports -Tag master.4 -Timeout 1 -ErrorVariable failed -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'TimedOut'
        $result.Rollback.By | Should -Be 'StopServiceDeployment'
        $result.EcsStatus | Should -Be 'ROLLBACK_SUCCESSFUL'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentTimedOut,*'
        $script:sandbox.RequestCounts['ecs.StopServiceDeployment'] | Should -Be 1
        $script:sandbox.RequestCounts['ecs.UpdateService'] | Should -Be 1 -Because 'only the deploy itself updates the service'
    }

    It 'rolls back with the previous revision once ECS has stopped a failed deployment without rolling back' {
        Set-DeploymentConfiguration webhooks '{"deploymentCircuitBreaker":{"enable":true,"rollback":false}}'
        $before = (Get-MightyService -Cluster production -Service webhooks).TaskDefinitionArn
        $script:sandbox.ResetRequestCounts()
        $result = Publish-MightyService -Cluster production -Service webhooks -Tag broken.1 -ErrorVariable failed -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'RolledBack'
        $result.Rollback.By | Should -Be 'UpdateService'
        $script:sandbox.RequestCounts['ecs.StopServiceDeployment'] | Should -BeNullOrEmpty
        $script:sandbox.RequestCounts['ecs.UpdateService'] | Should -Be 2
        (Get-MightyService -Cluster production -Service webhooks).TaskDefinitionArn | Should -Be $before
    }
}

Describe 'One deploy per service at a time' {
    It 'refuses a deploy while another is in progress, before registering anything' {
        Set-DeploymentConfiguration reports '{"strategy":"CANARY","bakeTimeInMinutes":1,"canaryConfiguration":{"canaryPercent":10.0,"canaryBakeTimeInMinutes":30}}'
        $started = Publish-MightyService -Cluster production -Service reports -Tag master.3 -NoWait
        $script:sandbox.ResetRequestCounts()
        $refused = Publish-MightyService -Cluster production -Service reports -Tag master.4 -ErrorVariable failed -ErrorAction SilentlyContinue
        $refused | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentInProgress,*'
        "$($failed[0])" | Should -Match ([regex]::Escape($started.DeploymentArn))
        "$($failed[0])" | Should -Match 'app:master\.3'
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -BeNullOrEmpty
        $script:sandbox.RequestCounts['ecs.UpdateService'] | Should -BeNullOrEmpty
        $script:sandbox.AdvanceTime([timespan]::FromMinutes(40))
        ($started | Wait-MightyDeployment).Status | Should -Be 'Completed'
    }

    It 'refuses a service of the CODE_DEPLOY controller by name, before registering anything, and deploys the others' {
        $web = aws ecs describe-services --cluster production --services WEB --output json | ConvertFrom-Json
        aws ecs create-service --cluster production --service-name legacy --task-definition $web.services[0].taskDefinition --desired-count 0 --launch-type EC2 --deployment-controller type=CODE_DEPLOY --output json | Out-Null
        $LASTEXITCODE | Should -Be 0
        $null = $script:sandbox.PushImage('app', 'cd.1')
        $script:sandbox.ResetRequestCounts()
        $results = @(Publish-MightyService -Cluster production -Service legacy, low -Tag cd.1 -ErrorVariable failed -ErrorAction SilentlyContinue)
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentControllerUnsupported,*'
        "$($failed[0])" | Should -Match "'legacy' uses the CODE_DEPLOY deployment controller"
        $results.Service | Should -Be 'low'
        $results.Status | Should -Be 'Completed'
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -Be 1 -Because 'only low gets a new revision'
    }

    It 'lets exactly one of two processes deploying one service at once go ahead' {
        # Both look before either updates the service (UpdateService answers slowly), and both
        # start when both are ready, as two people pressing enter together.
        $script:sandbox.SetLatency([timespan]::FromSeconds(5), 'ecs.UpdateService')
        $barrier = Join-Path ([IO.Path]::GetTempPath()) ('mighty-race-' + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $barrier | Out-Null
        $deploy = {
            param($manifest, $sandbox, $tag, $barrier)
            $env:AWS_ENDPOINT_URL = $sandbox.Endpoint; $env:AWS_REGION = $sandbox.Region
            $env:AWS_ACCESS_KEY_ID = $sandbox.AccessKeyId; $env:AWS_SECRET_ACCESS_KEY = $sandbox.SecretAccessKey
            Import-Module $manifest
            New-Item -ItemType File -Path (Join-Path $barrier $tag) | Out-Null
            while (-not (Test-Path (Join-Path $barrier 'go'))) { Start-Sleep -Milliseconds 20 }
            $result = Publish-MightyService -Cluster production -Service ios_web_scrape -Tag $tag -ErrorVariable failed -ErrorAction SilentlyContinue
            [pscustomobject]@{ Status = $result.Status; Error = ($failed | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) -join ',' }
        }
        $info = [pscustomobject]@{ Endpoint = $script:sandbox.Endpoint; Region = $script:sandbox.Region; AccessKeyId = $script:sandbox.AccessKeyId; SecretAccessKey = $script:sandbox.SecretAccessKey }
        try {
            $jobs = 'master.3', 'master.5' | ForEach-Object { Start-Job -ScriptBlock $deploy -ArgumentList $script:ModuleManifest, $info, $_, $barrier }
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while (@(Get-ChildItem $barrier).Count -lt 2) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "The deploys did not get ready: $($jobs | Receive-Job -Keep *>&1 | Out-String)" }
                Start-Sleep -Milliseconds 50
            }
            New-Item -ItemType File -Path (Join-Path $barrier 'go') | Out-Null
            $results = @($jobs | Wait-Job -Timeout 120 | Receive-Job)
        }
        finally {
            $script:sandbox.SetLatency([timespan]::Zero)
            $jobs | Remove-Job -Force
            Remove-Item $barrier -Recurse -Force -ErrorAction SilentlyContinue
        }
        $results.Count | Should -Be 2
        @($results | Where-Object Status -EQ 'Completed').Count | Should -Be 1
        @($results | Where-Object Error -EQ 'DeploymentInProgress').Count | Should -Be 1
    }
}

Describe 'Without the ledger' {
    It 'judges deploys by DescribeServices, and says so once in -Verbose' {
        $script:sandbox.SetServiceDeploymentsAvailable($false)
        try {
            $good = Publish-MightyService -Cluster production -Service android_web_scrape -Tag master.5 -Verbose 4>&1
            $bad = Publish-MightyService -Cluster production -Service mailers -Tag broken.1 -ErrorVariable failed -ErrorAction SilentlyContinue
            { Get-MightyDeployment -Cluster production -Service WEB -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceDeploymentsUnavailable*'
        }
        finally {
            $script:sandbox.SetServiceDeploymentsAvailable($true)
        }
        $result = $good | Where-Object { $_ -is [MightyOps.MightyDeployment] }
        $result.Status | Should -Be 'Completed'
        $result.DeploymentArn | Should -BeNullOrEmpty
        $result.EcsStatus | Should -BeNullOrEmpty
        @($good | Where-Object { "$_" -match 'ledger is not available' }).Count | Should -Be 1
        $bad.Status | Should -Be 'RolledBack'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
    }
}
