# Dot-sourced by tests that type into a real terminal: pwsh (or anything) in a pane of a private
# tmux server. The test file sets $script:TmuxSocket (the server's socket, so it is its own server)
# and $script:TmuxSession (the session whose pane is read and typed into).

function Invoke-Tmux { & tmux -S $script:TmuxSocket @args }

# The pane's text, with the scrollback (lines joined as they were written).
function Get-Pane { (Invoke-Tmux capture-pane -p -J -S -2000 -t $script:TmuxSession) -join "`n" }

# Waits (polling the pane, at most $Seconds) until its text matches $Pattern; returns the text.
function Wait-Pane {
    param([string] $Pattern, [int] $Seconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    do {
        $text = Get-Pane
        if ($text -match $Pattern) { return $text }
        Start-Sleep -Milliseconds 100
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "The pane never showed /$Pattern/ within $Seconds s. It shows:`n$text"
}

# Types a line and waits (at most 10 s) until the pane shows it, so that what the test waits for
# next is an answer to this line.
function Send-Line([string] $Text) {
    $before = Get-Pane
    Invoke-Tmux send-keys -t $script:TmuxSession -l $Text
    Invoke-Tmux send-keys -t $script:TmuxSession Enter
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ((Get-Pane) -eq $before -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
}
