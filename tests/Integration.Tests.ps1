# Real native runs, each in a child `pwsh -NoProfile` so the library is not locked and no
# state leaks into the test process. Skipped, with the reason, when the library is absent.
Describe 'Native engine (in a child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        $isUnix = -not ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows)
        # Operations of this engine build (the engine grows while the module is developed).
        $operations = @()
        if (-not $skip) {
            $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
& (Get-Module ActiveRolesUpgrade) {
    function Get-Ops { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'version' -LogPath '-' }
    Get-Ops
} | ConvertTo-Json -Compress -Depth 5
'@
            $operations = @((ConvertFrom-ChildJson $run).operations)
        }
        function Skip-Unless {
            param([string]$Operation)
            if ($skip) { Set-ItResult -Skipped -Because $skip; return $true }
            if ($Operation -and $operations -notcontains $Operation) {
                Set-ItResult -Skipped -Because "this engine build has no '$Operation' operation yet (it has: $($operations -join ', '))"
                return $true
            }
            $false
        }
    }

    It 'answers aru_version with ABI 1 and no open jobs' {
        if (Skip-Unless) { return }
        $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
& (Get-Module ActiveRolesUpgrade) { Get-ARNativeVersion } | ConvertTo-Json -Compress
'@
        $v = ConvertFrom-ChildJson $run
        $v.abi | Should -Be 1
        $v.version | Should -Match '^\d+\.\d+\.\d+'
        $v.openJobs | Should -Be 0
    }

    It 'runs the version operation and writes an ActiveRolesUpgrade.VersionInfo' {
        if (Skip-Unless) { return }
        $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
$r = & (Get-Module ActiveRolesUpgrade) {
    function Get-V { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'version' -LogPath '-' }
    Get-V
}
[pscustomobject]@{ Type = $r.PSObject.TypeNames[0]; Abi = $r.abi; Ops = $r.operations } | ConvertTo-Json -Compress
'@
        $v = ConvertFrom-ChildJson $run
        $v.Type | Should -Be 'ActiveRolesUpgrade.VersionInfo'
        $v.Abi | Should -Be 1
        $v.Ops | Should -Contain 'sleep'
    }

    It 'restores the .NET thread-suspension signal handler after loading the Go runtime (Linux/macOS)' {
        if (Skip-Unless) { return }
        if (-not $isUnix) { Set-ItResult -Skipped -Because 'Windows has no signal handlers to protect'; return }
        $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
& (Get-Module ActiveRolesUpgrade) { $null = Initialize-ARNativeEngine; Get-ARNativeDiagnostics } | ConvertTo-Json -Compress
'@
        $d = ConvertFrom-ChildJson $run
        $d.Loaded | Should -BeTrue
        $d.ActivationSignal | Should -BeGreaterThan 0
        ($d.FlagsBeforeLoad -band $d.OnStackFlag) | Should -Be 0 -Because '.NET installs its activation handler without SA_ONSTACK'
        ($d.FlagsAfterGoInit -band $d.OnStackFlag) | Should -Be $d.OnStackFlag -Because 'the Go runtime adds SA_ONSTACK when it starts (golang/go#78883)'
        $d.SignalRestored | Should -BeTrue
        ($d.FlagsNow -band $d.OnStackFlag) | Should -Be 0
        $d.FlagsNow | Should -Be $d.FlagsBeforeLoad
    }

    It 'describes the shipped 7.6 sample with Get-ARDatabaseInfo -Path' {
        if (Skip-Unless 'inspect') { return }
        if (-not (Test-Path -LiteralPath $SampleBundle)) { Set-ItResult -Skipped -Because "the sample $SampleBundle is not there yet"; return }
        $run = Invoke-ChildPwsh -Script @"
Import-Module `$ManifestPath
`$r = Get-ARDatabaseInfo -Path '$SampleBundle'
[pscustomobject]@{ Type = `$r.PSObject.TypeNames[0]; Version = [string]`$r.Version; Role = `$r.role; State = `$r.state; Changes = `$r.counts.ChangeRecord; Table = (`$r | Out-String) } | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.Type | Should -Be 'ActiveRolesUpgrade.DatabaseInfo'
        $r.Version | Should -BeLike '7.6*'
        $r.Role | Should -Be 'Combined'
        $r.State | Should -Be 'Supported'
        $r.Changes | Should -BeGreaterThan 0
        $r.Table | Should -Match 'Combined'   # the table view applies
    }

    It 'writes a sample with New-ARSampleDatabase and reads it back' {
        if (Skip-Unless 'fixture') { return }
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive 'fixture')
        $out = Join-Path $TestDrive 'fixture/ar81h.arbundle'
        $run = Invoke-ChildPwsh -Script @"
