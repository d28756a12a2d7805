# -Cluster and -Service mean the same on every cmdlet (docs/design/targeting.md, "One -Cluster, one
# -Service"): declared once in ClusterCmdlet where PowerShell allows, and where a cmdlet must
# declare its own (a position, a parameter set, Mandatory), declared alike and documented with the
# same words. This test holds the declarations and the help pages together.

BeforeDiscovery {
    . $PSScriptRoot/Common.ps1
    $script:withCluster = @(Get-Command -Module MightyOps | Where-Object { $_.Parameters.ContainsKey('Cluster') } | ForEach-Object { @{ Name = $_.Name } })
    $script:withService = @(Get-Command -Module MightyOps | Where-Object { $_.Parameters.ContainsKey('Service') } | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:docs = Join-Path $PSScriptRoot '../../docs'

    # The description paragraph of a parameter on its help page: the lines between its heading and its yaml block.
    function Get-ParameterText([string] $Command, [string] $Parameter) {
        $text = Get-Content (Join-Path $script:docs "$Command.md") -Raw
        if ($text -notmatch "(?ms)^### -$Parameter\r?\n(.*?)\r?\n``````yaml") {
            throw "docs/$Command.md has no section for -$Parameter"
        }
        ($Matches[1] -replace '\s+', ' ').Trim()
    }

    function Get-Attribute([Management.Automation.ParameterMetadata] $Parameter, [type] $Type) {
        @($Parameter.Attributes | Where-Object { $_ -is $Type })
    }

    # The sentence every -Service that takes wildcards ends with, as Publish-MightyService's page words it.
    $script:serviceRules = 'Names match exactly (ECS names are case-sensitive: a miss is `ServiceNotFound`, suggesting a spelling that differs only in case); wildcards match like `-like`, without regard to case; a service ARN names its cluster (a `-Cluster` naming another is `ClusterMismatch`). Binds from the `Service`, `ServiceName` or `Services` property of piped objects. Supports tab completion.'
    $script:clusterText = Get-ParameterText 'Publish-MightyService' 'Cluster'
}

Describe '-Cluster on every cmdlet' {
    It '<Name> declares -Cluster as every other cmdlet does' -ForEach $script:withCluster {
        $parameter = (Get-Command $Name).Parameters['Cluster']
        $parameter.ParameterType | Should -Be ([string])
        @($parameter.Aliases | Sort-Object) | Should -Be @('ClusterArn', 'ClusterName')
        (Get-Attribute $parameter ([ArgumentCompleter])).Type.Name | Should -Be 'ClusterCompleter'
        Get-Attribute $parameter ([ValidateNotNullOrEmpty]) | Should -Not -BeNullOrEmpty
        @(Get-Attribute $parameter ([Parameter]) | Where-Object { -not $_.ValueFromPipelineByPropertyName }) | Should -BeNullOrEmpty
        @(Get-Attribute $parameter ([Parameter]) | Where-Object Mandatory) | Should -BeNullOrEmpty
    }

    It '<Name> documents -Cluster in the same words as every other cmdlet' -ForEach $script:withCluster {
        Get-ParameterText $Name 'Cluster' | Should -BeExactly $script:clusterText
    }

    It 'is declared once, in ClusterCmdlet, by every cmdlet that needs no position or parameter set of its own' {
        $declaring = Get-Command -Module MightyOps | Where-Object { $_.Parameters.ContainsKey('Cluster') } | ForEach-Object {
            $property = $_.ImplementingType.GetProperty('Cluster')
            [pscustomobject]@{ Name = $_.Name; DeclaredBy = $property.DeclaringType.Name; Sets = @($_.Parameters['Cluster'].ParameterSets.Keys); Position = @($_.Parameters['Cluster'].Attributes | Where-Object { $_ -is [Parameter] })[0].Position }
        }
        foreach ($command in $declaring | Where-Object DeclaredBy -NE 'ClusterCmdlet') {
            $special = $command.Position -ge 0 -or $command.Sets -notcontains '__AllParameterSets' -or $command.Name -in 'Publish-MightyService', 'Restore-MightyService'
            $special | Should -BeTrue -Because "$($command.Name) declares its own -Cluster ($($command.DeclaredBy)) though it has no position or parameter set that ClusterCmdlet's could not give"
        }
    }
}

Describe '-Service on every cmdlet' {
    It '<Name> declares -Service as every other cmdlet does' -ForEach $script:withService {
        $parameter = (Get-Command $Name).Parameters['Service']
        $aliases = @($parameter.Aliases | Sort-Object)
        # Get-MightyService also binds a piped object's Name: objects that name a service that way pipe in.
        $expected = if ($Name -eq 'Get-MightyService') { @('Name', 'ServiceName', 'Services') } else { @('ServiceName', 'Services') }
        if ($Name -eq 'Set-MightyQueueScale') { $expected = @('ServiceName') }
        $aliases | Should -Be $expected
        (Get-Attribute $parameter ([ArgumentCompleter])).Type.Name | Should -Be 'ServiceCompleter'
        @(Get-Attribute $parameter ([Parameter]) | Where-Object { -not $_.ValueFromPipelineByPropertyName }) | Should -BeNullOrEmpty
    }

    It '<Name> documents the targeting rules of -Service in the same words as every other cmdlet' -ForEach ($script:withService | Where-Object Name -NE 'Set-MightyQueueScale') {
        Get-ParameterText $Name 'Service' | Should -BeLikeExactly "*$([WildcardPattern]::Escape($script:serviceRules))"
    }
}
