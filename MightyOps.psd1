@{
    RootModule           = 'MightyOps.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '6f1f3a52-9d7e-4d1b-8a3e-2f6c4b9d7e10'
    Author               = 'MightyOps'
    CompanyName          = 'MightyOps'
    Copyright            = '(c) MightyOps. All rights reserved.'
    Description          = 'Deploy, enter and scale container services on Amazon ECS: release tags, deploys that tell the truth, a shell in a running container, one service per Sidekiq queue. Includes a local ECS/ECR/EC2/S3 sandbox.'
    PowerShellVersion    = '7.4'
    CmdletsToExport      = @(
        'Enter-MightyContainer'
        'Get-MightyCapacity'
        'Get-MightyDeployment'
        'Get-MightyLog'
        'Get-MightyQueue'
        'Get-MightyService'
        'Get-MightyServiceEvent'
        'Get-MightyTag'
        'Get-MightyTask'
        'Invoke-MightyContainer'
        'New-MightyTag'
        'Publish-MightyService'
        'Restore-MightyService'
        'Resume-MightyDeployment'
        'Set-MightyClusterCapacity'
        'Set-MightyQueueScale'
        'Start-MightySandbox'
        'Start-MightyTask'
        'Stop-MightyDeployment'
        'Stop-MightySandbox'
        'Stop-MightyTask'
        'Wait-MightyDeployment'
        'Wait-MightyTask'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'ECS', 'ECR', 'Deploy', 'Sidekiq', 'DevOps', 'Linux')
            ProjectUri   = 'https://github.com/mightyops/MightyOps'
            ReleaseNotes = 'See CHANGELOG.md'
        }
    }
}
