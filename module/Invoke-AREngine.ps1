# The event pump: runs one engine operation and translates its event stream
# into PowerShell streams. Every public cmdlet ends here.

$script:ProgressIdSeed = 0x4152   # 'AR'; each job takes the next id
$script:EventTimeoutMilliseconds = 200
$script:DrainTimeoutSeconds = 30
# The outcome event of the last job this module ran (also of a job stopped by Ctrl+C): for
# support and for the tests.
$script:LastOutcome = $null

function Invoke-AREngine {
    <#
    .SYNOPSIS
    Runs an engine operation: progress → Write-Progress, log → Write-Verbose/Write-Debug,
    warning → Write-Warning, result → typed objects on the pipeline, failure → terminating error.
    .DESCRIPTION
    The job is always cancelled (if still running), drained to its outcome (bounded wait)
    and closed in a finally block, so Ctrl+C or a stopped pipeline leaks no handle. A job
    stopped by Ctrl+C is reported by Write-ARStoppedOutcome (a warning, the partial result,
    an entry in $Error), because a stopped pipeline takes no more objects or errors.
    Params may hold SecureString values: they are expanded only inside the request JSON.
    #>
    [CmdletBinding()]
    param(
        # The public cmdlet's $PSCmdlet: errors are raised on its behalf.
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][string]$Operation,
        [System.Collections.IDictionary]$Params = @{},
        [string]$LogPath,
        # Activity shown until the engine names its own.
        [string]$Activity = 'ActiveRolesUpgrade',
        # What the operation is about (CategoryInfo.TargetName of errors).
        $TargetObject = $Operation
    )

    $request = [ordered]@{ operation = $Operation; params = $Params }
    # A whatIf request's results are plans (module/ResultObjects.ps1 says so on each).
    $planning = [bool]$Params['whatIf']
    if ($LogPath -eq '-') {
        $request.logFile = '-'   # no log file
    } elseif ($LogPath) {
        $request.logFile = Resolve-ARPath -Cmdlet $Cmdlet -Path $LogPath
    }
    $request.logLevel = if ($DebugPreference -ne 'SilentlyContinue') { 'debug' } else { 'info' }

    $script:ProgressIdSeed++
    $progressId = $script:ProgressIdSeed
    $currentActivity = $Activity
    $outcome = $null
    $handle = $null
    $script:LastOutcome = $null
    # Why the loop below may end without an outcome: an exception ($loopFailed), a consumer
    # that wanted no more objects (Select-Object -First stops us while we write a result:
    # $writingResult), or else Ctrl+C / a stopped pipeline, which no catch block sees.
    $loopFailed = $false
    $writingResult = $false

    Microsoft.PowerShell.Utility\Write-Verbose "Starting engine operation '$Operation'."
    $handleBox = [long[]]::new(1)
    try {
        $startError = $null
        try {
            # The JSON goes straight to the engine: it is never stored or written anywhere.
            $handle = Start-ARNativeJob -RequestJson (ConvertTo-ARRequestJson -Request $request) -HandleBox $handleBox
        } catch {
            $startError = $_
        }
        if ($startError) {
            $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -Exception $startError.Exception -TargetObject $TargetObject))
        }
        while ($null -eq $outcome) {
            $r = Receive-ARNativeEvent -Handle $handle -TimeoutMilliseconds $script:EventTimeoutMilliseconds
            if ($r.Status -eq 'Timeout') { continue }
            if ($r.Status -eq 'End') { break }
            $ev = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $r.Json
            switch ([string]$ev.type) {
                'progress' {
                    if ($ev.activity) { $currentActivity = [string]$ev.activity }
                    Write-AREngineProgress -Id $progressId -EngineEvent $ev -Activity $currentActivity
                }
                'log' {
                    $text = Format-AREngineLog -EngineEvent $ev
                    if ([string]$ev.level -eq 'debug' -or [string]$ev.level -eq 'trace') {
                        Microsoft.PowerShell.Utility\Write-Debug $text
                    } elseif ([string]$ev.level -eq 'info') {
                        Microsoft.PowerShell.Utility\Write-Verbose $text
                    } else {
                        Microsoft.PowerShell.Utility\Write-Verbose "[$($ev.level)] $text"
                    }
                }
                'warning' {
                    $code = if ($ev.code) { "$($ev.code): " } else { '' }
                    Microsoft.PowerShell.Utility\Write-Warning "$code$($ev.message)"
                }
                'result' {
                    $writingResult = $true
                    Format-ARResultTemplate -Value $ev.data   # -From, not {param:from} (module/ParameterSpelling.ps1)
                    ConvertTo-ARResultObject -EngineEvent $ev -WhatIf:$planning
                    $writingResult = $false
                }
                'outcome' {
                    $outcome = $ev
                    $script:LastOutcome = $ev
                }
                default {
                    Microsoft.PowerShell.Utility\Write-Debug "Ignoring engine event of type '$($ev.type)'."
                }
            }
        }
    } catch {
        $loopFailed = $true
        throw
    } finally {
        # Stopped right after aru_start returned, before $handle was assigned: the box has it.
        if ($null -eq $handle -and $handleBox[0] -ne 0) { $handle = $handleBox[0] }
        $stopped = $null -eq $outcome -and -not $loopFailed -and -not $writingResult
        $partial = [System.Collections.Generic.List[object]]::new()
        if ($null -eq $outcome -and $null -ne $handle) {
            # Stopped (Ctrl+C, Select-Object -First, an error): cancel and drain to the outcome,
            # keeping the results the job still reports (a cancelled import's partial result).
            try { Stop-ARNativeJob -Handle $handle } catch { $null = $_ }
            $deadline = [datetime]::UtcNow.AddSeconds($script:DrainTimeoutSeconds)
            try {
                while ([datetime]::UtcNow -lt $deadline) {
                    $r = Receive-ARNativeEvent -Handle $handle -TimeoutMilliseconds $script:EventTimeoutMilliseconds
                    if ($r.Status -eq 'End') { break }
                    if ($r.Status -ne 'Event' -or $r.Json -notmatch '"type"\s*:\s*"(outcome|result)"') { continue }
                    $ev = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $r.Json
                    if ([string]$ev.type -eq 'result') {
                        $partial.Add((ConvertTo-ARResultObject -EngineEvent $ev -WhatIf:$planning))
                        continue
                    }
                    $script:LastOutcome = $ev
                    break
                }
            } catch { $null = $_ }
        }
        if ($null -ne $handle) {
            try { Close-ARNativeJob -Handle $handle } catch { $null = $_ }
        }
        try {
            Microsoft.PowerShell.Utility\Write-Progress -Id $progressId -Activity $currentActivity -Completed
        } catch { $null = $_ }
        if ($stopped -and $null -ne $script:LastOutcome -and [string]$script:LastOutcome.outcome -ne 'succeeded') {
            Write-ARStoppedOutcome -Outcome $script:LastOutcome -PartialResult $partial.ToArray() -TargetObject $TargetObject
        }
    }

    if ($null -eq $outcome) {
        $ex = New-AREngineException -Code 'AR-PROTOCOL' -Category 'InvalidResult' -ExitCode 1 `
            -Message "The engine ended operation '$Operation' without reporting an outcome." `
            -Remedy 'This is a bug; report it with the log file.'
        $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -Exception $ex -TargetObject $TargetObject))
    }
    if ($outcome.logPath) {
        Microsoft.PowerShell.Utility\Write-Verbose "Operation '$Operation' $($outcome.outcome); log: $($outcome.logPath)"
    }
    switch ([string]$outcome.outcome) {
        'succeeded' { return }
        'cancelled' {
            $info = if ($outcome.error) { $outcome.error } else {
                [pscustomobject]@{ code = 'AR-CANCELLED'; category = 'OperationStopped'; message = 'The operation was cancelled.'; remedy = 'Run it again to continue.' }
            }
            if (-not $info.category) { $info | Microsoft.PowerShell.Utility\Add-Member -Force -NotePropertyName category -NotePropertyValue 'OperationStopped' }
            $ex = New-AREngineException -ErrorInfo $info -ExitCode 130 -LogPath $outcome.logPath
            $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -Exception $ex -TargetObject $TargetObject))
        }
        default {
            $exit = if ($outcome.exitCode) { [int]$outcome.exitCode } else { 1 }
            $ex = New-AREngineException -ErrorInfo $outcome.error -ExitCode $exit -LogPath $outcome.logPath
            $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -Exception $ex -TargetObject $TargetObject))
        }
    }
}

