# Part of tools/demo.ps1 (dot-sourced; uses its Show-Step and $script:sandbox).
# Deploys: a release tag made with New-MightyTag, built by the sandbox's "CI", deployed to three
# services, with where WEB's minutes went behind its load balancer and the advice taken; a build
# that crashes on boot, reported and rolled back; Restore-MightyService -Previous, now shorter.
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

    Show-Step 'Migrations first: bin/rails db:migrate once, as a one-off task on the new image (RunTask; its output as it arrives)' {
        Start-MightyTask -Cluster production -Service API -Tag $script:release.Tag -Command 'bin/rails db:migrate' -InformationAction Continue |
            Format-List Service, TaskId, TaskDefinitionArn, ExitCode, Duration
    }

    Show-Step 'Deploy it to three services at once: images checked in ECR, one watch loop, events as they happen' {
        $script:deployed = @($script:release | Publish-MightyService -Cluster production -Service WEB, API, default -InformationAction Continue)
        $script:deployed
    }

    Show-Step 'Where WEB''s minutes went (it is behind web-tg, AWS''s defaults): the timeline, the slowest phase, the setting to change' {
        $web = $script:deployed | Where-Object Service -EQ WEB
        $web | Format-List Service, Duration, TimelineBar, SlowestPhase
        $web.Timeline
        $web.Advice
    }

    Show-Step 'Take the advice: lower web-tg''s deregistration delay to 30 s (ELBv2 ModifyTargetGroupAttributes, with the AWS CLI)' {
        $webTg = (aws elbv2 describe-target-groups --names web-tg | ConvertFrom-Json).TargetGroups[0].TargetGroupArn
        aws elbv2 modify-target-group-attributes --target-group-arn $webTg --attributes Key=deregistration_delay.timeout_seconds,Value=30 --query 'Attributes[?Key==`deregistration_delay.timeout_seconds`].[Key,Value]' --output text
    }

    Show-Step 'A build that crashes on boot: the deploy fails, says why, and is rolled back' {
        Publish-MightyService -Cluster production -Service API -Tag broken.1 -ErrorAction Continue 2>&1 |
            ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { "error $($_.FullyQualifiedErrorId): $_" } else { $_ | Out-String } }
    }

    Show-Step 'Roll WEB back to the revision deployed before the last one (from the mightyops:previous-task-definition tag): a deploy, now with 30 s of draining' {
        $restored = Restore-MightyService -Cluster production -Service WEB -Previous
        $restored | Format-List Service, Status, Duration, TimelineBar, SlowestPhase
        $restored.Advice
        $before = ($script:deployed | Where-Object Service -EQ WEB).Duration
        "WEB: $before with the 300 s default, $($restored.Duration) with 30 s: $($before - $restored.Duration) shorter"
    }

    Show-Step 'What happened to WEB, oldest first' {
        Get-MightyServiceEvent -Cluster production -Service WEB -Last 8 | Format-Table CreatedAt, Message -Wrap
    }

    Show-Step 'ECS''s own ledger of WEB''s deployments, newest first (ListServiceDeployments, DescribeServiceDeployments)' {
        Get-MightyDeployment -Cluster production -Service WEB -Last 4
    }

    Show-Step 'Staging API deploys blue/green and waits at a pause hook for a person: look, then let it go on' {
        $paused = Get-MightyDeployment -Cluster staging -Service API -Last 1
        $paused | Format-List Service, Strategy, LifecycleStage, EcsStatus, StatusReason
        $paused | Resume-MightyDeployment -Continue -Confirm:$false | Wait-MightyDeployment | Format-List Service, Status, EcsStatus, Strategy, LifecycleStage
    }
}
finally {
    Pop-Location
    Remove-Item $script:deployDemo -Recurse -Force -ErrorAction SilentlyContinue
}
