# Get-MightyLog against the demo sandbox: the containers' awslogs output, exact windows, -Follow,
# and the crash lines a failed deploy reports.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 200

    # What the sandbox stored for a service's container, oldest first: the reference the cmdlet is checked against.
    function Get-StoredEvent([string] $Group, [string] $Container, [datetimeoffset] $Since, [datetimeoffset] $Until) {
        @($script:sandbox.GetLogEvents($Group) | Where-Object {
            $_.LogStream -like "$Container/$Container/*" -and $_.Timestamp -ge $Since -and $_.Timestamp -le $Until
        })
    }

    function Get-Key($e) { '{0}|{1:o}|{2}' -f $e.LogStream, $e.Timestamp, $e.Message }
}

AfterAll {
    Stop-MightySandbox
}

Describe 'Get-MightyLog' {
    It 'reads the output of every task of a service, merged in time order' {
        $since = $script:sandbox.UtcNow.AddMinutes(-5)
        $events = @(Get-MightyLog -Cluster production -Service WEB -Since $since)
        $events.Count | Should -BeGreaterThan 10
        $events | ForEach-Object { $_ | Should -BeOfType ([MightyOps.MightyLogEvent]) }
        ($events.Container | Sort-Object -Unique) | Should -Be @('application', 'nginx')
        @($events.TaskId | Sort-Object -Unique).Count | Should -Be 2
        $events.Service | Sort-Object -Unique | Should -Be 'WEB'
        $times = $events.Timestamp
        for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeGreaterOrEqual $times[$i - 1] }
        $events[0].LogGroup | Should -Be '/mighty/WEB'
        $events[0].LogStream | Should -Be "$($events[0].Container)/$($events[0].Container)/$($events[0].TaskId)"
    }

    It '-Since returns exactly the stored events from then on' {
        $since = $script:sandbox.UtcNow.AddMinutes(-3)
        $events = @(Get-MightyLog -Cluster production -Service WEB -Container application -Since $since)
        $expected = Get-StoredEvent '/mighty/WEB' application $since $events[-1].Timestamp
        ($events | ForEach-Object { Get-Key $_ }) | Should -Be ($expected | ForEach-Object { Get-Key $_ })
    }

    It '-Tail returns exactly the newest N events' {
        $since = $script:sandbox.UtcNow.AddMinutes(-10)
        $events = @(Get-MightyLog -Cluster production -Service WEB -Container application -Since $since -Tail 7)
        $events.Count | Should -Be 7
        $expected = Get-StoredEvent '/mighty/WEB' application $since $events[-1].Timestamp | Select-Object -Last 7
        ($events | ForEach-Object { Get-Key $_ }) | Should -Be ($expected | ForEach-Object { Get-Key $_ })
    }

    It '-Filter returns exactly the events matching the CloudWatch pattern' {
        $since = $script:sandbox.UtcNow.AddMinutes(-10)
        $events = @(Get-MightyLog -Cluster production -Service WEB -Container application -Since $since -Filter '"Completed 404"')
        $events.Count | Should -BeGreaterThan 0
        $events.Message | ForEach-Object { $_ | Should -BeLike '*Completed 404*' }
        $expected = Get-StoredEvent '/mighty/WEB' application $since $events[-1].Timestamp | Where-Object Message -clike '*Completed 404*'
        ($events | ForEach-Object { Get-Key $_ }) | Should -Be ($expected | ForEach-Object { Get-Key $_ })
    }

    It 'takes piped tasks by property name and reads their last lines with -Tail' {
        $task = Get-MightyLog -Cluster production -Service API -Since $script:sandbox.UtcNow.AddMinutes(-5) | Select-Object -Last 1
        $piped = [pscustomobject]@{ Cluster = 'production'; Service = 'API'; TaskId = $task.TaskId }
        $events = @($piped | Get-MightyLog -Tail 3)
        $events.Count | Should -Be 3
        $events.TaskId | Sort-Object -Unique | Should -Be $task.TaskId
    }

    It 'shows one compact, colour-free line per event' {
        $text = Get-MightyLog -Cluster production -Service WEB -Container nginx -Since $script:sandbox.UtcNow.AddMinutes(-2) -Tail 2 | Out-String -Width 200
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines.Count | Should -Be 2
        $lines[0] | Should -Match '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} WEB\s+[0-9a-f]{8} nginx\s+\S'
        $text | Should -Not -Match "`e"
    }

    It 'completes -Container from the service''s task definition' {
        Get-Completion 'Get-MightyLog -Cluster production -Service WEB -Container ' | Should -Be @('application', 'nginx')
    }
}

Describe 'Get-MightyLog -Follow' {
    It 'picks up later lines and tasks started later, never twice, and stops within a second' {
        $before = @(Get-MightyLog -Cluster production -Service API -Since $script:sandbox.UtcNow.AddMinutes(-1)).TaskId | Sort-Object -Unique
        $since = $script:sandbox.UtcNow
        $job = Start-ThreadJob -ScriptBlock {
            param($manifest, $since)
            Import-Module $manifest
            Get-MightyLog -Cluster production -Service API -Since $since -Follow
        } -ArgumentList $script:ModuleManifest, $since
        try {
            $null = Publish-MightyService -Cluster production -Service API -ForceNewDeployment -NoWait
            $deadline = [datetime]::UtcNow.AddSeconds(90)
            $seen = [Collections.Generic.List[object]]::new()
            do {
                Start-Sleep -Milliseconds 500
                $seen.AddRange(@(Receive-Job $job))
                $newTasks = @($seen.TaskId | Sort-Object -Unique | Where-Object { $_ -notin $before })
            } until (($newTasks.Count -gt 0 -and ($seen | Where-Object { $_.TaskId -in $newTasks -and $_.Message -like '*Listening on*'})) -or [datetime]::UtcNow -gt $deadline)

            $job.State | Should -Be 'Running'
            $newTasks.Count | Should -BeGreaterThan 0 -Because 'the forced deployment starts new tasks after -Follow began'
            @($seen | Where-Object { $_.TaskId -in $before -and $_.Timestamp -gt $since }).Count | Should -BeGreaterThan 0
            $keys = $seen | ForEach-Object { Get-Key $_ }
            @($keys | Sort-Object -Unique).Count | Should -Be $keys.Count -Because 'no event is written twice'

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $job | Stop-Job
            $watch.Stop()
            $job.State | Should -Be 'Stopped'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1
        }
        finally {
            $job | Remove-Job -Force
        }
    }
}