function Write-ARStoppedOutcome {
    <#
    .SYNOPSIS
    Reports the outcome of a job stopped by Ctrl+C (or by a host stopping the pipeline).
    .DESCRIPTION
    A stopped pipeline takes no more objects or errors, but the warning stream and the host
    still work. So the outcome's message and remedy ("cancelled after batch N; run the import
    again to continue") become a warning, the partial result objects are shown on the host,
    and the error goes into $Error, its TargetObject the (last) partial result and its
    RecommendedAction the remedy, for scripts that look there.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Outcome,
        [AllowEmptyCollection()][object[]]$PartialResult = @(),
        $TargetObject
    )
    $info = $Outcome.error
    if ($null -eq $info) {
        $info = [pscustomobject]@{ code = 'AR-CANCELLED'; category = 'OperationStopped'; message = 'The operation was cancelled.'; remedy = 'Run it again to continue.' }
    }
    $text = "$($info.code): $($info.message)"
    if ($info.remedy) { $text = "$text $($info.remedy)" }
    Microsoft.PowerShell.Utility\Write-Warning $text
    foreach ($p in $PartialResult) { $p | Microsoft.PowerShell.Core\Out-Host }
    $exit = if ($Outcome.exitCode) { [int]$Outcome.exitCode } else { 130 }
    $ex = New-AREngineException -ErrorInfo $info -ExitCode $exit -LogPath $Outcome.logPath
    $target = if ($PartialResult.Count) { $PartialResult[-1] } else { $TargetObject }
    $global:Error.Insert(0, (New-ARErrorRecord -Exception $ex -TargetObject $target))
}

