# New-MightyTag and Get-MightyTag against real git: temporary clones of a bare "origin" on disk.
# Every clone gets its own user.name/email; the user's global and system git config are kept out.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/TagWorld.ps1
}

Describe 'New-MightyTag' {
    BeforeEach {
        $world = New-TagWorld
        $repo = New-TagClone $world 'app'
    }
    AfterEach {
        Remove-TagWorld $world
    }

    It 'creates <branch>.1, an annotated tag pushed alone to origin' {
        Invoke-TestGit $repo switch --quiet -c feature-work
        Invoke-TestGit $repo commit --quiet --allow-empty -m 'unpushed branch commit'
        Invoke-TestGit $repo switch --quiet master
        $head = Invoke-TestGit $repo rev-parse HEAD

        $tag = New-MightyTag -Path $repo

        $tag | Should -BeOfType MightyOps.MightyTag
        $tag.Tag | Should -Be 'master.1'
        "$tag" | Should -Be 'master.1' -Because 'ToString() is the tag, so it works where a string is expected'
        $tag.Branch | Should -Be 'master'
        $tag.GitBranch | Should -Be 'master'
        $tag.Number | Should -Be 1
        $tag.Commit | Should -Be $head
        $tag.Remote | Should -Be 'origin'
        $tag.Pushed | Should -BeTrue
        $tag.Annotated | Should -BeTrue
        $tag.Repository | Should -Be $repo
        $tag.Tagger | Should -Be 'Test app <app@example.com>'

        Get-TagNames $repo | Should -Be @('master.1')
        (Get-RemoteTags $world.Origin)['master.1'] | Should -Be $head
        Invoke-TestGit $world.Origin for-each-ref --format='%(refname)' refs/heads |
            Should -Be @('refs/heads/master') -Because 'only refs/tags/master.1 is pushed, not the branch'
        Invoke-TestGit $repo cat-file -t master.1 | Should -Be 'tag'
        $message = (Invoke-TestGit $repo for-each-ref --format='%(contents)' refs/tags/master.1) -join "`n"
        $message | Should -Match ([regex]::Escape("commit $head"))
        $message | Should -Match 'tagged by Test app <app@example\.com> on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d'
        $message | Should -Match 'Release-Branch: master'
    }

    It 'numbers after the highest tag on origin and locally, compared as integers' {
        $other = New-TagClone $world 'other'
        foreach ($n in 1, 2, 9, 10) {
            Invoke-TestGit $other tag "master.$n"
        }
        Invoke-TestGit $other push --quiet origin --tags
        Invoke-TestGit $repo commit --quiet --allow-empty -m 'to release'

        (New-MightyTag -Path $repo).Tag | Should -Be 'master.11' -Because 'origin has master.10, which this clone has not fetched'

        Invoke-TestGit $repo tag master.20
        (New-MightyTag -Path $repo -Force).Tag | Should -Be 'master.21' -Because 'a local-only master.20 counts too'
    }

    It 'ignores look-alike tags: <_>' -ForEach @('master.5a', 'master.5.1', 'mastery.3', 'master.-7', 'Master.8', 'xmaster.9') {
        Invoke-TestGit $repo tag master.2
        Invoke-TestGit $repo tag $_
        Invoke-TestGit $repo push --quiet origin --tags
        Invoke-TestGit $repo commit --quiet --allow-empty -m 'to release'

        (New-MightyTag -Path $repo).Tag | Should -Be 'master.3'
    }

    It 'numbers a dotted branch like release.2 apart from the branch release' {
        $r21 = New-MightyTag -Path $repo -Branch release.2
        Invoke-TestGit $repo commit --quiet --allow-empty -m next
        $r22 = New-MightyTag -Path $repo -Branch release.2
        $r1 = New-MightyTag -Path $repo -Branch release
        Invoke-TestGit $repo commit --quiet --allow-empty -m again
        $r2 = New-MightyTag -Path $repo -Branch release
        $r23 = New-MightyTag -Path $repo -Branch release.2

        $r21.Tag, $r22.Tag, $r23.Tag | Should -Be @('release.2.1', 'release.2.2', 'release.2.3')
        $r21.Branch | Should -Be 'release.2'
        $r23.Number | Should -Be 3
        $r1.Tag, $r2.Tag | Should -Be @('release.1', 'release.2') -Because 'release.2.x are not tags of the branch release'
        Get-RemoteTags $world.Origin | ForEach-Object Keys | Sort-Object |
            Should -Be @('release.1', 'release.2', 'release.2.1', 'release.2.2', 'release.2.3')
    }

    It 'makes a branch with / Docker-safe and shows the mapping' {
        Invoke-TestGit $repo switch --quiet -c feature/login

        $tag = New-MightyTag -Path $repo

        $tag.Tag | Should -Be 'feature-login.1'
        $tag.Branch | Should -Be 'feature-login'
        $tag.GitBranch | Should -Be 'feature/login'
        ($tag | Format-Table | Out-String) | Should -Match 'feature-login\.1\s+feature/login\s'
        (Get-RemoteTags $world.Origin).Keys | Should -Be @('feature-login.1')
        # Get-MightyTag reads the git branch back from the tag message's trailer.
        (Get-MightyTag -Path $repo).GitBranch | Should -Be 'feature/login'
    }

    It 'maps odd branch names the documented way: <Name> -> <Expected>' -ForEach @(
        @{ Name = 'user/jane/fix@home'; Expected = 'user-jane-fix-home' }
        @{ Name = 'café/menu'; Expected = 'caf--menu' }
        @{ Name = 'Hotfix_2025-01'; Expected = 'Hotfix_2025-01' }
    ) {
        (New-MightyTag -Path $repo -Branch $Name -Force).Tag | Should -Be "$Expected.1"
    }

    It 'refuses a detached HEAD without -Branch and creates nothing' {
        Invoke-TestGit $repo switch --quiet --detach

        New-MightyTag -Path $repo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        Assert-MightyError $err 'DetachedHead' 'InvalidOperation'
        $err[0].Exception.Message | Should -Match '-Branch'
        Get-TagNames $repo | Should -BeNullOrEmpty
        Get-RemoteTags $world.Origin | Should -BeNullOrEmpty
    }

    It 'tags a detached HEAD when -Branch names the branch' {
        Invoke-TestGit $repo commit --quiet --allow-empty -m 'CI checkout'
        Invoke-TestGit $repo switch --quiet --detach
        $head = Invoke-TestGit $repo rev-parse HEAD

        $tag = New-MightyTag -Path $repo -Branch master

        $tag.Tag | Should -Be 'master.1'
        $tag.Commit | Should -Be $head
        (Get-RemoteTags $world.Origin)['master.1'] | Should -Be $head
    }

    It 'takes the branch by position, as Get-MightyTag does' {
        $tag = New-MightyTag hotfix -Path $repo

        $tag.Tag | Should -Be 'hotfix.1'
        (Get-MightyTag hotfix -Path $repo).Tag | Should -Be 'hotfix.1'
    }

    It 'returns the existing tag with a warning when HEAD already carries one; -Force makes another' {
        $first = New-MightyTag -Path $repo

        $again = New-MightyTag -Path $repo -WarningVariable warnings 3>$null

        $again.Tag | Should -Be 'master.1'
        $again.Pushed | Should -BeFalse
        $again.Remote | Should -Be 'origin'
        $again.Date | Should -Be $first.Date
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match 'already carries the release tag master\.1.*-Force'
        Get-TagNames $repo | Should -Be @('master.1')

        (New-MightyTag -Path $repo -Force -WarningVariable forced).Tag | Should -Be 'master.2'
        $forced | Should -BeNullOrEmpty
        (Get-RemoteTags $world.Origin).Keys | Sort-Object | Should -Be @('master.1', 'master.2')
    }

    It 'with -NoPush, sees the local tag already on the commit' {
        $first = New-MightyTag -Path $repo -NoPush

        $again = New-MightyTag -Path $repo -NoPush -WarningVariable warnings 3>$null

        $again.Tag | Should -Be $first.Tag
        $again.Tagger | Should -Be 'Test app <app@example.com>'
        "$warnings" | Should -Match 'already carries the release tag master\.1 \(locally\)'
        Get-TagNames $repo | Should -Be @('master.1')
    }

    It 'sees a tag someone else pushed for the same commit as already there' {
        $other = New-TagClone $world 'other'
        New-MightyTag -Path $other | Out-Null

        $tag = New-MightyTag -Path $repo -WarningAction SilentlyContinue

        $tag.Tag | Should -Be 'master.1'
        Get-TagNames $repo | Should -BeNullOrEmpty -Because 'nothing was created here'
    }

    It 'refuses an unknown commit and creates nothing' {
        New-MightyTag -Path $repo -Commit 'no-such-rev' -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'CommitNotFound' 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'no-such-rev'
        Get-TagNames $repo | Should -BeNullOrEmpty
    }

    It 'refuses a repository without commits' {
        $empty = Join-Path $world.Root 'empty'
        Invoke-TestGit $world.Root init --quiet --initial-branch=master $empty

        New-MightyTag -Path $empty -NoPush -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'CommitNotFound' 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'no commits yet'
    }

    It 'tags in a bare repository, which has no working tree to be dirty' {
        Invoke-TestGit $world.Origin config user.name 'Release Bot'
        Invoke-TestGit $world.Origin config user.email 'bot@example.com'

        $tag = New-MightyTag -Path $world.Origin -NoPush -WarningVariable warnings 3>$null

        $tag.Tag | Should -Be 'master.1'
        $tag.Repository | Should -Be $world.Origin
        "$warnings" | Should -Not -Match 'uncommitted'
        (Get-RemoteTags $world.Origin).Keys | Should -Be @('master.1')
    }

    It 'pushes to a remote given as a URL' {
        $mirror = Join-Path $world.Root 'mirror.git'
        Invoke-TestGit $world.Root init --quiet --bare $mirror

        $tag = New-MightyTag -Path $repo -Remote $mirror

        $tag.Remote | Should -Be $mirror
        (Get-RemoteTags $mirror).Keys | Should -Be @('master.1')
        Get-RemoteTags $world.Origin | Should -BeNullOrEmpty
    }

    It 'tags the commit named by -Commit' {
        $old = Invoke-TestGit $repo rev-parse HEAD
        Invoke-TestGit $repo commit --quiet --allow-empty -m newer

        (New-MightyTag -Path $repo -Commit HEAD~1).Commit | Should -Be $old
        (Get-RemoteTags $world.Origin)['master.1'] | Should -Be $old
    }

    It 'puts -Message first in the tag message' {
        $tag = New-MightyTag -Path $repo -Message "Hotfix for the login page`n`nDetails follow."

        $tag.Message | Should -Be 'Hotfix for the login page'
        Invoke-TestGit $repo for-each-ref --format='%(contents:subject)' refs/tags/master.1 | Should -Be 'Hotfix for the login page'
    }

    It 'refuses a folder that is not a git repository: <Case>' -ForEach @(
        @{ Case = 'plain folder'; Make = { param($root) New-Item -ItemType Directory (Join-Path $root 'plain') | ForEach-Object FullName } }
        @{ Case = 'missing folder'; Make = { param($root) Join-Path $root 'does-not-exist' } }
        @{ Case = 'drive that does not exist'; Make = { 'nosuchdrive:/app' } }
        @{ Case = 'path on another provider'; Make = { 'Env:/PATH' } }
    ) {
        $path = & $Make $world.Root

        New-MightyTag -Path $path -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'NotAGitRepository' 'InvalidArgument'
    }

    It 'refuses a remote that does not exist, and tags locally with -NoPush' {
        New-MightyTag -Path $repo -Remote upstream -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'RemoteNotFound' 'ObjectNotFound'
        Get-TagNames $repo | Should -BeNullOrEmpty

        $tag = New-MightyTag -Path $repo -Remote upstream -NoPush -WarningVariable warnings 3>$null
        $tag.Tag | Should -Be 'master.1'
        $tag.Pushed | Should -BeFalse
        "$warnings" | Should -Match 'local tags only'
    }

    It 'keeps the tag local with -NoPush, still numbering after origin' {
        $other = New-TagClone $world 'other'
        Invoke-TestGit $other tag master.4
        Invoke-TestGit $other push --quiet origin master.4
        Invoke-TestGit $repo commit --quiet --allow-empty -m 'to release'

        $tag = New-MightyTag -Path $repo -NoPush

        $tag.Tag | Should -Be 'master.5'
        $tag.Pushed | Should -BeFalse
        $tag.Remote | Should -BeNullOrEmpty
        Get-TagNames $repo | Should -Be @('master.5')
        (Get-RemoteTags $world.Origin).Keys | Should -Be @('master.4')
    }

    It 'fails clearly on an unreachable remote and leaves nothing: <Case>' -ForEach @(
        @{ Case = 'missing path'; Url = { param($root) Join-Path $root 'gone/origin.git' } }
        @{ Case = 'http, closed port'; Url = { 'http://127.0.0.1:{0}/app.git' -f (Get-ClosedPort) } }
        @{ Case = 'ssh, closed port'; Url = { 'ssh://git@127.0.0.1:{0}/app.git' -f (Get-ClosedPort) } }
    ) {
        Invoke-TestGit $repo remote set-url origin (& $Url $world.Root)
        $env:GIT_SSH_COMMAND = 'ssh -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            New-MightyTag -Path $repo -ErrorVariable err -ErrorAction SilentlyContinue
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'git never waits for a prompt'
        }
        finally {
            Remove-Item Env:GIT_SSH_COMMAND
        }

        Assert-MightyError $err 'RemoteUnreachable' 'ConnectionError'
        $err[0].Exception.Message | Should -Match "'origin'"
        Get-TagNames $repo | Should -BeNullOrEmpty
    }

    It 'tries the next number when someone takes it during the push, leaving no stray local tag' {
        # The origin's hook plays "someone else": it creates master.1 itself just before our update,
        # so the push fails the way a real race does ("failed to update ref").
        Set-OriginHook $world 'pre-receive' @'
#!/bin/sh
while read old new ref; do
  if [ "$ref" = refs/tags/master.1 ]; then
    env -u GIT_QUARANTINE_PATH git update-ref refs/tags/master.1 "$(git rev-parse refs/heads/master)"
  fi
done
exit 0
'@
        $tag = New-MightyTag -Path $repo -WarningVariable warnings 3>$null

        $tag.Tag | Should -Be 'master.2'
        "$warnings" | Should -Match 'master\.1 was taken on origin'
        Get-TagNames $repo | Should -Be @('master.2')
        (Get-RemoteTags $world.Origin).Keys | Sort-Object | Should -Be @('master.1', 'master.2')
    }

    It 'reports a remote that refuses tags and deletes the local tag' {
        Set-OriginHook $world 'pre-receive' "#!/bin/sh`necho 'release tags are frozen' >&2`nexit 1`n"

        New-MightyTag -Path $repo -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'TagPushRejected' 'PermissionDenied'
        Get-TagNames $repo | Should -BeNullOrEmpty
        Get-RemoteTags $world.Origin | Should -BeNullOrEmpty
    }

    It 'warns about uncommitted changes and still tags the commit' {
        'changed' | Set-Content (Join-Path $repo 'README.md')
        Invoke-TestGit $repo add README.md

        $tag = New-MightyTag -Path $repo -WarningVariable warnings 3>$null

        $tag.Tag | Should -Be 'master.1'
        "$warnings" | Should -Match 'uncommitted changes'
    }

    It 'does not count untracked files as uncommitted changes' {
        'scratch' | Set-Content (Join-Path $repo 'notes.txt')

        New-MightyTag -Path $repo -WarningVariable warnings | Out-Null

        $warnings | Should -BeNullOrEmpty
    }

    It 'creates nothing with -WhatIf and says which tag it would create' {
        $other = New-TagClone $world 'other'
        Invoke-TestGit $other tag master.6
        Invoke-TestGit $other push --quiet origin master.6
        Invoke-TestGit $repo commit --quiet --allow-empty -m 'to release'

        # "What if:" goes to the host, so read it from a child pwsh's console output.
        $pwsh = Get-FreshPwsh
        $whatIf = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "`$PSStyle.OutputRendering = 'PlainText'; Import-Module '$($script:ModuleManifest)'; New-MightyTag -Path '$repo' -WhatIf" 2>&1 | Out-String

        $whatIf | Should -Match 'What if: .*Create annotated tag master\.7 on [0-9a-f]{12} and push it to origin'
        Get-TagNames $repo | Should -BeNullOrEmpty
        (Get-RemoteTags $world.Origin).Keys | Should -Be @('master.6')
    }

    It 'resolves -Path against the PowerShell location, not the process directory' {
        $before = [Environment]::CurrentDirectory
        Push-Location $world.Root
        try {
            [Environment]::CurrentDirectory = [IO.Path]::GetTempPath()
            (New-MightyTag -Path app).Repository | Should -Be $repo
            Set-Location app
            Invoke-TestGit $repo commit --quiet --allow-empty -m more
            (New-MightyTag).Tag | Should -Be 'master.2'
        }
        finally {
            Pop-Location
            [Environment]::CurrentDirectory = $before
        }
    }

    It 'accepts a folder deeper inside the working tree' {
        $deep = New-Item -ItemType Directory (Join-Path $repo 'src/app') | ForEach-Object FullName

        (New-MightyTag -Path $deep).Repository | Should -Be $repo
    }

    It 'needs a tagger identity' {
        Invoke-TestGit $repo config --unset user.name
        Invoke-TestGit $repo config --unset user.email
        Invoke-TestGit $repo config user.useConfigOnly true

        New-MightyTag -Path $repo -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'GitIdentityUnknown' 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'user\.email'
        Get-TagNames $repo | Should -BeNullOrEmpty
    }

    It 'pipes into a consumer that binds -Tag by property name' {
        function Test-Deploy {
            param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $Tag)
            process { "deploy $Tag" }
        }

        New-MightyTag -Path $repo | Test-Deploy | Should -Be 'deploy master.1'
    }

    It 'carries on with the next repository after one fails' {
        $second = New-TagClone $world 'second'
        Invoke-TestGit $second commit --quiet --allow-empty -m other

        $tags = @([pscustomobject]@{ Path = (Join-Path $world.Root 'nope') }, [pscustomobject]@{ Path = 'nosuchdrive:/app' }, [pscustomobject]@{ Path = $second }) |
            New-MightyTag -ErrorVariable err -ErrorAction SilentlyContinue

        $tags.Tag | Should -Be @('master.1')
        $err | Should -HaveCount 2
        Assert-MightyError $err 'NotAGitRepository' 'InvalidArgument'
    }

    It 'takes the repository from Get-Item output (PSPath)' {
        (Get-Item $repo | New-MightyTag).Repository | Should -Be $repo
    }

    It 'says so when git is not installed' {
        $path = $env:PATH
        try {
            $env:PATH = Join-Path $world.Root 'no-git-here'
            New-MightyTag -Path $repo -ErrorVariable err -ErrorAction SilentlyContinue
        }
        finally {
            $env:PATH = $path
        }

        Assert-MightyError $err 'GitNotFound' 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'Install git'
    }

    It 'shows progress for the remote work and always completes it' {
        $ps = [powershell]::Create()
        $null = $ps.AddCommand('Import-Module').AddArgument($script:ModuleManifest).AddStatement().
            AddCommand('New-MightyTag').AddParameter('Path', $repo)
        $result = $ps.Invoke()
        $progress = @($ps.Streams.Progress)
        $ps.Dispose()

        $result[0].Tag | Should -Be 'master.1'
        $progress.StatusDescription | Should -Contain 'Pushing master.1 to origin'
        $progress[-1].RecordType | Should -Be 'Completed'
    }
}

