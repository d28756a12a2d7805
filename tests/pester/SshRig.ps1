# TEST RIG, not a product feature: real OpenSSH sshd servers on 127.0.0.1 for the exec tests.
# Dot-source it, then Start-SshRig. Each server has generated host keys, a config in a temp folder
# (AuthorizedKeysFile there, StrictModes no, no PAM), logs in as the current user, and puts
# tests/rig/docker (a `docker exec` stand-in that asks the sandbox for the container) first on
# the user's PATH through sshd's SetEnv. SetEnv also gives sessions the server's folder as HOME, so
# the test user's own dotfiles (a ~/.bashrc that runs `pyenv init` added ~0.3 s to every command)
# do not run on each exec. The sandbox's container instances are all at 127.0.0.1,
# so the module reaches these servers through -Port alone.

$script:RigDocker = Join-Path (Split-Path $PSScriptRoot -Parent) 'rig'

function Get-FreeTcpPort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function New-RigKey {
    param([string] $Path, [string] $Type, [string] $Passphrase = '', [switch] $Pem)
    $bits = switch ($Type) { 'rsa' { @('-b', '3072') } 'ecdsa' { @('-b', '256') } default { @() } }
    $format = if ($Pem) { @('-m', 'PEM') } else { @() }
    & ssh-keygen -q -t $Type @bits @format -N $Passphrase -C "mighty-rig-$Type" -f $Path
    if ($LASTEXITCODE -ne 0) { throw "ssh-keygen -t $Type failed" }
}

<#
Creates the keys the tests log in with (one folder for all servers) and returns their paths:
Ed25519 (OpenSSH format), Rsa (PEM), Ecdsa (OpenSSH), Protected (ed25519, passphrase
'correct horse'), Stranger (not authorized anywhere).
#>
function New-SshRigKeys {
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('mighty-rig-keys-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $dir | Out-Null
    New-RigKey (Join-Path $dir 'id_ed25519') ed25519
    New-RigKey (Join-Path $dir 'id_rsa.pem') rsa -Pem
    New-RigKey (Join-Path $dir 'id_ecdsa') ecdsa
    New-RigKey (Join-Path $dir 'id_protected') ed25519 -Passphrase 'correct horse'
    New-RigKey (Join-Path $dir 'id_stranger') ed25519
    $authorized = Join-Path $dir 'authorized_keys'
    'id_ed25519', 'id_rsa.pem', 'id_ecdsa', 'id_protected' | ForEach-Object { Get-Content (Join-Path $dir "$_.pub") } | Set-Content $authorized
    [pscustomobject]@{
        Folder = $dir
        Ed25519 = Join-Path $dir 'id_ed25519'
        Rsa = Join-Path $dir 'id_rsa.pem'
        Ecdsa = Join-Path $dir 'id_ecdsa'
        Protected = Join-Path $dir 'id_protected'
        Stranger = Join-Path $dir 'id_stranger'
        AuthorizedKeys = $authorized
    }
}

<#
Starts one sshd and waits until it accepts connections. -Docker: Normal (the stand-in on PATH),
Missing (no docker on PATH), Denied (docker answers like a socket the user may not open).
Returns Port, User and KeyFilePath (what -Port, -User and -KeyFilePath of the exec cmdlets take:
the current user, the Ed25519 key of -Keys), Folder, Process, HostKey (its public key line) and
HostKeyFingerprint.
#>
function Start-SshRig {
    param(
        [Parameter(Mandatory)] $Keys,
        [string] $SandboxEndpoint = '',
        [ValidateSet('Normal', 'Missing', 'Denied')] [string] $Docker = 'Normal'
    )
    $sshd = (Get-Command sshd -ErrorAction SilentlyContinue).Source ?? '/usr/sbin/sshd'
    if (-not (Test-Path $sshd)) { throw 'sshd is not installed (Debian: apt-get install openssh-server).' }
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('mighty-sshd-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $dir | Out-Null
    New-RigKey (Join-Path $dir 'host_ed25519') ed25519
    $port = Get-FreeTcpPort
    $path = switch ($Docker) {
        'Missing' { '/usr/bin:/bin' }
        default { "$($script:RigDocker):/usr/local/bin:/usr/bin:/bin" }
    }
    $mode = if ($Docker -eq 'Denied') { 'denied' } else { 'normal' }
    # Running as root, sshd wants its privilege separation folder (the Debian service creates it).
    if ((id -u) -eq '0' -and -not (Test-Path /run/sshd)) { New-Item -ItemType Directory -Path /run/sshd | Out-Null }
    @"
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $($Keys.AuthorizedKeys)
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers $([Environment]::UserName)
AllowTcpForwarding yes
PrintMotd no
PrintLastLog no
MaxStartups 100
LogLevel VERBOSE
SetEnv HOME=$dir PATH=$path MIGHTY_SANDBOX_ENDPOINT=$SandboxEndpoint MIGHTY_DOCKER_RIG_MODE=$mode
"@ | Set-Content (Join-Path $dir 'sshd_config')
    $process = Start-Process -FilePath $sshd -ArgumentList @('-D', '-f', (Join-Path $dir 'sshd_config'), '-E', (Join-Path $dir 'sshd.log')) -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ($true) {
        $client = [Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $port); break } catch { } finally { $client.Dispose() }
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            throw "sshd did not start on port ${port}: $(Get-Content (Join-Path $dir 'sshd.log') -Raw -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 50
    }
    $hostKey = (Get-Content (Join-Path $dir 'host_ed25519.pub') -Raw).Trim()
    [pscustomobject]@{
        Port = $port
        User = [Environment]::UserName
        KeyFilePath = $Keys.Ed25519
        Folder = $dir
        Process = $process
        HostKey = $hostKey
        HostKeyFingerprint = ((& ssh-keygen -l -E sha256 -f (Join-Path $dir 'host_ed25519.pub')) -split ' ')[1]
        Log = Join-Path $dir 'sshd.log'
    }
}

function Stop-SshRig {
    param([Parameter(ValueFromPipeline)] $Rig)
    process {
        if ($null -eq $Rig) { return }
        if (-not $Rig.Process.HasExited) { Stop-Process -Id $Rig.Process.Id -ErrorAction SilentlyContinue }
        Remove-Item $Rig.Folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# A known_hosts line for a rig server, as OpenSSH writes it for a port other than 22.
function Get-RigKnownHostsLine {
    param([Parameter(Mandatory)] $Rig)
    $type, $key = ($Rig.HostKey -split ' ')[0, 1]
    "[127.0.0.1]:$($Rig.Port) $type $key"
}
