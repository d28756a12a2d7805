# Beside AWS Tools for PowerShell: its parameter names and aliases, its session defaults
# ($StoredAWSRegion, $StoredAWSCredentials), its credentials objects from another AWSSDK.Core in
# the default load context, and secrets that never show in any stream.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
}

AfterAll {
    Stop-MightySandbox
}

Describe 'AWS.Tools parameter names' {
    It 'has the AWS.Tools credential parameters and aliases on every AWS cmdlet' {
        $parameters = (Get-Command Get-MightyService).Parameters
        foreach ($name in 'AccessKey', 'SecretKey', 'SessionToken', 'Credential', 'ProfileLocation', 'ProfileName', 'Region') {
            $parameters.Keys | Should -Contain $name
        }
        $parameters['ProfileName'].Aliases | Should -Contain 'AWSProfileName'
        $parameters['ProfileName'].Aliases | Should -Contain 'StoredCredentials'
        $parameters['Region'].Aliases | Should -Contain 'AWSRegion'
        $parameters['Service'].Aliases | Should -Contain 'Services'
        $parameters['AccessKey'].Aliases | Should -Contain 'AK'
        $parameters['SecretKey'].Aliases | Should -Be @('SK', 'SecretAccessKey')
        $parameters['SessionToken'].Aliases | Should -Contain 'ST'
        $parameters['ProfileLocation'].Aliases | Should -Be @('AWSProfilesLocation', 'ProfilesLocation')
        $parameters['SecretKey'].ParameterType | Should -Be ([securestring])
    }

    It 'signs with -AccessKey and -SecretKey (string or SecureString) over wrong keys in the environment' {
        $result = Invoke-InFreshPwsh -ArgumentList $script:sandbox.Endpoint, $script:sandbox.AccessKeyId, $script:sandbox.SecretAccessKey -ScriptBlock {
            param($endpoint, $key, $secret)
            $env:AWS_REGION = 'us-east-1'
            $env:AWS_ACCESS_KEY_ID = 'AKIAWRONGWRONGWRONG'
            $env:AWS_SECRET_ACCESS_KEY = 'wrong'
            [pscustomobject]@{
                Plain  = @(Get-MightyService -Cluster staging -EndpointUrl $endpoint -AccessKey $key -SecretKey $secret).Count
                Secure = @(Get-MightyService -Cluster staging -EndpointUrl $endpoint -AK $key -SK (ConvertTo-SecureString $secret -AsPlainText -Force)).Count
            }
        }
        $result.Plain | Should -Be 2
        $result.Secure | Should -Be 2
    }

    It 'stops with AwsCredentialsIncomplete for an access key without a secret key' {
        { Get-MightyService -Cluster staging -AccessKey AKIAONLYTHEKEY00000 -ErrorAction Stop } |
            Should -Throw -ErrorId 'AwsCredentialsIncomplete,*'
    }

    It 'never shows the secret key or session token in any stream or error' {
        $secret = 'never-show-this-secret-0451'
        $token = 'never-show-this-token-0451'
        $everything = Get-MightyService -Cluster staging -AccessKey AKIANOBODYKNOWS0000 -SecretKey $secret -SessionToken $token -Verbose -Debug *>&1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -BeGreaterThan 0 -Because 'the sandbox does not know this key'
        $text = ($everything + $failures | ForEach-Object { $_ | Out-String; if ($_ -is [Management.Automation.ErrorRecord]) { $_.Exception.ToString() } }) -join "`n"
        $text | Should -Not -Match $secret
        $text | Should -Not -Match $token
        $text | Should -Match 'AKIA…0000' -Because 'the access key id, shortened, tells keys apart'
        $text | Should -Not -Match 'AKIANOBODYKNOWS0000' -Because 'the whole key id does not go into logs (docs/design/credentials.md)'
    }

    It 'shows the access key id in -Verbose as AKIA… and the last four characters' {
        $verbose = Get-MightyService -Cluster staging -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
        $key = $script:sandbox.AccessKeyId
        @($verbose -match "access key $($key.Substring(0, 4))…$($key.Substring($key.Length - 4)) from ") | Should -HaveCount 1
        ($verbose -join "`n") | Should -Not -Match $key
    }

    It 'takes environment keys before AWS_PROFILE, whose profile still gives the region, as the AWS CLI does' {
        $regional = Start-MightySandbox -Seed demo -Region eu-west-2 -NoEnvironment
        try {
            $result = Invoke-InFreshPwsh -ArgumentList $regional.Endpoint, $regional.AccessKeyId, $regional.SecretAccessKey -ScriptBlock {
                param($endpoint, $key, $secret)
                $folder = Join-Path ([IO.Path]::GetTempPath()) ('mighty-profiles-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
                New-Item -ItemType Directory -Path $folder | Out-Null
                "[ops]`naws_access_key_id = AKIAPROFILEKEYS00042`naws_secret_access_key = not-the-sandbox-secret`n" | Set-Content (Join-Path $folder 'credentials')
                "[profile ops]`nregion = eu-west-2`n" | Set-Content (Join-Path $folder 'config')
                $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $folder 'credentials'
                $env:AWS_CONFIG_FILE = Join-Path $folder 'config'
                $env:AWS_PROFILE = 'ops'
                $env:AWS_ACCESS_KEY_ID = $key
                $env:AWS_SECRET_ACCESS_KEY = $secret
                $env:AWS_ENDPOINT_URL = $endpoint
                $env:AWS_REGION = $null
                $env:AWS_DEFAULT_REGION = $null
                $env:AWS_SESSION_TOKEN = $null
                $services = Get-MightyService -Cluster production -Verbose 4>&1
                $cliClusters = (aws ecs list-clusters --output json | ConvertFrom-Json).clusterArns
                [pscustomobject]@{
                    Services = @($services | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }).Count
                    Verbose = @($services | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
                    CliClusters = @($cliClusters)
                    CliSources = @(aws configure list | Select-String '^\s*(access_key|region)\s' | ForEach-Object { ($_.Line -split '\s+' | Where-Object { $_ })[0, 2] -join '=' })
                }
            }
        }
        finally {
            $regional | Stop-MightySandbox
        }
        # The AWS CLI, the reference: keys from the environment, region from the profile's config file.
        $result.CliSources | Should -Be @('access_key=env', 'region=config-file')
        $result.CliClusters | Should -Contain "arn:aws:ecs:eu-west-2:$($regional.AccountId):cluster/production"
        # MightyOps agrees, and says that the profile's keys are not the ones used.
        $result.Services | Should -Be 32
        $result.Verbose | Should -Contain "AWS region eu-west-2 (from profile 'ops'); access key $($regional.AccessKeyId.Substring(0, 4))…$($regional.AccessKeyId.Substring($regional.AccessKeyId.Length - 4)) from environment variables (AWS_ACCESS_KEY_ID)."
        @($result.Verbose -match "^AWS_PROFILE names profile 'ops', but AWS_ACCESS_KEY_ID holds keys, and those come first") | Should -HaveCount 1
    }

    It 'names the endpoint that refused an unknown access key' {
        Get-MightyService -Cluster staging -AccessKey AKIANOBODYKNOWS0000 -SecretKey x -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AwsAuthenticationFailed,*'
        "$($failures[0])" | Should -Match ([regex]::Escape("The endpoint $($script:sandbox.Endpoint.TrimEnd('/')) does not recognise access key AKIA…0000"))
    }

    It 'writes in -Verbose only the endpoints of the services it calls' {
        $verbose = Get-MightyService -Cluster staging -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
        $endpoints = @($verbose | Where-Object { $_ -match '^\w+ endpoint ' })
        $endpoints.Count | Should -Be 1
        $endpoints[0] | Should -BeLike 'ecs endpoint *'
    }
}

Describe 'AWS.Tools session defaults' {
    It 'takes the region of Set-DefaultAWSRegion after -Region and before the environment' {
        $result = Invoke-InFreshPwsh -ArgumentList $script:sandbox.Endpoint -ScriptBlock {
            param($endpoint)
            $env:AWS_REGION = 'us-east-1'
            $global:StoredAWSRegion = 'eu-west-1'   # what Set-DefaultAWSRegion eu-west-1 leaves behind
            $fromSession = Get-MightyService -Cluster staging -EndpointUrl $endpoint -Verbose -ErrorAction SilentlyContinue 4>&1 |
                Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'AWS region*' }
            $explicit = @(Get-MightyService -Cluster staging -EndpointUrl $endpoint -AWSRegion us-east-1)
            [pscustomobject]@{ FromSession = "$fromSession"; Explicit = $explicit.Count }
        }
        $result.FromSession | Should -BeLike 'AWS region eu-west-1 (from Set-DefaultAWSRegion)*'
        $result.Explicit | Should -Be 2
    }

    It 'completes -Cluster in the region of Set-DefaultAWSRegion' {
        $result = Invoke-InFreshPwsh -ScriptBlock {
            $sandbox = Start-MightySandbox -Seed demo
            try {
                Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION
                $line = 'Get-MightyService -Cluster prod'
                $complete = { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }
                $without = @(& $complete)
                $global:StoredAWSRegion = $sandbox.Region
                [pscustomobject]@{ Without = $without; With = @(& $complete) }
            }
            finally {
                Stop-MightySandbox
            }
        }
        $result.Without | Should -BeNullOrEmpty -Because 'no region is set anywhere else'
        $result.With | Should -Contain 'production'
    }

    It 'reads AWS.Tools credentials objects from another AWSSDK.Core, in $StoredAWSCredentials and -Credential' {
        $foreign = $env:MIGHTYOPS_TEST_FOREIGN_AWSSDK
        $foreign | Should -Exist -Because 'build.ps1 -Task Test downloads AWSSDK.Core 3.7 for this test'
        $result = Invoke-InFreshPwsh -NoImport -ArgumentList $foreign, $script:ModuleManifest, $script:sandbox.Endpoint, $script:sandbox.AccessKeyId, $script:sandbox.SecretAccessKey -ScriptBlock {
            param($foreignDll, $manifest, $endpoint, $key, $secret)
            # What AWS.Tools.Common does: its AWSSDK.Core in the default load context.
            Add-Type -Path $foreignDll
            Import-Module $manifest
            $env:AWS_REGION = 'us-east-1'
            $env:AWS_ACCESS_KEY_ID = 'AKIAWRONGWRONGWRONG'
            $env:AWS_SECRET_ACCESS_KEY = 'wrong'
            $credentials = [Amazon.Runtime.BasicAWSCredentials]::new($key, $secret)

            $viaParameter = @(Get-MightyService -Cluster staging -EndpointUrl $endpoint -Credential $credentials)
            $global:StoredAWSCredentials = $credentials   # what Set-AWSCredential leaves behind
            $viaSession = @(Get-MightyService -Cluster staging -EndpointUrl $endpoint)
            $source = Get-MightyService -Cluster staging -EndpointUrl $endpoint -Verbose 4>&1 |
                Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'AWS region*' }
            [pscustomobject]@{
                ForeignVersion = [Amazon.Runtime.AWSCredentials].Assembly.GetName().Version.ToString()
                ViaParameter   = $viaParameter.Count
                ViaSession     = $viaSession.Count
                Source         = "$source"
            }
        }
        $result.ForeignVersion | Should -BeLike '3.*'
        $result.ViaParameter | Should -Be 2
        $result.ViaSession | Should -Be 2
        $result.Source | Should -Match 'Set-AWSCredential'
    }
}

