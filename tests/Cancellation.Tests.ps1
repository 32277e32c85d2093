# Ctrl+C is not silent: a job stopped with its pipeline reports its outcome as a warning,
# shows its partial result and leaves the error in $Error. Real engine, each run in a child
# `pwsh -NoProfile`; skipped, with the reason, when the library is absent.
Describe 'Stopping a running job (in a child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        $isUnix = -not ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows)
    }

    It 'warns with the outcome and leaves an OperationStopped error in $Error when the pipeline is stopped' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $run = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @'
Import-Module $ManifestPath
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
$ps.Stop()
$warnings = @($ps.Streams.Warning | ForEach-Object Message)
$ps.Commands.Clear()
$e = $ps.AddScript({ $Error[0] }).Invoke() | Select-Object -First 1
$ps.Dispose()
[pscustomobject]@{ Warnings = $warnings; Id = $e.FullyQualifiedErrorId; Category = [string]$e.CategoryInfo.Category
    Action = $e.ErrorDetails.RecommendedAction; Exit = $e.Exception.ExitCode } | ConvertTo-Json -Compress
'@
        $r = ConvertFrom-ChildJson $run
        @($r.Warnings).Count | Should -Be 1
        $r.Warnings[0] | Should -BeLike 'AR-CANCELLED: *cancelled*'
        $r.Id | Should -Be 'AR-CANCELLED'
        $r.Category | Should -Be 'OperationStopped'
        $r.Action | Should -Not -BeNullOrEmpty
        $r.Exit | Should -Be 130
    }

    It 'says after which batch a stopped history import ended, and keeps its partial result' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive 'stop')
        $src = Join-Path $TestDrive 'stop/h81.arbundle'
        $dst = Join-Path $TestDrive 'stop/h82.arbundle'
        $run = Invoke-ChildPwsh -TimeoutSeconds 300 -Script @"
Import-Module `$ManifestPath
`$null = New-ARSampleDatabase -Version 8.1 -Role ManagementHistory -OutputPath '$src' -HistoryRecords 300000 -Seed 5 -LogPath '-'
`$ps = [powershell]::Create()
`$null = `$ps.AddScript({
    param(`$ManifestPath, `$Src, `$Dst)
    Import-Module `$ManifestPath
    Import-ARManagementHistory -SourcePath `$Src -DestinationPath `$Dst -CreateDestination -BatchSize 100 -SkipPrincipals -LogPath '-'
}).AddArgument(`$ManifestPath).AddArgument('$src').AddArgument('$dst')
`$async = `$ps.BeginInvoke()
`$deadline = [datetime]::UtcNow.AddSeconds(120)
while (-not (`$ps.Streams.Progress | Where-Object { `$_.StatusDescription -like '*rows*' }) -and [datetime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 20 }
`$ps.Stop()
`$warnings = @(`$ps.Streams.Warning | ForEach-Object Message | Where-Object { `$_ -like 'AR-CANCELLED*' })
`$ps.Commands.Clear()
`$e = `$ps.AddScript({ `$Error[0] }).Invoke() | Select-Object -First 1
`$ps.Dispose()
`$again = Import-ARManagementHistory -SourcePath '$src' -DestinationPath '$dst' -SkipPrincipals -LogPath '-' -WarningAction SilentlyContinue
function Sum(`$r, `$p) { `$n = 0; foreach (`$x in `$r.entities) { `$n += [long]`$x.`$p }; `$n }
[pscustomobject]@{
    Warnings = `$warnings; Id = `$e.FullyQualifiedErrorId; Action = `$e.ErrorDetails.RecommendedAction
    TargetType = `$e.TargetObject.PSObject.TypeNames[0]; Batches = `$e.TargetObject.batches; Imported1 = (Sum `$e.TargetObject 'imported')
    Imported2 = (Sum `$again 'imported'); Present2 = (Sum `$again 'alreadyPresent')
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        @($r.Warnings).Count | Should -Be 1
        $r.Warnings[0] | Should -Match '^AR-CANCELLED: The history import was cancelled after batch \d+'
        $r.Warnings[0] | Should -BeLike '*again*'
        $r.Id | Should -Be 'AR-CANCELLED'
        $r.Action | Should -BeLike '*again*'
        $r.TargetType | Should -Be 'ActiveRolesUpgrade.HistoryImportResult' -Because 'the partial result travels with the error'
        $r.Imported1 | Should -BeGreaterThan 0
        $r.Imported2 | Should -BeGreaterThan 0 -Because 'the re-run continues where the stopped run ended'
        $r.Present2 | Should -Be $r.Imported1 -Because 'nothing is imported twice'
    }

    It 'prints the warning and the partial result on Ctrl+C (SIGINT) and fills $Error (Linux/macOS)' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        if (-not $isUnix) { Set-ItResult -Skipped -Because 'sending Ctrl+C to another console is not portable on Windows; the pipeline-stop tests cover the same path'; return }
        $kill = Get-Command kill -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $kill) { Set-ItResult -Skipped -Because 'no kill command'; return }
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive 'sigint')
        $src = Join-Path $TestDrive 'sigint/h81.arbundle'
        $dst = Join-Path $TestDrive 'sigint/h82.arbundle'
        $file = Join-Path $TestDrive 'sigint/run.ps1'
        Set-Content -Path $file -Encoding utf8 -Value @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$ManifestPath'
`$null = New-ARSampleDatabase -Version 8.1 -Role ManagementHistory -OutputPath '$src' -HistoryRecords 300000 -Seed 5 -LogPath '-'
try {
    `$first = `$true
    Import-ARManagementHistory -SourcePath '$src' -DestinationPath '$dst' -CreateDestination -BatchSize 100 -SkipPrincipals -LogPath '-' -Verbose 4>&1 |
        ForEach-Object { if (`$first -and "`$_" -like 'batch committed*') { [Console]::Out.WriteLine('READY'); [Console]::Out.Flush(); `$first = `$false } }
} finally {
    [Console]::Out.WriteLine('FINALLY errors=' + `$Error.Count + ' id=' + `$Error[0].FullyQualifiedErrorId + ' target=' + `$Error[0].TargetObject.PSObject.TypeNames[0])
}
"@
        $p = Start-SignalablePwsh -File $file
        try {
            $ready = $false
            $deadline = [datetime]::UtcNow.AddSeconds(120)
            while (-not $ready -and [datetime]::UtcNow -lt $deadline) {
                $line = $p.StandardOutput.ReadLine()
                if ($null -eq $line) { break }
                $ready = $line -eq 'READY'
            }
            $ready | Should -BeTrue -Because 'the import committed its first batch'
            if (Test-SigintIgnored -ProcessId $p.Id) {
                Set-ItResult -Skipped -Because 'the child ignores SIGINT (inherited from a shell without job control; env --default-signal is not there to reset it)'
                return
            }
            & $kill.Source -s INT $p.Id
            $rest = $p.StandardOutput.ReadToEndAsync()
            $p.WaitForExit(60000) | Should -BeTrue -Because 'Ctrl+C stops the run after the current batch'
            $out = $rest.Result
            $out | Should -Match 'WARNING: AR-CANCELLED: The history import was cancelled after batch \d+'
            $out | Should -Match 'FINALLY errors=1 id=AR-CANCELLED target=ActiveRolesUpgrade.HistoryImportResult'
            $out | Should -Match '(?m)^Batches\s*:\s*\d+' -Because 'the partial result is shown on the host'
        } finally {
            if (-not $p.HasExited) { $p.Kill($true) }
            $p.Dispose()
        }
    }
}
