# Engine failures → exceptions and ErrorRecords.

function New-AREngineException {
    <#
    .SYNOPSIS
    Builds an EngineException from an outcome's error object, or from explicit values.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Values')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Info')]$ErrorInfo,
        [Parameter(ParameterSetName = 'Values')][string]$Code = 'AR-FAILED',
        [Parameter(ParameterSetName = 'Values')][string]$Category = 'NotSpecified',
        [Parameter(ParameterSetName = 'Values')][string]$Message = 'The operation failed.',
        [Parameter(ParameterSetName = 'Values')][string]$Remedy,
        [int]$ExitCode = 1,
        [string]$LogPath
    )
    $type = Get-ARInteropType EngineException
    if ($PSCmdlet.ParameterSetName -eq 'Info' -and $null -ne $ErrorInfo) {
        $Code = if ($ErrorInfo.code) { [string]$ErrorInfo.code } else { 'AR-FAILED' }
        $Category = [string]$ErrorInfo.category
        $Message = if ($ErrorInfo.message) { [string]$ErrorInfo.message } else { 'The operation failed.' }
        $Remedy = [string]$ErrorInfo.remedy
        # The engine names parameters as tokens beside its neutral text: spell them as this module's.
        if ($ErrorInfo.messageTemplate) { $Message = Format-ARParameterText -Text ([string]$ErrorInfo.messageTemplate) }
        if ($ErrorInfo.remedyTemplate) { $Remedy = Format-ARParameterText -Text ([string]$ErrorInfo.remedyTemplate) }
    }
    $type::new($Code, $Category, $Message, $Remedy, $ExitCode, $LogPath)
}

function ConvertTo-ARErrorCategory {
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorCategory])]
    param([string]$Name)
    $value = [System.Management.Automation.ErrorCategory]::NotSpecified
    if ($Name -and [System.Enum]::GetNames([System.Management.Automation.ErrorCategory]) -contains $Name) {
        $value = [System.Management.Automation.ErrorCategory]$Name
    }
    $value
}

function New-ARErrorRecord {
    <#
    .SYNOPSIS
    Turns an exception into an ErrorRecord: for an EngineException, ErrorId = the engine's
    code, the category mapped from the engine's category name, and the remedy as RecommendedAction.
    Errors the module raises itself pass their fix as -RecommendedAction, so every error of
    this module says how to fix it in the same place.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)][System.Exception]$Exception,
        $TargetObject,
        [string]$ErrorId,
        [System.Management.Automation.ErrorCategory]$Category = 'NotSpecified',
        [string]$RecommendedAction
    )
    $ex = $Exception
    while ($ex -is [System.Management.Automation.MethodInvocationException] -and $ex.InnerException) { $ex = $ex.InnerException }

    # Not a type literal: before any engine call the interop type is not compiled yet, and a literal
    # would turn every parameter error of a fresh session into "Unable to find type". This copy's
    # type: another version in the session may have compiled its own (Import-ARInteropType).
    $engineType = Get-ARInteropType EngineException -IfCompiled
    if ($null -ne $engineType -and $ex -is $engineType) {
        $record = [System.Management.Automation.ErrorRecord]::new($ex, $ex.Code, (ConvertTo-ARErrorCategory $ex.Category), $TargetObject)
        $text = $ex.Message
        if ($ex.Remedy) { $text = "$text $($ex.Remedy)" }
        if ($ex.LogPath -and $ex.ExitCode -ne 130) { $text = "$text (log: $($ex.LogPath))" }
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($text)
        if ($ex.Remedy) { $record.ErrorDetails.RecommendedAction = $ex.Remedy }
        return $record
    }
    if (-not $ErrorId) {
        $ErrorId = $ex.GetType().Name
        if ($ex -is [System.IO.FileNotFoundException]) { $Category = 'ObjectNotFound' }
        elseif ($ex -is [System.ArgumentException]) { $Category = 'InvalidArgument' }
        elseif ($ex -is [System.InvalidOperationException]) { $Category = 'InvalidOperation' }
        elseif ($ex -is [System.NotSupportedException]) { $Category = 'NotImplemented' }
    }
    $record = [System.Management.Automation.ErrorRecord]::new($ex, $ErrorId, $Category, $TargetObject)
    if ($RecommendedAction) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new("$($ex.Message) $RecommendedAction")
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    $record
}
