# mighty.psd1 as the AWS cmdlets read it: found from the current location upward, -ConfigPath,
# $env:MIGHTYOPS_CONFIG; parameters win over the file; a bad file stops the cmdlet before any AWS call.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ("mighty-config-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path (Join-Path $script:root 'app/deploy') | Out-Null
    $env:MIGHTYOPS_CONFIG = $null

    # Every request the sandbox has counted, all operations together.
    function Get-RequestTotal { ($script:sandbox.RequestCounts.Values | Measure-Object -Sum).Sum }

    function Set-Config([string] $Text, [string] $Folder = 'app') {
        $path = Join-Path $script:root $Folder 'mighty.psd1'
        Set-Content -Path $path -Value $Text -Encoding utf8NoBOM
        $path
    }
}

AfterAll {
    Stop-MightySandbox
    Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'mighty.psd1' {
    AfterEach {
        Pop-Location -ErrorAction SilentlyContinue
        $env:MIGHTYOPS_CONFIG = $null
    }

    It 'takes the cluster from the file found above the current location, and -Verbose names the file' {
        $file = Set-Config "@{ Cluster = 'production' }"
        Push-Location (Join-Path $script:root 'app/deploy')
        [Environment]::CurrentDirectory | Should -Not -Be (Get-Location).ProviderPath -Because 'the search starts at the PowerShell location, not the process directory'

        $web = Get-MightyService -Service WEB -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [MightyOps.MightyService] }

        $web.Cluster | Should -Be 'production'
        $verbose = $all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Should -Contain "Config $file (found from $((Get-Location).ProviderPath) upward)."
    }

    It 'lets -Cluster win over the file' {
        Set-Config "@{ Cluster = 'staging' }" | Out-Null
        Push-Location (Join-Path $script:root 'app')
        (Get-MightyService -Cluster production -Service WEB).Cluster | Should -Be 'production'
        @(Get-MightyService).Cluster | Select-Object -Unique | Should -Be 'staging'
    }

    It 'takes the region from the file before the environment, and says so' {
        $file = Set-Config "@{ Region = '$($script:sandbox.Region)'; Cluster = 'production' }"
        Push-Location (Join-Path $script:root 'app')
        $env:AWS_REGION | Should -Not -BeNullOrEmpty
        $verbose = Get-MightyService -Service WEB -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        @($verbose -like "AWS region $($script:sandbox.Region) (from Region in $file);*").Count | Should -Be 1
    }

    It 'uses the file named by -ConfigPath (a PowerShell path, relative to the current location) over the one found upward' {
        Set-Config "@{ Cluster = 'staging' }" | Out-Null
        Set-Config "@{ Cluster = 'production' }" -Folder 'app/deploy' | Out-Null
        Rename-Item (Join-Path $script:root 'app/deploy/mighty.psd1') 'production.psd1'
        Push-Location (Join-Path $script:root 'app')
        (Get-MightyService -Service WEB -ConfigPath deploy/production.psd1).Cluster | Should -Be 'production'
    }

    It 'uses $env:MIGHTYOPS_CONFIG when -ConfigPath is not given' {
        Set-Config "@{ Cluster = 'staging' }" | Out-Null
        $env:MIGHTYOPS_CONFIG = Set-Config "@{ Cluster = 'production' }" -Folder '.'
        Push-Location (Join-Path $script:root 'app')
        (Get-MightyService -Service WEB).Cluster | Should -Be 'production'
    }

    It 'works without any file, on plain ECS names and the default cluster' {
        Push-Location ([IO.Path]::GetTempPath())
        Get-MightyService -Service WEB -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotFound,*'
        $failures[0].TargetObject | Should -Be 'default'
    }

    It 'stops on a file with mistakes before any AWS request, naming the file, the key path and what is expected' {
        $file = Set-Config @'
@{
    Cluster = 'production'
    Services = @{
        WEB = @{ Containers = @{ nginx = @{ Cpu = 'lots' } } }
        worker = @{ Queue = 'default'; MinCount = 5; MaxCount = 2 }
    }
    Secrets = @{ Source = 's3://mighty-secrets/production.json'; Mod = 'Environment' }
}
'@
        Push-Location (Join-Path $script:root 'app')
        $before = Get-RequestTotal

        { Get-MightyService -Service WEB -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigInvalid,MightyOps.Commands.Deploy.GetMightyServiceCommand'

        (Get-RequestTotal) | Should -Be $before
        $record = $Error[0]
        $record.CategoryInfo.Category | Should -Be 'InvalidData'
        $record.TargetObject | Should -Be $file
        $message = $record.ToString()
        $message | Should -BeLike "The config file $file has 3 problems:*"
        $message | Should -Match ([regex]::Escape("4:51: Services.WEB.Containers.nginx.Cpu: expected CPU units, 0 or more (1024 = one vCPU), found the string 'lots'."))
        $message | Should -Match ([regex]::Escape("Services.worker.MinCount: 5 is more than MaxCount (2)"))
        $message | Should -Match ([regex]::Escape("Secrets.Mod: unknown key. Did you mean 'Mode'?"))
    }

    It 'refuses a file that would run code, before any AWS request' {
        Set-Config "@{ Cluster = `"`$(Remove-Item '$script:root' -Recurse)`" }" | Out-Null
        Push-Location (Join-Path $script:root 'app')
        $before = Get-RequestTotal

        { Get-MightyService -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigInvalid,*'

        (Get-RequestTotal) | Should -Be $before
        $Error[0].ToString() | Should -Match 'subexpressions'
        Test-Path $script:root | Should -BeTrue
    }

    It 'refuses a file nested <Count> levels deep as ConfigInvalid naming the line and the limit, and the session lives on' -ForEach @(
        @{ Opening = '@('; Count = 30000 }
        @{ Opening = '@{ A = '; Count = 100000 }
    ) {
        # Deep enough to overflow the stack of a recursive reader, which ends the whole pwsh
        # process ("Stack overflow.", exit 134): no try/catch in the session could stop it.
        $file = Set-Config ("@{`n  Cluster = 'production'`n  A = " + ($Opening * $Count))
        $result = Invoke-InFreshPwsh -ArgumentList $file -ScriptBlock {
            param($Path)
            try { Get-MightyService -ConfigPath $Path; 'no error' } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }
            'still alive'
        }
        $result[0] | Should -BeLike 'ConfigInvalid,*'
        $result[1] | Should -BeLike "$($file):3:*values are nested more than 32 levels deep here*"
        $result[1].Length | Should -BeLessThan 400
        $result[-1] | Should -Be 'still alive'
    }

    It 'reports a missing -ConfigPath file as ConfigNotFound, before any AWS request' {
        Push-Location (Join-Path $script:root 'app')
        $before = Get-RequestTotal

        { Get-MightyService -ConfigPath ./nope.psd1 -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigNotFound,*'
        { Get-MightyService -ConfigPath nodrive:/x.psd1 -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigNotFound,*'

        (Get-RequestTotal) | Should -Be $before
        $Error[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $Error[1].ToString() | Should -BeLike "*$(Join-Path $script:root 'app' 'nope.psd1')*-ConfigPath*"
    }

    It 'uses the file''s ProfileName when the environment names no credentials' {
        Set-Config "@{ ProfileName = 'no-such-profile'; Cluster = 'production' }" | Out-Null
        Push-Location (Join-Path $script:root 'app')
        (Get-MightyService -Service WEB).Service | Should -Be 'WEB' -Because 'the sandbox''s keys in AWS_ACCESS_KEY_ID win over a profile named in a committed file'

        $keys = $env:AWS_ACCESS_KEY_ID
        try {
            $env:AWS_ACCESS_KEY_ID = $null
            { Get-MightyService -Service WEB -ErrorAction Stop } | Should -Throw
            $Error[0].ToString() | Should -Match "no-such-profile"
            $Error[0].ToString() | Should -Match "ProfileName in .*mighty\.psd1"
        }
        finally {
            $env:AWS_ACCESS_KEY_ID = $keys
        }
    }

    It 'reads the complete example of about_MightyOps_Config as Import-PowerShellDataFile does, and uses it' {
        $doc = Get-Content (Join-Path $PSScriptRoot '../../docs/about_MightyOps_Config.md') -Raw
        $example = [regex]::Match($doc, '(?s)### A complete example\s+```powershell\r?\n(.*?)```').Groups[1].Value
        $example | Should -Not -BeNullOrEmpty
        $file = Set-Config $example
        $data = Import-PowerShellDataFile $file
        $data.Cluster | Should -Be 'production'

        $web = Get-MightyService -Service WEB -ConfigPath $file -Region $script:sandbox.Region

        $web.Cluster | Should -Be $data.Cluster
    }

    It 'accepts and refuses the same literals as Import-PowerShellDataFile' -ForEach @(
        @{ Text = "@{ Cluster = `"produc``u{74}ion`" <# block #> ; Region = @'`nSANDBOX_REGION`n'@ }"; Valid = $true }
        @{ Text = "@{`n  # comment`n  'Cluster' = 'production'`n  Services = @{ WEB = @{ Containers = @{ nginx = @{ PortMappings = (80, 443); Essential = `$TRUE } } } }`n}"; Valid = $true }
        @{ Text = "@{ Cluster = `$env:USER }"; Valid = $false }
        @{ Text = "@{ Cluster = `"x`$(Get-Date)`" }"; Valid = $false }
        @{ Text = "@{ Cluster = (Get-Date) }"; Valid = $false }
        @{ Text = "@{ Cluster = [string]'production' }"; Valid = $false }
        @{ Text = "@{ Cluster = 'a'; cluster = 'b' }"; Valid = $false }
    ) {
        # The sandbox's region is known only once BeforeAll has run, after the cases were defined.
        $file = Set-Config ($Text -creplace 'SANDBOX_REGION', $script:sandbox.Region)
        Push-Location (Join-Path $script:root 'app')
        if ($Valid) {
            $data = Import-PowerShellDataFile $file
            (Get-MightyService -Service WEB).Cluster | Should -Be $data.Cluster
        }
        else {
            { Import-PowerShellDataFile $file } | Should -Throw
            { Get-MightyService -Service WEB -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigInvalid,*'
        }
    }

    It 'completes -Service from the cluster the file names' {
        Set-Config "@{ Cluster = 'production' }" | Out-Null
        Push-Location (Join-Path $script:root 'app')
        Get-Completion 'Get-MightyService -Service WE' | Should -Contain 'WEB'
        Pop-Location
        Push-Location ([IO.Path]::GetTempPath())
        Get-Completion 'Get-MightyService -Service WE' | Should -Not -Contain 'WEB' -Because 'without the file the cluster is default, which the demo does not have'
    }
}
