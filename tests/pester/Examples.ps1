# Dot-sourced by Examples.Tests.ps1 and ExampleRunner.ps1: finds the examples of README.md and of
# the cmdlet help (docs/<Verb-Noun>.md, the '## EXAMPLES' section) and reads how each is to be run,
# by the conventions of docs/design/help-examples.md.

# What a '# Needs <what>: <why>' first line may name. A terminal is given by the test (tmux); the
# rest are not run.
$script:ExampleNeeds = @('a real AWS account', 'AWS.Tools.ECS', 'AWS.Tools.Common', 'a terminal')

<#
Returns one object per ```powershell block: Id, File (relative), Line, Code, Output (the text of
an ```output block right after it, or $null) and Kind:
  Setup     runs after tools/sandbox-examples.ps1, in the application's repository it makes
  Own       starts its own sandbox (Start-MightySandbox): runs alone in a fresh pwsh from the repository's root
  UntilStop '# Runs until Ctrl+C': runs, then is stopped as Ctrl+C stops it
  Terminal  '# Needs a terminal: ...': typed into a terminal (tmux), after the setup unless it is also Own
  Script    '# <name>.ps1 ...': saved under that name and run as a script, after the setup
  Pester    '# <name>.Tests.ps1 ...': saved under that name and run with Invoke-Pester in a fresh pwsh
  Data      '# <name>.psd1 ...': a file's content, not a command
  Needs     '# Needs <what>: <why>' for anything but a terminal: not run
  SetupItself  the setup (. ./tools/sandbox-examples.ps1): what the test runs before the Setup examples
plus Need/Why for the markers, FileName for Script/Pester/Data and Starts (the example starts its
own sandbox).
#>
function Get-DocExample {
    param([Parameter(Mandatory)] [string] $Root)
    $pages = @(Get-Item (Join-Path $Root 'README.md')) + @(Get-ChildItem (Join-Path $Root 'docs') -Filter '*-*.md' | Sort-Object Name)
    foreach ($page in $pages) {
        $relative = [IO.Path]::GetRelativePath($Root, $page.FullName) -replace '\\', '/'
        $isHelp = $relative -ne 'README.md'
        $lines = Get-Content $page.FullName
        $inExamples = -not $isHelp
        $exampleTitle = $null
        $blocks = [Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($line -match '^## ') { $inExamples = -not $isHelp -or $line -match '^## EXAMPLES\s*$' }
            if ($line -match '^### (Example \d+)') { $exampleTitle = $Matches[1] }
            if ($line -match '^```(\w*)\s*$') {
                $language = $Matches[1]
                $start = $i + 1
                $body = [Collections.Generic.List[string]]::new()
                for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$'; $i++) { $body.Add($lines[$i]) }
                if ($inExamples) {
                    $blocks.Add([pscustomobject]@{ Language = $language; Line = $start; EndLine = $i + 1; Text = $body -join "`n"; Title = $exampleTitle })
                }
            }
        }
        $number = 0
        for ($b = 0; $b -lt $blocks.Count; $b++) {
            $block = $blocks[$b]
            if ($block.Language -ne 'powershell') { continue }
            $number++
            $output = $null
            if ($b + 1 -lt $blocks.Count -and $blocks[$b + 1].Language -eq 'output') {
                $between = $lines[($block.EndLine)..($blocks[$b + 1].Line - 2)] -join ''
                if ($between.Trim().Length -eq 0) { $output = $blocks[$b + 1].Text }
            }
            $id = if ($isHelp) { "$([IO.Path]::GetFileNameWithoutExtension($page.Name)) $($block.Title)" } else { "README.md line $($block.Line)" }
            New-DocExample -Id $id -File $relative -Line $block.Line -Code $block.Text -Output $output
        }
    }
}

function New-DocExample {
    param([string] $Id, [string] $File, [int] $Line, [string] $Code, [AllowNull()] [string] $Output)
    $first = ($Code -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
    $first = if ($first) { $first.Trim() } else { '' }
    $tokens = $null
    $errors = $null
    $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
    $starts = [bool] $ast.Find({ param($node) $node -is [Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'Start-MightySandbox' }, $true)
    $kind = 'Setup'
    if ($Code -match '(?m)^\. \./tools/sandbox-examples\.ps1\s*$') { $kind = 'SetupItself' }
    $need = $null
    $why = $null
    $fileName = $null
    if ($first -match '^# Needs (?<need>[^:]+): (?<why>\S.*)$') {
        $need = $Matches.need
        $why = $Matches.why
        $kind = if ($need -eq 'a terminal') { 'Terminal' } else { 'Needs' }
    }
    elseif ($first -match '^# Runs until Ctrl\+C\b') {
        $kind = 'UntilStop'
    }
    elseif ($first -match '^# (?<file>[\w.-]+\.(?:ps1|psd1))\b') {
        $fileName = $Matches.file
        $kind = if ($fileName -like '*.Tests.ps1') { 'Pester' } elseif ($fileName -like '*.psd1') { 'Data' } else { 'Script' }
    }
    elseif ($starts) {
        $kind = 'Own'
    }
    [pscustomobject]@{
        Id = $Id
        File = $File
        Line = $Line
        Code = $Code
        Output = $Output
        Kind = $kind
        Need = $need
        Why = $why
        FileName = $fileName
        Starts = $starts
        ParseErrors = @($errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" })
    }
}

# True when the example's output block shows an error it wrote: by its id, or as PowerShell prints
# it, '<command>: ' and the first word of its message.
function Test-ExampleShowsError {
    param([AllowNull()] [string] $Output, [Parameter(Mandatory)] [hashtable] $ErrorRecord)
    if (-not $Output) { return $false }
    $errorId = ($ErrorRecord.Id -split ',')[0]
    if ($errorId -and $Output.Contains($errorId)) { return $true }
    $firstWord = ($ErrorRecord.Message.Trim() -split '\s+')[0]
    return [bool] ($ErrorRecord.Command -and $firstWord -and $Output -match ('(?m)^' + [regex]::Escape("$($ErrorRecord.Command): $firstWord")))
}
