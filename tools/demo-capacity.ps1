# Part of tools/demo.ps1 (dot-sourced; uses Show-Step of tools/demo-output.ps1, and $script:sandbox).
# Capacity: the worker group is tight; a worker deploy that would not fit is said before anything
# is registered, -Fit adds the instances, and the deploy then completes.
Show-Step 'Capacity per Auto Scaling group: free CPU and memory, tasks wanted and running, instances the services need' {
    Get-MightyCapacity -Cluster production
}

Show-Step 'A busy day: the default queue''s workers go to 30 (set by hand, capacity not checked)' {
    Set-MightyQueueScale -Cluster production -Queue default -Count 30 -Force -CapacityCheck Off | Out-Host
    $script:sandbox.AdvanceTime([timespan]::FromMinutes(2))
    Get-MightyCapacity -Cluster production -Service default
}

Show-Step 'A rolling deploy of default needs room for 30 more tasks: said before anything is registered' {
    Publish-MightyService -Cluster production -Service default -ForceNewDeployment -CapacityCheck Strict -ErrorAction Continue 2>&1 |
        ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { "error $($_.FullyQualifiedErrorId): $_" } else { $_ } }
}

Show-Step 'The plan: the worker group sized to what its services need, a rollout of the largest included' {
    Get-MightyCapacity -Cluster production -Service default | Set-MightyClusterCapacity -Fit -WhatIf
}

Show-Step 'Do it: SetDesiredCapacity, then wait until the new instances have registered with the cluster' {
    Get-MightyCapacity -Cluster production -Service default | Set-MightyClusterCapacity -Fit -Confirm:$false | Format-List
}

Show-Step 'The same deploy now fits, and completes' {
    Publish-MightyService -Cluster production -Service default -ForceNewDeployment
}

Show-Step 'The day is over: back to 2 workers, and the group scaled in by draining (no running task is killed)' {
    Set-MightyQueueScale -Cluster production -Queue default -Count 2 -Force | Out-Host
    $script:sandbox.AdvanceTime([timespan]::FromMinutes(2))
    Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -Fit -SpareInstances 1 -Confirm:$false | Format-List
}

Show-Step 'A group ECS sizes itself (a capacity provider with managed scaling) is left to ECS' {
    Set-MightyClusterCapacity -Cluster staging -AutoScalingGroup staging -DesiredCapacity 2 -ErrorAction Continue 2>&1 |
        ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { "error $($_.FullyQualifiedErrorId): $_" } else { $_ } }
}
