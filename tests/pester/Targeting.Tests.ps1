# Exact targeting in Get-MightyService (docs/design/targeting.md): case-sensitive names,
# case-insensitive wildcards, ARNs honoured whole, cluster-only objects. The demo sandbox plus a
# service 'web' beside 'WEB' in staging, made with the real AWS CLI.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-MightySandbox -Seed demo
    $taskDefinition = (Get-MightyService -Cluster staging -Service WEB).TaskDefinitionArn
    $null = aws ecs create-service --cluster staging --service-name web --task-definition $taskDefinition --desired-count 0 --output json
    if ($LASTEXITCODE -ne 0) { throw 'aws ecs create-service failed' }
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
