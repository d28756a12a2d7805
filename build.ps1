#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, documents, packages and demonstrates MightyOps.

.DESCRIPTION
    Needs only the .NET SDK: run it as `dotnet tool restore && dotnet pwsh ./build.ps1 -Task <Task>`.

    Build    publish the module into output/MightyOps/<version>/ (the layout Import-Module and Pester use)
    Docs     turn docs/*.md into en-US/MightyOps.dll-Help.xml and about_*.help.txt (part of Build)
    Test     Build, then the xunit projects and the Pester tests in a fresh pwsh (installs the apt
             packages the tests use when it can, otherwise names them)
    Demo     Build, start the sandbox and walk through the module against it
    Bench    Build, then the benchmarks in bench/ (ratios measured in one run)
    Package  Build, then a .nupkg of the module in output/
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Docs', 'Test', 'Demo', 'Bench', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tests to run (file name patterns under tests/pester); all when omitted.
    [string[]] $PesterFilter,

    # Skip the xunit projects (Pester only), for a quicker loop.
    [switch] $SkipUnitTests,

    # Pester processes that take test files from one queue (tests/pester/Run-Pester.ps1).
    [ValidateRange(1, 16)]
    [int] $PesterWorkers = 3
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $true
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$Manifest = Import-PowerShellDataFile (Join-Path $Root 'MightyOps.psd1')
$Version = $Manifest.ModuleVersion
$OutputRoot = Join-Path $Root 'output'
$ModuleOut = Join-Path $OutputRoot "MightyOps/$Version"
$ToolsOut = Join-Path $OutputRoot 'tools'
$PesterVersion = '6.2.0'
$ForeignAwsSdkVersion = '3.7.402'
# What the tests start for real (docs/design/architecture.md, Tests): git drives the release-tag
# tests (and ssh for an unreachable ssh:// remote); redis-server and the real Sidekiq (ruby-sidekiq:
# client, API and server) are the reference for the queue tests, openssl makes their TLS certificate.
# openssh-server and tmux: the exec tests' real sshd and the Enter-MightyContainer terminal test.
$AptPackages = @('git', 'openssh-client', 'redis-server', 'ruby-sidekiq', 'openssl', 'openssh-server', 'tmux')

$Clock = [Diagnostics.Stopwatch]::StartNew()

# A step's heading, with the time since the build started, so a slow phase shows in the log.
function Write-Step([string] $Message) {
    Write-Host ('==> [{0:mm\:ss}] {1}' -f $Clock.Elapsed, $Message) -ForegroundColor Cyan
}

# A fresh pwsh, the same one running this script (the dotnet tool, or an installed pwsh).
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

function Invoke-Build {
    Write-Step "Build MightyOps $Version ($Configuration)"
    if (Test-Path $ModuleOut) {
        Remove-Item $ModuleOut -Recurse -Force
    }
    $bin = Join-Path $ModuleOut 'bin'
    dotnet publish (Join-Path $Root 'src/MightyOps/MightyOps.csproj') -c $Configuration -o $bin "-p:Version=$Version" --nologo -v quiet
    # A System.Management.Automation.dll beside the module would load into the module's own
    # context and break cmdlet type identity: never ship one.
    $sma = Get-ChildItem $bin -Recurse -Filter 'System.Management.Automation.dll'
    if ($sma) {
        throw "System.Management.Automation.dll must not be in the module's bin folder: $($sma.FullName -join ', ')"
    }
    foreach ($required in 'MightyOps.dll', 'MightyOps.Shared.dll', 'MightyOps.Core.dll', 'MightyOps.Sandbox.dll', 'AWSSDK.Core.dll') {
        if (-not (Test-Path (Join-Path $bin $required))) {
            throw "The build did not produce bin/$required."
        }
    }
    # The cmdlets and the public types load into PowerShell's default context from the module
    # root; everything in bin/ loads into the module's own (docs/design/module-loading.md). The
    # standalone sandbox (dotnet bin/MightyOps.Sandbox.dll) needs MightyOps.Shared beside it, so
    # that one is copied; inside the module the load context hands out the root's copy.
    foreach ($name in 'MightyOps', 'MightyOps.Shared') {
        foreach ($extension in '.dll', '.pdb', '.xml') {
            $file = Join-Path $bin "$name$extension"
            if ($name -eq 'MightyOps.Shared' -and $extension -eq '.dll') {
                Copy-Item $file -Destination $ModuleOut
            }
            elseif (Test-Path $file) {
                Move-Item $file -Destination $ModuleOut
            }
        }
    }
    Remove-Item (Join-Path $bin 'MightyOps.deps.json') -ErrorAction Ignore
    Copy-Item (Join-Path $Root 'MightyOps.psd1') $ModuleOut
    Copy-Item (Join-Path $Root 'src/MightyOps/MightyOps.Format.ps1xml') $ModuleOut
    Copy-Item (Join-Path $Root 'src/MightyOps/MightyOps.Types.ps1xml') $ModuleOut
    Invoke-Docs
    Write-Host "    $ModuleOut"
}

function Invoke-Docs {
    Write-Step 'Docs: docs/*.md -> MAML help'
    $helpOut = Join-Path $ModuleOut 'en-US'
    $builder = Join-Path $Root 'tools/HelpBuilder/HelpBuilder.csproj'
    if (-not (Test-Path $builder)) {
        Write-Warning 'tools/HelpBuilder is missing; no help built.'
        return
    }
    dotnet run --project $builder -c Release -v quiet -- --docs (Join-Path $Root 'docs') --out $helpOut --module-name MightyOps --assembly MightyOps.dll
}

# Installs the Debian packages the tests use, when this user can; otherwise says which are missing.
function Install-TestPackages {
    # dpkg-query exits 1 for a package that is not installed: that is the answer, not a failure.
    $PSNativeCommandUseErrorActionPreference = $false
    $missing = @($AptPackages | Where-Object {
            $status = & dpkg-query -W -f '${Status}' $_ 2>$null
            $LASTEXITCODE -ne 0 -or $status -notmatch 'install ok installed'
        })
    if ($missing.Count -eq 0) {
        return
    }
    $apt = Get-Command apt-get -ErrorAction SilentlyContinue
    $isRoot = (& id -u) -eq '0'
    if ($apt -and $isRoot) {
        Write-Step "Install test packages: $($missing -join ', ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -qq
        & apt-get install -y -qq --no-install-recommends @missing
        if ($LASTEXITCODE -ne 0) {
            throw "apt-get could not install the test packages: $($missing -join ', ')"
        }
    }
    else {
        Write-Warning "Tests need these Debian packages, which are not installed: $($missing -join ', '). Install them with: sudo apt-get install -y $($missing -join ' ')"
    }
}

# Test tools that come from NuGet as packages (Pester 6; an older AWSSDK.Core for the load-context
# test) are unpacked into output/tools/<id>/<version>. The flat-container URL is what restore uses.
function Get-NuGetPackage([string] $Id, [string] $Version) {
    $dir = Join-Path $ToolsOut "$Id/$Version"
    if (-not (Test-Path (Join-Path $dir '.complete'))) {
        Write-Step "Fetch $Id $Version"
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        $lower = $Id.ToLowerInvariant()
        $nupkg = Join-Path $ToolsOut "$lower.$Version.nupkg"
        Invoke-WebRequest "https://api.nuget.org/v3-flatcontainer/$lower/$Version/$lower.$Version.nupkg" -OutFile $nupkg
        Expand-Archive $nupkg -DestinationPath $dir -Force
        Remove-Item $nupkg
        New-Item -ItemType File -Path (Join-Path $dir '.complete') | Out-Null
    }
    return $dir
}

function Invoke-Test {
    Install-TestPackages
    $failed = @()
    $pester = Join-Path (Get-NuGetPackage 'Pester' $PesterVersion) 'tools'
    # LoadContext.Tests.ps1 loads this AWSSDK.Core (3.x) into the default context first, the way
    # AWS.Tools would, and proves the module still uses its own 4.x.
    $env:MIGHTYOPS_TEST_FOREIGN_AWSSDK = Join-Path (Get-NuGetPackage 'AWSSDK.Core' $ForeignAwsSdkVersion) 'lib/net8.0/AWSSDK.Core.dll'
    $results = Join-Path $OutputRoot 'test-results'
    New-Item -ItemType Directory -Force -Path $results | Out-Null

    # The xunit projects run beside Pester, not before it: most of a Pester test's time is spent
    # waiting (simulated time, child processes, retry backoffs), which leaves the cores to them.
    # They are built first, one after the other, so the builds do not fight over shared outputs.
    $unit = @()
    if (-not $SkipUnitTests) {
        foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse) {
            Write-Step "xunit: build $($project.BaseName)"
            dotnet build $project.FullName -c $Configuration -v quiet --nologo
            $trx = Join-Path $results "$($project.BaseName).trx"
            Remove-Item $trx -ErrorAction Ignore
            $log = Join-Path $results "$($project.BaseName).log"
            $process = Start-Process dotnet -NoNewWindow -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err" -ArgumentList @(
                'test', $project.FullName, '--no-build', '-c', $Configuration, '-v', 'quiet',
                '--logger', 'console;verbosity=minimal', '--logger', "trx;LogFileName=$trx")
            $unit += [pscustomobject]@{ Name = $project.BaseName; Process = $process; Log = $log; Trx = $trx }
        }
    }

    Write-Step 'Pester (fresh pwsh processes, built module)'
    $runner = Join-Path $Root 'tests/pester/Run-Pester.ps1'
    $pwsh = Get-PwshCommand
    $pesterResults = Join-Path $results 'pester'
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $runner, '-PesterPath', $pester, '-ModulePath', $ModuleOut, '-ResultsPath', $pesterResults, '-Workers', $PesterWorkers)
    if ($PesterFilter) {
        $arguments += @('-Filter', ($PesterFilter -join ','))
    }
    $PSNativeCommandUseErrorActionPreference = $false
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) @arguments
    if ($LASTEXITCODE -ne 0) {
        $failed += 'Pester'
    }
    $PSNativeCommandUseErrorActionPreference = $true

    foreach ($run in $unit) {
        $run.Process.WaitForExit()
        Write-Step "xunit: $($run.Name)"
        # Summary and failures only; every passing test name would drown the log.
        Get-Content $run.Log, "$($run.Log).err" -ErrorAction Ignore |
            Where-Object { $_ -match '^\s*(Passed|Failed|Skipped)!|^\s*Failed |\[FAIL\]|error|Assert\.|Stack Trace|^\s+at ' } |
            ForEach-Object { Write-Host "    $_" }
        if ($run.Process.ExitCode -ne 0) {
            $failed += $run.Name
        }
    }

    Write-SlowestTests -PesterResults $pesterResults -Trx @($unit | ForEach-Object Trx)
    if ($failed) {
        Write-FailedTests -PesterResults $pesterResults -Trx @($unit | ForEach-Object Trx)
        throw "Tests failed: $($failed -join ', ')"
    }
    Write-Step 'All tests passed'
}

# The ten slowest tests of the run, Pester's and xunit's together, so what dominates is in view.
function Write-SlowestTests([string] $PesterResults, [string[]] $Trx) {
    $tests = [Collections.Generic.List[object]]::new()
    foreach ($file in Get-ChildItem $PesterResults -Filter '*.xml' -ErrorAction Ignore) {
        foreach ($case in ([xml](Get-Content $file.FullName -Raw)).SelectNodes('//test-case')) {
            $tests.Add([pscustomobject]@{ Seconds = [double]$case.time; Test = "$($file.BaseName): $($case.name)" })
        }
    }
    foreach ($file in $Trx | Where-Object { $_ -and (Test-Path $_) }) {
        $document = [xml](Get-Content $file -Raw)
        foreach ($result in $document.GetElementsByTagName('UnitTestResult')) {
            $tests.Add([pscustomobject]@{ Seconds = [TimeSpan]::Parse($result.duration).TotalSeconds; Test = "xunit: $($result.testName)" })
        }
    }
    if ($tests.Count -eq 0) {
        return
    }
    Write-Step 'Slowest 10 tests'
    $tests | Sort-Object Seconds -Descending | Select-Object -First 10 | ForEach-Object {
        $name = if ($_.Test.Length -gt 110) { $_.Test.Substring(0, 109) + '…' } else { $_.Test }
        Write-Host ('    {0,6:N1} s  {1}' -f $_.Seconds, $name)
    }
}

# The failed tests again, last, with their messages: a CI log that keeps only its tail still
# says what failed and why.
function Write-FailedTests([string] $PesterResults, [string[]] $Trx) {
    Write-Step 'Failed tests'
    foreach ($file in Get-ChildItem $PesterResults -Filter '*.xml' -ErrorAction Ignore) {
        foreach ($case in ([xml](Get-Content $file.FullName -Raw)).SelectNodes("//test-case[@result='Failure']")) {
            Write-Host "    $($file.BaseName): $($case.name)"
            Write-FailureText "$($case.failure.message)`n$($case.failure.'stack-trace')"
        }
    }
    foreach ($file in $Trx | Where-Object { $_ -and (Test-Path $_) }) {
        foreach ($result in ([xml](Get-Content $file -Raw)).GetElementsByTagName('UnitTestResult')) {
            if ($result.outcome -eq 'Failed') {
                Write-Host "    xunit: $($result.testName)"
                Write-FailureText "$($result.Output.ErrorInfo.Message)`n$($result.Output.ErrorInfo.StackTrace)"
            }
        }
    }
}

function Write-FailureText([string] $Text) {
    $lines = @($Text -split '\r?\n' | Where-Object { $_.Trim() })
    $lines | Select-Object -First 25 | ForEach-Object { Write-Host "        $_" }
    if ($lines.Count -gt 25) {
        Write-Host "        … $($lines.Count - 25) more lines in output/test-results"
    }
}

function Invoke-Demo {
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -File (Join-Path $Root 'tools/demo.ps1') -ModulePath $ModuleOut
}

function Invoke-Bench {
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -File (Join-Path $Root 'bench/Invoke-Bench.ps1') -ModulePath $ModuleOut -Root $Root
}

function Invoke-Package {
    Write-Step 'Package'
    $repo = Join-Path $OutputRoot 'repository'
    New-Item -ItemType Directory -Force -Path $repo | Out-Null
    $nupkg = Join-Path $repo "MightyOps.$Version.nupkg"
    if (Test-Path $nupkg) {
        Remove-Item $nupkg
    }
    # A PowerShell module package is a zip of the module folder plus a nuspec, which is what
    # Publish-PSResource produces; build it directly so no PSGallery access is needed.
    $staging = Join-Path $OutputRoot 'package-staging'
    if (Test-Path $staging) {
        Remove-Item $staging -Recurse -Force
    }
    Copy-Item $ModuleOut $staging -Recurse
    $nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>MightyOps</id>
    <version>$Version</version>
    <authors>$($Manifest.Author)</authors>
    <description>$([Security.SecurityElement]::Escape($Manifest.Description))</description>
    <tags>PSModule $($Manifest.PrivateData.PSData.Tags -join ' ')</tags>
  </metadata>
</package>
"@
    Set-Content -Path (Join-Path $staging 'MightyOps.nuspec') -Value $nuspec -Encoding utf8NoBOM
    Compress-Archive -Path (Join-Path $staging '*') -DestinationPath ($nupkg -replace '\.nupkg$', '.zip') -Force
    Move-Item ($nupkg -replace '\.nupkg$', '.zip') $nupkg -Force
    Remove-Item $staging -Recurse -Force
    Write-Host "    $nupkg"
}

Push-Location $Root
try {
    foreach ($step in $Task) {
        switch ($step) {
            'Build' { Invoke-Build }
            'Docs' { Invoke-Docs }
            'Test' { Invoke-Build; Invoke-Test }
            'Demo' { Invoke-Build; Invoke-Demo }
            'Bench' { Invoke-Build; Invoke-Bench }
            'Package' { Invoke-Build; Invoke-Package }
        }
    }
}
finally {
    Pop-Location
}
