function New-ARSampleDatabase {
    <#
    .SYNOPSIS
    Writes a deterministic sample Active Roles database (a bundle) for
    rehearsals and tests.

    .DESCRIPTION
    New-ARSampleDatabase generates a realistic, synthetic Active Roles
    database of a chosen version (7.5 to 8.2) and role and writes it as a
    bundle, with a key backup file and its password file beside it. The same
    -Seed always produces the same database, so a rehearsal or a test can be
    repeated exactly. It touches no SQL Server.

    Use the bundle as the source of Import-ARConfiguration or
    Import-ARManagementHistory to rehearse an upgrade, to try -WhatIf plans,
    or in your own Pester tests.

    .PARAMETER Version
    The Active Roles version of the sample: 7.5, 7.6, 8.0, 8.1 or 8.2. A
    patch part (7.6.3) is written as the schema version.

    .PARAMETER Role
    Configuration, ManagementHistory, Combined (7.x only: 7.x keeps
    configuration and history in one database) or Collector (the Report
    Pack's events database, any version; -HistoryRecords is then the number
    of events, and an 8.x sample holds the events an earlier upgrade
    imported from the 7.x sample of the same seed). The default is Combined
    for 7.x and Configuration for 8.x.

    .PARAMETER OutputPath
    The bundle file to write (conventionally *.arbundle). The key backup
    (.key) and password files are written beside it. Relative paths are
    relative to the current PowerShell location.

    .PARAMETER HistoryRecords
    The number of change-history records (ManagementHistory and Combined
    roles), or of events (Collector role); temporal group memberships and
    approval tasks come on top of the records. The default is 500.

    .PARAMETER ConfigObjects
    The approximate number of configuration objects (Configuration and
    Combined roles). About 40 named objects, such as the built-in containers
    and the sample Web Interface sites, are always present.

    .PARAMETER Seed
    Selects the sample: installation ID, encryption key, names and times all
    follow from it. An 8.x configuration and history pair of one
    installation share the seed. The default is 1.

    .PARAMETER KeyPassword
    The password protecting the sample's key backup file. By default a
    password derived from the seed is used and written to the password file
    beside the bundle.

    .PARAMETER UtcOffsetMinutes
    The UTC offset of the Administration Service that a 7.x sample records
    (7.x stored local times); by default one derived from the seed.

    .PARAMETER Anomalies
    Adds one object or record for each case the import must report instead
    of importing as is (invalid SIDs, unknown enumerations, broken
    references, …), listed in the result's Anomalies.

    .PARAMETER AddOns
    Adds add-on objects (an import then refuses with AR-E011 until they are
    removed, as the upgrade guide's Add-on advisor does).

    .PARAMETER ReplicationPartners
    Adds replication partners (an import then refuses with AR-E010).

    .PARAMETER Force
    Overwrites existing files, and does not ask for confirmation.

    .PARAMETER LogPath
    The engine's log file (JSON lines; appended to). Relative paths are
    relative to the current PowerShell location; "-" writes no log file. By
    default the engine appends to arupgrade-<yyyyMMdd>.log under
    %LOCALAPPDATA%\ActiveRolesUpgrade\Logs on Windows, or
    ~/.local/state/activerolesupgrade/logs elsewhere. The log never contains
    passwords; failures name it in their message.

    .INPUTS
    None. You cannot pipe objects to this command.

    .OUTPUTS
    ActiveRolesUpgrade.FixtureResult, with the properties: Version (the
    schema version written, a [version] such as 7.6.3), Generation, Role,
    InstallationId and EncryptionKeyId ([guid]), UtcOffsetMinutes,
    CreatedUtc ([datetime], UTC), Tables (rows per table) and Entities
    (objects per entity), both ActiveRolesUpgrade.Counts, PendingApprovals,
    UnfinishedMemberships, EncryptedValues, Anomalies (Entity, Key, Reason,
    Detail of each injected report case), BundlePath, KeyBackupPath and
    KeyPasswordPath.

    .EXAMPLE
    PS> New-ARSampleDatabase -Version 7.6 -OutputPath .\sample76.arbundle

    Writes a combined 7.6 sample with 500 history records, plus sample76 key
    backup and password files.

    .EXAMPLE
    PS> $pw = Read-Host -AsSecureString 'Key backup password'
    PS> New-ARSampleDatabase 8.1 .\history81.arbundle -Role ManagementHistory -HistoryRecords 100000 -Seed 42 -KeyPassword $pw -Force

    Writes a large 8.1 Management History sample for seed 42, replacing an
    earlier one.

    .EXAMPLE
    PS> $s = New-ARSampleDatabase 7.6 $env:TEMP\ar76.arbundle -Anomalies -Force
    PS> Import-ARConfiguration -Source $s.bundlePath -Destination $env:TEMP\ar82.arbundle -CreateDestination -KeyBackupPath $s.keyBackupPath -KeyBackupPassword (Get-Content $s.keyPasswordPath -Raw | ConvertTo-SecureString -AsPlainText -Force) -WhatIf

    Rehearses a configuration import from a sample with report cases,
    without writing anything.

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType('ActiveRolesUpgrade.FixtureResult')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^\d+\.\d+(\.\d+)?$')]
        [string]$Version,

        [Parameter()]
        [ValidateSet('Configuration', 'ManagementHistory', 'Combined', 'Collector')]
        [string]$Role,

        [Parameter(Mandatory, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]$OutputPath,

        [Parameter()]
        [ValidateRange(0, 100000000)]
        [int]$HistoryRecords = 500,

        [Parameter()]
        [ValidateRange(0, 1000000)]
        [int]$ConfigObjects,

        [Parameter()]
        [long]$Seed = 1,

        [Parameter()]
        [System.Security.SecureString]$KeyPassword,

        [Parameter()]
        [ValidateRange(-840, 840)]
        [int]$UtcOffsetMinutes,

        [Parameter()]
        [switch]$Anomalies,

        [Parameter()]
        [switch]$AddOns,

        [Parameter()]
        [switch]$ReplicationPartners,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $out = Resolve-ARPath -Cmdlet $PSCmdlet -Path $OutputPath
        $params = [ordered]@{ version = $Version; out = $out; seed = $Seed }
        if ($PSBoundParameters.ContainsKey('Role')) { $params.role = $Role }
        $params.historyRecords = $HistoryRecords
        if ($PSBoundParameters.ContainsKey('ConfigObjects')) { $params.configObjects = $ConfigObjects }
        if ($PSBoundParameters.ContainsKey('KeyPassword')) { $params.keyPassword = $KeyPassword }
        if ($PSBoundParameters.ContainsKey('UtcOffsetMinutes')) { $params.utcOffsetMinutes = $UtcOffsetMinutes }
        if ($Anomalies) { $params.anomalies = $true }
        if ($AddOns) { $params.addOns = $true }
        if ($ReplicationPartners) { $params.replicationPartners = $true }
        if ($Force) { $params.overwrite = $true }
        if ($PSCmdlet.ShouldProcess($out, "Write a sample Active Roles $Version database")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'fixture' -Params $params -LogPath $LogPath `
                -Activity "Generating a sample Active Roles $Version database" -TargetObject $out
        }
    }
}
