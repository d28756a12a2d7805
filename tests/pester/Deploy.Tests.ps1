# Publish-MightyService against the demo sandbox: deploys that are Completed only when the
# sandbox really runs the new revision, failures explained and rolled back, bad input that
# changes nothing (request counts prove it), secrets that reach the container and nothing else.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    Set-QuickTargetGroups   # WEB and API deploys in seconds rather than 8 simulated minutes
    foreach ($repository in 'app', 'nginx-proxy') { $null = $script:sandbox.PushImage($repository, 'master.5') }
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("mighty-deploy-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    # The requests that change ECS or S3, from the sandbox's counts.
    function Get-ChangeCount {
        $counts = $script:sandbox.RequestCounts
        [pscustomobject]@{
            Register = [int]$counts['ecs.RegisterTaskDefinition']
            Update   = [int]$counts['ecs.UpdateService']
            Put      = [int]$counts['s3.PutObject']
        }
    }

    # Runs a deploy and returns the counts of changing requests it made.
    function Measure-Change([scriptblock] $Deploy) {
        $script:failed = [System.Collections.ArrayList]::new()
        $script:sandbox.ResetRequestCounts()
        & $Deploy
        Get-ChangeCount
    }

    # The task definition the service's running containers were started from, per container.
    function Get-RunningDefinition([string] $Service, [string] $Cluster = 'production') {
        @($script:sandbox.GetContainers($Cluster, $Service) | Where-Object LastStatus -EQ 'RUNNING' | ForEach-Object TaskDefinitionArn | Sort-Object -Unique)
    }

    # Everything a fresh pwsh prints (every stream and the host's own output, -WhatIf included)
    # while running $Command against the sandbox, as one string.
    function Invoke-CapturedPwsh([string] $Command, $Sandbox = $script:sandbox) {
        $script = Join-Path $script:work ("run-" + [guid]::NewGuid().ToString('n') + '.ps1')
        @"
`$env:AWS_ENDPOINT_URL = '$($Sandbox.Endpoint)'
`$env:AWS_REGION = '$($Sandbox.Region)'
`$env:AWS_ACCESS_KEY_ID = '$($Sandbox.AccessKeyId)'
`$env:AWS_SECRET_ACCESS_KEY = '$($Sandbox.SecretAccessKey)'
Import-Module '$($script:ModuleManifest)'
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$InformationPreference = 'Continue'
$Command *>&1 | Out-String -Width 500
"@ | Set-Content -Path $script -Encoding utf8NoBOM
        $pwsh = Get-FreshPwsh
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $script 2>&1
        $output -join "`n"
    }

    function Write-Config([string] $Text) {
        $path = Join-Path $script:work ("mighty-" + [guid]::NewGuid().ToString('n') + '.psd1')
        Set-Content -Path $path -Value $Text
        $path
    }

    function Set-Secret([string] $Key, [object] $Json) {
        $file = Join-Path $script:work 'secret.json'
        if ($Json -is [byte[]]) { [IO.File]::WriteAllBytes($file, $Json) } else { [IO.File]::WriteAllText($file, $Json) }
        aws s3 cp $file "s3://mighty-secrets/$Key" --quiet
        if ($LASTEXITCODE) { throw "aws s3 cp failed" }
    }
}

