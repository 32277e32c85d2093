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
    accepts are copied. A bundle written by Export-ARDatabase records the
    source's principals (with the password hashes the exporting account
    could read), so it can be the source of a copy or of -ScriptPath; a
    bundle exported without them (by an earlier version) is refused with an
    explanation, and a bundle destination only takes -ScriptPath.

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
    System.String, System.IO.FileInfo, ActiveRolesUpgrade.DatabaseInfo.
    Instances, connection strings, bundle paths, files from Get-ChildItem,
    or objects from Get-ARDatabaseInfo, as -Source.

    .OUTPUTS
    ActiveRolesUpgrade.PrincipalCopyResult, one per login, user, role, role
    membership and permission, with the properties: Name, Type (SqlLogin,
    WindowsLogin, WindowsGroup, ExternalLogin, User, Role, Membership,
    Permission), Action (Created, Updated, AlreadyPresent, Skipped,
    Conflict, Failed; with -WhatIf a plan: WouldCreate and WouldUpdate for
    what would be created or updated) and Reason. When any is Failed the
    command ends with the terminating error AR-PRINCIPALS after writing them
    all.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -Source sql01.corp.example.com -SourceDatabase ARConfig76 -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    Copies the logins, users, roles and permissions of the 7.6 database to
    the 8.2 database and lists each with what was done.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -Source sql01 -SourceDatabase ARConfig76 -Destination sql02 -DestinationDatabase ARConfig82 -WhatIf |
    >>     Where-Object action -in 'Skipped', 'Conflict' | Format-Table name, type, action, reason -Wrap

    Shows what would not be copied, and why, without changing anything.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -Source sql01 -SourceDatabase ARConfig76 -Destination sql02 -DestinationDatabase ARConfig82 -ScriptPath .\principals.sql

    Writes the T-SQL to principals.sql for a DBA instead of running it.

    .EXAMPLE
    PS> Copy-ARDatabasePrincipals -Source sql01 -SourceDatabase ARConfig76 -Destination sql02 -DestinationDatabase ARConfig82 -Force -Confirm:$false

    Also resolves conflicts (logins of another SID are created again with
    the source's), without asking.

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('ActiveRolesUpgrade.PrincipalCopyResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [ValidateNotNullOrEmpty()][string]$ScriptPath,
        [Parameter(Mandatory, Position = 1)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        # ConfirmImpact is High for -Force (it can drop logins); a plain copy
        # asks only when $ConfirmPreference is Medium or lower.
        if (-not $Force -and $ConfirmPreference -eq 'High') { $ConfirmPreference = 'None' }
        $sourceEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $params = [ordered]@{ source = $sourceEndpoint; destination = $destinationEndpoint; force = [bool]$Force; whatIf = $false }
        $sourceName = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
        if ($ScriptPath) {
            $params.scriptPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $ScriptPath
            $target = $params.scriptPath
            $action = "Write the T-SQL that copies the database users, logins, roles and permissions of $sourceName to $(Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint)"
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
