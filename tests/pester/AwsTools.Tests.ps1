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
