# Error ids are a contract with scripts. Each area keeps its ids in one catalog class
# (src/MightyOps.Core/*/<Area>ErrorIds.cs, src/MightyOps.Sandbox/SandboxErrorIds.cs: an id, the
# kinds it is reported as, what it means), code throws and catches the catalog entries (an
# exception cannot be built from a string), and about_MightyOps.md's "Error ids" tables list
# every entry. These tests hold the three together: the catalogs as the built module has them,
# the categories as its ErrorRecords report them, the tables, the cmdlet pages' NOTES and src.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:aboutPath = Join-Path $script:repoRoot 'docs/about_MightyOps.md'

    # The catalogs, read from the module's own assemblies (Core and the sandbox load into the
    # module's context, so they are reached from the cmdlet assembly's types).
    $cmdlets = (Get-Command Get-MightyService).ImplementingType.Assembly
    $errorRecords = $cmdlets.GetType('MightyOps.Commands.ErrorRecords', $true)
    $from = $errorRecords.GetMethod('From')
    $exceptionType = $from.GetParameters()[0].ParameterType
    $core = $exceptionType.Assembly
    $sandbox = $cmdlets.GetType('MightyOps.Commands.Sandbox.SandboxControl', $true).GetConstructors()[0].GetParameters()[0].ParameterType.Assembly
    $errorType = $core.GetType('MightyOps.Core.MightyError', $true)
    $flags = [Reflection.BindingFlags]'Public, NonPublic, Static'
    $script:catalog = @(
        foreach ($assembly in $core, $sandbox) {
            foreach ($type in $assembly.GetTypes() | Where-Object { $_.IsClass -and $_.IsAbstract -and $_.IsSealed }) {
                foreach ($field in $type.GetFields($flags) | Where-Object FieldType -EQ $errorType) {
                    $entry = $field.GetValue($null)
                    # The category a user sees, for each kind the entry allows: an ErrorRecord made
                    # the way every cmdlet makes one.
                    $categories = foreach ($kind in $entry.Kinds) {
                        $exception = [Activator]::CreateInstance($exceptionType, @($entry, $kind, 'x', $null, $null))
                        $from.Invoke($null, @($exception)).CategoryInfo.Category.ToString()
                    }
                    [pscustomobject]@{
                        Catalog    = $type.Name
                        Field      = $field.Name
                        Id         = $entry.Id
                        Categories = $categories -join ', '
                        Meaning    = $entry.Meaning
                    }
                }
            }
        }
    )

    # The rows of the tables under '### Error ids' (to the next '##' or '###' heading).
    $about = Get-Content -Raw $script:aboutPath
    $section = [regex]::Match($about, '(?ms)^### Error ids\s*$(.*?)(?=^#{2,3} |\z)').Groups[1].Value
    $script:documented = @(
        foreach ($row in [regex]::Matches($section, '(?m)^\| `([^`]+)` \| ([^|]+?) \| (.+?) \|\s*$')) {
            [pscustomobject]@{ Id = $row.Groups[1].Value; Categories = $row.Groups[2].Value; Meaning = $row.Groups[3].Value }
        }
    )

    # The sources, without build output.
    $script:sources = @(Get-ChildItem (Join-Path $script:repoRoot 'src') -Recurse -Filter '*.cs' |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
            ForEach-Object { [pscustomobject]@{ Path = $_.FullName.Substring($script:repoRoot.Length + 1); Text = Get-Content -Raw $_.FullName } })

    # The row about_MightyOps.md should have for a catalog entry.
    function Format-Row($entry) { "| ``$($entry.Id)`` | $($entry.Categories) | $($entry.Meaning) |" }
}

