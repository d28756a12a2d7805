# Exact targeting in Get-MightyService and Get-MightyTask (docs/design/targeting.md):
# case-sensitive names, case-insensitive wildcards, ARNs honoured whole, cluster-only objects. The
# demo sandbox plus a service 'web' (one task) beside 'WEB' in staging, made with the real AWS CLI.
# Invoke-MightyContainer and Enter-MightyContainer are checked in Exec.Tests.ps1 and Enter.Tests.ps1.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
    $taskDefinition = (Get-MightyService -Cluster staging -Service WEB).TaskDefinitionArn
    $null = aws ecs create-service --cluster staging --service-name web --task-definition $taskDefinition --desired-count 1 --output json
    if ($LASTEXITCODE -ne 0) { throw 'aws ecs create-service failed' }
    # Simulated time: the new task is placed, pulled and started.
    Invoke-RestMethod -Method Post -Uri "$($script:sandbox.Endpoint)/_sandbox/advance-time" -ContentType 'application/json' -Body '{"seconds":300}' | Out-Null
    $script:prefix = "arn:aws:ecs:$($script:sandbox.Region):$($script:sandbox.AccountId)"

    # A stand-in with the type name and properties of AWS.Tools.ECS's cluster object (AWS.Tools is
    # not installed here). Its ToString() is the type name, as the SDK's is.
    Add-Type -TypeDefinition @'
namespace Amazon.ECS.Model {
    public class Cluster {
        public string ClusterArn { get; set; }
        public string ClusterName { get; set; }
        public string Status { get; set; }
        public int ActiveServicesCount { get; set; }
    }
    public class Service {
        public string ClusterArn { get; set; }
        public string ServiceArn { get; set; }
        public string ServiceName { get; set; }
        public int DesiredCount { get; set; }
    }
}
'@
}

AfterAll {
    Stop-MightySandbox
}

