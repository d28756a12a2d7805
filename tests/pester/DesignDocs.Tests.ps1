# The repository stands on its own: comments, scripts and docs cite pages inside it
# (docs/design/*.md for the facts the code relies on), and those pages' links resolve.

BeforeAll {
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:designPath = Join-Path $script:repoRoot 'docs/design'
    # Sources, scripts and docs a reader follows citations from (build output and test data excluded).
    $script:citingFiles = @(
        foreach ($folder in 'src', 'tests', 'tools', 'bench', 'docs') {
            Get-ChildItem (Join-Path $script:repoRoot $folder) -Recurse -File -Include '*.cs', '*.ps1', '*.psm1', '*.psd1', '*.md', '*.ps1xml', '*.csproj' |
                Where-Object { $_.FullName -notmatch '[\\/](bin|obj|sigv4-test-suite)[\\/]' }
        }
        Get-Item (Join-Path $script:repoRoot 'build.ps1'), (Join-Path $script:repoRoot 'README.md'), (Join-Path $script:repoRoot 'CHANGELOG.md')
    ) | Where-Object { $_.FullName -ne $PSCommandPath }
}

Describe 'Design notes' {
    It 'has an index that lists every page' {
        $index = Get-Content -Raw (Join-Path $script:designPath 'README.md')
        $pages = Get-ChildItem $script:designPath -Filter '*.md' | Where-Object Name -ne 'README.md'
        $pages.Count | Should -BeGreaterThan 0
        $unlisted = @($pages | Where-Object { $index -notmatch "\]\($([regex]::Escape($_.Name))\)" } | ForEach-Object Name)
        $unlisted | Should -BeNullOrEmpty -Because 'docs/design/README.md is how a reader finds a page'
    }

    It 'keeps its index in one table' {
        $lines = @(Get-Content (Join-Path $script:designPath 'README.md'))
        $rows = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^\|') { $i } })
        $rows.Count | Should -BeGreaterThan 2
        $between = @($lines[$rows[0]..$rows[-1]] | Where-Object { $_ -notmatch '^\|' })
        $between | Should -BeNullOrEmpty -Because 'any other line ends a Markdown table, and the rows after it show as plain text'
    }

    It 'links only to pages and sections that exist' {
        $broken = foreach ($page in Get-ChildItem $script:designPath -Filter '*.md') {
            $text = Get-Content -Raw $page.FullName
            foreach ($link in [regex]::Matches($text, '\]\(([^)#:]+\.md)(#[^)]+)?\)')) {
                $target = Join-Path $script:designPath $link.Groups[1].Value
                if (-not (Test-Path $target)) {
                    "$($page.Name) -> $($link.Groups[1].Value)"
                    continue
                }
                if ($link.Groups[2].Success) {
                    # GitHub's anchors: headings lowercased, spaces to '-', punctuation dropped.
                    $anchors = [regex]::Matches((Get-Content -Raw $target), '(?m)^#+ (.+)$') |
                        ForEach-Object { '#' + ($_.Groups[1].Value.ToLowerInvariant() -replace '[^a-z0-9 -]', '' -replace ' ', '-') }
                    if ($link.Groups[2].Value -notin $anchors) {
                        "$($page.Name) -> $($link.Value)"
                    }
                }
            }
        }
        @($broken) | Should -BeNullOrEmpty
    }
}

Describe 'Citations' {
    It 'never point outside the repository' {
        # The team's steering folder (its reference notes and test vectors) and its two design
        # cards live beside the repository, not in it. Written as patterns so this file does not
        # itself name them.
        $outsidePatterns = '\bshare[d]/(reference|sigv4)', '\breferenc[e] §', '\breferenc[e]/aws-protocol', '\bDESIG[N]\.md', '\bSTYL[E]\.md'
        $outside = $script:citingFiles | Select-String -Pattern $outsidePatterns |
            ForEach-Object { "$($_.Path.Substring($script:repoRoot.Length + 1)):$($_.LineNumber): $($_.Line.Trim())" }
        @($outside) | Should -BeNullOrEmpty
    }

    It 'state the rule in code, not an issue that asked for it' {
        # An issue (this project's or another's) is not in the repository: a comment says the rule
        # itself, and a fact from outside goes into docs/design in the project's own words.
        $issuePatterns = '(?i)\bthe issue\b', '(?i)\(issue\b', '(?i)\bissue\s+#?\d+', '\b[\w.-]+/[\w.-]+#\d+\b'
        $cited = $script:citingFiles | Where-Object { $_.Extension -in '.cs', '.ps1', '.psm1' } |
            Select-String -Pattern $issuePatterns |
            ForEach-Object { "$($_.Path.Substring($script:repoRoot.Length + 1)):$($_.LineNumber): $($_.Line.Trim())" }
        @($cited) | Should -BeNullOrEmpty
    }

    It 'name docs/design pages that exist' {
        $missing = $script:citingFiles | Select-String -Pattern 'docs/design/([\w.-]+\.md)' -AllMatches |
            ForEach-Object { foreach ($m in $_.Matches) { $m.Groups[1].Value } } |
            Sort-Object -Unique |
            Where-Object { -not (Test-Path (Join-Path $script:designPath $_)) }
        @($missing) | Should -BeNullOrEmpty
    }
}
