# An endpoint that takes the connection and never answers is slow, not unreachable, and the call
# gives up after the attempts and per-attempt timeout it was given.

BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'An AWS endpoint that accepts connections and never answers' {
    It 'is reported as answering too slowly, with the timeout and the attempts' {
        $failure = Invoke-InFreshPwsh -ScriptBlock {
            # The kernel completes the handshake for connections in the backlog: accepted, never answered.
            $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
            $listener.Start()
            try {
                $env:AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE'
                $env:AWS_SECRET_ACCESS_KEY = 'secret'
                $env:AWS_MAX_ATTEMPTS = '2'
                $watch = [Diagnostics.Stopwatch]::StartNew()
                try { Get-MightyService -Cluster production -Region us-east-1 -EndpointUrl "http://127.0.0.1:$($listener.LocalEndpoint.Port)" -TimeoutSec 1; 'no error' }
                catch {
                    [pscustomobject]@{
                        Id = $_.FullyQualifiedErrorId
                        Category = "$($_.CategoryInfo.Category)"
                        Message = "$_"
                        Seconds = $watch.Elapsed.TotalSeconds
                    }
                }
            }
            finally {
                $listener.Stop()
            }
        }
        $failure.Id | Should -BeLike 'AwsEndpointTooSlow,*'
        $failure.Category | Should -Be 'OperationTimeout'
        $failure.Message | Should -Match 'answered too slowly'
        $failure.Message | Should -Match 'within 1 s on any of 2 attempts'
        $failure.Message | Should -Not -Match 'Nothing answers'
        $failure.Seconds | Should -BeLessThan 30 -Because 'two attempts of 1 s and one backoff of at most 1 s'
    }
}

Describe 'Every TimeSpan parameter of every exported cmdlet reads a number as seconds' {
    BeforeDiscovery {
        Import-Module (Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.psd1') -Force
        $timeSpanTypes = [timespan], [Nullable[timespan]]
        $parameters = @(foreach ($command in Get-Command -Module MightyOps -CommandType Cmdlet) {
                foreach ($parameter in $command.Parameters.Values | Where-Object { $timeSpanTypes -contains $_.ParameterType }) {
                    @{ Command = $command.Name; Parameter = $parameter.Name }
                }
            })
        $cases = foreach ($parameter in $parameters) {
            foreach ($value in @(
                    @{ Given = 600; Shown = '600 (a number)'; Expected = [timespan]'00:10:00' }
                    @{ Given = 1.5; Shown = '1.5'; Expected = [timespan]::FromSeconds(1.5) }
                    @{ Given = '600'; Shown = "'600' (a string of a number)"; Expected = [timespan]'00:10:00' }
                    @{ Given = [timespan]'00:10:00'; Shown = 'a TimeSpan'; Expected = [timespan]'00:10:00' }
                    @{ Given = '00:10:00'; Shown = "'00:10:00'"; Expected = [timespan]'00:10:00' }
                )) {
                $parameter + $value
            }
        }
    }

    BeforeAll {
        # What the parameter binder does with an argument: the parameter's transformation
        # attributes in order, then the conversion to the parameter's type.
        function ConvertTo-BoundValue([string] $Command, [string] $Parameter, $Value) {
            $metadata = (Get-Command $Command).Parameters[$Parameter]
            foreach ($transformation in $metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentTransformationAttribute] }) {
                $Value = $transformation.Transform($ExecutionContext, $Value)
            }
            [System.Management.Automation.LanguagePrimitives]::ConvertTo($Value, $metadata.ParameterType)
        }
    }

    It 'finds the TimeSpan parameters of the deploy and exec cmdlets' -ForEach @{ Found = @($parameters | ForEach-Object { "$($_.Command) -$($_.Parameter)" }) } {
        foreach ($expected in 'Publish-MightyService -Timeout', 'Wait-MightyDeployment -Timeout', 'Restore-MightyService -Timeout',
            'Wait-MightyDeployment -UnreachableTimeout', 'Invoke-MightyContainer -Timeout', 'Invoke-MightyContainer -ConnectTimeout', 'Enter-MightyContainer -ConnectTimeout') {
            $Found | Should -Contain $expected
        }
    }

    It '<Command> -<Parameter> <Shown> is <Expected>' -ForEach $cases {
        ConvertTo-BoundValue $Command $Parameter $Given | Should -Be $Expected
    }

    It 'refuses a number of seconds no TimeSpan can hold, saying what it takes' {
        { Wait-MightyDeployment -Service x -Timeout 1e300 } | Should -Throw -ExpectedMessage "*is not a length of time; give seconds (600), a TimeSpan or a string such as '00:10:00'*"
    }
}

