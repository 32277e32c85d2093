function Copy-ARDatabasePrincipals {
    <#
    .SYNOPSIS
    Copies the SQL Server users, logins, roles and permissions of an earlier
    Active Roles database to the 8.2 database (not available yet).

    .DESCRIPTION
    Copy-ARDatabasePrincipals is the Configuration Center's "Copy database
    users, permissions, logins and roles" step: after an import it gives the
    accounts that used the old database the same access to the new one.

    This version of ActiveRolesUpgrade does not implement it yet: the engine
    answers with the error AR-NOTIMPL (category NotImplemented) and changes
    nothing. Until it does, grant the Administration Service account
    db_owner on the new database and recreate the other users, logins and
    roles in SQL Server Management Studio or with SQL Server tools. Azure
    SQL cannot synchronise SQL Server logins at all: use Azure Data Studio
    or Azure Database Migration Service, as the upgrade guide recommends.

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
    ActiveRolesUpgrade.PrincipalsCopyResult, once implemented. Today the
    command always ends with the terminating error AR-NOTIMPL
    (NotImplemented) and writes no object.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82

    Copies the principals of the 7.6 database to the 8.2 database, once
    available; today it fails with AR-NOTIMPL.

    .EXAMPLE
    PS> try { Copy-ARDatabasePrincipals -SourcePath .\ar76.arbundle -DestinationServer sql02 -DestinationDatabase ARConfig82 -Force }
    >> catch [System.Exception] { if ($_.FullyQualifiedErrorId -like 'AR-NOTIMPL*') { Write-Warning 'Copy the database principals manually.' } else { throw } }

    Handles the not-implemented answer in a runbook.

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'ServerToServer')]
    [OutputType('ActiveRolesUpgrade.PrincipalsCopyResult')]
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

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $params = [ordered]@{ source = $source; destination = $destination; whatIf = $false }
        $sourceName = Get-AREndpointDisplayName -Endpoint $source
        $target = Get-AREndpointDisplayName -Endpoint $destination
        if ($PSCmdlet.ShouldProcess($target, "Copy the database users, logins, roles and permissions of $sourceName")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'copy-principals' -Params $params -LogPath $LogPath `
                -Activity 'Copying database principals' -TargetObject $target
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'copy-principals' -Params $params -LogPath $LogPath `
                -Activity 'Planning the copy of database principals' -TargetObject $target
        }
    }
}