Import-Module `$ManifestPath
`$f = New-ARSampleDatabase -Version 8.1 -Role ManagementHistory -OutputPath '$out' -HistoryRecords 300 -Seed 7 -LogPath '$TestDrive/fixture.log'
`$i = Get-ARDatabaseInfo -Path `$f.bundlePath
[pscustomobject]@{ FType = `$f.PSObject.TypeNames[0]; Bundle = `$f.bundlePath; IType = `$i.PSObject.TypeNames[0]; Role = `$i.role; Version = [string]`$i.Version } | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.FType | Should -Be 'ActiveRolesUpgrade.FixtureResult'
        $r.Bundle | Should -Be $out
        $r.IType | Should -Be 'ActiveRolesUpgrade.DatabaseInfo'
        $r.Role | Should -Be 'ManagementHistory'
        $r.Version | Should -BeLike '8.1*'
        Test-Path (Join-Path $TestDrive 'fixture.log') | Should -BeTrue
    }

    It 'cancels a running job when its pipeline is stopped, and leaves no open job' {
        if (Skip-Unless) { return }
        $run = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @'
Import-Module $ManifestPath
$module = Get-Module ActiveRolesUpgrade
$ps = [powershell]::Create()
$null = $ps.AddScript({
    param($ManifestPath)
    Import-Module $ManifestPath
    & (Get-Module ActiveRolesUpgrade) {
        function Invoke-Sleep { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'sleep' -Params @{ seconds = 60 } -LogPath '-' }
        Invoke-Sleep
    }
}).AddArgument($ManifestPath)
$async = $ps.BeginInvoke()
$deadline = [datetime]::UtcNow.AddSeconds(60)
while ($ps.Streams.Progress.Count -lt 2 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
$progressSeen = $ps.Streams.Progress.Count
$openWhileRunning = (& $module { Get-ARNativeVersion }).openJobs
$sw = [System.Diagnostics.Stopwatch]::StartNew()
$ps.Stop()
$stopSeconds = $sw.Elapsed.TotalSeconds
$state = [string]$ps.InvocationStateInfo.State
$ps.Commands.Clear()
$outcome = $ps.AddScript({ & (Get-Module ActiveRolesUpgrade) { $script:LastOutcome } }).Invoke() | Select-Object -First 1
$ps.Dispose()
[pscustomobject]@{
    ProgressSeen = $progressSeen; OpenWhileRunning = $openWhileRunning; StopSeconds = $stopSeconds; State = $state
    Outcome = $outcome.outcome; ExitCode = $outcome.exitCode; OpenAfter = (& $module { Get-ARNativeVersion }).openJobs
} | ConvertTo-Json -Compress
'@
        $r = ConvertFrom-ChildJson $run
        $r.ProgressSeen | Should -BeGreaterOrEqual 2
        $r.OpenWhileRunning | Should -Be 1
        $r.State | Should -Be 'Stopped'
        $r.StopSeconds | Should -BeLessThan 15
        $r.Outcome | Should -Be 'cancelled'
        $r.ExitCode | Should -Be 130
        $r.OpenAfter | Should -Be 0
    }

    It 'reports a job cancelled by the engine as an OperationStopped error' {
        if (Skip-Unless) { return }
        $run = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @'
Import-Module $ManifestPath
$module = Get-Module ActiveRolesUpgrade
$ps = [powershell]::Create()
$null = $ps.AddScript({
    param($ManifestPath)
    Import-Module $ManifestPath
    & (Get-Module ActiveRolesUpgrade) {
        function Invoke-Sleep { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'sleep' -Params @{ seconds = 60 } -LogPath '-' }
        try { Invoke-Sleep } catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Message = $_.Exception.Message } }
    }
}).AddArgument($ManifestPath)
$async = $ps.BeginInvoke()
$deadline = [datetime]::UtcNow.AddSeconds(60)
while ($ps.Streams.Progress.Count -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
# Handles are small positive integers; cancel the running one from outside (aru_cancel).
foreach ($h in 1..16) { $null = [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Cancel($h) }
$result = $ps.EndInvoke($async) | Select-Object -Last 1
$ps.Dispose()
[pscustomobject]@{ Id = $result.Id; Category = $result.Category; Message = $result.Message; OpenAfter = (& $module { Get-ARNativeVersion }).openJobs } | ConvertTo-Json -Compress
'@
        $r = ConvertFrom-ChildJson $run
        $r.Id | Should -BeLike 'AR-*,Invoke-Sleep'
        $r.Category | Should -Be 'OperationStopped'
        $r.Message | Should -BeLike '*cancel*'
        $r.OpenAfter | Should -Be 0
    }

    It 'says a bundle holds no principals to copy (AR-NOPRINCIPALS, exit 2)' {
        if (Skip-Unless 'copy-principals') { return }
        $run = Invoke-ChildPwsh -Script @"
Import-Module `$ManifestPath
try { Copy-ARDatabasePrincipals -SourcePath '$TestDrive/a.arbundle' -DestinationPath '$TestDrive/b.arbundle' -Confirm:`$false -LogPath '-'; 'no error' | ConvertTo-Json }
catch { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Category = [string]`$_.CategoryInfo.Category; Exit = `$_.Exception.ExitCode; Remedy = `$_.ErrorDetails.RecommendedAction } | ConvertTo-Json -Compress }
"@
        $r = ConvertFrom-ChildJson $run
        $r.Id | Should -Be 'AR-NOPRINCIPALS,Copy-ARDatabasePrincipals'
        $r.Category | Should -Be 'InvalidArgument'
        $r.Exit | Should -Be 2
        $r.Remedy | Should -Not -BeNullOrEmpty
    }

    It 'never writes a SecureString password to any stream or to the log' {
        if (Skip-Unless) { return }
        if (-not (Test-Path -LiteralPath $SampleBundle)) { Set-ItResult -Skipped -Because "the sample $SampleBundle is not there yet"; return }
        $log = Join-Path $TestDrive 'secret.log'
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$sqlSecret = 'Sq1-Integration-Secret-4b7c'
`$keySecret = 'K3y-Integration-Secret-9a2d'
`$cred = [pscredential]::new('arimport', (ConvertTo-SecureString `$sqlSecret -AsPlainText -Force))
`$key = ConvertTo-SecureString `$keySecret -AsPlainText -Force
`$all = & {
    try {
        Import-ARConfiguration -SourcePath '$SampleBundle' -DestinationServer '127.0.0.1,1' -DestinationDatabase 'ARConfig82' -DestinationCredential `$cred ``
            -KeyBackupPath '$TestDrive/none.key' -KeyBackupPassword `$key -Confirm:`$false -LogPath '$log' -Verbose -Debug
    } catch { `$_ }
} *>&1
`$text = (`$all | ForEach-Object {
    if (`$_ -is [System.Management.Automation.ErrorRecord]) { `$_.FullyQualifiedErrorId; `$_.ToString(); `$_.Exception.ToString(); `$_.ErrorDetails.Message }
    elseif (`$_ -is [System.Management.Automation.InformationalRecord]) { `$_.Message }
    else { `$_ | Format-List * -Force | Out-String }
}) -join "``n"
`$logText = if (Test-Path '$log') { Get-Content -Raw '$log' } else { '' }
[pscustomobject]@{
    Records = @(`$all).Count; Text = `$text; LogLength = `$logText.Length
    LeakInStreams = (`$text.Contains(`$sqlSecret) -or `$text.Contains(`$keySecret))
    LeakInLog = (`$logText.Contains(`$sqlSecret) -or `$logText.Contains(`$keySecret))
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.Records | Should -BeGreaterThan 0
        $r.Text | Should -Match 'import-configuration'
        if ($operations -contains 'import-configuration') {
            $r.LogLength | Should -BeGreaterThan 0 -Because 'the engine wrote its log'
        }
        $r.LeakInStreams | Should -BeFalse
        $r.LeakInLog | Should -BeFalse
    }

    It 'runs the same protocol out of process ($env:ARUPGRADE_ENGINE = ''process'')' {
        if (Skip-Unless 'inspect') { return }
        $rid = Get-TestRuntimeIdentifier
        $cli = if ($env:ARUPGRADE_CLI) { $env:ARUPGRADE_CLI } else { Join-Path $RepoRoot ("bin/$rid/arupgrade" + $(if ($rid -like 'win-*') { '.exe' } else { '' })) }
        if (-not (Test-Path -LiteralPath $cli)) { Set-ItResult -Skipped -Because "the engine executable $cli is absent"; return }
        if (-not (Test-Path -LiteralPath $SampleBundle)) { Set-ItResult -Skipped -Because "the sample $SampleBundle is not there yet"; return }
        $run = Invoke-ChildPwsh -Environment @{ ARUPGRADE_ENGINE = 'process'; ARUPGRADE_CLI = $cli } -Script @"
Import-Module `$ManifestPath
`$r = Get-ARDatabaseInfo -Path '$SampleBundle' -LogPath '-'
`$loaded = [bool](('ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type])::IsLoaded)
[pscustomobject]@{ Type = `$r.PSObject.TypeNames[0]; Role = `$r.role; Loaded = `$loaded } | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        if ($r.Type -ne 'ActiveRolesUpgrade.DatabaseInfo' -and $run.Output -match 'AR-REQUEST') {
            Set-ItResult -Skipped -Because "the engine executable $cli is older than the library"; return
        }
        $r.Type | Should -Be 'ActiveRolesUpgrade.DatabaseInfo'
        $r.Role | Should -Be 'Combined'
        $r.Loaded | Should -BeFalse -Because 'the process mode never loads the library'
    }

    It 'cancels an out-of-process job when its pipeline is stopped, and leaves no engine process' {
        if (Skip-Unless) { return }
        $rid = Get-TestRuntimeIdentifier
        $cli = if ($env:ARUPGRADE_CLI) { $env:ARUPGRADE_CLI } else { Join-Path $RepoRoot ("bin/$rid/arupgrade" + $(if ($rid -like 'win-*') { '.exe' } else { '' })) }
        if (-not (Test-Path -LiteralPath $cli)) { Set-ItResult -Skipped -Because "the engine executable $cli is absent"; return }
        $run = Invoke-ChildPwsh -TimeoutSeconds 120 -Environment @{ ARUPGRADE_ENGINE = 'process'; ARUPGRADE_CLI = $cli } -Script @'
Import-Module $ManifestPath
function Get-EngineChildren { @(Get-Process -ErrorAction Ignore | Where-Object { $_.Parent -and $_.Parent.Id -eq $PID -and $_.ProcessName -like 'arupgrade*' }) }
$ps = [powershell]::Create()
$null = $ps.AddScript({
    param($ManifestPath)
    Import-Module $ManifestPath
    & (Get-Module ActiveRolesUpgrade) {
        function Invoke-Sleep { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'sleep' -Params @{ seconds = 60 } -LogPath '-' }
        Invoke-Sleep
    }
}).AddArgument($ManifestPath)
$async = $ps.BeginInvoke()
$deadline = [datetime]::UtcNow.AddSeconds(60)
while ($ps.Streams.Progress.Count -lt 2 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
$before = (Get-EngineChildren).Count
$ps.Stop()
$ps.Commands.Clear()
$outcome = $ps.AddScript({ & (Get-Module ActiveRolesUpgrade) { $script:LastOutcome } }).Invoke() | Select-Object -First 1
$ps.Dispose()
Start-Sleep -Milliseconds 200
[pscustomobject]@{ Before = $before; After = (Get-EngineChildren).Count; Outcome = $outcome.outcome
    Loaded = [bool](('ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]) -and [ActiveRolesUpgrade.Interop.V1.NativeEngine]::IsLoaded) } | ConvertTo-Json -Compress
'@
        $r = ConvertFrom-ChildJson $run
        $r.Before | Should -Be 1
        $r.After | Should -Be 0
        $r.Outcome | Should -Be 'cancelled'
        $r.Loaded | Should -BeFalse
    }

    It 'imports the sample''s configuration into a new bundle and creates an 8.2 Web Interface site from an earlier one' {
        if (Skip-Unless 'import-configuration') { return }
        if ($operations -notcontains 'new-website') { Set-ItResult -Skipped -Because "this engine build has no 'new-website' operation yet"; return }
        if (-not (Test-Path -LiteralPath $SampleBundle)) { Set-ItResult -Skipped -Because "the sample $SampleBundle is not there yet"; return }
        $dst = Join-Path $TestDrive 'web/ar82.arbundle'
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive 'web')
        $key = [System.IO.Path]::ChangeExtension($SampleBundle, '.key')
        $pwFile = [System.IO.Path]::ChangeExtension($SampleBundle, '.keypass.txt')
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$pw = ConvertTo-SecureString (Get-Content -Raw '$pwFile').Trim() -AsPlainText -Force
`$plan = Import-ARConfiguration -SourcePath '$SampleBundle' -DestinationPath '$dst' -CreateDestination -KeyBackupPath '$key' -KeyBackupPassword `$pw -ServicesServer ars01.corp.example.com -WhatIf -WarningAction SilentlyContinue
`$planned = Test-Path '$dst'
`$cfg = Import-ARConfiguration -SourcePath '$SampleBundle' -DestinationPath '$dst' -CreateDestination -KeyBackupPath '$key' -KeyBackupPassword `$pw -ServicesServer ars01.corp.example.com -WarningAction SilentlyContinue
`$site = New-ARWebSite 'Site for Administrators (7.6)' -Template Administrators -ApplicationAlias ARWebAdmin82 -DestinationPath '$dst' -Confirm:`$false
`$info = Get-ARDatabaseInfo -Path '$dst'
[pscustomobject]@{
    PlanType = `$plan.PSObject.TypeNames[0]; PlanWhatIf = `$plan.whatIf; FileAfterPlan = `$planned
    CfgType = `$cfg.PSObject.TypeNames[0]; Added = `$cfg.addedCount; Verified = `$cfg.verification.passed; Tenants = @(`$cfg.azureTenants).Count
    SiteType = `$site.PSObject.TypeNames[0]; SiteName = `$site.name; Created = `$site.created; UpgradedFrom = [string]`$site.UpgradedFrom
    DstVersion = [string]`$info.Version; DstRole = `$info.role
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.PlanType | Should -Be 'ActiveRolesUpgrade.ConfigurationImportResult'
        $r.PlanWhatIf | Should -BeTrue
        $r.FileAfterPlan | Should -BeFalse -Because '-WhatIf writes nothing, not even the new bundle'
        $r.CfgType | Should -Be 'ActiveRolesUpgrade.ConfigurationImportResult'
        $r.Added | Should -BeGreaterThan 0
        $r.Verified | Should -BeTrue
        $r.Tenants | Should -BeGreaterThan 0
        $r.SiteType | Should -Be 'ActiveRolesUpgrade.WebSiteResult'
        $r.SiteName | Should -BeLike '*(8.2)*'
        $r.Created | Should -BeTrue
        $r.UpgradedFrom | Should -Be '7.6'
        $r.DstVersion | Should -BeLike '8.2*'
        $r.DstRole | Should -Be 'Configuration'
    }

    It 'imports the sample''s Management History into a new bundle, and a second run only finds what is already there' {
        if (Skip-Unless 'import-history') { return }
        if (-not (Test-Path -LiteralPath $SampleBundle)) { Set-ItResult -Skipped -Because "the sample $SampleBundle is not there yet"; return }
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive 'hist')
        $dst = Join-Path $TestDrive 'hist/h82.arbundle'
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$first = Import-ARManagementHistory -SourcePath '$SampleBundle' -DestinationPath '$dst' -CreateDestination -BatchSize 100 -WarningAction SilentlyContinue
`$second = Import-ARManagementHistory -SourcePath '$SampleBundle' -DestinationPath '$dst' -WarningAction SilentlyContinue
function Sum(`$r, `$p) { `$n = 0; foreach (`$e in `$r.entities) { `$n += [long]`$e.`$p }; `$n }
[pscustomobject]@{
    Type = `$first.PSObject.TypeNames[0]; Imported1 = (Sum `$first 'imported'); Batches = `$first.batches
    Imported2 = (Sum `$second 'imported'); Present2 = (Sum `$second 'alreadyPresent')
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.Type | Should -Be 'ActiveRolesUpgrade.HistoryImportResult'
        $r.Imported1 | Should -BeGreaterThan 0
        $r.Batches | Should -BeGreaterThan 1
        $r.Imported2 | Should -Be 0
        $r.Present2 | Should -BeGreaterThan 0
    }

    It 'cancels the job on Ctrl+C (SIGINT) and leaves no open job (Linux/macOS)' {
        if (Skip-Unless) { return }
        if (-not $isUnix) { Set-ItResult -Skipped -Because 'sending Ctrl+C to another console is not portable on Windows; the pipeline-stop test covers the same path'; return }
        $kill = Get-Command kill -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $kill) { Set-ItResult -Skipped -Because 'no kill command'; return }
        $file = Join-Path $TestDrive 'sigint.ps1'
        Set-Content -Path $file -Encoding utf8 -Value @"
Import-Module '$ManifestPath'
`$m = Get-Module ActiveRolesUpgrade
try {
    & `$m {
        function Invoke-Sleep { [CmdletBinding()] param() Invoke-AREngine -Cmdlet `$PSCmdlet -Operation 'sleep' -Params @{ seconds = 60 } -LogPath '-' }
        `$first = `$true
        Invoke-Sleep -Verbose 4>&1 | ForEach-Object { if (`$first -and `$_.Message -like 'operation started*') { [Console]::Out.WriteLine('READY'); [Console]::Out.Flush(); `$first = `$false } }
    }
} finally {
    [Console]::Out.WriteLine('FINALLY outcome=' + (& `$m { `$script:LastOutcome.outcome }) + ' open=' + (& `$m { (Get-ARNativeVersion).openJobs }))
}
"@
        $p = Start-SignalablePwsh -File $file
        try {
            $ready = $false
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not $ready -and [datetime]::UtcNow -lt $deadline) {
                $line = $p.StandardOutput.ReadLine()
                if ($null -eq $line) { break }
                $ready = $line -eq 'READY'
            }
            $ready | Should -BeTrue -Because 'the job started and reported'
            if (Test-SigintIgnored -ProcessId $p.Id) {
                Set-ItResult -Skipped -Because 'the child ignores SIGINT (inherited from a shell without job control; env --default-signal is not there to reset it)'
                return
            }
            & $kill.Source -s INT $p.Id
            $rest = $p.StandardOutput.ReadToEndAsync()
            $p.WaitForExit(30000) | Should -BeTrue -Because 'Ctrl+C stops the run after the current batch'
            $rest.Result | Should -Match 'FINALLY outcome=cancelled open=0'
        } finally {
            if (-not $p.HasExited) { $p.Kill($true) }
            $p.Dispose()
        }
    }
}
