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
    SecretsToReenter so you can re-enter it. Azure tenants are imported but
    must be reauthenticated and consented afterwards in the Configuration
    Center (the result's AzureTenants lists the steps for each). Web
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
    listed in the result's SecretsToReenter; re-enter them afterwards, for
    example the override account passwords of managed domain registrations.

    .PARAMETER ServicesServer
    The fully qualified domain name of the Administration Service that runs
    dynamic groups, group families and scheduled tasks after the import (the
    guide's "Services association"; "This server" or "Other"). Left out,
    the engine takes this computer's fully qualified domain name (its host
    name, resolved through DNS), which is right when you run the command on
    the new Administration Service. Scheduled tasks that cannot be edited (such as Managed Object
    Counter) or that run on all servers are left alone and listed in the
    result.

    .PARAMETER SkipPrincipals
    Does not copy the source database's users, logins, roles and permissions
    after the import (the wizard's "Copy database users, permissions, logins
    and roles" cleared). By default they are copied once the import has
    succeeded, as Copy-ARDatabasePrincipals does (SQL Server source and
    destination only); the result's Principals (Copied, Reason) says what was
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
    System.String, System.IO.FileInfo, ActiveRolesUpgrade.DatabaseInfo.
    Instances, connection strings, bundle paths, files from Get-ChildItem,
    or objects from Get-ARDatabaseInfo, as -Source.

    .OUTPUTS
    ActiveRolesUpgrade.ConfigurationImportResult, with the properties:
    Action (WouldImport with -WhatIf: the same object describes the plan and
    nothing is written; otherwise Imported), Source and Destination
    (ActiveRolesUpgrade.DatabaseRef: Name, Version, Role, State,
    InstallationId), WhatIf, Initialized (the destination was given the 8.2
    schema), Replaced, Removed (rows deleted per table with -Replace),
    Entities (ActiveRolesUpgrade.EntityCount per entity: Entity, Source,
    Added, Skipped, DestinationBefore, DestinationAfter), AddedCount,
    SkippedCount, Report (ActiveRolesUpgrade.ReportEntry: Entity, Key,
    Reason, Detail for each object not imported as is), AddOns, AzureTenants
    (ActiveRolesUpgrade.AzureTenant: TenantId, DisplayName and the Steps to
    reauthenticate and consent each tenant), SecretsToReenter (encrypted
    values not imported and what to re-enter), ScheduledTasksNotAssociated,
    ServicesAssociation (ServicesServer and the number of DynamicGroups,
    GroupFamilies and ScheduledTasks set), Principals (Copied, Reason),
    Checks (the preflight checks, ActiveRolesUpgrade.PrerequisiteCheck),
    ImportRunId, EncryptionKeyId ([guid]), Verification (Passed and each
    invariant checked before commit), Elapsed ([timespan]) and LogPath.

    .EXAMPLE
    PS> Import-ARConfiguration -Source sql01.corp.example.com -SourceDatabase ARConfig76 `
    >>     -Destination sql02.corp.example.com -DestinationDatabase ARConfig82 `
    >>     -KeyBackupPath D:\Upgrade\ar76.key -KeyBackupPassword (Read-Host -AsSecureString 'Key backup password')

    Imports the 7.6 configuration, including encrypted data, into an
    existing blank 8.2 database, with Windows authentication on both
    servers; services association goes to this computer.

    .EXAMPLE
    PS> Import-ARConfiguration -Source .\ar76.arbundle -Destination sql02 -DestinationDatabase ARConfig82 -SkipEncryptedData -WhatIf |
    >>     Select-Object -ExpandProperty Entities

    Shows, per entity, what an import from a bundle would add and skip,
    without writing anything.

    .EXAMPLE
    PS> $sql = Get-Credential arimport
    PS> Import-ARConfiguration -Source contoso.database.windows.net -SourceDatabase ARConfig81 -SourceDatabaseType AzureSQL -SourceAuthentication AzureADDefault `
    >>     -Destination contoso.database.windows.net -DestinationDatabase ARConfig82 -DestinationDatabaseType AzureSQL -DestinationCredential $sql `
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
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('ActiveRolesUpgrade.ConfigurationImportResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [ValidateNotNullOrEmpty()][string]$KeyBackupPath,
        [System.Security.SecureString]$KeyBackupPassword,
        [Parameter(Mandatory, Position = 1)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$CreateDestination,
        [switch]$SkipEncryptedData,
        [ValidateNotNullOrEmpty()][string]$ServicesServer,
        [switch]$SkipPrincipals,
        [switch]$Replace,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        # ConfirmImpact is High for -Replace; a plain import asks only when $ConfirmPreference is Medium or lower.
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        } elseif (-not $Replace -and $ConfirmPreference -eq 'High') {
            $ConfirmPreference = 'None'
        }
        $sourceEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination' -Create:$CreateDestination
        $params = [ordered]@{ source = $sourceEndpoint; destination = $destinationEndpoint }
        if ($KeyBackupPath) { $params.keyBackupPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $KeyBackupPath }
        if ($KeyBackupPassword) { $params.keyBackupPassword = $KeyBackupPassword }
        $params.skipEncryptedData = [bool]$SkipEncryptedData
        # Left out, the engine defaults it to this computer's FQDN.
        if ($ServicesServer) { $params.servicesServer = $ServicesServer }
        $params.skipPrincipals = [bool]$SkipPrincipals
        $params.replace = [bool]$Replace
        $params.whatIf = $false

        $sourceName = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
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
