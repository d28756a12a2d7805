# Get-MightyCapacity, Set-MightyClusterCapacity and the capacity preflight of Publish-MightyService
# and Set-MightyQueueScale, against the demo sandbox (a web group, a tight Spot worker group of
# ten instances, staging's group under a capacity provider with managed scaling) and a real
# redis-server filled by the real Sidekiq client.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/QueueWorld.ps1
    $script:redis = Start-TestRedis
    $script:savedRedisUrl = $env:REDIS_URL
    $env:REDIS_URL = $script:redis.Url
    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 50
    Invoke-Sidekiq $script:redis.Url 'Sidekiq.redis { |c| c.flushdb }' | Out-Null

    function Get-Count([string] $Operation) { $script:sandbox.RequestCounts[$Operation] ?? 0 }

    function Invoke-Aws { $text = aws @args --output json; if ($LASTEXITCODE) { throw "aws $args failed" }; $text | ConvertFrom-Json }

    # Moves simulated time on until every service of production runs its desired count.
    function Wait-Settled {
        for ($i = 0; $i -lt 60; $i++) {
            $services = @(Get-MightyService -Cluster production)
            if (-not ($services | Where-Object { $_.RunningTasks -ne $_.DesiredTasks -or $_.PendingTasks -gt 0 })) { return }
            $script:sandbox.AdvanceTime([timespan]'00:00:30')
        }
        throw 'production did not settle'
    }
}

AfterAll {
    Stop-MightySandbox
    Stop-TestRedis $script:redis
    $env:REDIS_URL = $script:savedRedisUrl
}

Describe 'Get-MightyCapacity' {
    It 'reports per group what the sandbox holds (the AWS CLI''s registered and remaining resources)' {
        $groups = @(Get-MightyCapacity -Cluster production)
        $groups.AutoScalingGroup | Should -Be @('web', 'workers')
        $arns = (Invoke-Aws ecs list-container-instances --cluster production).containerInstanceArns
        $described = (Invoke-Aws ecs describe-container-instances --cluster production --container-instances @arns).containerInstances
        $asg = (Invoke-Aws autoscaling describe-auto-scaling-groups).AutoScalingGroups
        foreach ($group in $groups) {
            $ids = @(($asg | Where-Object AutoScalingGroupName -EQ $group.AutoScalingGroup).Instances.InstanceId)
            $mine = @($described | Where-Object { $_.ec2InstanceId -in $ids })
            $group | Should -BeOfType ([MightyOps.MightyCapacity])
            $group.Instances | Should -Be $mine.Count
            $group.CpuRegistered | Should -Be ($mine | ForEach-Object { ($_.registeredResources | Where-Object name -EQ CPU).integerValue } | Measure-Object -Sum).Sum
            $group.MemoryRegistered | Should -Be ($mine | ForEach-Object { ($_.registeredResources | Where-Object name -EQ MEMORY).integerValue } | Measure-Object -Sum).Sum
            $group.CpuFree | Should -Be ($mine | ForEach-Object { ($_.remainingResources | Where-Object name -EQ CPU).integerValue } | Measure-Object -Sum).Sum
            $group.MemoryFree | Should -Be ($mine | ForEach-Object { ($_.remainingResources | Where-Object name -EQ MEMORY).integerValue } | Measure-Object -Sum).Sum
            $group.TasksRunning | Should -Be ($mine.runningTasksCount | Measure-Object -Sum).Sum
            $g = $asg | Where-Object AutoScalingGroupName -EQ $group.AutoScalingGroup
            ($group.GroupMin, $group.GroupDesired, $group.GroupMax) | Should -Be @($g.MinSize, $g.DesiredCapacity, $g.MaxSize)
        }
        $workers = $groups | Where-Object AutoScalingGroup -EQ workers
        $workers.Lifecycle | Should -Be 'spot'
        $workers.InstanceTypes | Should -Be @('t3.medium')
        # 30 worker tasks of 448 MiB, eight to a t3.medium (3,648 MiB registered).
        $workers.TasksWanted | Should -Be 30
        $workers.InstancesNeeded | Should -Be 4
        ($groups | Where-Object AutoScalingGroup -EQ web).Lifecycle | Should -Be 'on-demand'
    }

    It 'reads 10 instances and 75 tasks with the calls it promises, none per task or per instance' {
        Set-MightyQueueScale -Cluster production -Queue default, mailers, critical -Count 17 -Force -Confirm:$false | Out-Null
        Wait-Settled
        $counts = $script:sandbox.RequestCounts
        $script:sandbox.ResetRequestCounts()
        $workers = Get-MightyCapacity -Cluster production | Where-Object AutoScalingGroup -EQ workers
        $workers.TasksRunning | Should -Be 75
        $workers.Instances | Should -Be 10
        $after = $script:sandbox.RequestCounts
        $after['ecs.ListContainerInstances'] | Should -Be 1
        $after['ecs.DescribeContainerInstances'] | Should -Be 1
        $after['ec2.DescribeInstances'] | Should -Be 1
        $after['ecs.ListServices'] | Should -Be 1
        $after['ecs.DescribeServices'] | Should -Be 4          # 32 services, 10 a call
        $after['ecs.DescribeTaskDefinition'] | Should -Be 32   # one per distinct revision
        $after['autoscaling.DescribeAutoScalingGroups'] | Should -Be 1
        $after['ecs.DescribeTasks'] | Should -BeNullOrEmpty
        $after['ecs.ListTasks'] | Should -BeNullOrEmpty
        Set-MightyQueueScale -Cluster production -Queue default, mailers, critical -Count 2 -Force -Confirm:$false | Out-Null
        Wait-Settled
    }
}

