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
    result's cutoffUtc). Without -From and -To every record is imported;
    with a date range, unfinished temporal group memberships are imported
    too. Data is written in batches of -BatchSize records; a transient SQL
    error is retried (up to 3 times for network errors) before the run
    stops. Press Ctrl+C to cancel: the current batch is finished and
    everything imported so far is kept.

    Run Import-ARConfiguration first. -WhatIf asks the engine for the plan
    (counts per entity) and writes nothing.

    .PARAMETER SourceServer
    The SQL Server instance that hosts the source database (the Active Roles
    database of the earlier version): the computer's fully qualified domain
    name for a default instance (sql01.corp.example.com), <FQDN>\<instance>
    for a named instance, or the Azure SQL logical server
    (contoso.database.windows.net). A port can follow a comma
    (sql01.corp.example.com,1433). Use it with -SourceDatabase; or use
    -SourceConnectionString or -SourcePath instead.

    .PARAMETER SourceDatabase
    The name of the source database (the Active Roles database of the
    earlier version) on -SourceServer, as shown by the Active Roles Console
    or the Configuration Center (for example ARConfig76).

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
    The source database (the Active Roles database of the earlier version)
    as a connection string, instead of -SourceServer and -SourceDatabase:
    either the ADO.NET form
    (Server=sql01.corp.example.com;Database=ARConfig76;Integrated
    Security=true) or a sqlserver:// URL. Prefer -SourceServer with
    -SourceCredential when a password is needed: a connection string is
    plain text.

    .PARAMETER SourcePath
    The path of a database bundle (*.arbundle) to use as the source database
    (the Active Roles database of the earlier version), instead of a SQL
    Server database. Bundles are portable single-file copies written by
    Export-ARDatabase (or New-ARSampleDatabase); relative paths are relative
    to the current PowerShell location.

    .PARAMETER DestinationServer
    The SQL Server instance that hosts the destination database (the Active
    Roles 8.2 database): the computer's fully qualified domain name for a
    default instance (sql01.corp.example.com), <FQDN>\<instance> for a named
    instance, or the Azure SQL logical server
    (contoso.database.windows.net). A port can follow a comma
    (sql01.corp.example.com,1433). Use it with -DestinationDatabase; or use
    -DestinationConnectionString or -DestinationPath instead.

    .PARAMETER DestinationDatabase
    The name of the destination database (the Active Roles 8.2 database) on
    -DestinationServer, as shown by the Active Roles Console or the
    Configuration Center (for example ARConfig76).

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
    The destination database (the Active Roles 8.2 database) as a connection
    string, instead of -DestinationServer and -DestinationDatabase: either
    the ADO.NET form
    (Server=sql01.corp.example.com;Database=ARConfig76;Integrated
    Security=true) or a sqlserver:// URL. Prefer -DestinationServer with
    -DestinationCredential when a password is needed: a connection string is
    plain text.

    .PARAMETER DestinationPath
    The path of a database bundle (*.arbundle) to use as the destination
    database (the Active Roles 8.2 database), instead of a SQL Server
    database. Bundles are portable single-file copies written by
    Export-ARDatabase (or New-ARSampleDatabase); relative paths are relative
    to the current PowerShell location.

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
    default is 1000. Larger batches are faster; smaller ones lose less work
    to a retry.

    .PARAMETER SkipPrincipals
    Does not copy the source database's users, logins, roles and permissions
    after the import (the wizard's "Copy database users, permissions, logins
    and roles" cleared). By default they are copied once the import has
    succeeded, as Copy-ARDatabasePrincipals does (SQL Server source and
    destination only); the result's principals (copied, reason) says what was
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
    None. You cannot pipe objects to this command.

    .OUTPUTS
    ActiveRolesUpgrade.HistoryImportResult, with the properties: source and
    destination (name, version, role, state), whatIf, mode (All or Range),
    from, to, rangeFromUtc, rangeToUtc, cutoffUtc (records created after it
    are not imported), entities (per entity - ChangeRecord, ApprovalTask,
    TemporalMembership, …: source, imported, alreadyPresent, conflicts,
    excluded, unfinishedSkipped, unfinishedReason, skipped, failed),
    batches, retries, reportEntries, report (entity, key, reason, detail),
    principals (copied, reason), importRunId, elapsedSeconds,
    recordsPerSecond and outcome.

    .EXAMPLE
    PS> Import-ARManagementHistory -SourceServer sql01.corp.example.com -SourceDatabase ARConfig76 -DestinationServer sql02.corp.example.com -DestinationDatabase ARHistory82

    Imports all Management History of the combined 7.6 database into the 8.2
    Management History database, showing progress.

    .EXAMPLE
    PS> Import-ARManagementHistory -SourcePath .\history81.arbundle -DestinationServer sql02 -DestinationDatabase ARHistory82 -From (Get-Date).AddYears(-1) -To (Get-Date) -BatchSize 5000 -Verbose

    Imports the last year of history from a bundle in batches of 5000, with
    the engine's log lines as verbose output.

    .EXAMPLE
    PS> Import-ARManagementHistory -SourceServer sql01 -SourceDatabase ARHistory81 -DestinationServer sql02 -DestinationDatabase ARHistory82 -WhatIf |
    >>     Select-Object -ExpandProperty entities

    Shows how many records of each kind would be imported.

    .LINK
    Import-ARConfiguration

    .LINK
    Test-ARUpgradePrerequisite

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ServerToServer')]
    [OutputType('ActiveRolesUpgrade.HistoryImportResult')]
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

        [Parameter(Mandatory, ParameterSetName = 'ServerToServer')]
        [Parameter(Mandatory, ParameterSetName = 'ConnectionStringToServer')]
        [Parameter(Mandatory, ParameterSetName = 'PathToServer')]
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
        [switch]$SkipPrincipals,

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
                        -RecommendedAction 'Give a -From on or before -To, or leave both out to import all records.'))
        }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        $params = [ordered]@{ source = $source; destination = $destination }
        if ($PSBoundParameters.ContainsKey('From')) { $params.from = ConvertTo-ARDateParameter -Date $From }
        if ($PSBoundParameters.ContainsKey('To')) { $params.to = ConvertTo-ARDateParameter -Date $To }
        $params.batchSize = $BatchSize
        $params.skipPrincipals = [bool]$SkipPrincipals
        $params.whatIf = $false

        $sourceName = Get-AREndpointDisplayName -Endpoint $source
        $target = Get-AREndpointDisplayName -Endpoint $destination
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
