# Help as users meet it: every exported cmdlet has a docs/<Name>.md page, and Get-Help shows the
# MAML built from it (synopsis, description, examples with code, parameters that agree with the
# cmdlet's real metadata, one syntax per parameter set); about_MightyOps is there. Then the help
# builder itself (tools/HelpBuilder) on broken pages: it must fail and say where.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:cmdletNames = @((Get-Module MightyOps).ExportedCmdlets.Keys | Sort-Object)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:docsPath = Join-Path $script:repoRoot 'docs'
    $script:commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters

    # The text under '## <Section>' of a docs page, soft line breaks joined, markdown code marks removed.
    function Get-PageSection {
        param([string] $Path, [string] $Section)
        $text = Get-Content -Raw $Path
        $match = [regex]::Match($text, '(?ms)^## ' + [regex]::Escape($Section) + '\s*$(.*?)(?=^## |\z)')
        if (-not $match.Success) {
            return $null
        }
        ($match.Groups[1].Value -replace '`', '' -replace '\s+', ' ').Trim()
    }

    # 'named' or the 0-based position, as MAML writes it.
    function Format-Position([int] $Position) {
        if ($Position -eq [int]::MinValue) { 'named' } else { "$Position" }
    }

    # How help shows pipeline input for given binding flags: 'False', 'ByValue', 'ByPropertyName' or both.
    function Format-Pipeline([bool] $ByValue, [bool] $ByPropertyName) {
        $kinds = @()
        if ($ByPropertyName) { $kinds += 'ByPropertyName' }
        if ($ByValue) { $kinds += 'ByValue' }
        if ($kinds) { $kinds -join ', ' } else { 'False' }
    }

    function ConvertFrom-HelpPipeline([string] $Text) {
        Format-Pipeline ($Text -match 'ByValue') ($Text -match 'ByPropertyName')
    }

    # The parameters of a cmdlet that help must document: everything but the common parameters
    # (Get-Help adds those itself); -WhatIf and -Confirm are documented like platyPS does.
    # Parameters a user sees: not the common ones, and not those marked DontShow (a hidden
    # InputObject that only receives piped strings), which Get-Command's syntax hides too.
    function Test-Documentable($Parameter) {
        $Parameter.Name -notin $script:commonParameters -and
        -not ($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow })
    }

    function Get-DocumentableParameter([System.Management.Automation.CommandInfo] $Command) {
        @($Command.Parameters.Values | Where-Object { Test-Documentable $_ })
    }
}

Describe 'MightyOps help' {
    It 'has exported cmdlets to check' {
        (Get-Module MightyOps).ExportedCmdlets.Count | Should -BeGreaterThan 0
    }

    It 'has a cmdlet page in docs/ only for cmdlets the module exports' {
        $exported = @((Get-Module MightyOps).ExportedCmdlets.Keys)
        $orphans = @(Get-ChildItem $script:docsPath -Filter '*-*.md' |
                Where-Object { $_.BaseName -notin $exported } |
                ForEach-Object { "docs/$($_.Name)" })
        $orphans | Should -BeNullOrEmpty -Because 'a page for a command the module does not export is stale (or the manifest misses the cmdlet)'
    }

    It 'shows about_MightyOps with Get-Help' {
        $topic = Get-Help about_MightyOps | Out-String
        $topic | Should -Match '(?m)^TOPIC\s+about_MightyOps'
        $topic | Should -Match '(?m)^SHORT DESCRIPTION\s*\n\s+\S'
        $topic | Should -Match '(?m)^LONG DESCRIPTION\s*\n\s+\S'
        $shortDescription = Get-PageSection (Join-Path $script:docsPath 'about_MightyOps.md') 'SHORT DESCRIPTION'
        ($topic -replace '\s+', ' ') | Should -Match ([regex]::Escape($shortDescription))
    }

    It 'builds every docs/about_*.md into a topic Get-Help finds' {
        foreach ($page in Get-ChildItem $script:docsPath -Filter 'about_*.md') {
            $topic = Get-Help $page.BaseName
            $topic | Should -BeOfType ([string]) -Because "Get-Help $($page.BaseName) should show the topic built from docs/$($page.Name)"
            $topic | Should -Match "(?m)^\s+$([regex]::Escape($page.BaseName))\s*$"
        }
    }
}