Describe 'Get-MightyLog targeting (the same rules as every -Cluster/-Service cmdlet)' {
    BeforeAll {
        $script:since = $script:sandbox.UtcNow.AddMinutes(-5)
        $script:stagingWebArn = 'arn:aws:ecs:{0}:{1}:service/staging/WEB' -f $script:sandbox.Region, $script:sandbox.AccountId
    }

    It 'reads the cluster a service ARN names, with no -Cluster' {
        $events = @(Get-MightyLog -Service $script:stagingWebArn -Since $script:since)
        $events.Count | Should -BeGreaterThan 0
        $events.Cluster | Sort-Object -Unique | Should -Be 'staging'
        $events.Service | Sort-Object -Unique | Should -Be 'WEB'
    }

    It 'refuses a -Cluster that contradicts the ARN' {
        $events = Get-MightyLog -Cluster production -Service $script:stagingWebArn -ErrorVariable failures -ErrorAction SilentlyContinue
        $events | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterMismatch*'
    }

    It 'matches names case-sensitively and says which spelling exists' {
        $events = Get-MightyLog -Cluster production -Service web -Since $script:since -ErrorVariable failures -ErrorAction SilentlyContinue
        $events | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound*'
        $failures[0].Exception.Message | Should -BeLike "*did you mean 'WEB'*"
    }

    It 'takes several services and wildcards (case-insensitive, as -like)' {
        $events = @(Get-MightyLog -Cluster production -Service w?b, API -Container application -Since $script:since)
        $events.Service | Sort-Object -Unique | Should -Be @('API', 'WEB')
    }

    It 'refuses -TaskId with a wildcard service' {
        $events = Get-MightyLog -Cluster production -Service W* -TaskId 0123456789abcdef -Since $script:since -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.FullyQualifiedErrorId | Should -BeLike 'TaskIdNeedsExactService*'
        $events | Should -BeNullOrEmpty -Because 'the refused record must not fall back to reading the whole service'
    }
}

Describe 'Get-MightyLog bad input' {
    It 'names the log driver of a container that does not use awslogs' {
        $definition = '[{"name":"app","image":"' + $script:sandbox.AccountId + '.dkr.ecr.' + $script:sandbox.Region + '.amazonaws.com/app:master.4","memory":128,"essential":true,"logConfiguration":{"logDriver":"syslog"}}]'
        aws ecs register-task-definition --family plain --container-definitions $definition --output json | Out-Null
        $LASTEXITCODE | Should -Be 0
        aws ecs create-service --cluster production --service-name PLAIN --task-definition plain --desired-count 1 --output json | Out-Null
        $LASTEXITCODE | Should -Be 0

        $events = Get-MightyLog -Cluster production -Service PLAIN -ErrorVariable failures -ErrorAction SilentlyContinue
        $events | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'LogDriverNotAwslogs*'
        $failures[0].Exception.Message | Should -BeLike "*'syslog'*"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'reports a deleted log group as LogGroupNotFound' {
        $script:sandbox.DeleteLogGroup('/mighty/staging-API') | Should -BeTrue
        $null = Get-MightyLog -Cluster staging -Service API -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'LogGroupNotFound*'
        $failures[0].Exception.Message | Should -BeLike '*/mighty/staging-API*'
    }

    It 'ends with a throttling error instead of hanging when every call is throttled' {
        $env:AWS_MAX_ATTEMPTS = '2'
        $script:sandbox.SetFaults(1.0, 0.0)
        try {
            { Get-MightyLog -Cluster production -Service WEB -ErrorAction Stop } | Should -Throw -ErrorId 'AwsThrottled*'
        }
        finally {
            $script:sandbox.SetFaults(0.0, 0.0)
            Remove-Item Env:AWS_MAX_ATTEMPTS
        }
    }
}

Describe 'A failed deploy shows the crash' {
    It 'puts the crash message planted in the image into the error and FailureReason' {
        $marker = 'KeyError: key not found: "STRIPE_SECRET_' + [guid]::NewGuid().ToString('n').Substring(0, 8) + '"'
        $null = $script:sandbox.PushImage('app', 'crash.1')
        $null = $script:sandbox.SetImageCrash('app', 'crash.1', $marker)

        $result = Publish-MightyService -Cluster production -Service API -Tag crash.1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed*'
        $failures[0].Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($marker))*"
        $failures[0].Exception.Message | Should -BeLike '*Last * lines of application in task*'
        $failures[0].Exception.Message | Should -BeLike '*from /app/config/environment.rb*'
        $result.FailureReason | Should -BeLike "*$([WildcardPattern]::Escape($marker))*"
    }
}
