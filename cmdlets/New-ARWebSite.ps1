function New-ARWebSite {
    <#
    .SYNOPSIS
    Creates an Active Roles 8.2 Web Interface site configuration from the
    configuration object of an earlier site.

    .DESCRIPTION
    New-ARWebSite does what the Configuration Center's "Create a Web
    Interface site based on an old configuration object" does to the
    configuration database: it creates an 8.2 site configuration object from
    one of the 8.2 site templates (Administrators, HelpDesk or
    SelfAdministration), imports into it the configuration - menus,
    commands, forms and other customisations - of the site configuration
    object that an earlier Web Interface site used, and records the site's
    IIS website and application alias. The earlier object, copied to the 8.2
    configuration database by Import-ARConfiguration with its name kept, is
    not changed. Everything is written in one transaction.

    Find each earlier site's configuration object with Get-ARWebSite (or in
    the Web Interface Sites Configuration wizard of the earlier version:
    Configuration settings > Use existing configuration > Name). Run the
    command once per earlier site, or pipe the objects of Get-ARWebSite
    into it: one new site is created per object. An invalid application
    alias is refused (AR-ALIAS) and a name or application already in use
    (AR-E018); nothing is written then.

    With -CreateWebApplication, run on the web server, it also creates the
    IIS web application at the alias; otherwise create it on the web server
    (IIS Manager, or the Configuration Center's Web Interface > Manage
    Sites). Afterwards you can remove the default 8.2 sites (Site for
    Administrators (8.2), Site for HelpDesk (8.2), Site for
    Self-Administration (8.2)) with Remove-ARWebSite if you do not need
    them. -WhatIf shows the site that would be created and writes nothing,
    in the database or in IIS.

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

    .PARAMETER SourceSite
    The name (case-insensitive) or GUID of the site configuration object
    that the earlier Web Interface site used, including its version number,
    for example "Site for Administrators (7.6)" (the wizard's "Configuration
    to import"). Objects piped from Get-ARWebSite bind here by their
    siteGuid: one new site is created for each.

    .PARAMETER Template
    The 8.2 site template of the new site: Administrators, HelpDesk or
    SelfAdministration. Choose the one the earlier site was made from. Piped
    from Get-ARWebSite, the earlier site's template is used unless you give
    one; a Custom site needs -Template.

    .PARAMETER ApplicationAlias
    The alias of the web application that will serve the site: the virtual
    path in its address (https://<server>/<alias>). It must be one path
    segment, as IIS requires: none of / \ ? # % * : < > | ", not "." or
    "..", no leading or trailing space, at most 255 characters (spaces
    inside are allowed; leading and trailing slashes are dropped). It must
    not already serve an 8.2 site on -IisSiteName; aliases are compared
    without regard to case. With pipeline input, give a script block that
    makes one alias per site, such as { "ARWeb$($_.template)" }.

    .PARAMETER IisSiteName
    The IIS website that contains the web application. The default is
    "Default Web Site". Accepts a script block per piped site, like
    -ApplicationAlias.

    .PARAMETER Name
    The name of the new site configuration object (the wizard's
    Configuration name). By default the engine chooses the template's
    default name with the 8.2 version number, made unique (for example "Site
    for Administrators (8.2)"). It must not exist yet.

    .PARAMETER CreateWebApplication
    Also creates the IIS web application that serves the site: the alias
    under -IisSiteName on this computer's IIS, pointing at the installed
    Active Roles 8.2 Web Interface folder (-PhysicalPath, else the folder of
    an IIS application that already serves an 8.2 site of this database,
    such as a default site, in that application's pool). Uses the
    WebAdministration module, or IISAdministration when only that is
    installed. IIS is checked before anything is written: a missing website
    or an alias IIS already uses stops the command. Run it on the web
    server. Elsewhere (not Windows, or without IIS's modules) only the
    configuration is created and a warning says what to create on the web
    server.

    .PARAMETER PhysicalPath
    The folder of the installed Active Roles 8.2 Web Interface, for
    -CreateWebApplication, when it cannot be found from the existing IIS
    applications of 8.2 sites.

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
    ActiveRolesUpgrade.WebSite. Site configuration objects from
    Get-ARWebSite: each one's siteGuid binds to -SourceSite and its template
    to -Template.

    .OUTPUTS
    ActiveRolesUpgrade.WebSiteResult, with the properties: Action
    (WouldCreate with -WhatIf, a plan that wrote nothing; otherwise
    Created), SiteGuid ([guid]), Name (the new configuration object),
    Template, ProductVersion (8.2), SourceSite and SourceSiteGuid (the
    earlier configuration object), UpgradedFrom (its [version]), IisSiteName,
    ApplicationAlias, WhatIf and Created.

    .EXAMPLE
    PS> New-ARWebSite 'Site for Administrators (7.6)' -Template Administrators -ApplicationAlias ARWebAdmin `
    >>     -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    Creates an 8.2 site configuration for administrators with the
    customisations of the 7.6 site, served by Default Web Site/ARWebAdmin.

    .EXAMPLE
    PS> @{ 'Site for HelpDesk (7.6)' = 'HelpDesk'; 'Site for Self-Administration (7.6)' = 'SelfAdministration' }.GetEnumerator() | ForEach-Object {
    >>     New-ARWebSite $_.Key -Template $_.Value -ApplicationAlias "ARWeb$($_.Value)" -Destination .\ar82.arbundle -WhatIf }

    Shows the site configurations that would be created for two earlier
    sites, without writing anything.

    .EXAMPLE
    PS> Get-ARWebSite '*(7.6)' -Source .\ar82.arbundle |
    >>     New-ARWebSite -ApplicationAlias { "ARWeb$($_.template)" } -Destination .\ar82.arbundle -Confirm:$false

    Creates one 8.2 site from each configuration object imported from 7.6,
    each with the template of its earlier site and its own alias
    (ARWebAdministrators, ARWebHelpDesk, ARWebSelfAdministration).

    .EXAMPLE
    PS> New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelpDesk76 -CreateWebApplication `
    >>     -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    On the 8.2 web server: creates the site configuration and the IIS
    application Default Web Site/ARWebHelpDesk76, in the Web Interface
    folder and application pool of the default sites.

    .LINK
    Get-ARWebSite

    .LINK
    Remove-ARWebSite

    .LINK
    Import-ARConfiguration

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ActiveRolesUpgrade.WebSiteResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)][Alias('SiteGuid')][ValidateNotNullOrEmpty()][string]$SourceSite,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)][ValidateSet('Administrators', 'HelpDesk', 'SelfAdministration')][string]$Template,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)][ValidateNotNullOrEmpty()][string]$ApplicationAlias,
        [Parameter(ValueFromPipelineByPropertyName)][ValidateNotNullOrEmpty()][string]$IisSiteName = 'Default Web Site',
        [ValidateNotNullOrEmpty()][string]$Name,
        [Parameter(Mandatory)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$CreateWebApplication,
        [ValidateNotNullOrEmpty()][string]$PhysicalPath,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $params = [ordered]@{
            destination = $destinationEndpoint; sourceSite = $SourceSite; template = $Template
            iisSiteName = $IisSiteName; applicationAlias = $ApplicationAlias
        }
        if ($Name) { $params.name = $Name }
        $params.whatIf = $false
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
        # IIS is checked before anything is written; $null: not available here (warned).
        $iis = $null
        if ($CreateWebApplication) {
            $iis = Resolve-ARWebApplicationPlan -Cmdlet $PSCmdlet -Destination $destinationEndpoint -Site $IisSiteName -Alias $ApplicationAlias.Trim('/') `
                -PhysicalPath $(if ($PhysicalPath) { Resolve-ARPath -Cmdlet $PSCmdlet -Path $PhysicalPath }) -LogPath $LogPath
        }
        $action = "Create a Web Interface site configuration from '$SourceSite' ($Template, $IisSiteName/$ApplicationAlias)"
        if ($iis) { $action += " and the IIS web application, at '$($iis.PhysicalPath)'" }
        if ($PSCmdlet.ShouldProcess($target, $action)) {
            $result = Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'new-website' -Params $params -LogPath $LogPath `
                -Activity 'Creating a Web Interface site' -TargetObject $SourceSite
            $result
            if ($iis -and $result.created) {
                $alias = [string]$result.applicationAlias
                try {
                    New-ARIisApplication -Provider $iis.Provider -Site ([string]$result.iisSiteName) -Alias $alias -PhysicalPath $iis.PhysicalPath -ApplicationPool $iis.ApplicationPool
                    Microsoft.PowerShell.Utility\Write-Verbose "Created the IIS web application $($result.iisSiteName)/$alias at $($iis.PhysicalPath)."
                } catch {
                    $PSCmdlet.WriteError((New-ARErrorRecord -ErrorId 'AR-IISAPP' -Category WriteError -TargetObject "$($result.iisSiteName)/$alias" `
                                -Exception ([System.InvalidOperationException]::new("The site configuration '$($result.name)' was created, but IIS did not create the web application '$alias' under '$($result.iisSiteName)': $($_.Exception.Message)", $_.Exception)) `
                                -RecommendedAction "Create it in IIS Manager (physical path $($iis.PhysicalPath)), or remove the site with Remove-ARWebSite '$($result.name)' -IncludeConfiguration -Force."))
                }
            }
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'new-website' -Params $params -LogPath $LogPath `
                -Activity 'Planning a Web Interface site' -TargetObject $SourceSite
        }
    }
}
