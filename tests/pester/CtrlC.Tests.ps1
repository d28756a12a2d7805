# Ctrl+C in a real terminal while MightyOps waits: pwsh runs in a pane of a private tmux server
# against the demo sandbox, the test presses Ctrl+C and reads what the pane says. Stopping the
# wait never stops what was started in AWS, and the line it leaves says how to pick it up again
# (docs/design/ecs-service-deployments.md, one-off-tasks.md, capacity-and-placement.md).

BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Real-time speed: what is waited for still runs when Ctrl+C comes, however slow the machine.
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 1
    $null = $script:sandbox.PushImage('app', 'master.5')
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-ctrlc-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $script:work | Out-Null
    # A private tmux server (its own socket) that inherits this process's environment: the
    # sandbox's endpoint and keys set by Start-MightySandbox.
    $script:TmuxSocket = Join-Path $script:work 'tmux.sock'
    $script:TmuxSession = 'mighty'
    . $PSScriptRoot/TmuxPane.ps1

    $pwsh = (Get-FreshPwsh) -join ' '
    Invoke-Tmux -f /dev/null new-session -d -s mighty -x 250 -y 50 "$pwsh -NoProfile -NoLogo"
    Invoke-Tmux set-option -g status off
    Wait-Pane '(?m)^PS .*> ?$' | Out-Null
    Send-Line "Import-Module '$($script:ModuleManifest)'; 'imp' + 'orted'"
    Wait-Pane '(?m)imported\s*$' | Out-Null

    function Invoke-Aws { $text = aws @args --output json; if ($LASTEXITCODE) { throw "aws $args failed" }; $text | ConvertFrom-Json }

    # Polls (at most 60 s) until $Condition returns something; returns it.
    function Wait-Until([scriptblock] $Condition, [string] $What) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            $value = & $Condition
            if ($value) { return $value }
            Start-Sleep -Milliseconds 200
        }
        throw "$What never happened. The pane shows:`n$(Get-Pane)"
    }

    # Presses Ctrl+C and waits for the prompt to come back after $Pattern; returns the pane's text.
    function Stop-Command([string] $Pattern) {
        Invoke-Tmux send-keys -t mighty C-c
        Wait-Pane "(?s)$Pattern.*\nPS [^\n]*>\s*$" -Seconds 30
    }
}

