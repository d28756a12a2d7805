# Enter-MightyContainer in a real terminal: pwsh runs in tmux against the real sshd of the test rig
# (tests/pester/SshRig.ps1); the test types into the pane and reads it back.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/SshRig.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
    $script:keys = New-SshRigKeys
    $script:rig = Start-SshRig -Keys $keys -SandboxEndpoint $sandbox.Endpoint
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-tmux-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    # A private tmux server (its own socket) that inherits this process's environment: the
    # sandbox's endpoint and keys set by Start-MightySandbox.
    $script:TmuxSocket = Join-Path $work 'tmux.sock'
    $script:TmuxSession = 'mighty'
    $env:HOME_FOR_PANE = $work
    . $PSScriptRoot/TmuxPane.ps1
}

AfterAll {
    Invoke-Tmux kill-server 2>$null
    Stop-SshRig $script:rig
    Remove-Item $script:keys.Folder, $script:work -Recurse -Force -ErrorAction SilentlyContinue
    Stop-MightySandbox
}

Describe 'Enter-MightyContainer' {
    It 'opens a real terminal in the container: keys, history, Ctrl+C, resize, Ctrl+D, and the local terminal afterwards' {
        $pwsh = (Get-FreshPwsh) -join ' '
        Invoke-Tmux -f /dev/null new-session -d -s mighty -x 100 -y 30 "$pwsh -NoProfile -NoLogo"
        Invoke-Tmux set-option -g status off
        Wait-Pane '(?m)^PS .*> ?$' | Out-Null

        $user = [Environment]::UserName
        Send-Line "`$env:HOME = '$work'; Import-Module '$($script:ModuleManifest)'; Enter-MightyContainer -Cluster production -Service API application -KeyFilePath '$($keys.Ed25519)' -Port $($rig.Port) -User $user"
        # The container's bash (the rig's stand-in runs it with the container's environment).
        Wait-Pane '(?m)^\S+@\S+:.*[#$] $' | Out-Null
        Send-Line "PS1='in-container> '"
        Wait-Pane '(?m)^in-container> $' | Out-Null

        Send-Line 'echo "env=$RAILS_ENV"'
        Wait-Pane '(?m)^env=production$' | Out-Null

        # Arrow-up recalls the last command from bash's history: the raw escape sequence arrived.
        Invoke-Tmux send-keys -t mighty Up
        Invoke-Tmux send-keys -t mighty Enter
        Wait-Pane '(?s)env=production.*env=production' | Out-Null

        # Ctrl+C interrupts sleep in the container, not the session.
        $started = [DateTime]::UtcNow
        Send-Line 'sleep 30'
        Wait-Pane '(?m)^in-container> sleep 30$' | Out-Null
        Invoke-Tmux send-keys -t mighty C-c
        Send-Line 'echo "alive=$((40+2))"'
        Wait-Pane '(?m)^alive=42$' -Seconds 20 | Out-Null
        ([DateTime]::UtcNow - $started).TotalSeconds | Should -BeLessThan 30

        # The remote pty follows the window.
        Send-Line 'stty size'
        Wait-Pane '(?m)^30 100$' | Out-Null
        Invoke-Tmux resize-window -t mighty -x 120 -y 40
        Send-Line 'stty size'
        Wait-Pane '(?m)^40 120$' | Out-Null

        # Ctrl+D ends bash, the session, and the cmdlet; pwsh reads keys normally again.
        Invoke-Tmux send-keys -t mighty C-d
        Wait-Pane '(?s)\nexit\s*\nPS [^\n]*>' | Out-Null
        Send-Line "'back' + 'home:' + `$LASTEXITCODE"
        Wait-Pane '(?m)^backhome:0$' | Out-Null
        Send-Line "(& stty -a) -match ' icanon ' -and (& stty -a) -match ' echo '"
        Wait-Pane '(?m)^True$' | Out-Null
    }

    It 'refuses a wildcard that matches several services, naming them (ServiceAmbiguous)' {
        $pwsh = (Get-FreshPwsh) -join ' '
        Invoke-Tmux kill-session -t mighty 2>$null
        Invoke-Tmux -f /dev/null new-session -d -s mighty -x 160 -y 30 "$pwsh -NoProfile -NoLogo"
        try {
            Wait-Pane '(?m)^PS .*> ?$' | Out-Null
            Send-Line "Import-Module '$($script:ModuleManifest)'; try { Enter-MightyContainer -Cluster production -Service '*_web_scrape' -KeyFilePath '$($keys.Ed25519)' -Port $($rig.Port) -ErrorAction Stop } catch { 'id=' + `$_.FullyQualifiedErrorId; 'says=' + `$_ }"
            $text = Wait-Pane '(?m)^says='
            $text | Should -Match '(?m)^id=ServiceAmbiguous,'
            $text | Should -Match 'production/android_web_scrape, production/ios_web_scrape'
        }
        finally { Invoke-Tmux kill-session -t mighty }
    }

    It 'refuses without a terminal and points to Invoke-MightyContainer' {
        $outcome = Invoke-InFreshPwsh -ArgumentList $sandbox.Endpoint -ScriptBlock {
            param($endpoint)
            try { Enter-MightyContainer -EndpointUrl $endpoint -Cluster production -Service API -ErrorAction Stop; 'no error' }
            catch { $_.FullyQualifiedErrorId; $_.ToString() }
        }
        $outcome[0] | Should -BeLike 'TerminalRequired,*'
        $outcome[1] | Should -Match 'Invoke-MightyContainer'
    }
}