AfterAll {
    Stop-MightySandbox
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Publish-MightyService' {
    It 'deploys a tag to one service and reports Completed only once the sandbox runs the new revision' {
        $before = Get-MightyService -Cluster production -Service API
        $result = Publish-MightyService -Cluster production -Service API -Tag master.5 -InformationVariable events
        $result | Should -BeOfType ([MightyOps.MightyDeployment])
        $result.Status | Should -Be 'Completed'
        $result.PreviousTaskDefinitionArn | Should -Be $before.TaskDefinitionArn
        $result.TaskDefinitionArn | Should -Not -Be $before.TaskDefinitionArn
        $result.DeploymentId | Should -Match '^ecs-svc/\d{19}$'
        $result.Images['application'] | Should -Match '/app:master\.5$'
        $result.Duration | Should -BeGreaterThan ([timespan]::Zero)

        $service = Get-MightyService -Cluster production -Service API
        $service.TaskDefinitionArn | Should -Be $result.TaskDefinitionArn
        $service.Deployments.Count | Should -Be 1
        $service.RunningTasks | Should -Be $service.DesiredTasks
        Get-RunningDefinition API | Should -Be @($result.TaskDefinitionArn)

        $events | Should -Not -BeNullOrEmpty
        $events | ForEach-Object { $_.Tags | Should -Contain 'MightyOps.Event'; "$($_.MessageData)" | Should -BeLike 'API: (service API)*' }
        ($events.MessageData -join "`n") | Should -Match 'deployment completed'
        $result.Events.Message | Should -Contain "(service API) has reached a steady state."

        $tags = (aws ecs describe-task-definition --task-definition $result.TaskDefinitionArn --include TAGS | ConvertFrom-Json).tags
        ($tags | Where-Object key -EQ 'mightyops:release').value | Should -Be 'master.5'
        ($tags | Where-Object key -EQ 'mightyops:previous-task-definition').value | Should -Be $before.TaskDefinitionArn
    }

    It 'says Unchanged and changes nothing when the service already runs that tag' {
        $counts = Measure-Change { $script:result = Publish-MightyService -Cluster production -Service API -Tag master.5 }
        $script:result.Status | Should -Be 'Unchanged'
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
    }

    It 'shows a readable diff with -WhatIf' {
        $text = Invoke-CapturedPwsh "Publish-MightyService -Cluster production -Service WEB -Image @{ application = 'master.5'; nginx = 'nginx-proxy:master.5' } -WhatIf"
        $text | Should -Match 'What if: .*Register a new revision of WEB'
        $text | Should -Match 'containers\.application\.image: \S+/app:master\.4 -> \S+/app:master\.5'
        $text | Should -Match 'containers\.nginx\.image: \S+/nginx-proxy:master\.4 -> \S+/nginx-proxy:master\.5'
        # One change a line: the diff's lines are not joined with visible line-break symbols.
        $text | Should -Match '(?m)^\s+containers\.application\.image: '
        $text | Should -Not -Match '␊'
    }

    It 'changes nothing with -WhatIf (request counts)' {
        $counts = Measure-Change { Publish-MightyService -Cluster production -Service WEB -Tag master.5 -WhatIf }
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
        (Get-MightyService -Cluster production -Service WEB -IncludeImages).Images['application'] | Should -Match 'master\.4$'
    }

    It 'binds -Tag from a piped tag object and deploys several services at once' {
        $counts = Measure-Change {
            $script:results = [pscustomobject]@{ Tag = 'master.5' } | Publish-MightyService -Cluster production -Service WEB, default
        }
        @($script:results).Count | Should -Be 2
        $script:results.Status | Should -Be @('Completed', 'Completed')
        $counts.Register | Should -Be 2
        $counts.Update | Should -Be 2
        Get-RunningDefinition WEB | Should -Be @(($script:results | Where-Object Service -EQ WEB).TaskDefinitionArn)
    }

    It 'leaves a Docker Hub sidecar alone with -Tag and narrows to -Container' {
        $result = Publish-MightyService -Cluster production -Service WEB -Tag master.3 -Container nginx
        $result.Status | Should -Be 'Completed'
        $result.Images['nginx'] | Should -Match '/nginx-proxy:master\.3$'
        $result.Images['application'] | Should -Match '/app:master\.5$'
    }

    It 'deploys a tag to the repository mighty.psd1 names for a container that runs something else' {
        # A new service still on a placeholder image: -Tag alone has no ECR image to retag.
        $definition = '[{"name":"application","image":"public.ecr.aws/docker/library/busybox:latest","memory":128,"essential":true}]'
        aws ecs register-task-definition --family placeholder --container-definitions $definition --output json | Out-Null
        $LASTEXITCODE | Should -Be 0
        aws ecs create-service --cluster production --service-name FRESH --task-definition placeholder --desired-count 1 --output json | Out-Null
        $LASTEXITCODE | Should -Be 0

        Publish-MightyService -Cluster production -Service FRESH -Tag master.5 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NoEcrContainer*'

        $path = Write-Config "@{ Services = @{ FRESH = @{ Containers = @{ application = @{ Repository = 'app' } } } } }"
        # The service's first deployment (CreateService's) is still in progress: -Force deploys over it.
        $result = Publish-MightyService -Cluster production -Service FRESH -Tag master.5 -ConfigPath $path -Force
        $result.Status | Should -Be 'Completed'
        $result.Images['application'] | Should -BeExactly "$($script:sandbox.AccountId).dkr.ecr.$($script:sandbox.Region).amazonaws.com/app:master.5"
        Get-RunningDefinition FRESH | Should -Be @($result.TaskDefinitionArn)
    }

    It 'reports a crashing image as failed, with the stopped reason and exit code, and rolls back' {
        $before = (Get-MightyService -Cluster production -Service mailers).TaskDefinitionArn
        $result = Publish-MightyService -Cluster production -Service mailers -Tag broken.1 -ErrorVariable failed -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'RolledBack'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
        $failed[0].TargetObject | Should -Be 'mailers'
        $message = $failed[0].ToString()
        $message | Should -Match 'Essential container in task exited'
        $message | Should -Match 'exit code 1'
        $message | Should -Match 'Rolled back'
        $result.FailureReason | Should -Be ($message -replace "^Deploying \S+ to 'mailers' failed\. ", '')
        (Get-MightyService -Cluster production -Service mailers).TaskDefinitionArn | Should -Be $before
        Get-RunningDefinition mailers | Should -Be @($before)
    }

    It 'leaves the failure to ECS with -NoRollback and reports ECS''s own rollback as such' {
        $script:sandbox.ResetRequestCounts()
        $result = Publish-MightyService -Cluster production -Service webhooks -Tag broken.1 -NoRollback -ErrorVariable failed -ErrorAction SilentlyContinue
        # ECS's verdict (its circuit breaker rolls back): RolledBack, by ECS, not by MightyOps.
        $result.Status | Should -Be 'RolledBack'
        $result.Rollback.By | Should -Be 'ECS'
        [int]$script:sandbox.RequestCounts['ecs.UpdateService'] | Should -Be 1
        [int]$script:sandbox.RequestCounts['ecs.StopServiceDeployment'] | Should -Be 0
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
        $failed[0].ToString() | Should -Match 'Rolled back by ECS'
    }
}

