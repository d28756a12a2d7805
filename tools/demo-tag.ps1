# Part of tools/demo.ps1 (dot-sourced; uses its Show-Step).
# Release tags: New-MightyTag / Get-MightyTag in a scratch repository with a bare "origin" on disk.
$script:tagDemo = Join-Path ([IO.Path]::GetTempPath()) "mightyops-demo-tags-$PID"
git init --quiet --bare --initial-branch=master "$script:tagDemo/origin.git"
git clone --quiet "$script:tagDemo/origin.git" "$script:tagDemo/app" 2>$null
Push-Location "$script:tagDemo/app"
try {
    git config user.name 'Demo'
    git config user.email 'demo@example.com'
    git commit --quiet --allow-empty -m 'first commit'
    git push --quiet origin master 2>$null

    Show-Step 'Release tags: what New-MightyTag would create (it reads origin''s tags first)' {
        New-MightyTag -WhatIf
    }
    Show-Step 'Create master.1: an annotated tag, pushed alone to origin' {
        New-MightyTag
    }
    Show-Step 'A new commit gets the next number; the object carries Tag, so it pipes into Publish-MightyService' {
        git commit --quiet --allow-empty -m 'second commit'
        New-MightyTag | Format-List Tag, Branch, Number, Commit, Remote, Pushed
    }
    Show-Step 'A branch with / is made Docker-safe (feature/login -> feature-login), and the output shows both' {
        git switch --quiet -c feature/login
        New-MightyTag
    }
    Show-Step 'Running it again on a tagged commit returns the same tag with a warning' {
        New-MightyTag 3>&1
    }
    Show-Step 'The release tags on origin, sorted by branch, then number' {
        Get-MightyTag -Remote origin
    }
}
finally {
    Pop-Location
    Remove-Item $script:tagDemo -Recurse -Force -ErrorAction SilentlyContinue
}