Describe 'Get-MightyTag' {
    BeforeAll {
        $world = New-TagWorld
        $repo = New-TagClone $world 'app'
        $script:commits = @{}
        foreach ($n in 1, 2, 9, 10) {
            Invoke-TestGit $repo commit --quiet --allow-empty -m "master $n"
            $script:commits["master.$n"] = Invoke-TestGit $repo rev-parse HEAD
            Invoke-TestGit $repo tag -a -m "Release master.$n" "master.$n"
        }
        Invoke-TestGit $repo switch --quiet -c feature/login
        New-MightyTag -Path $repo -NoPush | Out-Null
        Invoke-TestGit $repo tag release.2.1
        Invoke-TestGit $repo tag release.3
        Invoke-TestGit $repo tag lightweight.1
        foreach ($lookAlike in 'master.5a', 'master.5.1', 'mastery', 'v1.2.3', '2.0.1', 'feature/x.1') {
            Invoke-TestGit $repo tag $lookAlike
        }
        Invoke-TestGit $repo push --quiet origin --tags
        # On origin only: pushed from another clone, never fetched here.
        $other = New-TagClone $world 'other'
        Invoke-TestGit $other tag -a -m 'from elsewhere' master.11
        Invoke-TestGit $other push --quiet origin master.11
    }
    AfterAll {
        Remove-TagWorld $world
    }

    It 'lists release tags sorted by branch, then number as an integer' {
        $tags = Get-MightyTag -Path $repo

        # master.5.1 is tag 1 of a branch master.5, as release.2.1 is tag 1 of release.2.
        $tags.Tag | Should -Be @('feature-login.1', 'lightweight.1', 'master.1', 'master.2', 'master.9', 'master.10', 'master.5.1', 'release.3', 'release.2.1')
        $tags.Branch | Should -Be @('feature-login', 'lightweight', 'master', 'master', 'master', 'master', 'master.5', 'release', 'release.2')
        ($tags | Where-Object Tag -EQ 'master.10').Commit | Should -Be $script:commits['master.10']
        ($tags | Where-Object Tag -EQ 'master.10').Number | Should -Be 10
        $tags | ForEach-Object { $_.Date | Should -Not -BeNullOrEmpty }
        ($tags | Where-Object Tag -EQ 'lightweight.1').Annotated | Should -BeFalse
        # A tag that records no git branch names the branch its name carries.
        ($tags | Where-Object Tag -EQ 'lightweight.1').GitBranch | Should -Be 'lightweight'
        ($tags | Where-Object Tag -EQ 'feature-login.1').GitBranch | Should -Be 'feature/login'
        ($tags | Where-Object Tag -EQ 'master.2').Message | Should -Be 'Release master.2'
    }

    It 'filters by branch with wildcards and git branch names: <Pattern>' -ForEach @(
        @{ Pattern = 'master'; Expected = @('master.1', 'master.2', 'master.9', 'master.10') }
        @{ Pattern = 'mast*'; Expected = @('master.1', 'master.2', 'master.9', 'master.10', 'master.5.1') }
        @{ Pattern = 'feature/login'; Expected = @('feature-login.1') }
        @{ Pattern = 'feature/*'; Expected = @('feature-login.1') }
        @{ Pattern = 'release'; Expected = @('release.3') }
        @{ Pattern = 'release.2'; Expected = @('release.2.1') }
        @{ Pattern = 'release*'; Expected = @('release.3', 'release.2.1') }
        @{ Pattern = 'v1.2'; Expected = @('v1.2.3') }
    ) {
        (Get-MightyTag -Path $repo -Branch $Pattern).Tag | Should -Be $Expected
    }

    It 'gives the newest tag of each branch with -Latest' {
        (Get-MightyTag -Path $repo -Latest).Tag | Should -Be @('feature-login.1', 'lightweight.1', 'master.10', 'master.5.1', 'release.3', 'release.2.1')
        (Get-MightyTag -Path $repo -Branch master -Latest).Tag | Should -Be 'master.10'
    }

    It 'reads the tags on a remote with -Remote, with details where the local tag is the same' {
        $tags = Get-MightyTag -Path $repo -Branch master -Remote origin

        $tags.Tag | Should -Be @('master.1', 'master.2', 'master.9', 'master.10', 'master.11')
        $tags.Remote | Select-Object -Unique | Should -Be 'origin'
        $onlyThere = $tags | Where-Object Tag -EQ 'master.11'
        $onlyThere.Commit | Should -Be (Invoke-TestGit $world.Origin rev-parse 'master.11^{commit}')
        $onlyThere.Date | Should -BeNullOrEmpty
        ($tags | Where-Object Tag -EQ 'master.2').Tagger | Should -Be 'Test app <app@example.com>'
    }

    It 'writes a not-found error for a named branch without tags and carries on' {
        $tags = Get-MightyTag -Path $repo -Branch nothing, master -ErrorVariable err -ErrorAction SilentlyContinue

        $tags.Tag | Should -Be @('master.1', 'master.2', 'master.9', 'master.10')
        Assert-MightyError $err 'ReleaseTagNotFound' 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nothing'
    }

    It 'writes nothing and no error when a wildcard matches nothing' {
        Get-MightyTag -Path $repo -Branch 'zz*' -ErrorVariable err | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }

    It 'refuses a remote that does not exist' {
        Get-MightyTag -Path $repo -Remote upstream -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'RemoteNotFound' 'ObjectNotFound'
    }

    It 'refuses a folder that is not a git repository' {
        Get-MightyTag -Path $world.Root -ErrorVariable err -ErrorAction SilentlyContinue

        Assert-MightyError $err 'NotAGitRepository' 'InvalidArgument'
    }

    It 'shows a table of tag, branch, commit and date by default' {
        $table = Get-MightyTag -Path $repo -Branch master | Out-String -Width 200

        $table | Should -Match 'Tag\s+GitBranch\s+ShortCommit\s+Date\s+TaggedBy'
        # The date as PowerShell shows a DateTime, in local time; the tagger without the e-mail.
        $master10 = Get-MightyTag -Path $repo -Branch master | Where-Object Tag -EQ 'master.10'
        $table | Should -Match "master\.10\s+master\s+$($script:commits['master.10'].Substring(0, 12))\s+$([regex]::Escape($master10.Date.LocalDateTime.ToString()))\s+Test app"
    }

    It 'uses the PowerShell location when -Path is not given' {
        Push-Location $repo
        try {
            (Get-MightyTag -Branch master -Latest).Tag | Should -Be 'master.10'
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'Tab completion of the tag cmdlets' {
    BeforeAll {
        $world = New-TagWorld
        $repo = New-TagClone $world 'app'
        Invoke-TestGit $repo branch feature/login
        Invoke-TestGit $repo branch hotfix
        Invoke-TestGit $repo tag release.2.4
        Invoke-TestGit $repo tag v1.2.3
        Invoke-TestGit $repo remote add upstream $world.Origin
    }
    AfterAll {
        Remove-TagWorld $world
    }

    It 'completes -Branch of New-MightyTag with local branches and release-tag branches' {
        $all = Get-Completion "New-MightyTag -Path '$repo' -Branch "

        $all | Should -Contain 'master'
        $all | Should -Contain 'feature/login'
        $all | Should -Contain 'hotfix'
        $all | Should -Contain 'release.2'
        $all | Should -Not -Contain 'v1.2' -Because 'version tags are not release tags'
        Get-Completion "New-MightyTag -Path '$repo' -Branch fea" | Should -Be @('feature/login')
    }

    It 'completes -Branch of Get-MightyTag from the current location' {
        Push-Location $repo
        try {
            Get-Completion 'Get-MightyTag -Branch hot' | Should -Be @('hotfix')
        }
        finally {
            Pop-Location
        }
    }

    It 'completes -Remote with the configured remotes' {
        Get-Completion "New-MightyTag -Path '$repo' -Remote " | Should -Be @('origin', 'upstream')
        Get-Completion "Get-MightyTag -Path '$repo' -Remote up" | Should -Be @('upstream')
    }

    It 'completes nothing outside a repository' {
        Get-Completion "New-MightyTag -Path '$($world.Root)' -Branch " | Should -BeNullOrEmpty
    }
}