Describe 'Secrets' {
    It 'delivers a planted secret to the container, and to no stream, output, diff or task definition' {
        $secret = 'planted-' + [guid]::NewGuid().ToString('n')
        Set-Secret 'planted.json' ('{"shared":{"PLANTED_SECRET":"' + $secret + '"},"sync_crm":{"CRM_TOKEN":"' + $secret + '-crm"}}')
        $path = Write-Config "@{ Cluster = 'production'; Services = @{ sync_crm = @{ Environment = @{ PLAIN = 'visible' } } }; Secrets = @{ Source = 's3://mighty-secrets/planted.json' } }"

        $whatIf = Invoke-CapturedPwsh "Publish-MightyService -Service sync_crm -Tag master.5 -ConfigPath '$path' -WhatIf"
        $whatIf | Should -Match 'environmentFiles'
        $whatIf | Should -Match 'environment: added PLAIN'
        $whatIf | Should -Not -Match ([regex]::Escape($secret))

        $run = Invoke-CapturedPwsh "`$r = Publish-MightyService -Service sync_crm -Tag master.5 -ConfigPath '$path'; `$r | Format-List * | Out-String -Width 500; `$r | ConvertTo-Json -Depth 6; `$r.Events | Format-List * | Out-String -Width 500"
        $run | Should -Match 'Status\s+: Completed'
        $run | Should -Not -Match ([regex]::Escape($secret))

        $service = Get-MightyService -Cluster production -Service sync_crm
        $definition = aws ecs describe-task-definition --task-definition $service.TaskDefinitionArn --include TAGS | Out-String
        $definition | Should -Not -Match ([regex]::Escape($secret))
        $definition | Should -Match 'arn:aws:s3:::mighty-secrets/planted/sync_crm-[0-9a-f]{12}\.env'

        $running = @($script:sandbox.GetContainers('production', 'sync_crm') | Where-Object { $_.LastStatus -eq 'RUNNING' -and $_.TaskDefinitionArn -eq $service.TaskDefinitionArn })
        $running.Count | Should -BeGreaterThan 0
        $running[0].Environment['PLANTED_SECRET'] | Should -Be $secret
        $running[0].Environment['CRM_TOKEN'] | Should -Be "$secret-crm"
        $running[0].Environment['PLAIN'] | Should -Be 'visible'
    }

    It 'is Unchanged when the secrets did not change, and -ForceNewDeployment starts new tasks' {
        $path = Write-Config "@{ Cluster = 'production'; Services = @{ sync_crm = @{ Environment = @{ PLAIN = 'visible' } } }; Secrets = @{ Source = 's3://mighty-secrets/planted.json' } }"
        (Publish-MightyService -Service sync_crm -Tag master.5 -ConfigPath $path).Status | Should -Be 'Unchanged'
        $counts = Measure-Change { $script:forced = Publish-MightyService -Service sync_crm -Tag master.5 -ConfigPath $path -ForceNewDeployment }
        $script:forced.Status | Should -Be 'Completed'
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 1
    }
}

