# Get-MightyService over 75 services: the API calls it makes (ListServices pages + DescribeServices
# batches of 10, nothing per service), and its wall time against the AWS CLI doing the same reads.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

# The demo seed has WEB, API and N one-queue workers: 73 workers make 75 services.
$sandbox = Start-MightySandbox -Seed demo -WorkerServiceCount 73
try {
    $count = @(Get-MightyService -Cluster production).Count
    $before = $sandbox.RequestCounts
    $services = @(Get-MightyService -Cluster production)
    $after = $sandbox.RequestCounts
    $calls = @{}
    foreach ($key in $after.Keys) {
        $delta = $after[$key] - ($before.ContainsKey($key) ? $before[$key] : 0)
        if ($delta -gt 0) { $calls[$key] = $delta }
    }
    $total = ($calls.Values | Measure-Object -Sum).Sum
    $pages = [math]::Ceiling($count / 100)
    $batches = [math]::Ceiling($count / 10)

    Write-BenchResult "services listed" $services.Count ''
    foreach ($key in $calls.Keys | Sort-Object) {
        Write-BenchResult "  $key" $calls[$key] 'calls'
    }
    Write-BenchResult 'API calls in all' $total 'calls' "(expected $pages ListServices page(s) + $batches DescribeServices = $($pages + $batches))"
    Write-BenchResult 'API calls per service' ($total / $count) 'x'
    Write-BenchResult "calls against one DescribeServices per service ($($pages + $count))" ($total / ($pages + $count)) 'x'

    $mighty = Measure-Median -Count 5 -Action { Get-MightyService -Cluster production }
    $cli = Measure-Median -Count 3 -Action {
        $arns = (aws ecs list-services --cluster production --output json | ConvertFrom-Json).serviceArns
        for ($i = 0; $i -lt $arns.Count; $i += 10) {
            aws ecs describe-services --cluster production --services @($arns[$i..([math]::Min($i + 9, $arns.Count - 1))]) --output json | Out-Null
        }
    }
    Write-BenchResult 'Get-MightyService (warm session)' $mighty 'ms' 'median of 5'
    Write-BenchResult "aws ecs list-services + describe-services x$batches" $cli 'ms' 'median of 3, one aws process per call'
    Write-BenchResult 'AWS CLI time / Get-MightyService time' ($cli / $mighty) 'x'
}
finally {
    Stop-MightySandbox
}
