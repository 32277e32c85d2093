function Export-ARDatabase {
    <#
    .SYNOPSIS
    Copies an Active Roles database into a portable bundle file.

    .DESCRIPTION
    Export-ARDatabase reads every table of an Active Roles database (any
    supported version and role) and writes it to a single bundle file
    (*.arbundle). The source is read in one snapshot and is not changed.

    A bundle can stand in for a SQL Server database wherever the module
    takes one: inspect it with Get-ARDatabaseInfo, check it with
    Test-ARUpgradePrerequisite, or import from it with
    Import-ARConfiguration and Import-ARManagementHistory, for example on a
    computer that cannot reach the old SQL Server, or to rehearse an
    upgrade. Back up the database with SQL Server tools as the upgrade guide
    asks; a bundle is not a SQL Server backup.

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

    .PARAMETER OutputPath
    The bundle file to write (conventionally *.arbundle). Relative paths are
    relative to the current PowerShell location. The file must not exist
    unless -Force is given.

    .PARAMETER Force
    Overwrites an existing file at -OutputPath, and does not ask for
    confirmation.

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
    ActiveRolesUpgrade.ExportResult, with the properties: source, out (the
    bundle written), version, role, tables (rows per table), rows, bytes and
    elapsedSeconds.

    .EXAMPLE
    PS> Export-ARDatabase -SourceServer sql01.corp.example.com -SourceDatabase ARConfig76 -OutputPath D:\Upgrade\ARConfig76.arbundle

    Exports the 7.6 configuration database to a bundle, connecting with
    Windows authentication.

    .EXAMPLE
    PS> Export-ARDatabase -SourceConnectionString 'Server=sql01;Database=ARHistory81;Integrated Security=true' -OutputPath .\history81.arbundle -Force -LogPath .\export.log

    Exports a Management History database named by a connection string,
    replacing an earlier bundle, and logs to export.log.

    .LINK
    Get-ARDatabaseInfo

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low', DefaultParameterSetName = 'Server')]
    [OutputType('ActiveRolesUpgrade.ExportResult')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$SourceServer,

        [Parameter(Mandatory, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$SourceDatabase,

        [Parameter(ParameterSetName = 'Server')]
        [System.Management.Automation.Credential()]
        [System.Management.Automation.PSCredential]$SourceCredential,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateSet('Windows', 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal', 'AzureADManagedIdentity', 'AzureADDefault', 'AzureADInteractive')]
        [string]$SourceAuthentication,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateSet('OnPremises', 'AzureSQL')]
        [string]$SourceDatabaseType,

        [Parameter(ParameterSetName = 'Server')]
        [switch]$SourceTrustServerCertificate,

        [Parameter(Mandatory, ParameterSetName = 'ConnectionString')]
        [ValidateNotNullOrEmpty()]
        [string]$SourceConnectionString,

        [Parameter(Mandatory, ParameterSetName = 'Path')]
        [ValidateNotNullOrEmpty()]
        [string]$SourcePath,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$OutputPath,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $out = Resolve-ARPath -Cmdlet $PSCmdlet -Path $OutputPath
        $sourceName = Get-AREndpointDisplayName -Endpoint $source
        if ($PSCmdlet.ShouldProcess($out, "Export $sourceName to a bundle")) {
            $params = [ordered]@{ source = $source; out = $out; overwrite = [bool]$Force }
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'export' -Params $params -LogPath $LogPath `
                -Activity "Exporting $sourceName" -TargetObject $sourceName
        }
    }
}
