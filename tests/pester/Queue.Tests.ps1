# Get-MightyQueue and Set-MightyQueueScale against the demo sandbox (one service per Sidekiq queue)
# and a real redis-server filled by the real Sidekiq client.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/QueueWorld.ps1
    $script:redis = Start-TestRedis
    $script:savedRedisUrl = $env:REDIS_URL
    $env:REDIS_URL = $script:redis.Url

    function Reset-World {
        if (Get-Variable -Name sandbox -Scope Script -ErrorAction SilentlyContinue) { Stop-MightySandbox }
        $script:sandbox = Start-MightySandbox -Seed demo
        Invoke-Sidekiq $script:redis.Url 'Sidekiq.redis { |c| c.flushdb }' | Out-Null
        Push-SidekiqJob $script:redis.Url @{ mailers = 412; default = 37; ios_web_scrape = 1200; orphan = 5 } -Age ([timespan]'00:07:00')
    }

    function Get-Count([string] $Operation) { $script:sandbox.RequestCounts[$Operation] ?? 0 }

    function Get-Desired([string] $Service) { (Get-MightyService -Cluster production -Service $Service).DesiredTasks }
}

AfterAll {
    Stop-MightySandbox
    Stop-TestRedis $script:redis
    $env:REDIS_URL = $script:savedRedisUrl
}

