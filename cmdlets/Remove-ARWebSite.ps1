function Remove-ARWebSite {
    <#
    .SYNOPSIS
    Removes an Active Roles 8.2 Web Interface site: its Active binding and,
    optionally, its site configuration object.

    .DESCRIPTION
    Remove-ARWebSite does to the configuration database what the
    Configuration Center's Manage Sites > Delete does (the upgrade guide's
    "Deleting default Web Interface sites"): it removes the Active binding
    of a site - the record that an 8.2 IIS application (website and alias)
    serves it - and, with -IncludeConfiguration, the site configuration
    object itself: its row, every saved revision and every binding, Legacy
    ones included. Everything is removed in one transaction, or nothing.

    After New-ARWebSite made 8.2 sites from the configuration objects of
    your earlier sites, remove the three default 8.2 sites ("Site for
    Administrators (8.2)", "Site for HelpDesk (8.2)" and "Site for
    Self-Administration (8.2)", shown with IsDefault by Get-ARWebSite) if
    you do not need them. Any other site needs -Force, so that a site
    carrying customisations is not removed by mistake. A configuration
    object that another site was made from, or that an Active binding left
    in place still serves, is never removed (AR-E020). With
    -RemoveWebApplication, run on the web server, the IIS web application of
    each removed Active binding is removed too; otherwise remove it in IIS
    Manager or the Configuration Center.

    The command asks for confirmation (ConfirmImpact High) unless -Force or
    -Confirm:$false is given; -WhatIf asks the engine what would be removed
    and writes nothing.

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

    .PARAMETER Name
    The name (case-insensitive) or GUID of the site configuration object, as
    Get-ARWebSite lists it (the Configuration column of the Configuration
    Center's Sites page), for example "Site for HelpDesk (8.2)". Objects
    from Get-ARWebSite and New-ARWebSite bind by their name.

    .PARAMETER IisSiteName
    Removes only the site's Active binding on this IIS website (compared
    without regard to case). By default every Active binding of the site is
    removed.

    .PARAMETER ApplicationAlias
    Removes only the site's Active binding with this application alias
    (compared without regard to case; leading and trailing slashes are
    ignored). By default every Active binding of the site is removed.

    .PARAMETER IncludeConfiguration
    Also removes the site configuration object: its row, every revision of
    its document and every binding, Legacy ones included. It is refused
    (AR-E020) when another site was made from this configuration or when an
    Active binding not being removed still serves it. Export the
    configuration first with Export-ARWebSiteConfiguration to keep a copy.

    .PARAMETER RemoveWebApplication
    On the web server (Windows with IIS's WebAdministration or
    IISAdministration module), also removes the IIS web application of each
    Active binding removed, after the database change succeeded. Elsewhere
    a warning names the applications to remove on the web server.

    .PARAMETER Force
    Allows removing a site other than the three default 8.2 sites, and runs
    without asking for confirmation (for runbooks and scheduled tasks).

    .PARAMETER LogPath
    The engine's log file (JSON lines; appended to). Relative paths are
    relative to the current PowerShell location; "-" writes no log file. By
    default the engine appends to arupgrade-<yyyyMMdd>.log under
    %LOCALAPPDATA%\ActiveRolesUpgrade\Logs on Windows, or
    ~/.local/state/activerolesupgrade/logs elsewhere. The log never contains
    passwords; failures name it in their message.

    .INPUTS
    ActiveRolesUpgrade.WebSite, ActiveRolesUpgrade.WebSiteResult. Sites from
    Get-ARWebSite or New-ARWebSite, bound by their name (and, for
    New-ARWebSite results, their iisSiteName and applicationAlias).

    .OUTPUTS
    ActiveRolesUpgrade.WebSiteRemoval, with the properties: Action
    (WouldRemove with -WhatIf, a plan that removed nothing; otherwise
    Removed), Name, SiteGuid ([guid]), IsDefault, RemovedBindings
    (ActiveRolesUpgrade.WebSiteBinding: IisSiteName, ApplicationAlias and
    State of each binding removed), ConfigurationRemoved, RevisionsRemoved,
    WhatIf and Removed.

    .EXAMPLE
    PS> Get-ARWebSite -Source .\ar82.arbundle | Where-Object isDefault |
    >>     Remove-ARWebSite -Destination .\ar82.arbundle -IncludeConfiguration -Confirm:$false

    Removes the three default 8.2 sites and their configuration objects.

    .EXAMPLE
    PS> Remove-ARWebSite 'Site for HelpDesk (8.2)' -Destination sql02.corp.example.com -DestinationDatabase ARConfig82 -RemoveWebApplication

    On the web server: removes the default HelpDesk site's Active binding
    and its IIS web application; the configuration object is kept. Asks
    first.

    .EXAMPLE
    PS> Remove-ARWebSite 'Contoso Portal' -Destination .\ar82.arbundle -IncludeConfiguration -Force -WhatIf

    Shows what removing a site that is not a default would remove, without
    writing anything.

    .LINK
    Get-ARWebSite

    .LINK
    New-ARWebSite

    .LINK
    Export-ARWebSiteConfiguration
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('ActiveRolesUpgrade.WebSiteRemoval')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)][Alias('SiteGuid')][ValidateNotNullOrEmpty()][string]$Name,
        [Parameter(ValueFromPipelineByPropertyName)][ValidateNotNullOrEmpty()][string]$IisSiteName,
        [Parameter(ValueFromPipelineByPropertyName)][ValidateNotNullOrEmpty()][string]$ApplicationAlias,
        [Parameter(Mandatory)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$IncludeConfiguration,
        [switch]$RemoveWebApplication,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $params = [ordered]@{
            destination = $destinationEndpoint; site = $Name; iisSiteName = [string]$IisSiteName; applicationAlias = [string]$ApplicationAlias
            includeConfiguration = [bool]$IncludeConfiguration; force = [bool]$Force; whatIf = $false
        }
        $binding = if ($IisSiteName -or $ApplicationAlias) { " ($(if ($IisSiteName) { $IisSiteName } else { '*' })/$(if ($ApplicationAlias) { $ApplicationAlias } else { '*' }))" } else { '' }
        $action = if ($IncludeConfiguration) { "Remove the Web Interface site$binding and its configuration object" } else { "Remove the Active binding$binding of the Web Interface site" }
        if ($RemoveWebApplication) { $action += ', and its IIS web application' }
        $target = "'$Name' in $(Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint)"
        if ($PSCmdlet.ShouldProcess($target, $action)) {
            $result = Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'remove-website' -Params $params -LogPath $LogPath `
                -Activity 'Removing a Web Interface site' -TargetObject $Name
            $result
            $apps = @(if ($RemoveWebApplication -and $result.removed) { $result.removedBindings | Where-Object { [string]$_.state -eq 'Active' } })
            if ($apps.Count) {
                $provider = Get-ARIisProvider
                if (-not $provider) {
                    Microsoft.PowerShell.Utility\Write-Warning ("IIS is not available on this computer: on the web server, remove the IIS web application(s) " +
                        (($apps | ForEach-Object { "'$($_.applicationAlias)' under '$($_.iisSiteName)'" }) -join ', ') + ' (IIS Manager, or the Configuration Center).')
                }
                foreach ($b in $(if ($provider) { $apps })) {
                    $site, $alias = [string]$b.iisSiteName, [string]$b.applicationAlias
                    try {
                        if (Get-ARIisApplication -Provider $provider -Site $site -Alias $alias) {
                            Remove-ARIisApplication -Provider $provider -Site $site -Alias $alias
                            Microsoft.PowerShell.Utility\Write-Verbose "Removed the IIS web application $site/$alias."
                        } else {
                            Microsoft.PowerShell.Utility\Write-Warning "IIS on this computer has no web application '$alias' under '$site': nothing to remove there."
                        }
                    } catch {
                        $PSCmdlet.WriteError((New-ARErrorRecord -ErrorId 'AR-IISAPP' -Category WriteError -TargetObject "$site/$alias" `
                                    -Exception ([System.InvalidOperationException]::new("The site was removed from the configuration database, but IIS did not remove the web application '$alias' under '$site': $($_.Exception.Message)", $_.Exception)) `
                                    -RecommendedAction 'Remove it in IIS Manager.'))
                    }
                }
            }
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'remove-website' -Params $params -LogPath $LogPath `
                -Activity 'Planning the removal of a Web Interface site' -TargetObject $Name
        }
    }
}
