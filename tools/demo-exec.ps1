# Demo steps for Get-MightyTask and Invoke-MightyContainer (dot-sourced by tools/demo.ps1 while the
# sandbox runs). SSH needs a server: when OpenSSH's sshd is installed, the test rig
# (tests/pester/SshRig.ps1: a local sshd whose `docker` is a stand-in reading the sandbox) plays
# the instances, which all sit at 127.0.0.1 in the sandbox.

Show-Step 'The tasks of a service and where they run (ListTasks, DescribeTasks, DescribeContainerInstances, one DescribeInstances)' {
    Get-MightyTask -Cluster production -Service WEB, API
}

Show-Step 'One task in detail: its containers with the Docker runtime ids that docker exec is given' {
    (Get-MightyTask -Cluster production -Service WEB)[0].Containers | Format-Table Name, LastStatus, RuntimeId, Image
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
        Write-Host 'Interactive: Enter-MightyContainer -Cluster production API application (a real terminal; see docs/Enter-MightyContainer.md).'
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
