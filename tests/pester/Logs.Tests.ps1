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

    # Text without its blanks: a wrapped line compares equal to the whole one, wherever it was broken.
    function Get-Squeezed([string] $Text) { $Text -replace '\s', '' }

    # What the view must show of an event, whole: its short task id, container and message.
    function Get-ShownLine($e) { '{0}/{1} | {2}' -f $e.ShortTaskId, $e.Container, $e.Message }
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

    It '-Tail counts per service when several are read' {
        $since = $script:sandbox.UtcNow.AddMinutes(-10)
        $events = @(Get-MightyLog -Cluster production -Service WEB, API -Container application -Since $since -Tail 4)
        $events.Count | Should -Be 8
        foreach ($service in 'WEB', 'API') {
            $mine = @($events | Where-Object Service -EQ $service)
            $expected = Get-StoredEvent "/mighty/$service" application $since $mine[-1].Timestamp | Select-Object -Last 4
            ($mine | ForEach-Object { Get-Key $_ }) | Should -Be ($expected | ForEach-Object { Get-Key $_ })
        }
    }

    It 'shows one compact, colour-free line per event: short time, service/task/container, the message' {
        $text = Get-MightyLog -Cluster production -Service WEB -Container nginx -Since $script:sandbox.UtcNow.AddMinutes(-2) -Tail 2 | Out-String -Width 200
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines.Count | Should -Be 2
        $lines[0] | Should -Match '^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d WEB/[0-9a-f]{8}/nginx \| \S'
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
    BeforeAll {
        # A crash message longer than any terminal line, with a marker to find it by.
        $script:marker = 'KeyError: key not found: "STRIPE_SECRET_' + [guid]::NewGuid().ToString('n').Substring(0, 8) + '"' +
            ' (set it in the secrets document under "API" or "shared" and deploy again; config/initializers/stripe.rb reads it at boot, before Puma listens)'
        $null = $script:sandbox.PushImage('app', 'crash.1')
        $null = $script:sandbox.SetImageCrash('app', 'crash.1', $script:marker)
        $script:crashSince = $script:sandbox.UtcNow

        $script:result = Publish-MightyService -Cluster production -Service API -Tag crash.1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $script:failures = $failures
        $script:message = $failures[0].Exception.Message
        # The tasks of the failed revision (its image crashes), each crashed the same way.
        $script:crashed = @(Get-MightyTask -Cluster production -Service API -DesiredStatus STOPPED | Where-Object { $_.Containers.Image -like '*/app:crash.1' })
    }

    It 'puts the crash message planted in the image into the error and FailureReason' {
        $script:failures.Count | Should -Be 1
        $script:failures[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed*'
        $script:message | Should -BeLike "*$([WildcardPattern]::Escape($script:marker))*"
        $script:message | Should -BeLike '*Last * lines of application in task*'
        $script:message | Should -BeLike '*from /app/config/environment.rb*'
        $script:result.FailureReason | Should -BeLike "*$([WildcardPattern]::Escape($script:marker))*"
    }

    It 'tells the tasks that crashed the same way once, says each thing once, and fits a screen' {
        $script:crashed.Count | Should -BeGreaterOrEqual 2 -Because 'several tasks of the revision crashed'
        foreach ($text in $script:message, $script:result.FailureReason) {
            ([regex]::Matches($text, [regex]::Escape($script:marker))).Count | Should -Be 1
            $text | Should -Match "(?m)^$($script:crashed.Count) tasks crashed the same way\. Last \d+ lines of application in task [0-9a-f]{8} \(exit code 1, log group /mighty/API\):$"
            ([regex]::Matches($text, 'Essential container in task exited')).Count | Should -Be 1
            $text | Should -Match "$($script:crashed.Count) tasks of this deployment stopped: Essential container in task exited \(application exit code 1\)\."
            ([regex]::Matches($text, 'tasks failed to start')).Count | Should -BeLessOrEqual 1
        }
        # At 80 columns, as a terminal wraps each line.
        $rows = ($script:message -split "`n" | ForEach-Object { [Math]::Max(1, [Math]::Ceiling($_.Length / 80)) } | Measure-Object -Sum).Sum
        $rows | Should -BeLessOrEqual 25 -Because "the error fits a screen; it took $rows lines at 80 columns"
    }

    It 'FailureReason reads well in a list: tabs expanded, the crash lines indented alike' {
        $script:result.FailureReason | Should -Not -Match "`t"
        $lines = $script:result.FailureReason -split "`n"
        $heading = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match 'Last \d+ lines of application' })
        $heading | Should -BeGreaterThan 0
        $lines | Select-Object -Skip ($heading + 1) | ForEach-Object { $_ | Should -Match '^  \S|^      \S' }
        $list = $script:result | Format-List | Out-String -Width 80
        $list | Should -Not -Match "`t"
        ($list -split "`r?`n" | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
    }

    It '-Tail counts per task when stopped tasks are piped' {
        $tasks = @(Get-MightyTask -Cluster production -Service API -DesiredStatus STOPPED)
        $tasks.Count | Should -BeGreaterOrEqual 2
        $events = @($tasks | Get-MightyLog -Tail 5)
        $events.Count | Should -Be (5 * $tasks.Count) -Because 'each of the tasks printed 5 lines or more'
        foreach ($task in $tasks) {
            @($events | Where-Object TaskId -EQ $task.TaskId).Count | Should -Be 5
        }
    }

    It 'shows each line whole: at 80 and 120 columns, in a file and from a non-interactive run' {
        $events = @(Get-MightyLog -Cluster production -Service API -Container application -Since $script:crashSince)
        @($events | Where-Object { $_.Message.Contains($script:marker) }).Count | Should -BeGreaterOrEqual 2
        @($events | Where-Object { $_.Message.Length -gt 120 }).Count | Should -BeGreaterThan 2 -Because 'the Rails lines and the crash are longer than a line'

        foreach ($width in 80, 120) {
            $text = $events | Out-String -Width $width
            ($text -split "`r?`n" | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual $width
            $text | Should -Not -Match '…'
            $squeezed = Get-Squeezed $text
            foreach ($e in $events) {
                $squeezed.Contains((Get-Squeezed (Get-ShownLine $e))) | Should -BeTrue -Because "at $width columns the line of $($e.TaskId) shows whole: $($e.Message)"
            }
        }

        # Out-File writes each event on one line, as docker logs does.
        $file = Join-Path $TestDrive 'api.log'
        $events | Out-File $file
        $lines = @(Get-Content $file | Where-Object { $_ })
        $lines.Count | Should -Be $events.Count
        for ($i = 0; $i -lt $events.Count; $i++) {
            $lines[$i].EndsWith((Get-ShownLine $events[$i])) | Should -BeTrue -Because "line $i of the file is the whole event: $($events[$i].Message)"
        }

        # A non-interactive run with its output redirected: the host wraps at its width, nothing is cut.
        $pwsh = Get-FreshPwsh
        $out = Join-Path $TestDrive 'run.log'
        $command = "Import-Module '$script:ModuleManifest'; Get-MightyLog -Cluster production -Service API -Container application -Since '$($script:crashSince.ToString('o'))'"
        & /bin/sh -c 'out="$1"; shift; exec "$@" > "$out" 2>&1' sh $out @pwsh -NoProfile -NonInteractive -Command $command
        $run = Get-Content -Raw $out
        $run | Should -Not -Match '…'
        $squeezed = Get-Squeezed $run
        foreach ($e in $events) {
            $squeezed.Contains((Get-Squeezed (Get-ShownLine $e))) | Should -BeTrue -Because "the redirected run shows the line of $($e.TaskId) whole: $($e.Message)"
        }
    }
}
