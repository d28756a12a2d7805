# Thirty piped services deployed together, on a clean sandbox and then with throttling and server
# errors injected into every service the deploy calls (ECS, ECR, S3 for the secrets, EC2 for a
# task read): every one finishes, with exactly one new revision each, and the numbers per service
# (attempts, faults, retries, failed calls) are printed side by side.

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
            $running = @($script:sandbox.GetContainers('production', $result.Service) | Where-Object LastStatus -EQ 'RUNNING' | ForEach-Object TaskDefinitionArn | Sort-Object -Unique)
            if ($running) { $running | Should -Be @($result.TaskDefinitionArn) }
        }
    }

    It 'finishes all 30 with one new revision each under 20% throttling and 5% server errors, S3 and EC2 included' {
        $before = Get-RevisionCount
        # A new secrets document, so that every worker gets a new env file: one S3 GetObject, then
        # a HeadObject and a PutObject per service.
        $work = Join-Path ([IO.Path]::GetTempPath()) ("mighty-storm-" + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $work | Out-Null
        Set-Content -Path (Join-Path $work 'storm.json') -Value ('{"STORM_TOKEN":"' + [guid]::NewGuid().ToString('n') + '"}')
        aws s3 cp (Join-Path $work 'storm.json') 's3://mighty-secrets/storm.json' --quiet
        $config = Join-Path $work 'mighty.psd1'
        Set-Content -Path $config -Value "@{ Cluster = 'production'; Secrets = @{ Source = 's3://mighty-secrets/storm.json' } }"
        # A quarter of all requests fail here. With the default 5 attempts a call gives up after 5
        # faults in a row (0.25^5, about 1 in 1000), and the 30 deploys make a few hundred calls:
        # the test would fail a run in ten for a reason it does not test. 10 attempts (1 in a
        # million per call) leave what it does test: every deploy finishes, none registers twice.
        $savedAttempts = $env:AWS_MAX_ATTEMPTS
        $env:AWS_MAX_ATTEMPTS = '10'
        $script:sandbox.ResetRequestCounts()
        $script:sandbox.SetFaults(0.2, 0.05)
        try {
            $elapsed = Measure-Command {
                # -Verbose: every retry is a line "<service> <operation>: <error>; retrying in …".
                $script:output = @($script:workers | Publish-MightyService -Tag master.6 -ConfigPath $config -Verbose -ErrorVariable failed -ErrorAction SilentlyContinue 4>&1)
                # EC2 is called to find the tasks' hosts.
                foreach ($read in 1..5) {
                    $script:output += @(Get-MightyTask -Cluster production -Service $script:workers.Service -Verbose -ErrorVariable +failed -ErrorAction SilentlyContinue 4>&1)
                }
            }
            Write-Host "30 deploys and 5 task reads with faults took $([int]$elapsed.TotalSeconds) s"
            $requests = $script:sandbox.RequestCounts
            $faults = $script:sandbox.FaultCounts
        }
        finally {
            $script:sandbox.SetFaults(0, 0)
            $env:AWS_MAX_ATTEMPTS = $savedAttempts
            Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
        }
        $results = @($script:output | Where-Object { $_ -is [MightyOps.MightyDeployment] })
        $verbose = @($script:output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        # Per service: HTTP attempts and faults injected (the sandbox's counts), retries (the module's own log).
        $rows = foreach ($service in 'ECS', 'ECR', 'S3', 'EC2') {
            $prefix = $service.ToLowerInvariant() + '.'
            $attempts = ($requests.GetEnumerator() | Where-Object Key -Like "$prefix*" | Measure-Object Value -Sum).Sum
            $injected = ($faults.GetEnumerator() | Where-Object Key -Like "$prefix*" | Measure-Object Value -Sum).Sum
            $retries = @($verbose | Where-Object { $_ -match "^$service \w+: .*; retrying in " }).Count
            [pscustomobject]@{ Service = $service; Attempts = [int]$attempts; Faults = [int]$injected; Retries = $retries; FailedCalls = [int]$injected - $retries }
        }
        Write-Host ($rows | Format-Table -AutoSize | Out-String)

        $failed | Should -BeNullOrEmpty
        $results.Count | Should -Be 30
        $results | ForEach-Object { $_.Status | Should -Be 'Completed' -Because "$($_.Service) should complete despite the faults" }
        $after = Get-RevisionCount
        foreach ($worker in $script:workers) {
            $after[$worker.Service] | Should -Be ($before[$worker.Service] + 1) -Because "$($worker.Service) gets exactly one new revision"
        }
        $s3 = $rows | Where-Object Service -EQ 'S3'
        $s3.Attempts | Should -BeGreaterOrEqual 61 -Because 'one GetObject and a HeadObject and a PutObject per service'
        ($rows | Where-Object Service -EQ 'EC2').Attempts | Should -BeGreaterOrEqual 5
        $s3.Faults | Should -BeGreaterThan 0 -Because 'the storm reaches S3 too'
        ($rows | Where-Object Service -EQ 'ECS').Faults | Should -BeGreaterThan 0
        foreach ($row in $rows) {
            $row.Retries | Should -Be $row.Faults -Because "every fault $($row.Service) answered was retried with the module's policy, and no call failed"
        }
    }
}
