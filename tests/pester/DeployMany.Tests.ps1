# Thirty piped services deployed together, on a clean sandbox and then with throttling and server
# errors injected: every one finishes, with exactly one new revision each.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    $null = $script:sandbox.PushImage('app', 'master.5')
    $null = $script:sandbox.PushImage('app', 'master.6')
    $script:workers = @(Get-MightyService -Cluster production | Where-Object Service -NotIn 'WEB', 'API')

    # Revisions per family, from one paged ListTaskDefinitions (the real CLI follows the pages).
    function Get-RevisionCount {
        $counts = @{}
        foreach ($arn in (aws ecs list-task-definitions | ConvertFrom-Json).taskDefinitionArns) {
            $family = ($arn -split '/')[-1] -replace ':\d+$', ''
            $counts[$family] = 1 + [int]$counts[$family]
        }
        $counts
    }
}

AfterAll {
    Stop-MightySandbox
}

Describe 'Publish-MightyService with 30 piped services' {
    It 'deploys all 30 in one watch loop and each runs its new revision' {
        $script:workers.Count | Should -Be 30
        $script:sandbox.ResetRequestCounts()
        $results = @($script:workers | Publish-MightyService -Tag master.5)
        $counts = $script:sandbox.RequestCounts
        $results.Count | Should -Be 30
        $results | ForEach-Object { $_.Status | Should -Be 'Completed' -Because "$($_.Service) should complete" }
        $counts['ecs.RegisterTaskDefinition'] | Should -Be 30
        $counts['ecs.UpdateService'] | Should -Be 30
        # Planning describes them in 3 batches of 10 and each poll 3 at most: one call per service
        # would be 30 on the first poll alone.
        $counts['ecs.DescribeServices'] | Should -BeLessThan 30
        foreach ($result in $results) {
            $running = @($script:sandbox.GetContainers('production', $result.Service) | Where-Object LastStatus -EQ 'RUNNING' | ForEach-Object TaskDefinition | Sort-Object -Unique)
            if ($running) { $running | Should -Be @($result.TaskDefinition) }
        }
    }

    It 'finishes all 30 with one new revision each under 20% throttling and 5% server errors' {
        $before = Get-RevisionCount
        # A quarter of all requests fail here. With the default 5 attempts a call gives up after 5
        # faults in a row (0.25^5, about 1 in 1000), and the 30 deploys make a few hundred calls:
        # the test would fail a run in ten for a reason it does not test. 10 attempts (1 in a
        # million per call) leave what it does test: every deploy finishes, none registers twice.
        $savedAttempts = $env:AWS_MAX_ATTEMPTS
        $env:AWS_MAX_ATTEMPTS = '10'
        $script:sandbox.SetFaults(0.2, 0.05)
        try {
            $elapsed = Measure-Command { $script:results = @($script:workers | Publish-MightyService -Tag master.6 -ErrorVariable failed -ErrorAction SilentlyContinue) }
            Write-Host "30 deploys with faults took $([int]$elapsed.TotalSeconds) s"
            $results = $script:results
        }
        finally {
            $script:sandbox.SetFaults(0, 0)
            $env:AWS_MAX_ATTEMPTS = $savedAttempts
        }
        $failed | Should -BeNullOrEmpty
        $results.Count | Should -Be 30
        $results | ForEach-Object { $_.Status | Should -Be 'Completed' -Because "$($_.Service) should complete despite the faults" }
        $after = Get-RevisionCount
        foreach ($worker in $script:workers) {
            $after[$worker.Service] | Should -Be ($before[$worker.Service] + 1) -Because "$($worker.Service) gets exactly one new revision"
        }
    }
}
