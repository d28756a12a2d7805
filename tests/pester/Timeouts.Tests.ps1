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
