# Part of tools/demo.ps1 (dot-sourced; uses its Show-Step and $script:sandbox).
# Deploys: a release tag made with New-MightyTag, built by the sandbox's "CI", deployed to three
# services; a build that crashes on boot, reported and rolled back; Restore-MightyService -Previous.
$script:deployDemo = Join-Path ([IO.Path]::GetTempPath()) "mightyops-demo-deploy-$PID"
git init --quiet --bare --initial-branch=master "$script:deployDemo/origin.git"
git clone --quiet "$script:deployDemo/origin.git" "$script:deployDemo/app" 2>$null
Push-Location "$script:deployDemo/app"
try {
    git config user.name 'Demo'
    git config user.email 'demo@example.com'
    # The history the demo registry was built from: master.1 to master.4 are in ECR already.
    foreach ($n in 1..4) {
        git commit --quiet --allow-empty -m "release $n"
        git tag "master.$n"
    }
    git commit --quiet --allow-empty -m 'the next change'
    git push --quiet --tags origin master 2>$null

    Show-Step 'Tag the next release; CI builds and pushes its images (here: the sandbox''s PushImage)' {
        $script:release = New-MightyTag
        $script:release | Format-Table Tag, Branch, Number, Pushed
        $script:sandbox.PushImage('app', $script:release.Tag), $script:sandbox.PushImage('nginx-proxy', $script:release.Tag) | Format-Table Repository, Tag, Digest
    }

    Show-Step 'What the deploy would change, without changing anything' {
        $script:release | Publish-MightyService -Cluster production -Service WEB -WhatIf
    }

    Show-Step 'Deploy it to three services at once: images checked in ECR, one watch loop, events as they happen' {
        $script:release | Publish-MightyService -Cluster production -Service WEB, API, default -InformationAction Continue
    }

    Show-Step 'A build that crashes on boot: the deploy fails, says why, and is rolled back' {
        Publish-MightyService -Cluster production -Service API -Tag broken.1 -ErrorAction Continue 2>&1 |
            ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { "error $($_.FullyQualifiedErrorId): $_" } else { $_ | Out-String } }
    }

    Show-Step 'Roll WEB back to the revision deployed before the last one (from the mightyops:previous-task-definition tag)' {
        Restore-MightyService -Cluster production -Service WEB -Previous
    }

    Show-Step 'What happened to WEB, oldest first' {
        Get-MightyServiceEvent -Cluster production -Service WEB -Last 8 | Format-Table CreatedAt, Message -Wrap
    }
}
finally {
    Pop-Location
    Remove-Item $script:deployDemo -Recurse -Force -ErrorAction SilentlyContinue
}
