function Copy-ARDatabasePrincipals {
    <#
    .SYNOPSIS
    Copies the SQL Server users, logins, roles and permissions of an earlier
    Active Roles database to the 8.2 database.

    .DESCRIPTION
    Copy-ARDatabasePrincipals is the Configuration Center's "Copy database
    users, permissions, logins and roles" step: it gives the accounts that
    used the old database the same access to the new one. Import-ARConfiguration
    and Import-ARManagementHistory run it after every successful import unless
    -SkipPrincipals is given; run it yourself to copy again, to review
    (-WhatIf), or to write the T-SQL for a DBA (-ScriptPath).

    It copies, from the source database and its server:
    - the server logins the database's users map to: SQL logins with the
      same SID and password hash (reading hashes needs CONTROL SERVER on the
      source server; without it each SQL login is reported with what to do),
      default database (the source database becomes the destination
      database) and language, password policy and disabled state; Windows
      logins and groups; Microsoft Entra logins where the destination server
      accepts them. Never copied: sa and other system logins, ##...##
      certificate logins, NT SERVICE\... and NT AUTHORITY\... accounts, and
      the login running the copy.
    - the database users, for their logins, WITHOUT LOGIN or for the Windows
      or Entra principal itself, with their default schema; an orphaned
      destination user whose login now exists is mapped to it again.
    - the user-defined roles (owners first) and the memberships of fixed and
      user-defined roles, nested roles included.
    - the database-, schema- and object-level (and column) GRANT, DENY and
      GRANT WITH GRANT OPTION permissions, for objects that exist in the
      destination; the others are reported, never dropped silently.

    A login that exists on the destination with the same SID is
    AlreadyPresent; with another SID it is a Conflict (its users are mapped
    to it by name), which only -Force resolves. Every statement checks the
    catalog first, so a second run creates nothing and reports everything
    AlreadyPresent.

    Azure SQL Database has no server logins this tool can synchronise: for an
    Azure SQL destination the logins are reported as Skipped with the
    guide's advice (Azure Data Studio, or Azure Database Migration Service
    for a managed instance), and the users, roles and permissions Azure SQL
    accepts are copied. A bundle holds no principals: a bundle source is
    refused with an explanation, and a bundle destination only takes
    -ScriptPath.

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

    .PARAMETER ScriptPath
    Writes the copy as a T-SQL script to this file instead of running it,
    for a DBA to review and run (sqlcmd -b -i, or SQL Server Management
    Studio). The script is complete for the destination as it is now: one
    statement per change in dependency order, each guarded by an existence
    check and followed by GO, so it can be run again; the principals that
    need nothing are listed as comments. Its header says whether it holds
    SQL Server password hashes: such a script is as secret as the passwords
    (the file is created readable by its owner only). Without a destination
    (a bundle destination) it is planned against an empty database.

    .PARAMETER Force
    Resolves conflicts: a destination login of the same name with another
    SID is dropped and created again with the source's SID and password
    (never the login running the copy, nor one it belongs to; users of other
    databases mapped to the dropped login lose it), a login of the same SID
    gets the source's password and properties, and a user mapped to another
    login is mapped to the source's. Because it can drop logins it asks for
    confirmation (ConfirmImpact High) unless -Confirm:$false is given.

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
    ActiveRolesUpgrade.PrincipalCopyResult, one per login, user, role, role
    membership and permission, with the properties: name, type (SqlLogin,
    WindowsLogin, WindowsGroup, ExternalLogin, User, Role, Membership,
    Permission), action (Created, Updated, AlreadyPresent, Skipped,
    Conflict, Failed; with -WhatIf or -ScriptPath what would be done) and
    reason. When any is Failed the command ends with the terminating error
    AR-PRINCIPALS after writing them all.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -SourceServer sql01.corp.example.com -SourceDatabase ARConfig76 -DestinationServer sql02.corp.example.com -DestinationDatabase ARConfig82

    Copies the logins, users, roles and permissions of the 7.6 database to
    the 8.2 database and lists each with what was done.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82 -WhatIf |
    >>     Where-Object action -in 'Skipped', 'Conflict' | Format-Table name, type, action, reason -Wrap

    Shows what would not be copied, and why, without changing anything.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82 -ScriptPath .\principals.sql

    Writes the T-SQL to principals.sql for a DBA instead of running it.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82 -Force -Confirm:$false

    Also resolves conflicts (logins of another SID are created again with
    the source's), without asking.

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'ServerToServer')]
    [OutputType('ActiveRolesUpgrade.PrincipalCopyResult')]
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
        [ValidateNotNullOrEmpty()]
        [string]$ScriptPath,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        # ConfirmImpact is High for -Force (it can drop logins); a plain copy
        # asks only when $ConfirmPreference is Medium or lower.
        if (-not $Force -and $ConfirmPreference -eq 'High') { $ConfirmPreference = 'None' }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $params = [ordered]@{ source = $source; destination = $destination; force = [bool]$Force; whatIf = $false }
        $sourceName = Get-AREndpointDisplayName -Endpoint $source
        $target = Get-AREndpointDisplayName -Endpoint $destination
        if ($ScriptPath) {
            $params.scriptPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $ScriptPath
            $target = $params.scriptPath
            $action = "Write the T-SQL that copies the database users, logins, roles and permissions of $sourceName to $(Get-AREndpointDisplayName -Endpoint $destination)"
        } elseif ($Force) {
            $action = "Copy the database users, logins, roles and permissions of $sourceName, dropping and recreating conflicting logins (-Force)"
        } else {
            $action = "Copy the database users, logins, roles and permissions of $sourceName"
        }
        if ($PSCmdlet.ShouldProcess($target, $action)) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'copy-principals' -Params $params -LogPath $LogPath `
                -Activity 'Copying database principals' -TargetObject $target
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'copy-principals' -Params $params -LogPath $LogPath `
                -Activity 'Planning the copy of database principals' -TargetObject $target
        }
    }
}