Describe 'ECS stops answering while Wait-MightyDeployment watches' {
    BeforeAll {
        # A sandbox of its own in a child process (dotnet bin/MightyOps.Sandbox.dll), so that it can
        # be killed or frozen with a signal; 1 simulated second per second, so the rollout is still
        # in progress when that happens.
        function Start-SandboxProcess {
            $psi = [Diagnostics.ProcessStartInfo]::new((Get-Command dotnet).Source)
            foreach ($a in (Join-Path $env:MIGHTYOPS_TEST_MODULE 'bin/MightyOps.Sandbox.dll'), '--seed', 'demo', '--time-scale', '1') { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.UseShellExecute = $false
            $process = [Diagnostics.Process]::Start($psi)
            $info = $process.StandardOutput.ReadLine() | ConvertFrom-Json
            [pscustomobject]@{
                Process = $process
                Info    = $info
                Aws     = @{ EndpointUrl = $info.endpoint; Region = $info.region; AccessKey = $info.accessKeyId; SecretKey = $info.secretAccessKey }
            }
        }

        function Get-Counts($Sandbox) {
            Invoke-RestMethod -Uri "$($Sandbox.Info.endpoint)/_sandbox/counts" -TimeoutSec 5
        }

        <#
        Starts a deployment, runs Wait-MightyDeployment on it in a runspace of its own, and once
        that has polled, does $Cut to the sandbox. Returns what the wait wrote and how long after
        the cut it stopped.
        #>
        function Invoke-CutDuringWait($Sandbox, [scriptblock] $Cut, [string[]] $Arguments) {
            $aws = $Sandbox.Aws
            $started = Publish-MightyService @aws -Cluster production -Service API -Tag master.3 -NoWait
            $started.Status | Should -Be 'InProgress'
            $null = Invoke-RestMethod -Method Post -Uri "$($Sandbox.Info.endpoint)/_sandbox/reset-counts" -ContentType 'application/json'

            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                    param($Manifest, $Started, $Aws, $Arguments)
                    Import-Module $Manifest
                    $results = [Collections.Generic.List[object]]::new()
                    $failure = $null
                    $extra = @{}
                    for ($i = 0; $i -lt $Arguments.Count; $i += 2) { $extra[$Arguments[$i]] = $Arguments[$i + 1] }
                    try {
                        $Started | Wait-MightyDeployment @Aws @extra -Timeout 600 -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop |
                            ForEach-Object { $results.Add($_) }
                    }
                    catch { $failure = $_ }
                    [pscustomobject]@{ Results = $results.ToArray(); Error = $failure; Warnings = @($warned | ForEach-Object Message); Stopped = [DateTime]::UtcNow }
                }).AddArgument($script:ModuleManifest).AddArgument($started).AddArgument($aws).AddArgument($Arguments)
            $async = $ps.BeginInvoke()
            try {
                # The cut comes once the wait has polled ECS at least once.
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (([int](Get-Counts $Sandbox).'ecs.DescribeServices') -lt 1) {
                    if ([DateTime]::UtcNow -gt $deadline) { throw 'Wait-MightyDeployment never polled' }
                    Start-Sleep -Milliseconds 100
                }
                & $Cut
                $cutAt = [DateTime]::UtcNow
                $outcome = $ps.EndInvoke($async)[0]
                $outcome | Add-Member -NotePropertyName SecondsAfterCut -NotePropertyValue ($outcome.Stopped - $cutAt).TotalSeconds -PassThru
            }
            finally {
                $ps.Dispose()
            }
        }
    }

    It 'warns within a few polls once the endpoint is gone, then stops with AwsEndpointUnreachable within -UnreachableTimeout' {
        $sandbox = Start-SandboxProcess
        try {
            $outcome = Invoke-CutDuringWait $sandbox { $sandbox.Process.Kill(); $sandbox.Process.WaitForExit() } -Arguments 'UnreachableTimeout', 6
        }
        finally {
            if (-not $sandbox.Process.HasExited) { $sandbox.Process.Kill() }
        }
        $endpoint = $sandbox.Info.endpoint
        $outcome.Warnings.Count | Should -Be 1 -Because 'one warning per outage, at its first failed poll'
        $outcome.Warnings[0] | Should -BeLike "No answer from ECS at $($endpoint):*connection refused*"
        $outcome.Warnings[0] | Should -Match 'the watch stops after 6 s without an answer \(-UnreachableTimeout\)'

        $outcome.Error | Should -Not -BeNullOrEmpty
        $outcome.Error.FullyQualifiedErrorId | Should -BeLike 'AwsEndpointUnreachable,*'
        $outcome.Error.CategoryInfo.Category | Should -Be 'ConnectionError'
        $message = $outcome.Error.ToString()
        $message | Should -Match "ECS at $([regex]::Escape($endpoint)) has given no answer for \d+ s, the bound set by -UnreachableTimeout"
        $message | Should -Match 'The deployment of API goes on in ECS; MightyOps rolled nothing back'
        $message | Should -Match 'Wait-MightyDeployment -Cluster production -Service API'
        $message | Should -Not -Match 'Rolling back|did not complete within'
        # The bound is counted from the last answer, which came at most one poll interval (5 s) before the kill.
        $outcome.SecondsAfterCut | Should -BeLessThan 15 -Because 'the bound is 6 s, not the 600 s of -Timeout'

        @($outcome.Results).Count | Should -Be 1
        $outcome.Results[0].Status | Should -Be 'InProgress' -Because 'its outcome is unknown; the object can be piped to Wait-MightyDeployment later'
    }

    It 'stops within the bound when the endpoint freezes, and sends no rollback' {
        $sandbox = Start-SandboxProcess
        $id = $sandbox.Process.Id
        try {
            $outcome = Invoke-CutDuringWait $sandbox { kill -STOP $id } -Arguments 'UnreachableTimeout', 4
            kill -CONT $id
            $counts = Get-Counts $sandbox
        }
        finally {
            kill -CONT $id 2>$null
            $sandbox.Process.Kill()
            $sandbox.Process.WaitForExit()
        }
        $outcome.Error.FullyQualifiedErrorId | Should -BeLike 'AwsEndpointUnreachable,*'
        $outcome.Error.ToString() | Should -Match 'MightyOps rolled nothing back'
        $outcome.Warnings.Count | Should -Be 1
        $outcome.Warnings[0] | Should -BeLike "No answer from ECS at $($sandbox.Info.endpoint):*"
        $outcome.SecondsAfterCut | Should -BeLessThan 15 -Because 'a poll that hangs is cut off at the 4 s bound, not after its 5 attempts of 10 s'
        [int]$counts.'ecs.UpdateService' | Should -Be 0 -Because 'nothing is rolled back against an endpoint that does not answer'
        [int]$counts.'ecs.DescribeServices' | Should -BeGreaterThan 0
    }
}
