#Requires -Version 7.4
# Runs documentation examples as printed (Examples.Tests.ps1 starts it in a fresh pwsh) and writes
# what each one wrote to -ResultsPath (CliXml):
#   -Mode Setup  dot-sources tools/sandbox-examples.ps1 (the setup the docs tell a user to do),
#                then runs the examples one after the other in that session, in the application's
#                repository it made (location and environment put back after each);
#   -Mode Own    runs each example in a session (runspace) of its own, from the repository's
#                root, with nothing set up (an example that starts its own sandbox, or a Pester
#                file); the sandboxes it leaves running are stopped after it.
# An example's errors, warnings and output are taken from its own pipeline, the way a user sees
# them at the prompt; '# Runs until Ctrl+C' examples are stopped as Ctrl+C stops a pipeline.
param(
    [Parameter(Mandatory)] [string] $ExamplesPath,
    [Parameter(Mandatory)] [string] $ResultsPath,
    [Parameter(Mandatory)] [ValidateSet('Setup', 'Own')] [string] $Mode,
    [Parameter(Mandatory)] [string] $Root,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [string] $PesterManifest
)

$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
# MightyOps "installed": Import-Module MightyOps and #Requires -Modules MightyOps find it by name.
$env:PSModulePath = (Split-Path (Split-Path (Split-Path $ModuleManifest))) + [IO.Path]::PathSeparator + $env:PSModulePath

# Longest an example may run before it counts as hung (a deploy takes a second or two here).
$ExampleTimeout = [timespan]::FromSeconds(120)
# How long a '# Runs until Ctrl+C' example may take to write its first line before it is stopped.
$FirstLineTimeout = [timespan]::FromSeconds(20)

