function Test-ARUpgradePrerequisite {
    <#
    .SYNOPSIS
    Checks, without writing anything, whether a configuration, Management
    History or Collector import can run.

    .DESCRIPTION
    Test-ARUpgradePrerequisite runs the preflight checks of
    Import-ARConfiguration (-Kind Configuration),
    Import-ARManagementHistory (-Kind ManagementHistory) or
    Import-ARCollectorEvents (-Kind Collector) against the source and
    destination you name, and returns one object per check, with Pass,
    Warning or Fail, a message and a remedy. It writes nothing.

    A failed check is an object whose status is Fail, not an error: the cmdlet
    returns every check and does not throw, so filter on status (see the
    examples). Errors are for checks that cannot run at all, such as a source
    that cannot be reached. (arupgrade test-prerequisites exits 3 when a check
    fails, as the import would.)

    The checks cover what the Configuration Center's wizards ask of you: the
    source is an Active Roles 7.5 or later database of the right role, the
    destination is blank or an 8.2 database of that role, add-ons are
    uninstalled (the Add-on advisor), replication is disabled, the key
    backup opens with its password, the services server is a fully qualified
    name, Azure tenants that will need reauthentication, pending approvals
    and unfinished temporal memberships, and the connection's security.

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

    .PARAMETER Kind
    Which import to check: Configuration (the default; as
    Import-ARConfiguration), ManagementHistory (as
    Import-ARManagementHistory) or Collector (as Import-ARCollectorEvents:
    the source is a 7.5–8.2 Collector database, the destination blank or an
    8.2 Collector database, the dates valid).

    .PARAMETER KeyBackupPath
    Configuration only: the key backup file of the source database, to check
    that it matches the source's encryption key and opens with
    -KeyBackupPassword.

    .PARAMETER KeyBackupPassword
    Configuration only: the password of -KeyBackupPath. It is passed to the
    engine only inside its request and never written to any output stream or
    log.

    .PARAMETER SkipEncryptedData
    Configuration only: checks an import that leaves encrypted data behind
    (as Import-ARConfiguration -SkipEncryptedData).

    .PARAMETER ServicesServer
    Configuration only: the services server to check (it must be a fully
    qualified domain name). The default is this computer's FQDN.

    .PARAMETER Replace
    Configuration only: checks an import that replaces the configuration
    already in the destination.

    .PARAMETER From
    ManagementHistory only: the first day of the date range to import (see
    Import-ARManagementHistory -From).

    .PARAMETER To
    ManagementHistory only: the last day of the date range to import (see
    Import-ARManagementHistory -To).

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
    or objects from Get-ARDatabaseInfo, as -Source (each is checked).

    .OUTPUTS
    ActiveRolesUpgrade.PrerequisiteCheck. One object per check, with the
    properties: Code (e.g. AR-E010), Name, Status (Pass, Warning or Fail),
    Message and Remedy.

    .EXAMPLE
    PS> Test-ARUpgradePrerequisite -Source sql01.corp.example.com -SourceDatabase ARConfig76 -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    Checks a configuration import from a 7.6 database into a new 8.2
    database and lists every check.

    .EXAMPLE
    PS> Test-ARUpgradePrerequisite -Kind ManagementHistory -Source .\history81.arbundle -Destination sql02 -DestinationDatabase ARHistory82 -From 2024-01-01 |
    >>     Where-Object status -ne 'Pass'

    Shows only the warnings and failures of a Management History import from
    a bundle.

    .EXAMPLE
    PS> $failed = Test-ARUpgradePrerequisite -Source .\ar76.arbundle -Destination .\ar82.arbundle -CreateDestination -KeyBackupPath .\ar76.key -KeyBackupPassword $pw |
    >>     Where-Object status -eq 'Fail'
    PS> if ($failed) { throw "Prerequisites failed: $($failed.code -join ', ')" }

    Stops a runbook when any check fails.

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding()]
    [OutputType('ActiveRolesUpgrade.PrerequisiteCheck')]
    param(
        [ValidateSet('Configuration', 'ManagementHistory', 'Collector')][string]$Kind = 'Configuration',
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object[]]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [ValidateNotNullOrEmpty()][string]$KeyBackupPath,
        [System.Security.SecureString]$KeyBackupPassword,
        [switch]$SkipEncryptedData,
        [ValidateNotNullOrEmpty()][string]$ServicesServer,
        [switch]$Replace,
        [Parameter(Mandatory, Position = 1)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$CreateDestination,
        [datetime]$From,
        [datetime]$To,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        $engineKind = @{ Configuration = 'configuration'; ManagementHistory = 'history'; Collector = 'collector' }[$Kind]
        # One engine run per source: several sources are checked against the same destination.
        foreach ($item in $Source) {
            $params = [ordered]@{ kind = $engineKind; source = (ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source' -Value $item); destination = $destinationEndpoint }
            # Whatever was given goes to the engine, which refuses an option of the other kind (AR-PARAMS).
            if ($KeyBackupPath) { $params.keyBackupPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $KeyBackupPath }
            if ($KeyBackupPassword) { $params.keyBackupPassword = $KeyBackupPassword }
            $params.skipEncryptedData = [bool]$SkipEncryptedData
            if ($ServicesServer) { $params.servicesServer = $ServicesServer }   # else the engine's default: this computer's FQDN
            $params.replace = [bool]$Replace
            if ($PSBoundParameters.ContainsKey('From')) { $params.from = ConvertTo-ARDateParameter -Date $From }
            if ($PSBoundParameters.ContainsKey('To')) { $params.to = ConvertTo-ARDateParameter -Date $To }
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'test-prerequisites' -Params $params -LogPath $LogPath `
                -Activity 'Checking upgrade prerequisites' -TargetObject (Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $params.source)
        }
    }
}