Describe 'Get-MightyQueue' {
    BeforeAll { Reset-World }

    It 'reports Size, Latency and Busy as Sidekiq''s own API does, next to each queue''s service' {
        # Sidekiq's numbers just before and just after ours: latency grows while we look.
        $sidekiq = 'puts JSON.dump(Sidekiq::Queue.all.to_h { |q| [q.name, [q.size, q.latency]] })'
        $expected = Invoke-Sidekiq $script:redis.Url $sidekiq | ConvertFrom-Json -AsHashtable
        $queues = @(Get-MightyQueue -Cluster production -WarningAction SilentlyContinue)
        $after = Invoke-Sidekiq $script:redis.Url $sidekiq | ConvertFrom-Json -AsHashtable
        $queues.Queue | Should -Be @('default', 'ios_web_scrape', 'mailers', 'orphan')
        foreach ($queue in $queues) {
            $queue | Should -BeOfType ([MightyOps.MightyQueue])
            $queue.Size | Should -Be $expected[$queue.Queue][0]
            $queue.Latency.TotalSeconds | Should -BeGreaterOrEqual ($expected[$queue.Queue][1] - 1)
            $queue.Latency.TotalSeconds | Should -BeLessOrEqual ($after[$queue.Queue][1] + 1)
            $queue.Busy | Should -Be 0
        }
        $mailers = $queues | Where-Object Queue -EQ mailers
        $mailers.Service | Should -BeExactly 'mailers'
        $mailers.Cluster | Should -Be 'production'
        $mailers.DesiredTasks | Should -Be 2
        $mailers.RunningTasks | Should -Be 2
        ($mailers.MinCount, $mailers.MaxCount, $mailers.JobsPerTask, $mailers.CooldownMinutes) | Should -Be @(0, 10, 100, 10)
        $mailers.SuggestedCount | Should -Be 5
        $mailers.Reason | Should -Be '412 waiting, 100 per task → 5'
        $mailers.CannotPlace | Should -BeFalse
        ($queues | Where-Object Queue -EQ ios_web_scrape).SuggestedCount | Should -Be 10
    }

    It 'reports a queue that no service works with an empty Service and a warning, never a guess' {
        $orphan = Get-MightyQueue -Cluster production -Name orphan -WarningVariable warnings -WarningAction SilentlyContinue
        $orphan.Service | Should -BeNullOrEmpty
        $orphan.Size | Should -Be 5
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Match "No ECS service in cluster 'production' works queue 'orphan' \(5 waiting\)"
    }

    It 'filters by exact name and wildcard, and a name that matches nothing is QueueNotFound' {
        $found = Get-MightyQueue -Cluster production -Name mailers, '*SCRAPE', Mailers -ErrorVariable failures -ErrorAction SilentlyContinue
        $found.Queue | Should -Be @('ios_web_scrape', 'mailers')
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'QueueNotFound,*'
        $failures[0].TargetObject | Should -BeExactly 'Mailers'
        "$($failures[0])" | Should -Match "did you mean 'mailers'"
    }

    It 'costs one ListServices page and DescribeServices in batches of 10, nothing per queue' {
        $script:sandbox.ResetRequestCounts()
        Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Out-Null
        $script:sandbox.RequestCounts['ecs.ListServices'] | Should -Be 1
        $script:sandbox.RequestCounts['ecs.DescribeServices'] | Should -Be 4 -Because '32 services are 4 batches of 10'
        ($script:sandbox.RequestCounts.Keys | Where-Object { $_ -notin 'ecs.ListServices', 'ecs.DescribeServices' }) | Should -BeNullOrEmpty
    }

    It 'shows a table that fits 120 columns, with the suggested count' {
        $lines = (Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Out-String -Width 120) -split "`n"
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $lines | Where-Object { $_ -match '^Queue\s+Service\s+Size\s+Wait\s+Busy\s+Tasks' } | Should -Not -BeNullOrEmpty
        $lines | Where-Object { $_ -match '^mailers\s+mailers\s+412\s+0:07:\d\d\s+0 2/2 → 5$' } | Should -Not -BeNullOrEmpty
        ((Get-MightyQueue -Cluster production -Name mailers | Out-String -Width 80) -split "`n") | Where-Object { $_ -match '2/2 → 5$' } | Should -Not -BeNullOrEmpty -Because 'the usual counts fit 80 columns too'
        $lines | Where-Object { $_ -match '^orphan\s+5\s+0:07:\d\d\s+0 \(no service\)$' } | Should -Not -BeNullOrEmpty
    }

    It 'completes -Name from the queues in Redis' {
        Get-Completion "Get-MightyQueue -Redis '$($script:redis.Url)' -Name ma" | Should -Be @('mailers')
        Get-Completion "Set-MightyQueueScale -Queue i" | Should -Be @('ios_web_scrape')
    }

    It 'takes the Redis URL, cluster and each service''s queue and policy from mighty.psd1' {
        $app = Join-Path $TestDrive 'app'
        New-Item -ItemType Directory -Path $app | Out-Null
        @"
@{
    Cluster  = 'production'
    Redis    = '$($script:redis.Url)'
    Services = @{
        reports = @{ Queue = 'orphan'; MinCount = 1; MaxCount = 3; JobsPerTask = 2 }
    }
}
"@ | Set-Content (Join-Path $app 'mighty.psd1')
        $env:REDIS_URL = $null
        try {
            Push-Location $app
            $orphan = Get-MightyQueue -Name orphan -WarningVariable warnings
        }
        finally {
            Pop-Location
            $env:REDIS_URL = $script:redis.Url
        }
        $orphan.Service | Should -BeExactly 'reports'
        ($orphan.MinCount, $orphan.MaxCount, $orphan.JobsPerTask) | Should -Be @(1, 3, 2)
        $orphan.SuggestedCount | Should -Be 3
        $orphan.Reason | Should -Be '5 waiting, 2 per task → 3'
        $warnings | Should -BeNullOrEmpty
    }
}

