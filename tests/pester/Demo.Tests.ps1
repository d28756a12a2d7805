# The demo's printer (tools/demo-output.ps1) follows $PSStyle.OutputRendering: a demo sent to a
# file or a pipe is plain text, with no escape codes; asked for Ansi it keeps its colours.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:tools = Join-Path (Split-Path (Split-Path $PSScriptRoot -Parent) -Parent) 'tools'

    # A fresh pwsh runs a demo step (a heading, a table, an error, a note) with its output
    # redirected to a file, as `build.ps1 -Task Demo > demo.txt` does; returns what the file holds.
    function Invoke-DemoStep([string] $Prelude = '') {
        $work = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $work | Out-Null
        $script = Join-Path $work 'step.ps1'
        @"
$Prelude
. '$(Join-Path $script:tools 'demo-output.ps1')'
Show-Step 'Every service, as a table' {
    [pscustomobject]@{ Service = 'WEB'; Tasks = '2/2' } | Format-Table
    Write-Error 'a failure shown by the step' -ErrorAction Continue
}
Write-DemoLine '(a note)' -Color DarkYellow
"@ | Set-Content -Path $script -Encoding utf8NoBOM
        $out = Join-Path $work 'out.txt'
        $pwsh = Get-FreshPwsh
        & /bin/sh -c 'out="$1"; shift; exec "$@" > "$out" 2>&1' sh $out @pwsh -NoProfile -NonInteractive -File $script
        [IO.File]::ReadAllText($out)
    }
}

Describe 'The demo''s output' {
    It 'is plain text when it goes to a file' {
        $text = Invoke-DemoStep
        $text.Contains([char]0x1b) | Should -BeFalse -Because 'no escape code reaches the file'
        $text | Should -Match '### Every service, as a table'
        $text | Should -Match 'PS> \[pscustomobject\]'
        $text | Should -Match '(?m)^Service\s+Tasks'
        $text | Should -Match 'a failure shown by the step'
        $text | Should -Match '\(a note\)'
    }

    It 'keeps its colours when OutputRendering is Ansi (so the check above can fail)' {
        $text = Invoke-DemoStep -Prelude '$PSStyle.OutputRendering = ''Ansi'''
        $text | Should -Match "`e\[[0-9;]*m### Every service"
        $text | Should -Match "`e\[32;1mService"
    }

    It 'prints every heading and note through the printer' {
        $scripts = Get-ChildItem $script:tools -Filter 'demo*.ps1'
        $scripts.Count | Should -BeGreaterThan 4
        foreach ($file in $scripts) {
            Get-Content -Raw $file.FullName | Should -Not -Match '-ForegroundColor' -Because "$($file.Name) colours only through Write-DemoLine"
        }
        Get-Content -Raw (Join-Path $script:tools 'demo.ps1') | Should -Match "\. \(Join-Path \`$PSScriptRoot 'demo-output\.ps1'\)"
    }
}