Describe 'Get-MightyService targets exactly what was named' {
    It 'matches a name without wildcards only to the service spelled exactly so' {
        @(Get-MightyService -Cluster staging -Service WEB).Service | Should -BeExactly @('WEB')
        @(Get-MightyService -Cluster staging -Service web).Service | Should -BeExactly @('web')
    }

    It 'reports a name in the wrong case as ServiceNotFound, suggesting the real spelling' {
        $found = Get-MightyService -Cluster production -Service web, API -ErrorVariable failures -ErrorAction SilentlyContinue
        $found.Service | Should -BeExactly 'API'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
        $failures[0].TargetObject | Should -BeExactly 'web'
        "$($failures[0])" | Should -Match "case-sensitive: did you mean 'WEB'\?"
    }

    It 'reports a cluster in the wrong case as ClusterNotFound, suggesting the real spelling, in every cmdlet: <Command>' -ForEach @(
        @{ Command = 'Get-MightyService -Cluster Production' }
        @{ Command = 'Get-MightyTask -Cluster Production' }
        @{ Command = 'Get-MightyTask -Cluster Production -TaskId 0123456789abcdef0123456789abcdef' }
        @{ Command = 'Get-MightyLog -Cluster Production -Service API -Tail 1' }
        @{ Command = 'Get-MightyServiceEvent -Cluster Production -Service WEB' }
        @{ Command = 'Publish-MightyService -Cluster Production -Service WEB -Tag master.4 -WhatIf' }
        @{ Command = 'Invoke-MightyContainer -Cluster Production -Service WEB -Container nginx -Command true' }
    ) {
        $null = Invoke-Expression "$Command -ErrorVariable failures -ErrorAction SilentlyContinue"
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotFound,*'
        "$($failures[0])" | Should -BeLike "Cluster 'Production' was not found in $($script:sandbox.Region). ECS names are case-sensitive: did you mean 'production'? Pass -Cluster with one of the clusters there: production, staging."
    }

    It 'says which cluster to name when no -Cluster was given and ECS has no default cluster' {
        $folder = Join-Path ([IO.Path]::GetTempPath()) ('mighty-noconfig-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        New-Item -ItemType Directory -Path $folder | Out-Null
        Push-Location $folder
        try { Get-MightyLog API -Tail 1 -ErrorVariable failures -ErrorAction SilentlyContinue }
        finally { Pop-Location; Remove-Item $folder -Recurse -Force }
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotFound,*'
        "$($failures[0])" | Should -Be "Cluster 'default' was not found in $($script:sandbox.Region). No -Cluster was given, so the default was used (Cluster in mighty.psd1, else ECS's 'default'). Pass -Cluster with one of the clusters there: production, staging."
    }

    It 'matches wildcards without regard to case, like -like' {
        @(Get-MightyService -Cluster staging -Service 'w*').Service | Should -BeExactly @('WEB', 'web')
        @(Get-MightyService -Cluster production -Service '*_WEB_SCRAPE').Service | Should -Be @('android_web_scrape', 'ios_web_scrape')
    }

    It 'takes the cluster from a service ARN when no -Cluster is given' {
        $web = Get-MightyService -Service "$script:prefix`:service/staging/WEB"
        $web.Cluster | Should -BeExactly 'staging'
        $web.Service | Should -BeExactly 'WEB'
    }

    It 'takes the ARNs that aws ecs list-services prints, each to its own cluster' {
        $arns = (aws ecs list-services --cluster staging --output json | ConvertFrom-Json).serviceArns
        $arns.Count | Should -Be 3
        $found = $arns | Get-MightyService
        ($found | ForEach-Object { "$_" }) | Should -BeExactly @('staging/API', 'staging/WEB', 'staging/web')
    }

    It 'refuses a -Cluster that contradicts the service ARN instead of choosing one' {
        $found = Get-MightyService -Cluster production -Service "$script:prefix`:service/staging/WEB" -ErrorVariable failures -ErrorAction SilentlyContinue
        $found | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterMismatch,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($failures[0])" | Should -Match "cluster 'staging'.*'production'"
    }

    It 'refuses an ARN of another region, naming both' {
        $arn = "arn:aws:ecs:eu-west-1:$($script:sandbox.AccountId):service/staging/WEB"
        Get-MightyService -Service $arn -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AwsRegionMismatch,*'
        "$($failures[0])" | Should -Match "eu-west-1.*$($script:sandbox.Region).*-Region eu-west-1"
    }

    It 'refuses an ARN of another account, naming both' {
        Get-MightyService -Cluster "arn:aws:ecs:$($script:sandbox.Region):999999999999:cluster/staging" -ErrorVariable failures -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AwsAccountMismatch,*'
        "$($failures[0])" | Should -Match "999999999999.*$($script:sandbox.AccountId)"
    }

    It 'takes a piped object that carries only a cluster as every service of that cluster' {
        $found = [pscustomobject]@{ Cluster = 'staging' } | Get-MightyService
        ($found | ForEach-Object { "$_" }) | Should -BeExactly @('staging/API', 'staging/WEB', 'staging/web')
    }

    It 'takes an AWS.Tools cluster object (ClusterArn, ClusterName) as every service of that cluster' {
        $cluster = [Amazon.ECS.Model.Cluster]@{ ClusterArn = "$script:prefix`:cluster/staging"; ClusterName = 'staging'; Status = 'ACTIVE' }
        $found = $cluster | Get-MightyService -ErrorVariable failures
        $failures.Count | Should -Be 0
        @($found).Count | Should -Be 3
        $found.Cluster | Select-Object -Unique | Should -BeExactly 'staging'
    }

    It 'takes piped cluster ARNs, as aws ecs list-clusters prints them, as every service of each' {
        $found = "$script:prefix`:cluster/staging" | Get-MightyService
        @($found).Count | Should -Be 3
    }

    It 'lets a piped object that is there for another parameter pass when -Service names the targets' {
        $found = [pscustomobject]@{ Tag = 'master.5' } | Get-MightyService -Cluster staging -Service WEB -ErrorVariable failures
        $failures.Count | Should -Be 0
        $found.Service | Should -BeExactly 'WEB'
    }

    It 'refuses a piped object that names no cluster or service' {
        $found = [pscustomobject]@{ Id = 7 } | Get-MightyService -ErrorVariable failures -ErrorAction SilentlyContinue
        $found | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InputNotATarget,*'
    }
}

Describe 'Get-MightyTask targets exactly what was named' {
    It 'matches a name without wildcards only to the service spelled exactly so' {
        $upper = @(Get-MightyTask -Cluster staging -Service WEB)
        $lower = @(Get-MightyTask -Cluster staging -Service web)
        $upper.Count | Should -BeGreaterThan 0
        $lower.Count | Should -Be 1
        $upper.Service | Select-Object -Unique | Should -BeExactly 'WEB'
        $lower.Service | Should -BeExactly 'web'
    }

    It 'reports a name in the wrong case as ServiceNotFound, suggesting the real spelling' {
        $found = Get-MightyTask -Cluster production -Service web, API -ErrorVariable failures -ErrorAction SilentlyContinue
        $found.Service | Select-Object -Unique | Should -BeExactly 'API'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
        "$($failures[0])" | Should -Match "did you mean 'WEB'\?"
    }

    It 'matches wildcards without regard to case, and a wildcard that matches nothing returns nothing' {
        $found = @(Get-MightyTask -Cluster production -Service '*_WEB_SCRAPE')
        ($found.Service | Sort-Object -Unique) | Should -BeExactly @('android_web_scrape', 'ios_web_scrape')
        $found.Count | Should -Be 4
        Get-MightyTask -Cluster production -Service 'nothing*' -ErrorVariable failures | Should -BeNullOrEmpty
        $failures.Count | Should -Be 0
    }

    It 'takes the cluster from a service ARN, and refuses a -Cluster, region or account that contradicts it' {
        $arn = "$script:prefix`:service/staging/web"
        $task = Get-MightyTask -Service $arn
        $task.Cluster | Should -BeExactly 'staging'
        $task.Service | Should -BeExactly 'web'
        Get-MightyTask -Cluster production -Service $arn -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterMismatch,*'
        Get-MightyTask -Service "arn:aws:ecs:eu-west-1:$($script:sandbox.AccountId):service/staging/web" -ErrorVariable wrongRegion -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $wrongRegion[0].FullyQualifiedErrorId | Should -BeLike 'AwsRegionMismatch,*'
        Get-MightyTask -Service "arn:aws:ecs:$($script:sandbox.Region):999999999999:service/staging/web" -ErrorVariable wrongAccount -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $wrongAccount[0].FullyQualifiedErrorId | Should -BeLike 'AwsAccountMismatch,*'
    }

    It 'takes an AWS.Tools service object (ClusterArn, ServiceName) as that service' {
        $service = [Amazon.ECS.Model.Service]@{ ClusterArn = "$script:prefix`:cluster/staging"; ServiceArn = "$script:prefix`:service/staging/web"; ServiceName = 'web'; DesiredCount = 1 }
        $task = $service | Get-MightyTask -ErrorVariable failures
        $failures.Count | Should -Be 0
        $task.Service | Should -BeExactly 'web'
        $task.Cluster | Should -BeExactly 'staging'
    }

    It 'takes a piped cluster (object or ARN) as every task of that cluster' {
        $all = @(Get-MightyTask -Cluster staging)
        @([Collections.Generic.SortedSet[string]]::new([string[]] $all.Service, [StringComparer]::Ordinal)) | Should -BeExactly @('API', 'WEB', 'web')
        @([pscustomobject]@{ Cluster = 'staging' } | Get-MightyTask).Count | Should -Be $all.Count
        @("$script:prefix`:cluster/staging" | Get-MightyTask).Count | Should -Be $all.Count
        $cluster = [Amazon.ECS.Model.Cluster]@{ ClusterArn = "$script:prefix`:cluster/staging"; ClusterName = 'staging' }
        @($cluster | Get-MightyTask).Count | Should -Be $all.Count
    }

    It 'takes piped tasks by id again, and piped service ARNs as aws ecs list-services prints them' {
        $tasks = @(Get-MightyTask -Cluster staging)
        $again = @($tasks | Get-MightyTask)
        ($again.TaskId | Sort-Object) | Should -Be ($tasks.TaskId | Sort-Object)
        $arns = (aws ecs list-services --cluster staging --output json | ConvertFrom-Json).serviceArns
        @($arns | Get-MightyTask).Count | Should -Be $tasks.Count
    }
}
