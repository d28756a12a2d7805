# Every output type, as the cmdlets return it: what it binds when piped into AWS.Tools'
# Update-ECSService (a stand-in with the real cmdlet's parameter attributes, see
# AwsToolsStandIns.ps1) and into MightyOps; whether each table column shows its property's own
# value; and what Export-Csv writes.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/TagWorld.ps1
    . $PSScriptRoot/AwsToolsStandIns.ps1

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

    # The parameters Update-ECSService binds from one piped object, or the binding error's id.
    # A binding error of piped input is an error record (or, with ErrorAction Stop, an exception).
    function Get-UpdateEcsServiceBinding([object] $InputObject) {
        $ErrorActionPreference = 'Continue'
        $results = try {
            @(& { $InputObject | Update-ECSServiceStandIn -ForceNewDeployment $true } 2>&1)
        }
        catch {
            $_
        }
        $failed = @($results | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        if ($failed) {
            return 'error: ' + ($failed[0].FullyQualifiedErrorId -split ',')[0]
        }
        @($results[0].PSObject.Properties.Name)
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

Describe 'Piping output into AWS.Tools Update-ECSService' {
    It 'a service binds -Cluster, -Service and -Region, never its desired count or task definition' {
        $bound = $script:service | Update-ECSServiceStandIn -ForceNewDeployment $true
        @($bound.PSObject.Properties.Name) | Should -Be @('Cluster', 'ForceNewDeployment', 'Region', 'Service')
        $bound.Cluster | Should -BeExactly 'production'
        $bound.Service | Should -BeExactly 'WEB'
        $bound.Region | Should -BeExactly $script:sandbox.Region
    }

    It 'a service event names its service: -Cluster and -Service' {
        Get-UpdateEcsServiceBinding $script:outputs.Event | Should -Be @('Cluster', 'ForceNewDeployment', 'Service')
    }

    It 'a task binds -Cluster and -Service, never its task definition' {
        Get-UpdateEcsServiceBinding $script:outputs.Task | Should -Be @('Cluster', 'ForceNewDeployment', 'Service')
    }

    It '<_> names no service, so Update-ECSService refuses it' -ForEach @('Deployment', 'Tag', 'Sandbox') {
        Get-UpdateEcsServiceBinding $script:outputs[$_] | Should -Be 'error: InputObjectMissingMandatory'
    }

    It 'the stand-in really binds what a snapshot must not carry (the check can fail)' {
        $old = [pscustomobject]@{ Cluster = 'production'; Service = 'WEB'; DesiredCount = 2; TaskDefinition = 'WEB:1' }
        Get-UpdateEcsServiceBinding $old | Should -Be @('Cluster', 'DesiredCount', 'ForceNewDeployment', 'Service', 'TaskDefinition')
    }
}

Describe 'Piping output into MightyOps' {
    It 'a <_> finds its service again with Get-MightyService' -ForEach @('Service', 'Event') {
        $again = $script:outputs[$_] | Get-MightyService
        $again.Cluster | Should -BeExactly 'production'
        $again.Service | Should -BeExactly 'WEB'
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
