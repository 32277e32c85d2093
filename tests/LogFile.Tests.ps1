# A log file that cannot be written is said once, as warning AR-W007 naming the file, and the
# run goes on. Real engine in a child `pwsh -NoProfile`; skipped, with the reason, when the
# library is absent.
Describe 'Log file that cannot be written (in a child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
    }

    It 'warns once with AR-W007 for -LogPath /dev/full and still returns the result (Linux)' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        if (-not (Test-Path -LiteralPath '/dev/full')) { Set-ItResult -Skipped -Because 'no /dev/full on this system'; return }
        if (-not (Test-Path -LiteralPath $SampleBundle)) { Set-ItResult -Skipped -Because "the sample $SampleBundle is not there yet"; return }
        $run = Invoke-ChildPwsh -Script @"
Import-Module `$ManifestPath
`$r = Get-ARDatabaseInfo -Path '$SampleBundle' -LogPath /dev/full -WarningVariable w -WarningAction SilentlyContinue
[pscustomobject]@{ Type = `$r.PSObject.TypeNames[0]; Warnings = @(`$w | ForEach-Object Message); Errors = `$Error.Count } | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.Type | Should -Be 'ActiveRolesUpgrade.DatabaseInfo'
        @($r.Warnings).Count | Should -Be 1
        $r.Warnings[0] | Should -BeLike 'AR-W007: The log file /dev/full cannot be written (no space left on device)*'
        $r.Errors | Should -Be 0
        $run.Error | Should -Not -Match 'zerolog' -Because 'no raw logger error reaches stderr'
    }
}
