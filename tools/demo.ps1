#Requires -Version 7.4
# The MightyOps demo (build.ps1 -Task Demo): the built module against the built-in sandbox.
# Non-interactive, so it also runs unattended; each step prints the command it runs.
param(
    [Parameter(Mandatory)] [string] $ModulePath
)

$ErrorActionPreference = 'Stop'

# Show-Step and Write-DemoLine: colour only where $PSStyle.OutputRendering allows it.
. (Join-Path $PSScriptRoot 'demo-output.ps1')

Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

Show-Step 'Start the sandbox: a local ECS/ECR/EC2/S3 endpoint, with this session pointed at it' {
    $script:sandbox = Start-MightySandbox -Seed demo
    $script:sandbox
}

try {
    Show-Step 'Every service of the production cluster (ListServices + DescribeServices in batches of 10)' {
        Get-MightyService -Cluster production
    }

    Show-Step 'One service in detail, with the image of each container' {
        $web = Get-MightyService -Cluster production -Service WEB -IncludeImages
        $web | Format-List Cluster, Service, Status, DesiredTasks, RunningTasks, TaskDefinitionName, Deployments, LastEvent
        $web.Images
    }

    Show-Step 'Wildcards, and objects that pipe (here into Select-Object; AWS.Tools cmdlets bind Cluster/Service too)' {
        Get-MightyService -Cluster production -Service '*_web_scrape', 'API' |
            Select-Object Service, DesiredTasks, RunningTasks, RolloutState
    }

    Show-Step 'A name that does not exist is a clear error, and the rest still comes back' {
        Get-MightyService -Cluster production -Service WEB, nope -ErrorAction Continue 2>&1 |
            ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { "error $($_.FullyQualifiedErrorId): $_" } else { $_ } }
    }

    Show-Step 'The AWS CLI talks to the same sandbox without flags (AWS_ENDPOINT_URL is set)' {
        aws ecs describe-services --cluster production --services WEB --query 'services[0].[serviceName,status,runningCount,deployments[0].rolloutState]' --output text
    }

    Show-Step 'What the API containers printed lately (CloudWatch Logs through the awslogs driver; sandbox time)' {
        Get-MightyLog -Cluster production -Service API -Since $script:sandbox.UtcNow.AddMinutes(-2) -Tail 8
    }

    Show-Step 'What it cost: API calls served so far, per operation' {
        $script:sandbox.RequestCounts.GetEnumerator() | Sort-Object Key | Format-Table Key, Value -HideTableHeaders
    }

    . (Join-Path $PSScriptRoot 'demo-tag.ps1')
    . (Join-Path $PSScriptRoot 'demo-deploy.ps1')

    . (Join-Path $PSScriptRoot 'demo-queue.ps1')

    . (Join-Path $PSScriptRoot 'demo-capacity.ps1')

    # ---- exec: Get-MightyTask, Invoke-MightyContainer, Enter-MightyContainer (tools/demo-exec.ps1) ----
    . (Join-Path $PSScriptRoot 'demo-exec.ps1')
    # ---- end exec ----
}
finally {
    Show-Step 'Stop the sandbox (the AWS_* variables it replaced are restored)' {
        Stop-MightySandbox
    }
}
