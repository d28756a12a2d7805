# The module keeps AWSSDK.* and its other dependencies in its own AssemblyLoadContext, so it works
# in a session where AWS.Tools (or anything else) already loaded a different AWSSDK.Core into the
# default context. This is checked the hard way: load a 3.x AWSSDK.Core first, then use the module.

BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Dependency isolation' {
    It 'runs Get-MightyService against the sandbox after another AWSSDK.Core was loaded into the default context' {
        $foreign = $env:MIGHTYOPS_TEST_FOREIGN_AWSSDK
        $foreign | Should -Exist -Because 'build.ps1 -Task Test downloads AWSSDK.Core 3.7 for this test'

        $result = Invoke-InFreshPwsh -NoImport -ArgumentList $foreign, $script:ModuleManifest -ScriptBlock {
            param($foreignDll, $manifest)
            # What AWS.Tools.Common does: AWSSDK.Core into the default context via Add-Type/RequiredAssemblies.
            Add-Type -Path $foreignDll
            $foreignVersion = [Amazon.Runtime.AWSCredentials].Assembly.GetName().Version.ToString()

            Import-Module $manifest
            Start-MightySandbox -Seed demo | Out-Null
            try {
                $services = @(Get-MightyService -Cluster production)
            }
            finally {
                Stop-MightySandbox
            }

            $contextOf = { param($asm) [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($asm).Name }
            [pscustomobject]@{
                ForeignVersion = $foreignVersion
                ServiceCount   = $services.Count
                OutputType     = $services[0].GetType().FullName
                AwsSdkCores    = @([AppDomain]::CurrentDomain.GetAssemblies() |
                        Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } |
                        ForEach-Object { [pscustomobject]@{ Version = $_.GetName().Version.ToString(); Context = & $contextOf $_ } })
                Contexts       = @{
                    Cmdlets = & $contextOf (Get-Command Get-MightyService).ImplementingType.Assembly
                    Core    = & $contextOf ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MightyOps.Core' })
                    Shared  = & $contextOf ([MightyOps.MightyService].Assembly)
                }
            }
        }

        $result.ForeignVersion | Should -BeLike '3.*'
        $result.ServiceCount | Should -Be 32
        $result.OutputType | Should -Be 'MightyOps.MightyService'

        $result.AwsSdkCores.Count | Should -Be 2 -Because 'the foreign 3.x and the module''s own 4.x are both loaded'
        ($result.AwsSdkCores | Where-Object Version -Like '3.*').Context | Should -Be 'Default'
        ($result.AwsSdkCores | Where-Object Version -Like '4.*').Context | Should -Be 'MightyOps'

        $result.Contexts.Cmdlets | Should -Be 'Default' -Because 'the cmdlet assembly is the root module, which PowerShell loads itself'
        $result.Contexts.Core | Should -Be 'MightyOps'
        $result.Contexts.Shared | Should -Be 'Default' -Because 'public output types live in the default context so scripts can name them'
    }

    It 'ships no System.Management.Automation.dll next to the module' {
        Get-ChildItem $env:MIGHTYOPS_TEST_MODULE -Recurse -Filter 'System.Management.Automation.dll' |
            Should -BeNullOrEmpty
    }

    It 'keeps every third-party assembly out of the default context: the assemblies there reference only .NET, PowerShell and MightyOps' {
        # MightyOps.dll and MightyOps.Shared.dll load into the default context; a reference from
        # them to AWSSDK.* or SSH.NET would be bound there, next to AWS.Tools' copy.
        $references = Invoke-InFreshPwsh -NoImport -ArgumentList $env:MIGHTYOPS_TEST_MODULE -ScriptBlock {
            param($moduleBase)
            foreach ($name in 'MightyOps.dll', 'MightyOps.Shared.dll') {
                $assembly = [Reflection.Assembly]::LoadFile((Join-Path $moduleBase $name))
                $assembly.GetReferencedAssemblies() | ForEach-Object { '{0} -> {1}' -f $name, $_.Name }
            }
        }
        $references | Should -Contain 'MightyOps.dll -> MightyOps.Core' -Because 'the check must see the references it filters'
        $references | Where-Object { ($_ -split ' -> ')[1] -notmatch '^(System(\..+)?|netstandard|mscorlib|System\.Management\.Automation|MightyOps(\..+)?)$' } |
            Should -BeNullOrEmpty
        Get-ChildItem $env:MIGHTYOPS_TEST_MODULE -Filter '*.dll' | ForEach-Object Name | Sort-Object |
            Should -Be @('MightyOps.dll', 'MightyOps.Shared.dll') -Because 'everything else belongs in bin/, which only the module''s own load context reads'
    }

    It 'loads again with Import-Module -Force in the same session' {
        $names = Invoke-InFreshPwsh -ArgumentList $script:ModuleManifest -ScriptBlock {
            param($manifest)
            Import-Module $manifest -Force
            (Get-Command -Module MightyOps).Name
        }
        $names | Should -Contain 'Get-MightyService'
    }
}

Describe 'Table views' {
    # The views load with the first MightyOps command in a runspace, not at import (see
    # docs/design/module-loading.md): import stays cheap, and the first output is a table.
    It 'arrive with the first MightyOps command of a session, and its output is a table' {
        $result = Invoke-InFreshPwsh -NoImport -ArgumentList $script:ModuleManifest -ScriptBlock {
            param($manifest)
            Import-Module $manifest
            $atImport = @(Get-FormatData -TypeName MightyOps.MightyService).Count
            $sandbox = Start-MightySandbox -Seed demo
            try {
                $table = Get-MightyService -Cluster production -Service WEB | Out-String -Width 200
            }
            finally {
                Stop-MightySandbox
            }
            [pscustomobject]@{
                AtImport = $atImport
                After    = @(Get-FormatData -TypeName MightyOps.MightyService).Count
                Table    = $table
                Sandbox  = ($sandbox | Out-String -Width 200)
            }
        }
        $result.AtImport | Should -Be 0 -Because 'Import-Module does not build the format tables'
        $result.After | Should -Be 1
        $result.Table | Should -Match '(?m)^Service\s+Status\s+Tasks\s+TaskDefinitionName\s+Rollout\s*$'
        $result.Sandbox | Should -Match '(?m)^Endpoint\s+Region\s+Seed\s+TimeScale\s+Running\s*$' -Because 'the first command''s own output is already formatted by the views it loaded'
    }

    It 'are loaded in every runspace that uses the module' {
        $tables = Invoke-InFreshPwsh -NoImport -ArgumentList $script:ModuleManifest -ScriptBlock {
            param($manifest)
            1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
                Import-Module $using:manifest
                Stop-MightySandbox
                @(Get-FormatData -TypeName MightyOps.MightySandbox).Count
            }
        }
        $tables | Should -Be @(1, 1)
    }
}
