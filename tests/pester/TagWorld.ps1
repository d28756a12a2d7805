# Dot-sourced by the Tag*.Tests.ps1 files after Common.ps1: real git repositories in a temporary
# folder, a bare "origin" and clones of it. The user's global and system git config are kept out
# (each clone sets its own user.name/email), so the tests behave the same on any machine.

$env:GIT_CONFIG_NOSYSTEM = '1'
$env:GIT_CONFIG_GLOBAL = Join-Path ([IO.Path]::GetTempPath()) 'mighty-tag-tests.gitconfig'
Set-Content -Path $env:GIT_CONFIG_GLOBAL -Value '' -NoNewline

# git in a repository: stdout lines back, a failure throws. A simple function on purpose, so
# arguments such as -c or --quiet go to git instead of being bound as PowerShell parameters.
function Invoke-TestGit {
    $repo, $rest = $args
    $output = & git -C $repo @rest 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "git $($rest -join ' ') failed in ${repo}: $($output -join "`n")"
    }
    $output | Where-Object { $_ -is [string] }
}

# A temporary folder with a bare origin.git whose master has one commit.
function New-TagWorld {
    $root = Join-Path ([IO.Path]::GetTempPath()) ('mighty-tag-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $origin = Join-Path $root 'origin.git'
    Invoke-TestGit $root init --quiet --bare --initial-branch=master $origin
    $world = [pscustomobject]@{ Root = $root; Origin = $origin }
    $seed = New-TagClone $world 'seed'
    'hello' | Set-Content (Join-Path $seed 'README.md')
    Invoke-TestGit $seed add README.md
    Invoke-TestGit $seed commit --quiet -m 'first commit'
    Invoke-TestGit $seed push --quiet origin master
    $world
}

# A clone of the world's origin with its own identity; returns its path.
function New-TagClone {
    param([Parameter(Mandatory)] $World, [Parameter(Mandatory)] [string] $Name)
    $path = Join-Path $World.Root $Name
    Invoke-TestGit $World.Root clone --quiet $World.Origin $path
    Invoke-TestGit $path config user.name "Test $Name"
    Invoke-TestGit $path config user.email "$Name@example.com"
    $path
}

function Remove-TagWorld {
    param($World)
    if ($World -and (Test-Path $World.Root)) {
        Remove-Item $World.Root -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Installs a hook in origin.git (a shell script; git runs it with /bin/sh).
function Set-OriginHook {
    param([Parameter(Mandatory)] $World, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Script)
    $hook = Join-Path $World.Origin "hooks/$Name"
    [IO.File]::WriteAllText($hook, ($Script -replace "`r`n", "`n"))
    & chmod +x $hook
}

# Local tag names of a repository, in git's order.
function Get-TagNames {
    param([Parameter(Mandatory)] [string] $Repo)
    Invoke-TestGit $Repo for-each-ref '--format=%(refname:strip=2)' refs/tags
}

# The tags of a (bare) repository as name -> commit; nothing when it has none.
function Get-RemoteTags {
    param([Parameter(Mandatory)] [string] $Repo)
    $tags = [ordered]@{}
    foreach ($line in Invoke-TestGit $Repo for-each-ref '--format=%(refname:strip=2) %(objectname) %(*objectname)' refs/tags) {
        $name, $object, $peeled = $line -split ' '
        $tags[$name] = if ($peeled) { $peeled } else { $object }
    }
    if ($tags.Count) { $tags }
}

# A loopback port nobody listens on.
function Get-ClosedPort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $port
}

# Asserts the first error of an -ErrorVariable is the MightyOps error with that id and category.
function Assert-MightyError {
    param($Errors, [string] $Id, [string] $Category)
    $Errors | Should -Not -BeNullOrEmpty -Because "a $Id error was expected"
    $Errors[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
    "$($Errors[0].CategoryInfo.Category)" | Should -Be $Category
}
