# Part of tools/demo.ps1 (dot-sourced first): how the demo prints. Colour follows
# $PSStyle.OutputRendering as PowerShell's own formatting does: Ansi always colours, PlainText
# never, Host only on a terminal. The demo prints through the host (Out-Host, Write-Host), which
# PowerShell's Host rendering takes for a terminal even when the process's output goes to a file
# or a pipe (build.ps1 -Task Demo > demo.txt), so for Host the demo looks itself and switches to
# PlainText: tables, errors and the demo's own headings are then written without escape codes.
if ($PSStyle.OutputRendering -eq 'Host' -and [Console]::IsOutputRedirected) {
    $PSStyle.OutputRendering = 'PlainText'
}

# One line of the demo's own text, in $Color unless the output is plain text.
function Write-DemoLine {
    param([string] $Text, [ConsoleColor] $Color)
    if (-not $PSBoundParameters.ContainsKey('Color') -or $PSStyle.OutputRendering -eq 'PlainText') {
        Write-Host $Text
    }
    else {
        Write-Host ($PSStyle.Foreground.FromConsoleColor($Color) + $Text + $PSStyle.Reset)
    }
}

# A step: its title, the command as typed at a prompt, then what the command printed.
function Show-Step {
    param([string] $Title, [scriptblock] $Command)
    Write-DemoLine ''
    Write-DemoLine "### $Title" -Color Cyan
    Write-DemoLine ("PS> " + $Command.ToString().Trim()) -Color Yellow
    & $Command | Out-Host
}
