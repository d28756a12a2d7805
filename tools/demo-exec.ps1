# Demo steps for Get-MightyTask, Invoke-MightyContainer and Enter-MightyContainer (dot-sourced by
# tools/demo.ps1 while the sandbox runs). SSH needs a server: when OpenSSH's sshd is installed, the test rig
# (tests/pester/SshRig.ps1: a local sshd whose `docker` is a stand-in reading the sandbox) plays
# the instances, which all sit at 127.0.0.1 in the sandbox.

Show-Step 'The tasks of a service and where they run (ListTasks, DescribeTasks, DescribeContainerInstances, one DescribeInstances)' {
    Get-MightyTask -Cluster production -Service WEB, API
}

Show-Step 'One task in detail: its containers with the Docker runtime ids that docker exec is given' {
    (Get-MightyTask -Cluster production -Service WEB)[0].Containers | Format-Table Name, LastStatus, RuntimeId, Image
}

<#
A real Enter-MightyContainer session, shown without a user at the keyboard: pwsh runs in a
detached tmux pane (a terminal of its own, 110x24) against the rig; the demo types into it as a
user would, then prints what the pane showed. Anything that does not appear in time is said and
skipped: the demo still ends normally.
#>
function Show-EnterSession {
    Write-DemoLine ''
    Write-DemoLine '### Enter-MightyContainer: a shell in the container, in a real terminal (typed into a tmux pane)' -Color Cyan
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('mighty-demo-tmux-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $socket = Join-Path $folder 'tmux.sock'
    $tmux = { & tmux -S $socket @args }
    $pane = { (& $tmux capture-pane -p -J -t demo) -join "`n" }
    $waitFor = {
        param([string] $Pattern)
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        do {
            if ((& $pane) -match $Pattern) { return $true }
            Start-Sleep -Milliseconds 100
        } while ([DateTime]::UtcNow -lt $deadline)
        return $false
    }
    $type = {
        param([string] $Text)
        & $tmux send-keys -t demo -l $Text
        & $tmux send-keys -t demo Enter
    }
    try {
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
            "$([Environment]::ProcessPath) $(Join-Path $PSHOME 'pwsh.dll')"
        }
        else { [Environment]::ProcessPath }
        # The pane inherits this process's environment: the sandbox's AWS_* variables and the rig's HOME.
        & $tmux -f /dev/null new-session -d -s demo -x 110 -y 24 "$pwsh -NoProfile -NoLogo"
        & $tmux set-option -g status off
        $manifest = Join-Path $ModulePath 'MightyOps.psd1'
        $steps = @(
            @{ Wait = '(?m)^PS .*> ?$'; Type = "Import-Module '$manifest'; Clear-Host; 'module loaded'" }
            @{ Wait = '(?m)^module loaded'; Type = "Enter-MightyContainer -Cluster production -Service API application -KeyFilePath $($execSsh.KeyFilePath) -Port $($execSsh.Port) -User $($execSsh.User)" }
            @{ Wait = '(?m)[#$] $'; Type = 'env | grep ^RAILS_ | sort' }
            @{ Wait = '(?m)^RAILS_ENV=production'; Type = 'exit' }
            @{ Wait = '(?s)# exit\s*\nexit\s*\nPS [^\n]*>'; Type = $null }
        )
        foreach ($step in $steps) {
            if (-not (& $waitFor $step.Wait)) {
                Write-DemoLine "(the pane did not show /$($step.Wait)/ in time; the session is not shown in full)" -Color DarkYellow
                break
            }
            if ($step.Type) { & $type $step.Type }
        }
        Write-Host ((& $pane).TrimEnd())
    }
    catch {
        Write-DemoLine "(the tmux session could not be shown: $_)" -Color DarkYellow
    }
    finally {
        & $tmux kill-server 2>$null
        Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

if (Get-Command sshd -ErrorAction SilentlyContinue) {
    . (Join-Path $PSScriptRoot '../tests/pester/SshRig.ps1')
    $script:execKeys = New-SshRigKeys
    $script:execRig = Start-SshRig -Keys $script:execKeys -SandboxEndpoint $script:sandbox.Endpoint
    $script:execHome = $env:HOME
    $env:HOME = $script:execKeys.Folder
    $script:execSsh = @{ Cluster = 'production'; KeyFilePath = $script:execKeys.Ed25519; Port = $script:execRig.Port; User = [Environment]::UserName }
    try {
        Show-Step 'A command in every WEB task (over SSH to the local sshd standing in for the instances)' {
            Invoke-MightyContainer @execSsh -Service WEB -Container nginx -Command 'echo "$HOSTNAME: RAILS_ENV=${RAILS_ENV:-unset}"' -AllTasks
        }
        Show-Step 'The command arrives as written; a failing one is an error that carries its result' {
            Invoke-MightyContainer @execSsh API application 'printf "%s\n" "User count: 42"; exit 3' -ErrorAction Continue 2>&1 |
                ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { "error $($_.FullyQualifiedErrorId): $_" } else { $_ | Format-List Service, TaskId, ExitCode, Output | Out-String } }
        }
        Show-Step 'Wildcards name services the way every MightyOps cmdlet does: one task of each match' {
            Invoke-MightyContainer @execSsh -Service '*_web_scrape' -Container sidekiq -Command 'echo "$HOSTNAME runs $(ps -o comm= -p $$)"' |
                Format-Table Service, TaskId, ExitCode, Output
        }
        if (Get-Command tmux -ErrorAction SilentlyContinue) {
            Show-EnterSession
        }
        else {
            Write-Host ''
            Write-Host 'tmux is not installed: the interactive Enter-MightyContainer session is not shown (apt-get install tmux).'
        }
    }
    finally {
        $env:HOME = $script:execHome
        Stop-SshRig $script:execRig
        Remove-Item $script:execKeys.Folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}
else {
    Write-Host 'OpenSSH sshd is not installed: Invoke-MightyContainer and Enter-MightyContainer are not shown (apt-get install openssh-server).'
}
