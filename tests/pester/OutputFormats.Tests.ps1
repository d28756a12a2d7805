# Every public output type, found by reflection so that a new one cannot be left out, with a real
# instance of each made by the cmdlets against the sandbox, Redis, git and the SSH rig: its default
# view fits 80 columns and cuts nothing (the column that explains the row shows whole), Export-Csv
# writes readable values and ConvertTo-Json names, never a .NET type name or an enum's number
# (docs/design/output.md).

BeforeDiscovery {
    Import-Module (Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.psd1')
    # The public types of the output assembly that carry data: every cmdlet output and every type
    # reachable from one (nested objects, the sandbox's answers).
    $typeNames = @([MightyOps.MightyService].Assembly.GetExportedTypes() | Where-Object {
            $_.Namespace -eq 'MightyOps' -and $_.IsClass -and -not $_.IsAbstract -and -not $_.IsGenericType -and
            @($_.GetProperties([Reflection.BindingFlags]'Public, Instance')).Count -gt 0
        } | ForEach-Object Name | Sort-Object)
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/QueueWorld.ps1
    . $PSScriptRoot/TagWorld.ps1
    . $PSScriptRoot/SshRig.ps1

    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 200
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-formats-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    # The same types as objects.
    $script:types = [MightyOps.MightyService].Assembly.GetExportedTypes() | Where-Object {
        $_.Namespace -eq 'MightyOps' -and $_.IsClass -and -not $_.IsAbstract -and -not $_.IsGenericType -and
        @($_.GetProperties([Reflection.BindingFlags]'Public, Instance')).Count -gt 0
    } | Sort-Object Name

    # ---- A real instance of each (several where the rows differ) ----------------------------------
    # A deployment in flight: two deployments, pending tasks, IN_PROGRESS.
    $inFlight = Publish-MightyService -Cluster production -Service active_storage_analysis -ForceNewDeployment -NoWait
    $moving = Get-MightyService -Cluster production -Service active_storage_analysis
    $done = $inFlight | Wait-MightyDeployment

    # Queues: one with no service, one long name; a scale held by the cooldown.
    $script:redis = Start-TestRedis
    Push-SidekiqJob $script:redis.Url @{ mailers = 412; orphan_queue_nobody_works = 5; ios_web_scrape = 1200 } -Age ([timespan]'00:03:00')
    $queues = @(Get-MightyQueue -Cluster production -Redis $script:redis.Url -WarningAction SilentlyContinue)
    $scaled = Set-MightyQueueScale -Cluster production -Redis $script:redis.Url -Queue mailers -Auto
    Invoke-Sidekiq $script:redis.Url "Sidekiq::Queue.new('mailers').clear; Sidekiq.redis { |c| c.sadd('queues', 'mailers') }" | Out-Null
    $held = Set-MightyQueueScale -Cluster production -Redis $script:redis.Url -Queue mailers -Auto -PassThru

    # A release tag on a long branch name.
    $script:world = New-TagWorld
    $clone = New-TagClone $script:world 'app'
    Invoke-TestGit $clone switch --quiet -c 'feature/payments-stripe-checkout'
    $tag = New-MightyTag -Path $clone -NoPush

    # A command in a container, over the SSH rig.
    $keys = Join-Path $script:work 'keys'
    New-Item -ItemType Directory -Path $keys | Out-Null
    New-RigKey (Join-Path $keys 'id_ed25519') ed25519
    Copy-Item (Join-Path $keys 'id_ed25519.pub') (Join-Path $keys 'authorized_keys')
    $script:rig = Start-SshRig -Keys ([pscustomobject]@{ AuthorizedKeys = (Join-Path $keys 'authorized_keys') }) -SandboxEndpoint $script:sandbox.Endpoint
    $script:savedHome = $env:HOME
    $env:HOME = $script:work
    $result = Invoke-MightyContainer -Cluster production -Service active_storage_analysis -Container sidekiq -KeyFilePath (Join-Path $keys 'id_ed25519') -Port $script:rig.Port -User ([Environment]::UserName) `
        -Command 'echo "migrated 120 of 4000 attachments; the next batch starts when the queue is below 50 jobs, see the job log for the rest"'

    # A build whose containers cannot start, with a long reason from Docker: a stopped task to show.
    $image = $script:sandbox.PushImage('app', 'formats.1')
    $reason = 'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "bundle": executable file not found in $PATH: unknown'
    Invoke-RestMethod -Method Post -Uri "$($script:sandbox.Endpoint)/_sandbox/bad-image" -ContentType 'application/json' -Body (@{ image = 'app:formats.1'; reason = $reason } | ConvertTo-Json) | Out-Null
    $null = Publish-MightyService -Cluster production -Service billing -Tag formats.1 -NoWait
    $script:sandbox.AdvanceTime([timespan]'00:01:30')

    # One-off tasks: a migration, a failing command with a long command line, one still starting.
    $runs = @(
        Start-MightyTask -Cluster production -Service API -Command 'bin/rails db:migrate'
        Start-MightyTask -Cluster production -Service API -Command 'bin/rails runner "Attachment.where(analyzed: false).find_each(&:analyze)"; echo "analysis queued for every attachment"; exit 2' -ErrorAction SilentlyContinue
        Start-MightyTask -Cluster production -Service API -Command 'sleep 600' -NoWait
    )
    # A deploy the circuit breaker rolled back: its breaker's counts and its rollback.
    $broken = Publish-MightyService -Cluster production -Service mailers -Tag broken.1 -ErrorAction SilentlyContinue

    $tasks = @(Get-MightyTask -Cluster production) + @(Get-MightyTask -Cluster production -Service billing -DesiredStatus STOPPED)

    # Capacity: a worker group with tasks that cannot be placed, and a group scaled out.
    $null = Set-MightyQueueScale -Cluster production -Queue low -Count 60 -Force -CapacityCheck Off
    $script:sandbox.AdvanceTime([timespan]'00:01:00')
    $capacity = @(Get-MightyCapacity -Cluster production)
    $change = Set-MightyClusterCapacity -Cluster production -AutoScalingGroup web -DesiredCapacity 4 -Confirm:$false
    $script:instances = @{
        'MightyService'           = @(Get-MightyService -Cluster production) + $moving
        'MightyServiceDeployment' = @($moving.Deployments)
        'MightyServiceEvent'      = @(Get-MightyServiceEvent -Cluster production -Service active_storage_analysis -Last 6)
        'MightyDeployment'        = @($inFlight, $done, $broken)
        'MightyCircuitBreaker'    = @($broken.CircuitBreaker)
        'MightyDeploymentRollback' = @($broken.Rollback)
        'MightyTask'              = $tasks
        'MightyTaskContainer'     = @($tasks.Containers)
        'MightyTaskRun'           = $runs
        'MightyTargetHealth'      = @($tasks.TargetHealth)
        'MightyDeploymentPhase'   = @($done.Timeline)
        'MightyLogEvent'          = @(Get-MightyLog -Cluster production -Service API -Since $script:sandbox.UtcNow.AddMinutes(-3) -Tail 6)
        'MightyQueue'             = $queues
        'MightyQueueScale'        = @($scaled, $held)
        'MightyCapacity'          = $capacity
        'MightyUnplaceable'       = @($capacity.Unplaceable)
        'MightyCapacityChange'    = @($change)
        'MightyTag'               = @($tag)
        'MightyContainerResult'   = @($result)
        'MightySandbox'           = @($script:sandbox)
        'MightySandboxImage'      = @($image)
        'MightySandboxContainer'  = @($script:sandbox.GetContainers('production', 'API'))
        'MightySandboxLogEvent'   = @($script:sandbox.GetLogEvents('/mighty/API') | Select-Object -Last 4)
    }

    # The column that explains each type's row (a table's label; a scriptblock for a view of one
    # line per object): what it shows must stand whole in the default view, whatever the width.
    $script:explains = @{
        'MightyQueueScale'        = 'Reason'
        'MightyCapacity'          = 'Unplaceable'
        'MightyUnplaceable'       = 'Reason'
        'MightyQueue'             = 'Tasks'
        'MightyService'           = 'Rollout'
        'MightyServiceDeployment' = 'Rollout'
        'MightyServiceEvent'      = 'Message'
        'MightyTaskContainer'     = 'Reason'
        'MightyContainerResult'   = 'Output'
        'MightyTask'              = 'TaskId'
        'MightyTaskRun'           = 'Command'
        'MightyTag'               = 'Tag'
        'MightyDeployment'        = 'Status'
        'MightyLogEvent'          = { $_.Message }
        'MightySandboxLogEvent'   = { $_.Message }
    }

    # What an object's table view puts in the column labelled $Label: the view's own cell.
    function Get-CellValue([object] $InputObject, [string] $Label) {
        $table = (Get-FormatData -TypeName $InputObject.GetType().FullName).FormatViewDefinition.Control |
            Where-Object { $_ -is [System.Management.Automation.TableControl] } | Select-Object -First 1
        $index = [array]::IndexOf(@($table.Headers.Label), $Label)
        $entry = $table.Rows[0].Columns[$index].DisplayEntry
        if ($entry.ValueType -eq 'Property') { "$($InputObject.($entry.Value))" } else { "$($InputObject | ForEach-Object ([scriptblock]::Create($entry.Value)))" }
    }

    # A value Export-Csv or ConvertTo-Json wrote for an object without a useful ToString: its type's name.
    $script:typeName = '(^|\W)(System|MightyOps)\.[\w.]+(`\d+)?(\[|$)'

    function Get-Squeezed([string] $Text) { $Text -replace '\s', '' }

    <#
    What a table shows in one column, its wrapped lines joined: each line's slice between the
    column's dashes and the next column's, over every line below the header. The whole text when
    the view has no dashed header (a list or a line per event).
    #>
    function Get-ColumnText([string[]] $Lines, [string] $Label) {
        $dashes = [array]::FindIndex($Lines, [Predicate[string]] { param($l) $l -match '^-+( +-+)*\s*$' })
        if (-not $Label -or $dashes -lt 1) { return $Lines -join "`n" }
        $starts = @([regex]::Matches($Lines[$dashes], '-+') | ForEach-Object Index)
        $labels = @($Lines[$dashes - 1].Trim() -split '\s+')
        $column = [array]::IndexOf($labels, $Label)
        if ($column -lt 0) { throw "The table has no column '$Label': $($labels -join ', ')" }
        $from = $starts[$column]
        $to = if ($column + 1 -lt $starts.Count) { $starts[$column + 1] } else { [int]::MaxValue }
        -join ($Lines | Select-Object -Skip ($dashes + 1) | ForEach-Object {
                if ($_.Length -gt $from) { $_.Substring($from, [Math]::Min($to, $_.Length) - $from) }
            })
    }
}

AfterAll {
    $env:HOME = $script:savedHome
    Stop-SshRig $script:rig
    Stop-TestRedis $script:redis
    Remove-TagWorld $script:world
    Stop-MightySandbox
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Every output type' {
    It 'is found by reflection, and each has real instances here' {
        $script:types.Count | Should -BeGreaterOrEqual 15
        foreach ($command in Get-Command -Module MightyOps) {
            foreach ($type in $command.OutputType.Type | Where-Object { $_ -and $_ -notin [string], [void] }) {
                $script:types | Should -Contain $type -Because "$($command.Name) outputs $($type.Name)"
            }
        }
        @($script:types.Name | Where-Object { -not $script:instances[$_] }) | Should -BeNullOrEmpty -Because 'a new output type needs an instance in this test'
        foreach ($type in $script:types) {
            $script:instances[$type.Name] | ForEach-Object { $_ | Should -BeOfType $type }
        }
    }
}

Describe 'Default views at 80 columns' {
    It '<_>: no line is longer, nothing is cut, every header fits its column' -ForEach $typeNames {
        $objects = $script:instances[$_]
        $text = $objects | Out-String -Width 80
        $lines = $text -split "`r?`n"
        $long = @($lines | Where-Object { $_.Length -gt 80 })
        $long | Should -BeNullOrEmpty -Because "$_ fits 80 columns"
        $text | Should -Not -Match '…' -Because "$_ cuts nothing at 80 columns:`n$text"
        # A table's labels stand whole on the line above the dashes (a header does not wrap).
        $dashes = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^-+( +-+)*\s*$' })
        if ($dashes -gt 0) {
            $labels = @($lines[$dashes - 1].Trim() -split '\s+')
            $labels.Count | Should -Be @($lines[$dashes].Trim() -split '\s+').Count -Because "every label of the $_ table is on one line:`n$text"
            $lines[$dashes - 2].Trim() | Should -BeNullOrEmpty -Because "the $_ header is one line:`n$text"
        }
        $explain = $script:explains[$_]
        if ($explain) {
            $label = if ($explain -is [string]) { $explain } else { '' }
            $squeezed = Get-Squeezed (Get-ColumnText $lines $label)
            $values = @(foreach ($object in $objects) { if ($label) { Get-CellValue $object $label } else { "$($object | ForEach-Object $explain)" } }) | Where-Object { $_ }
            @($values | Where-Object Length -GE 9).Count | Should -BeGreaterThan 0 -Because "some $_ has something to say in its explaining column"
            foreach ($value in $values) {
                $squeezed.Contains((Get-Squeezed $value)) | Should -BeTrue -Because "$_ shows '$value' whole in its column at 80 columns:`n$text"
            }
        }
    }

    It 'the cooldown that held a scale shows whole at 80 and 120 columns' {
        $held = $script:instances.MightyQueueScale[1]
        $held.Reason | Should -Match 'cooldown: \d+ min left$'
        foreach ($width in 80, 120) {
            (Get-Squeezed ($held | Out-String -Width $width)).Contains((Get-Squeezed $held.Reason)) | Should -BeTrue
        }
    }
}

Describe 'Exports' {
    It '<_>: Export-Csv writes readable values, never a type name' -ForEach $typeNames {
        $path = Join-Path $TestDrive "$_.csv"
        $script:instances[$_] | Export-Csv -Path $path
        $rows = @(Import-Csv -Path $path)
        $rows.Count | Should -Be @($script:instances[$_]).Count
        foreach ($row in $rows) {
            foreach ($property in $row.PSObject.Properties) {
                $property.Value | Should -Not -Match $script:typeName -Because "$_.$($property.Name) is written as its value, not its type"
            }
        }
        # A dictionary is written as its entries, a list as its items.
        $first = @($script:instances[$_])[0]
        foreach ($property in $first.PSObject.Properties | Where-Object { $_.Value -is [Collections.IDictionary] -and $_.Value.Count -gt 0 }) {
            $key = @($property.Value.Keys)[0]
            $rows[0].($property.Name) | Should -BeLike "*$key=*" -Because "$($property.Name) lists its entries"
        }
    }

    It '<_>: ConvertTo-Json writes names, not numbers, and collections as JSON' -ForEach $typeNames {
        foreach ($object in @($script:instances[$_])) {
            $json = $object | ConvertTo-Json -Depth 5 -WarningAction Stop
            $json | Should -Not -Match $script:typeName
            $parsed = $json | ConvertFrom-Json -AsHashtable
            foreach ($property in $object.PSObject.Properties | Where-Object MemberType -EQ 'Property') {
                $value = $property.Value
                $written = $parsed[$property.Name]
                if ($value -is [enum]) {
                    $written | Should -BeOfType ([string]) -Because "$_.$($property.Name) is written by name"
                    $written | Should -BeExactly "$value"
                }
                elseif ($value -is [Collections.IDictionary]) {
                    @($written.Keys | Sort-Object) | Should -Be @($value.Keys | Sort-Object) -Because "$_.$($property.Name) is a JSON object of its entries"
                }
                elseif ($value -is [Collections.IList]) {
                    @($written).Count | Should -Be $value.Count -Because "$_.$($property.Name) is a JSON array of its items"
                }
            }
        }
    }

    It 'a deployment''s status is its name in JSON and in CSV' {
        $done = $script:instances.MightyDeployment[1]
        ($done | ConvertTo-Json | ConvertFrom-Json).Status | Should -BeExactly 'Completed'
        ($done | ConvertTo-Csv | ConvertFrom-Csv).Status | Should -BeExactly 'Completed'
        ($done | ConvertTo-Csv | ConvertFrom-Csv).Images | Should -Match '^sidekiq=\S+/app:master\.4$'
        ($done | ConvertTo-Csv | ConvertFrom-Csv).Events | Should -Match 'has reached a steady state\.$'
    }
}
