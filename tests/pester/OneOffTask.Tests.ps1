# Start-, Wait- and Stop-MightyTask and Publish-MightyService's before-deploy task against the demo
# sandbox (simulated time): a migration, a failing command, a task ECS cannot place, the service's
# network and the rendered revision's secrets, the before-deploy task across three services, Ctrl+C,
# and a shell (through the SSH rig) in a task of a revision that crashes on boot.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/SshRig.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    foreach ($repository in 'app', 'nginx-proxy') { $null = $script:sandbox.PushImage($repository, 'master.5') }
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("mighty-oneoff-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    function Write-Config([string] $Text) {
        $path = Join-Path $script:work ("mighty-" + [guid]::NewGuid().ToString('n') + '.psd1')
        Set-Content -Path $path -Value $Text
        $path
    }

    function Set-Secret([string] $Key, [string] $Json) {
        $file = Join-Path $script:work 'secret.json'
        [IO.File]::WriteAllText($file, $Json)
        aws s3 cp $file "s3://mighty-secrets/$Key" --quiet
        if ($LASTEXITCODE) { throw 'aws s3 cp failed' }
    }

    # The task as the AWS CLI describes it.
    function Get-EcsTask([string] $TaskId, [string] $Cluster = 'production') {
        (aws ecs describe-tasks --cluster $Cluster --tasks $TaskId --output json | ConvertFrom-Json).tasks[0]
    }

    # The environment the sandbox gives the container's process.
    function Get-TaskEnvironment([string] $TaskId, [string] $Container = 'application') {
        $runtimeId = ((Get-EcsTask $TaskId).containers | Where-Object name -EQ $Container).runtimeId
        $script:sandbox.GetContainer($runtimeId).Environment
    }
    # Everything a fresh pwsh prints (every stream and the host's own output, -WhatIf included).
    function Invoke-Printed([string] $Command) {
        $script = Join-Path $script:work ("run-" + [guid]::NewGuid().ToString('n') + '.ps1')
        "Import-Module '$($script:ModuleManifest)'`n$Command *>&1 | Out-String -Width 500" | Set-Content -Path $script -Encoding utf8NoBOM
        $pwsh = Get-FreshPwsh
        (& $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $script 2>&1) -join "`n"
    }
}