AfterAll {
    Invoke-Tmux kill-server 2>$null
    Stop-MightySandbox
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Ctrl+C while MightyOps waits' {
    BeforeEach {
        # A clean pane: what a test reads is what its own command left.
        Send-Line 'Clear-Host'
        Invoke-Tmux clear-history -t mighty
        Wait-Pane '\A\s*PS [^\n]*>\s*\z' | Out-Null
    }

    It 'Start-MightyTask stops watching, names the task it leaves running and how to watch or stop it' {
        $before = @((Invoke-Aws ecs list-tasks --cluster production --started-by mightyops).taskArns)
        Send-Line "Start-MightyTask -Cluster production -Service API -Command 'sleep 86400'"
        $arn = Wait-Until { @((Invoke-Aws ecs list-tasks --cluster production --started-by mightyops).taskArns | Where-Object { $_ -notin $before })[0] } 'RunTask'
        $id = ($arn -split '/')[-1]
        # The watch has the task once its progress names it.
        Wait-Pane "task $id" | Out-Null
        $text = Stop-Command 'Stopped waiting'
        $text | Should -Match "Stopped waiting\. Task $id goes on in ECS \(stopping MightyOps does not stop it\)\."
        $text | Should -Match "Wait-MightyTask -Cluster production -TaskId $id"
        $text | Should -Match "Stop-MightyTask -Cluster production -TaskId $id"
        $task = (Invoke-Aws ecs describe-tasks --cluster production --tasks $arn).tasks[0]
        $task.desiredStatus | Should -Be 'RUNNING'
        Invoke-Aws ecs stop-task --cluster production --task $arn | Out-Null
    }

    It 'Publish-MightyService stops watching, leaves the deployment in progress in ECS and says how to watch or roll it back' {
        # An hour of bake time: the deployment is still open when Ctrl+C comes.
        Invoke-Aws ecs update-service --cluster production --service billing --deployment-configuration '{"strategy":"BLUE_GREEN","bakeTimeInMinutes":60}' | Out-Null
        Send-Line 'Publish-MightyService -Cluster production -Service billing -Tag master.5'
        $arn = Wait-Until { (Invoke-Aws ecs list-service-deployments --cluster production --service billing --status PENDING IN_PROGRESS).serviceDeployments[0].serviceDeploymentArn } 'the deployment'
        # The watch has the deployment once its progress is drawn.
        Wait-Pane 'Deploying \[0 of 1 finished' | Out-Null
        $text = Stop-Command 'Stopped waiting'
        $text | Should -Match 'Stopped waiting\. The deployment of billing goes on in ECS \(stopping MightyOps does not stop it\)'
        $text | Should -Match 'watch it with: Wait-MightyDeployment -Cluster production -Service billing'
        $text | Should -Match 'roll it back with: Stop-MightyDeployment -Cluster production -Service billing -Rollback'
        (Invoke-Aws ecs describe-service-deployments --service-deployment-arns $arn).serviceDeployments[0].status | Should -BeIn 'PENDING', 'IN_PROGRESS'
        Invoke-Aws ecs stop-service-deployment --service-deployment-arn $arn --stop-type ROLLBACK | Out-Null
    }

    It 'Publish-MightyService stopped while it updates the services says which updates may have started and which services were left as they were' {
        # UpdateService held back 30 s: four updates (the most at once) are on their way, the fifth waits.
        $script:sandbox.SetLatency([timespan]::FromSeconds(30), 'ecs.UpdateService')
        $script:sandbox.ResetRequestCounts()
        try {
            Send-Line 'Publish-MightyService -Cluster production -Service default, mailers, critical, high, low -Tag master.5'
            Wait-Until { $script:sandbox.RequestCounts['ecs.UpdateService'] -ge 4 } 'four updates on their way' | Out-Null
            $text = Stop-Command 'Stopped while updating'
        }
        finally {
            $script:sandbox.SetLatency([timespan]::Zero)
        }
        $text | Should -Match 'Stopped while updating the services\. The update of (\w+,){3}\w+ was on its way and may have started a deployment: Get-MightyDeployment -Cluster production -Service (\w+,){3}\w+ -Last 1 says\.'
        $text | Should -Match 'Not updated: \w+ \(its new revision \S+:\d+ is registered, unused\)\.'
        $text | Should -Not -Match 'goes on in ECS'
    }

    It 'Set-MightyClusterCapacity stops a scale-in, names the instances it left DRAINING and how to put them back' {
        # Room on the other instances: one task per worker service.
        foreach ($service in 'default', 'mailers', 'critical', 'high', 'low', 'imports', 'exports') {
            Invoke-Aws ecs update-service --cluster production --service $service --desired-count 1 | Out-Null
        }
        $script:sandbox.AdvanceTime([timespan]'00:10:00')
        Send-Line 'Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -DesiredCapacity 6 -Confirm:$false'
        $draining = Wait-Until { @((Invoke-Aws ecs list-container-instances --cluster production --status DRAINING).containerInstanceArns) } 'draining'
        $text = Stop-Command 'Stopped: '
        $text | Should -Match 'Stopped: The instances set DRAINING stay DRAINING: run the same command again to finish the scale-in'
        $text -match "aws ecs update-container-instances-state --cluster production --status ACTIVE --container-instances ([0-9a-f ]+)'" | Should -BeTrue
        $named = @($Matches[1] -split ' ')
        foreach ($arn in $draining) { $named | Should -Contain ($arn -split '/')[-1] }
        $left = @((Invoke-Aws ecs list-container-instances --cluster production --status DRAINING).containerInstanceArns | ForEach-Object { ($_ -split '/')[-1] })
        @($named | Sort-Object) | Should -Be @($left | Sort-Object)
    }
}
