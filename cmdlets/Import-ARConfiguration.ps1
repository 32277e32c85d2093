function Import-ARConfiguration {
    <#
    .SYNOPSIS
    Imports the configuration of an earlier Active Roles database (7.5 or
    later) into an Active Roles 8.2 configuration database.

    .DESCRIPTION
    Import-ARConfiguration does, headless, what the Configuration Center's
    Import configuration wizard does: it reads the configuration of the
    Administration Service of an earlier version (7.5, 7.6, 8.0 or 8.1) -
    managed domains, managed units, access templates and permission
    assignments, policies, workflows, scheduled tasks, virtual attributes,
    Azure tenants, Web Interface site configurations and the other settings
    that make up the Active Roles work environment - converts it to the 8.2
    schema and writes it to the destination in one transaction. Management
    History is not part of it: import it afterwards with
    Import-ARManagementHistory.

    Encrypted data (such as the override account passwords of managed domain
    registrations) is imported when you give the key backup of the source
    database with -KeyBackupPath and -KeyBackupPassword; otherwise, or with
    -SkipEncryptedData, it is left behind and listed in the result's
    secretsToReenter so you can re-enter it. Azure tenants are imported but
    must be reauthenticated and consented afterwards in the Configuration
    Center (the result's azureTenants lists the steps for each). Web
    Interface site configuration objects are copied with their names; create
    the 8.2 sites from them in the Configuration Center (New-ARWebSite).
    Services association (dynamic groups, group families and scheduled
    tasks) is set to -ServicesServer. Add-ons must be uninstalled from the
    source first.

    The destination must be blank (or new, with -CreateDestination) or
    already an 8.2 configuration database; with -Replace, the configuration
    it holds is deleted first, in the same transaction. The engine checks
    the prerequisites first (see Test-ARUpgradePrerequisite) and refuses
    with an AR-E0xx error when one fails. -WhatIf asks the engine for the
    full plan, written as the result object, and writes nothing.

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

    .PARAMETER KeyBackupPath
    The backup of the source database's encryption key (the file written by
    the Configuration Center's Back up encryption key, or by
    New-ARSampleDatabase). With it, encrypted data is re-encrypted for the
    destination; without it, encrypted data is not imported (see
    -SkipEncryptedData).

    .PARAMETER KeyBackupPassword
    The password of -KeyBackupPath, if the backup is password-protected. It
    is passed to the engine only inside its request and never written to any
    output stream, variable dump or log.

    .PARAMETER SkipEncryptedData
    Does not import encrypted data even when -KeyBackupPath is given (the
    wizard's "Do not import encrypted data"). Each value left behind is
    listed in the result's secretsToReenter; re-enter them afterwards, for
    example the override account passwords of managed domain registrations.

    .PARAMETER ServicesServer
    The fully qualified domain name of the Administration Service that runs
    dynamic groups, group families and scheduled tasks after the import (the
    guide's "Services association"; "This server" or "Other"). The default
    is this computer's FQDN ([System.Net.Dns]::GetHostEntry('').HostName),
    which is right when you run the command on the new Administration
    Service. Scheduled tasks that cannot be edited (such as Managed Object
    Counter) or that run on all servers are left alone and listed in the
    result.

    .PARAMETER SkipPrincipals
    Does not copy the source database's users, logins, roles and permissions
    after the import (the wizard's "Copy database users, permissions, logins
    and roles" cleared). By default they are copied once the import has
    succeeded, as Copy-ARDatabasePrincipals does (SQL Server source and
    destination only); the result's principals (copied, reason) says what was
    done, and warning AR-W006 says what could not be.

    .PARAMETER Replace
    Deletes the configuration already in the destination (an 8.2
    configuration database) and imports in its place, in one transaction.
    Asks for confirmation unless -Force or -Confirm:$false is given; -WhatIf
    shows what would be removed.

    .PARAMETER Force
    Runs without asking for confirmation (for runbooks and scheduled tasks).
    The same as -Confirm:$false. Needed with -Replace in non-interactive
    sessions.

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
    ActiveRolesUpgrade.ConfigurationImportResult, with the properties:
    source and destination (name, version, role, state, installationId),
    whatIf, initialized (the destination was given the 8.2 schema),
    replaced, removed (rows deleted per table with -Replace), entities (per
    entity: source, added, skipped, destinationBefore, destinationAfter),
    addedCount, skippedCount, report (entity, key, reason, detail for each
    object not imported as is), addOns, azureTenants (tenantId, displayName
    and the steps to reauthenticate and consent each tenant),
    secretsToReenter (encrypted values not imported and what to re-enter),
    scheduledTasksNotAssociated, servicesAssociation (servicesServer and the
    number of dynamic groups, group families and scheduled tasks set),
    principals (copied, reason), checks (the preflight checks), importRunId,
    encryptionKeyId, verification (passed and each invariant checked before
    commit), elapsedSeconds and logPath. With -WhatIf, the same object
    describes the plan and nothing is written.

    .EXAMPLE
    PS> Import-ARConfiguration -SourceServer sql01.corp.example.com -SourceDatabase ARConfig76 `
    >>     -DestinationServer sql02.corp.example.com -DestinationDatabase ARConfig82 `
    >>     -KeyBackupPath D:\Upgrade\ar76.key -KeyBackupPassword (Read-Host -AsSecureString 'Key backup password')

    Imports the 7.6 configuration, including encrypted data, into an
    existing blank 8.2 database, with Windows authentication on both
    servers; services association goes to this computer.

    .EXAMPLE
    PS> Import-ARConfiguration -SourcePath .\ar76.arbundle -DestinationServer sql02 -DestinationDatabase ARConfig82 -SkipEncryptedData -WhatIf |
    >>     Select-Object -ExpandProperty entities | Format-Table

    Shows, per entity, what an import from a bundle would add and skip,
    without writing anything.

    .EXAMPLE
    PS> $sql = Get-Credential arimport
    PS> Import-ARConfiguration -SourceServer contoso.database.windows.net -SourceDatabase ARConfig81 -SourceDatabaseType AzureSQL -SourceAuthentication AzureADDefault `
    >>     -DestinationServer contoso.database.windows.net -DestinationDatabase ARConfig82 -DestinationDatabaseType AzureSQL -DestinationCredential $sql `
    >>     -ServicesServer ars01.corp.example.com -Replace -Force -LogPath .\import-config.log

    In a runbook: replaces the configuration in an 8.2 Azure SQL database
    with the one imported from 8.1, reading with the runbook's managed
    identity and writing with a SQL login, without prompting.

    .NOTES
    Reauthenticate and consent every imported Azure tenant afterwards
    (result property azureTenants), and restart the Administration Service
    so they appear in the Web Interface. Re-enter the values in
    secretsToReenter. Then import Management History with
    Import-ARManagementHistory.

    .LINK
    Import-ARManagementHistory

    .LINK
    Test-ARUpgradePrerequisite

    .LINK
    Set-ARServicesAssociation

    .LINK
    New-ARWebSite

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'ServerToServer')]
    [OutputType('ActiveRolesUpgrade.ConfigurationImportResult')]
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
        [switch]$SkipPrincipals,

        [Parameter()]
        [switch]$Replace,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        # ConfirmImpact is High for -Replace; a plain import asks only when $ConfirmPreference is Medium or lower.
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        } elseif (-not $Replace -and $ConfirmPreference -eq 'High') {
            $ConfirmPreference = 'None'
        }
        $source = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        $params = [ordered]@{ source = $source; destination = $destination }
        if ($KeyBackupPath) { $params.keyBackupPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $KeyBackupPath }
        if ($KeyBackupPassword) { $params.keyBackupPassword = $KeyBackupPassword }
        $params.skipEncryptedData = [bool]$SkipEncryptedData
        $params.servicesServer = if ($ServicesServer) { $ServicesServer } else { Get-ARDefaultServicesServer }
        $params.skipPrincipals = [bool]$SkipPrincipals
        $params.replace = [bool]$Replace
        $params.whatIf = $false

        $sourceName = Get-AREndpointDisplayName -Endpoint $source
        $target = Get-AREndpointDisplayName -Endpoint $destination
        $action = if ($Replace) {
            "Replace all Active Roles configuration with the configuration imported from $sourceName"
        } else {
            "Import the Active Roles configuration from $sourceName"
        }
        if ($PSCmdlet.ShouldProcess($target, $action)) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-configuration' -Params $params -LogPath $LogPath `
                -Activity 'Importing configuration' -TargetObject $target
        } elseif ($WhatIfPreference) {
            # The engine computes the plan; nothing is written.
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-configuration' -Params $params -LogPath $LogPath `
                -Activity 'Planning the configuration import' -TargetObject $target
        }
    }
}