AfterAll {
    Stop-MightySandbox
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Start-MightyTask' {
    It 'runs bin/rails db:migrate once: exit code 0, the migration lines in LastLogLines and on the Information stream' {
        $script:sandbox.ResetRequestCounts()
        $run = Start-MightyTask -Cluster production -Service WEB -Container application -Command 'bin/rails db:migrate' -InformationVariable lines
        $run | Should -BeOfType ([MightyOps.MightyTaskRun])
        $run.Status | Should -Be 'Succeeded'
        $run.ExitCode | Should -Be 0
        $run.Command | Should -Be 'bin/rails db:migrate'
        $run.Service | Should -Be 'WEB'
        $run.TaskDefinitionArn | Should -Be (Get-MightyService -Cluster production -Service WEB).TaskDefinitionArn
        $run.StopCode | Should -Be 'EssentialContainerExited'
        $run.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $run.LastLogLines | Should -Contain '-- create_table(:invoice_reminders)'
        ($lines | ForEach-Object { "$_" }) | Should -Contain '-- add_index(:orders, :created_at)'
        @($lines | Where-Object { "$_" -like '== 20261201114530 CreateInvoiceReminders: migrated*' }).Count | Should -Be 1 -Because 'each line is written once'
        $script:sandbox.RequestCounts['ecs.RunTask'] | Should -Be 1

        $task = Get-EcsTask $run.TaskId
        $task.startedBy | Should -Be 'mightyops'
        $task.group | Should -Be 'family:WEB'
        $task.overrides.containerOverrides.Where({ $_.name -eq 'application' })[0].command | Should -Be @('sh', '-c', 'bin/rails db:migrate')
    }

    It 'passes a string array as it is, without a shell' {
        $run = Start-MightyTask -Cluster production -Service API -Command 'echo', 'two  words' -NoWait
        $task = Get-EcsTask $run.TaskId
        $task.overrides.containerOverrides[0].command | Should -Be @('echo', 'two  words')
        $run.Command | Should -Be "echo 'two  words'"
    }

    It 'gives exit 3 as ExitCode 3 and TaskCommandFailed, and still returns the run' {
        $run = Start-MightyTask -Cluster production -Service API -Command 'echo before; exit 3' -ErrorVariable failed -ErrorAction SilentlyContinue
        $run.ExitCode | Should -Be 3
        $run.Status | Should -Be 'Failed'
        $run.LastLogLines | Should -Contain 'before'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TaskCommandFailed,*'
        $failed[0].ToString() | Should -Match 'exited with code 3'
        $failed[0].ToString() | Should -Match 'before'
        $failed[0].TargetObject.TaskId | Should -Be $run.TaskId
    }

    It 'gives TaskStartFailed with ECS''s reason for a task that cannot be placed' {
        $api = (aws ecs describe-task-definition --task-definition API --output json | ConvertFrom-Json).taskDefinition
        $file = Join-Path $script:work 'huge.json'
        @{ family = 'API'; memory = '20000'; containerDefinitions = @($api.containerDefinitions) } | ConvertTo-Json -Depth 10 | Set-Content $file
        $huge = (aws ecs register-task-definition --cli-input-json "file://$file" --output json | ConvertFrom-Json).taskDefinition
        $LASTEXITCODE | Should -Be 0

        $script:sandbox.ResetRequestCounts()
        $run = Start-MightyTask -Cluster production -Service API -TaskDefinition $huge.revision -Command 'true' -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TaskStartFailed,*'
        $failed[0].ToString() | Should -Match 'RESOURCE:MEMORY'
        $run.Status | Should -Be 'FailedToStart'
        $run.TaskDefinitionArn | Should -Be $huge.taskDefinitionArn
        $script:sandbox.RequestCounts['ecs.DescribeTasks'] | Should -BeNullOrEmpty -Because 'there is no task to wait for'
    }

    It 'runs with the service''s launch type and awsvpc network configuration' {
        $service = New-SandboxFargateService -Name oneoff_fargate
        $run = Start-MightyTask -Cluster production -Service $service -Command 'true'
        $run.ExitCode | Should -Be 0
        $task = Get-EcsTask $run.TaskId
        $task.launchType | Should -Be 'FARGATE'
        ($task.attachments[0].details | Where-Object name -EQ subnetId).value | Should -Be 'subnet-0a1b2c3d4e5f60718'
        $task.containerInstanceArn | Should -BeNullOrEmpty
    }

    It 'renders -Tag as Publish-MightyService does, its env file included: the container has the planted secret, no stream shows it' {
        $secret = 'planted-' + [guid]::NewGuid().ToString('n')
        Set-Secret 'oneoff.json' ('{"shared":{"PLANTED_SECRET":"' + $secret + '"}}')
        $path = Write-Config "@{ Cluster = 'production'; Services = @{ API = @{ Environment = @{ PLAIN = 'visible' } } }; Secrets = @{ Source = 's3://mighty-secrets/oneoff.json' } }"
        $live = (Get-MightyService -Cluster production -Service API).TaskDefinitionArn

        $output = & { Start-MightyTask -Service API -Tag master.5 -ConfigPath $path -Command 'true' -Verbose } *>&1
        $run = $output | Where-Object { $_ -is [MightyOps.MightyTaskRun] }
        $text = ($output | Out-String -Width 500) + ($run | Format-List * | Out-String -Width 500) + ($run | ConvertTo-Json -Depth 6)
        $text | Should -Not -Match ([regex]::Escape($secret))

        $run.TaskDefinitionArn | Should -Not -Be $live -Because 'a new revision is rendered for the tag'
        (Get-MightyService -Cluster production -Service API).TaskDefinitionArn | Should -Be $live -Because 'the revision is deployed nowhere'
        $definition = aws ecs describe-task-definition --task-definition $run.TaskDefinitionArn | Out-String
        $definition | Should -Match 'arn:aws:s3:::mighty-secrets/oneoff/API-[0-9a-f]{12}\.env'
        $definition | Should -Not -Match ([regex]::Escape($secret))
        $environment = Get-TaskEnvironment $run.TaskId
        $environment['PLANTED_SECRET'] | Should -Be $secret
        $environment['PLAIN'] | Should -Be 'visible'
    }

    It 'completes -Service, -Container, -TaskDefinition and -Tag' {
        Get-Completion 'Start-MightyTask -Cluster production -Service WE' | Should -Be @('WEB', 'webhooks')
        Get-Completion 'Start-MightyTask -Cluster production -Service WEB -Container ' | Should -Be @('application', 'nginx')
        $live = (Get-MightyService -Cluster production -Service API).TaskDefinitionArn -replace '^.*/', ''
        Get-Completion 'Start-MightyTask -Cluster production -Service API -TaskDefinition ' | Should -Contain $live
        Get-Completion 'Start-MightyTask -Cluster production -Service API -Tag mast' | Should -Contain 'master.5'
    }

    It 'shows control characters in the command and its output as symbols, in every stream and view' {
        $e = [char]27; $bel = [char]7
        $output = & { Start-MightyTask -Cluster production -Service API -Command "echo ${e}[2J${e}[31mred${bel}; exit 4" -ErrorAction Continue } *>&1
        $run = $output | Where-Object { $_ -is [MightyOps.MightyTaskRun] }
        $run.ExitCode | Should -Be 4
        $run.LastLogLines[0] | Should -BeExactly "${e}[2J${e}[31mred${bel}" -Because 'the property keeps the exact text'
        $rendering = $PSStyle.OutputRendering
        $PSStyle.OutputRendering = 'PlainText'   # PowerShell's own colours aside
        try {
            $shown = @($output | Where-Object { $_ -isnot [MightyOps.MightyTaskRun] } | ForEach-Object { "$_" }) +
                ($run | Format-Table | Out-String -Width 80) + ($run | Format-List | Out-String -Width 80)
        }
        finally { $PSStyle.OutputRendering = $rendering }
        $shown -join "`n" | Should -Not -Match '[\x00-\x08\x0B-\x1F\x7F-\x9F]'
        $shown -join "`n" | Should -Match ([regex]::Escape('␛[2J␛[31mred␇'))
    }

    It 'says with -WhatIf what would run, and runs nothing' {
        $script:sandbox.ResetRequestCounts()
        $said = Invoke-Printed "Start-MightyTask -Cluster production -Service API -Command 'bin/rails db:migrate' -WhatIf"
        $said | Should -Match "What if: .*Run 'bin/rails db:migrate' in container 'application' of API:\d+, as a one-off task of service API"
        $script:sandbox.RequestCounts['ecs.RunTask'] | Should -BeNullOrEmpty
        $script:sandbox.RequestCounts['ecs.RegisterTaskDefinition'] | Should -BeNullOrEmpty
    }

    It 'returns at once with -NoWait; Wait-MightyTask waits for it and Stop-MightyTask stops it, both completing its -TaskId' {
        $run = Start-MightyTask -Cluster production -Service API -Command 'sleep 86400' -NoWait
        $run.Status | Should -Be 'Pending'
        $run.StoppedAt | Should -BeNullOrEmpty
        Get-Completion 'Stop-MightyTask -Cluster production -TaskId ' | Should -Contain $run.TaskId
        Get-Completion "Wait-MightyTask -Cluster production -TaskId $($run.TaskId.Substring(0, 12))" | Should -Be @($run.TaskId)
        $stopped = $run | Stop-MightyTask -Reason 'Pester: enough' -Confirm:$false -PassThru
        $stopped.StoppedReason | Should -Be 'Pester: enough'
        $waited = $run | Wait-MightyTask -Timeout 600
        $waited.LastStatus | Should -Be 'STOPPED'
        $waited.StopCode | Should -Be 'UserInitiated'
    }

    It 'stops watching on Ctrl+C within a second, and the task keeps running in ECS' {
        $before = @((aws ecs list-tasks --cluster production --started-by mightyops --output json | ConvertFrom-Json).taskArns)
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Manifest)
                Import-Module $Manifest
                Start-MightyTask -Cluster production -Service API -Command 'sleep 86400'
            }).AddArgument($script:ModuleManifest)
        $async = $ps.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 200
                $new = @((aws ecs list-tasks --cluster production --started-by mightyops --desired-status RUNNING --output json | ConvertFrom-Json).taskArns | Where-Object { $_ -notin $before })
                $running = $new -and (Get-EcsTask ($new[0] -split '/')[-1]).lastStatus -eq 'RUNNING'
                if ([DateTime]::UtcNow -gt $deadline -or $async.IsCompleted) { throw "the task never ran: $($ps.Streams.Error)" }
            } until ($running)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1
        }
        finally { $ps.Dispose() }
        $script:sandbox.AdvanceTime([timespan]'00:10:00')
        $task = Get-EcsTask ($new[0] -split '/')[-1]
        $task.lastStatus | Should -Be 'RUNNING'
        $task.desiredStatus | Should -Be 'RUNNING'
        aws ecs stop-task --cluster production --task $task.taskArn --output json | Out-Null
    }
}