Describe 'Set-MightyClusterCapacity refusals (nothing changes)' {
    BeforeEach { $script:sandbox.ResetRequestCounts() }

    It 'refuses a group a capacity provider with managed scaling sizes: ManagedByCapacityProvider' {
        Set-MightyClusterCapacity -Cluster staging -AutoScalingGroup staging -DesiredCapacity 2 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ManagedByCapacityProvider,*'
        $failed[0].Exception.Message | Should -Match 'staging-capacity'
        Get-Count 'autoscaling.SetDesiredCapacity' | Should -Be 0
    }

    It 'completes -AutoScalingGroup from DescribeAutoScalingGroups' {
        Get-Completion 'Set-MightyClusterCapacity -AutoScalingGroup wo' | Should -Be @('workers')
    }

    It 'says which group was meant when the name does not exist' {
        Set-MightyClusterCapacity -Cluster production -AutoScalingGroup worker -DesiredCapacity 3 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AutoScalingGroupNotFound,*'
        $failed[0].Exception.Message | Should -Match "Did you mean 'workers'\?"
    }

    It 'refuses beyond MaxSize unless -RaiseMaximum: MaxSizeExceeded' {
        Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -DesiredCapacity 15 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'MaxSizeExceeded,*'
        Get-Count 'autoscaling.SetDesiredCapacity' | Should -Be 0
    }

    It 'refuses a scale-in the other instances cannot absorb before draining anything: InsufficientCapacity' {
        Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -DesiredCapacity 2 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InsufficientCapacity,*'
        Get-Count 'ecs.UpdateContainerInstancesState' | Should -Be 0
        Get-Count 'autoscaling.TerminateInstanceInAutoScalingGroup' | Should -Be 0
    }

    It '-WhatIf shows which instances drain and which tasks move, and changes nothing' {
        Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -DesiredCapacity 6 -WhatIf
        Get-Count 'ecs.UpdateContainerInstancesState' | Should -Be 0
        Get-Count 'autoscaling.SetDesiredCapacity' | Should -Be 0
        (Get-Count 'autoscaling.DescribeAutoScalingGroups') | Should -BeGreaterThan 0
    }
}

