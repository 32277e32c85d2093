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
    result's CutoffUtc). Data is written in batches of -BatchSize events; a
    transient SQL error is retried before the run stops. Press Ctrl+C to
    cancel: the current batch is finished and everything imported so far is
    kept. Check the databases first with
    Test-ARUpgradePrerequisite -Kind Collector.

    -WhatIf counts what the import would add and skip against the
    destination as it is, and writes nothing (not even a new database).

    .PARAMETER Source
    The source database: a SQL Server instance (sql01.corp.example.com,
    sql01\INST, sql01.corp.example.com,1433, or the Azure SQL logical server
    contoso.database.windows.net) with -SourceDatabase; a connection string
    (Server=sql01;Database=ARConfig76;Integrated Security=true, or a
    sqlserver:// URL); the path of a database bundle (*.arbundle, relative
    to the current PowerShell location); a file from Get-ChildItem; or an
    object from Get-ARDatabaseInfo. The engine reads every form by the same
    rule as the arupgrade command line. The old names -SourceServer,
    -SourcePath and -SourceConnectionString still work.

    .PARAMETER SourceDatabase
    The name of the database on the -Source instance, as shown by the Active
    Roles Console or the Configuration Center (for example ARConfig76). It
    takes precedence over the database named by a connection string or by a
    Get-ARDatabaseInfo object.

    .PARAMETER SourceCredential
    Alias: -SourceSqlCredential.
    The login for -Source: a SQL Server login (SqlLogin, the default
    authentication when a credential is given), a Windows account (Windows
    authentication with NTLM), an Azure AD user (AzureADPassword), or the
    application (client) ID and client secret (AzureADServicePrincipal).
    Leave it out to connect as the account running PowerShell. The password
    is passed to the engine only inside its request and is never written to
    any output stream or log.

    .PARAMETER SourceAuthentication
    How to authenticate to -Source: Windows (integrated, or NTLM with
    -SourceCredential), SqlLogin, AzureADPassword, AzureADServicePrincipal,
    AzureADManagedIdentity (the managed identity of this Azure VM or
    service), AzureADDefault (the Azure default credential chain:
    environment, managed identity, Azure CLI) or AzureADInteractive (a
    browser sign-in). Left out, the engine uses Windows, or SqlLogin when
    -SourceCredential is given. The engine checks that the mode has what it
    needs and names what is missing; tab completion offers the modes.

    .PARAMETER SourceDatabaseType
    OnPremises for SQL Server, or AzureSQL for an Azure SQL database or
    managed instance, as in the Configuration Center's Database Type list.
    Left out, the engine takes AzureSQL for an Azure SQL server name
    (*.database.windows.net) and OnPremises otherwise.

    .PARAMETER SourceTrustServerCertificate
    Encrypts the connection to -Source without validating the server's
    certificate (a self-signed or internal-CA certificate). The engine
    reports a warning check when it is used; prefer installing a trusted
    certificate.

    .PARAMETER Destination
    The destination database: a SQL Server instance (sql01.corp.example.com,
    sql01\INST, sql01.corp.example.com,1433, or the Azure SQL logical server
    contoso.database.windows.net) with -DestinationDatabase; a connection
    string (Server=sql01;Database=ARConfig76;Integrated Security=true, or a
    sqlserver:// URL); the path of a database bundle (*.arbundle, relative
    to the current PowerShell location); a file from Get-ChildItem; or an
    object from Get-ARDatabaseInfo. The engine reads every form by the same
    rule as the arupgrade command line. The old names -DestinationServer,
    -DestinationPath and -DestinationConnectionString still work.

    .PARAMETER DestinationDatabase
    The name of the database on the -Destination instance, as shown by the
    Active Roles Console or the Configuration Center (for example
    ARConfig76). It takes precedence over the database named by a connection
    string or by a Get-ARDatabaseInfo object.

    .PARAMETER DestinationCredential
    Alias: -DestinationSqlCredential.
    The login for -Destination: a SQL Server login (SqlLogin, the default
    authentication when a credential is given), a Windows account (Windows
    authentication with NTLM), an Azure AD user (AzureADPassword), or the
    application (client) ID and client secret (AzureADServicePrincipal).
    Leave it out to connect as the account running PowerShell. The password
    is passed to the engine only inside its request and is never written to
    any output stream or log.

    .PARAMETER DestinationAuthentication
    How to authenticate to -Destination: Windows (integrated, or NTLM with
    -DestinationCredential), SqlLogin, AzureADPassword,
    AzureADServicePrincipal, AzureADManagedIdentity (the managed identity of
    this Azure VM or service), AzureADDefault (the Azure default credential
    chain: environment, managed identity, Azure CLI) or AzureADInteractive
    (a browser sign-in). Left out, the engine uses Windows, or SqlLogin when
    -DestinationCredential is given. The engine checks that the mode has
    what it needs and names what is missing; tab completion offers the
    modes.

    .PARAMETER DestinationDatabaseType
    OnPremises for SQL Server, or AzureSQL for an Azure SQL database or
    managed instance, as in the Configuration Center's Database Type list.
    Left out, the engine takes AzureSQL for an Azure SQL server name
    (*.database.windows.net) and OnPremises otherwise.

    .PARAMETER DestinationTrustServerCertificate
    Encrypts the connection to -Destination without validating the server's
    certificate (a self-signed or internal-CA certificate). The engine
    reports a warning check when it is used; prefer installing a trusted
    certificate.

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
    default is 1000. The import holds several batches in memory at a time,
    so memory grows with the batch size, and larger batches were not faster
    in any measurement: above 10000 the run warns (AR-W008; about 1.5 GB at
    100000 on a 1M-record import). Smaller batches lose less work to a retry.

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
    System.String, System.IO.FileInfo, ActiveRolesUpgrade.DatabaseInfo.
    Instances, connection strings, bundle paths, files from Get-ChildItem,
    or objects from Get-ARDatabaseInfo, as -Source.

    .OUTPUTS
    ActiveRolesUpgrade.CollectorImportResult, with the properties: Action
    (WouldImport with -WhatIf, a plan that wrote nothing; otherwise
    Imported), Source and Destination (ActiveRolesUpgrade.DatabaseRef: Name,
    Version, Role, State), DestinationInitialized, WhatIf, Mode (All or
    DateRange), From, To, RangeFromUtc, RangeToUtc, CutoffUtc (events
    recorded after it are not imported; all [datetime], UTC), SourceEvents,
    Added, Skipped (duplicates, conflicts and events too long for 8.2),
    Duplicates (already in the destination), Conflicts (the same origin
    event under another EventGuid), Excluded (outside the date range or
    after the cutoff), Batches, ReportEntries, Report
    (ActiveRolesUpgrade.ReportEntry: Entity, Key, Reason, Detail -
    INVALID_SID, UNKNOWN_ENUM, BAD_DATA, TOO_LONG, CONFLICT), ImportRunId,
    EventsPerSecond, Elapsed ([timespan]) and Outcome (Succeeded, Failed,
    Cancelled or WhatIf).

    .EXAMPLE
    PS> Import-ARCollectorEvents -Source sql01.corp.example.com -SourceDatabase ARCollector76 -Destination sql02.corp.example.com -CreateDestination

    Creates the 8.2 Collector database ActiveRoles820_Collector on sql02 and
    imports every event of the 7.6 Collector database into it, showing
    progress with events per second.

    .EXAMPLE
    PS> Import-ARCollectorEvents -Source .\collector81.arbundle -Destination sql02 -DestinationDatabase ARCollector82 -From 2024-01-01 -To 2024-06-30 -BatchSize 5000

    Imports the events of the first half of 2024 from a bundle into an
    existing 8.2 Collector database, in batches of 5000.

    .EXAMPLE
    PS> Import-ARCollectorEvents -Source .\collector76.arbundle -Destination .\collector82.arbundle -CreateDestination -WhatIf |
    >>     Select-Object Action, SourceEvents, Added, Skipped, ReportEntries

    Shows how many events would be added and skipped, and writes nothing.

    .LINK
    Test-ARUpgradePrerequisite

    .LINK
    Import-ARManagementHistory

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ActiveRolesUpgrade.CollectorImportResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [ValidateRange(1, 100000)][int]$BatchSize = 1000,
        [Parameter(Mandatory, Position = 1)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$CreateDestination,
        [datetime]$From,
        [datetime]$To,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $sourceEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        $params = [ordered]@{ source = $sourceEndpoint; destination = $destinationEndpoint }
        if ($PSBoundParameters.ContainsKey('From')) { $params.from = ConvertTo-ARDateParameter -Date $From }
        if ($PSBoundParameters.ContainsKey('To')) { $params.to = ConvertTo-ARDateParameter -Date $To }
        $params.batchSize = $BatchSize
        $params.whatIf = $false

        $sourceName = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
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
