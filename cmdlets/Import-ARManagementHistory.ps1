function Import-ARManagementHistory {
    <#
    .SYNOPSIS
    Imports Management History (change history, approval tasks, temporal
    group memberships) from an earlier Active Roles database into an Active
    Roles 8.2 Management History database.

    .DESCRIPTION
    Import-ARManagementHistory does, headless, what the Configuration
    Center's Import Management History wizard does. It transfers the change
    history (used by the Change History and User Activity reports), approval
    tasks and temporal group membership tasks from the database of an
    earlier Active Roles version (the combined 7.x database or an 8.0/8.1
    Management History database) to the 8.2 Management History database,
    converting times to UTC and the records to the 8.2 schema.

    The import only adds: records already in the destination are kept and
    counted as alreadyPresent, so you can run it again at any time (for
    example after a cancelled run, or for another date range) without losing
    data. Records created after the import started are not imported (the
    result's CutoffUtc). Without -From and -To every record is imported;
    with a date range, unfinished temporal group memberships are imported
    too. Data is written in batches of -BatchSize records; a transient SQL
    error is retried (up to 3 times for network errors) before the run
    stops. Press Ctrl+C to cancel: the current batch is finished and
    everything imported so far is kept.

    Run Import-ARConfiguration first. -WhatIf asks the engine for the plan
    (counts per entity) and writes nothing.

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
    database must not exist yet; without this switch it must exist and be
    blank or hold an Active Roles 8.2 database of the right role.

    .PARAMETER From
    The first day of the records to import (the wizard's "Records in the
    following date range"). Only the date is used, as a UTC calendar day
    (sent as yyyy-MM-dd). Without -From and -To, all records are imported.

    .PARAMETER To
    The last day of the records to import, inclusive; it cannot be in the
    future. Only the date is used, as a UTC calendar day (sent as
    yyyy-MM-dd).

    .PARAMETER BatchSize
    The number of records written per transaction, from 1 to 100000. The
    default is 1000. The import holds several batches in memory at a time,
    so memory grows with the batch size, and larger batches were not faster
    in any measurement: above 10000 the run warns (AR-W008; about 1.5 GB at
    100000 on a 1M-record import). Smaller batches lose less work to a retry.

    .PARAMETER SkipPrincipals
    Does not copy the source database's users, logins, roles and permissions
    after the import (the wizard's "Copy database users, permissions, logins
    and roles" cleared). By default they are copied once the import has
    succeeded, as Copy-ARDatabasePrincipals does (SQL Server source and
    destination only); the result's Principals (Copied, Reason) says what was
    done, and warning AR-W006 says what could not be.

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
    ActiveRolesUpgrade.HistoryImportResult, with the properties: Action
    (WouldImport with -WhatIf, a plan that wrote nothing; otherwise
    Imported), Source and Destination (ActiveRolesUpgrade.DatabaseRef: Name,
    Version, Role, State), WhatIf, Mode (All or Range), From, To,
    RangeFromUtc, RangeToUtc, CutoffUtc (records created after it are not
    imported; all [datetime], UTC), Entities
    (ActiveRolesUpgrade.HistoryEntityCount per entity - ChangeRecord,
    ApprovalTask, TemporalMembership, …: Source, Imported, AlreadyPresent,
    Conflicts, Excluded, UnfinishedSkipped, UnfinishedReason, Skipped,
    Failed), Batches, Retries, ReportEntries, Report
    (ActiveRolesUpgrade.ReportEntry: Entity, Key, Reason, Detail), Principals
    (Copied, Reason), ImportRunId, Elapsed ([timespan]), RecordsPerSecond and
    Outcome.

    .EXAMPLE
    PS> Import-ARManagementHistory -Source sql01.corp.example.com -SourceDatabase ARConfig76 -Destination sql02.corp.example.com -DestinationDatabase ARHistory82

    Imports all Management History of the combined 7.6 database into the 8.2
    Management History database, showing progress.

    .EXAMPLE
    PS> Import-ARManagementHistory -Source .\history81.arbundle -Destination sql02 -DestinationDatabase ARHistory82 -From (Get-Date).AddYears(-1) -To (Get-Date) -BatchSize 5000 -Verbose

    Imports the last year of history from a bundle in batches of 5000, with
    the engine's log lines as verbose output.

    .EXAMPLE
    PS> Import-ARManagementHistory -Source sql01 -SourceDatabase ARHistory81 -Destination sql02 -DestinationDatabase ARHistory82 -WhatIf |
    >>     Select-Object -ExpandProperty entities

    Shows how many records of each kind would be imported.

    .LINK
    Import-ARConfiguration

    .LINK
    Test-ARUpgradePrerequisite

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ActiveRolesUpgrade.HistoryImportResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [datetime]$From,
        [datetime]$To,
        [Parameter(Mandatory, Position = 1)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$CreateDestination,
        [ValidateRange(1, 100000)][int]$BatchSize = 1000,
        [switch]$SkipPrincipals,
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
        $params.skipPrincipals = [bool]$SkipPrincipals
        $params.whatIf = $false

        $sourceName = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
        if ($PSCmdlet.ShouldProcess($target, "Import Management History from $sourceName")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-history' -Params $params -LogPath $LogPath `
                -Activity 'Importing Management History' -TargetObject $target
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-history' -Params $params -LogPath $LogPath `
                -Activity 'Planning the Management History import' -TargetObject $target
        }
    }
}