Describe 'A worker deploy that does not fit' {
    BeforeAll {
        Set-MightyQueueScale -Cluster production -Queue default -Count 30 -Force -Confirm:$false | Out-Null
        Wait-Settled
    }

    It 'is refused with -CapacityCheck Strict and changes nothing' {
        $script:sandbox.ResetRequestCounts()
        Publish-MightyService -Cluster production -Service default -Tag master.3 -CapacityCheck Strict -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InsufficientCapacity,*'
        $failed[0].Exception.Message | Should -Match 'default needs room for 30 more tasks \(3,840 CPU, 13,440 MiB\) during the rollout; the workers group has room for 22\.'
        $failed[0].Exception.Message | Should -Match 'Set-MightyClusterCapacity -AutoScalingGroup workers -Fit'
        Get-Count 'ecs.RegisterTaskDefinition' | Should -Be 0
        Get-Count 'ecs.UpdateService' | Should -Be 0
    }

    It 'warns before anything is registered' {
        $script:sandbox.ResetRequestCounts()
        { Publish-MightyService -Cluster production -Service default -Tag master.3 -WarningAction Stop } | Should -Throw '*needs room for 30 more tasks*'
        Get-Count 'ecs.RegisterTaskDefinition' | Should -Be 0
    }

    It 'completes after Set-MightyClusterCapacity -Fit, without a warning' {
        $change = Get-MightyCapacity -Cluster production -Service default | Set-MightyClusterCapacity -Fit -Confirm:$false
        $change | Should -BeOfType ([MightyOps.MightyCapacityChange])
        $change.Status | Should -Be 'Completed'
        $change.To | Should -BeGreaterThan $change.From
        $change.Registered.Count | Should -Be ($change.To - $change.From)
        $result = Publish-MightyService -Cluster production -Service default -Tag master.3 -WarningVariable warned
        $result.Status | Should -Be 'Completed'
        $warned | Should -BeNullOrEmpty
    }
}

Describe 'Set-MightyQueueScale -Auto with more backlog than room' {
    BeforeAll {
        Set-MightyQueueScale -Cluster production -Queue default -Count 2 -Force -Confirm:$false | Out-Null
        Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -DesiredCapacity 10 -Confirm:$false | Out-Null
        Wait-Settled
        Push-SidekiqJob $script:redis.Url @{ default = 1000; mailers = 1000; critical = 1000; high = 1000; low = 1000; imports = 1000; exports = 1000 } -Age ([timespan]'00:07:00')
    }

    It 'holds back what does not fit and says how many instances would place it' {
        $script:results = @(Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Set-MightyQueueScale -Auto -PassThru -Confirm:$false)
        $held = @($script:results | Where-Object HeldBack -GT 0)
        $held.Count | Should -BeGreaterThan 0
        $held[0].InstancesToPlace | Should -BeGreaterThan 0
        $held[0].AutoScalingGroup | Should -Be 'workers'
        Wait-Settled
        (Get-MightyCapacity -Cluster production | Where-Object AutoScalingGroup -EQ workers).Unplaceable | Should -BeNullOrEmpty
    }

    It 'the runbook pipeline adds the instances and the held-back tasks then run' {
        $script:sandbox.AdvanceTime([timespan]'00:11:00')
        $before = (Get-MightyCapacity -Cluster production | Where-Object AutoScalingGroup -EQ workers).GroupDesired
        $change = Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Set-MightyQueueScale -Auto -PassThru -Confirm:$false | Get-MightyCapacity | Set-MightyClusterCapacity -Fit -SpareInstances 1 -Confirm:$false
        @($change).Count | Should -Be 1
        $change.AutoScalingGroup | Should -Be 'workers'
        $change.To | Should -BeGreaterThan $before
        $script:sandbox.AdvanceTime([timespan]'00:11:00')
        $again = @(Get-MightyQueue -Cluster production -WarningAction SilentlyContinue | Set-MightyQueueScale -Auto -PassThru -Confirm:$false)
        ($again | Measure-Object HeldBack -Sum).Sum | Should -Be 0
        Wait-Settled
    }
}

