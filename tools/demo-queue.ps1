# Part of tools/demo.ps1 (dot-sourced; uses Show-Step and Write-DemoLine of tools/demo-output.ps1, and $script:sandbox).
# Queues: one ECS service per Sidekiq queue, sized from Sidekiq's own numbers in Redis.
if (-not (Get-Command redis-server -ErrorAction SilentlyContinue) -and (& id -u) -eq '0' -and (Get-Command apt-get -ErrorAction SilentlyContinue)) {
    Write-Host 'Installing redis-server and ruby-sidekiq for the queue demo...'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -qq --no-install-recommends redis-server ruby-sidekiq *> $null
}
if (-not (Get-Command redis-server -ErrorAction SilentlyContinue) -or -not (Get-Command ruby -ErrorAction SilentlyContinue)) {
    Write-DemoLine ''
    Write-DemoLine '### Queues: skipped (needs redis-server and ruby-sidekiq: sudo apt-get install redis-server ruby-sidekiq)' -Color Cyan
    return
}

$listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
$listener.Start()
$queueDemoPort = $listener.LocalEndpoint.Port
$listener.Stop()
$queueDemoDir = Join-Path ([IO.Path]::GetTempPath()) "mightyops-demo-redis-$PID"
New-Item -ItemType Directory -Force -Path $queueDemoDir | Out-Null
$queueDemoRedis = Start-Process redis-server -PassThru -ArgumentList '--port', $queueDemoPort, '--bind', '127.0.0.1', '--dir', $queueDemoDir, '--logfile', (Join-Path $queueDemoDir 'redis.log')
$savedRedisUrl = $env:REDIS_URL
try {
    Show-Step 'Queues: a local Redis for Sidekiq, found through $env:REDIS_URL (or -Redis, or Redis in mighty.psd1)' {
        $env:REDIS_URL = "redis://127.0.0.1:$queueDemoPort/0"
        for ($i = 0; $i -lt 50; $i++) {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $queueDemoPort).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
        }
        $env:REDIS_URL
    }

    Show-Step 'Enqueue a morning''s backlog with the real Sidekiq client (Sidekiq::Client.push_bulk)' {
        $backlog = [ordered]@{ ios_web_scrape = @(2300, 720); reports = @(1500, 2400); android_web_scrape = @(640, 300); mailers = @(412, 95); default = @(37, 4); imports = @(85, 30); webhooks = @(3, 1); low = @(0, 0) }
        $pushes = ($backlog.GetEnumerator() | ForEach-Object {
                "t = Time.now.to_f - $($_.Value[1]); Sidekiq::Client.push_bulk('queue' => '$($_.Key)', 'class' => 'AppJob', 'args' => Array.new($($_.Value[0])) { |i| [i] }, 'at' => nil) if $($_.Value[0]) > 0; " +
                "Sidekiq.redis { |c| c.sadd('queues', '$($_.Key)'); c.lrange('queue:$($_.Key)', 0, -1).each_with_index { |j, i| h = JSON.parse(j); h['enqueued_at'] = t + i * 0.01; c.lset('queue:$($_.Key)', i, JSON.dump(h)) } }; "
            }) -join ''
        ruby -e "require 'sidekiq'; require 'json'; Sidekiq.logger.level = Logger::WARN; $pushes" 2>$null
        $backlog.GetEnumerator() | ForEach-Object { '{0,-20} {1,5} jobs, oldest {2,4} s old' -f $_.Key, $_.Value[0], $_.Value[1] }
    }

    Show-Step 'Each queue next to its service: backlog, wait, busy jobs, running/desired tasks and what the policy suggests' {
        Get-MightyQueue -Cluster production
    }

    Show-Step 'What the policy would change (-WhatIf changes nothing)' {
        Get-MightyQueue -Cluster production | Set-MightyQueueScale -Auto -WhatIf
    }

    Show-Step 'The real pass: one UpdateService (and a scaled-at tag) per service that changes' {
        $script:sandbox.ResetRequestCounts()
        Get-MightyQueue -Cluster production | Set-MightyQueueScale -Auto
    }

    Show-Step 'Run again right after: nothing changes, so nothing is called but the reads' {
        $script:sandbox.ResetRequestCounts()
        Get-MightyQueue -Cluster production | Set-MightyQueueScale -Auto
        $script:sandbox.RequestCounts.GetEnumerator() | Sort-Object Key | Format-Table Key, Value -HideTableHeaders
    }

    Show-Step 'Five minutes on: the new tasks run (Tasks would say "cannot place" if the cluster were full)' {
        $script:sandbox.AdvanceTime([timespan]::FromMinutes(5))
        Get-MightyQueue -Cluster production
    }
}
finally {
    $env:REDIS_URL = $savedRedisUrl
    if (-not $queueDemoRedis.HasExited) { $queueDemoRedis.Kill() }
    Remove-Item $queueDemoDir -Recurse -Force -ErrorAction SilentlyContinue
}