Describe 'Set-MightyQueueScale' {
    BeforeEach { Reset-World }

    It '-WhatIf shows each change and makes none' {
        $script:sandbox.ResetRequestCounts()
        $result = Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Set-MightyQueueScale -Cluster production -Auto -WhatIf -WarningAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        Get-Count 'ecs.UpdateService' | Should -Be 0
        Get-Count 'ecs.TagResource' | Should -Be 0
        Get-Desired mailers | Should -Be 2
    }

    It 'scales a backlog out at once, and a second pass right after changes nothing' {
        $script:sandbox.ResetRequestCounts()
        $changes = @(Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Set-MightyQueueScale -Auto -WarningAction SilentlyContinue)
        $changes | ForEach-Object { $_ | Should -BeOfType ([MightyOps.MightyQueueScale]) }
        ($changes | ForEach-Object { '{0}:{1}->{2}' -f $_.Service, $_.From, $_.To }) | Should -Be @('default:2->1', 'ios_web_scrape:2->10', 'mailers:2->5')
        ($changes | Where-Object Service -EQ mailers).Reason | Should -Be '412 waiting, 100 per task → 5'
        Get-Count 'ecs.UpdateService' | Should -Be 3
        Get-Count 'ecs.TagResource' | Should -Be 3
        Get-Desired mailers | Should -Be 5
        $tags = aws ecs list-tags-for-resource --resource-arn (Get-MightyService -Cluster production -Service mailers).ServiceArn | ConvertFrom-Json
        $scaledAt = [datetimeoffset]($tags.tags | Where-Object key -EQ 'mightyops:scaled-at').value
        ([datetimeoffset]::UtcNow - $scaledAt).TotalMinutes | Should -BeLessThan 1

        $script:sandbox.ResetRequestCounts()
        $again = Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Set-MightyQueueScale -Auto -WarningAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        Get-Count 'ecs.UpdateService' | Should -Be 0
        Get-Count 'ecs.TagResource' | Should -Be 0
    }

    It 'scales an empty, idle queue in to MinCount only after the cooldown' {
        Set-MightyQueueScale -Queue mailers -Cluster production -Auto | Out-Null
        Invoke-Sidekiq $script:redis.Url "Sidekiq::Queue.new('mailers').clear; Sidekiq.redis { |c| c.sadd('queues', 'mailers') }" | Out-Null

        $held = Set-MightyQueueScale -Queue mailers -Cluster production -Auto -PassThru
        ($held.From, $held.To, $held.Changed) | Should -Be @(5, 5, $false)
        $held.Reason | Should -Match '^0 waiting, 100 per task → 0; cooldown: (9|10) min left$'

        # The last change, eleven minutes ago.
        $arn = (Get-MightyService -Cluster production -Service mailers).ServiceArn
        aws ecs tag-resource --resource-arn $arn --tags "key=mightyops:scaled-at,value=$([datetimeoffset]::UtcNow.AddMinutes(-11).ToString('yyyy-MM-ddTHH:mm:ssZ'))"
        $done = Set-MightyQueueScale -Queue mailers -Cluster production -Auto
        ($done.From, $done.To) | Should -Be @(5, 0)
    }

    It 'does not scale in below the tasks that run jobs of the queue (a real Sidekiq server)' {
        Push-SidekiqJob $script:redis.Url @{ webhooks = 0 }
        $worker = Join-Path $TestDrive 'worker.rb'
        Set-Content $worker "require 'sidekiq'`nclass SlowJob`n  include Sidekiq::Worker`n  def perform(s) = sleep(s)`nend"
        Invoke-Sidekiq $script:redis.Url "2.times { Sidekiq::Client.push('queue' => 'webhooks', 'class' => 'SlowJob', 'args' => [120]) }" | Out-Null
        $start = [System.Diagnostics.ProcessStartInfo]::new('sidekiq')
        foreach ($a in '-r', $worker, '-q', 'webhooks', '-c', '2', '-t', '1') { $start.ArgumentList.Add($a) }
        $start.Environment['REDIS_URL'] = $script:redis.Url
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $server = [System.Diagnostics.Process]::Start($start)
        try {
            # Sidekiq publishes its busy jobs with its heartbeat, every 5 seconds.
            $deadline = [datetime]::UtcNow.AddSeconds(40)
            do {
                Start-Sleep -Milliseconds 500
                $busy = [int](Invoke-Sidekiq $script:redis.Url 'puts Sidekiq::Workers.new.size')
            } until ($busy -ge 2 -or [datetime]::UtcNow -gt $deadline)
            $busy | Should -Be 2

            $queue = Get-MightyQueue -Cluster production -Name webhooks
            ($queue.Size, $queue.Busy, $queue.DesiredTasks) | Should -Be @(0, 2, 2)
            $change = Set-MightyQueueScale -Queue webhooks -Cluster production -Auto
            ($change.From, $change.To) | Should -Be @(2, 1) -Because 'both jobs run in one Sidekiq process: one task, never 0'
            $change.Reason | Should -Be '0 waiting, 100 per task → 0; 2 jobs in flight on 1 task → 1'
        }
        finally {
            $server.Kill($true)
            $server.WaitForExit()
        }
    }

    It '-Count outside MinCount..MaxCount is CountOutsidePolicy unless -Force' {
        $script:sandbox.ResetRequestCounts()
        Set-MightyQueueScale -Queue mailers -Cluster production -Count 20 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'CountOutsidePolicy,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($failures[0])" | Should -Match '20 is outside .*0 to 10 tasks.*-Force'
        Get-Count 'ecs.UpdateService' | Should -Be 0

        $forced = Set-MightyQueueScale -Queue mailers -Cluster production -Count 20 -Force
        ($forced.From, $forced.To) | Should -Be @(2, 20)
        Get-Desired mailers | Should -Be 20
        $byHand = Set-MightyQueueScale -Queue default -Cluster production -Count 3
        $byHand.Reason | Should -Be 'set by hand to 3'
    }

    It 'runs the scheduled runbook of its help (example 2) twice, as cron would: the second run writes nothing, though a queue has no service' {
        . $PSScriptRoot/Examples.ps1
        $runbook = Get-DocExample -Root (Join-Path $PSScriptRoot '../..') | Where-Object Id -EQ 'Set-MightyQueueScale Example 2'
        $runbook.FileName | Should -Be 'scale-queues.ps1'
        $folder = Join-Path ([IO.Path]::GetTempPath()) ('mighty-runbook-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        New-Item -ItemType Directory -Path $folder | Out-Null
        Set-Content (Join-Path $folder 'scale-queues.ps1') $runbook.Code
        "@{ Cluster = 'production'; Redis = '$($script:redis.Url)' }" | Set-Content (Join-Path $folder 'mighty.psd1')
        $pwsh = Get-FreshPwsh
        $savedModulePath = $env:PSModulePath
        # MightyOps installed (its #Requires -Modules finds it by name); the sandbox's AWS_* variables inherited.
        $env:PSModulePath = (Split-Path (Split-Path $script:ModuleManifest -Parent) -Parent | Split-Path -Parent) + [IO.Path]::PathSeparator + $env:PSModulePath
        Push-Location $folder
        try {
            $first = @(& $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File ./scale-queues.ps1 *>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Be 0
            $second = @(& $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File ./scale-queues.ps1 *>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Be 0
        }
        finally {
            Pop-Location
            $env:PSModulePath = $savedModulePath
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
        ($first -join "`n") | Should -Match 'ios_web_scrape: 2 -> 10 \(1200 waiting'
        ($first -join "`n") | Should -Not -Match 'WARNING' -Because 'Get-MightyQueue -WarningAction SilentlyContinue quiets the queue without a service, and Set-MightyQueueScale does not say it again'
        $second | Should -BeNullOrEmpty -Because 'the help says a run right after another changes nothing and writes nothing'
    }

    It 'names a queue without a service as an error with -Count, and skips it with a warning with -Auto' {
        Set-MightyQueueScale -Queue orphan -Cluster production -Count 1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'QueueHasNoService,*'
        Set-MightyQueueScale -Queue orphan, mailers -Cluster production -Auto -WarningVariable warnings -WarningAction SilentlyContinue | ForEach-Object Service | Should -Be 'mailers'
        "$warnings" | Should -Match "Queue 'orphan' is skipped"
    }
}

Describe 'Set-MightyQueueScale: what to scale and how, said once' {
    BeforeEach { Reset-World }

    It 'scales the queue a piped service works: Get-MightyService | Set-MightyQueueScale -Auto' {
        $script:sandbox.ResetRequestCounts()
        $change = Get-MightyService -Cluster production -Service mailers | Set-MightyQueueScale -Auto
        ($change.Queue, $change.Service, $change.From, $change.To) | Should -Be @('mailers', 'mailers', 2, 5)
        Get-Count 'ecs.UpdateService' | Should -Be 1
        Get-Desired mailers | Should -Be 5
    }

    It 'says how to map a piped service that works no queue, and names one that is not there' {
        $script:sandbox.ResetRequestCounts()
        Get-MightyService -Cluster production -Service WEB | Set-MightyQueueScale -Auto -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceHasNoQueue,*'
        "$($failures[0])" | Should -Match "Service 'WEB' in cluster 'production' works no Sidekiq queue.*Services\.WEB\.Queue = '<queue>'.*mightyops:queue=<queue>.*-Queue"
        Set-MightyQueueScale -Service Mailers -Cluster production -Auto -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
        "$($failures[0])" | Should -Match "did you mean 'mailers'"
        Get-Count 'ecs.UpdateService' | Should -Be 0
    }

    It 'refuses a queue and a service that do not belong together, changing nothing' {
        $script:sandbox.ResetRequestCounts()
        Get-MightyQueue -Cluster production -Name mailers | Set-MightyQueueScale -Service default -Count 3 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'QueueServiceMismatch,*'
        "$($failures[0])" | Should -Match "Queue 'mailers' is worked by service 'mailers'.*not by 'default'"
        Get-Count 'ecs.UpdateService' | Should -Be 0
    }

    It 'is a clear error, not a prompt, without -Count or -Auto (<Case>)' -ForEach @(
        @{ Case = 'a queue named'; Arguments = @{ Queue = 'mailers' } }
        @{ Case = 'a queue piped'; Piped = $true; Arguments = @{} }
        @{ Case = '-Auto:$false'; Arguments = @{ Queue = 'mailers'; Auto = $false } }
    ) {
        $script:sandbox.ResetRequestCounts()
        $call = if ($Piped) { { Get-MightyQueue -Cluster production -Name mailers | Set-MightyQueueScale -Cluster production -ErrorAction Stop } } else { { Set-MightyQueueScale -Cluster production @Arguments -ErrorAction Stop } }
        $call | Should -Throw -ErrorId 'ScaleModeNotGiven,MightyOps.Commands.Queues.SetMightyQueueScaleCommand'
        try { & $call } catch { "$_" | Should -Match '-Count <n> sets the desired count by hand, -Auto lets each queue''s policy decide' }
        Get-Count 'ecs.UpdateService' | Should -Be 0
        # Nothing the user could be prompted for: no parameter is mandatory but -Count.
        $mandatory = (Get-Command Set-MightyQueueScale).ParameterSets.Parameters | Where-Object IsMandatory | ForEach-Object Name | Sort-Object -Unique
        $mandatory | Should -Be 'Count'
    }

    It 'asks for a queue or a service when given neither' {
        { Set-MightyQueueScale -Cluster production -Auto -ErrorAction Stop } | Should -Throw -ErrorId 'QueueNotNamed,*'
        Set-MightyQueueScale -Cluster production -Auto -ErrorVariable failures -ErrorAction SilentlyContinue
        "$($failures[0])" | Should -Match '-Queue mailers, -Service with the ECS service that works the queue, or pipe in Get-MightyQueue or Get-MightyService'
    }

    Context 'without Redis' {
        BeforeAll {
            $env:REDIS_URL = $null
            $script:closed = "redis://127.0.0.1:$(Get-FreeLoopbackPort)/0"
        }
        AfterAll { $env:REDIS_URL = $script:redis.Url }

        It '-Count sets a count by hand with ECS alone, even with a Redis that does not answer (<Case>)' -ForEach @(
            @{ Case = 'no Redis anywhere'; Redis = @{} }
            @{ Case = 'an unreachable -Redis'; Redis = @{ Redis = 'closed' } }
        ) {
            $given = if ($Redis.Redis) { @{ Redis = $script:closed } } else { @{} }
            $script:sandbox.ResetRequestCounts()
            $change = Set-MightyQueueScale -Queue mailers -Cluster production -Count 3 @given
            ($change.Queue, $change.Service, $change.From, $change.To, $change.Reason) | Should -Be @('mailers', 'mailers', 2, 3, 'set by hand to 3')
            Get-Desired mailers | Should -Be 3
            Get-Count 'ecs.UpdateService' | Should -Be 1
        }

        It '-Count by service works through mighty.psd1''s mapping, and names a queue without a service' {
            $path = Join-Path $TestDrive 'count.psd1'
            "@{ Cluster = 'production'; Services = @{ reports = @{ Queue = 'orphan'; MaxCount = 4 } } }" | Set-Content $path
            $change = Get-MightyService -Cluster production -Service reports | Set-MightyQueueScale -Count 4 -ConfigPath $path
            ($change.Queue, $change.Service, $change.To) | Should -Be @('orphan', 'reports', 4)
            Set-MightyQueueScale -Queue orphan -Count 5 -ConfigPath $path -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'CountOutsidePolicy,*'
            Set-MightyQueueScale -Queue nobody_works_this -Cluster production -Count 1 -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'QueueHasNoService,*'
        }

        It '-Auto and wildcards still need Redis, and say so' {
            { Set-MightyQueueScale -Queue mailers -Cluster production -Auto -ErrorAction Stop } | Should -Throw -ErrorId 'RedisNotConfigured,*'
            Set-MightyQueueScale -Queue 'mail*' -Cluster production -Count 3 -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'RedisNotConfigured,*'
            "$($failures[0])" | Should -Match "-Queue 'mail\*' is a wildcard.*name the queues.*-Count with queue names needs no Redis"
        }
    }
}

Describe 'Redis that cannot be read: a clear error and no scaling' {
    BeforeAll { Reset-World }

    It 'reports <Case> as <ErrorId> and calls no UpdateService' -ForEach @(
        @{ Case = 'an unreachable Redis'; ErrorId = 'RedisUnreachable'; Category = 'ConnectionError'; Url = { "redis://:hunter2@127.0.0.1:$(Get-FreeLoopbackPort)/0" } }
        @{ Case = 'a wrong password'; ErrorId = 'RedisAuthenticationFailed'; Category = 'AuthenticationError'; Url = { $u = $script:secured.Url -replace 'right-pass', 'hunter2'; $u } }
        @{ Case = 'data that is not Sidekiq''s'; ErrorId = 'SidekiqDataInvalid'; Category = 'InvalidOperation'; Url = { "redis://127.0.0.1:$($script:redis.Port)/5" } }
        @{ Case = 'a database without Sidekiq data'; ErrorId = 'SidekiqDataNotFound'; Category = 'ObjectNotFound'; Url = { "redis://127.0.0.1:$($script:redis.Port)/6" } }
    ) {
        $script:secured ??= Start-TestRedis -Password 'right-pass'
        Invoke-Sidekiq "redis://127.0.0.1:$($script:redis.Port)/5" "Sidekiq.redis { |c| c.sadd('queues', 'mailers'); c.rpush('queue:mailers', 'this is not json') }" | Out-Null
        $url = & $Url
        $script:sandbox.ResetRequestCounts()

        Set-MightyQueueScale -Queue mailers -Cluster production -Auto -Redis $url -ErrorVariable failures -ErrorAction SilentlyContinue -Verbose 4>&1 | Out-String | Should -Not -Match 'hunter2'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        "$($failures[0])" | Should -Not -Match 'hunter2'
        "$($failures[0].TargetObject)" | Should -Not -Match 'hunter2'
        Get-Count 'ecs.UpdateService' | Should -Be 0
        Get-Count 'ecs.TagResource' | Should -Be 0

        { Get-MightyQueue -Cluster production -Redis $url -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,MightyOps.Commands.Queues.GetMightyQueueCommand"
    }

    It 'reports an oldest job enqueued at <Stamp> as SidekiqDataInvalid naming the key, never the job, and scales nothing' -ForEach @(
        @{ Stamp = '1e308'; Reads = 'a time after the year 9999' }
        @{ Stamp = '-5.0'; Reads = '1969-12-31 23:59:55Z' }
    ) {
        $url = "redis://127.0.0.1:$($script:redis.Port)/7"
        $job = "{""class"":""HardJob"",""args"":[""password=Hunter2Secret""],""queue"":""mailers"",""jid"":""0123456789abcdef01234567"",""enqueued_at"":$Stamp}"
        Invoke-Sidekiq $url "Sidekiq.redis { |c| c.flushdb; c.sadd('queues', 'mailers'); c.lpush('queue:mailers', '$job') }" | Out-Null
        $script:sandbox.ResetRequestCounts()

        Set-MightyQueueScale -Queue mailers -Cluster production -Auto -Redis $url -ErrorVariable failures -ErrorAction SilentlyContinue
        { Get-MightyQueue -Cluster production -Redis $url -ErrorAction Stop } | Should -Throw -ErrorId 'SidekiqDataInvalid,MightyOps.Commands.Queues.GetMightyQueueCommand'

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SidekiqDataInvalid,*'
        $message = "$($failures[0])"
        $message | Should -BeLike "Redis key 'queue:mailers' holds, at index -1 (its oldest job), a job whose enqueued_at reads as $Reads, *"
        $message | Should -Not -Match 'bug|Hunter2Secret'
        Get-Count 'ecs.UpdateService' | Should -Be 0
    }

    It 'reads through TLS (rediss://) with a certificate the system trusts, and refuses one it does not' {
        $tls = Start-TestRedis -Tls
        try {
            Push-SidekiqJob $tls.Url @{ mailers = 12 }
            $url = "rediss://127.0.0.1:$($tls.TlsPort)/0"
            # .NET on Linux takes its trusted roots from OpenSSL, which honours SSL_CERT_FILE; a fresh
            # process, because the roots are read once per process.
            $env:SSL_CERT_FILE = $tls.CaFile
            try {
                $queue = Invoke-InFreshPwsh { param($u) Get-MightyQueue -Cluster production -Redis $u -Name mailers } -ArgumentList $url
            }
            finally { Remove-Item env:SSL_CERT_FILE }
            $queue.Size | Should -Be 12
            $queue.Service | Should -Be 'mailers'

            # This process never had SSL_CERT_FILE: the test CA is not trusted here.
            { Get-MightyQueue -Cluster production -Redis $url -ErrorAction Stop } | Should -Throw -ErrorId 'RedisTlsFailed,MightyOps.Commands.Queues.GetMightyQueueCommand'
        }
        finally { Stop-TestRedis $tls }
    }

    It 'reports a Redis that stops answering as RedisTimeout with the time waited, not as unreachable, and scales nothing' {
        $frozen = Start-TestRedis
        try {
            Push-SidekiqJob $frozen.Url @{ mailers = 12 }
            kill -STOP $frozen.Process.Id
            $script:sandbox.ResetRequestCounts()
            Set-MightyQueueScale -Queue mailers -Cluster production -Auto -Redis $frozen.Url -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'RedisTimeout,*'
            $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            "$($failures[0])" | Should -Match "Redis at redis://127\.0\.0\.1:$($frozen.Port)/0 accepted the connection but did not answer within 5 s"
            "$($failures[0])" | Should -Not -Match 'Could not connect'
            Get-Count 'ecs.UpdateService' | Should -Be 0
        }
        finally {
            kill -CONT $frozen.Process.Id
            Stop-TestRedis $frozen
        }
    }

    AfterAll { Stop-TestRedis $script:secured }
}
