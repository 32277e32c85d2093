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
    if ((Resolve-AREngine) -eq 'Process') {
        throw [System.NotSupportedException]::new('aru_version is not available when the engine runs out of process.')
    }
    $null = Initialize-ARNativeEngine
    $json = $null
    $st = (Get-ARInteropType NativeEngine)::Version([ref]$json)
    if ($st -ne 0) { throw (New-ARNativeStatusException -Function 'aru_version' -Status $st) }
    Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $json
}

function Get-AREngineVersion {
    <#
    .SYNOPSIS
    The "version" operation, run the way every cmdlet runs its job: the version, ABI and
    operations of the engine this copy of the module uses (in process or out of process).
    #>
    [CmdletBinding()]
    param()
    $handle = Start-ARNativeJob -RequestJson '{"operation":"version","params":{},"logFile":"-"}'
    try {
        $result = $null
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        while ([datetime]::UtcNow -lt $deadline) {
            $r = Receive-ARNativeEvent -Handle $handle -TimeoutMilliseconds 200
            if ($r.Status -eq 'End') { break }
            if ($r.Status -ne 'Event') { continue }
            $ev = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $r.Json
            if ([string]$ev.type -eq 'result') { $result = $ev.data }
            if ([string]$ev.type -eq 'outcome') {
                if ([string]$ev.outcome -ne 'succeeded') { throw (New-AREngineException -ErrorInfo $ev.error -ExitCode $ev.exitCode) }
                break
            }
        }
        if ($null -eq $result) { throw (New-AREngineException -Code 'AR-PROTOCOL' -Category 'InvalidResult' -Message 'The engine reported no version.' -Remedy 'This is a bug; report it.') }
        $result
    } finally {
        Close-ARNativeJob -Handle $handle
    }
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

    if ((Resolve-AREngine) -eq 'Process') {
        return (Get-ARInteropType ProcessEngine)::Start((Get-AREngineCliPath), $RequestJson, $HandleBox)
    }
    $null = Initialize-ARNativeEngine
    $handle = [long]0
    $errorJson = $null
    $st = (Get-ARInteropType NativeEngine)::Start($RequestJson, $HandleBox, [ref]$handle, [ref]$errorJson)
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
        (Get-ARInteropType ProcessEngine)::Next($Handle, $TimeoutMilliseconds, [ref]$json)
    } else {
        (Get-ARInteropType NativeEngine)::Next($Handle, $TimeoutMilliseconds, [ref]$json)
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
        (Get-ARInteropType ProcessEngine)::Cancel($Handle)
    } else {
        (Get-ARInteropType NativeEngine)::Cancel($Handle)
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
        (Get-ARInteropType ProcessEngine)::Close($Handle, $script:ProcessCloseGraceMilliseconds)
    } else {
        (Get-ARInteropType NativeEngine)::Close($Handle)
    }
    if ($st -ne 0) { throw (New-ARNativeStatusException -Function 'aru_close' -Status $st) }
}

function Test-ARProcessHandle {
    # Whether a handle belongs to an out-of-process job (ProcessEngine) rather than the library.
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][long]$Handle)
    $t = Get-ARInteropType ProcessEngine -IfCompiled
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