function New-ExampleRunspace {
    $state = [Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    $state.ImportPSModule($ModuleManifest)
    $runspace = [runspacefactory]::CreateRunspace($state)
    $runspace.Open()
    $runspace
}

# The ErrorRecord behind an exception that ended a pipeline, however it was wrapped.
function Get-TerminatingRecord([Exception] $Exception) {
    $record = $null
    for ($e = $Exception; $e; $e = $e.InnerException) {
        if ($e -is [Management.Automation.IContainsErrorRecord] -and $e -isnot [Management.Automation.MethodInvocationException]) { $record = $e.ErrorRecord; break }
    }
    if ($record) { return @{ Id = $record.FullyQualifiedErrorId; Command = $record.InvocationInfo.MyCommand.Name; Message = "$record" } }
    @{ Id = $Exception.GetType().Name; Command = $null; Message = $Exception.Message }
}

function Invoke-Example {
    param([Parameter(Mandatory)] $Runspace, [Parameter(Mandatory)] $Example)
    Invoke-InRunspace $Runspace '$global:LASTEXITCODE = 0'
    $ps = [powershell]::Create()
    $ps.Runspace = $Runspace
    switch ($Example.Kind) {
        'Script' {
            $folder = Join-Path ([IO.Path]::GetTempPath()) ('mighty-example-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
            New-Item -ItemType Directory -Path $folder | Out-Null
            $path = Join-Path $folder $Example.FileName
            Set-Content -Path $path -Value $Example.Code
            $null = $ps.AddCommand($path)
        }
        'Pester' {
            $folder = Join-Path ([IO.Path]::GetTempPath()) ('mighty-example-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
            New-Item -ItemType Directory -Path $folder | Out-Null
            $path = Join-Path $folder $Example.FileName
            Set-Content -Path $path -Value $Example.Code
            $null = $ps.AddScript("Import-Module '$PesterManifest'; `$run = Invoke-Pester -Path '$path' -PassThru -Output Detailed; if (`$run.Result -ne 'Passed') { Write-Error -ErrorId PesterFailed `"Invoke-Pester: `$(`$run.FailedCount) failed, `$(`$run.PassedCount) passed`" }", $true)
        }
        default { $null = $ps.AddScript($Example.Code, $true) }
    }
    $null = $ps.AddCommand('Out-String').AddParameter('Stream').AddParameter('Width', 120)
    $inputData = [Management.Automation.PSDataCollection[psobject]]::new()
    $inputData.Complete()
    $outputData = [Management.Automation.PSDataCollection[psobject]]::new()
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $async = $ps.BeginInvoke($inputData, $outputData)
    $stopped = $false
    $terminating = $null
    if ($Example.Kind -eq 'UntilStop') {
        while (-not $async.IsCompleted -and $outputData.Count -eq 0 -and $clock.Elapsed -lt $FirstLineTimeout) { Start-Sleep -Milliseconds 50 }
        if (-not $async.IsCompleted) {
            # What Ctrl+C does: stop the pipeline (StopProcessing), then wait for it to end.
            Start-Sleep -Milliseconds 300
            $ps.Stop()
            $stopped = $true
        }
    }
    if (-not $async.AsyncWaitHandle.WaitOne($ExampleTimeout)) {
        $ps.Stop()
        $terminating = @{ Id = 'ExampleTimedOut'; Command = $null; Message = "did not finish within $($ExampleTimeout.TotalSeconds) s" }
    }
    try { $null = $ps.EndInvoke($async) }
    catch [Management.Automation.PipelineStoppedException] { if (-not $stopped -and -not $terminating) { $terminating = Get-TerminatingRecord $_.Exception } }
    catch { $terminating = Get-TerminatingRecord $_.Exception }
    $clock.Stop()
    # A native command's standard error is text in a terminal, not an error record; its exit code
    # is what says it failed.
    $native = @($ps.Streams.Error | Where-Object FullyQualifiedErrorId -Like 'NativeCommandError*')
    $exitCode = Invoke-InRunspace $Runspace '$global:LASTEXITCODE'
    $result = [pscustomobject]@{
        Id = $Example.Id
        # The end is enough to tell what happened (a follow writes thousands of lines).
        Output = (@($outputData | ForEach-Object { "$_" } | Select-Object -Last 200) + @($native | ForEach-Object { "$_" })) -join "`n"
        Errors = @($ps.Streams.Error | Where-Object { $_ -notin $native } | ForEach-Object { @{ Id = $_.FullyQualifiedErrorId; Command = $_.InvocationInfo.MyCommand.Name; Message = "$_" } })
        ExitCode = if ($exitCode -is [int]) { $exitCode } else { 0 }
        Warnings = @($ps.Streams.Warning | ForEach-Object { "$_" })
        Terminating = $terminating
        Stopped = $stopped
        Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 2)
    }
    $ps.Dispose()
    $result
}

# Puts the process environment back as it was in $Saved (an example may set or clear variables).
function Restore-Environment([Collections.IDictionary] $Saved) {
    foreach ($name in @([Environment]::GetEnvironmentVariables().Keys)) {
        if (-not $Saved.Contains($name)) { [Environment]::SetEnvironmentVariable($name, $null) }
    }
    foreach ($entry in $Saved.GetEnumerator()) {
        if ([Environment]::GetEnvironmentVariable($entry.Key) -ne $entry.Value) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    }
}

function Invoke-InRunspace([Parameter(Mandatory)] $Runspace, [Parameter(Mandatory)] [string] $Script) {
    $ps = [powershell]::Create()
    $ps.Runspace = $Runspace
    try {
        $out = $ps.AddScript($Script).Invoke()
        if ($ps.HadErrors -or $ps.Streams.Warning.Count) { throw "'$Script' failed: $(@($ps.Streams.Error) + @($ps.Streams.Warning) -join '; ')" }
        $out
    }
    finally { $ps.Dispose() }
}

$examples = @(Import-Clixml $ExamplesPath)
$results = [Collections.Generic.List[object]]::new()
try {
    if ($Mode -eq 'Setup') {
        $runspace = New-ExampleRunspace
        $said = @(Invoke-InRunspace $runspace ". '$(Join-Path $Root 'tools/sandbox-examples.ps1')'")
        $appRepository = Invoke-InRunspace $runspace '(Get-Location).Path'
        $config = Invoke-InRunspace $runspace 'Get-Content mighty.psd1 -Raw'
        $results.Add([pscustomobject]@{ Id = '(setup)'; Location = $appRepository; Config = $config; Wrote = @($said | ForEach-Object { "$_" }) })
        try {
            foreach ($example in $examples) {
                $environment = [Environment]::GetEnvironmentVariables()
                $results.Add((Invoke-Example -Runspace $runspace -Example $example))
                # The session as the setup left it: location and environment variables.
                Invoke-InRunspace $runspace "Set-Location -LiteralPath '$appRepository'"
                Restore-Environment $environment
            }
        }
        finally {
            Invoke-InRunspace $runspace 'Stop-SandboxExamples'
            $runspace.Dispose()
        }
    }
    else {
        foreach ($example in $examples) {
            $environment = [Environment]::GetEnvironmentVariables()
            $runspace = New-ExampleRunspace
            Invoke-InRunspace $runspace "Set-Location -LiteralPath '$Root'"
            $results.Add((Invoke-Example -Runspace $runspace -Example $example))
            # Whatever sandboxes it left running go, and the environment they took over comes back.
            Invoke-InRunspace $runspace 'Stop-MightySandbox'
            $runspace.Dispose()
            Restore-Environment $environment
        }
    }
}
finally {
    $results | Export-Clixml -Path $ResultsPath -Depth 5
}
