function Invoke-ARUpgrade {
    <#
    .SYNOPSIS
    Upgrades Active Roles databases to 8.2 in one resumable, reviewable run:
    configuration, services association, Management History, database
    principals, Web Interface sites and, optionally, the Collector's events.

    .DESCRIPTION
    Invoke-ARUpgrade does what the Configuration Center's "Upgrade
    configuration" wizard does during an in-place upgrade, and what the
    guide asks for afterwards, as one command:

    1. ImportConfiguration: creates the new 8.2 configuration database and
       imports the configuration (all-or-nothing).
    2. AssociateServices: dynamic groups, group families and scheduled
       tasks run on -ServicesServer.
    3. ImportHistory: creates the new Management History database (also for
       a 7.x Combined database) and imports change history, approval tasks
       and temporal memberships, exactly once.
    4. CopyPrincipals: database users, logins, roles and permissions
       (SQL Server to SQL Server; skipped for bundles or -SkipPrincipals).
    5. CreateWebSites: one 8.2 Web Interface site per -WebSites entry, or
       per earlier-version site with -AllWebSites.
    6. ImportCollector (only with -CollectorSource): creates the new 8.2
       Collector database (ActiveRoles820_Collector by default, or
       -CollectorDatabase) beside the others and imports the earlier
       Collector database's events into it, exactly once, as
       Import-ARCollectorEvents does (the guide's "Upgrading the Collector
       and Report Pack"). Its checks are part of the plan; a Collector
       database given as -Source or the history source, or another database
       given as -CollectorSource, fails the plan with AR-E003.

    Before anything is written the command makes a plan: the new database
    names (ActiveRoles820 and ActiveRoles820_MH by default, or the first
    free ActiveRoles820_N / ActiveRoles820_N_MH), the steps in order, every
    preflight check of every step (one failing check fails the plan and all
    are listed), the Azure tenants to reauthenticate, the secrets to
    re-enter and a fingerprint of the sources (installation id, version,
    row counts). The plan is a JSON file without secrets. -WhatIf only
    writes it; Invoke-ARUpgrade -PlanPath <file> later runs exactly that
    plan and refuses if the sources changed since.

    The run records its progress in a state file beside the plan
    (<plan>.state.json). After a failure, Ctrl+C or a killed process, the
    same command continues with the first unfinished step; a finished
    upgrade run again does nothing and says so. Each step's result object
    (ConfigurationImportResult, ServicesAssociationResult,
    HistoryImportResult, WebSiteResult, CollectorImportResult) is written
    as the step finishes;
    the last object is an UpgradeSummary with the follow-ups the guide
    requires.

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

    .PARAMETER SourceHistoryPath
    The earlier version's Management History database as a bundle, when the
    source is split into configuration and history databases.

    .PARAMETER SourceHistoryDatabase
    The earlier version's Management History database on the -Source
    instance (same credential), when the source is split.

    .PARAMETER Destination
    The SQL Server that gets the new 8.2 databases: an instance
    (sql01.corp.example.com, sql01\INST, sql01.corp.example.com,1433, or the
    Azure SQL logical server contoso.database.windows.net) or a connection
    string (its database, if any, is replaced by the new databases' names);
    or a folder (an existing folder, or a DirectoryInfo) for the new
    databases as bundles. The old names -DestinationServer and
    -DestinationConnectionString still work.

    .PARAMETER DestinationPath
    A folder for the new 8.2 databases as bundles (created if missing),
    instead of -Destination. Relative paths are relative to the current
    PowerShell location.

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

    .PARAMETER ConfigurationDatabaseName
    The new configuration database's name instead of the default
    (ActiveRoles820). It must not exist.

    .PARAMETER HistoryDatabaseName
    The new Management History database's name instead of the default
    (ActiveRoles820_MH). It must not exist.

    .PARAMETER KeyBackupPath
    The key backup file of the source's encryption key, to carry encrypted
    values (passwords of managed domains, tenant secrets) over.

    .PARAMETER KeyBackupPassword
    The key backup's password. Never written to the plan: give it again
    when running a plan.

    .PARAMETER SkipEncryptedData
    Imports no encrypted value; the summary lists every secret to re-enter.

    .PARAMETER ServicesServer
    The FQDN of the 8.2 Administration Service that runs dynamic groups,
    group families and scheduled tasks. Default: this computer's FQDN.

    .PARAMETER SkipPrincipals
    Does not copy database users, logins, roles and permissions.

    .PARAMETER From
    With -To: import only the history of these days (UTC dates).

    .PARAMETER To
    With -From: the last day of history to import.

    .PARAMETER WebSites
    Web Interface sites to create: a hashtable of earlier-version site name
    (or GUID) to the new site's application alias, e.g.
    @{ 'Site for Administrators (7.6)' = 'ARWebAdmin' }.

    .PARAMETER AllWebSites
    Creates an 8.2 site from every earlier-version site, with its earlier
    IIS website and application alias. Sites with a custom template are
    listed as follow-ups instead.

    .PARAMETER IisSiteName
    The IIS website of the sites -WebSites creates (default "Default Web
    Site").

    .PARAMETER CollectorSource
    The earlier Collector database (the Report Pack's) whose events the
    upgrade imports as its last step: a SQL Server instance (sql01,
    sql01\INST, sql01,1433) with -CollectorSourceDatabase, a connection
    string without a password, a bundle path or FileInfo, or an object from
    Get-ARDatabaseInfo. Leave it out and the upgrade does not touch the
    Collector.

    .PARAMETER CollectorSourceDatabase
    The earlier Collector database on the instance -CollectorSource names.

    .PARAMETER CollectorSourceCredential
    The SQL login (or Azure AD account) for -CollectorSource. Leave it out
    for Windows authentication. Never written to the plan.

    .PARAMETER CollectorSourceAuthentication
    How to authenticate to -CollectorSource (as -SourceAuthentication).

    .PARAMETER CollectorDatabase
    The new 8.2 Collector database's name on the destination (a bundle of
    that name in -DestinationPath) instead of the default
    (ActiveRoles820_Collector). It must not exist.

    .PARAMETER PlanPath
    The plan file: written by -WhatIf, run when given alone. Default:
    arupgrade-upgrade-plan.json in the destination folder (bundles) or in
    the current folder (SQL Server).

    .PARAMETER LogPath
    The engine's log file (JSON lines); "-" for none.

    .INPUTS
    None.

    .OUTPUTS
    With -WhatIf: ActiveRolesUpgrade.PrerequisiteCheck (one per check) and
    one ActiveRolesUpgrade.UpgradePlan (PlanPath, CreatedUtc, Source,
    Destination, Databases, Steps, Checks, Fingerprints, AzureTenants,
    SecretsToReenter, CredentialsToReenter). Otherwise the steps' result
    objects as they finish, then one ActiveRolesUpgrade.UpgradeSummary:
    Outcome (Succeeded or AlreadyComplete), Message, PlanPath, StatePath,
    Source, ConfigurationDatabase, HistoryDatabase, CollectorSource and
    CollectorDatabase (with -CollectorSource), Steps
    (ActiveRolesUpgrade.UpgradeStepResult: Name, Status, Attempts,
    StartedUtc, FinishedUtc, Elapsed, Counts, Detail, Warnings), Elapsed
    ([timespan]), Warnings (Code, Message) and FollowUps (Action,
    GuideSection, Items).

    .EXAMPLE
    PS> Invoke-ARUpgrade -Source ./ar76.arbundle -DestinationPath ./out -KeyBackupPath ./ar76.key `
    >>     -KeyBackupPassword (Read-Host -AsSecureString) -ServicesServer ars82.corp.example.com -AllWebSites

    Upgrades a 7.6 Combined database bundle into two new 8.2 bundles in ./out.

    .EXAMPLE
    PS> Invoke-ARUpgrade -Source sql-old.corp.example.com -SourceDatabase ARConfig81 -SourceHistoryDatabase ARHistory81 `
    >>     -Destination sql-new.corp.example.com -SkipEncryptedData -PlanPath .\upgrade.json -WhatIf
    PS> Invoke-ARUpgrade -PlanPath .\upgrade.json

    Writes the plan for review, then runs exactly that plan.

    .EXAMPLE
    PS> Invoke-ARUpgrade -Source ./ar76.arbundle -DestinationPath ./out -SkipEncryptedData `
    >>     -WebSites @{ 'Site for Administrators (7.6)' = 'ARWebAdmin' } | Select-Object -Last 1 |
    >>     Select-Object -ExpandProperty FollowUps

    Runs (or, after an interruption, continues) the upgrade and shows what
    is left to do.

    .EXAMPLE
    PS> Invoke-ARUpgrade -Source ./ar76.arbundle -DestinationPath ./out -SkipEncryptedData `
    >>     -CollectorSource ./collector76.arbundle -WhatIf
    PS> Invoke-ARUpgrade -Source ./ar76.arbundle -DestinationPath ./out -SkipEncryptedData `
    >>     -CollectorSource ./collector76.arbundle

    Plans the upgrade with the Collector's events as its last step (the plan
    lists ActiveRoles820_Collector among the new databases), then runs it:
    ./out gets ActiveRoles820_Collector.arbundle beside the two others.

    .EXAMPLE
    PS> Invoke-ARUpgrade -Source sql-old.corp.example.com -SourceDatabase ARConfig81 -SourceHistoryDatabase ARHistory81 `
    >>     -Destination sql-new.corp.example.com -SkipEncryptedData `
    >>     -CollectorSource sql-rp.corp.example.com -CollectorSourceDatabase ARCollector81 -CollectorSourceCredential (Get-Credential rpreader)

    Upgrades an 8.1 installation on SQL Server and imports the events of its
    Collector database (on another SQL Server, read with a SQL login) into
    a new ActiveRoles820_Collector database on sql-new.

    .LINK
    Import-ARCollectorEvents

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ActiveRolesUpgrade.UpgradeSummary', 'ActiveRolesUpgrade.UpgradePlan')]
    param(
        [Parameter(Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [ValidateNotNullOrEmpty()][string]$SourceHistoryPath,
        [ValidateNotNullOrEmpty()][string]$SourceHistoryDatabase,
        [Parameter(Position = 1)][Alias('DestinationServer', 'DestinationConnectionString')][object]$Destination, [ValidateNotNullOrEmpty()][string]$DestinationPath,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [ValidateNotNullOrEmpty()][string]$ConfigurationDatabaseName,
        [ValidateNotNullOrEmpty()][string]$HistoryDatabaseName,
        [ValidateNotNullOrEmpty()][string]$KeyBackupPath,
        [System.Security.SecureString]$KeyBackupPassword,
        [switch]$SkipEncryptedData,
        [ValidateNotNullOrEmpty()][string]$ServicesServer,
        [switch]$SkipPrincipals,
        [datetime]$From,
        [datetime]$To,
        [hashtable]$WebSites,
        [switch]$AllWebSites,
        [ValidateNotNullOrEmpty()][string]$IisSiteName,
        [ValidateNotNull()][object]$CollectorSource,
        [ValidateNotNullOrEmpty()][string]$CollectorSourceDatabase,
        [System.Management.Automation.Credential()][System.Management.Automation.PSCredential]$CollectorSourceCredential,
        [ValidateNotNullOrEmpty()][string]$CollectorSourceAuthentication,
        [ValidateNotNullOrEmpty()][Alias('CollectorDatabaseName')][string]$CollectorDatabase,
        [ValidateNotNullOrEmpty()][string]$PlanPath,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        $params = [ordered]@{ whatIf = [bool]$WhatIfPreference }
        if ($PlanPath) { $params.planPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $PlanPath }
        if ($KeyBackupPassword) { $params.keyBackupPassword = $KeyBackupPassword }
        $target = if ($PlanPath) { $params.planPath } else { 'the upgrade' }
        # -PlanPath alone runs the plan.
        $planOnly = -not $PSBoundParameters.ContainsKey('Source') -and $PlanPath
        if (-not $planOnly) {
            if (-not $PSBoundParameters.ContainsKey('Source')) {
                $PSCmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ENDPOINT' -Category InvalidArgument -TargetObject 'Source' `
                            -Exception ([System.ArgumentException]::new('No source was named.')) `
                            -RecommendedAction 'Name the source with -Source: a *.arbundle path, a SQL Server instance with -SourceDatabase, or a connection string; or run a plan with -PlanPath alone.'))
            }
            $params.source = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
            if ($SourceHistoryPath) {
                $params.sourceHistory = [ordered]@{ path = Resolve-ARPath -Cmdlet $PSCmdlet -Path $SourceHistoryPath }
            } elseif ($SourceHistoryDatabase) {
                $h = [ordered]@{}
                foreach ($k in $params.source.Keys) { $h[$k] = $params.source[$k] }
                $h.database = $SourceHistoryDatabase
                $params.sourceHistory = $h
            }
            # The destination is a folder of bundles or a SQL Server; a folder is no database location, so it goes as a path.
            $folder = if ($DestinationPath) { $DestinationPath } elseif ($Destination -is [System.IO.DirectoryInfo]) { $Destination.FullName } `
                elseif ($Destination -is [string] -and (Test-Path -LiteralPath $Destination -PathType Container)) { $Destination }
            if ($folder) {
                $params.destination = [ordered]@{ path = Resolve-ARPath -Cmdlet $PSCmdlet -Path $folder }
            } else {
                $params.destination = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
            }
            if ($KeyBackupPath) { $params.keyBackupPath = Resolve-ARPath -Cmdlet $PSCmdlet -Path $KeyBackupPath }
            $params.skipEncryptedData = [bool]$SkipEncryptedData
            if ($ServicesServer) { $params.servicesServer = $ServicesServer }   # else the engine's default: this computer's FQDN
            $params.skipPrincipals = [bool]$SkipPrincipals
            if ($ConfigurationDatabaseName) { $params.configurationDatabase = $ConfigurationDatabaseName }
            if ($HistoryDatabaseName) { $params.historyDatabase = $HistoryDatabaseName }
            if ($PSBoundParameters.ContainsKey('From')) { $params.from = ConvertTo-ARDateParameter -Date $From }
            if ($PSBoundParameters.ContainsKey('To')) { $params.to = ConvertTo-ARDateParameter -Date $To }
            $sites = [ordered]@{}
            if ($WebSites) { foreach ($k in $WebSites.Keys) { $sites[[string]$k] = [string]$WebSites[$k] } }
            $params.webSites = $sites
            $params.allWebSites = [bool]$AllWebSites
            if ($IisSiteName) { $params.iisSiteName = $IisSiteName }
            if ($PSBoundParameters.ContainsKey('CollectorSource')) {
                $params.collectorSource = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'CollectorSource'
            }
            # Without -CollectorSource the engine refuses it, naming the missing source.
            if ($CollectorDatabase) { $params.collectorDatabase = $CollectorDatabase }
            $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $params.destination
        }
        if ($PSCmdlet.ShouldProcess($target, 'Upgrade the Active Roles databases to 8.2')) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'upgrade' -Params $params -LogPath $LogPath `
                -Activity 'Upgrading to Active Roles 8.2' -TargetObject $target
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'upgrade' -Params $params -LogPath $LogPath `
                -Activity 'Planning the upgrade to Active Roles 8.2' -TargetObject $target
        }
    }
}
