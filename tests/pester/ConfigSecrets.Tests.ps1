# A malformed line in the shared credentials or config file must never be shown: it is often a
# secret key with its '=' missing. Each case plants a recognisable secret in such a line and
# searches everything a user (or a transcript, or a log collector) can see.

BeforeAll {
    . $PSScriptRoot/Common.ps1

    <#
    Runs Get-MightyService in a fresh pwsh against the given files and returns every text the user
    could see: all streams (*>&1 with -Verbose and -Debug), the ErrorRecord as Format-List * -Force
    shows it, each exception of the chain (Message and ToString()), $Error, and the completions of
    -ProfileName and -Cluster.
    #>
    function Get-VisibleText {
        param([string] $Credentials, [string] $Config, [hashtable] $Parameters)
        Invoke-InFreshPwsh -ArgumentList $Credentials, $Config, $Parameters -ScriptBlock {
            param($credentials, $config, $parameters)
            $ErrorActionPreference = 'Continue'
            $DebugPreference = 'Continue'
            $VerbosePreference = 'Continue'
            foreach ($v in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION') {
                Remove-Item "Env:$v" -ErrorAction SilentlyContinue
            }
            $dir = Join-Path ([IO.Path]::GetTempPath()) ('mighty-secrets-' + [guid]::NewGuid().ToString('n'))
            New-Item -ItemType Directory $dir | Out-Null
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $dir 'creds-under-test'
            $env:AWS_CONFIG_FILE = Join-Path $dir 'config-under-test'
            $env:AWS_EC2_METADATA_DISABLED = 'true'
            Set-Content $env:AWS_SHARED_CREDENTIALS_FILE $credentials
            Set-Content $env:AWS_CONFIG_FILE $config
            $Error.Clear()
            $text = [Collections.Generic.List[string]]::new()
            $streams = & { Get-MightyService @parameters -EndpointUrl 'http://127.0.0.1:9' -Verbose -Debug } *>&1
            foreach ($record in $streams) { $text.Add(($record | Out-String)) }
            $errorRecords = @($Error)
            foreach ($errorRecord in $errorRecords) {
                $text.Add(($errorRecord | Format-List * -Force | Out-String))
                $text.Add("$errorRecord")
                for ($e = $errorRecord.Exception; $e; $e = $e.InnerException) {
                    $text.Add(($e | Format-List * -Force | Out-String))
                    $text.Add($e.Message)
                    $text.Add($e.ToString())
                }
            }
            foreach ($line in 'Get-MightyService -ProfileName ', 'Get-MightyService -Cluster ') {
                $text.Add((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ' ')
            }
            [pscustomobject]@{
                Text = $text -join "`n"
                ErrorIds = @($errorRecords | ForEach-Object FullyQualifiedErrorId)
                Messages = @($errorRecords | ForEach-Object { "$_" })
                Targets = @($errorRecords | ForEach-Object { "$($_.TargetObject)" })
            }
        }
    }

    $script:Secret = 'PLANTEDsecret9f3kq7Zx'
    $script:GoodCredentials = "[default]`naws_access_key_id = AKIAGOOD000000000000`naws_secret_access_key = good-secret`n"
    $script:BadCredentials = "[default]`naws_access_key_id = AKIAEXAMPLE000000000`naws_secret_access_key $script:Secret`n"
    $script:GoodConfig = "[default]`nregion = us-east-1`n"
    $script:BadConfig = "# the team's profiles`n[default]`nregion = us-east-1`n`n[profile deploy]`nregion = us-east-1`naws_secret_access_key $script:Secret`n"
}

Describe 'A malformed line in the AWS credentials or config file' {
    It 'is reported by file, line and profile and never shown (<Case>)' -ForEach @(
        @{ Case = 'credentials file, -ProfileName'; File = 'creds-under-test'; Line = 3; Profile = "profile 'default'"; Bad = 'Credentials'; Parameters = @{ ProfileName = 'default'; Region = 'us-east-1' } }
        @{ Case = 'credentials file, default chain'; File = 'creds-under-test'; Line = 3; Profile = "profile 'default'"; Bad = 'Credentials'; Parameters = @{ Region = 'us-east-1' } }
        @{ Case = 'credentials file, region from the profile'; File = 'creds-under-test'; Line = 3; Profile = "profile 'default'"; Bad = 'Credentials'; Parameters = @{} }
        @{ Case = 'config file, -ProfileName'; File = 'config-under-test'; Line = 7; Profile = "profile 'deploy'"; Bad = 'Config'; Parameters = @{ ProfileName = 'default'; Region = 'us-east-1' } }
        @{ Case = 'config file, default chain'; File = 'config-under-test'; Line = 7; Profile = "profile 'deploy'"; Bad = 'Config'; Parameters = @{ Region = 'us-east-1' } }
        @{ Case = 'config file, region from the profile'; File = 'config-under-test'; Line = 7; Profile = "profile 'deploy'"; Bad = 'Config'; Parameters = @{} }
    ) {
        $credentials = if ($Bad -eq 'Credentials') { $script:BadCredentials } else { $script:GoodCredentials }
        $config = if ($Bad -eq 'Config') { $script:BadConfig } else { $script:GoodConfig }

        $seen = Get-VisibleText -Credentials $credentials -Config $config -Parameters $Parameters

        $seen.Text | Should -Not -BeLike "*$script:Secret*"
        $seen.Text | Should -Not -BeLike '*aws_secret_access_key P*'
        @($seen.ErrorIds) | Should -HaveCount 1
        @($seen.ErrorIds)[0] | Should -BeLike 'AwsConfigUnreadable,*'
        $message = @($seen.Messages)[0]
        $message | Should -BeLike "*$File*"
        $message | Should -BeLike "*line $Line *"
        $message | Should -BeLike "*$Profile*"
        @($seen.Targets)[0] | Should -BeLike "*$File"
    }
}
