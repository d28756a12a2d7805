# Eight clones run New-MightyTag on the same branch at the same moment, each in its own fresh pwsh
# process (the way eight CI jobs or eight people would), against one bare origin on disk.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/TagWorld.ps1
}

Describe 'New-MightyTag racing itself' {
    BeforeAll {
        $world = New-TagWorld
        $seed = Join-Path $world.Root 'seed'
        Invoke-TestGit $seed tag -a -m 'an earlier release' master.3
        Invoke-TestGit $seed push --quiet origin master.3

        $count = 8
        $clones = foreach ($i in 1..$count) {
            $clone = New-TagClone $world "clone$i"
            Invoke-TestGit $clone commit --quiet --allow-empty -m "work of clone $i"
            $clone
        }
        $gate = Join-Path $world.Root 'go'

        # Each child imports the module and warms it up, says it is ready, waits for the gate,
        # then tags; what happened comes back as CliXml.
        $child = Join-Path $world.Root 'child.ps1'
        @'
param($Module, $Repo, $Ready, $Gate, $Out)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$null = Get-MightyTag -Path $Repo
New-Item -ItemType File -Path $Ready | Out-Null
$deadline = [DateTime]::UtcNow.AddSeconds(120)
while (-not (Test-Path $Gate)) {
    if ([DateTime]::UtcNow -gt $deadline) { throw 'the gate never opened' }
    Start-Sleep -Milliseconds 2
}
$result = try {
    $tag = New-MightyTag -Path $Repo -WarningVariable warnings -WarningAction SilentlyContinue
    [pscustomobject]@{ Tag = $tag.Tag; Number = $tag.Number; Commit = $tag.Commit; Pushed = $tag.Pushed; Retries = @($warnings | Where-Object { "$_" -match 'was taken' }).Count; Error = $null }
}
catch {
    [pscustomobject]@{ Error = "$($_.FullyQualifiedErrorId): $_" }
}
$result | Export-Clixml -Path $Out
'@ | Set-Content -Path $child -Encoding utf8NoBOM

        $pwsh = Get-FreshPwsh
        $processes = foreach ($i in 1..$count) {
            $arguments = @($pwsh | Select-Object -Skip 1) + @(
                '-NoProfile', '-NonInteractive', '-File', $child,
                '-Module', $script:ModuleManifest, '-Repo', $clones[$i - 1],
                '-Ready', (Join-Path $world.Root "ready$i"), '-Gate', $gate, '-Out', (Join-Path $world.Root "out$i.xml"))
            Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -PassThru -NoNewWindow `
                -RedirectStandardOutput (Join-Path $world.Root "stdout$i.txt") -RedirectStandardError (Join-Path $world.Root "stderr$i.txt")
        }
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (@(1..$count | Where-Object { Test-Path (Join-Path $world.Root "ready$_") }).Count -lt $count) {
                if ([DateTime]::UtcNow -gt $deadline -or @($processes | Where-Object HasExited).Count) {
                    throw "Not every child got ready: $((Get-ChildItem $world.Root -Filter 'stderr*.txt' | Get-Content) -join "`n")"
                }
                Start-Sleep -Milliseconds 20
            }
            New-Item -ItemType File -Path $gate | Out-Null
            foreach ($process in $processes) {
                if (-not $process.WaitForExit(120000)) {
                    throw "A child is still running after two minutes."
                }
            }
        }
        finally {
            $processes | Where-Object { -not $_.HasExited } | ForEach-Object { $_.Kill($true) }
        }
        $results = foreach ($i in 1..$count) {
            $out = Join-Path $world.Root "out$i.xml"
            if (Test-Path $out) {
                Import-Clixml $out
            }
            else {
                [pscustomobject]@{ Error = "no result: $(Get-Content (Join-Path $world.Root "stderr$i.txt") -Raw)" }
            }
        }
        Write-Host "    8 concurrent New-MightyTag runs: $(($results | Measure-Object Retries -Sum).Sum) retries after losing a number"
    }
    AfterAll {
        Remove-TagWorld $world
    }

    It 'succeeds in every clone' {
        $results.Error | Where-Object { $_ } | Should -BeNullOrEmpty
        $results | ForEach-Object { $_.Pushed | Should -BeTrue }
    }

    It 'hands out 8 distinct consecutive numbers after the existing master.3' {
        $results.Number | Sort-Object | Should -Be @(4..11)
        $results.Tag | Sort-Object -Unique | Should -HaveCount 8
    }

    It 'puts every tag on origin, each naming the commit of the clone that made it' {
        $onOrigin = Get-RemoteTags $world.Origin
        $onOrigin.Keys | Sort-Object { [int]($_ -replace '^master\.') } | Should -Be @(3..11 | ForEach-Object { "master.$_" })
        for ($i = 0; $i -lt $count; $i++) {
            $expected = Invoke-TestGit $clones[$i] rev-parse HEAD
            $results[$i].Commit | Should -Be $expected
            $onOrigin[$results[$i].Tag] | Should -Be $expected
        }
    }

    It 'leaves no stray local tag in any clone' {
        for ($i = 0; $i -lt $count; $i++) {
            Get-TagNames $clones[$i] | Sort-Object | Should -Be (@('master.3', $results[$i].Tag) | Sort-Object) -Because "clone$($i + 1) keeps only what it fetched and what it pushed"
        }
    }
}