Describe 'Scale-in' {
    It 'drains the instances with the fewest tasks, keeps every service at its minimum healthy, terminates only drained instances' {
        Invoke-Sidekiq $script:redis.Url 'Sidekiq.redis { |c| c.flushdb }' | Out-Null
        foreach ($queue in 'default', 'mailers', 'critical', 'high', 'low', 'imports', 'exports') {
            Set-MightyQueueScale -Cluster production -Queue $queue -Count 1 -Force -Confirm:$false | Out-Null
        }
        Wait-Settled
        $desired = @{}
        Get-MightyService -Cluster production | ForEach-Object { $desired[$_.Service] = $_.DesiredTasks }
        $terminatedBefore = @((Invoke-Aws autoscaling describe-scaling-activities --auto-scaling-group-name workers).Activities | Where-Object Description -Like 'Terminating*').Count
        $manifest = $script:ModuleManifest
        $job = Start-ThreadJob -ScriptBlock {
            Import-Module $using:manifest
            Set-MightyClusterCapacity -Cluster production -AutoScalingGroup workers -DesiredCapacity 6 -Confirm:$false
        }
        $lowest = @{}
        while ($job.State -in 'NotStarted', 'Running') {
            foreach ($service in Get-MightyService -Cluster production) {
                $lowest[$service.Service] = [math]::Min($lowest[$service.Service] ?? [int]::MaxValue, $service.RunningTasks)
            }
        }
        $change = Receive-Job $job -Wait -AutoRemoveJob -ErrorAction Stop
        $change.Status | Should -Be 'Completed'
        $change.To | Should -Be 6
        @($change.Terminated | Sort-Object) | Should -Be @($change.Drained | Sort-Object)
        foreach ($service in $desired.Keys) { $lowest[$service] | Should -BeGreaterOrEqual $desired[$service] -Because $service }
        $activities = (Invoke-Aws autoscaling describe-scaling-activities --auto-scaling-group-name workers).Activities
        @($activities | Where-Object Description -Like 'Terminating*').Count - $terminatedBefore | Should -Be $change.Drained.Count
        Wait-Settled
        (Get-MightyCapacity -Cluster production | Where-Object AutoScalingGroup -EQ workers).Instances | Should -Be 6
    }
}

Describe 'A service a capacity provider with managed scaling serves' {
    It 'gets a note that ECS adds instances, with the warm-up, instead of a warning' {
        # Staging API's demo deployment (blue/green) waits at a pause hook with its green task
        # running beside the blue one: let it finish, so API runs one task again.
        $null = Resume-MightyDeployment -Cluster staging -Service API -Continue -Confirm:$false
        $script:sandbox.AdvanceTime([timespan]'00:05:00')
        (Get-MightyDeployment -Cluster staging -Service API -Last 1).Status | Should -Be 'Completed'
        $script:sandbox.ResetRequestCounts()
        # Five WEB tasks fill staging's one instance's CPU (5 x 320 + API's 256 of 2,048 units).
        $null = Invoke-Aws ecs update-service --cluster staging --service WEB --desired-count 5
        $script:sandbox.AdvanceTime([timespan]'00:02:00')
        (Get-MightyService -Cluster staging -Service WEB).RunningTasks | Should -Be 5
        $result = Publish-MightyService -Cluster staging -Service API -ForceNewDeployment -NoWait -WarningVariable warned -InformationVariable info -CapacityCheck Strict
        $warned | Should -BeNullOrEmpty
        $result | Should -Not -BeNullOrEmpty
        $note = @($info | Where-Object Tags -Contains 'MightyOps.Capacity')
        $note.Count | Should -Be 1
        "$($note[0].MessageData)" | Should -Match 'capacity provider staging-capacity sizes group staging with managed scaling, so ECS adds instances where they are short, which usually takes about 5 minutes'
    }
}
