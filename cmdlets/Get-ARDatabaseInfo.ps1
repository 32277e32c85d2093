function Get-ARDatabaseInfo {
    <#
    .SYNOPSIS
    Describes an Active Roles database or bundle: its version, role, state
    and what it holds.

    .DESCRIPTION
    Get-ARDatabaseInfo connects to an Active Roles database (SQL Server or
    Azure SQL) or opens a database bundle, detects which Active Roles
    version and role (Configuration, Management History, or the combined
    database of 7.x) it belongs to, and counts its objects and rows. It
    writes nothing.

    Use it to identify the databases to import before an upgrade (the
    upgrade guide's "Identifying the database to import configuration" and
    "Identifying the database to import Management History"), and to check a
    destination afterwards. A database that is not an Active Roles database,
    or of a version this module cannot import, is described too, with its
    state saying so.

    .PARAMETER Source
    The database: a SQL Server instance (sql01.corp.example.com, sql01\INST,
    sql01.corp.example.com,1433, or the Azure SQL logical server
    contoso.database.windows.net) with -Database; a connection string
    (Server=sql01;Database=ARConfig76;Integrated Security=true, or a
    sqlserver:// URL); the path of a database bundle (*.arbundle, relative
    to the current PowerShell location); a file from Get-ChildItem; or an
    object from Get-ARDatabaseInfo. The engine reads every form by the same
    rule as the arupgrade command line. The old names -Server, -SqlInstance,
    -ConnectionString and -Path still work.

    .PARAMETER Database
    The name of the database on the -Source instance, as shown by the Active
    Roles Console or the Configuration Center (for example ARConfig76). It
    takes precedence over the database named by a connection string or by a
    Get-ARDatabaseInfo object.

    .PARAMETER Credential
    Alias: -SqlCredential.
    The login for -Source: a SQL Server login (SqlLogin, the default
    authentication when a credential is given), a Windows account (Windows
    authentication with NTLM), an Azure AD user (AzureADPassword), or the
    application (client) ID and client secret (AzureADServicePrincipal).
    Leave it out to connect as the account running PowerShell. The password
    is passed to the engine only inside its request and is never written to
    any output stream or log.

    .PARAMETER Authentication
    How to authenticate to -Source: Windows (integrated, or NTLM with
    -Credential), SqlLogin, AzureADPassword, AzureADServicePrincipal,
    AzureADManagedIdentity (the managed identity of this Azure VM or
    service), AzureADDefault (the Azure default credential chain:
    environment, managed identity, Azure CLI) or AzureADInteractive (a
    browser sign-in). Left out, the engine uses Windows, or SqlLogin when
    -Credential is given. The engine checks that the mode has what it needs
    and names what is missing; tab completion offers the modes.

    .PARAMETER DatabaseType
    OnPremises for SQL Server, or AzureSQL for an Azure SQL database or
    managed instance, as in the Configuration Center's Database Type list.
    Left out, the engine takes AzureSQL for an Azure SQL server name
    (*.database.windows.net) and OnPremises otherwise.

    .PARAMETER TrustServerCertificate
    Encrypts the connection to -Source without validating the server's
    certificate (a self-signed or internal-CA certificate). The engine
    reports a warning check when it is used; prefer installing a trusted
    certificate.

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
    or objects from Get-ARDatabaseInfo.

    .OUTPUTS
    ActiveRolesUpgrade.DatabaseInfo. One object per database, with the
    properties: Location (the bundle path or server/database), Kind (Bundle
    or SqlServer), State (Blank, NotActiveRoles, Unsupported, Newer or
    Supported), Version (the Active Roles schema version, a [version] such
    as 7.6.3), Generation, Role (Configuration, ManagementHistory or
    Combined), InstallationId and EncryptionKeyId ([guid]), UtcOffsetMinutes
    (7.x databases), Counts (objects per entity, e.g. ManagedDomain,
    ChangeRecord) and Tables (rows per table), both ActiveRolesUpgrade.Counts,
    and InterruptedRuns (ActiveRolesUpgrade.InterruptedRun: ImportRun rows
    still Running whose run was killed or stopped, with ImportRunId, Kind,
    StartedUtc, SourceServer and SourceDatabase; listed for bundles).

    .EXAMPLE
    PS> Get-ARDatabaseInfo sql01.corp.example.com -Database ARConfig76

    Describes the Active Roles 7.6 database ARConfig76, connecting with
    Windows authentication as the current user.

    .EXAMPLE
    PS> Get-ChildItem D:\Backups\*.arbundle | Get-ARDatabaseInfo | Format-Table Location, Version, Role, State

    Describes every bundle in a folder.

    .EXAMPLE
    PS> $cred = Get-Credential sqladmin
    PS> Get-ARDatabaseInfo -Source contoso.database.windows.net -Database ARHistory81 -DatabaseType AzureSQL -Credential $cred | Select-Object -ExpandProperty Counts

    Connects to an Azure SQL database with a SQL login and lists how many
    records of each kind it holds.

    .LINK
    Export-ARDatabase

    .LINK
    Test-ARUpgradePrerequisite

    .LINK
    Import-ARConfiguration
    #>
    [CmdletBinding()]
    [OutputType('ActiveRolesUpgrade.DatabaseInfo')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Path', 'FullName', 'Server', 'SqlInstance', 'ServerInstance', 'ConnectionString')]
        [object[]]$Source,
        [string]$Database,
        [Alias('SqlCredential')][System.Management.Automation.Credential()][pscredential]$Credential,
        [string]$Authentication,
        [string]$DatabaseType,
        [switch]$TrustServerCertificate,
        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        # Not $database: that is the -Database parameter.
        foreach ($item in $Source) {
            $endpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Value $item
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'inspect' -Params ([ordered]@{ source = $endpoint }) -LogPath $LogPath `
                -Activity 'Inspecting the database' -TargetObject (Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $endpoint)
        }
    }
}
