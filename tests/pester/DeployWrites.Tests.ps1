# Writes that must not happen twice, and reruns that must not be fooled: a slow endpoint whose
# answers come after the client gave up, a deploy killed after it registered or while it watched,
# two deploys of one service at once, and S3 throttling, all against the sandbox.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    Set-QuickTargetGroups   # WEB and API deploys in seconds rather than 8 simulated minutes
    foreach ($repository in 'app', 'nginx-proxy') { $null = $script:sandbox.PushImage($repository, 'master.5') }
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("mighty-writes-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    # The ACTIVE revisions of a family, newest first, read with the real AWS CLI.
    function Get-Revision([string] $Family, [string] $Endpoint = $script:sandbox.Endpoint) {
        @((aws ecs list-task-definitions --family-prefix $Family --sort DESC --endpoint-url $Endpoint | ConvertFrom-Json).taskDefinitionArns)
    }

    # Waits until the sandbox has answered every request it holds (a request held back by latency
    # still lands after its client gave up, as with AWS).
    function Wait-SandboxIdle($Sandbox) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ($Sandbox.RequestsInProgress -gt 0) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The sandbox still holds requests after a minute.' }
            Start-Sleep -Milliseconds 20
        }
    }

    # Starts Publish-MightyService in a child pwsh, waits until $Until (a script block over the
    # sandbox) holds, then kills the child and everything it started: a deploy stopped hard.
    function Invoke-KilledDeploy([string] $Arguments, [scriptblock] $Until, $Sandbox = $script:sandbox) {
        $script = Join-Path $script:work ("killed-" + [guid]::NewGuid().ToString('n') + '.ps1')
        @"
Import-Module '$($script:ModuleManifest)'
Publish-MightyService -EndpointUrl '$($Sandbox.Endpoint)' $Arguments
"@ | Set-Content -Path $script -Encoding utf8NoBOM
        $pwsh = Get-FreshPwsh
        $out = Join-Path $script:work ("killed-" + [guid]::NewGuid().ToString('n'))
        $process = Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script)) `
            -PassThru -RedirectStandardOutput "$out.out" -RedirectStandardError "$out.err"
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not (& $Until $Sandbox)) {
                if ($process.HasExited) { throw "The deploy ended before it could be killed: $(Get-Content "$out.out", "$out.err" -Raw)" }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The deploy never got there.' }
                Start-Sleep -Milliseconds 20
            }
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.WaitForExit()
        }
    }

    # Runs Publish-MightyService in a thread job against $Sandbox, with -Verbose.
    function Start-DeployJob([hashtable] $Parameters, $Sandbox) {
        Start-ThreadJob -ScriptBlock {
            param($manifest, $endpoint, $parameters)
            Import-Module $manifest
            Publish-MightyService -EndpointUrl $endpoint @parameters -Verbose
        } -ArgumentList $script:ModuleManifest, $Sandbox.Endpoint, $Parameters
    }

    # Waits until $Condition holds (polling), failing after a minute with $What.
    function Wait-Until([scriptblock] $Condition, [string] $What) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting until $What." }
            Start-Sleep -Milliseconds 50
        }
    }

    # Moves simulated time in steps until every job has finished.
    function Wait-JobAdvancingTime($Jobs, $Sandbox) {
        $deadline = [DateTime]::UtcNow.AddSeconds(180)
        while (@($Jobs | Where-Object State -In 'NotStarted', 'Running').Count -gt 0) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The deploys did not finish: $($Jobs | Receive-Job -Keep *>&1 | Out-String)" }
            $Sandbox.AdvanceTime([timespan]::FromSeconds(15))
            Start-Sleep -Milliseconds 250
        }
    }

    function Write-Config([string] $Text) {
        $path = Join-Path $script:work ("mighty-" + [guid]::NewGuid().ToString('n') + '.psd1')
        Set-Content -Path $path -Value $Text
        $path
    }
}

AfterAll {
    Stop-MightySandbox -Sandbox $script:sandbox
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A deploy against an endpoint that answers RegisterTaskDefinition after the client gave up' {
    AfterEach {
        $script:sandbox.SetLatency([timespan]::Zero)
        Wait-SandboxIdle $script:sandbox
    }

    It 'registers exactly one new revision, found by its request tag, and completes' {
        $before = Get-Revision API
        $script:sandbox.ResetRequestCounts()
        # Every answer comes 2.5 s after the request, the client waits 1 s per attempt.
        $script:sandbox.SetLatency([timespan]::FromSeconds(2.5), 'ecs.RegisterTaskDefinition')
        $result = Publish-MightyService -Cluster production -Service API -Tag master.5 -TimeoutSec 1 -ErrorVariable failed -ErrorAction SilentlyContinue
        $script:sandbox.SetLatency([timespan]::Zero)
        Wait-SandboxIdle $script:sandbox

        $failed | Should -BeNullOrEmpty
        $result.Status | Should -Be 'Completed'
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -Be 1 -Because 'a registration that got no answer is never sent again'
        $after = Get-Revision API
        $after.Count | Should -Be ($before.Count + 1)
        $after[0] | Should -Be $result.TaskDefinitionArn
        $tags = (aws ecs describe-task-definition --task-definition $result.TaskDefinitionArn --include TAGS | ConvertFrom-Json).tags
        ($tags | Where-Object key -EQ 'mightyops:request').value | Should -Match '^[0-9a-f]{32}$'
    }

    It 'registers at most one when no answer comes in time, says so, and the rerun deploys that one' {
        $before = Get-Revision WEB
        $script:sandbox.ResetRequestCounts()
        $script:sandbox.SetLatency([timespan]::FromMinutes(2), 'ecs.RegisterTaskDefinition')
        $result = Publish-MightyService -Cluster production -Service WEB -Tag master.5 -TimeoutSec 1 -ErrorVariable failed -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AwsWriteOutcomeUnknown,*'
        "$($failed[0])" | Should -Match 'ECS RegisterTaskDefinition may or may not have happened'
        "$($failed[0])" | Should -Match 'WEB tagged mightyops:request=[0-9a-f]{32}'
        "$($failed[0])" | Should -Match 'happened at most once'
        "$($failed[0])" | Should -Match "Service 'WEB' was not updated"
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -Be 1
        $script:sandbox.RequestCounts['ecs.UpdateService'] | Should -BeNullOrEmpty

        # The endpoint recovers: the held registration lands after all.
        $script:sandbox.SetLatency([timespan]::Zero)
        Wait-SandboxIdle $script:sandbox
        $landed = Get-Revision WEB
        $landed.Count | Should -Be ($before.Count + 1)

        $rerun = Publish-MightyService -Cluster production -Service WEB -Tag master.5
        $rerun.Status | Should -Be 'Completed'
        $rerun.TaskDefinitionArn | Should -Be $landed[0]
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -Be 1 -Because 'the rerun deploys the revision that landed'
        (Get-Revision WEB).Count | Should -Be ($before.Count + 1)
    }
}

Describe 'A deploy killed after it registered, before it updated the service' {
    It 'is finished by the rerun with the same revision: one revision in all' {
        $before = Get-Revision mailers
        $live = (Get-MightyService -Cluster production -Service mailers).TaskDefinitionArn
        $script:sandbox.ResetRequestCounts()
        # UpdateService is refused (throttled, so never carried out) until the run is killed.
        $script:sandbox.SetFaults(1, 0, 'ecs.UpdateService')
        try {
            Invoke-KilledDeploy '-Cluster production -Service mailers -Tag master.5' { param($s) $s.RequestCounts['ecs.UpdateService'] -ge 1 }
        }
        finally {
            $script:sandbox.SetFaults(0, 0)
        }
        $registered = Get-Revision mailers
        $registered.Count | Should -Be ($before.Count + 1)
        (Get-MightyService -Cluster production -Service mailers).TaskDefinitionArn | Should -Be $live

        $rerun = Publish-MightyService -Cluster production -Service mailers -Tag master.5
        $rerun.Status | Should -Be 'Completed'
        $rerun.TaskDefinitionArn | Should -Be $registered[0]
        $rerun.PreviousTaskDefinitionArn | Should -Be $live
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -Be 1
        (Get-Revision mailers).Count | Should -Be ($before.Count + 1)
    }
}

Describe 'A rerun while the rollout of a killed deploy is still in progress' {
    BeforeAll {
        # Simulated time all but stands still (a tenth of a second per second: a rollout waits
        # minutes before its first task starts) unless the test moves it, so the rollout waits for the rerun.
        $script:frozen = Start-MightySandbox -Seed demo -TimeScale 0.1 -NoEnvironment
        $null = $script:frozen.PushImage('app', 'master.5')
        $null = $script:frozen.PushImage('app', 'master.6', $true)
        $null = $script:frozen.PushImage('app', 'master.7')
    }
    AfterAll {
        Stop-MightySandbox -Sandbox $script:frozen
    }

    It 'watches that rollout and reports it <Outcome>' -ForEach @(
        @{ Service = 'critical'; Tag = 'master.5'; Outcome = 'Completed' }
        @{ Service = 'high'; Tag = 'master.6'; Outcome = 'RolledBack' }
    ) {
        $live = (Get-MightyService -EndpointUrl $script:frozen.Endpoint -Cluster production -Service $Service).TaskDefinitionArn
        $before = Get-Revision $Service $script:frozen.Endpoint
        $script:frozen.ResetRequestCounts()
        Invoke-KilledDeploy "-Cluster production -Service $Service -Tag $Tag" { param($s) $s.RequestCounts['ecs.UpdateService'] -ge 1 } $script:frozen
        $inFlight = (Get-MightyService -EndpointUrl $script:frozen.Endpoint -Cluster production -Service $Service).Deployments | Where-Object Status -EQ 'PRIMARY'
        $inFlight.RolloutState | Should -Be 'IN_PROGRESS'

        $job = Start-DeployJob @{ Cluster = 'production'; Service = $Service; Tag = $Tag } $script:frozen
        try {
            Wait-Until { $job.Verbose.Message -match 'still in progress; watching it' -or $job.State -notin 'NotStarted', 'Running' } 'the rerun watches'
            Wait-JobAdvancingTime $job $script:frozen
            $result = Receive-Job $job -ErrorVariable failed -ErrorAction SilentlyContinue
        }
        finally {
            $job | Remove-Job -Force
        }
        $result.Status | Should -Be $Outcome
        $result.DeploymentId | Should -Be $inFlight.Id
        $result.TaskDefinitionArn | Should -Be $inFlight.TaskDefinitionArn
        $result.PreviousTaskDefinitionArn | Should -Be $live
        if ($Outcome -eq 'RolledBack') {
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
            $result.FailureReason | Should -Match 'exit code 1'
            (Get-MightyService -EndpointUrl $script:frozen.Endpoint -Cluster production -Service $Service).TaskDefinitionArn | Should -Be $live
        }
        else {
            $failed | Should -BeNullOrEmpty
        }
        $script:frozen.RequestCounts['ecs.RegisterTaskDefinition'] | Should -Be 1
        (Get-Revision $Service $script:frozen.Endpoint).Count | Should -Be ($before.Count + 1)
    }

    It 'ends a deploy superseded mid-wait (another deploy with -Force) as Superseded naming the winner' {
        $script:frozen.ResetRequestCounts()
        $first = Start-DeployJob @{ Cluster = 'production'; Service = 'low'; Tag = 'master.5' } $script:frozen
        $second = $null
        try {
            # Mid-wait: the first deploy has found its deployment in the ledger before the second starts.
            Wait-Until { $first.Verbose.Message -match 'service deployment arn:' } 'the first deploy found its deployment'
            $second = Start-DeployJob @{ Cluster = 'production'; Service = 'low'; Tag = 'master.7'; Force = $true } $script:frozen
            Wait-Until { $script:frozen.RequestCounts['ecs.UpdateService'] -ge 2 } 'the second deploy updated the service'
            Wait-JobAdvancingTime @($first, $second) $script:frozen
            $loser = Receive-Job $first -ErrorVariable loserErrors -WarningVariable loserWarnings -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $winner = Receive-Job $second -ErrorVariable winnerErrors -ErrorAction SilentlyContinue
        }
        finally {
            $first, $second | Where-Object { $_ } | Remove-Job -Force
        }
        $winner.Status | Should -Be 'Completed'
        $loser.Status | Should -Be 'Superseded'
        $loser.SupersededByTaskDefinitionArn | Should -Be $winner.TaskDefinitionArn
        $loser.SupersededByDeploymentArn | Should -Be $winner.DeploymentArn
        $loser.FailureReason | Should -Match ([regex]::Escape([MightyOps.MightyServiceDeployment]::ShortTaskDefinition($winner.TaskDefinitionArn)))
        $loserErrors | Should -BeNullOrEmpty -Because 'being superseded is not a failure of the deploy'
        $winnerErrors | Should -BeNullOrEmpty
        "$loserWarnings" | Should -Match 'superseded by'
        (Get-MightyService -EndpointUrl $script:frozen.Endpoint -Cluster production -Service low).TaskDefinitionArn | Should -Be $winner.TaskDefinitionArn
    }
}

Describe 'S3 throttling (503 SlowDown)' {
    It 'is retried as throttling with the module''s attempts and ends as AwsThrottled (<Operation>)' -ForEach @(
        @{ Operation = 'GetObject'; Service = 'imports' }
        @{ Operation = 'HeadObject'; Service = 'exports' }
        @{ Operation = 'PutObject'; Service = 'webhooks' }
    ) {
        # A secrets document of its own, so that the env file is new and has to be written.
        $secrets = Join-Path $script:work "$Service.json"
        Set-Content -Path $secrets -Value ('{"TOKEN":"' + [guid]::NewGuid().ToString('n') + '"}')
        aws s3 cp $secrets "s3://mighty-secrets/$Service.json" --quiet
        $path = Write-Config "@{ Cluster = 'production'; Secrets = @{ Source = 's3://mighty-secrets/$Service.json' } }"
        $script:sandbox.ResetRequestCounts()
        $script:sandbox.SetFaults(1, 0, "s3.$Operation")
        $savedAttempts = $env:AWS_MAX_ATTEMPTS
        $env:AWS_MAX_ATTEMPTS = '4'
        try {
            $result = Publish-MightyService -Service $Service -Tag master.5 -ConfigPath $path -ErrorVariable failed -ErrorAction SilentlyContinue
        }
        finally {
            $env:AWS_MAX_ATTEMPTS = $savedAttempts
            $script:sandbox.SetFaults(0, 0)
        }
        $result | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AwsThrottled,*'
        "$($failed[0])" | Should -Match "S3 $Operation was still throttled by AWS after 4 attempts"
        "$($failed[0])" | Should -Match 'SlowDown'
        $script:sandbox.RequestCounts["s3.$Operation"] | Should -Be 4
        $script:sandbox.FaultCounts["s3.$Operation"] | Should -Be 4
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -BeNullOrEmpty -Because 'nothing is registered before the env file is in place'
    }
}
