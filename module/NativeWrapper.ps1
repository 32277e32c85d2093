# The only functions that call the engine. Each is a thin wrapper over one C ABI
# call (or its out-of-process equivalent), so unit tests can replace them with
#   Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { 1 }
# and feed events through Receive-ARNativeEvent.

$script:ProcessCloseGraceMilliseconds = 15000

function Get-ARNativeVersion {
    <#
    .SYNOPSIS
    aru_version: the engine's version, ABI and number of open jobs.
    #>
    [CmdletBinding()]
    param()
    if ((Get-AREngineMode) -eq 'Process') {
        throw [System.NotSupportedException]::new('aru_version is not available when the engine runs out of process.')
    }
    $null = Initialize-ARNativeEngine
    $json = $null
    $st = [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Version([ref]$json)
    if ($st -ne 0) { throw (New-ARNativeStatusException -Function 'aru_version' -Status $st) }
    Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $json
}

function Start-ARNativeJob {
    <#
    .SYNOPSIS
    aru_start: starts a job and returns its handle. The request may contain secrets: it is never echoed.
    #>
    [CmdletBinding()]
    [OutputType([long])]
    param(
        [Parameter(Mandatory)][string]$RequestJson,
        # Receives the handle inside the native call's return path, before any PowerShell
        # statement boundary where Ctrl+C could interrupt: the caller's finally can close it.
        [long[]]$HandleBox
    )

    if ((Get-AREngineMode) -eq 'Process') {
        Import-ARInteropType
        return [ActiveRolesUpgrade.Interop.V1.ProcessEngine]::Start((Get-AREngineCliPath), $RequestJson, $HandleBox)
    }
    $null = Initialize-ARNativeEngine
    $handle = [long]0
    $errorJson = $null
    $st = [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Start($RequestJson, $HandleBox, [ref]$handle, [ref]$errorJson)
    if ($st -eq 0) { return $handle }
    if ($st -eq -2 -and $errorJson) {
        $ev = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $errorJson
        throw (New-AREngineException -ErrorInfo $ev.error -ExitCode $ev.exitCode)
    }
    throw (New-ARNativeStatusException -Function 'aru_start' -Status $st)
}

function Receive-ARNativeEvent {
    <#
    .SYNOPSIS
    aru_next_event: waits at most TimeoutMilliseconds for the job's next event.
    .OUTPUTS
    An object with Status (Event, Timeout or End) and Json (the event, when Status is Event).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][long]$Handle,
        [int]$TimeoutMilliseconds = 200
    )
    $json = $null
    $st = if (Test-ARProcessHandle $Handle) {
        [ActiveRolesUpgrade.Interop.V1.ProcessEngine]::Next($Handle, $TimeoutMilliseconds, [ref]$json)
    } else {
        [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Next($Handle, $TimeoutMilliseconds, [ref]$json)
    }
    switch ($st) {
        0 { [pscustomobject]@{ Status = 'Event'; Json = $json } }
        1 { [pscustomobject]@{ Status = 'Timeout'; Json = $null } }
        2 { [pscustomobject]@{ Status = 'End'; Json = $null } }
        default { throw (New-ARNativeStatusException -Function 'aru_next_event' -Status $st) }
    }
}

function Stop-ARNativeJob {
    <#
    .SYNOPSIS
    aru_cancel: asks the job to stop after its current step; returns at once.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][long]$Handle)
    $st = if (Test-ARProcessHandle $Handle) {
        [ActiveRolesUpgrade.Interop.V1.ProcessEngine]::Cancel($Handle)
    } else {
        [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Cancel($Handle)
    }
    if ($st -ne 0) { throw (New-ARNativeStatusException -Function 'aru_cancel' -Status $st) }
}

function Close-ARNativeJob {
    <#
    .SYNOPSIS
    aru_close: releases the handle (cancels and waits if the job still runs).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][long]$Handle)
    $st = if (Test-ARProcessHandle $Handle) {
        [ActiveRolesUpgrade.Interop.V1.ProcessEngine]::Close($Handle, $script:ProcessCloseGraceMilliseconds)
    } else {
        [ActiveRolesUpgrade.Interop.V1.NativeEngine]::Close($Handle)
    }
    if ($st -ne 0) { throw (New-ARNativeStatusException -Function 'aru_close' -Status $st) }
}

function Test-ARProcessHandle {
    # Whether a handle belongs to an out-of-process job (ProcessEngine) rather than the library.
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][long]$Handle)
    $t = 'ActiveRolesUpgrade.Interop.V1.ProcessEngine' -as [type]
    [bool]($t -and $t::Owns($Handle))
}

function New-ARNativeStatusException {
    [CmdletBinding()]
    param([string]$Function, [int]$Status)
    $name = switch ($Status) {
        -1 { 'ARU_BAD_HANDLE' } -2 { 'ARU_BAD_REQUEST' } -3 { 'ARU_INTERNAL' } -4 { 'ARU_NULL_ARGUMENT' } default { "status $Status" }
    }
    $remedy = if ($Status -eq -3) {
        'This is a bug in the engine; report it with the log file (aru_version reports the last panic).'
    } else {
        'This is a bug in ActiveRolesUpgrade; report it with the command you ran.'
    }
    New-AREngineException -Code 'AR-NATIVE' -Category 'NotSpecified' -Message "The engine call $Function failed with $name." -Remedy $remedy -ExitCode 1
}
