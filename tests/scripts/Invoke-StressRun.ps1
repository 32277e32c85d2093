<#
.SYNOPSIS
Stress run for the in-process engine: pumps many engine events while other
runspaces force garbage collections and call into the library, for a fixed time.
Run it in a child pwsh; a crash (SIGSEGV from an overflowed signal stack) shows
as a non-zero exit code. Used by tests/Stress.Tests.ps1.
#>
param(
    [Parameter(Mandatory)][string]$ManifestPath,
    [double]$Seconds = 20,
    [int]$GcThreads = 3,
    [int]$CallerThreads = 2
)
$ErrorActionPreference = 'Stop'
Import-Module $ManifestPath -Force
$module = Get-Module ActiveRolesUpgrade
$diag = & $module { $null = Initialize-ARNativeEngine; Get-ARNativeDiagnostics }
"mode=$($diag.Mode) signal=$($diag.ActivationSignal) before=0x{0:x} afterGo=0x{1:x} now=0x{2:x} restored=$($diag.SignalRestored)" -f $diag.FlagsBeforeLoad, $diag.FlagsAfterGoInit, $diag.FlagsNow

$deadline = [datetime]::UtcNow.AddSeconds($Seconds)
$workers = [System.Collections.Generic.List[object]]::new()
# Garbage-collection pressure: every collection suspends all managed threads with the activation signal.
for ($i = 0; $i -lt $GcThreads; $i++) {
    $ps = [powershell]::Create()
    $null = $ps.AddScript({
            param($deadline)
            $n = 0
            while ([datetime]::UtcNow -lt $deadline) {
                $junk = [System.Collections.Generic.List[object]]::new()
                for ($k = 0; $k -lt 2000; $k++) { $junk.Add([byte[]]::new(512)) }
                [GC]::Collect()
                $n++
                [System.Threading.Thread]::Sleep(2)
            }
            $n
        }).AddArgument($deadline)
    $workers.Add([pscustomobject]@{ Kind = 'gc'; PS = $ps; Async = $ps.BeginInvoke() })
}
# Other threads calling into the Go library (each gets Go's signal stack set up).
for ($i = 0; $i -lt $CallerThreads; $i++) {
    $ps = [powershell]::Create()
    $null = $ps.AddScript({
            param($deadline)
            $n = 0
            while ([datetime]::UtcNow -lt $deadline) {
                $json = $null
                $null = [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Version([ref]$json)
                $n++
            }
            $n
        }).AddArgument($deadline)
    $workers.Add([pscustomobject]@{ Kind = 'caller'; PS = $ps; Async = $ps.BeginInvoke() })
}

# The pump on this thread: back-to-back sleep jobs (progress every ~100 ms) with debug logging.
$jobs = 0; $events = 0
& $module {
    param($deadline)
    function Invoke-StressPump {
        [CmdletBinding()] param($deadline)
        while ([datetime]::UtcNow -lt $deadline) {
            $null = Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'sleep' -Params @{ seconds = 0.3 } -LogPath '-' 4>$null 5>$null
            $script:StressJobs++
        }
    }
    $script:StressJobs = 0
    $ProgressPreference = 'SilentlyContinue'
    Invoke-StressPump -deadline $deadline -Verbose
} $deadline
$jobs = & $module { $script:StressJobs }

$counts = foreach ($w in $workers) {
    $r = $w.PS.EndInvoke($w.Async)
    "$($w.Kind)=$($r | Select-Object -Last 1)"
    $w.PS.Dispose()
}
$open = (& $module { Get-ARNativeVersion }).openJobs
"jobs=$jobs $($counts -join ' ') openJobs=$open"
if ($open -ne 0) { Write-Error "openJobs is $open after the run"; exit 3 }
exit 0
