# Proves the in-process choice on Linux/macOS: the Go runtime's SA_ONSTACK on the .NET
# thread-suspension signal (golang/go#78883, dotnet/runtime#127320) would crash the process
# under GC load; the loader restores the handler. Each run is a child pwsh of its own.
Describe 'In-process engine under GC pressure' -Tag 'Stress' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        $stressScript = Join-Path $PSScriptRoot 'scripts/Invoke-StressRun.ps1'
        $seconds = if ($env:ARUPGRADE_STRESS_SECONDS) { [double]$env:ARUPGRADE_STRESS_SECONDS } else { 20 }
    }

    It 'pumps events for ~20 s while other runspaces force garbage collections and call the engine, and exits 0' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $run = Invoke-StressScript -Path $stressScript -Seconds $seconds
        $summary = "exit $($run.ExitCode); stdout: $($run.Output -join ' | '); stderr: $($run.Error)"
        $run.TimedOut | Should -BeFalse -Because $summary
        $run.ExitCode | Should -Be 0 -Because $summary
        ($run.Output -join "`n") | Should -Match 'openJobs=0'
        if (-not ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows)) {
            ($run.Output -join "`n") | Should -Match 'restored=True'
        }
        ($run.Output -join "`n") | Should -Match 'jobs=[1-9]'
    }

    It 'would crash without the signal guard (shows the stress run detects the hazard)' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        if ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows) { Set-ItResult -Skipped -Because 'Windows has no signal handlers to protect'; return }
        $run = Invoke-StressScript -Path $stressScript -Seconds $seconds -Environment @{ ARUPGRADE_SIGNAL_GUARD = 'off' }
        if ($run.ExitCode -eq 0) {
            Set-ItResult -Skipped -Because 'the hazard did not reproduce in this run (it is timing dependent); the guarded run above is the assertion'
            return
        }
        # A crash: SIGSEGV (139) or SIGABRT (134) in the .NET runtime's signal handler.
        $run.ExitCode | Should -BeIn @(134, 139, -11, -6) -Because "exit $($run.ExitCode): $($run.Error)"
    }
}

# The restored handler has no SA_ONSTACK, so a suspension signal that reaches a thread while it runs
# Go code would be handled on the goroutine's small stack; the module blocks the signal for the
# duration of every call. Injecting the signal thousands of times a second makes that race certain.
Describe 'In-process engine: the suspension signal while a thread runs Go code' -Tag 'Stress' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        if (-not $skip -and ($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows)) { $skip = 'Windows suspends threads without signals' }
        $injectScript = Join-Path $PSScriptRoot 'scripts/Invoke-SignalInjection.ps1'
        $seconds = if ($env:ARUPGRADE_STRESS_SECONDS) { [double]$env:ARUPGRADE_STRESS_SECONDS / 2 } else { 10 }
    }

    It 'survives ~10 s of the signal sent to two threads calling the engine in a loop, and exits 0' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $run = Invoke-StressScript -Path $injectScript -Seconds $seconds
        $summary = "exit $($run.ExitCode); stdout: $($run.Output -join ' | '); stderr: $(("$($run.Error)" -split "`n" | Select-Object -First 8) -join ' | ')"
        $run.TimedOut | Should -BeFalse -Because $summary
        $run.ExitCode | Should -Be 0 -Because $summary
        ($run.Output -join "`n") | Should -Match 'masked=True' -Because $summary
        ($run.Output -join "`n") | Should -Match 'calls=[1-9]\d* signals=[1-9]' -Because $summary
    }

    It 'would crash with the calls not blocking it (shows the injection detects the hazard)' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $run = Invoke-StressScript -Path $injectScript -Seconds $seconds -Environment @{ ARUPGRADE_SIGNAL_GUARD = 'restore-only' }
        ($run.Output -join "`n") | Should -Match 'masked=False'
        if ($run.ExitCode -eq 0) {
            Set-ItResult -Skipped -Because 'the hazard did not reproduce in this run (it is timing dependent); the blocked run above is the assertion'
            return
        }
        # Go's runtime dies on its overwritten stack (134) or the process takes SIGSEGV (139).
        $run.ExitCode | Should -BeIn @(134, 139, -11, -6) -Because "exit $($run.ExitCode): $($run.Error)"
    }
}
