# Start-MightySandbox / Stop-MightySandbox: the session is pointed at the sandbox and put back.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:AwsVariables = 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_ECS'
}

Describe 'Start-MightySandbox' {
    BeforeEach {
        $script:saved = @{}
        foreach ($name in $script:AwsVariables) { $script:saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    }
    AfterEach {
        Stop-MightySandbox
        foreach ($name in $script:AwsVariables) { [Environment]::SetEnvironmentVariable($name, $script:saved[$name]) }
    }

    It 'returns the endpoint and test credentials and points the process environment at it' {
        $sandbox = Start-MightySandbox -Seed empty
        $sandbox | Should -BeOfType ([MightyOps.MightySandbox])
        $sandbox.Endpoint | Should -Match '^http://127\.0\.0\.1:\d+$'
        $sandbox.IsRunning | Should -BeTrue
        $env:AWS_ENDPOINT_URL | Should -Be $sandbox.Endpoint
        $env:AWS_REGION | Should -Be $sandbox.Region
        $env:AWS_DEFAULT_REGION | Should -Be $sandbox.Region
        $env:AWS_ACCESS_KEY_ID | Should -Be $sandbox.AccessKeyId
        $env:AWS_SECRET_ACCESS_KEY | Should -Be $sandbox.SecretAccessKey
    }

    It 'restores the variables it replaced on Stop-MightySandbox, including ones that were unset' {
        $env:AWS_REGION = 'eu-west-1'
        $env:AWS_ACCESS_KEY_ID = 'AKIAORIGINAL'
        $env:AWS_SESSION_TOKEN = 'original-token'
        $env:AWS_ENDPOINT_URL_ECS = 'http://example.invalid'
        Remove-Item Env:AWS_ENDPOINT_URL -ErrorAction SilentlyContinue

        Start-MightySandbox -Seed empty | Out-Null
        $env:AWS_SESSION_TOKEN | Should -BeNullOrEmpty -Because 'a stale session token would be sent with the sandbox keys'
        $env:AWS_ENDPOINT_URL_ECS | Should -BeNullOrEmpty -Because 'a service-specific endpoint would win over the sandbox'

        Stop-MightySandbox
        $env:AWS_REGION | Should -Be 'eu-west-1'
        $env:AWS_ACCESS_KEY_ID | Should -Be 'AKIAORIGINAL'
        $env:AWS_SESSION_TOKEN | Should -Be 'original-token'
        $env:AWS_ENDPOINT_URL_ECS | Should -Be 'http://example.invalid'
        $env:AWS_ENDPOINT_URL | Should -BeNullOrEmpty
    }

    It 'leaves the environment alone with -NoEnvironment' {
        Remove-Item Env:AWS_ENDPOINT_URL -ErrorAction SilentlyContinue
        $sandbox = Start-MightySandbox -Seed empty -NoEnvironment
        $sandbox.IsRunning | Should -BeTrue
        $env:AWS_ENDPOINT_URL | Should -BeNullOrEmpty
    }

    It 'starts nothing with -WhatIf' {
        $before = [Environment]::GetEnvironmentVariable('AWS_ENDPOINT_URL')
        Start-MightySandbox -WhatIf | Should -BeNullOrEmpty
        [Environment]::GetEnvironmentVariable('AWS_ENDPOINT_URL') | Should -Be $before
    }

    It 'is what the AWS CLI talks to without flags' {
        Start-MightySandbox -Seed demo | Out-Null
        $json = aws ecs list-services --cluster production --max-items 100 --output json | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        @($json.serviceArns).Count | Should -Be 32
    }

    It 'stops a sandbox piped to Stop-MightySandbox and counts requests per operation' {
        $sandbox = Start-MightySandbox -Seed demo -NoEnvironment
        $env:AWS_ACCESS_KEY_ID = $sandbox.AccessKeyId
        $env:AWS_SECRET_ACCESS_KEY = $sandbox.SecretAccessKey
        Get-MightyService -Cluster production -Service WEB -EndpointUrl $sandbox.Endpoint -Region $sandbox.Region | Out-Null
        $sandbox.RequestCounts['ecs.ListServices'] | Should -Be 1
        $sandbox.RequestCounts['ecs.DescribeServices'] | Should -Be 1
        $sandbox | Stop-MightySandbox
        $sandbox.IsRunning | Should -BeFalse
    }

    It 'says which sandbox stop also restores the environment' {
        $own = Start-MightySandbox -Seed empty
        $other = Start-MightySandbox -Seed empty -NoEnvironment

        $said = @($other, $own | Stop-MightySandbox -Verbose 4>&1 | ForEach-Object Message)

        $said[0] | Should -Be "Performing the operation `"Stop the MightyOps sandbox`" on target `"$($other.Endpoint)`"."
        $said[1] | Should -Match 'Stop the MightyOps sandbox and restore the AWS environment variables it replaced'
        $own.IsRunning, $other.IsRunning | Should -Be @($false, $false)
    }

    It 'restores the environment as a stack: stopping <First> first, then <Second>' -ForEach @(
        @{ First = 'A'; Second = 'B' }
        @{ First = 'B'; Second = 'A' }
    ) {
        $env:AWS_REGION = 'eu-west-1'
        Remove-Item Env:AWS_ENDPOINT_URL -ErrorAction SilentlyContinue
        $sandboxes = @{ A = Start-MightySandbox -Seed empty -Region eu-central-1; B = Start-MightySandbox -Seed empty -Region ap-south-1 }
        $env:AWS_ENDPOINT_URL | Should -Be $sandboxes.B.Endpoint

        $sandboxes[$First] | Stop-MightySandbox
        # Whichever stopped first, the environment now shows what was there before the other one.
        $expectedEndpoint = if ($First -eq 'B') { $sandboxes.A.Endpoint } else { $sandboxes.B.Endpoint }
        $env:AWS_ENDPOINT_URL | Should -Be $expectedEndpoint
        $env:AWS_REGION | Should -Be $(if ($First -eq 'B') { 'eu-central-1' } else { 'ap-south-1' })

        $sandboxes[$Second] | Stop-MightySandbox
        $env:AWS_REGION | Should -Be 'eu-west-1'
        $env:AWS_ENDPOINT_URL | Should -BeNullOrEmpty
    }

    It 'leaves the stack alone when a -NoEnvironment sandbox stops in between' {
        $env:AWS_REGION = 'eu-west-1'
        $own = Start-MightySandbox -Seed empty -Region eu-central-1
        $other = Start-MightySandbox -Seed empty -NoEnvironment
        $other | Stop-MightySandbox
        $env:AWS_ENDPOINT_URL | Should -Be $own.Endpoint
        $own | Stop-MightySandbox
        $env:AWS_REGION | Should -Be 'eu-west-1'
    }

    It 'repeats fault injection with -RandomSeed' {
        # Same seed, same dice: the same number of requests is throttled and retried.
        $totals = foreach ($run in 1, 2) {
            $sandbox = Start-MightySandbox -Seed demo -ThrottlingRate 0.5 -RandomSeed 1234
            @(Get-MightyService -Cluster production).Count | Should -Be 32
            ($sandbox.RequestCounts.Values | Measure-Object -Sum).Sum
            $sandbox | Stop-MightySandbox
        }
        $totals[0] | Should -BeGreaterThan 5 -Because 'one ListServices and four DescribeServices, plus the throttled ones'
        $totals[1] | Should -Be $totals[0]
    }

    It 'passes -RandomSeed and -EcsRateLimits to the sandbox' {
        $sandbox = Start-MightySandbox -Seed empty -NoEnvironment -RandomSeed 42 -EcsRateLimits
        $info = Invoke-RestMethod "$($sandbox.Endpoint)/_sandbox/info"
        $info.randomSeed | Should -Be 42
        $info.ecsRateLimits | Should -BeTrue
        $plain = Start-MightySandbox -Seed empty -NoEnvironment
        $info = Invoke-RestMethod "$($plain.Endpoint)/_sandbox/info"
        $info.randomSeed | Should -BeNullOrEmpty
        $info.ecsRateLimits | Should -BeFalse
    }

    It 'reports a port that is taken as a terminating error' {
        $first = Start-MightySandbox -Seed empty -NoEnvironment
        { Start-MightySandbox -Seed empty -NoEnvironment -Port $first.Port } |
            Should -Throw -ErrorId 'SandboxPortInUse*'
    }
}

Describe 'Removing the module' {
    It 'stops the sandboxes the session started and restores the environment' {
        $result = Invoke-InFreshPwsh {
            $env:AWS_REGION = 'eu-west-1'
            $env:AWS_ENDPOINT_URL = 'http://before.invalid'
            $first = Start-MightySandbox -Seed empty
            $second = Start-MightySandbox -Seed empty -Region ap-south-1
            $during = $env:AWS_ENDPOINT_URL -eq $second.Endpoint
            Remove-Module MightyOps
            [pscustomobject]@{
                During = $during
                Running = @($first.IsRunning, $second.IsRunning)
                Region = $env:AWS_REGION
                Endpoint = $env:AWS_ENDPOINT_URL
                # Nothing listens on the port any more.
                Refused = try { [Net.Sockets.TcpClient]::new('127.0.0.1', $first.Port).Dispose(); $false } catch { $true }
            }
        }
        $result.During | Should -BeTrue
        $result.Running | Should -Be @($false, $false)
        $result.Region | Should -Be 'eu-west-1'
        $result.Endpoint | Should -Be 'http://before.invalid'
        $result.Refused | Should -BeTrue
    }
}

Describe 'The sandbox admin endpoints' {
    It 'are all documented in the README and the Start-MightySandbox help' {
        $sandbox = Start-MightySandbox -Seed empty -NoEnvironment
        try {
            $endpoints = (Invoke-RestMethod "$($sandbox.Endpoint)/_sandbox/info").endpoints
        }
        finally {
            $sandbox | Stop-MightySandbox
        }
        $endpoints.Count | Should -BeGreaterThan 5
        $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $help = Get-Content -Raw (Join-Path $root 'docs/Start-MightySandbox.md')
        $readme = Get-Content -Raw (Join-Path $root 'README.md')
        foreach ($endpoint in $endpoints) {
            $method, $path = $endpoint -split ' ', 2
            $help | Should -Match ([regex]::Escape("``$method $path``")) -Because "$endpoint is an admin endpoint"
            $readme | Should -Match ([regex]::Escape("``$method $path``")) -Because "$endpoint is an admin endpoint"
        }
    }
}

Describe 'The standalone sandbox executable' {
    BeforeAll {
        $script:savedKeys = $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY
    }
    AfterAll {
        $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY = $script:savedKeys
    }

    It 'serves the demo for scripts and prints its endpoint as JSON' {
        $dll = Join-Path $env:MIGHTYOPS_TEST_MODULE 'bin/MightyOps.Sandbox.dll'
        $dotnet = (Get-Command dotnet).Source
        $psi = [Diagnostics.ProcessStartInfo]::new($dotnet)
        foreach ($a in $dll, '--seed', 'demo') { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($psi)
        try {
            $info = $process.StandardOutput.ReadLine() | ConvertFrom-Json
            $info.endpoint | Should -Match '^http://127\.0\.0\.1:\d+'
            $env:AWS_ACCESS_KEY_ID = $info.accessKeyId
            $env:AWS_SECRET_ACCESS_KEY = $info.secretAccessKey
            $services = @(Get-MightyService -Cluster production -EndpointUrl $info.endpoint -Region $info.region)
            $services.Count | Should -Be 32
        }
        finally {
            $process.Kill()
            $process.WaitForExit()
        }
    }
}
