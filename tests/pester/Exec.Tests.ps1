# Invoke-MightyContainer against the demo sandbox and real OpenSSH servers (tests/pester/SshRig.ps1):
# the sandbox's instances are at 127.0.0.1, the module reaches the rig's sshd through -Port, and
# the rig's docker stand-in runs the command with the container's environment from the sandbox.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/SshRig.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
    $script:keys = New-SshRigKeys
    $script:rig = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint
    # known_hosts lives under HOME: each test starts from its own empty one.
    $script:realHome = $env:HOME
    $script:ssh = @{ Cluster = 'production'; KeyFilePath = $keys.Ed25519; Port = $rig.Port; User = [Environment]::UserName }
}

AfterAll {
    $env:HOME = $script:realHome
    Stop-SshRig $script:rig
    Remove-Item $script:keys.Folder -Recurse -Force -ErrorAction SilentlyContinue
    Stop-MightySandbox
}

Describe 'Exec' {
    BeforeEach {
        $env:HOME = Join-Path ([IO.Path]::GetTempPath()) ('mighty-home-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        New-Item -ItemType Directory -Path $env:HOME | Out-Null
        $script:knownHosts = Join-Path $env:HOME '.ssh/known_hosts'
    }

    AfterEach {
        Remove-Item $env:HOME -Recurse -Force -ErrorAction SilentlyContinue
    }

    Describe 'Invoke-MightyContainer' {
        It 'runs a command in the container and returns its output and exit code' {
            $result = Invoke-MightyContainer @ssh -Service API -Container application -Command 'echo hello; echo careful >&2'
            $result | Should -BeOfType ([MightyOps.MightyContainerResult])
            $result.Cluster | Should -Be 'production'
            $result.Service | Should -Be 'API'
            $result.Container | Should -Be 'application'
            $result.TaskId | Should -Be (Get-MightyTask -Cluster production -Service API)[0].TaskId -Because 'the oldest running task is the stable choice'
            $result.Host | Should -Be "127.0.0.1:$($rig.Port)"
            $result.ExitCode | Should -Be 0
            $result.Output | Should -Be "hello`n"
            $result.Error | Should -Be "careful`n"
            $result.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        }

        It 'passes the command to the container shell exactly once, intact' {
            $command = @'
printf '[%s]' "two  words" 'it'\''s' "$RAILS_ENV" '$HOME' "a;b|c" `echo x`
'@
            $result = Invoke-MightyContainer @ssh API application $command
            $result.Output | Should -BeExactly "[two  words][it's][production][`$HOME][a;b|c][x]"
        }

        It 'runs with the environment ECS gives the container' {
            $result = Invoke-MightyContainer @ssh -Service API -Container application -Command 'env'
            $result.Output | Should -Match '(?m)^RAILS_ENV=production$'
            $result.Output | Should -Match '(?m)^RAILS_LOG_TO_STDOUT=1$'
        }

        It 'addresses the container by the runtime id ECS reports' {
            $task = (Get-MightyTask -Cluster production -Service WEB)[0]
            $nginx = $task.Containers | Where-Object Name -eq nginx
            $result = Invoke-MightyContainer @ssh -Service WEB -Container nginx -TaskId $task.TaskId -Command 'echo $HOSTNAME'
            $result.Output.Trim() | Should -Be $nginx.RuntimeId.Substring(0, 12)
        }

        It 'writes ContainerCommandFailed for a non-zero exit code, carrying the result, and still returns it' {
            $result = Invoke-MightyContainer @ssh API application 'echo partial; echo broken >&2; exit 3' -ErrorVariable failures -ErrorAction SilentlyContinue
            $result.ExitCode | Should -Be 3
            $result.Output | Should -Be "partial`n"
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ContainerCommandFailed,*'
            $failures[0].TargetObject | Should -BeOfType ([MightyOps.MightyContainerResult])
            $failures[0].TargetObject.ExitCode | Should -Be 3
            $failures[0].ToString() | Should -Match 'exited with code 3.*broken'
        }

        It 'runs in every task with -AllTasks, in parallel, over one connection per host' {
            $tasks = @(Get-MightyTask -Cluster production -Service WEB)
            $results = @(Invoke-MightyContainer @ssh -Service WEB -Container nginx -AllTasks -Command 'echo $HOSTNAME')
            $results.Count | Should -Be $tasks.Count
            ($results.TaskId | Sort-Object) | Should -Be ($tasks.TaskId | Sort-Object)
            foreach ($result in $results) {
                $task = $tasks | Where-Object TaskId -eq $result.TaskId
                $result.Output.Trim() | Should -Be ($task.Containers | Where-Object Name -eq nginx).RuntimeId.Substring(0, 12)
            }
            # The rig's instances share one sshd: one connection (one accepted login) served every task.
            $logins = @(Select-String -Path $rig.Log -Pattern 'Accepted publickey').Count
            $again = @(Invoke-MightyContainer @ssh -Service WEB -Container nginx -AllTasks -Command 'true')
            (@(Select-String -Path $rig.Log -Pattern 'Accepted publickey').Count - $logins) | Should -Be 1
        }

        It 'takes tasks from Get-MightyTask through the pipeline' {
            $results = @(Get-MightyTask -Cluster production -Service API | Invoke-MightyContainer -Container application -Command 'echo piped' -KeyFilePath $keys.Ed25519 -Port $rig.Port -User ([Environment]::UserName))
            $results.Count | Should -Be @(Get-MightyTask -Cluster production -Service API).Count
            $results.Output | ForEach-Object { $_ | Should -Be "piped`n" }
        }

        It 'stops a command that runs past -Timeout' {
            $started = Get-Date
            Invoke-MightyContainer @ssh API application 'sleep 30' -Timeout 1 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'CommandTimedOut,*'
            $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            ((Get-Date) - $started).TotalSeconds | Should -BeLessThan 20
        }

        It 'ends the command and its children in the container when -Timeout passes' {
            $a = Get-Random -Minimum 40000 -Maximum 49999
            $b = $a + 1
            Invoke-MightyContainer @ssh API application "sleep $a & sleep $b" -Timeout 1 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'CommandTimedOut,*'
            $failures[0].ToString() | Should -Match 'in container .application. of task [0-9a-f]{32} .* within 1 s; MightyOps ended it and its child processes there \(\d+ processes\)'
            # The rig's docker stand-in runs the command on the sshd host, this machine.
            @(ps -eo args | Where-Object { $_ -match "^sleep ($a|$b)$" }) | Should -BeNullOrEmpty -Because 'neither the command nor its child may outlive the timeout'
        }

        It 'ends the command in the container when the pipeline is stopped (Ctrl+C)' {
            $seconds = Get-Random -Minimum 50000 -Maximum 59999
            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                    param($Manifest, $Ssh, $Seconds, $HomeFolder)
                    $env:HOME = $HomeFolder
                    Import-Module $Manifest
                    Invoke-MightyContainer @Ssh API application "sleep $Seconds" -WarningVariable +warned -WarningAction SilentlyContinue
                }).AddArgument($script:ModuleManifest).AddArgument($ssh).AddArgument($seconds).AddArgument($env:HOME)
            $async = $ps.BeginInvoke()
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not @(ps -eo args | Where-Object { $_ -eq "sleep $seconds" })) {
                    if ([DateTime]::UtcNow -gt $deadline -or $async.IsCompleted) { throw "sleep $seconds never started: $($ps.Streams.Error)" }
                    Start-Sleep -Milliseconds 100
                }
                $ps.Stop()
            }
            finally { $ps.Dispose() }
            @(ps -eo args | Where-Object { $_ -eq "sleep $seconds" }) | Should -BeNullOrEmpty
        }

        It 'keeps the last 1 MiB of a large output, says so, and stays within bounded memory' {
            # 50 MiB of 61-byte lines, then a last line to recognise.
            $command = "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk | head -c 52428800; echo; echo the-end"
            $measured = Invoke-InFreshPwsh -ArgumentList $sandbox.Endpoint, $ssh, $command, $env:HOME -ScriptBlock {
                param($endpoint, $ssh, $command, $home_)
                $env:HOME = $home_
                $process = [Diagnostics.Process]::GetCurrentProcess()
                $null = Invoke-MightyContainer @ssh -EndpointUrl $endpoint API application 'true'
                [GC]::Collect()
                $process.Refresh()
                $before = $process.WorkingSet64
                $result = Invoke-MightyContainer @ssh -EndpointUrl $endpoint API application $command -WarningVariable warned -WarningAction SilentlyContinue
                $process.Refresh()
                [pscustomobject]@{
                    Before = $before; After = $process.WorkingSet64; Peak = $process.PeakWorkingSet64
                    OutputLength = $result.Output.Length; OutputBytes = $result.OutputBytes; Truncated = $result.OutputTruncated
                    LastLine = @($result.Output.TrimEnd() -split "`n")[-1]; FirstLine = @($result.Output -split "`n")[0]
                    Warnings = @($warned | ForEach-Object Message)
                }
            }
            Write-Host ("    50 MiB of output: working set {0:N0} MB before, {1:N0} MB after, peak {2:N0} MB; the result keeps {3:N0} characters" -f ($measured.Before / 1MB), ($measured.After / 1MB), ($measured.Peak / 1MB), $measured.OutputLength)
            $measured.OutputBytes | Should -Be (52428800 + 1 + 'the-end'.Length + 1)
            $measured.Truncated | Should -BeTrue
            $measured.OutputLength | Should -BeLessOrEqual 1048576
            $measured.OutputLength | Should -BeGreaterThan 1000000
            $measured.LastLine | Should -Be 'the-end'
            $measured.FirstLine | Should -Be '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk' -Because 'the kept text starts at a whole line'
            @($measured.Warnings).Count | Should -Be 1
            @($measured.Warnings)[0] | Should -Match "wrote 50 MiB to standard output; the result's Output keeps the last 1 MiB of it \(OutputTruncated\)\. -OutFile saves standard output whole, byte for byte"
        }

        It 'writes standard output byte for byte to -OutFile' {
            $bytes = [byte[]]::new(256)
            [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
            $source = Join-Path $env:HOME 'random.bin'
            [IO.File]::WriteAllBytes($source, $bytes)
            $target = Join-Path $env:HOME 'copy.bin'
            $result = Invoke-MightyContainer @ssh API application "cat '$source'; echo done >&2" -OutFile $target
            $result.OutputFile | Should -Be $target
            $result.Output | Should -BeExactly ''
            $result.OutputBytes | Should -Be 256
            $result.Error | Should -Be "done`n"
            [IO.File]::ReadAllBytes($target) | Should -Be $bytes
            [Convert]::ToHexString([IO.File]::ReadAllBytes($target)) | Should -BeExactly ([Convert]::ToHexString($bytes))
        }

        It 'refuses -OutFile for several tasks before running anything' {
            $target = Join-Path $env:HOME 'many.out'
            { Invoke-MightyContainer @ssh WEB nginx 'echo x' -AllTasks -OutFile $target -ErrorAction Stop } | Should -Throw -ErrorId 'OutFileNeedsOneContainer,*'
            Test-Path $target | Should -BeFalse
        }

        It 'refuses a NUL in the command up front, naming it, before any lookup' {
            $sandbox.ResetRequestCounts()
            $logins = @(Select-String -Path $rig.Log -Pattern 'Accepted publickey').Count
            { Invoke-MightyContainer @ssh API application "echo a`0b" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCommand,*' -ExpectedMessage '*NUL character at position 7*'
            $sandbox.RequestCounts.Count | Should -Be 0
            @(Select-String -Path $rig.Log -Pattern 'Accepted publickey').Count | Should -Be $logins
        }

        It 'shows a table with the task, container, exit code and output' {
            $text = Invoke-MightyContainer @ssh API application 'echo table' | Out-String -Width 200
            $text | Should -Match 'Service\s+Task\s+Container\s+ExitCode\s+Output'
            $text | Should -Match 'API\s+[0-9a-f]{8}\s+application\s+0\s+table'
        }
    }

    Describe 'Invoke-MightyContainer targeting (docs/design/targeting.md)' {
        It 'runs in every task of every service a wildcard matches with -AllTasks, and in one task of each without' {
            $tasks = @(Get-MightyTask -Cluster production -Service '*_web_scrape')
            $all = @(Invoke-MightyContainer @ssh -Service '*_WEB_SCRAPE' -Container sidekiq -AllTasks -Command 'echo ok')
            ($all.TaskId | Sort-Object) | Should -Be ($tasks.TaskId | Sort-Object)
            $one = @(Invoke-MightyContainer @ssh -Service '*_web_scrape' -Container sidekiq -Command 'echo ok')
            ($one.Service | Sort-Object) | Should -Be @('android_web_scrape', 'ios_web_scrape')
        }

        It 'refuses a name in the wrong case and a wildcard that matches nothing (ServiceNotFound), and no service at all (ServiceNotNamed)' {
            Invoke-MightyContainer @ssh -Service api -Command 'true' -ErrorVariable wrongCase -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $wrongCase[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
            "$($wrongCase[0])" | Should -Match "did you mean 'API'\?"
            Invoke-MightyContainer @ssh -Service 'nothing*' -Command 'true' -ErrorVariable nothing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $nothing[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
            Invoke-MightyContainer @ssh -Command 'true' -ErrorVariable unnamed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $unnamed[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotNamed,*'
        }

        It 'honours a service ARN whole: its cluster, and a contradicting -Cluster is ClusterMismatch' {
            $arn = "arn:aws:ecs:$($sandbox.Region):$($sandbox.AccountId):service/staging/API"
            $ssh2 = $ssh.Clone(); $ssh2.Remove('Cluster')
            $result = Invoke-MightyContainer @ssh2 -Service $arn -Container application -Command 'echo staging'
            $result.Cluster | Should -BeExactly 'staging'
            $result.Service | Should -BeExactly 'API'
            Invoke-MightyContainer @ssh -Service $arn -Container application -Command 'true' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterMismatch,*'
        }

        It 'takes piped service names, Get-MightyService output and AWS.Tools-shaped task objects' {
            @('API' | Invoke-MightyContainer @ssh -Container application -Command 'echo named').Output | Should -Be "named`n"
            $fromService = @(Get-MightyService -Cluster production -Service API | Invoke-MightyContainer @ssh -Container application -Command 'echo svc')
            $fromService.Service | Should -BeExactly 'API'
            # Amazon.ECS.Model.Task (Get-ECSTaskDetail) carries TaskArn and ClusterArn, no service name.
            $task = (Get-MightyTask -Cluster production -Service API)[-1]
            $ecsTask = [pscustomobject]@{ TaskArn = $task.TaskArn; ClusterArn = "arn:aws:ecs:$($sandbox.Region):$($sandbox.AccountId):cluster/production"; Group = 'service:API'; LastStatus = 'RUNNING' }
            $ssh2 = $ssh.Clone(); $ssh2.Remove('Cluster')
            $result = $ecsTask | Invoke-MightyContainer @ssh2 -Container application -Command 'echo task'
            $result.TaskId | Should -Be $task.TaskId
            $result.Output | Should -Be "task`n"
        }
    }

    Describe 'Invoke-MightyContainer keys' {
        It 'logs in with <Name> keys' -ForEach @(
            @{ Name = 'RSA (PEM)'; Key = 'Rsa' }
            @{ Name = 'ECDSA (OpenSSH)'; Key = 'Ecdsa' }
            @{ Name = 'ed25519 (OpenSSH)'; Key = 'Ed25519' }
        ) {
            (Invoke-MightyContainer @ssh -KeyFilePath $keys.$Key API application 'echo in').Output | Should -Be "in`n"
        }

        It 'opens a protected key with -KeyPassphrase' {
            $passphrase = ConvertTo-SecureString 'correct horse' -AsPlainText -Force
            (Invoke-MightyContainer @ssh -KeyFilePath $keys.Protected -KeyPassphrase $passphrase API application 'echo in').Output | Should -Be "in`n"
        }

        It 'refuses a wrong passphrase with SshKeyPassphraseWrong' {
            $passphrase = ConvertTo-SecureString 'wrong horse' -AsPlainText -Force
            { Invoke-MightyContainer @ssh -KeyFilePath $keys.Protected -KeyPassphrase $passphrase API application 'true' -ErrorAction Stop } |
                Should -Throw -ErrorId 'SshKeyPassphraseWrong,*'
        }

        It 'says how to pass the passphrase when it cannot ask (a non-interactive session)' {
            $outcome = Invoke-InFreshPwsh -ArgumentList $sandbox.Endpoint, $keys.Protected, $rig.Port, $env:HOME -ScriptBlock {
                param($endpoint, $key, $port, $home_)
                $env:HOME = $home_
                try {
                    Invoke-MightyContainer -EndpointUrl $endpoint -Cluster production -Port $port -User ([Environment]::UserName) -KeyFilePath $key API application 'true' -ErrorAction Stop
                    'no error'
                }
                catch { $_.FullyQualifiedErrorId; $_.ToString() }
            }
            $outcome[0] | Should -BeLike 'SshKeyPassphraseRequired,*'
            $outcome[1] | Should -Match '-KeyPassphrase'
        }

        It 'reports a key file that does not exist (SshKeyNotFound) and one that is not a key (SshKeyUnreadable)' {
            { Invoke-MightyContainer @ssh -KeyFilePath (Join-Path $env:HOME 'nope.pem') API application 'true' -ErrorAction Stop } |
                Should -Throw -ErrorId 'SshKeyNotFound,*'
            $notKey = Join-Path $env:HOME 'key.pub'
            Copy-Item "$($keys.Ed25519).pub" $notKey
            { Invoke-MightyContainer @ssh -KeyFilePath $notKey API application 'true' -ErrorAction Stop } |
                Should -Throw -ErrorId 'SshKeyUnreadable,*'
        }

        It 'reports a key the host refuses as SshAuthenticationFailed, naming user and key' {
            $user = [Environment]::UserName
            Invoke-MightyContainer @ssh -KeyFilePath $keys.Stranger API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SshAuthenticationFailed,*'
            $failures[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failures[0].ToString() | Should -Match "user '$user' with key .*id_stranger \(ssh-ed25519 SHA256:"
        }
    }

    Describe 'Invoke-MightyContainer errors' {
        It 'reports a service without running tasks as NoRunningTask' {
            Invoke-MightyContainer @ssh -Service analytics -Command 'true' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NoRunningTask,*'
            $failures[0].TargetObject | Should -Be 'analytics'
            $failures[0].ToString() | Should -Match 'DesiredStatus STOPPED'
        }

        It 'reports an unknown container with the names there, and a missing -Container when there are several' {
            Invoke-MightyContainer @ssh -Service WEB -Container nope -Command 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound,*'
            $failures[0].ToString() | Should -Match "no container 'nope'\. Its containers: (application, nginx|nginx, application)\."
            Invoke-MightyContainer @ssh -Service WEB -Command 'true' -ErrorVariable required -ErrorAction SilentlyContinue
            $required[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNameRequired,*'
            $required[0].ToString() | Should -Match '-Container: (application, nginx|nginx, application)'
        }

        It 'refuses a Fargate task with TaskHasNoEc2Instance, pointing to aws ecs execute-command' {
            $service = New-SandboxFargateService -Name fargate_exec
            $task = Get-MightyTask -Cluster production -Service $service
            Invoke-MightyContainer @ssh -Service $service -Command 'true' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'TaskHasNoEc2Instance,*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $failures[0].TargetObject | Should -Be $task.TaskId
            $text = $failures[0].ToString()
            $text | Should -Match 'a Fargate task: there is no EC2 host to SSH to'
            $text | Should -Match ([regex]::Escape("aws ecs execute-command --cluster production --task $($task.TaskId) --container application --interactive --command bash"))
        }

        It 'refuses a task on an external (ECS Anywhere) instance with TaskHasNoEc2Instance, and never asks EC2 about its mi- id' {
            $registered = Invoke-RestMethod -Method Post -Uri "$($sandbox.Endpoint)/_sandbox/external-instances" -ContentType 'application/json' -Body '{"cluster":"production"}'
            $registered.ec2InstanceId | Should -Match '^mi-[0-9a-f]{17}$'
            $definition = (Get-MightyService -Cluster production -Service API).TaskDefinitionArn
            $null = aws ecs create-service --cluster production --service-name on_premises --task-definition $definition --desired-count 1 --launch-type EXTERNAL --output json
            $LASTEXITCODE | Should -Be 0
            Invoke-RestMethod -Method Post -Uri "$($sandbox.Endpoint)/_sandbox/advance-time" -ContentType 'application/json' -Body '{"seconds":300}' | Out-Null

            $task = Get-MightyTask -Cluster production -Service on_premises -WarningVariable warnings
            $warnings.Count | Should -Be 0 -Because 'EC2 is asked only about i- ids (it would refuse the whole call for an mi- id)'
            $task.LaunchType | Should -Be 'EXTERNAL'
            $task.ContainerInstanceId | Should -Be ($registered.containerInstanceArn -split '/')[-1]
            $task.Ec2InstanceId | Should -BeNullOrEmpty
            Invoke-MightyContainer @ssh -Service on_premises -Container application -Command 'true' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'TaskHasNoEc2Instance,*'
            $failures[0].ToString() | Should -Match 'external \(ECS Anywhere\) instance: there is no EC2 host to SSH to.*aws ecs execute-command --cluster production'
        }

        It 'reports a container that is not running as ContainerNotRunning' {
            $task = (Get-MightyTask -Cluster production -Service API)[-1]
            aws ecs stop-task --cluster production --task $task.TaskId --endpoint-url $sandbox.Endpoint | Out-Null
            # API is behind api-tg: the stopped task drains for the 300 s deregistration delay before its containers stop.
            Invoke-RestMethod -Method Post -Uri "$($sandbox.Endpoint)/_sandbox/advance-time" -ContentType 'application/json' -Body '{"seconds":420}' | Out-Null
            Invoke-MightyContainer @ssh -Service API -TaskId $task.TaskId -Command 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotRunning,*'
            $failures[0].ToString() | Should -Match 'STOPPED'
        }

        It 'answers an unknown container id like Docker (the rig''s stand-in, through the real sshd)' {
            $out = & ssh -p $rig.Port -i $keys.Ed25519 -o BatchMode=yes -o StrictHostKeyChecking=no -o "UserKnownHostsFile=$knownHosts" "$([Environment]::UserName)@127.0.0.1" 'docker exec 0123456789ab true' 2>&1
            $LASTEXITCODE | Should -Be 1
            ($out -join "`n") | Should -Match 'Error response from daemon: No such container: 0123456789ab'
        }

        It 'reports a port nobody listens on as SshHostUnreachable, naming address and port' {
            $port = Get-FreeTcpPort
            Invoke-MightyContainer @ssh -Port $port API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SshHostUnreachable,*'
            $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $failures[0].ToString() | Should -Match "127\.0\.0\.1:$port"
        }

        It 'reports a host that does not answer in -ConnectTimeout as SshConnectTimeout' {
            # Accepts TCP connections and never speaks SSH.
            $silent = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
            $silent.Start()
            try {
                Invoke-MightyContainer @ssh -Port $silent.LocalEndpoint.Port -ConnectTimeout 2 API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
                $failures[0].FullyQualifiedErrorId | Should -BeLike 'SshConnectTimeout,*'
                $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
                $failures[0].ToString() | Should -Match "127\.0\.0\.1:$($silent.LocalEndpoint.Port)"
            }
            finally { $silent.Stop() }
        }

        It 'reports an instance without docker as DockerNotFound, and docker refused as DockerPermissionDenied' {
            $missing = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint -Docker Missing
            $denied = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint -Docker Denied
            try {
                Invoke-MightyContainer @ssh -Port $missing.Port API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
                $failures[0].FullyQualifiedErrorId | Should -BeLike 'DockerNotFound,*'
                Invoke-MightyContainer @ssh -Port $denied.Port API application 'true' -ErrorVariable refused -ErrorAction SilentlyContinue
                $refused[0].FullyQualifiedErrorId | Should -BeLike 'DockerPermissionDenied,*'
                $refused[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
                $refused[0].ToString() | Should -Match 'docker group'
            }
            finally {
                Stop-SshRig $missing
                Stop-SshRig $denied
            }
        }
    }

    Describe 'Host keys' {
        It 'records an unknown host under AcceptNew, in OpenSSH''s format' {
            Invoke-MightyContainer @ssh API application 'true' | Out-Null
            Get-Content $knownHosts | Should -Be (Get-RigKnownHostsLine $rig)
            # OpenSSH reads the line it wrote.
            & ssh -p $rig.Port -i $keys.Ed25519 -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$knownHosts" "$([Environment]::UserName)@127.0.0.1" true
            $LASTEXITCODE | Should -Be 0
        }

        It 'refuses an unknown host under Strict' {
            Invoke-MightyContainer @ssh -HostKeyPolicy Strict API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'HostKeyUnknown,*'
            $failures[0].ToString() | Should -Match ([regex]::Escape($rig.HostKeyFingerprint))
            Test-Path $knownHosts | Should -BeFalse
        }

        It 'matches hashed entries (ssh-keygen -H)' {
            New-Item -ItemType Directory (Split-Path $knownHosts) -Force | Out-Null
            Get-RigKnownHostsLine $rig | Set-Content $knownHosts
            & ssh-keygen -q -H -f $knownHosts 2>$null
            (Get-Content $knownHosts) | Should -Match '^\|1\|'
            (Invoke-MightyContainer @ssh -HostKeyPolicy Strict API application 'echo hashed').Output | Should -Be "hashed`n"
        }

        It 'refuses a changed key with both fingerprints and the line to remove' {
            New-Item -ItemType Directory (Split-Path $knownHosts) -Force | Out-Null
            $other = (Get-Content "$($keys.Stranger).pub") -split ' '
            @('# first line', "[127.0.0.1]:$($rig.Port) $($other[0]) $($other[1])") | Set-Content $knownHosts
            $expected = ((& ssh-keygen -l -E sha256 -f "$($keys.Stranger).pub") -split ' ')[1]
            Invoke-MightyContainer @ssh API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'HostKeyMismatch,*'
            $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $text = $failures[0].ToString()
            $text | Should -Match ([regex]::Escape("line 2 expects ssh-ed25519 $expected"))
            $text | Should -Match ([regex]::Escape("presented ssh-ed25519 $($rig.HostKeyFingerprint)"))
            $text | Should -Match ([regex]::Escape("remove line 2 ([127.0.0.1]:$($rig.Port) ssh-ed25519"))
            @(Get-Content $knownHosts).Count | Should -Be 2 -Because 'a changed key is never recorded over the old one'
        }

        It 'refuses a key marked @revoked, even under AcceptNew' {
            New-Item -ItemType Directory (Split-Path $knownHosts) -Force | Out-Null
            "@revoked $(Get-RigKnownHostsLine $rig)" | Set-Content $knownHosts
            Invoke-MightyContainer @ssh API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'HostKeyRevoked,*'
            $failures[0].ToString() | Should -Match ([regex]::Escape($rig.HostKeyFingerprint))
            @(Get-Content $knownHosts).Count | Should -Be 1 -Because 'a revoked key is never accepted or recorded again'
        }

        It 'goes through a bastion, whose host key is checked the same way' {
            $bastion = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint
            try {
                $jump = "$([Environment]::UserName)@127.0.0.1:$($bastion.Port)"
                (Invoke-MightyContainer @ssh -Bastion $jump API application 'echo jumped').Output | Should -Be "jumped`n"
                # Both hosts were recorded, each under its own name.
                $lines = @(Get-Content $knownHosts)
                $lines | Should -Contain (Get-RigKnownHostsLine $rig)
                $lines | Should -Contain (Get-RigKnownHostsLine $bastion)

                # A changed bastion key stops the connection before the target is tried.
                $other = (Get-Content "$($keys.Stranger).pub") -split ' '
                @((Get-RigKnownHostsLine $rig), "[127.0.0.1]:$($bastion.Port) $($other[0]) $($other[1])") | Set-Content $knownHosts
                Invoke-MightyContainer @ssh -Bastion $jump API application 'true' -ErrorVariable failures -ErrorAction SilentlyContinue
                $failures[0].FullyQualifiedErrorId | Should -BeLike 'HostKeyMismatch,*'
                $failures[0].TargetObject | Should -Be "[127.0.0.1]:$($bastion.Port)"
            }
            finally { Stop-SshRig $bastion }
        }
    }
}