Describe 'Error id catalogs' {
    It 'hold every id once, under its own name' {
        $script:catalog.Count | Should -BeGreaterThan 100
        @($script:catalog | Where-Object { $_.Field -cne $_.Id } | ForEach-Object { "$($_.Catalog).$($_.Field) holds $($_.Id)" }) | Should -BeNullOrEmpty
        @($script:catalog | Group-Object Id | Where-Object Count -GT 1 | ForEach-Object { "$($_.Name) is in $($_.Group.Catalog -join ' and ')" }) | Should -BeNullOrEmpty
    }

    It 'are what src throws and catches: no id is compared as a string' {
        $compared = foreach ($source in $script:sources) {
            foreach ($match in [regex]::Matches($source.Text, '\bErrorId\s*(==|!=|is\b)|\{\s*ErrorId\s*:')) {
                "$($source.Path):$(($source.Text.Substring(0, $match.Index) -split "`n").Count): $($match.Value)"
            }
        }
        @($compared) | Should -BeNullOrEmpty -Because 'a catch asks e.Is(<Area>ErrorIds.<Id>), which a typo cannot compile'
    }
}

Describe 'The error table of about_MightyOps' {
    It 'lists every catalog id with its category and meaning' {
        $byId = @{}
        $script:documented | ForEach-Object { $byId[$_.Id] = $_ }
        $problems = foreach ($entry in $script:catalog) {
            $row = $byId[$entry.Id]
            if ($null -eq $row) {
                "$($entry.Id) ($($entry.Catalog)) is not in the table; add: $(Format-Row $entry)"
            }
            elseif ($row.Categories -cne $entry.Categories -or $row.Meaning -cne $entry.Meaning) {
                "$($entry.Id): the table says '$($row.Categories)' / '$($row.Meaning)'; $($entry.Catalog) says: $(Format-Row $entry)"
            }
        }
        @($problems) | Should -BeNullOrEmpty
    }

    It 'lists only ids that src throws' {
        $known = @{}
        $script:catalog | ForEach-Object { $known[$_.Id] = $_ }
        $problems = foreach ($row in $script:documented) {
            $entry = $known[$row.Id]
            if ($null -eq $entry) {
                "$($row.Id) is in the table but in no catalog: no code can throw it"
                continue
            }
            # Thrown: named as <Catalog>.<Id> somewhere outside its catalog, other than as the
            # argument of e.Is(...) / e.IsAny(...), which only catches it.
            $reference = "$($entry.Catalog).$($entry.Id)"
            $thrown = foreach ($source in $script:sources | Where-Object { $_.Path -notmatch "[\\/]$($entry.Catalog)\.cs$" }) {
                foreach ($match in [regex]::Matches($source.Text, "\b$([regex]::Escape($reference))\b")) {
                    $before = $source.Text.Substring(0, $match.Index)
                    $lineStart = $before.LastIndexOf("`n") + 1
                    if ($before.Substring($lineStart) -notmatch '\.IsAny?\([^()]*$') {
                        $source.Path
                    }
                }
            }
            if (-not $thrown) {
                "$($row.Id) is in the table but nothing in src throws $reference"
            }
        }
        @($problems) | Should -BeNullOrEmpty
    }

    It 'is where the cmdlet pages'' NOTES take their ids from' {
        # The NOTES paragraph that starts with 'Error' (or '**Errors**') names a cmdlet's ids in backticks.
        $problems = foreach ($page in Get-ChildItem (Join-Path $script:repoRoot 'docs') -Filter '*-*.md') {
            $notes = [regex]::Match((Get-Content -Raw $page.FullName), '(?ms)^## NOTES\s*$(.*?)(?=^## |\z)').Groups[1].Value
            foreach ($paragraph in $notes -split '\r?\n\s*\r?\n' | Where-Object { $_.TrimStart() -match '^(\*\*)?Error' }) {
                foreach ($token in [regex]::Matches($paragraph, '`([A-Z][A-Za-z0-9]+)`')) {
                    if ($token.Groups[1].Value -notin $script:catalog.Id) {
                        "$($page.Name): NOTES name $($token.Groups[1].Value), which is in no catalog"
                    }
                }
            }
        }
        @($problems) | Should -BeNullOrEmpty
    }
}