Describe 'Help of <_>' -ForEach $cmdletNames {
    BeforeAll {
        $script:name = $_
        $script:page = Join-Path $script:docsPath "$($script:name).md"
        $script:command = Get-Command $script:name
        $script:help = Get-Help $script:name -Full
        $script:helpParameters = @($script:help.parameters.parameter | Where-Object { $_ })
    }

    It 'has a page docs/<_>.md' {
        $script:page | Should -Exist -Because "every exported cmdlet needs a help page; write docs/$($script:name).md (platyPS layout)"
    }

    It 'gets Get-Help from the MAML built from its page, not from generated syntax' {
        $script:help.PSObject.TypeNames | Should -Contain 'MamlCommandHelpInfo' -Because "$($script:name) should have help in en-US/MightyOps.dll-Help.xml"
        $script:help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($script:name))\s" -Because 'a synopsis that repeats the syntax is what Get-Help makes up when there is no help file'
        $script:help.Synopsis.Trim() | Should -BeExactly (Get-PageSection $script:page 'SYNOPSIS')
        ($script:help.description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "$($script:name) needs a DESCRIPTION"
    }

    It 'shows at least two examples with code in Get-Help -Examples' {
        $examples = @((Get-Help $script:name -Examples).examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2 -Because "$($script:name) needs two or more examples"
        $shown = Get-Help $script:name -Examples | Out-String -Width 200
        foreach ($example in $examples) {
            $example.title | Should -Match 'Example \d+' -Because "$($script:name) examples are titled 'Example N: ...'"
            $example.code | Should -Not -BeNullOrEmpty -Because "$($script:name) '$($example.title)' needs code"
            $firstLine = ($example.code -split "`n")[0].Trim()
            $shown | Should -Match ([regex]::Escape($firstLine)) -Because "Get-Help -Examples should print the code of '$($example.title)'"
            $shown | Should -Match ([regex]::Escape($example.title.Trim(' -')))
        }
    }

    It 'documents every parameter the cmdlet has' {
        $documented = @($script:helpParameters.name)
        $missing = @(Get-DocumentableParameter $script:command |
                Where-Object { $_.Name -notin $documented } |
                ForEach-Object { "$($script:name) -$($_.Name)" })
        $missing | Should -BeNullOrEmpty -Because "these parameters exist but docs/$($script:name).md has no '### -Name' section for them"

        $undescribed = @($script:helpParameters |
                Where-Object { -not ($_.description.Text -join '').Trim() } |
                ForEach-Object { "$($script:name) -$($_.name)" })
        $undescribed | Should -BeNullOrEmpty -Because 'every documented parameter needs a description'
    }

    It 'documents no parameter the cmdlet does not have' {
        $real = @((Get-DocumentableParameter $script:command).Name)
        $extra = @($script:helpParameters |
                Where-Object { $_.name -notin $real } |
                ForEach-Object { "$($script:name) -$($_.name)" })
        $extra | Should -BeNullOrEmpty -Because "docs/$($script:name).md documents parameters the cmdlet does not have (renamed or removed?)"
    }

    It 'documents type, aliases, required, position and pipeline input as the cmdlet declares them' {
        $problems = foreach ($parameter in Get-DocumentableParameter $script:command) {
            $doc = $script:helpParameters | Where-Object name -EQ $parameter.Name
            if (-not $doc) {
                continue
            }
            $label = "$($script:name) -$($parameter.Name)"
            $sets = @($parameter.ParameterSets.Values)

            $type = $parameter.ParameterType
            $docType = $doc.type.name
            if ($docType -notin @($type.Name, $type.FullName)) {
                "${label}: help says type '$docType', the cmdlet declares '$($type.Name)'"
            }

            $aliases = @($parameter.Aliases | Sort-Object)
            $docAliases = @(if ($doc.aliases -and $doc.aliases -ne 'none') { $doc.aliases -split ',\s*' | Sort-Object })
            if (($aliases -join ', ') -ne ($docAliases -join ', ')) {
                "${label}: help says aliases '$($docAliases -join ', ')', the cmdlet declares '$($aliases -join ', ')'"
            }

            # Where the metadata differs between parameter sets the PARAMETERS entry shows one of
            # them (platyPS does the same); the syntax test checks each set.
            $required = @($sets | ForEach-Object { "$($_.IsMandatory)".ToLowerInvariant() } | Select-Object -Unique)
            if ($doc.required -notin $required) {
                "${label}: help says required=$($doc.required), the cmdlet declares Mandatory=$($required -join '/')"
            }

            $position = @($sets | ForEach-Object { Format-Position $_.Position } | Select-Object -Unique)
            if ($doc.position -notin $position) {
                "${label}: help says position $($doc.position), the cmdlet declares $($position -join '/')"
            }

            $pipeline = @($sets | ForEach-Object { Format-Pipeline $_.ValueFromPipeline $_.ValueFromPipelineByPropertyName } | Select-Object -Unique)
            $docPipeline = ConvertFrom-HelpPipeline $doc.pipelineInput
            if ($docPipeline -notin $pipeline) {
                "${label}: help says pipeline input '$($doc.pipelineInput)', the cmdlet declares $($pipeline -join '/')"
            }

            $globbing = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            if ($doc.globbing -ne "$globbing".ToLowerInvariant()) {
                "${label}: help says wildcards=$($doc.globbing), the cmdlet's [SupportsWildcards] says $globbing"
            }
        }
        $problems | Should -BeNullOrEmpty -Because "docs/$($script:name).md must match the cmdlet's parameter metadata"
    }

    It 'shows one syntax per parameter set, with that set''s parameters, mandatory and positions' {
        $items = @($script:help.syntax.syntaxItem)
        $realSets = @($script:command.ParameterSets)
        $items.Count | Should -Be $realSets.Count -Because "$($script:name) has $($realSets.Count) parameter set(s): $($realSets.Name -join ', ')"

        $problems = foreach ($set in $realSets) {
            $real = @($set.Parameters | Where-Object { Test-Documentable $_ })
            $realNames = ($real.Name | Sort-Object) -join ','
            $item = $items | Where-Object { (@($_.parameter.name | Where-Object { $_ }) | Sort-Object) -join ',' -eq $realNames } | Select-Object -First 1
            if (-not $item) {
                "$($script:name) parameter set '$($set.Name)': no syntax shows exactly -$($real.Name -join ', -') (syntaxes shown: $(($items | ForEach-Object { '-' + ($_.parameter.name -join ' -') }) -join ' | '))"
                continue
            }
            foreach ($parameter in $real) {
                $doc = $item.parameter | Where-Object name -EQ $parameter.Name
                if ($doc.required -ne "$($parameter.IsMandatory)".ToLowerInvariant()) {
                    "$($script:name) -$($parameter.Name) in set '$($set.Name)': syntax says required=$($doc.required), the cmdlet declares Mandatory=$($parameter.IsMandatory)"
                }
                if ($doc.position -ne (Format-Position $parameter.Position)) {
                    "$($script:name) -$($parameter.Name) in set '$($set.Name)': syntax says position $($doc.position), the cmdlet declares $(Format-Position $parameter.Position)"
                }
                if ((ConvertFrom-HelpPipeline $doc.pipelineInput) -ne (Format-Pipeline $parameter.ValueFromPipeline $parameter.ValueFromPipelineByPropertyName)) {
                    "$($script:name) -$($parameter.Name) in set '$($set.Name)': syntax says pipeline input '$($doc.pipelineInput)', the cmdlet declares $(Format-Pipeline $parameter.ValueFromPipeline $parameter.ValueFromPipelineByPropertyName)"
                }
            }
        }
        $problems | Should -BeNullOrEmpty -Because "the SYNTAX and yaml 'Parameter Sets' of docs/$($script:name).md must match the cmdlet"

        $shown = (Get-Help $script:name | Out-String -Width 500) -replace '\s+', ' '
        foreach ($set in $realSets) {
            foreach ($parameter in $set.Parameters | Where-Object { Test-Documentable $_ }) {
                $shown | Should -Match "-$($parameter.Name)\b" -Because "Get-Help $($script:name) should show -$($parameter.Name) in its syntax"
            }
        }
    }
}

Describe 'HelpBuilder' {
    BeforeAll {
        $builderProject = Join-Path $script:repoRoot 'tools/HelpBuilder/HelpBuilder.csproj'
        $script:builder = Join-Path $script:repoRoot 'tools/HelpBuilder/bin/Release/net10.0/HelpBuilder.dll'
        if (-not (Test-Path $script:builder)) {
            # build.ps1's Docs step builds it; this covers running the tests on their own.
            & dotnet build $builderProject -c Release --nologo -v quiet | Out-Null
        }
        $script:validPage = Get-Content -Raw (Join-Path $script:docsPath 'Stop-MightySandbox.md')
        $script:setSamplePage = @'
---
external help file: MightyOps.dll-Help.xml
Module Name: MightyOps
online version: https://example.com/set-sample
schema: 2.0.0
---

# Set-Sample

## SYNOPSIS
Sets a sample.

## SYNTAX

### ByName (Default)
```
Set-Sample [-Name] <String> [-Force] [-Mode <String>] [<CommonParameters>]
```

### ById
```
Set-Sample [-Id] <Int32> [-Force] [-Mode <String>] [<CommonParameters>]
```

## DESCRIPTION
Sets a sample by name or id.

## EXAMPLES

### Example 1: By name
```powershell
Set-Sample -Name a
```

Sets a.

### Example 2: By id
```powershell
Set-Sample 42
```

Sets 42.

## PARAMETERS

### -Name
The name.

```yaml
Type: String
Parameter Sets: ByName
Aliases:

Required: True
Position: 0
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Id
The id.

```yaml
Type: Int32
Parameter Sets: ById
Aliases:

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: False
```

### -Force
Forces it.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Mode
The mode.

```yaml
Type: String
Parameter Sets: (All)
Aliases:
Accepted values: Fast, Slow

Required: False
Position: Named
Default value: Fast
Accept pipeline input: False
Accept wildcard characters: False
```

### CommonParameters
Common.

## INPUTS

### System.Int32

## OUTPUTS

### None

## NOTES

## RELATED LINKS

[Docs](https://example.com/more)
'@

        # Runs the builder on one page (plus optional extra pages) in a fresh folder; returns exit code, output and what it wrote.
        function Invoke-HelpBuilder {
            param([string] $PageName = 'Stop-MightySandbox.md', [string] $Text, [hashtable] $ExtraPages = @{}, [switch] $CheckOnly)
            $work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-help-' + [guid]::NewGuid().ToString('n'))
            $docs = New-Item -ItemType Directory -Path (Join-Path $work 'docs')
            $out = Join-Path $work 'en-US'
            Set-Content -Path (Join-Path $docs $PageName) -Value $Text -NoNewline -Encoding utf8NoBOM
            foreach ($extra in $ExtraPages.GetEnumerator()) {
                Set-Content -Path (Join-Path $docs $extra.Key) -Value $extra.Value -NoNewline -Encoding utf8NoBOM
            }
            $arguments = @('--docs', $docs.FullName, '--module-name', 'MightyOps', '--assembly', 'MightyOps.dll')
            $arguments += if ($CheckOnly) { '--check-only' } else { @('--out', $out) }
            $output = & dotnet $script:builder @arguments 2>&1 | ForEach-Object { "$_" }
            $result = [pscustomobject]@{
                ExitCode = $LASTEXITCODE
                Output   = $output -join "`n"
                Written  = @(if (Test-Path $out) { Get-ChildItem $out | ForEach-Object Name })
                Maml     = $null
                Topics   = @{}
            }
            foreach ($topic in @(if (Test-Path $out) { Get-ChildItem $out -Filter 'about_*.help.txt' })) {
                $result.Topics[$topic.Name] = Get-Content -Raw $topic.FullName
            }
            $mamlFile = Join-Path $out 'MightyOps.dll-Help.xml'
            if (Test-Path $mamlFile) {
                $result.Maml = [xml](Get-Content -Raw $mamlFile)
            }
            Remove-Item $work -Recurse -Force
            $result
        }

        # The 1-based line of the first line of $Text that matches $Pattern.
        function Get-LineNumber([string] $Text, [string] $Pattern) {
            $lines = $Text -split "`n"
            for ($i = 0; $i -lt $lines.Count; $i++) {
                if ($lines[$i] -match $Pattern) { return $i + 1 }
            }
            throw "No line matches $Pattern"
        }
    }

    It 'writes MAML in platyPS''s structure and namespaces for a valid page' {
        $result = Invoke-HelpBuilder -Text $script:validPage
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Written | Should -Be @('MightyOps.dll-Help.xml')
        $root = $result.Maml.DocumentElement
        $root.LocalName | Should -Be 'helpItems'
        $root.NamespaceURI | Should -Be 'http://msh'
        $root.GetAttribute('schema') | Should -Be 'maml'
        $ns = [System.Xml.XmlNamespaceManager]::new($result.Maml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        $command = $root.SelectSingleNode('command:command', $ns)
        $command.SelectSingleNode('command:details/command:name', $ns).InnerText | Should -Be 'Stop-MightySandbox'
        $command.SelectSingleNode('command:details/command:verb', $ns).InnerText | Should -Be 'Stop'
        $command.SelectSingleNode('command:details/command:noun', $ns).InnerText | Should -Be 'MightySandbox'
        $command.SelectSingleNode('command:details/maml:description/maml:para', $ns).InnerText | Should -BeLike 'Stops sandboxes*'
        # get_Name(): PowerShell's XML adapter would return the <command:name> child for .Name.
        @($command.ChildNodes | ForEach-Object { $_.get_Name() }) | Should -Be @(
            'command:details', 'maml:description', 'command:syntax', 'command:parameters', 'command:inputTypes',
            'command:returnValues', 'maml:alertSet', 'command:examples', 'command:relatedLinks')
        $sandbox = $command.SelectSingleNode("command:syntax/command:syntaxItem/command:parameter[maml:name='Sandbox']", $ns)
        $sandbox.GetAttribute('position') | Should -Be '0'
        $sandbox.GetAttribute('pipelineInput') | Should -Be 'True (ByValue)'
        $whatIf = $command.SelectSingleNode("command:syntax/command:syntaxItem/command:parameter[maml:name='WhatIf']", $ns)
        $whatIf.SelectSingleNode('command:parameterValue', $ns) | Should -BeNullOrEmpty -Because 'a switch in syntax has no value, so Get-Help shows [-WhatIf]'
        $whatIf.GetAttribute('aliases') | Should -Be 'wi'
        $title = $command.SelectSingleNode('command:examples/command:example/maml:title', $ns).InnerText
        $title | Should -Match '^-+ Example 1: .+ -+$'
        $title.Length | Should -BeIn 63, 64
    }

    It 'builds a syntax per parameter set that Get-Help shows, with accepted values and the online link' {
        # A function with two parameter sets reads the built MAML through .EXTERNALHELP, so this is
        # Get-Help's own rendering of what the builder wrote.
        $docs = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'sets/docs')
        $out = Join-Path $TestDrive 'sets/en-US'
        Set-Content -Path (Join-Path $docs 'Set-Sample.md') -Value $script:setSamplePage -NoNewline -Encoding utf8NoBOM
        $output = & dotnet $script:builder --docs $docs.FullName --out $out --module-name MightyOps --assembly MightyOps.dll 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $maml = Join-Path $out 'MightyOps.dll-Help.xml'
        . ([scriptblock]::Create(@"
function Set-Sample {
    <#
    .EXTERNALHELP $maml
    #>
    [CmdletBinding(DefaultParameterSetName = 'ByName')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByName')] [string] `$Name,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ById', ValueFromPipeline)] [int] `$Id,
        [switch] `$Force,
        [ValidateSet('Fast', 'Slow')] [string] `$Mode
    )
}
"@))
        $help = Get-Help Set-Sample -Full
        $help.Synopsis | Should -Be 'Sets a sample.'
        $syntax = ($help.syntax | Out-String -Width 200) -split "`n" | ForEach-Object Trim | Where-Object { $_ }
        $syntax | Should -Be @(
            'Set-Sample [-Name] <String> [-Force] [-Mode {Fast | Slow}] [<CommonParameters>]'
            'Set-Sample [-Id] <Int32> [-Force] [-Mode {Fast | Slow}] [<CommonParameters>]')
        ($help.parameters.parameter | Where-Object name -EQ 'Id').pipelineInput | Should -Be 'True (ByValue)'
        ($help.parameters.parameter | Where-Object name -EQ 'Force').defaultValue | Should -Be 'False'
        $links = @($help.relatedLinks.navigationLink)
        $links[0].linkText | Should -Be 'Online Version:'
        $links[0].uri | Should -Be 'https://example.com/set-sample'
        $links[1].uri | Should -Be 'https://example.com/more'
    }

    It 'checks a valid page with --check-only and writes nothing' {
        $result = Invoke-HelpBuilder -Text $script:validPage -CheckOnly
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Written | Should -BeNullOrEmpty
    }

    It 'fails on a page without SYNOPSIS, naming the file and the section' {
        $text = $script:validPage -replace '(?ms)^## SYNOPSIS.*?(?=^## SYNTAX)', ''
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "Stop-MightySandbox\.md:\d+: error: \[SYNOPSIS\] The page has no '## SYNOPSIS' section"
        $result.Written | Should -BeNullOrEmpty -Because 'a failed build writes no help at all'
    }

    It 'fails on an empty DESCRIPTION' {
        $text = $script:validPage -replace '(?ms)(^## DESCRIPTION\s*\n).*?(?=^## EXAMPLES)', "`$1`n"
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $line = Get-LineNumber $text '^## DESCRIPTION'
        $result.Output | Should -Match "Stop-MightySandbox\.md:${line}: error: \[DESCRIPTION\] '## DESCRIPTION' is empty"
    }

    It 'fails on a page with fewer than two examples' {
        $text = $script:validPage -replace '(?ms)^### Example 2:.*?(?=^## PARAMETERS)', ''
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $line = Get-LineNumber $text '^## EXAMPLES'
        $result.Output | Should -Match "Stop-MightySandbox\.md:${line}: error: \[EXAMPLES\] 1 example\(s\); every cmdlet page needs at least 2"
    }

    It 'fails on an example without code' {
        $text = $script:validPage -replace '(?ms)(^### Example 2:[^\n]*\n)```powershell\n.*?```\n', '$1'
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $line = Get-LineNumber $text '^### Example 2:'
        $result.Output | Should -Match "Stop-MightySandbox\.md:${line}: error: \[EXAMPLES\] '### Example 2: .*' has no code block"
    }

    It 'fails on a parameter yaml line that does not parse, naming the line and the parameter' {
        $text = $script:validPage -replace 'Accept pipeline input: True \(ByValue\)', 'Accept pipeline input True (ByValue)'
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $line = Get-LineNumber $text '^Accept pipeline input True'
        $result.Output | Should -Match "Stop-MightySandbox\.md:${line}: error: \[PARAMETERS -Sandbox\] 'Accept pipeline input True \(ByValue\)' is not a 'Key: value' line"
    }

    It 'fails on a yaml value it cannot use and on an unknown key' {
        $text = $script:validPage -replace '(?m)^Position: 0$', 'Position: first' -replace '(?m)^Aliases: wi$', "Aliases: wi`nMandatory: False"
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "Stop-MightySandbox\.md:$(Get-LineNumber $text '^Position: first'): error: \[PARAMETERS -Sandbox\] Position 'first' is neither 'Named' nor a number"
        $result.Output | Should -Match "Stop-MightySandbox\.md:$(Get-LineNumber $text '^Mandatory: False'): error: \[PARAMETERS -WhatIf\] Unknown key 'Mandatory'"
    }

    It 'fails when the syntax line and the documented parameters disagree' {
        $text = $script:validPage -replace '\[-WhatIf\] \[-Confirm\]', '[-Force] [-WhatIf]'
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "error: \[SYNTAX\] -Confirm is documented for this parameter set but missing from its syntax line"
        $result.Output | Should -Match "error: \[SYNTAX\] The syntax line shows -Force, which has no '### -Force' section under PARAMETERS"
    }

    It 'fails on a template placeholder and on a title that does not match the file' {
        $text = $script:validPage -replace '(?m)^# Stop-MightySandbox$', '# Stop-Sandbox' -replace 'Sandbox objects from `Start-MightySandbox`.', '{{ Fill in the Description }}'
        $result = Invoke-HelpBuilder -Text $text
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "Stop-MightySandbox\.md:$(Get-LineNumber $text '^# Stop-Sandbox'): error: The title is '# Stop-Sandbox' but the file is Stop-MightySandbox\.md"
        $result.Output | Should -Match "Stop-MightySandbox\.md:$(Get-LineNumber $text '\{\{ Fill'): error: Template placeholder '\{\{ Fill in the Description \}\}'"
    }

    It 'renders an about topic in the classic help.txt layout' {
        $about = "# about_Sample`n`n## SHORT DESCRIPTION`nA sample topic.`n`n## LONG DESCRIPTION`nSome *text* with ``code``.`n`n### A subsection`n`n``````powershell`nGet-Sample -Name x`n```````n`n## SEE ALSO`n`n- [Get-Sample](Get-Sample.md)`n"
        $result = Invoke-HelpBuilder -Text $script:validPage -ExtraPages @{ 'about_Sample.md' = $about }
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Topics['about_Sample.help.txt'] | Should -BeExactly (@(
                'TOPIC'
                '    about_Sample'
                ''
                'SHORT DESCRIPTION'
                '    A sample topic.'
                ''
                'LONG DESCRIPTION'
                '    Some text with code.'
                ''
                '  A SUBSECTION'
                '        Get-Sample -Name x'
                ''
                'SEE ALSO'
                '    Get-Sample'
                '') -join "`n")
    }

    It 'fails on an about topic without SHORT DESCRIPTION' {
        $about = "# about_Sample`n`n## LONG DESCRIPTION`nText.`n"
        $result = Invoke-HelpBuilder -Text $script:validPage -ExtraPages @{ 'about_Sample.md' = $about }
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "about_Sample\.md:1: error: \[SHORT DESCRIPTION\] An about topic needs a '## SHORT DESCRIPTION' section"
    }
}
