function Import-ARCollectorEvents {
    <#
    .SYNOPSIS
    Imports the events of an earlier Active Roles Collector database (the
    Report Pack's) into an Active Roles 8.2 Collector database, exactly once.

    .DESCRIPTION
    Import-ARCollectorEvents does, headless, the data step of the guide's
    "Upgrading the Collector and Report Pack": the 8.2 Report Pack reads
    only an 8.2 Collector database, so the events gathered by the Data
    Collector of Active Roles 7.5, 7.6, 8.0, 8.1 (or another 8.2 database)
    are imported into it, as the Collector wizard's "Import events from an
    earlier database version" does. Times are converted to UTC, event
    sources, categories and the 7.x Data column become the 8.2 columns and
    JSON properties, and every event keeps its identity (EventGuid, and its
    origin installation and event id).

    The import only adds: events already in the destination are skipped and
    counted as duplicates, so you can run it again at any time (after a
    cancelled or failed run, for another date range, or for the 8.x
    database an earlier upgrade made from a 7.x one) and nothing is imported
    twice. Events recorded after the import started are not imported (the
    result's cutoffUtc). Data is written in batches of -BatchSize events; a
    transient SQL error is retried before the run stops. Press Ctrl+C to
    cancel: the current batch is finished and everything imported so far is
    kept. Check the databases first with
    Test-ARUpgradePrerequisite -Kind Collector.

    -WhatIf counts what the import would add and skip against the
    destination as it is, and writes nothing (not even a new database).

    .PARAMETER SourceServer
    The SQL Server instance that hosts the source database (the Active Roles
    database of the earlier version): the computer's fully qualified domain
    name for a default instance (sql01.corp.example.com), <FQDN>\<instance>
    for a named instance, or the Azure SQL logical server
    (contoso.database.windows.net). A port can follow a comma
    (sql01.corp.example.com,1433). Use it with -SourceDatabase; or use
    -SourceConnectionString or -SourcePath instead.

    .PARAMETER SourceDatabase
    The name of the source database (the Collector database of the earlier
    version) on -SourceServer, as chosen in the Collector wizard (for
    example ARCollector76).

    .PARAMETER SourceCredential
    The login for -SourceServer: a SQL Server login (the default
    authentication when a credential is given), an Azure AD user for
    AzureADPassword, or the application (client) ID and client secret for
    AzureADServicePrincipal. Leave it out for Windows authentication, which
    connects as the account running PowerShell. The password is passed to
    the engine only inside its request and is never written to any output
    stream or log.

    .PARAMETER SourceAuthentication
    How to authenticate to -SourceServer: Windows (integrated; the default
    without a credential), SqlLogin (the default with -SourceCredential),
    AzureADPassword, AzureADServicePrincipal, AzureADManagedIdentity (the
    managed identity of this Azure VM or service; a user-assigned identity's
    client ID can be given as the -SourceCredential user name),
    AzureADDefault (the Azure default credential chain: environment, managed
    identity, Azure CLI; the default for AzureSQL without a credential) or
    AzureADInteractive (a browser sign-in). SqlLogin, AzureADPassword and
    AzureADServicePrincipal need -SourceCredential.

    .PARAMETER SourceDatabaseType
    OnPremises (the default) for SQL Server, or AzureSQL for an Azure SQL
    database or managed instance, as in the Configuration Center's Database
    Type list.

    .PARAMETER SourceTrustServerCertificate
    Encrypts the connection to -SourceServer without validating the server's
    certificate (a self-signed or internal-CA certificate). The engine
    reports a warning check when it is used; prefer installing a trusted
    certificate.

    .PARAMETER SourceConnectionString
    The source database (the Collector database of the earlier version)
    as a connection string, instead of -SourceServer and -SourceDatabase:
    either the ADO.NET form
    (Server=sql01.corp.example.com;Database=ARCollector76;Integrated
    Security=true) or a sqlserver:// URL. Prefer -SourceServer with
    -SourceCredential when a password is needed: a connection string is
    plain text.

    .PARAMETER SourcePath
    The path of a database bundle (*.arbundle) to use as the source database
    (the Collector database of the earlier version), instead of a SQL
    Server database. Bundles are portable single-file copies written by
    Export-ARDatabase (or New-ARSampleDatabase); relative paths are relative
    to the current PowerShell location.

    .PARAMETER DestinationServer
    The SQL Server instance that hosts the destination database (the Active
    Roles 8.2 Collector database): the computer's fully qualified domain name for a
    default instance (sql01.corp.example.com), <FQDN>\<instance> for a named
    instance, or the Azure SQL logical server
    (contoso.database.windows.net). A port can follow a comma
    (sql01.corp.example.com,1433). Use it with -DestinationDatabase; or use
    -DestinationConnectionString or -DestinationPath instead.

    .PARAMETER DestinationDatabase
    The name of the destination database (the Active Roles 8.2 Collector
    database) on -DestinationServer. With -CreateDestination it may be left
    out: the new database is then named ActiveRoles820_Collector, the
    default of the 8.2 Collector wizard.

    .PARAMETER DestinationCredential
    The login for -DestinationServer: a SQL Server login (the default
    authentication when a credential is given), an Azure AD user for
    AzureADPassword, or the application (client) ID and client secret for
    AzureADServicePrincipal. Leave it out for Windows authentication, which
    connects as the account running PowerShell. The password is passed to
    the engine only inside its request and is never written to any output
    stream or log.

    .PARAMETER DestinationAuthentication
    How to authenticate to -DestinationServer: Windows (integrated; the
    default without a credential), SqlLogin (the default with
    -DestinationCredential), AzureADPassword, AzureADServicePrincipal,
    AzureADManagedIdentity (the managed identity of this Azure VM or
    service; a user-assigned identity's client ID can be given as the
    -DestinationCredential user name), AzureADDefault (the Azure default
    credential chain: environment, managed identity, Azure CLI; the default
    for AzureSQL without a credential) or AzureADInteractive (a browser
    sign-in). SqlLogin, AzureADPassword and AzureADServicePrincipal need
    -DestinationCredential.

    .PARAMETER DestinationDatabaseType
    OnPremises (the default) for SQL Server, or AzureSQL for an Azure SQL
    database or managed instance, as in the Configuration Center's Database
    Type list.

    .PARAMETER DestinationTrustServerCertificate
    Encrypts the connection to -DestinationServer without validating the
    server's certificate (a self-signed or internal-CA certificate). The
    engine reports a warning check when it is used; prefer installing a
    trusted certificate.

    .PARAMETER DestinationConnectionString
    The destination database (the Active Roles 8.2 Collector database) as
    a connection string, instead of -DestinationServer and -DestinationDatabase: either
    the ADO.NET form
    (Server=sql01.corp.example.com;Database=ARCollector82;Integrated
    Security=true) or a sqlserver:// URL. Prefer -DestinationServer with
    -DestinationCredential when a password is needed: a connection string is
    plain text.

    .PARAMETER DestinationPath
    The path of a database bundle (*.arbundle) to use as the destination
    database (the Active Roles 8.2 Collector database), instead of a SQL Server
    database. Bundles are portable single-file copies written by
    Export-ARDatabase (or New-ARSampleDatabase); relative paths are relative
    to the current PowerShell location.

    .PARAMETER CreateDestination
    Creates the destination database (or bundle) before the import. The
    database must not exist yet (AR-E008 otherwise); without this switch it
    must exist and be blank or an Active Roles 8.2 Collector database. On
    SQL Server without -DestinationDatabase the new database is named
    ActiveRoles820_Collector.

    .PARAMETER From
    The first day of the events to import. Only the date is used, as a UTC
    calendar day (sent as yyyy-MM-dd). Without -From and -To, all events
    are imported.

    .PARAMETER To
    The last day of the events to import, inclusive; it cannot be in the
    future. Only the date is used, as a UTC calendar day (sent as
    yyyy-MM-dd).

    .PARAMETER BatchSize
    The number of events written per transaction, from 1 to 100000. The
    default is 1000. Larger batches are faster; smaller ones lose less work
    to a retry.

    .PARAMETER Force
    Runs without asking for confirmation (for runbooks and scheduled tasks).
    The same as -Confirm:$false.

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
    ActiveRolesUpgrade.CollectorImportResult, with the properties: source
    and destination (name, version, role, state), destinationInitialized,
    whatIf, mode (All or DateRange), from, to, rangeFromUtc, rangeToUtc,
    cutoffUtc (events recorded after it are not imported), sourceEvents,
    added, skipped (duplicates, conflicts and events too long for 8.2),
    duplicates (already in the destination), conflicts (the same origin
    event under another EventGuid), excluded (outside the date range or
    after the cutoff), batches, reportEntries, report (entity, key, reason,
    detail: INVALID_SID, UNKNOWN_ENUM, BAD_DATA, TOO_LONG, CONFLICT),
    importRunId, eventsPerSecond, elapsedSeconds and outcome (Succeeded,
    Failed, Cancelled or WhatIf).

    .EXAMPLE
    PS> Import-ARCollectorEvents -SourceServer sql01.corp.example.com -SourceDatabase ARCollector76 -DestinationServer sql02.corp.example.com -CreateDestination

    Creates the 8.2 Collector database ActiveRoles820_Collector on sql02 and
    imports every event of the 7.6 Collector database into it, showing
    progress with events per second.

    .EXAMPLE
    PS> Import-ARCollectorEvents -SourcePath .\collector81.arbundle -DestinationServer sql02 -DestinationDatabase ARCollector82 -From 2024-01-01 -To 2024-06-30 -BatchSize 5000

    Imports the events of the first half of 2024 from a bundle into an
    existing 8.2 Collector database, in batches of 5000.

    .EXAMPLE
    PS> Import-ARCollectorEvents -SourcePath .\collector76.arbundle -DestinationPath .\collector82.arbundle -CreateDestination -WhatIf |
    >>     Select-Object sourceEvents, added, skipped, reportEntries

    Shows how many events would be added and skipped, and writes nothing.

    .LINK
    Test-ARUpgradePrerequisite

    .LINK
    Import-ARManagementHistory

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ServerToServer')]
    [OutputType('ActiveRolesUpgrade.CollectorImportResult')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'ServerToServer')]
        [Parameter(Mandatory, ParameterSetName = 'ServerToConnectionString')]
        [Parameter(Mandatory, ParameterSetName = 'ServerToPath')]
        [ValidateNotNullOrEmpty()]
        [string]$SourceServer,

        [Parameter(Mandatory, ParameterSetName = 'ServerToServer')]
        [Parameter(Mandatory, ParameterSetName = 'ServerToConnectionString')]
        [Parameter(Mandatory, ParameterSetName = 'ServerToPath')]
        [ValidateNotNullOrEmpty()]
        [string]$SourceDatabase,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ServerToConnectionString')]
        [Parameter(ParameterSetName = 'ServerToPath')]
        [System.Management.Automation.Credential()]
        [System.Management.Automation.PSCredential]$SourceCredential,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ServerToConnectionString')]
        [Parameter(ParameterSetName = 'ServerToPath')]
        [ValidateSet('Windows', 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal', 'AzureADManagedIdentity', 'AzureADDefault', 'AzureADInteractive')]
        [string]$SourceAuthentication,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ServerToConnectionString')]
        [Parameter(ParameterSetName = 'ServerToPath')]
        [ValidateSet('OnPremises', 'AzureSQL')]
        [string]$SourceDatabaseType,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ServerToConnectionString')]
        [Parameter(ParameterSetName = 'ServerToPath')]
        [switch]$SourceTrustServerCertificate,

        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToConnectionString')]
        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToPath')]
        [ValidateNotNullOrEmpty()]
        [string]$SourceConnectionString,

        [Parameter(Mandatory, ParameterSetName = 'PathToServer')]
        [Parameter(Mandatory, ParameterSetName = 'PathToConnectionString')]
        [Parameter(Mandatory, ParameterSetName = 'PathToPath')]
        [ValidateNotNullOrEmpty()]
        [string]$SourcePath,

        [Parameter(Mandatory, ParameterSetName = 'ServerToServer')]
        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(Mandatory, ParameterSetName = 'PathToServer')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationServer,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(ParameterSetName = 'PathToServer')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationDatabase,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(ParameterSetName = 'PathToServer')]
        [System.Management.Automation.Credential()]
        [System.Management.Automation.PSCredential]$DestinationCredential,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(ParameterSetName = 'PathToServer')]
        [ValidateSet('Windows', 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal', 'AzureADManagedIdentity', 'AzureADDefault', 'AzureADInteractive')]
        [string]$DestinationAuthentication,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(ParameterSetName = 'PathToServer')]
        [ValidateSet('OnPremises', 'AzureSQL')]
        [string]$DestinationDatabaseType,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(ParameterSetName = 'PathToServer')]
        [switch]$DestinationTrustServerCertificate,

        [Parameter(Mandatory, ParameterSetName = 'ServerToConnectionString')]
        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToConnectionString')]
        [Parameter(Mandatory, ParameterSetName = 'PathToConnectionString')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationConnectionString,

        [Parameter(Mandatory, ParameterSetName = 'ServerToPath')]
        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToPath')]
        [Parameter(Mandatory, ParameterSetName = 'PathToPath')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationPath,

        [Parameter(ParameterSetName = 'ServerToServer')]
        [Parameter(ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(ParameterSetName = 'PathToServer')]
        [Parameter(ParameterSetName = 'ServerToConnectionString')]
        [Parameter(ParameterSetName = 'ConnectionStringToConnectionString')]
        [Parameter(ParameterSetName = 'PathToConnectionString')]
        [Parameter(ParameterSetName = 'ServerToPath')]
        [Parameter(ParameterSetName = 'ConnectionStringToPath')]
        [Parameter(ParameterSetName = 'PathToPath')]
        [switch]$CreateDestination,

        [Parameter()]
        [datetime]$From,

        [Parameter()]
        [datetime]$To,

        [Parameter()]
        [ValidateRange(1, 100000)]
        [int]$BatchSize = 1000,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        if ($PSBoundParameters.ContainsKey('From') -and $PSBoundParameters.ContainsKey('To') -and $From.Date -gt $To.Date) {
            $PSCmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ARGS' -Category InvalidArgument -TargetObject $From `
                        -Exception ([System.ArgumentException]::new("-From ($(ConvertTo-ARDateParameter -Date $From)) is after -To ($(ConvertTo-ARDateParameter -Date $To)).")) `
                        -RecommendedAction 'Give a -From on or before -To, or leave both out to import all events.'))
        }
        if ($PSBoundParameters.ContainsKey('DestinationServer') -and -not $PSBoundParameters.ContainsKey('DestinationDatabase') -and -not $CreateDestination) {
            $PSCmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ARGS' -Category InvalidArgument -TargetObject $DestinationServer `
                        -Exception ([System.ArgumentException]::new('-DestinationDatabase is missing: only a new database (-CreateDestination) has a default name.')) `
                        -RecommendedAction 'Add -DestinationDatabase with the 8.2 Collector database, or -CreateDestination to create ActiveRoles820_Collector.'))
        }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        if ($destination.Contains('server') -and -not $destination.database) { $destination.database = 'ActiveRoles820_Collector' }
        $params = [ordered]@{ source = $source; destination = $destination }
        if ($PSBoundParameters.ContainsKey('From')) { $params.from = ConvertTo-ARDateParameter -Date $From }
        if ($PSBoundParameters.ContainsKey('To')) { $params.to = ConvertTo-ARDateParameter -Date $To }
        $params.batchSize = $BatchSize
        $params.whatIf = $false

        $sourceName = Get-AREndpointDisplayName -Endpoint $source
        $target = Get-AREndpointDisplayName -Endpoint $destination
        if ($PSCmdlet.ShouldProcess($target, "Import Collector events from $sourceName")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-collector' -Params $params -LogPath $LogPath `
                -Activity 'Importing Collector events' -TargetObject $target
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-collector' -Params $params -LogPath $LogPath `
                -Activity 'Planning the Collector import' -TargetObject $target
        }
    }
}
