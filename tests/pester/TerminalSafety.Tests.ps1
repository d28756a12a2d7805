# Nothing from outside drives the terminal (docs/design/terminal-safety.md). Escape sequences are
# planted where outside text enters: a container's crash output and a container's stop reason, a
# task's stopped reason, a service event, Sidekiq queue names in Redis, a git tag's tagger and
# message, a git branch name, keys and values of mighty.psd1, a container command's output. A fresh
# pwsh runs the commands with every stream shown and the Ansi rendering (PlainText would strip SGR
# sequences and so hide part of the bug); everything it prints, and every progress record, is
# searched for control characters. The planted text must still be there, made visible, and exact
# in the objects and through Get-MightyLog -Raw. A real terminal (tmux) gets the same commands,
# and its raw byte stream is searched for the planted sequences.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/QueueWorld.ps1
    . $PSScriptRoot/TagWorld.ps1
    . $PSScriptRoot/SshRig.ps1

    $script:sandbox = Start-MightySandbox -Seed demo -TimeScale 200
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('mighty-terminal-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    # What an attacker plants: window title, clipboard write, clear screen, a hyperlink, blink
    # (an SGR PowerShell never writes itself), a bare carriage return, and a C1 CSI.
    $script:Planted = "INJ`e]0;PWNED-TITLE`a`e]52;c;ZXZpbA==`a`e[2J`e]8;;http://evil.example/`e\click`e]8;;`e\`e[5mBLINK`rOVERWRITTEN`u{9b}2JEND"
    # Where the path carries it (Redis, CloudWatch Logs, a config file), a NUL as well.
    $script:PlantedNul = "$script:Planted`0NUL"
    # Each sequence as it must show, made visible (short, so a wrapped line cannot hide one).
    $script:VisibleParts = @('␛]0;PWNED-TITLE␇', '␛]52;c;ZXZpbA==␇', '␛[2J', '␛]8;;http://evil.example/␛\click', '␛[5mBLINK', '␍OVERWRITTEN', '\x9b2JEND')
    # Each sequence as a terminal would obey it.
    $script:RawParts = @("`e]0;PWNED-TITLE`a", "`e]52;c;", "`e[2J", "`e]8;;http://evil", "`e[5m", "`rOVERWRITTEN", "`u{9b}2J")

    # PowerShell's own colours in the Ansi rendering: the only escape sequences allowed in a capture.
    $script:OwnSgr = @(
        $PSStyle.Formatting.PSObject.Properties.Value | Where-Object { $_ -is [string] -and $_ }
        $PSStyle.Reset
    ) | Sort-Object -Unique | Sort-Object Length -Descending

    # The text with control characters shown as symbols, for test messages (a report must never
    # carry them raw either); written here rather than taken from the module under test.
    function ConvertTo-Visible([string] $Text) {
        [regex]::Replace($Text, '[\x00-\x08\x0A-\x1F\x7F-\x9F]', {
                param($m)
                $code = [int][char]$m.Value
                if ($code -lt 0x20) { [string][char](0x2400 + $code) } elseif ($code -eq 0x7F) { '␡' } else { '\x{0:x2}' -f $code }
            })
    }

    # The text without PowerShell's own colours.
    function Remove-OwnSgr([string] $Text) {
        foreach ($sgr in $script:OwnSgr) { $Text = $Text.Replace($sgr, '') }
        $Text
    }

    # Control characters other than newline and tab, with where they are, made visible.
    function Get-ControlCharacter([string] $Text) {
        $rest = Remove-OwnSgr $Text
        foreach ($m in [regex]::Matches($rest, '[\x00-\x08\x0B-\x1F\x7F-\x9F]')) {
            $start = [Math]::Max(0, $m.Index - 30)
            '{0:x2} in ...{1}...' -f [int][char]$m.Value, (ConvertTo-Visible $rest.Substring($start, [Math]::Min(60, $rest.Length - $start)))
        }
    }

    # True when the text holds a control character other than newline and tab (-Line: newline too).
    function Test-ControlCharacter([string] $Text, [switch] $Line) {
        $Text -match $(if ($Line) { '[\x00-\x08\x0A-\x1F\x7F-\x9F]' } else { '[\x00-\x08\x0B-\x1F\x7F-\x9F]' })
    }

    # The text with line wraps undone (a list view or an error view breaks long lines anywhere).
    function Join-Wrapped([string] $Text) { (Remove-OwnSgr $Text) -replace '\r?\n[ \t]*(\| ?)?', '' }

    # True when a capture section shows $Expected (line wraps undone). A boolean on purpose: a
    # failing Should on the captured text itself would print the raw text into the test report.
    function Test-Shown([string] $Section, [string] $Expected) { (Join-Wrapped $script:capture[$Section]).Contains($Expected) }

    # What a section printed, made visible and cut short: for a failure's message.
    function Get-SectionExcerpt([string] $Section) {
        $text = ConvertTo-Visible (Remove-OwnSgr $script:capture[$Section])
        if ($text.Length -gt 3000) { $text.Substring(0, 3000) + '…' } else { $text }
    }

    <#
    Every call in an assembly's IL to PowerShell's own message methods (a cmdlet's Write* and
    ShouldProcess, the command runtime's, the host's Write* lines), as Caller (type and method)
    and Callee. Read from the metadata, so a call that C# hides behind another name is found too.
    #>
    function Get-PowerShellMessageCall([string] $Path) {
        $messages = 'WriteWarning', 'WriteVerbose', 'WriteDebug', 'WriteInformation', 'WriteProgress', 'WriteError', 'ThrowTerminatingError', 'ShouldProcess', 'ShouldContinue'
        $watched = @{
            'System.Management.Automation.Cmdlet' = $messages
            'System.Management.Automation.PSCmdlet' = $messages
            'System.Management.Automation.ICommandRuntime' = $messages
            'System.Management.Automation.ICommandRuntime2' = $messages
            'System.Management.Automation.Host.PSHostUserInterface' = 'Write', 'WriteLine', 'WriteErrorLine', 'WriteWarningLine', 'WriteVerboseLine', 'WriteDebugLine', 'WriteInformation', 'WriteProgress', 'Prompt', 'PromptForChoice', 'PromptForCredential'
        }
        $stream = [IO.File]::OpenRead($Path)
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try {
            $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $callees = @{}
            foreach ($handle in $md.MemberReferences) {
                $reference = $md.GetMemberReference($handle)
                if ($reference.Parent.Kind -ne [System.Reflection.Metadata.HandleKind]::TypeReference) { continue }
                $parent = $md.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle]$reference.Parent)
                $typeName = $md.GetString($parent.Namespace) + '.' + $md.GetString($parent.Name)
                $name = $md.GetString($reference.Name)
                if ($watched[$typeName] -contains $name) {
                    $token = [System.Reflection.Metadata.Ecma335.MetadataTokens]::GetToken([System.Reflection.Metadata.EntityHandle]$handle)
                    $callees[-join ([BitConverter]::GetBytes($token) | ForEach-Object { [char]$_ })] = "$typeName.$name"
                }
            }
            if ($callees.Count -eq 0) { return }
            # call, callvirt, ldftn, ldvirtftn followed by one of those tokens.
            $pattern = [regex]::new('(?:[\x28\x6F]|\xFE[\x06\x07])(' + (($callees.Keys | ForEach-Object { [regex]::Escape($_) }) -join '|') + ')')
            foreach ($typeHandle in $md.TypeDefinitions) {
                $type = $md.GetTypeDefinition($typeHandle)
                $typeName = $md.GetString($type.Name)
                for ($outer = $type.GetDeclaringType(); -not $outer.IsNil; $outer = $md.GetTypeDefinition($outer).GetDeclaringType()) {
                    $typeName = $md.GetString($md.GetTypeDefinition($outer).Name) + '+' + $typeName
                    $namespaceOf = $md.GetTypeDefinition($outer)
                }
                $namespace = if ($namespaceOf) { $md.GetString($namespaceOf.Namespace) } else { $md.GetString($type.Namespace) }
                $namespaceOf = $null
                foreach ($methodHandle in $type.GetMethods()) {
                    $method = $md.GetMethodDefinition($methodHandle)
                    if ($method.RelativeVirtualAddress -eq 0) { continue }
                    $il = [System.Reflection.Metadata.PEReaderExtensions]::GetMethodBody($pe, $method.RelativeVirtualAddress).GetILBytes()
                    $text = -join ($il | ForEach-Object { [char]$_ })
                    foreach ($m in $pattern.Matches($text)) {
                        [pscustomobject]@{ Caller = "$namespace.$typeName.$($md.GetString($method.Name))"; Callee = $callees[$m.Groups[1].Value] }
                    }
                }
            }
        }
        finally {
            $pe.Dispose()
            $stream.Dispose()
        }
    }

    # A Redis command over RESP, arguments as exact strings (a NUL or a megabyte included).
    function Invoke-Resp([int] $Port, [int] $Database, [string[]] $Command) {
        $client = [Net.Sockets.TcpClient]::new('127.0.0.1', $Port)
        try {
            $stream = $client.GetStream()
            foreach ($one in @(@('SELECT', "$Database"), $Command)) {
                $bytes = [Collections.Generic.List[byte]]::new()
                $bytes.AddRange([Text.Encoding]::UTF8.GetBytes("*$($one.Count)`r`n"))
                foreach ($argument in $one) {
                    $data = [Text.Encoding]::UTF8.GetBytes($argument)
                    $bytes.AddRange([Text.Encoding]::UTF8.GetBytes("`$$($data.Length)`r`n"))
                    $bytes.AddRange($data)
                    $bytes.AddRange([byte[]](13, 10))
                }
                $stream.Write($bytes.ToArray(), 0, $bytes.Count)
                $reply = [byte[]]::new(512)
                $read = $stream.Read($reply, 0, $reply.Length)
                if ([char]$reply[0] -eq '-') { throw "redis: $([Text.Encoding]::UTF8.GetString($reply, 0, $read))" }
            }
        }
        finally { $client.Dispose() }
    }

    # ---- The planted world ----------------------------------------------------------------
    $since = $script:sandbox.UtcNow

    # A crash: the image's containers print the planted text and exit; ECS reports the planted
    # text as the container's reason too.
    foreach ($repository in 'app', 'nginx-proxy') { $null = $script:sandbox.PushImage($repository, 'master.7') }
    $null = $script:sandbox.SetImageCrash('app', 'master.7', $script:PlantedNul)
    $body = @{ image = 'app:master.7'; reason = "CannotStartContainerError: $script:Planted" } | ConvertTo-Json
    Invoke-RestMethod -Method Post -Uri "$($script:sandbox.Endpoint)/_sandbox/bad-image" -ContentType 'application/json' -Body $body | Out-Null

    # A deployment of WEB that fails, with a service event holding the planted text: watched by
    # Wait-MightyDeployment in the capture.
    $script:web = Publish-MightyService -Cluster production -Service WEB -Tag master.7 -NoWait
    $script:sandbox.AddServiceEvent('production', 'WEB', "(service WEB) reported an error: $script:Planted")

    # Redis: queue names with the planted text (one with a NUL), a megabyte-long one, and in
    # another database a job whose contents hold a secret.
    $script:redis = Start-TestRedis
    $script:evilQueue = "evil$script:Planted"
    $script:nulQueue = "nul$script:PlantedNul"
    $script:longQueue = 'long' + ('q' * 1MB)
    # The one queue mighty.psd1 maps to a service, so that Set-MightyQueueScale -WhatIf names it.
    $script:mappedQueue = "evilINJ`e]0;PWNED-TITLE`a`e[2J`rOVERWRITTEN`0NUL"
    $job = '{"class":"HardJob","args":[1],"jid":"abc","enqueued_at":' + [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() + '.5}'
    foreach ($queue in $script:evilQueue, $script:nulQueue, $script:longQueue, $script:mappedQueue) {
        Invoke-Resp $script:redis.Port 0 @('SADD', 'queues', $queue)
        Invoke-Resp $script:redis.Port 0 @('LPUSH', "queue:$queue", $job)
    }
    Invoke-Resp $script:redis.Port 2 @('SADD', 'queues', 'default')
    Invoke-Resp $script:redis.Port 2 @('LPUSH', 'queue:default', 'password=Hunter2Secret card=4111111111111111')
    $script:redisUrl = "redis://127.0.0.1:$($script:redis.Port)/0"
    $script:secretUrl = "redis://127.0.0.1:$($script:redis.Port)/2"

    # mighty.psd1: a queue mapped to a service (for Set-MightyQueueScale -WhatIf), a hostile key,
    # a hostile value (escapes in a double-quoted string), a raw NUL and ESC in the file itself.
    function Write-Config([string] $Name, [string] $Text) {
        $path = Join-Path $script:work $Name
        [IO.File]::WriteAllText($path, $Text, [Text.UTF8Encoding]::new($false))
        $path
    }
    $escaped = '"evil`e]0;PWNED-TITLE`a`e[2J`rOVERWRITTEN`0NUL"'
    $script:queueConfig = Write-Config 'queues.psd1' "@{ Services = @{ API = @{ Queue = $($escaped -replace '^"evil', '"evilINJ') } } }"
    # (the same name as $script:mappedQueue, written with mighty.psd1's escapes)
    $script:configs = @(
        Write-Config 'key.psd1' "@{ $escaped = 1 }"
        Write-Config 'value.psd1' "@{ Secrets = @{ Source = $escaped } }"
        Write-Config 'raw.psd1' "@{ Region = 'us-east-1`e]0;PWNED-TITLE`a`0NUL' }"
    )

    # git: an annotated release tag whose tagger and message hold the planted text; a branch
    # whose name holds a C1 control (git allows it: bytes >= 0x80).
    $script:world = New-TagWorld
    $script:clone = New-TagClone $script:world 'app'
    Invoke-TestGit $script:clone -c "user.name=Eve$script:Planted" tag -a master.1 --cleanup=verbatim -m "release $script:Planted"
    Invoke-TestGit $script:clone switch --quiet -c "rel`u{9b}2J"

    # SSH: a container command that prints the planted text (printf's octal escapes).
    $script:keys = Join-Path $script:work 'keys'
    New-Item -ItemType Directory -Path $script:keys | Out-Null
    New-RigKey (Join-Path $script:keys 'id_ed25519') ed25519
    $authorized = Join-Path $script:keys 'authorized_keys'
    Copy-Item (Join-Path $script:keys 'id_ed25519.pub') $authorized
    $script:rig = Start-SshRig -Keys ([pscustomobject]@{ AuthorizedKeys = $authorized }) -SandboxEndpoint $script:sandbox.Endpoint
    $script:execHome = Join-Path $script:work 'home'
    New-Item -ItemType Directory -Path $script:execHome | Out-Null
    $script:printPlanted = "printf 'line one\nINJ\033]0;PWNED-TITLE\007\033]52;c;ZXZpbA==\007\033[2J\033]8;;http://evil.example/\033\\click\033]8;;\033\\\033[5mBLINK\rOVERWRITTEN\302\2332JEND\n'; printf 'ERR\033]0;PWNED-TITLE\007\n' >&2"

    $script:sinceText = $since.ToString('o')

    # The commands every capture runs, by section, each statement on its own as typed at a prompt
    # (its own Out-Default); $v holds the values above.
    $script:Commands = [ordered]@{
        tasks  = @(
            { Get-MightyTask -Cluster production -Service mailers -DesiredStatus STOPPED -TaskId $v.StoppedTaskId }
            { Get-MightyTask -Cluster production -Service mailers -DesiredStatus STOPPED -TaskId $v.StoppedTaskId | Format-List })
        deploy = @(
            { $r = Publish-MightyService -Cluster production -Service API -Tag master.7 -NoRollback -Verbose }
            { $r }
            { $r | Format-List }
            { (Get-MightyTask -Cluster production -Service API -DesiredStatus STOPPED)[0].Containers }
            { (Get-MightyTask -Cluster production -Service API -DesiredStatus STOPPED)[0].Containers | Format-List })
        watch  = @(
            { [MightyOps.MightyDeployment]$v.Web | Wait-MightyDeployment -NoRollback }
            { Get-MightyServiceEvent -Cluster production -Service WEB -Last 3 }
            { Get-MightyServiceEvent -Cluster production -Service WEB -Last 3 | Format-List })
        logs   = @(
            { Get-MightyLog -Cluster production -Service API -Container application -Since $v.Since -Filter INJ }
            { Get-MightyLog -Cluster production -Service API -Container application -Since $v.Since -Filter INJ | Format-List }
            { Get-MightyLog -Cluster production -Service API -Container application -Since $v.Since -Filter INJ -Follow | Select-Object -First 2 })
        queues = @(
            { Get-MightyQueue -Cluster production -Redis $v.RedisUrl -Verbose }
            { Get-MightyQueue -Cluster production -Redis $v.RedisUrl -Name evil* -WarningAction SilentlyContinue | Format-List }
            # Objects after output of another type: PowerShell shows them without their view.
            { Get-Date; Get-MightyQueue -Cluster production -Redis $v.RedisUrl -Name evil* -WarningAction SilentlyContinue }
            { Set-MightyQueueScale -Cluster production -Redis $v.RedisUrl -ConfigPath $v.QueueConfig -Queue 'evilINJ*NUL' -Count 3 -Force -WhatIf -Verbose }
            { Get-MightyQueue -Cluster production -Redis $v.SecretUrl }
            # The error view that prints the target's name in its category line.
            { $ErrorView = 'NormalView'; try { Set-MightyQueueScale -Cluster production -Redis $v.RedisUrl -Queue 'nulINJ*' -Count 1 -Force } finally { $ErrorView = 'ConciseView' } })
        tags   = @(
            { Get-MightyTag -Path $v.Clone -Branch master }
            { Get-MightyTag -Path $v.Clone -Branch master | Format-List }
            { New-MightyTag -Path $v.Clone -NoPush -Verbose })
        config = @(
            { Get-MightyService -Cluster production -ConfigPath $v.Configs[0] }
            { Get-MightyService -Cluster production -ConfigPath $v.Configs[1] }
            { Get-MightyService -Cluster production -ConfigPath $v.Configs[2] })
        exec   = @(
            { $env:HOME = $v.ExecHome }
            { $e = Invoke-MightyContainer -Cluster production -Service default -Command $v.PrintPlanted -KeyFilePath $v.Key -Port $v.Port -User $v.User }
            { $e }
            { $e | Format-List })
    }
    # A task's stopped reason, through the ECS API (StopTask's reason); last, so that ECS still
    # lists the stopped task when the capture reads it.
    $mailer = (Get-MightyTask -Cluster production -Service mailers)[0]
    aws ecs stop-task --cluster production --task $mailer.TaskArn --reason $script:Planted --output json | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'aws ecs stop-task failed' }
    $script:stoppedTaskId = $mailer.TaskId
    # Read back now: ECS (and the sandbox) forget stopped tasks after about an hour of its time.
    $script:stoppedTask = Get-MightyTask -Cluster production -Service mailers -DesiredStatus STOPPED -TaskId $mailer.TaskId

    $script:Values = @{
        StoppedTaskId = $script:stoppedTaskId; Since = $script:sinceText; RedisUrl = $script:redisUrl; SecretUrl = $script:secretUrl
        QueueConfig = $script:queueConfig; Clone = $script:clone; Configs = $script:configs; ExecHome = $script:execHome
        PrintPlanted = $script:printPlanted; Key = (Join-Path $script:keys 'id_ed25519'); Port = $script:rig.Port; User = [Environment]::UserName
        Web = @{
            Cluster = $script:web.Cluster; Service = $script:web.Service; DeploymentId = $script:web.DeploymentId; Status = 'InProgress'
            TaskDefinitionArn = $script:web.TaskDefinitionArn; PreviousTaskDefinitionArn = $script:web.PreviousTaskDefinitionArn; StartedAt = $script:web.StartedAt.ToString('o')
        }
    }

    # The script a fresh pwsh runs: every stream shown, each section marked, then the sections.
    function New-CaptureScript([string] $Rendering, [string] $Done, [string[]] $Section = $script:Commands.Keys) {
        $valuesFile = Join-Path $script:work "values-$([guid]::NewGuid().ToString('n')).xml"
        $script:Values | Export-Clixml -Path $valuesFile -Depth 4
        $sections = foreach ($name in $Section) {
            "[Console]::Out.Write(`"``n<<<SECTION $name>>>``n`")"
            foreach ($statement in $script:Commands[$name]) {
                "try { . { $statement } | Out-Default } catch { `$PSCmdlet.WriteError(`$_) }"
            }
        }
        $file = Join-Path $script:work "capture-$([guid]::NewGuid().ToString('n')).ps1"
        @"
[CmdletBinding()] param()
`$ErrorActionPreference = 'Continue'
`$InformationPreference = 'Continue'
Import-Module '$($script:ModuleManifest)'
$(if ($Rendering) { "`$PSStyle.OutputRendering = '$Rendering'" })
`$v = Import-Clixml '$valuesFile'
# A sequence written on purpose: the capture must keep control characters for their absence to mean anything.
[Console]::Out.Write("``e]0;MIGHTY-SENTINEL``a")
$($sections -join "`n")
[Console]::Out.Write("``n<<<SECTION end>>>``n")
$(if ($Done) { "Set-Content -Path '$Done' -Value done" })
"@ | Set-Content -Path $file -Encoding utf8NoBOM
        $file
    }

    # Everything a fresh pwsh prints, stdout and stderr in one file as a terminal gets them, by section.
    function Invoke-Capture {
        $scriptFile = New-CaptureScript -Rendering Ansi
        $out = "$scriptFile.out"
        $pwsh = Get-FreshPwsh
        & /bin/sh -c 'out="$1"; shift; exec "$@" > "$out" 2>&1' sh $out @pwsh -NoProfile -NonInteractive -File $scriptFile
        $text = [IO.File]::ReadAllText($out, [Text.Encoding]::UTF8)
        $sections = [ordered]@{ prelude = $text }
        $parts = [regex]::Split($text, '\n<<<SECTION (\w+)>>>\n')
        $sections.prelude = $parts[0]
        for ($i = 1; $i -lt $parts.Count; $i += 2) { $sections[$parts[$i]] = $parts[$i + 1] }
        $sections
    }

    $script:capture = Invoke-Capture
}

AfterAll {
    Stop-SshRig $script:rig
    Stop-TestRedis $script:redis
    Remove-TagWorld $script:world
    Stop-MightySandbox
    if (-not $env:MIGHTY_KEEP_CAPTURE) { Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Everything a fresh pwsh prints' {
    It 'keeps control characters: the capture is byte-exact (a sequence written on purpose is there)' {
        $script:capture.prelude.Contains("`e]0;MIGHTY-SENTINEL`a") | Should -BeTrue
        $script:capture.Keys | Should -Contain 'end' -Because 'every section ran'
    }

    It '<_>: holds no control character but newline, tab and PowerShell''s own colours' -ForEach @('tasks', 'deploy', 'watch', 'logs', 'queues', 'tags', 'config', 'exec') {
        $script:capture[$_] | Should -Not -BeNullOrEmpty
        @(Get-ControlCharacter $script:capture[$_]) | Should -BeNullOrEmpty
    }

    It '<Section>: shows the planted text made visible (<Why>)' -ForEach @(
        @{ Section = 'tasks'; Why = 'the stopped reason in the list view' }
        @{ Section = 'deploy'; Why = 'the crash output and the container''s reason in the error, FailureReason and the container views' }
        @{ Section = 'watch'; Why = 'the service event on the Information stream, in the error and in the event views' }
        @{ Section = 'logs'; Why = 'log lines in the table, list and -Follow views' }
        @{ Section = 'queues'; Why = 'queue names in the table, list, warnings and -WhatIf' }
        @{ Section = 'tags'; Why = 'the tagger and message' }
        @{ Section = 'exec'; Why = 'the command''s output' }
    ) {
        foreach ($part in $script:VisibleParts) {
            if (-not (Test-Shown $Section $part)) { $false | Should -BeTrue -Because "$Section shows $Why, with $part; it printed: $(Get-SectionExcerpt $Section)" }
        }
    }

    It '<Section>: <Why>' -ForEach @(
        @{ Section = 'deploy'; Why = 'the error and FailureReason quote the crash and the container''s reason'; Shows = @(
                'Deploying API:', "to 'API' failed.", 'FailureReason', 'CannotStartContainerError: INJ␛]0;PWNED-TITLE␇'
                'INJ␛]0;PWNED-TITLE␇␛]52;c;ZXZpbA==␇␛[2J␛]8;;http://evil.example/␛\click␛]8;;␛\␛[5mBLINK␍OVERWRITTEN\x9b2JEND␀NUL') }
        @{ Section = 'watch'; Why = 'the service event reaches the Information stream made visible'; Shows = @(
                'WEB: (service WEB) reported an error: INJ␛]0;PWNED-TITLE␇') }
        @{ Section = 'queues'; Why = 'a NUL in a queue name shows, -WhatIf names the queue made visible'; Shows = @(
                'nulINJ␛]0;PWNED-TITLE␇', '␀NUL', 'What if: Performing the operation "Set desired count'
                "(queue 'evilINJ␛]0;PWNED-TITLE␇␛[2J␍OVERWRITTEN␀NUL', cluster 'production')"
                'CategoryInfo          : ObjectNotFound: (nulINJ␛]0;PWNED-TIT') }
        @{ Section = 'queues'; Why = 'objects printed without their view (after output of another type) show made visible'; Shows = @(
                'MightyQueue : evilINJ␛]0;PWNED-TITLE␇') }
        @{ Section = 'queues'; Why = 'SidekiqDataInvalid names the key and the position'; Shows = @(
                "Redis key 'queue:default' holds, at index -1 (its oldest job), a job that is not JSON") }
        @{ Section = 'tags'; Why = 'a branch name with a C1 control shows made visible in the verbose line'; Shows = @(
                "The branch 'rel\x9b2J' is") }
        @{ Section = 'config'; Why = 'a hostile key, a hostile value and raw ESC and NUL in the file show made visible'; Shows = @(
                'key.psd1', 'value.psd1', 'raw.psd1', 'evil␛]0;PWNED-TITLE␇␛[2J␍OVERWRITTEN␀NUL', 'us-east-1␛]0;PWNED-TITLE␇␀NUL') }
    ) {
        foreach ($text in $Shows) {
            if (-not (Test-Shown $Section $text)) { $false | Should -BeTrue -Because "$Section shows $text; it printed: $(Get-SectionExcerpt $Section)" }
        }
    }

    It 'queues: a megabyte-long queue name is shortened in the warning' {
        $warnings = @((Remove-OwnSgr $script:capture.queues) -split "`n" | Where-Object { $_.StartsWith('WARNING:') -and $_.Contains('longqqq') })
        $warnings.Count | Should -Be 1
        $warnings[0].Length | Should -BeLessThan 1000
        $warnings[0].Contains('… (1,048,580 characters)') | Should -BeTrue
    }

    It 'queues: SidekiqDataInvalid never quotes the job''s contents' {
        $script:capture.queues.Contains('Hunter2') | Should -BeFalse
        $script:capture.queues.Contains('4111') | Should -BeFalse
    }
}

Describe 'Progress records' {
    It 'of commands in several containers and of a deploy watch carry no control character' {
        $ps = [powershell]::Create()
        $savedHome = $env:HOME
        try {
            $env:HOME = $script:execHome
            $null = $ps.AddScript(@"
Import-Module '$($script:ModuleManifest)'
`$v = `$args[0]
Invoke-MightyContainer -Cluster production -Service default -AllTasks -Command `$v.Command -KeyFilePath `$v.Key -Port `$v.Port -User `$v.User
[MightyOps.MightyDeployment]`$v.Web | Wait-MightyDeployment -NoRollback
"@).AddArgument(@{ Command = "$script:printPlanted # $script:Planted"; Key = $script:Values.Key; Port = $script:rig.Port; User = [Environment]::UserName; Web = $script:Values.Web })
            $output = $ps.Invoke()
            @($output).Count | Should -BeGreaterThan 2
            $records = @($ps.Streams.Progress)
            @($records.Activity) | Should -Contain 'Invoke-MightyContainer'
            @($records.Activity) | Should -Contain 'Waiting for deployments'
            $texts = $records | ForEach-Object { $_.Activity; $_.StatusDescription; $_.CurrentOperation } | Where-Object { $_ }
            @($texts | Where-Object { Test-ControlCharacter $_ -Line } | ForEach-Object { ConvertTo-Visible $_ }) | Should -BeNullOrEmpty
            $messages = @($ps.Streams.Error) + @($ps.Streams.Information) + @($ps.Streams.Warning) + @($ps.Streams.Verbose) | ForEach-Object { "$_" }
            @($messages | Where-Object { Test-ControlCharacter $_ } | ForEach-Object { ConvertTo-Visible $_ }) | Should -BeNullOrEmpty
        }
        finally {
            $env:HOME = $savedHome
            $ps.Dispose()
        }
    }
}

Describe 'The message funnel' {
    # A cmdlet built on MightyCmdlet that writes planted text through every message method.
    BeforeAll {
        $dll = Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.dll'
        $smaPath = [System.Management.Automation.PSObject].Assembly.Location
        if (-not ('MightyOpsTests.WritePlantedCommand' -as [type])) {
            Add-Type -IgnoreWarnings -WarningAction SilentlyContinue -ReferencedAssemblies $dll, $smaPath, ([MightyOps.MightyService].Assembly.Location) -TypeDefinition @'
using System.Management.Automation;
namespace MightyOpsTests
{
    [Cmdlet(VerbsCommunications.Write, "Planted", SupportsShouldProcess = true)]
    public sealed class WritePlantedCommand : MightyOps.Commands.MightyCmdlet
    {
        [Parameter(Mandatory = true)] public string Text { get; set; } = "";
        protected override void ProcessRecord()
        {
            WriteVerbose(Text);
            WriteDebug(Text);
            WriteWarning(Text);
            WriteInformation(Text, new[] { "t" });
            WriteInformation(new InformationRecord(Text, "source"));
            WriteProgress(new ProgressRecord(1, Text, Text) { CurrentOperation = Text });
            ShouldProcess(Text, Text);
            WriteError(new ErrorRecord(new System.Exception(Text), "Planted", ErrorCategory.InvalidData, Text));
        }
    }
}
'@
            Import-Module ('MightyOpsTests.WritePlantedCommand' -as [type]).Assembly
        }
    }

    It 'makes every message visible: verbose, debug, warning, information, progress and errors' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($t) Import-Module ([MightyOpsTests.WritePlantedCommand].Assembly); $VerbosePreference = $DebugPreference = "Continue"; Write-Planted -Text $t -WhatIf *>&1 | Out-String -Width 500').AddArgument($script:PlantedNul)
            $printed = -join $ps.Invoke()
            $records = @($ps.Streams.Progress)
            $records.Count | Should -Be 1
            Test-ControlCharacter ($records[0].Activity + $records[0].StatusDescription + $records[0].CurrentOperation) -Line | Should -BeFalse
            $records[0].Activity -ceq 'INJ␛]0;PWNED-TITLE␇␛]52;c;ZXZpbA==␇␛[2J␛]8;;http://evil.example/␛\click␛]8;;␛\␛[5mBLINK␍OVERWRITTEN\x9b2JEND␀NUL' | Should -BeTrue
            Test-ControlCharacter $printed | Should -BeFalse
            ([regex]::Matches($printed, [regex]::Escape('INJ␛]0;PWNED-TITLE␇'))).Count | Should -BeGreaterOrEqual 6 -Because 'verbose, debug, warning, two information records and the error show it'
        }
        finally {
            $ps.Dispose()
        }
    }

    It 'has no way around it: only MightyCmdlet calls PowerShell''s own message methods (IL of MightyOps.dll)' {
        $calls = Get-PowerShellMessageCall (Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.dll')
        $calls | Should -Not -BeNullOrEmpty -Because 'the scan finds the funnel''s own calls'
        @($calls | Where-Object { $_.Caller -notlike 'MightyOps.Commands.MightyCmdlet*' } | ForEach-Object { "$($_.Caller) calls $($_.Callee)" }) | Should -BeNullOrEmpty
    }
}

Describe 'The views' {
    It 'show a text property only through TerminalText; every type with a table has a list view and a member for PowerShell''s fallback' {
        [xml] $format = Get-Content -Raw (Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.Format.ps1xml')
        [xml] $types = Get-Content -Raw (Join-Path $env:MIGHTYOPS_TEST_MODULE 'MightyOps.Types.ps1xml')
        $problems = foreach ($view in $format.Configuration.ViewDefinitions.View) {
            $type = $view.ViewSelectedBy.TypeName -as [type]
            if (-not $type) { "$($view.Name): no type $($view.ViewSelectedBy.TypeName)"; continue }
            $items = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem) +
                @($view.ListControl.ListEntries.ListEntry.ListItems.ListItem) +
                @($view.CustomControl.CustomEntries.CustomEntry.CustomItem.ExpressionBinding) + @($view.GroupBy) | Where-Object { $_ }
            foreach ($item in $items) {
                if ($item.PropertyName) {
                    $property = $type.GetProperty($item.PropertyName)
                    if (-not $property -or -not $property.PropertyType.IsValueType) { "$($view.Name): $($item.PropertyName) is shown as it is" }
                }
                elseif ($item.ScriptBlock -notmatch '\[MightyOps\.TerminalText\]::Visible') {
                    $text = @([regex]::Matches($item.ScriptBlock, '\$_\.(\w+)') | ForEach-Object { $type.GetProperty($_.Groups[1].Value) } | Where-Object { -not $_ -or -not $_.PropertyType.IsValueType })
                    if ($text) { "$($view.Name): { $($item.ScriptBlock) } shows $($text.Name -join ', ') as it is" }
                }
            }
        }
        @($problems) | Should -BeNullOrEmpty
        $tables = $format.Configuration.ViewDefinitions.View | Where-Object { $_.TableControl -or $_.CustomControl } | ForEach-Object { $_.ViewSelectedBy.TypeName }
        $lists = $format.Configuration.ViewDefinitions.View | Where-Object ListControl | ForEach-Object { $_.ViewSelectedBy.TypeName }
        $fallbacks = $types.Types.Type | Where-Object { $_.Members.ScriptProperty.IsHidden -eq 'true' } | ForEach-Object Name
        @($tables | Where-Object { $_ -ne 'MightyOps.MightySandbox' -and $_ -notin $lists }) | Should -BeNullOrEmpty -Because 'Format-List must use a list view'
        @($lists | Where-Object { $_ -notin $fallbacks }) | Should -BeNullOrEmpty -Because 'PowerShell''s fallback list must show the type made visible'
    }

    It 'are missed out loud: a runspace that cannot load them gets a warning (once) saying outside text then prints as it is' {
        $state = [System.Management.Automation.Runspaces.InitialSessionState]::Create()
        $state.ImportPSModule($script:ModuleManifest)
        $ps = [powershell]::Create($state)
        try {
            $null = $ps.AddCommand('Get-MightyTag').AddParameter('Path', $script:clone).AddStatement().AddCommand('Get-MightyTag').AddParameter('Path', $script:clone)
            $null = $ps.Invoke()
            @($ps.Streams.Warning).Count | Should -Be 1
            "$($ps.Streams.Warning[0])" | Should -BeLike 'The MightyOps views were not loaded (*Update-TypeData*Update-FormatData*). Objects show as PowerShell''s plain lists, which print text from the cluster, logs, Redis or git as it is*'
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'The raw path' {
    It 'objects keep the exact text' {
        $script:stoppedTask.StoppedReason -ceq $script:Planted | Should -BeTrue
        @(Get-MightyQueue -Cluster production -Redis $script:redisUrl -WarningAction SilentlyContinue).Queue -ccontains $script:nulQueue | Should -BeTrue
        $tag = Get-MightyTag -Path $script:clone -Branch master
        $tag.Message -ceq "release $script:Planted" | Should -BeTrue
        $tag.Tagger.StartsWith("Eve$script:Planted") | Should -BeTrue
        (Get-MightyServiceEvent -Cluster production -Service WEB -Last 100).Message -ccontains "(service WEB) reported an error: $script:Planted" | Should -BeTrue
        $event = Get-MightyLog -Cluster production -Service API -Container application -Since $script:sinceText -Filter INJ | Select-Object -First 1
        $event.Message.EndsWith(": $script:PlantedNul") | Should -BeTrue
        Test-ControlCharacter "$event" | Should -BeFalse -Because 'ToString shows it made visible'
    }

    It 'Get-MightyLog -Raw returns the exact lines as strings' {
        $raw = @(Get-MightyLog -Cluster production -Service API -Container application -Since $script:sinceText -Filter INJ -Raw)
        $raw.Count | Should -BeGreaterThan 0
        $raw | ForEach-Object { $_ -is [string] | Should -BeTrue }
        $raw[0].EndsWith(": $script:PlantedNul") | Should -BeTrue
    }

    It 'tab completion offers a queue name made visible, and inserts it exactly' {
        $line = "Get-MightyQueue -Redis '$script:redisUrl' -Name evilINJ"
        $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
        $completions.ListItemText -ccontains 'evilINJ␛]0;PWNED-TITLE␇␛]52;c;ZXZpbA==␇␛[2J␛]8;;http://evil.example/␛\click␛]8;;␛\␛[5mBLINK␍OVERWRITTEN\x9b2JEND' | Should -BeTrue
        foreach ($completion in $completions) {
            Test-ControlCharacter $completion.ListItemText -Line | Should -BeFalse
            Test-ControlCharacter $completion.ToolTip -Line | Should -BeFalse
            Test-ControlCharacter $completion.CompletionText -Line | Should -BeFalse
        }
        $inserted = $completions | ForEach-Object { Invoke-Expression $_.CompletionText }
        $inserted -ccontains $script:evilQueue | Should -BeTrue
        $inserted -ccontains $script:mappedQueue | Should -BeTrue
    }
}

Describe 'A real terminal' {
    It 'receives none of the planted sequences (tmux, the raw byte stream of the pane)' {
        $done = Join-Path $script:work 'tmux.done'
        $raw = Join-Path $script:work 'tmux.raw'
        # Every section but the deploy (the slowest; its crash output shows in the logs section too).
        $scriptFile = New-CaptureScript -Done $done -Section ($script:Commands.Keys | Where-Object { $_ -ne 'deploy' })
        $socket = 'mighty-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $pwsh = (Get-FreshPwsh | ForEach-Object { "'$_'" }) -join ' '
        try {
            & tmux -L $socket new-session -d -s capture -x 220 -y 50 'sh'
            & tmux -L $socket pipe-pane -t capture -o "cat > '$raw'"
            & tmux -L $socket send-keys -t capture "exec $pwsh -NoProfile -File '$scriptFile'" Enter
            $deadline = [DateTime]::UtcNow.AddMinutes(4)
            while (-not (Test-Path $done) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Test-Path $done | Should -BeTrue -Because 'the commands ran to the end in the terminal'
            Start-Sleep -Milliseconds 300
        }
        finally {
            & tmux -L $socket kill-server 2>$null
        }
        $text = [Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes($raw))
        $text.Contains("`e]0;MIGHTY-SENTINEL`a") | Should -BeTrue -Because 'the pane''s raw bytes reach the file unchanged'
        foreach ($part in $script:RawParts) {
            $text.Contains($part) | Should -BeFalse -Because "the terminal must not get $(ConvertTo-Visible $part)"
        }
        $text.Contains('INJ␛]0;PWNED-TITLE␇') | Should -BeTrue -Because 'the planted text is shown, made visible'
    }
}
