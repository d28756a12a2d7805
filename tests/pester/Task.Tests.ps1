# Get-MightyTask against the demo sandbox: tasks, their container instances and EC2 hosts.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
}

AfterAll {
    Stop-MightySandbox
}

Describe 'Get-MightyTask' {
    It 'lists the running tasks of a service with their instance, host and containers' {
        $web = (aws ecs describe-services --cluster production --services WEB --output json | ConvertFrom-Json).services[0]
        $tasks = @(Get-MightyTask -Cluster production -Service WEB)
        $tasks.Count | Should -Be $web.runningCount
        foreach ($task in $tasks) {
            $task | Should -BeOfType ([MightyOps.MightyTask])
            $task.Cluster | Should -Be 'production'
            $task.Service | Should -Be 'WEB'
            $task.TaskId | Should -Match '^[0-9a-f]{32}$'
            $task.TaskArn | Should -Match "task/production/$($task.TaskId)$"
            $task.TaskDefinitionArn | Should -Be $web.taskDefinition
            $task.LastStatus | Should -Be 'RUNNING'
            $task.DesiredStatus | Should -Be 'RUNNING'
            $task.StartedAt | Should -Not -BeNullOrEmpty
            $task.ContainerInstanceId | Should -Match '^[0-9a-f]{32}$'
            $task.Ec2InstanceId | Should -Match '^i-0[0-9a-f]{16}$'
            $task.PrivateIpAddress | Should -Be '127.0.0.1'
            $task.AvailabilityZone | Should -Match "^$($script:sandbox.Region)[a-c]$"
            ($task.Containers.Name | Sort-Object) | Should -Be @('application', 'nginx')
            $task.Containers | ForEach-Object {
                $_.RuntimeId | Should -Match '^[0-9a-f]{64}$'
                $_.LastStatus | Should -Be 'RUNNING'
            }
        }
        # Oldest first, so the first task is the one Enter-MightyContainer picks.
        $started = $tasks.StartedAt
        ($started -join ',') | Should -Be (($started | Sort-Object) -join ',')
    }

    It 'takes services from Get-MightyService through the pipeline, in one lookup' {
        $before = $script:sandbox.RequestCounts
        $tasks = @(Get-MightyService -Cluster production -Service WEB, API | Get-MightyTask)
        $after = $script:sandbox.RequestCounts
        ($tasks.Service | Sort-Object -Unique) | Should -Be @('API', 'WEB')
        ($after['ecs.DescribeTasks'] - $before['ecs.DescribeTasks']) | Should -Be 1
        ($after['ec2.DescribeInstances'] - $before['ec2.DescribeInstances']) | Should -Be 1
        ($after['ecs.DescribeContainerInstances'] - $before['ecs.DescribeContainerInstances']) | Should -Be 1
        # Target health: the services' target groups from one DescribeServices, one DescribeTargetHealth per group.
        ($after['ecs.DescribeServices'] - $before['ecs.DescribeServices']) | Should -Be 2   # Get-MightyService's and Get-MightyTask's
        ($after['elasticloadbalancing.DescribeTargetHealth'] - $before['elasticloadbalancing.DescribeTargetHealth']) | Should -Be 2
    }

    It 'keeps only the tasks with the named container' {
        @(Get-MightyTask -Cluster production -Service WEB, API -Container nginx).Service | Sort-Object -Unique | Should -Be 'WEB'
    }

    It 'finds tasks by id' {
        $one = (Get-MightyTask -Cluster production -Service API)[0]
        $again = Get-MightyTask -Cluster production -TaskId $one.TaskId
        $again.TaskArn | Should -Be $one.TaskArn
        $again.Ec2InstanceId | Should -Be $one.Ec2InstanceId
    }

    It 'reports an unknown service and an unknown task id, and goes on' {
        $found = Get-MightyTask -Cluster production -Service API, nope -ErrorVariable failures -ErrorAction SilentlyContinue
        $found | Should -Not -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
        $failures[0].TargetObject | Should -Be 'nope'

        Get-MightyTask -Cluster production -TaskId 0123456789abcdef0123456789abcdef -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound,*'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows stopped tasks with why they stopped' {
        $task = (Get-MightyTask -Cluster production -Service API)[0]
        aws ecs stop-task --cluster production --task $task.TaskId --reason 'Stopped by the Pester test' --endpoint-url $script:sandbox.Endpoint | Out-Null
        $LASTEXITCODE | Should -Be 0
        Invoke-RestMethod -Method Post -Uri "$($script:sandbox.Endpoint)/_sandbox/advance-time" -ContentType 'application/json' -Body '{"seconds":120}' | Out-Null
        $stopped = @(Get-MightyTask -Cluster production -Service API -DesiredStatus STOPPED)
        $mine = $stopped | Where-Object TaskId -eq $task.TaskId
        $mine.DesiredStatus | Should -Be 'STOPPED'
        $mine.StoppedReason | Should -Be 'Stopped by the Pester test'
    }

    It 'shows a Fargate task with no instance and the private address of its network interface' {
        $service = New-SandboxFargateService -Name fargate_tasks -DesiredCount 2
        $described = (aws ecs describe-tasks --cluster production --tasks (aws ecs list-tasks --cluster production --service-name $service --query 'taskArns' --output json | ConvertFrom-Json) --output json | ConvertFrom-Json).tasks
        $tasks = @(Get-MightyTask -Cluster production -Service $service)
        $tasks.Count | Should -Be 2
        foreach ($task in $tasks) {
            $wire = $described | Where-Object taskArn -EQ $task.TaskArn
            $task.LaunchType | Should -Be 'FARGATE'
            $task.ContainerInstanceId | Should -BeNullOrEmpty
            $task.Ec2InstanceId | Should -BeNullOrEmpty
            $task.PrivateIpAddress | Should -Be ($wire.attachments[0].details | Where-Object name -EQ 'privateIPv4Address').value
            $task.PrivateIpAddress | Should -Match '^10\.0\.\d+\.\d+$'
            $task.AvailabilityZone | Should -Match "^$($script:sandbox.Region)[a-c]$"
            $task.Containers.RuntimeId | Should -Match "^$($task.TaskId)-\d+$" -Because 'Fargate reports <task id>-<number>'
        }
        # Spread over zones, as Fargate places a service's tasks.
        @($tasks.AvailabilityZone | Sort-Object -Unique).Count | Should -Be 2
    }

    It 'shows a table with the service, the whole task id, status and address that fits 80 columns' {
        $tasks = @(Get-MightyTask -Cluster production)
        $longest = ($tasks.Service | Measure-Object -Property Length -Maximum).Maximum
        $longest | Should -BeGreaterThan 20 -Because 'the demo has long queue names (active_storage_analysis)'
        $lines = ($tasks | Out-String -Width 80) -split "`n"
        @($lines -match '^Service\s+TaskId\s+Status\s+PrivateIpAddress\s*$').Count | Should -Be 1
        @($lines | Where-Object { $_ -match '^WEB\s' })[0] | Should -Match "^WEB\s+[0-9a-f]{32}\s+RUNNING\s+127\.0\.0\.1\s*$"
        # Nothing cut: a long service name wraps onto the next line, its row keeps the address.
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
        @($lines | Where-Object { $_ -match '…' }).Count | Should -Be 0
        $row = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^active_storage_a' })
        $lines[$row] | Should -Match '[0-9a-f]{32}\s+RUNNING\s+127\.0\.0\.1\s*$'
        $lines[$row + 1] | Should -Match '^nalysis\s*$'
    }
}
