# Every output type, as the cmdlets return it: what it binds when piped into MightyOps (what it
# binds in AWS.Tools is AwsTools.Tests.ps1's); whether each table column shows its property's own
# value; and what Export-Csv writes.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/TagWorld.ps1

    $script:sandbox = Start-MightySandbox -Seed demo
    $script:service = Get-MightyService -Cluster production -Service WEB -IncludeImages
    $script:world = New-TagWorld
    $repo = New-TagClone $script:world 'app'
    Invoke-TestGit $repo switch --quiet -c feature/login
    $script:tag = New-MightyTag -Path $repo -NoPush

    # One object of each output type; the deployment's type name is not spelled out on purpose.
    $script:outputs = [ordered]@{
        Service    = $script:service
        Deployment = $script:service.Deployments[0]
        Event      = $script:service.LastEvent
        Tag        = $script:tag
        Sandbox    = $script:sandbox
        Task       = (Get-MightyTask -Cluster production -Service WEB)[0]
    }

    # The table view of an object's type: one entry per column with its label and cell value.
    function Get-TableCell([object] $InputObject) {
        $view = (Get-FormatData -TypeName $InputObject.GetType().FullName).FormatViewDefinition |
            Where-Object { $_.Control -is [System.Management.Automation.TableControl] } |
            Select-Object -First 1
        $view | Should -Not -BeNullOrEmpty -Because "$($InputObject.GetType().Name) needs a default table view"
        $headers = $view.Control.Headers
        $columns = $view.Control.Rows[0].Columns
        for ($i = 0; $i -lt $columns.Count; $i++) {
            $entry = $columns[$i].DisplayEntry
            $value = if ($entry.ValueType -eq 'Property') {
                $InputObject.($entry.Value)
            }
            else {
                $InputObject | ForEach-Object ([scriptblock]::Create($entry.Value))
            }
            $label = if ($headers[$i].Label) { $headers[$i].Label } else { $entry.Value }
            [pscustomobject]@{ Label = $label; Value = $value; Entry = $entry }
        }
    }
}

AfterAll {
    Stop-MightySandbox
    Remove-TagWorld $script:world
}

Describe 'Piping output into MightyOps' {
    It 'a <_> finds its service again with Get-MightyService' -ForEach @('Service', 'Event') {
        $again = $script:outputs[$_] | Get-MightyService
        $again.Cluster | Should -BeExactly 'production'
        $again.Service | Should -BeExactly 'WEB'
    }

    It 'a deployment result goes whole into Wait-MightyDeployment and names its service to Restore-MightyService' {
        $deployment = Publish-MightyService -Cluster production -Service WEB -Tag master.4
        $deployment.Status | Should -Be 'Unchanged'
        $waited = $deployment | Wait-MightyDeployment
        $waited.TaskDefinitionArn | Should -BeExactly $deployment.TaskDefinitionArn
        $script:sandbox.ResetRequestCounts()
        $deployment | Restore-MightyService -TaskDefinition 1 -WhatIf -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty -Because 'Cluster and Service bind by property name'
        [int]$script:sandbox.RequestCounts['ecs.DescribeServices'] | Should -BeGreaterThan 0
        [int]$script:sandbox.RequestCounts['ecs.UpdateService'] | Should -Be 0
    }
}

Describe 'Table views' {
    It '<_>: a column labelled like a property shows that property''s value' -ForEach @('Service', 'Deployment', 'Event', 'Tag', 'Sandbox', 'Task') {
        $object = $script:outputs[$_]
        $names = @($object.PSObject.Properties.Name)
        $cells = @(Get-TableCell $object)
        $cells.Count | Should -BeIn (3..6)
        foreach ($cell in $cells | Where-Object Label -In $names) {
            $own = $object.($cell.Label)
            if ($own -is [DateTimeOffset]) {
                # Times: the same instant in local time, shown the way PowerShell shows a DateTime.
                $cell.Value | Should -BeOfType ([datetime]) -Because "column $($cell.Label)"
                $cell.Value | Should -Be $own.LocalDateTime -Because "column $($cell.Label)"
                $cell.Value.Kind | Should -Be ([DateTimeKind]::Local)
            }
            else {
                "$($cell.Value)" | Should -BeExactly "$own" -Because "column $($cell.Label) of $_ shows the property of that name"
            }
        }
    }

    It 'shows the short forms under their own property names' {
        (Get-TableCell $script:service).Label | Should -Contain 'TaskDefinitionName'
        $script:service.TaskDefinitionName | Should -Match '^WEB:\d+$'
        $script:service.Revision | Should -Be ([int]($script:service.TaskDefinitionName -split ':')[1])
        (Get-TableCell $script:tag).Label | Should -Contain 'GitBranch'
        $script:tag.GitBranch | Should -BeExactly 'feature/login'
        $script:tag.Branch | Should -BeExactly 'feature-login'
        ($script:tag | Format-Table | Out-String) | Should -Match 'feature-login\.1\s+feature/login\s'
    }

    It 'filters on what it shows: the GitBranch and TaskDefinitionName columns' {
        @($script:tag | Where-Object GitBranch -EQ 'feature/login').Count | Should -Be 1
        @($script:service | Where-Object TaskDefinitionName -EQ $script:service.Deployments[0].TaskDefinitionName).Count | Should -Be 1
    }
}

Describe 'LastEvent' {
    It 'carries its date, in local time as PowerShell shows a DateTime' {
        $event = $script:service.LastEvent
        "$event" | Should -BeExactly ('{0} {1}' -f $event.CreatedAt.LocalDateTime, $event.Message)
    }
}

Describe 'Export-Csv' {
    BeforeAll {
        # A cell that is only a type name: what Export-Csv writes for an object without a useful ToString.
        $script:typeName = '^(System|MightyOps)\.[\w.`\[\], =]+$'
    }

    It '<_> writes readable values, never a type name' -ForEach @('Service', 'Deployment', 'Event', 'Tag', 'Sandbox', 'Task') {
        $path = Join-Path $TestDrive "$_.csv"
        $script:outputs[$_] | Export-Csv -Path $path
        $row = Import-Csv -Path $path
        foreach ($property in $row.PSObject.Properties) {
            $property.Value | Should -Not -Match $script:typeName -Because "$_.$($property.Name) should be readable"
        }
    }

    It 'writes a service''s images, deployments and last event as text' {
        $row = $script:service | ConvertTo-Csv | ConvertFrom-Csv
        $row.Images | Should -BeExactly (($script:service.Images.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join '; ')
        $row.Images | Should -Match '^application=.*/app:master\.4; nginx=.*/nginx-proxy:master\.4$|^nginx=.*; application=.*$'
        $row.Deployments | Should -Match '^PRIMARY WEB:\d+ \d+/\d+ COMPLETED$'
        $row.LastEvent | Should -BeExactly "$($script:service.LastEvent)"
        $row.LastEvent | Should -Match 'has reached a steady state'
        $row.TaskDefinitionArn | Should -BeExactly $script:service.TaskDefinitionArn
    }

    It 'writes the sandbox''s request counts as name=count pairs' {
        $row = $script:sandbox | ConvertTo-Csv | ConvertFrom-Csv
        $row.RequestCounts | Should -Match '(^|; )ecs\.DescribeServices=\d+(;|$)'
    }
}
