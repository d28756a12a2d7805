#Requires -Version 7.4
<#
Sets up what the examples of README.md and of the cmdlet help (docs/<Verb-Noun>.md) assume, so
that each runs as printed against the sandbox. Dot-source it from a clone of MightyOps after
building (dotnet pwsh ./build.ps1 -Task Build):

    . ./tools/sandbox-examples.ps1

It starts the sandbox ($sandbox; deploys take a second or two at -TimeScale 100) and makes, in a
temporary folder:
- the application's repository: a git clone whose origin already has the release tags master.1
  to master.5, holding the mighty.psd1 that README.md shows, which becomes the current location.
  The origin plays CI: each release tag pushed to it is built into the sandbox's ECR
  (app and nginx-proxy images with that tag), so `New-MightyTag | Publish-MightyService` works;
- with OpenSSH's sshd installed: the SSH rig of the tests (tests/pester/SshRig.ps1, an sshd on
  127.0.0.1 whose `docker` runs commands with the sandbox container's environment), and
  $PSDefaultParameterValues giving Invoke-/Enter-MightyContainer its -Port, -User and -KeyFilePath;
- with redis-server and Debian's ruby-sidekiq: a Redis that the real Sidekiq client filled with
  a morning's backlog, found through $env:REDIS_URL.

Stop-SandboxExamples undoes all of it. docs/design/help-examples.md says how the examples are
written and tested.
#>
param(
    # Simulated seconds per real second.
    [double] $TimeScale = 100
)

if (-not (Get-Module MightyOps)) {
    $examplesManifest = Get-ChildItem (Join-Path $PSScriptRoot '../output/MightyOps') -Filter MightyOps.psd1 -Recurse -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $examplesManifest) { throw 'Build the module first: dotnet pwsh ./build.ps1 -Task Build' }
    Import-Module $examplesManifest.FullName
}

$sandbox = Start-MightySandbox -Seed demo -TimeScale $TimeScale
$SandboxExamples = [pscustomobject]@{
    Folder = Join-Path ([IO.Path]::GetTempPath()) ('mightyops-examples-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    Sandbox = $sandbox
    SshRig = $null
    SshKeys = $null
    Redis = $null
    RedisUrlBefore = $env:REDIS_URL
    Location = (Get-Location).Path
}
New-Item -ItemType Directory -Path $SandboxExamples.Folder | Out-Null

# The application's repository, with the mighty.psd1 of README.md.
& {
    $ErrorActionPreference = 'Stop'
    $origin = Join-Path $SandboxExamples.Folder 'origin.git'
    $app = Join-Path $SandboxExamples.Folder 'app'
    git init --quiet --bare --initial-branch=master $origin
    git clone --quiet $origin $app 2>$null
    git -C $app config user.name 'MightyOps examples'
    git -C $app config user.email 'examples@mightyops.invalid'
    @'
# mighty.psd1, in the application's repository
@{
    Cluster  = 'production'
    Region   = 'us-east-1'
    Secrets  = @{ Source = 's3://mighty-secrets/production.json' }   # delivered as an S3 env file
    Defaults = @{ Cpu = 128; MemoryReservation = 256; Environment = @{ RAILS_ENV = 'production' } }
    Services = @{
        WEB = @{ Containers = @{ application = @{ Repository = 'app' }; nginx = @{ Repository = 'nginx-proxy'; PortMappings = 80 } } }
    }
}
'@ | Set-Content (Join-Path $app 'mighty.psd1')
    git -C $app add mighty.psd1
    # master.1 to master.4 are in the sandbox's ECR already (the demo seed).
    foreach ($n in 1..4) {
        git -C $app commit --quiet --allow-empty -m "release $n"
        git -C $app tag -a "master.$n" -m "master.$n"
    }
    git -C $app push --quiet --follow-tags origin master 2>$null
    # From now on origin plays CI: a pushed tag is built into ECR (the sandbox's push-image).
    $hook = Join-Path $origin 'hooks/post-receive'
    @"
#!/bin/sh
while read old new ref; do
  case "`$ref" in
    refs/tags/*)
      [ "`$new" = 0000000000000000000000000000000000000000 ] && continue
      for repository in app nginx-proxy; do
        curl -fsS -o /dev/null -X POST '$($sandbox.Endpoint)/_sandbox/push-image' -H 'Content-Type: application/json' \
          -d "{\"repository\":\"`$repository\",\"tag\":\"`${ref#refs/tags/}\"}" || echo "CI: could not build `$repository:`${ref#refs/tags/}" >&2
      done ;;
  esac
done
"@ | Set-Content $hook
    chmod +x $hook
    git -C $app commit --quiet --allow-empty -m 'release 5'
    git -C $app tag -a master.5 -m master.5
    git -C $app push --quiet origin master master.5 2>$null
    git -C $app commit --quiet --allow-empty -m 'the next change'
    git -C $app push --quiet origin master 2>$null
}

if (Get-Command sshd -ErrorAction SilentlyContinue) {
    . (Join-Path $PSScriptRoot '../tests/pester/SshRig.ps1')
    $SandboxExamples.SshKeys = New-SshRigKeys
    $SandboxExamples.SshRig = Start-SshRig -Keys $SandboxExamples.SshKeys -SandboxEndpoint $sandbox.Endpoint
    $PSDefaultParameterValues['*-MightyContainer:Port'] = $SandboxExamples.SshRig.Port
    $PSDefaultParameterValues['*-MightyContainer:User'] = $SandboxExamples.SshRig.User
    $PSDefaultParameterValues['*-MightyContainer:KeyFilePath'] = $SandboxExamples.SshRig.KeyFilePath
}
else {
    Write-Warning 'No sshd: the Invoke-/Enter-MightyContainer examples need OpenSSH''s sshd (Debian: apt-get install openssh-server).'
}

if ((Get-Command redis-server -ErrorAction SilentlyContinue) -and (Get-Command ruby -ErrorAction SilentlyContinue)) {
    . (Join-Path $PSScriptRoot '../tests/pester/QueueWorld.ps1')
    $SandboxExamples.Redis = Start-TestRedis
    $env:REDIS_URL = $SandboxExamples.Redis.Url
    Push-SidekiqJob $SandboxExamples.Redis.Url @{ ios_web_scrape = 1200; android_web_scrape = 640; reports = 150 } -Age ([timespan]::FromMinutes(4))
    Push-SidekiqJob $SandboxExamples.Redis.Url @{ mailers = 412; default = 37; imports = 85 } -Age ([timespan]::FromSeconds(70))
}
else {
    Write-Warning 'No redis-server or ruby-sidekiq: the queue examples need them (Debian: apt-get install redis-server ruby-sidekiq).'
}

Set-Location (Join-Path $SandboxExamples.Folder 'app')

function Stop-SandboxExamples {
    $state = $SandboxExamples
    if (-not $state) { return }
    Set-Location $state.Location
    foreach ($name in 'Port', 'User', 'KeyFilePath') { $PSDefaultParameterValues.Remove("*-MightyContainer:$name") }
    if ($state.SshRig) { Stop-SshRig $state.SshRig; Remove-Item $state.SshKeys.Folder -Recurse -Force -ErrorAction SilentlyContinue }
    if ($state.Redis) { Stop-TestRedis $state.Redis; $env:REDIS_URL = $state.RedisUrlBefore }
    $state.Sandbox | Stop-MightySandbox
    Remove-Item $state.Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Write-Host "The examples' sandbox: $($sandbox.Endpoint); the application's repository: $(Get-Location). Stop-SandboxExamples cleans up."
