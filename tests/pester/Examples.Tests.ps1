# Every example of README.md and of the cmdlet help (docs/<Verb-Noun>.md) runs as printed against
# the demo sandbox, after the setup README.md tells a user to do (. ./tools/sandbox-examples.ps1),
# or says on its first line what else it needs. The conventions are docs/design/help-examples.md.
# The examples run in fresh pwsh processes (ExampleRunner.ps1): one session with the setup for
# most of them, in page order; a session each, with nothing set up, for those that start their
# own sandbox; a tmux pane for those that need a terminal. HOME is a temporary folder, so the SSH
# rig's host keys go to a known_hosts of their own.

BeforeDiscovery {
    . $PSScriptRoot/Examples.ps1
    $examples = @(Get-DocExample -Root (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path |
            ForEach-Object { @{ Example = $_; Id = $_.Id; Kind = $_.Kind } })
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/Examples.ps1
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:all = @(Get-DocExample -Root $script:root)
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-examples-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $script:homeFolder = Join-Path $script:work 'home'
    New-Item -ItemType Directory -Path $script:homeFolder | Out-Null
    $pester = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
    $script:results = @{}
    $script:clock = [Diagnostics.Stopwatch]::StartNew()

    # Runs the runner in a fresh pwsh whose HOME is a temporary folder; returns its results.
    function script:Invoke-ExampleRunner([string] $Mode, [object[]] $Examples) {
        if ($Examples.Count -eq 0) { return @() }
        $examplesPath = Join-Path $script:work "$Mode.examples.xml"
        $resultsPath = Join-Path $script:work "$Mode.results.xml"
        $Examples | Export-Clixml -Path $examplesPath
        $pwsh = Get-FreshPwsh
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'ExampleRunner.ps1'),
            '-ExamplesPath', $examplesPath, '-ResultsPath', $resultsPath, '-Mode', $Mode, '-Root', $script:root,
            '-ModuleManifest', $script:ModuleManifest, '-PesterManifest', $pester)
        # Output to files, not pipes: the sshd and redis-server the setup starts would hold a pipe open.
        $stdout = Join-Path $script:work "$Mode.stdout.txt"
        $stderr = Join-Path $script:work "$Mode.stderr.txt"
        $process = Start-Process -FilePath $pwsh[0] -ArgumentList ($arguments | ForEach-Object { "`"$_`"" }) -Environment @{ HOME = $script:homeFolder } `
            -RedirectStandardOutput $stdout -RedirectStandardError $stderr -NoNewWindow -PassThru
        if (-not $process.WaitForExit([timespan]::FromMinutes(10))) {
            Stop-Process -Id $process.Id -Force
            throw "The example runner ($Mode) did not finish within 10 minutes:`n$(Get-Content $stdout -Raw)`n$(Get-Content $stderr -Raw)"
        }
        if ($process.ExitCode -ne 0 -or -not (Test-Path $resultsPath)) {
            throw "The example runner ($Mode) failed (exit $($process.ExitCode)):`n$(Get-Content $stdout -Raw)`n$(Get-Content $stderr -Raw)"
        }
        Import-Clixml $resultsPath
    }

    foreach ($result in Invoke-ExampleRunner Setup @($script:all | Where-Object Kind -In 'Setup', 'UntilStop', 'Script')) {
        $script:results[$result.Id] = $result
    }
    $setupSeconds = $script:clock.Elapsed.TotalSeconds
    foreach ($result in Invoke-ExampleRunner Own @($script:all | Where-Object Kind -In 'Own', 'Pester')) {
        $script:results[$result.Id] = $result
    }
    $ownSeconds = $script:clock.Elapsed.TotalSeconds - $setupSeconds

    # Examples that need a terminal: typed into pwsh in a tmux pane (a terminal of its own), as a
    # user types them; when the container's shell prompt appears, 'exit' is typed.
    $script:TmuxSocket = Join-Path $script:work 'tmux.sock'
    $script:TmuxSession = 'examples'
    . $PSScriptRoot/TmuxPane.ps1
    # The prompt, alone on the pane's last line: the line typed before it has finished.
    function script:Wait-Prompt { Wait-Pane '(?s)(^|\n)PS [^\n>]*> ?\s*$' -Seconds 60 | Out-Null }
    function script:Invoke-InTerminal([object[]] $Examples, [switch] $WithSetup) {
        if ($Examples.Count -eq 0) { return }
        $pwsh = (Get-FreshPwsh) -join ' '
        Invoke-Tmux kill-session -t examples 2>$null
        Invoke-Tmux -f /dev/null new-session -d -s examples -x 200 -y 50 -c $script:root "env HOME='$($script:homeFolder)' $pwsh -NoProfile -NoLogo"
        Invoke-Tmux set-option -g status off
        try {
            Wait-Prompt
            Send-Line "Import-Module '$($script:ModuleManifest)'"
            Wait-Prompt
            if ($WithSetup) {
                Send-Line '. ./tools/sandbox-examples.ps1'
                Wait-Pane 'Stop-SandboxExamples cleans up\.' -Seconds 60 | Out-Null
                Wait-Prompt
            }
            foreach ($example in $Examples) {
                Send-Line '$Error.Clear(); Clear-Host'
                Wait-Prompt
                foreach ($line in $example.Code -split "`n" | Where-Object { $_.Trim() -and $_.Trim() -notlike '#*' }) {
                    Send-Line $line
                    if ($line -match '\bEnter-MightyContainer\b') {
                        # The container's shell (bash run by the rig's docker stand-in).
                        Wait-Pane '(?m)^\S+@\S+:.*[#$] $' | Out-Null
                        Send-Line 'echo "in=$RAILS_ENV"'
                        Wait-Pane '(?m)^in=production$' | Out-Null
                        Send-Line 'exit'
                    }
                    Wait-Prompt
                }
                Send-Line '"EXAMPLE-DONE errors=$($Error.Count) exit=$LASTEXITCODE"; $Error | ForEach-Object { "ERROR $($_.FullyQualifiedErrorId): $_" }'
                $text = Wait-Pane '(?m)^EXAMPLE-DONE errors=\d+ exit=\d*'
                Wait-Prompt
                $text = Get-Pane
                $done = [regex]::Match($text, '(?m)^EXAMPLE-DONE errors=(\d+) exit=(\d*)')
                $script:results[$example.Id] = [pscustomobject]@{
                    Id = $example.Id
                    Output = $text
                    Errors = @([regex]::Matches($text, '(?m)^ERROR ([^:]+): (.*)$') | ForEach-Object { @{ Id = $_.Groups[1].Value; Command = $null; Message = $_.Groups[2].Value } })
                    Warnings = @()
                    Terminating = $null
                    ExitCode = if ($done.Groups[2].Value) { [int] $done.Groups[2].Value } else { 0 }
                    Stopped = $false
                    Seconds = $null
                }
            }
            if ($WithSetup) {
                Send-Line 'Stop-SandboxExamples'
                Wait-Prompt
            }
        }
        catch {
            foreach ($example in $Examples) {
                if (-not $script:results.ContainsKey($example.Id)) {
                    $script:results[$example.Id] = [pscustomobject]@{ Id = $example.Id; Output = (Get-Pane); Errors = @(); Warnings = @(); ExitCode = 0; Stopped = $false
                        Terminating = @{ Id = 'TerminalSessionFailed'; Command = $null; Message = "$_" } }
                }
            }
        }
        finally {
            Invoke-Tmux kill-server 2>$null
        }
    }
    $terminal = @($script:all | Where-Object Kind -EQ 'Terminal')
    Invoke-InTerminal @($terminal | Where-Object { -not $_.Starts })  -WithSetup
    Invoke-InTerminal @($terminal | Where-Object Starts)
    $script:clock.Stop()
    Write-Host ("Examples: {0} found, {1} run in {2:0} s (after the setup {3:0} s, in sessions of their own {4:0} s, in a terminal {5:0} s)." -f
        $script:all.Count, ($script:results.Count - 1), $script:clock.Elapsed.TotalSeconds, $setupSeconds, $ownSeconds, ($script:clock.Elapsed.TotalSeconds - $setupSeconds - $ownSeconds))
}

AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Examples of README.md and of the help' {
    It 'finds the examples of README.md and of every cmdlet page' {
        $script:all.Count | Should -BeGreaterThan 60
        @($script:all | Where-Object File -EQ 'README.md').Count | Should -BeGreaterThan 10
        $pages = Get-ChildItem (Join-Path $script:root 'docs') -Filter '*-*.md' | ForEach-Object { "docs/$($_.Name)" }
        @($pages | Where-Object { $_ -notin $script:all.File }) | Should -BeNullOrEmpty -Because 'every cmdlet page has examples'
        @($script:all | Where-Object { $_.ParseErrors.Count }) | ForEach-Object { "$($_.Id): $($_.ParseErrors -join '; ')" } | Should -BeNullOrEmpty
    }

    It '<Id> (<Kind>)' -ForEach $examples {
        switch ($Kind) {
            'Needs' {
                $Example.Need | Should -BeIn $script:ExampleNeeds -Because "'# Needs <what>: <why>' names one of the needs of docs/design/help-examples.md"
                $Example.Why | Should -Not -BeNullOrEmpty
                return
            }
            'Data' {
                # README's mighty.psd1 is the one the setup puts in the application's repository,
                # so every example that relies on it relies on what README shows.
                $Example.FileName | Should -Be 'mighty.psd1'
                $Example.Code.Trim() | Should -BeExactly $script:results['(setup)'].Config.Trim()
                return
            }
            'SetupItself' {
                $script:results['(setup)'].Location | Should -Not -BeNullOrEmpty -Because 'the runner ran this setup (. ./tools/sandbox-examples.ps1) first'
                return
            }
        }
        $result = $script:results[$Id]
        $result | Should -Not -BeNullOrEmpty -Because 'every runnable example is run'
        $problems = @(
            foreach ($record in $result.Errors) {
                if (-not (Test-ExampleShowsError $Example.Output $record)) { "error $($record.Id): $($record.Message)" }
            }
            if ($result.Terminating -and -not (Test-ExampleShowsError $Example.Output $result.Terminating)) {
                "ended with $($result.Terminating.Id): $($result.Terminating.Message)"
            }
            if ($result.ExitCode) { "the last native command exited with $($result.ExitCode)" }
            if ($Kind -eq 'UntilStop' -and -not ($result.Stopped -and $result.Output.Trim())) { 'it was to run until Ctrl+C, writing as it goes, but it ended or wrote nothing' }
        )
        $tail = ($result.Output -split "`n" | Select-Object -Last 15) -join "`n"
        $problems | Should -BeNullOrEmpty -Because "$($Example.File) line $($Example.Line) runs as printed (its output block shows any error it means to write). It wrote:`n$tail"
    }
}