Describe 'Publish-MightyService -Image given one string' {
    It 'deploys a bare tag as -Tag does: every container of this account''s ECR' {
        $result = Publish-MightyService -Cluster staging -Service WEB -Image master.5
        $result.Status | Should -Be 'Completed'
        $result.Images['application'] | Should -Match '/app:master\.5$'
        $result.Images['nginx'] | Should -Match '/nginx-proxy:master\.5$'
    }

    It 'deploys repository:tag to the containers that run that repository, and leaves the others' {
        $result = Publish-MightyService -Cluster staging -Service WEB -Image 'nginx-proxy:master.3'
        $result.Status | Should -Be 'Completed'
        $result.Images['nginx'] | Should -BeExactly "$($script:sandbox.AccountId).dkr.ecr.$($script:sandbox.Region).amazonaws.com/nginx-proxy:master.3"
        $result.Images['application'] | Should -Match '/app:master\.5$'
        Get-RunningDefinition WEB -Cluster staging | Should -Be @($result.TaskDefinitionArn)
    }

    It 'asks which container when the image fits none of several, registering nothing' {
        $counts = Measure-Change { Publish-MightyService -Cluster staging -Service WEB -Image 'ghcr.io/acme/app:1.0' -ErrorAction SilentlyContinue -ErrorVariable +script:failed | Out-Null }
        $script:failed[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNameRequired,*'
        "$($script:failed[0])" | Should -Match "does not say which to change\. Name the container: -Image @\{ application = 'ghcr\.io/acme/app:1\.0' \}"
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
    }
}

Describe 'Publish-MightyService with bad input changes nothing' {
    It 'reports <Case> as <ErrorId>' -ForEach @(
        @{ Case = 'an unknown cluster'; ErrorId = 'ClusterNotFound'; Arguments = @{ Cluster = 'nowhere'; Service = 'WEB'; Tag = 'master.5' } }
        @{ Case = 'an unknown service'; ErrorId = 'ServiceNotFound'; Arguments = @{ Cluster = 'production'; Service = 'nope'; Tag = 'master.5' } }
        @{ Case = 'a service named in the wrong case'; ErrorId = 'ServiceNotFound'; Arguments = @{ Cluster = 'production'; Service = 'web'; Tag = 'master.5' } }
        @{ Case = 'an unknown container'; ErrorId = 'ContainerNotFound'; Arguments = @{ Cluster = 'production'; Service = 'WEB'; Image = @{ app = 'master.5' } } }
        @{ Case = 'a missing image tag'; ErrorId = 'ImageTagNotFound'; Arguments = @{ Cluster = 'production'; Service = 'WEB'; Tag = 'master.99' } }
    ) {
        $counts = Measure-Change { Publish-MightyService @Arguments -ErrorAction SilentlyContinue -ErrorVariable +script:failed | Out-Null }
        $script:failed.Count | Should -BeGreaterThan 0
        $script:failed[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
        $counts.Put | Should -Be 0
    }

    It 'names the repository, the tag and the newest tags that exist for a missing tag' {
        Publish-MightyService -Cluster production -Service API -Tag master.99 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].ToString() | Should -Match "ECR repository 'app' has no image with tag 'master\.99'\. The newest tags there: master\.5, broken\.1, master\.4\."
    }

    It 'lists the containers the task definition has for an unknown container' {
        Publish-MightyService -Cluster production -Service WEB -Image @{ Application = 'master.5' } -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].ToString() | Should -Match "has no container 'Application'.*'application', 'nginx'.*Did you mean 'application'"
    }

    It 'stops on a config file with <Case> before any AWS call' -ForEach @(
        @{ Case = 'an unknown key'; Text = "@{ Cluster = 'production'; Servicez = @{} }" }
        @{ Case = 'code in it'; Text = "@{ Cluster = (Get-Date).ToString() }" }
    ) {
        $path = Write-Config $Text
        $script:sandbox.ResetRequestCounts()
        { Publish-MightyService -Service WEB -Tag master.5 -ConfigPath $path -ErrorAction Stop } | Should -Throw
        $script:sandbox.RequestCounts.Count | Should -Be 0
    }

    It 'refuses a configured container the task definition lacks, naming the key path, the file and the nearest name' {
        $path = Write-Config "@{`n    Cluster  = 'production'`n    Services = @{`n        WEB = @{ Containers = @{ ngnix = @{ Cpu = 96 } } }`n    }`n}"
        $counts = Measure-Change { Publish-MightyService -Service WEB -Tag master.5 -ConfigPath $path -ErrorAction SilentlyContinue -ErrorVariable +script:failed | Out-Null }
        $script:failed.Count | Should -Be 1
        $script:failed[0].FullyQualifiedErrorId | Should -BeLike 'ConfigInvalid,*'
        $script:failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($script:failed[0])" | Should -Match ("^" + [regex]::Escape($path) + ":4:34: Services\.WEB\.Containers\.ngnix: service 'WEB' has no container 'ngnix'; its task definition WEB:\d+ has 'application', 'nginx'\. Did you mean 'nginx'\?")
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
        $counts.Put | Should -Be 0
    }

    It 'names where a repository that does not exist came from: <Case>' -ForEach @(
        @{ Case = 'the config file'; Config = "@{ Cluster = 'production'; Services = @{ API = @{ Containers = @{ application = @{ Repository = 'ap' } } } } }"; Arguments = @{ Tag = 'master.5' }
           Pattern = "ECR repository 'ap' was not found.* The repository of container 'application' comes from Services\.API\.Containers\.application\.Repository in (?<file>.+): fix the name there\." }
        @{ Case = '-Image'; Config = "@{ Cluster = 'production' }"; Arguments = @{ Image = 'ap:master.5' }
           Pattern = "ECR repository 'ap' was not found.* The repository of container 'application' comes from -Image: check the name there\." }
    ) {
        $path = Write-Config $Config
        $counts = Measure-Change { Publish-MightyService -Service API @Arguments -ConfigPath $path -ErrorAction SilentlyContinue -ErrorVariable +script:failed | Out-Null }
        $script:failed[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
        "$($script:failed[0])" | Should -Match $Pattern
        "$($script:failed[0])" | Should -Not -Match 'Check the repository name in -Image or the task definition'
        if ($Matches.file) { $Matches.file | Should -BeExactly $path }
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
    }

    It 'refuses secrets that are <Case>, naming the key but never the value' -ForEach @(
        @{ Case = 'missing'; Key = 'absent.json'; Json = $null; Pattern = 'absent\.json' }
        @{ Case = 'not JSON'; Key = 'bad-json.json'; Json = '{"shared": '; Pattern = 'bad-json\.json' }
        @{ Case = 'not an object'; Key = 'array.json'; Json = '["x"]'; Pattern = 'array\.json' }
        @{ Case = 'a number'; Key = 'number.json'; Json = '{"API_PORT": 3000, "TOKEN": "tok-7719"}'; Pattern = 'API_PORT' }
        @{ Case = 'a value with a newline'; Key = 'newline.json'; Json = '{"PEM": "line-one-7719\nline-two-7719"}'; Pattern = 'PEM' }
        @{ Case = 'not UTF-8'; Key = 'latin1.json'; Json = [byte[]]@([Text.Encoding]::ASCII.GetBytes('{"TOKEN": "tok-7719') + 0xE9 + [Text.Encoding]::ASCII.GetBytes('"}')); Pattern = 'latin1\.json is not UTF-8 text: byte 20 of line 1' }
    ) {
        if ($Json) { Set-Secret $Key $Json }
        $path = Write-Config "@{ Cluster = 'production'; Secrets = @{ Source = 's3://mighty-secrets/$Key' } }"
        $counts = Measure-Change { Publish-MightyService -Service API -Tag master.4 -ConfigPath $path -ErrorAction SilentlyContinue -ErrorVariable +script:failed | Out-Null }
        $script:failed.Count | Should -BeGreaterThan 0
        $script:failed[0].FullyQualifiedErrorId | Should -BeLike 'Secrets*'
        $script:failed[0].ToString() | Should -Match $Pattern
        $script:failed[0].ToString() | Should -Not -Match '7719|3000'
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
        $counts.Put | Should -Be 0
    }

    It 'refuses an env file for a task definition without an execution role' {
        Set-Secret 'role-check.json' '{"TOKEN": "tok-5521"}'
        $family = 'norole'
        $definition = @{
            family               = $family
            containerDefinitions = @(@{ name = 'application'; image = "$($script:sandbox.AccountId).dkr.ecr.us-east-1.amazonaws.com/app:master.4"; memoryReservation = 128 })
        } | ConvertTo-Json -Depth 5 -Compress
        $null = aws ecs register-task-definition --cli-input-json $definition
        $null = aws ecs create-service --cluster production --service-name norole --task-definition norole --desired-count 1
        $path = Write-Config "@{ Cluster = 'production'; Secrets = @{ Source = 's3://mighty-secrets/role-check.json' } }"
        $counts = Measure-Change { Publish-MightyService -Service norole -Tag master.5 -ConfigPath $path -ErrorAction SilentlyContinue -ErrorVariable +script:failed | Out-Null }
        $script:failed[0].FullyQualifiedErrorId | Should -BeLike 'ExecutionRoleRequired,*'
        $script:failed[0].ToString() | Should -Match 'executionRoleArn'
        $counts.Register | Should -Be 0
        $counts.Update | Should -Be 0
        $counts.Put | Should -Be 0
    }
}

Describe 'Wait-MightyDeployment, Restore-MightyService and Get-MightyServiceEvent' {
    It 'waits later for deployments started with -NoWait' {
        $started = @(Publish-MightyService -Cluster production -Service exports, imports -Tag master.5 -NoWait)
        $started.Status | Should -Be @('InProgress', 'InProgress')
        $done = @($started | Wait-MightyDeployment)
        $done.Status | Should -Be @('Completed', 'Completed')
        # Each result comes as its deployment finishes.
        @($done.DeploymentId | Sort-Object) | Should -Be @($started.DeploymentId | Sort-Object)
        foreach ($result in $done) { Get-RunningDefinition $result.Service | Should -Be @($result.TaskDefinitionArn) }
    }

    It 'waits for a service''s current deployment with -Service' {
        $null = Publish-MightyService -Cluster production -Service reports -Tag master.5 -NoWait
        $done = Wait-MightyDeployment -Cluster production -Service reports
        $done.Status | Should -Be 'Completed'
        $done.TaskDefinitionArn | Should -Be (Get-MightyService -Cluster production -Service reports).TaskDefinitionArn
    }

    It 'restores the previously deployed revision, not revision - 1' {
        $first = Publish-MightyService -Cluster production -Service billing -Tag master.5
        $second = Publish-MightyService -Cluster production -Service billing -Tag master.3
        $second.PreviousTaskDefinitionArn | Should -Be $first.TaskDefinitionArn
        $restored = Restore-MightyService -Cluster production -Service billing -Previous
        $restored.Status | Should -Be 'Completed'
        $restored.TaskDefinitionArn | Should -Be $first.TaskDefinitionArn
        Get-RunningDefinition billing | Should -Be @($first.TaskDefinitionArn)
    }

    It 'restores a revision named by number and changes nothing with -WhatIf' {
        $script:sandbox.ResetRequestCounts()
        Restore-MightyService -Cluster production -Service billing -TaskDefinition 1 -WhatIf
        [int]$script:sandbox.RequestCounts['ecs.UpdateService'] | Should -Be 0
        $restored = Restore-MightyService -Cluster production -Service billing -TaskDefinition 1
        $restored.TaskDefinitionArn | Should -Match 'task-definition/billing:1$'
        $restored.Status | Should -Be 'Completed'
    }

    It 'lists service events oldest first, with -Last and -Since' {
        $events = @(Get-MightyServiceEvent -Cluster production -Service billing)
        $events.Count | Should -BeGreaterThan 3
        $events | ForEach-Object { $_ | Should -BeOfType ([MightyOps.MightyServiceEvent]) }
        $times = $events.CreatedAt
        ($times | Sort-Object) -join ',' | Should -Be ($times -join ',')
        $last = @(Get-MightyServiceEvent -Cluster production -Service billing -Last 2)
        $last.Count | Should -Be 2
        $last[1].Id | Should -Be $events[-1].Id
        $since = @(Get-MightyServiceEvent -Cluster production -Service billing -Since $events[-2].CreatedAt.UtcDateTime)
        $since.Count | Should -BeGreaterOrEqual 2
        $since | ForEach-Object { $_.CreatedAt | Should -BeGreaterOrEqual $events[-2].CreatedAt }
    }
}

Describe 'Publish-MightyService timeout' {
    BeforeAll {
        # Its own slow sandbox (1 simulated second per second), so that the deployment is surely not done in time.
        $script:slow = Start-MightySandbox -Seed demo -TimeScale 1 -NoEnvironment
    }
    AfterAll {
        Stop-MightySandbox -Sandbox $script:slow
    }

    BeforeAll {
        <#
        Runs $Script (a deploy cmdlet given -Timeout as a number) in a runspace against the slow
        sandbox. Once its watch has polled ECS (a DescribeServices after $After requests of the
        kind that start it), simulated time jumps ten minutes, so the rollout completes by the next
        poll. A -Timeout read as ticks has expired by that first poll. Returns what the script wrote.
        #>
        function Invoke-WatchAcrossTime([string] $Script, [string] $After, [object[]] $Arguments) {
            $script:slow.ResetRequestCounts()
            $ps = [powershell]::Create()
            $null = $ps.AddScript("param(`$Manifest, `$Endpoint, `$Arguments) Import-Module `$Manifest; $Script").AddArgument($script:ModuleManifest).AddArgument($script:slow.Endpoint).AddArgument($Arguments)
            $async = $ps.BeginInvoke()
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                function Count([string] $Operation) { [int]($script:slow.RequestCounts[$Operation] ?? 0) }
                while ((Count $After) -lt 1 -and -not $async.IsCompleted) { Start-Sleep -Milliseconds 20; if ([DateTime]::UtcNow -gt $deadline) { throw "no $After" } }
                $polls = Count 'ecs.DescribeServices'
                while ((Count 'ecs.DescribeServices') -le $polls -and -not $async.IsCompleted) { Start-Sleep -Milliseconds 20; if ([DateTime]::UtcNow -gt $deadline) { throw 'no poll' } }
                $script:slow.AdvanceTime([timespan]::FromMinutes(10))
                [pscustomobject]@{ Output = @($ps.EndInvoke($async)); Errors = @($ps.Streams.Error); Updates = Count 'ecs.UpdateService' }
            }
            finally { $ps.Dispose() }
        }
    }

    It 'Publish-MightyService -Timeout 600 watches the rollout to its end instead of timing out at once' {
        $run = Invoke-WatchAcrossTime 'Publish-MightyService -EndpointUrl $Endpoint -Cluster production -Service searchkick -Tag master.3 -Timeout 600' -After 'ecs.UpdateService'
        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Status | Should -Be 'Completed'
        $run.Updates | Should -Be 1 -Because 'the deploy, and no rollback'
    }

    It 'Wait-MightyDeployment -Timeout 120 and Restore-MightyService -Timeout 300 wait for the rollout' {
        $started = Publish-MightyService -EndpointUrl $script:slow.Endpoint -Cluster production -Service geocoding -Tag master.3 -NoWait
        $wait = Invoke-WatchAcrossTime '$Arguments[0] | Wait-MightyDeployment -EndpointUrl $Endpoint -Timeout 120' -After 'ecs.DescribeServices' -Arguments (, $started)
        $wait.Errors | Should -BeNullOrEmpty
        $wait.Output.Status | Should -Be 'Completed'
        $wait.Updates | Should -Be 0

        $restore = Invoke-WatchAcrossTime 'Restore-MightyService -EndpointUrl $Endpoint -Cluster production -Service geocoding -Previous -Timeout 300' -After 'ecs.UpdateService'
        $restore.Errors | Should -BeNullOrEmpty
        $restore.Output.Status | Should -Be 'Completed'
        $restore.Output.TaskDefinitionArn | Should -Be $started.PreviousTaskDefinitionArn
        $restore.Updates | Should -Be 1
    }

    It 'takes polls of an endpoint that answers as no outage, however short -UnreachableTimeout is' {
        $started = Publish-MightyService -EndpointUrl $script:slow.Endpoint -Cluster production -Service pdf_generation -Tag master.3 -NoWait
        # Polls 5 s apart at the slowest, with a 1 s bound: the pause between polls is no outage.
        $watch = Invoke-WatchAcrossTime '$Arguments[0] | Wait-MightyDeployment -EndpointUrl $Endpoint -Timeout 120 -UnreachableTimeout 1' -After 'ecs.DescribeServices' -Arguments (, $started)
        $watch.Errors | Should -BeNullOrEmpty
        $watch.Output.Status | Should -Be 'Completed'
    }

    It 'gives TimedOut and DeploymentTimedOut when the rollout does not finish in time' {
        $result = Publish-MightyService -EndpointUrl $script:slow.Endpoint -Cluster production -Service API -Tag master.3 -Timeout 00:00:02 -NoRollback -ErrorVariable failed -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'TimedOut'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentTimedOut,*'
        $failed[0].ToString() | Should -Match 'did not complete within 00:00:02'
        $failed[0].ToString() | Should -Match 'Wait-MightyDeployment -Service API'
    }

    It 'Wait-MightyDeployment -WhatIf shows the rollback it would make after a timeout, and makes none' {
        $started = Publish-MightyService -EndpointUrl $script:slow.Endpoint -Cluster production -Service WEB -Tag master.3 -NoWait
        $script:slow.ResetRequestCounts()
        $text = Invoke-CapturedPwsh -Sandbox $script:slow "Wait-MightyDeployment -Cluster production -Service WEB -Timeout 2 -WhatIf"
        $previous = $started.PreviousTaskDefinitionArn -replace '^.*/', ''
        $revision = $started.TaskDefinitionArn -replace '^.*/', ''
        # In flight, the rollback is ECS's StopServiceDeployment (ROLLBACK), not a deployment of the previous revision.
        $text | Should -Match ([regex]::Escape("What if: Performing the operation `"Roll back the deployment of $revision in flight (StopServiceDeployment ROLLBACK; it timed out)`" on target `"production/WEB`"."))
        # The error view wraps the message at the console's width, behind '| '.
        $flat = (($text -split "`n" | ForEach-Object { $_ -replace '^\s*\|\s?', '' }) -join ' ') -replace '\s+', ' '
        $flat | Should -Match ([regex]::Escape("Not rolled back (-WhatIf): the deployment goes on in ECS. Roll it back with Stop-MightyDeployment -Cluster production -Service WEB -Rollback."))
        [int]$script:slow.RequestCounts['ecs.UpdateService'] | Should -Be 0
        [int]$script:slow.RequestCounts['ecs.StopServiceDeployment'] | Should -Be 0
        (Get-MightyService -EndpointUrl $script:slow.Endpoint -Cluster production -Service WEB).TaskDefinitionArn | Should -Be $started.TaskDefinitionArn
    }
}