# docs/design/aws-tools-pipeline.md pins what every output type binds in AWS.Tools' Update-ECSService;
# this checks its table against the types' properties and the stand-in's parameter attributes, and
# then against PowerShell's own binder with one object of each type as MightyOps returns it.
Describe 'What each output type binds in AWS.Tools Update-ECSService' {
    BeforeAll {
        . $PSScriptRoot/AwsToolsStandIns.ps1
        . $PSScriptRoot/TagWorld.ps1
        . $PSScriptRoot/QueueWorld.ps1
        . $PSScriptRoot/SshRig.ps1

        # The page's table: one row per type, the cells as written.
        $page = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/design/aws-tools-pipeline.md')
        $script:rows = [ordered]@{}
        foreach ($line in ($page -split "`r?`n") -match '^\| `Mighty\w+` \|') {
            $cells = @($line.Trim().Trim('|') -split '\|' | ForEach-Object Trim)
            $script:rows[$cells[0].Trim('`')] = [pscustomobject]@{
                ReturnedBy = $cells[1]
                Binds      = @([regex]::Matches($cells[2], '`-(\w+)`') | ForEach-Object { $_.Groups[1].Value } | Sort-Object)
                Alone      = $cells[3]
                State      = @([regex]::Matches($cells[4], '`(\w+)`') | ForEach-Object { $_.Groups[1].Value })
            }
        }

        # Every public output type: the classes of MightyOps.Shared in the MightyOps namespace.
        $script:types = @([MightyOps.MightyService].Assembly.GetExportedTypes() |
            Where-Object { $_.Namespace -eq 'MightyOps' -and $_.IsClass -and -not $_.IsAbstract -and -not $_.ContainsGenericParameters } |
            Sort-Object Name)

        # Property name (or alias, case-insensitive as PowerShell matches them) -> the stand-in
        # parameter it binds by property name.
        $script:byPropertyName = @{}
        foreach ($parameter in (Get-Command Update-ECSServiceStandIn).Parameters.Values) {
            if ($parameter.Attributes | Where-Object { $_ -is [Parameter] -and $_.ValueFromPipelineByPropertyName }) {
                foreach ($name in @($parameter.Name) + @($parameter.Aliases)) { $script:byPropertyName[$name] = $parameter.Name }
            }
        }

        # What the type's properties bind, from the declarations alone.
        function Get-DeclaredBinding([type] $Type) {
            @($Type.GetProperties([Reflection.BindingFlags]'Public, Instance').Name |
                Where-Object { $script:byPropertyName.ContainsKey($_) } |
                ForEach-Object { $script:byPropertyName[$_] } | Sort-Object -Unique)
        }

        # What PowerShell binds from one piped object: the parameters with their values, or the
        # binding error's id (an error record, or an exception under ErrorAction Stop).
        function Get-UpdateEcsServiceBinding([object] $InputObject, [string] $Service) {
            $ErrorActionPreference = 'Continue'
            $given = if ($Service) { @{ Service = $Service } } else { @{} }
            $results = try {
                @(& { $InputObject | Update-ECSServiceStandIn -ForceNewDeployment $true @given } 2>&1)
            }
            catch {
                $_
            }
            $failed = @($results | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            if ($failed) {
                return 'error: ' + ($failed[0].FullyQualifiedErrorId -split ',')[0]
            }
            $results[0]
        }

        # One object of each type, as the cmdlets (or the sandbox's methods) return it.
        $script:world = New-TagWorld
        $script:redis = Start-TestRedis
        $script:keys = New-SshRigKeys
        $script:rig = Start-SshRig -Keys $script:keys -SandboxEndpoint $script:sandbox.Endpoint
        $script:realHome = $env:HOME
        $env:HOME = Join-Path $script:world.Root 'home'   # known_hosts of the exec below
        New-Item -ItemType Directory -Path $env:HOME | Out-Null
        Push-SidekiqJob $script:redis.Url @{ mailers = 3 }

        $service = Get-MightyService -Cluster production -Service WEB -IncludeImages
        $task = @(Get-MightyTask -Cluster production -Service WEB)[0]
        $broken = Publish-MightyService -Cluster production -Service mailers -Tag broken.1 -ErrorAction SilentlyContinue
        $script:samples = @{
            MightyCircuitBreaker    = $broken.CircuitBreaker
            MightyDeploymentRollback = $broken.Rollback
            MightyContainerResult   = Invoke-MightyContainer -Cluster production -Service API -Container application -Command 'echo hi' -KeyFilePath $script:keys.Ed25519 -Port $script:rig.Port -User ([Environment]::UserName)
            MightyDeployment        = Publish-MightyService -Cluster production -Service WEB -Tag master.4
            MightyDeploymentPhase   = [MightyOps.MightyDeploymentPhase]@{ Name = 'Draining'; Start = [DateTimeOffset]::UtcNow.AddMinutes(-5); End = [DateTimeOffset]::UtcNow }
            MightyLogEvent          = @(Get-MightyLog -Cluster production -Service WEB -Tail 1)[0]
            MightyQueue             = Get-MightyQueue -Cluster production -Redis $script:redis.Url -Name mailers
            MightyQueueScale        = Set-MightyQueueScale -Cluster production -Redis $script:redis.Url -Queue mailers -Count 2 -PassThru
            MightyCapacity          = @(Get-MightyCapacity -Cluster production)[0]
            MightyCapacityChange    = Set-MightyClusterCapacity -Cluster production -AutoScalingGroup web -DesiredCapacity 3 -Confirm:$false
            MightySandbox           = $script:sandbox
            MightySandboxContainer  = $script:sandbox.GetContainers('production', 'WEB')[0]
            MightySandboxImage      = $script:sandbox.PushImage('app', 'bindings.1')
            MightySandboxLogEvent   = $script:sandbox.GetLogEvents('/mighty/WEB')[0]
            MightyService           = $service
            MightyServiceDeployment = $service.Deployments[0]
            MightyServiceEvent      = @(Get-MightyServiceEvent -Cluster production -Service WEB -Last 1)[0]
            MightyTag               = New-MightyTag -Path (New-TagClone $script:world 'app') -NoPush
            MightyTask              = $task
            MightyTaskContainer     = $task.Containers[0]
            MightyTaskRun           = Start-MightyTask -Cluster production -Service API -Container application -Command 'true'
            MightyTargetHealth      = $task.TargetHealth[0]
        }
        # Tasks the worker group has no room for, as Get-MightyCapacity reports them.
        $null = Set-MightyQueueScale -Cluster production -Redis $script:redis.Url -Queue low -Count 60 -Force -CapacityCheck Off
        $script:sandbox.AdvanceTime([timespan]'00:01:00')
        $script:samples.MightyUnplaceable = @((Get-MightyCapacity -Cluster production -Service low).Unplaceable)[0]
    }

    AfterAll {
        $env:HOME = $script:realHome
        Stop-SshRig $script:rig
        Remove-Item $script:keys.Folder -Recurse -Force -ErrorAction SilentlyContinue
        Stop-TestRedis $script:redis
        Remove-TagWorld $script:world
    }

    It 'has a row for every public output type, and no other' {
        $script:types.Count | Should -BeGreaterThan 10
        @($script:rows.Keys | Sort-Object) | Should -Be @($script:types.Name)
        # Plain strings (Get-MightyLog -Raw) name nothing AWS.Tools binds by property; every MightyOps type needs its row.
        $written = Get-Command -Module MightyOps | ForEach-Object OutputType | ForEach-Object Type | Where-Object { $_ -ne [void] -and $_ -ne [string] }
        $written | ForEach-Object { $_ | Should -BeIn $script:types }
    }

    It 'has a sample of every type to pipe' {
        foreach ($type in $script:types) {
            $script:samples[$type.Name] | Should -BeOfType $type -Because "the test pipes a $($type.Name) into the stand-in"
        }
    }

    It '<_>: the table says what its properties bind, and what it carries that nothing binds' -ForEach @(
        # Listed by name here so each row is its own test; the first test keeps the list complete.
        'MightyCapacity', 'MightyCapacityChange', 'MightyCircuitBreaker', 'MightyContainerResult', 'MightyDeployment', 'MightyDeploymentPhase',
        'MightyDeploymentRollback', 'MightyLogEvent', 'MightyQueue', 'MightyQueueScale', 'MightySandbox', 'MightySandboxContainer',
        'MightySandboxImage', 'MightySandboxLogEvent', 'MightyService', 'MightyServiceDeployment', 'MightyServiceEvent', 'MightyTag',
        'MightyTargetHealth', 'MightyTask', 'MightyTaskContainer', 'MightyTaskRun', 'MightyUnplaceable'
    ) {
        $type = [type]"MightyOps.$_"
        $row = $script:rows[$_]
        $row | Should -Not -BeNullOrEmpty -Because "docs/design/aws-tools-pipeline.md needs a row for $_"
        $declared = Get-DeclaredBinding $type
        $row.Binds | Should -Be $declared -Because "what $_'s properties bind in Update-ECSService"
        $row.Alone | Should -BeExactly ($declared -contains 'Service' ? 'binds' : 'refused')
        $row.State.Count | Should -BeGreaterThan 0
        foreach ($name in $row.State) {
            $type.GetProperty($name) | Should -Not -BeNullOrEmpty -Because "$_ should have the property $name"
            $script:byPropertyName.ContainsKey($name) | Should -BeFalse -Because "$_.$name is state and must bind nothing"
        }
        foreach ($command in [regex]::Matches($row.ReturnedBy, '\b[A-Z][a-z]+-Mighty\w+') | ForEach-Object Value) {
            (Get-Command $command).OutputType.Type | Should -Contain $type -Because "the table says $command returns $_"
        }
        foreach ($member in [regex]::Matches($row.ReturnedBy, '`(Mighty\w+)\.(\w+)(\(\))?`')) {
            $found = ([type]"MightyOps.$($member.Groups[1].Value)").GetMember($member.Groups[2].Value)[0]
            $returns = if ($found -is [Reflection.MethodInfo]) { $found.ReturnType } else { $found.PropertyType }
            $item = if ($returns.IsArray) { $returns.GetElementType() } elseif ($returns.IsGenericType) { $returns.GetGenericArguments()[-1] } else { $returns }
            $item | Should -Be $type -Because "the table says $($member.Value) returns $_"
        }
    }

    It '<_>: piped into the stand-in, PowerShell binds what the table says' -ForEach @(
        'MightyCapacity', 'MightyCapacityChange', 'MightyCircuitBreaker', 'MightyContainerResult', 'MightyDeployment', 'MightyDeploymentPhase',
        'MightyDeploymentRollback', 'MightyLogEvent', 'MightyQueue', 'MightyQueueScale', 'MightySandbox', 'MightySandboxContainer',
        'MightySandboxImage', 'MightySandboxLogEvent', 'MightyService', 'MightyServiceDeployment', 'MightyServiceEvent', 'MightyTag',
        'MightyTargetHealth', 'MightyTask', 'MightyTaskContainer', 'MightyTaskRun', 'MightyUnplaceable'
    ) {
        $sample = $script:samples[$_]
        $row = $script:rows[$_]
        $alone = Get-UpdateEcsServiceBinding $sample
        if ($row.Alone -eq 'binds') {
            @($alone.PSObject.Properties.Name) | Should -Be @(@($row.Binds) + 'ForceNewDeployment' | Sort-Object)
            $alone.Service | Should -BeExactly $sample.Service
            $alone.Cluster | Should -BeExactly $sample.Cluster
            return
        }
        $alone | Should -Be 'error: InputObjectMissingMandatory' -Because "$_ has no Service and -Service is mandatory"
        # With -Service given, the rest binds; an object without a Cluster gives -Cluster its text (by value).
        $given = Get-UpdateEcsServiceBinding $sample -Service probe
        $expected = @(@($row.Binds) + 'ForceNewDeployment', 'Service' + @(if ($row.Binds -notcontains 'Cluster') { 'Cluster' }) | Sort-Object)
        @($given.PSObject.Properties.Name) | Should -Be $expected
        if ($row.Binds -notcontains 'Cluster') { $given.Cluster | Should -BeExactly "$sample" }
    }

    It 'a service binds its own cluster, name and region' {
        $bound = Get-UpdateEcsServiceBinding $script:samples.MightyService
        $bound.Cluster | Should -BeExactly 'production'
        $bound.Service | Should -BeExactly 'WEB'
        $bound.Region | Should -BeExactly $script:sandbox.Region
    }

    It 'the stand-in really binds what an output must not carry (the check can fail)' {
        $old = [pscustomobject]@{ Cluster = 'production'; Service = 'WEB'; DesiredCount = 2; TaskDefinition = 'WEB:1' }
        @((Get-UpdateEcsServiceBinding $old).PSObject.Properties.Name) | Should -Be @('Cluster', 'DesiredCount', 'ForceNewDeployment', 'Service', 'TaskDefinition')
    }
}
