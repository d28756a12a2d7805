# Dot-sourced by Queue*.Tests.ps1: a real redis-server on a free loopback port (optionally with a
# password, or TLS with a throwaway CA), and the real Sidekiq (Debian ruby-sidekiq) to fill it.

function Get-FreeLoopbackPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

<#
Starts redis-server and returns @{ Process; Port; Url; Directory; TlsPort; CaFile }. -Password
turns on requirepass; -Tls also listens with TLS on a second port, with a certificate for
127.0.0.1 signed by a CA made for this server (CaFile).
#>
function Start-TestRedis {
    param([string] $Password, [switch] $Tls)
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("mighty-redis-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    for ($attempt = 0; $attempt -lt 5; $attempt++) {
        $port = Get-FreeLoopbackPort
        $arguments = @('--port', $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', $dir, '--logfile', (Join-Path $dir 'redis.log'))
        if ($Password) { $arguments += @('--requirepass', $Password) }
        $tlsPort = $null
        $caFile = $null
        if ($Tls) {
            $caFile = New-TestCertificate -Directory $dir
            $tlsPort = Get-FreeLoopbackPort
            $arguments += @('--tls-port', $tlsPort, '--tls-cert-file', (Join-Path $dir 'server.crt'), '--tls-key-file', (Join-Path $dir 'server.key'),
                '--tls-ca-cert-file', $caFile, '--tls-auth-clients', 'no')
        }
        $start = [System.Diagnostics.ProcessStartInfo]::new('redis-server')
        foreach ($argument in $arguments) { $start.ArgumentList.Add([string]$argument) }
        $start.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($start)
        for ($i = 0; $i -lt 100 -and -not $process.HasExited; $i++) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                $client.Connect('127.0.0.1', $port)
                $auth = if ($Password) { ":$([uri]::EscapeDataString($Password))@" } else { '' }
                return [pscustomobject]@{ Process = $process; Port = $port; Url = "redis://$auth`127.0.0.1:$port/0"; Directory = $dir; TlsPort = $tlsPort; CaFile = $caFile; Password = $Password }
            }
            catch { Start-Sleep -Milliseconds 50 }
            finally { $client.Dispose() }
        }
        if (-not $process.HasExited) { $process.Kill() }
    }
    throw 'redis-server did not start on a loopback port (is the redis-server package installed?).'
}

function Stop-TestRedis([object] $Redis) {
    if ($Redis -and -not $Redis.Process.HasExited) {
        $Redis.Process.Kill()
        $Redis.Process.WaitForExit()
    }
    if ($Redis) { Remove-Item $Redis.Directory -Recurse -Force -ErrorAction SilentlyContinue }
}

function New-TestCertificate([string] $Directory) {
    Push-Location $Directory
    try {
        & openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj '/CN=MightyOps test CA' 2>$null
        & openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>$null
        Set-Content ext.cnf "subjectAltName=IP:127.0.0.1`nbasicConstraints=CA:FALSE`nkeyUsage=digitalSignature,keyEncipherment`nextendedKeyUsage=serverAuth"
        & openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile ext.cnf 2>$null
        if ($LASTEXITCODE -ne 0) { throw 'openssl could not make a test certificate.' }
        Join-Path $Directory 'ca.crt'
    }
    finally { Pop-Location }
}

# Runs Ruby with Sidekiq loaded against $Url and returns its standard output.
function Invoke-Sidekiq([string] $Url, [string] $Script) {
    $saved = $env:REDIS_URL
    $env:REDIS_URL = $Url
    try {
        $output = & ruby -e "require 'sidekiq'; require 'sidekiq/api'; require 'json'; Sidekiq.logger.level = Logger::WARN; $Script" 2>$null
        if ($LASTEXITCODE -ne 0) { throw "ruby (Sidekiq) failed: $Script" }
        $output
    }
    finally {
        $env:REDIS_URL = $saved
    }
}

# Pushes jobs with Sidekiq::Client.push: a hashtable of queue = count, each enqueued -Age ago
# (Sidekiq stamps enqueued_at from Time.now, which the script moves back).
function Push-SidekiqJob([string] $Url, [hashtable] $Jobs, [timespan] $Age = [timespan]::Zero) {
    $clock = if ($Age -gt [timespan]::Zero) { "class << Time; alias_method :real_now, :now; def now = real_now - $($Age.TotalSeconds); end; " } else { '' }
    $pushes = ($Jobs.GetEnumerator() | ForEach-Object { "$($_.Value).times { Sidekiq::Client.push('queue' => '$($_.Key)', 'class' => 'HardJob', 'args' => [1]) };" }) -join ' '
    Invoke-Sidekiq $Url ($clock + $pushes) | Out-Null
}
