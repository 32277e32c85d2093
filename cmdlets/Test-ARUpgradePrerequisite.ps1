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
    None. You cannot pipe objects to this command.

    .OUTPUTS
    ActiveRolesUpgrade.PrerequisiteCheck. One object per check, with the
    properties: code (e.g. AR-E010), name, status (Pass, Warning or Fail),
    message and remedy.

    .EXAMPLE
    PS> Test-ARUpgradePrerequisite -SourceServer sql01.corp.example.com -SourceDatabase ARConfig76 -DestinationServer sql02.corp.example.com -DestinationDatabase ARConfig82

    Checks a configuration import from a 7.6 database into a new 8.2
    database and lists every check.

    .EXAMPLE
    PS> Test-ARUpgradePrerequisite -Kind ManagementHistory -SourcePath .\history81.arbundle -DestinationServer sql02 -DestinationDatabase ARHistory82 -From 2024-01-01 |
    >>     Where-Object status -ne 'Pass'

    Shows only the warnings and failures of a Management History import from
    a bundle.

    .EXAMPLE
    PS> $failed = Test-ARUpgradePrerequisite -SourcePath .\ar76.arbundle -DestinationPath .\ar82.arbundle -CreateDestination -KeyBackupPath .\ar76.key -KeyBackupPassword $pw |
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
    [CmdletBinding(DefaultParameterSetName = 'ServerToServer')]
    [OutputType('ActiveRolesUpgrade.PrerequisiteCheck')]
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
        [ValidateSet('Configuration', 'ManagementHistory', 'Collector')]
        [string]$Kind = 'Configuration',

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$KeyBackupPath,

        [Parameter()]
        [System.Security.SecureString]$KeyBackupPassword,

        [Parameter()]
        [switch]$SkipEncryptedData,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$ServicesServer,

        [Parameter()]
        [switch]$Replace,

        [Parameter()]
        [datetime]$From,

        [Parameter()]
        [datetime]$To,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        $configOnly = 'KeyBackupPath', 'KeyBackupPassword', 'SkipEncryptedData', 'ServicesServer', 'Replace'
        $historyOnly = 'From', 'To'
        $wrong = if ($Kind -eq 'Configuration') { $historyOnly } else { $configOnly }
        foreach ($name in $wrong) {
            if ($PSBoundParameters.ContainsKey($name)) {
                $other = if ($Kind -eq 'Configuration') { 'ManagementHistory or Collector' } else { 'Configuration' }
                $PSCmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ARGS' -Category InvalidArgument -TargetObject $name `
                            -Exception ([System.ArgumentException]::new("-$name does not apply to -Kind $Kind.")) `
                            -RecommendedAction "Leave out -$name, or check a $other import with -Kind $other."))
            }
        }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        $engineKind = @{ Configuration = 'configuration'; ManagementHistory = 'history'; Collector = 'collector' }[$Kind]
        $params = [ordered]@{ kind = $engineKind; source = $source; destination = $destination }
        if ($Kind -eq 'Configuration') {
            if ($KeyBackupPath) { $params.keyBackupPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $KeyBackupPath }
            if ($KeyBackupPassword) { $params.keyBackupPassword = $KeyBackupPassword }
            $params.skipEncryptedData = [bool]$SkipEncryptedData
            $params.servicesServer = if ($ServicesServer) { $ServicesServer } else { Get-ARDefaultServicesServer }
            $params.replace = [bool]$Replace
        } else {
            if ($PSBoundParameters.ContainsKey('From')) { $params.from = ConvertTo-ARDateParameter -Date $From }
            if ($PSBoundParameters.ContainsKey('To')) { $params.to = ConvertTo-ARDateParameter -Date $To }
        }
        Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'test-prerequisites' -Params $params -LogPath $LogPath `
            -Activity 'Checking upgrade prerequisites' -TargetObject (Get-AREndpointDisplayName -Endpoint $destination)
    }
}
