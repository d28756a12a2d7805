# The exec cmdlets against the demo sandbox and a real sshd (the test rig, tests/pester/SshRig.ps1):
# - Invoke-MightyContainer 'echo ok' against plain OpenSSH `ssh -p ... docker exec ...` on the
#   same sshd, both opening a new connection per run (goal: <= 1.2x);
# - -AllTasks over 20 tasks against 1 task (goal: <= 2x), with what of the difference is the rig
#   (the docker stand-in's bash + sandbox lookup per exec, on this machine's cores) and what
#   is the module (connection, channels, fan-out);
# - the API calls of Get-MightyTask for 75 tasks.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
. (Join-Path $PSScriptRoot '../tests/pester/SshRig.ps1')
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

$sandbox = Start-MightySandbox -Seed demo
$keys = New-SshRigKeys
$rig = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint
$realHome = $env:HOME
$env:HOME = $keys.Folder
$user = [Environment]::UserName
$ssh = @{ Cluster = 'production'; KeyFilePath = $keys.Ed25519; Port = $rig.Port; User = $user }
try {
    # 20 tasks of 'low' for the fan-out, and 75 tasks in all for the API calls (low + high + WEB).
    aws ecs update-service --cluster production --service low --desired-count 20 --output json | Out-Null
    aws ecs update-service --cluster production --service high --desired-count 53 --output json | Out-Null
    Invoke-RestMethod -Method Post -Uri "$($sandbox.Endpoint)/_sandbox/advance-time" -ContentType 'application/json' -Body '{"seconds":600}' | Out-Null

    $task = (Get-MightyTask -Cluster production -Service API)[0]
    $runtimeId = ($task.Containers | Where-Object Name -eq application).RuntimeId
    $mighty = Measure-Median -Count 7 -Action { Invoke-MightyContainer @ssh -Service API -Container application -Command 'echo ok' }
    $openssh = Measure-Median -Count 7 -Action {
        ssh -p $rig.Port -i $keys.Ed25519 -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$($keys.Folder)/known_hosts_openssh" "$user@127.0.0.1" "docker exec $runtimeId sh -c 'echo ok'"
    }
    Write-BenchResult "Invoke-MightyContainer 'echo ok' (lookup + connect + run)" $mighty 'ms' 'median of 7'
    Write-BenchResult "ssh -p $($rig.Port) host docker exec <id> sh -c 'echo ok'" $openssh 'ms' 'median of 7, one ssh process per run'
    Write-BenchResult 'Invoke-MightyContainer / plain ssh' ($mighty / $openssh) 'x' 'goal <= 1.2'

    $many = @(Get-MightyTask -Cluster production -Service low)
    $one = Measure-Median -Count 5 -Action { Invoke-MightyContainer @ssh -Service low -Command 'echo ok' }
    $all = Measure-Median -Count 5 -Action { Invoke-MightyContainer @ssh -Service low -Command 'echo ok' -AllTasks }
    Write-BenchResult "Invoke-MightyContainer -AllTasks over $($many.Count) tasks" $all 'ms' 'median of 5'
    Write-BenchResult 'Invoke-MightyContainer, one task' $one 'ms' 'median of 5'
    Write-BenchResult "-AllTasks ($($many.Count) tasks) / one task" ($all / $one) 'x' 'goal <= 2'

    # What of the difference is the rig: one ssh session runs the stand-in 20 times against 20
    # plain `sh -c`; the gap is what each exec costs the rig (the module is not involved).
    $ids = $many | ForEach-Object { ($_.Containers | Where-Object Name -eq sidekiq).RuntimeId }
    $target = @('-p', $rig.Port, '-i', $keys.Ed25519, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', "UserKnownHostsFile=$($keys.Folder)/known_hosts_openssh", "$user@127.0.0.1")
    $standIns = Measure-Median -Count 5 -Action { ssh @target (($ids | ForEach-Object { "docker exec $_ sh -c 'echo ok'" }) -join '; ') }
    $shells = Measure-Median -Count 5 -Action { ssh @target (($ids | ForEach-Object { "sh -c 'echo ok'" }) -join '; ') }
    $rigPerExec = ($standIns - $shells) / $ids.Count
    $sequential = Measure-Median -Count 3 -Action { Invoke-MightyContainer @ssh -Service low -Command 'echo ok' -AllTasks -ThrottleLimit 1 }
    $perTask = ($sequential - $one) / ($many.Count - 1)
    Write-BenchResult 'rig: docker stand-in per exec (bash + sandbox request)' $rigPerExec 'ms' '20 in one ssh session, less 20 plain sh -c'
    Write-BenchResult 'per extra task, one at a time (-ThrottleLimit 1)' $perTask 'ms' "(that run - one task) / $($many.Count - 1); the rig's part is the line above, the rest is the module and sshd"
    # The floor this machine sets: the same fan-out with OpenSSH processes, 8 at a time.
    $port = $rig.Port; $key = $keys.Ed25519; $known = "$($keys.Folder)/known_hosts_openssh"
    $sshAll = Measure-Median -Count 3 -Action {
        $ids | ForEach-Object -ThrottleLimit 8 -Parallel {
            ssh -p $using:port -i $using:key -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$using:known" "$using:user@127.0.0.1" "docker exec $_ sh -c 'echo ok'"
        }
    }
    Write-BenchResult "plain ssh, $($ids.Count) tasks 8 at a time / one" ($sshAll / $openssh) 'x' 'what the machine allows'

    $tasks = @(Get-MightyTask -Cluster production -Service low, high, WEB)
    $before = $sandbox.RequestCounts
    $tasks = @(Get-MightyTask -Cluster production -Service low, high, WEB)
    $after = $sandbox.RequestCounts
    $total = 0
    Write-BenchResult "tasks listed (services low, high, WEB)" $tasks.Count ''
    foreach ($key in $after.Keys | Sort-Object) {
        $delta = $after[$key] - ($before.ContainsKey($key) ? $before[$key] : 0)
        if ($delta -gt 0) {
            Write-BenchResult "  $key" $delta 'calls'
            $total += $delta
        }
    }
    $perTask = 3 * $tasks.Count
    Write-BenchResult 'API calls in all' $total 'calls' '(3 ListTasks + DescribeTasks per 100 + DescribeContainerInstances per 100 + 1 DescribeInstances)'
    Write-BenchResult "calls against describing task, instance and host per task ($perTask)" ($total / $perTask) 'x'
}
finally {
    $env:HOME = $realHome
    Stop-SshRig $rig
    Remove-Item $keys.Folder -Recurse -Force -ErrorAction SilentlyContinue
    Stop-MightySandbox
}