Describe 'Publish-MightyService -BeforeDeploy' {
    BeforeAll {
        $script:config = Write-Config "@{ Cluster = 'production'; BeforeDeploy = @{ Service = 'API'; Container = 'application'; Command = 'bin/rails db:migrate' } }"
        $script:three = 'API', 'mailers', 'webhooks'
    }

    It 'updates no service when the task fails: every result is BeforeDeployFailed, the revisions are left unused' {
        $live = @{}; foreach ($name in $three) { $live[$name] = (Get-MightyService -Cluster production -Service $name).TaskDefinitionArn }
        $script:sandbox.ResetRequestCounts()
        $results = $three | Publish-MightyService -Tag master.5 -ConfigPath $config -BeforeDeploy 'echo nope; exit 1' -ErrorVariable failed -ErrorAction SilentlyContinue
        $counts = $script:sandbox.RequestCounts
        $counts['ecs.UpdateService'] | Should -BeNullOrEmpty
        $counts['ecs.RunTask'] | Should -Be 1
        $counts['ecs.RegisterTaskDefinition'] | Should -Be 3
        @($results).Count | Should -Be 3
        ($results.Service | Sort-Object) | Should -Be ($three | Sort-Object)
        $results | ForEach-Object { $_.Status | Should -Be 'BeforeDeployFailed' }
        $results[0].FailureReason | Should -Match 'exit(ed with)? code 1'
        $results[0].FailureReason | Should -Match 'nope'
        $failed.FullyQualifiedErrorId | Should -BeLike 'BeforeDeployFailed,*'
        $failed[0].ToString() | Should -Match 'left unused'
        foreach ($name in $three) { (Get-MightyService -Cluster production -Service $name).TaskDefinitionArn | Should -Be $live[$name] }
    }

    It 'says with -WhatIf that it would run the task, and changes nothing' {
        $script:sandbox.ResetRequestCounts()
        $said = Invoke-Printed "'API', 'mailers', 'webhooks' | Publish-MightyService -Tag master.5 -ConfigPath '$config' -WhatIf"
        $said | Should -Match "Run 'bin/rails db:migrate' in container 'application' as a one-off task"
        $counts = $script:sandbox.RequestCounts
        foreach ($call in 'ecs.RunTask', 'ecs.RegisterTaskDefinition', 'ecs.UpdateService') { $counts[$call] | Should -BeNullOrEmpty }
    }

    It 'runs the migration exactly once, then deploys all three' {
        $script:sandbox.ResetRequestCounts()
        $results = $three | Publish-MightyService -Tag master.5 -ConfigPath $config -InformationVariable lines
        $counts = $script:sandbox.RequestCounts
        $counts['ecs.RunTask'] | Should -Be 1
        $counts['ecs.UpdateService'] | Should -Be 3
        $results | ForEach-Object { $_.Status | Should -Be 'Completed' }
        @($lines | Where-Object { "$_" -eq '-- create_table(:invoice_reminders)' }).Count | Should -Be 1
    }
}

