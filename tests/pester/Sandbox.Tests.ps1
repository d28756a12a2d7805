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

    It 'reports a port that is taken as a terminating error' {
        $first = Start-MightySandbox -Seed empty -NoEnvironment
        { Start-MightySandbox -Seed empty -NoEnvironment -Port $first.Port } |
            Should -Throw -ErrorId 'SandboxPortInUse*'
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
