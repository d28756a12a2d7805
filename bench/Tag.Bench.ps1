# New-MightyTag in a clone whose origin has 10,000 annotated release tags, against the bare git
# commands it replaces: the original mightytag's `git ls-remote --tags` + pick the highest number +
# `git tag -a` + `git push origin refs/tags/<tag>` (run as one bash script, the cheapest way to run them).
# Both push to the same bare origin on disk, one warm pwsh session, a new commit before every run
# (not timed) so the numbers keep going up.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

$existing = 10000
$runs = 9
$root = Join-Path ([IO.Path]::GetTempPath()) ('mighty-tag-bench-' + [guid]::NewGuid().ToString('n'))
New-Item -ItemType Directory -Path $root | Out-Null
$env:GIT_CONFIG_NOSYSTEM = '1'
$env:GIT_CONFIG_GLOBAL = Join-Path $root 'gitconfig'
Set-Content -Path $env:GIT_CONFIG_GLOBAL -Value "[user]`n`tname = Bench`n`temail = bench@example.com`n"

function Invoke-BenchGit {
    $repo, $rest = $args
    $output = & git -C $repo @rest 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "git $($rest -join ' ') failed: $($output -join "`n")"
    }
}

try {
    $setup = [Diagnostics.Stopwatch]::StartNew()
    $origin = Join-Path $root 'origin.git'
    $clone = Join-Path $root 'app'
    $seed = Join-Path $root 'seed'
    Invoke-BenchGit $root init --quiet --bare --initial-branch=master $origin
    Invoke-BenchGit $root clone --quiet $origin $seed
    Invoke-BenchGit $seed commit --quiet --allow-empty -m 'first commit'
    Invoke-BenchGit $seed push --quiet origin master
    $commit = (& git -C $seed rev-parse HEAD).Trim()

    # 10,000 annotated tags in one git fast-import stream, then packed like a long-lived origin.
    $stream = [Text.StringBuilder]::new()
    foreach ($n in 1..$existing) {
        $message = "Release master.$n"
        [void]$stream.Append("tag master.$n`nfrom $commit`ntagger Bench <bench@example.com> $(1700000000 + $n) +0000`ndata $($message.Length)`n$message`n")
    }
    $streamFile = Join-Path $root 'tags.fi'
    [IO.File]::WriteAllText($streamFile, $stream.ToString())
    & bash -c 'git -C "$1" fast-import --quiet < "$2"' bash $origin $streamFile
    if ($LASTEXITCODE -ne 0) { throw 'git fast-import failed' }
    Invoke-BenchGit $origin pack-refs --all
    # A clone writes what it fetched as packed refs, as a developer's long-lived clone has them.
    Invoke-BenchGit $root clone --quiet $origin $clone
    $setup.Stop()

    $bare = @'
set -e
n=$(git ls-remote --tags origin 'master.*' | sed -n 's#^.*	refs/tags/master\.\([0-9][0-9]*\)$#\1#p' | sort -n | tail -n 1)
t="master.$((n + 1))"
git tag -a -m "Release $t" "$t"
git push -q origin "refs/tags/$t"
'@

    $mighty = [Collections.Generic.List[double]]::new()
    $baseline = [Collections.Generic.List[double]]::new()
    $last = $null
    # One warm-up round each, then alternate so drift (disk cache, the growing origin) hits both alike.
    foreach ($i in 0..$runs) {
        Invoke-BenchGit $clone commit --quiet --allow-empty -m "release candidate $i"
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $last = New-MightyTag -Path $clone
        $sw.Stop()
        if ($i -gt 0) { $mighty.Add($sw.Elapsed.TotalMilliseconds) }

        Invoke-BenchGit $clone commit --quiet --allow-empty -m "baseline candidate $i"
        Push-Location $clone
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            & bash -c $bare
            $sw.Stop()
            if ($LASTEXITCODE -ne 0) { throw 'the bare git script failed' }
        }
        finally {
            Pop-Location
        }
        if ($i -gt 0) { $baseline.Add($sw.Elapsed.TotalMilliseconds) }
    }

    Invoke-BenchGit $clone commit --quiet --allow-empty -m 'counted'
    $gitRuns = @(New-MightyTag -Path $clone -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'git *' }).Count

    $median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][math]::Floor($sorted.Count / 2)] }
    $m = & $median $mighty
    $b = & $median $baseline
    Write-BenchResult "origin with $existing annotated release tags: setup" $setup.Elapsed.TotalMilliseconds 'ms' 'fast-import + pack-refs + clone'
    Write-BenchResult 'New-MightyTag (plan, tag -a, push)' $m 'ms' "median of $runs, last $($last.Tag)"
    Write-BenchResult 'bare git: ls-remote + highest + tag -a + push' $b 'ms' "median of $runs"
    Write-BenchResult 'New-MightyTag / bare git' ($m / $b) 'x'
    Write-BenchResult 'git processes per New-MightyTag' $gitRuns '' 'bare script: 3 (ls-remote, tag -a, push)'
}
finally {
    Remove-Item Env:GIT_CONFIG_GLOBAL, Env:GIT_CONFIG_NOSYSTEM -ErrorAction SilentlyContinue
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}
