# Dot-sourced by every *.Tests.ps1 in BeforeAll: imports the built module (the path comes from
# Run-Pester.ps1) and provides helpers that run code the way a user would.

$script:ModuleManifest = Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.psd1'
Import-Module $script:ModuleManifest -Force

# The command line of a fresh pwsh: the dotnet tool (dotnet pwsh.dll) or an installed pwsh.
function Get-FreshPwsh {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

<#
Runs a script block in a new pwsh process with the built module imported and returns what it
wrote to the success stream, round-tripped through CliXml (objects keep their properties).
Arguments are passed by position. Errors in the child come back as ErrorRecord-shaped objects in
the output only if the script writes them; a terminating error fails the call.
#>
function Invoke-InFreshPwsh {
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [switch] $NoImport
    )
    $work = Join-Path ([IO.Path]::GetTempPath()) ("mighty-pester-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $work | Out-Null
    try {
        $argsFile = Join-Path $work 'args.xml'
        $outFile = Join-Path $work 'out.xml'
        $scriptFile = Join-Path $work 'script.ps1'
        Export-Clixml -InputObject $ArgumentList -Path $argsFile -Depth 5
        $import = if ($NoImport) { '' } else { "Import-Module '$($script:ModuleManifest)'" }
        @"
`$ErrorActionPreference = 'Stop'
$import
`$arguments = Import-Clixml '$argsFile'
`$result = & { $ScriptBlock } @arguments
Export-Clixml -InputObject @(`$result) -Path '$outFile' -Depth 6
"@ | Set-Content -Path $scriptFile -Encoding utf8NoBOM
        $pwsh = Get-FreshPwsh
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $scriptFile 2>&1
        if ($LASTEXITCODE -ne 0) {
            throw "The child pwsh failed (exit $LASTEXITCODE):`n$($output -join "`n")"
        }
        return Import-Clixml $outFile
    }
    finally {
        Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Tab completion as the user gets it at the prompt: the completion texts for the input line.
function Get-Completion {
    param([Parameter(Mandatory)] [string] $InputScript)
    (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches |
        ForEach-Object CompletionText
}

<#
Adds a Fargate service to the running sandbox with the real AWS CLI (awsvpc task definition made
from the API service's application container): its tasks run on no container instance and have
an ENI attachment, as real ECS reports them. Advances simulated time until they run; returns the
service name.
#>
function New-SandboxFargateService {
    param([string] $Cluster = 'production', [string] $Name = 'fargate_api', [int] $DesiredCount = 1)
    $api = (aws ecs describe-task-definition --task-definition API --output json | ConvertFrom-Json).taskDefinition
    $application = $api.containerDefinitions | Where-Object name -EQ 'application'
    $work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-fargate-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    try {
        @{
            family = $Name; networkMode = 'awsvpc'; requiresCompatibilities = @('FARGATE'); cpu = '256'; memory = '512'
            containerDefinitions = @(@{ name = 'application'; image = $application.image; essential = $true; environment = @($application.environment) })
        } | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $work 'td.json')
        $arn = (aws ecs register-task-definition --cli-input-json "file://$work/td.json" --output json | ConvertFrom-Json).taskDefinition.taskDefinitionArn
        if ($LASTEXITCODE -ne 0) { throw 'aws ecs register-task-definition failed' }
        $null = aws ecs create-service --cluster $Cluster --service-name $Name --task-definition $arn --desired-count $DesiredCount --launch-type FARGATE `
            --network-configuration 'awsvpcConfiguration={subnets=[subnet-0a1b2c3d4e5f60718],securityGroups=[sg-0123456789abcdef0],assignPublicIp=DISABLED}' --output json
        if ($LASTEXITCODE -ne 0) { throw 'aws ecs create-service --launch-type FARGATE failed' }
    }
    finally { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
    Invoke-RestMethod -Method Post -Uri "$env:AWS_ENDPOINT_URL/_sandbox/advance-time" -ContentType 'application/json' -Body '{"seconds":300}' | Out-Null
    $Name
}

<#
Gives the demo seed's target groups (web-tg, api-tg) quick health checks (every 5 s, healthy after
2) and no deregistration delay, with the AWS CLI against the current sandbox: for test files about
deploys in general, whose WEB and API deploys would otherwise take 8 simulated minutes each.
LoadBalancedDeploy.Tests.ps1 keeps AWS's defaults.
#>
function Set-QuickTargetGroups {
    foreach ($group in (aws elbv2 describe-target-groups --names web-tg api-tg | ConvertFrom-Json).TargetGroups) {
        aws elbv2 modify-target-group --target-group-arn $group.TargetGroupArn --health-check-interval-seconds 5 --health-check-timeout-seconds 2 --healthy-threshold-count 2 | Out-Null
        aws elbv2 modify-target-group-attributes --target-group-arn $group.TargetGroupArn --attributes Key=deregistration_delay.timeout_seconds,Value=0 | Out-Null
    }
}
