# Dot-sourced by AwsTools.Tests.ps1: a stand-in for AWS.Tools.ECS's Update-ECSService that
# declares the parameters of the real cmdlet (names, aliases, ValueFromPipeline[ByPropertyName],
# Position, Mandatory) and returns what PowerShell bound. Where the attributes were copied from
# (aws/aws-tools-for-powershell, commits and files) and how the types were replaced is written down
# in docs/design/aws-tools-pipeline.md; keep the two in step.
#
# Types: BCL types as declared. AWS.Tools' ConstantClass types (AssignPublicIp, LogDriver, ...)
# convert from a string, so they are [string] here. Arrays of ECS model types are [object[]], which
# accepts more than the real type: a stand-in that binds more is on the safe side of this test.
# Credential (AWSCredentials) and NetworkCredential (PSCredential) take pipeline input by value,
# and no MightyOps output converts to either type in a compiled cmdlet. A script function would
# treat a [pscredential] parameter differently (PowerShell adds a credential transformation that
# turns any string into a credential prompt), so both are classes here that nothing converts to.

class AwsCredentialsStandIn {
}

class PSCredentialStandIn {
}

function Update-ECSServiceStandIn {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        # UpdateECSServiceCmdlet (modules/AWSPowerShell/Cmdlets/ECS/Basic/Update-ECSService-Cmdlet.cs)
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('DeploymentConfiguration_Alarms_AlarmNames')] [string[]] $Alarms_AlarmName,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('NetworkConfiguration_AwsvpcConfiguration_AssignPublicIp')] [string] $AwsvpcConfiguration_AssignPublicIp,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $AvailabilityZoneRebalancing,
        [Parameter(ValueFromPipelineByPropertyName)] [object[]] $CapacityProviderStrategy,
        [Parameter(Position = 0, ValueFromPipelineByPropertyName, ValueFromPipeline)] [string] $Cluster,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[int]] $DesiredCount,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('DeploymentConfiguration_Alarms_Enable')] [Nullable[bool]] $Alarms_Enable,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('DeploymentConfiguration_DeploymentCircuitBreaker_Enable')] [Nullable[bool]] $DeploymentCircuitBreaker_Enable,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[bool]] $ServiceConnectConfiguration_Enabled,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('EnableECSManagedTags')] [Nullable[bool]] $EnableECSManagedTag,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[bool]] $EnableExecuteCommand,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[bool]] $ForceNewDeployment,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('HealthCheckGracePeriodSeconds')] [Nullable[int]] $HealthCheckGracePeriodSecond,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('LoadBalancers')] [object[]] $LoadBalancer,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('ServiceConnectConfiguration_LogConfiguration_LogDriver')] [string] $LogConfiguration_LogDriver,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[int]] $DeploymentConfiguration_MaximumPercent,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[int]] $DeploymentConfiguration_MinimumHealthyPercent,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $ServiceConnectConfiguration_Namespace,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('ServiceConnectConfiguration_LogConfiguration_Options')] [hashtable] $LogConfiguration_Option,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('PlacementConstraints')] [object[]] $PlacementConstraint,
        [Parameter(ValueFromPipelineByPropertyName)] [object[]] $PlacementStrategy,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $PlatformVersion,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('PropagateTags')] [string] $PropagateTag,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('DeploymentConfiguration_Alarms_Rollback')] [Nullable[bool]] $Alarms_Rollback,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('DeploymentConfiguration_DeploymentCircuitBreaker_Rollback')] [Nullable[bool]] $DeploymentCircuitBreaker_Rollback,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('ServiceConnectConfiguration_LogConfiguration_SecretOptions')] [object[]] $LogConfiguration_SecretOption,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('NetworkConfiguration_AwsvpcConfiguration_SecurityGroups')] [string[]] $AwsvpcConfiguration_SecurityGroup,
        # The AWS.Tools.* (MODULAR) build makes -Service mandatory.
        [Parameter(ValueFromPipelineByPropertyName, Mandatory)] [AllowEmptyString()] [AllowNull()] [string] $Service,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('ServiceRegistries')] [object[]] $ServiceRegistry,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('ServiceConnectConfiguration_Services')] [object[]] $ServiceConnectConfiguration_Service,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('NetworkConfiguration_AwsvpcConfiguration_Subnets')] [string[]] $AwsvpcConfiguration_Subnet,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $TaskDefinition,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('VolumeConfigurations')] [object[]] $VolumeConfiguration,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('VpcLatticeConfigurations')] [object[]] $VpcLatticeConfiguration,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $Select = 'Service',
        [Parameter(ValueFromPipelineByPropertyName)] [switch] $Force,

        # ServiceCmdlet (modules/AWSPowerShell/Common/BaseCmdlets.cs)
        [Parameter(ValueFromPipelineByPropertyName)] [string] $EndpointUrl,

        # AWSCommonArgumentsCmdlet (modules/AWSPowerShell/Common/CredentialsArguments.cs)
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('RegionToCall')] [object] $Region,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('AK')] [string] $AccessKey,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('SK', 'SecretAccessKey')] [string] $SecretKey,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('ST')] [string] $SessionToken,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('StoredCredentials', 'AWSProfileName')] [string] $ProfileName,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('AWSProfilesLocation', 'ProfilesLocation')] [string] $ProfileLocation,
        [Parameter(ValueFromPipeline, ValueFromPipelineByPropertyName)] [AwsCredentialsStandIn] $Credential,
        [Parameter(ValueFromPipeline, ValueFromPipelineByPropertyName)] [PSCredentialStandIn] $NetworkCredential
    )
    process {
        # What AWS.Tools would send: every parameter bound for this input, with its value.
        $bound = [ordered]@{}
        foreach ($name in @($PSBoundParameters.Keys | Sort-Object)) {
            $bound[$name] = $PSBoundParameters[$name]
        }
        [pscustomobject]$bound
    }
}