function Write-AREngineProgress {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][int]$Id,
        [Parameter(Mandatory)]$EngineEvent,
        [Parameter(Mandatory)][string]$Activity
    )
    if ($EngineEvent.completed) {
        Microsoft.PowerShell.Utility\Write-Progress -Id $Id -Activity $Activity -Completed
        return
    }
    $parts = [System.Collections.Generic.List[string]]::new()
    if ($EngineEvent.step) { $parts.Add([string]$EngineEvent.step) }
    if ($EngineEvent.rows) {
        $rows = if ($EngineEvent.total) { '{0:N0} of {1:N0} rows' -f [long]$EngineEvent.rows, [long]$EngineEvent.total } else { '{0:N0} rows' -f [long]$EngineEvent.rows }
        $parts.Add($rows)
    }
    if ($EngineEvent.rowsPerSecond) { $parts.Add(('{0:N0} rows/s' -f [double]$EngineEvent.rowsPerSecond)) }
    $status = if ($parts.Count) { $parts -join ' · ' } else { 'Working…' }
    $p = @{ Id = $Id; Activity = $Activity; Status = $status }
    if ($null -ne $EngineEvent.percent -and [double]$EngineEvent.percent -ge 0) {
        $p.PercentComplete = [int][math]::Min(100, [math]::Floor([double]$EngineEvent.percent))
    }
    if ($EngineEvent.etaSeconds) { $p.SecondsRemaining = [int][math]::Ceiling([double]$EngineEvent.etaSeconds) }
    Microsoft.PowerShell.Utility\Write-Progress @p
}

function Format-AREngineLog {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)]$EngineEvent)
    $text = [string]$EngineEvent.message
    if ($EngineEvent.fields) {
        $pairs = foreach ($p in $EngineEvent.fields.PSObject.Properties) { "$($p.Name)=$($p.Value)" }
        if ($pairs) { $text = "$text ($($pairs -join ', '))" }
    }
    $text
}