Describe 'A shell in a revision that crashes on boot' {
    BeforeAll {
        $script:keys = New-SshRigKeys
        $script:rig = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint
        $script:realHome = $env:HOME
        $env:HOME = Join-Path $script:work 'home'
        New-Item -ItemType Directory -Path $env:HOME | Out-Null
        $script:ssh = @{ KeyFilePath = $keys.Ed25519; Port = $rig.Port; User = [Environment]::UserName; HostKeyPolicy = 'AcceptNew' }
    }

    AfterAll {
        $env:HOME = $script:realHome
        Stop-SshRig $script:rig
        Remove-Item $script:keys.Folder -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'Start-MightyTask -TaskDefinition (the broken.1 revision) -NoWait | Invoke-MightyContainer reads that revision''s environment' {
        $path = Write-Config "@{ Cluster = 'production'; Services = @{ API = @{ Environment = @{ BROKEN_BUILD = 'broken.1' } } } }"
        # The application in broken.1 crashes on boot: a task that runs it fails.
        $boot = Start-MightyTask -Service API -Tag broken.1 -ConfigPath $path -Command 'bin/rails runner 1' -ErrorVariable crashed -ErrorAction SilentlyContinue
        $crashed.Count | Should -Be 1
        $boot.Succeeded | Should -BeFalse

        $result = Start-MightyTask -Cluster production -Service API -TaskDefinition $boot.TaskDefinitionArn -Command 'sleep 3600' -NoWait |
            Invoke-MightyContainer @ssh -Command 'echo "$BROKEN_BUILD $RAILS_ENV"'
        $result.ExitCode | Should -Be 0
        $result.Output.Trim() | Should -Be 'broken.1 production'
        $task = Get-EcsTask $result.TaskId
        $task.taskDefinitionArn | Should -Be $boot.TaskDefinitionArn
        $task.startedBy | Should -Be 'mightyops'
        aws ecs stop-task --cluster production --task $result.TaskId --output json | Out-Null
    }
}
