function Get-ARWebSite {
    <#
    .SYNOPSIS
    Lists the Web Interface site configuration objects of an Active Roles
    8.2 configuration database or bundle.

    .DESCRIPTION
    Get-ARWebSite does the upgrade guide's "Identifying configuration
    objects" without the Configuration Center or the earlier version's Web
    Interface Sites Configuration wizard: it lists every Web Interface site
    configuration object of an Active Roles 8.2 configuration database -
    the ones Import-ARConfiguration copied from the earlier version, whose
    names keep their version number (for example "Site for Administrators
    (7.6)"), the three default 8.2 sites the Web Interface setup created,
    and the sites made with New-ARWebSite - with its template, product
    version, revisions and IIS bindings (website and application alias,
    Active when an 8.2 web application serves it, Legacy when recorded from
    an earlier version).

    IsDefault marks the three default 8.2 sites ("Site for Administrators
    (8.2)", "Site for HelpDesk (8.2)", "Site for Self-Administration
    (8.2)"), which Remove-ARWebSite removes without -Force. A site that
    New-ARWebSite made from an earlier configuration is never a default,
    even when it was given a default name: it carries that configuration's
    customisations.

    Pipe the earlier sites into New-ARWebSite to create one 8.2 site per
    earlier site. -Name takes PowerShell wildcards; the engine matches them
    (the same matcher serves arupgrade list-websites --name, so both select
    the same sites). Get-ARWebSite only reads: it takes no lock and can run
    while another command writes to the database.

    .PARAMETER Name
    Only the site configuration objects whose name (or GUID) matches one of
    these patterns, compared without regard to case. Wildcards are
    PowerShell's: * (any characters), ? (one character), [abc] and [a-z]
    (one of a set); a backtick makes the next character literal, so
    'Site for Administrators `(7.6`)' and 'Site for Administrators (7.6)'
    are the same name. A name without wildcards that matches no site is an
    error (AR-NOTFOUND); the sites the other names matched are still
    written first. By default every site is listed.

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
    or objects from Get-ARDatabaseInfo, as -Source (the sites of each are listed).

    .OUTPUTS
    ActiveRolesUpgrade.WebSite. One object per site configuration object, in
    name order, with the properties: Name, SiteGuid ([guid]), Template
    (Administrators, HelpDesk, SelfAdministration or Custom), ProductVersion
    (the [version] that created it, e.g. 7.6 or 8.2), IsDefault,
    CurrentRevision, Revisions (how many are kept), Bindings
    (ActiveRolesUpgrade.WebSiteBinding: IisSiteName, ApplicationAlias and
    State - Active or Legacy - of each), SourceSiteName and SourceSiteGuid
    (the configuration it was made from, if any), CreatedUtc and ModifiedUtc
    ([datetime], UTC).

    .EXAMPLE
    PS> Get-ARWebSite -Source .\ar82.arbundle

    Lists every site configuration object of an upgraded configuration
    bundle, with its bindings.

    .EXAMPLE
    PS> Get-ARWebSite '*(7.6)' -Source sql02.corp.example.com -Database ARConfig82 |
    >>     New-ARWebSite -ApplicationAlias { "$($_.Template)76" } -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    Creates one 8.2 site from each configuration object imported from 7.6,
    with the template of the earlier site and an alias made from it.

    .EXAMPLE
    PS> Get-ARWebSite -Source .\ar82.arbundle | Where-Object IsDefault | Remove-ARWebSite -Destination .\ar82.arbundle -IncludeConfiguration

    Removes the three default 8.2 sites and their configuration objects,
    asking before each.

    .LINK
    New-ARWebSite

    .LINK
    Remove-ARWebSite

    .LINK
    Export-ARWebSiteConfiguration
    #>
    [CmdletBinding()]
    [OutputType('ActiveRolesUpgrade.WebSite')]
    param(
        [Parameter(Position = 0)][SupportsWildcards()][ValidateNotNullOrEmpty()][string[]]$Name,
        [Parameter(Mandatory, ValueFromPipeline)][Alias('Path', 'FullName', 'Server', 'SqlInstance', 'ServerInstance', 'ConnectionString')][object[]]$Source, [string]$Database,
        [Alias('SqlCredential')][System.Management.Automation.Credential()][pscredential]$Credential, [string]$Authentication, [string]$DatabaseType, [switch]$TrustServerCertificate,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        # Not $database: that is the -Database parameter.
        foreach ($item in $Source) {
            $endpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Value $item
            $params = [ordered]@{ source = $endpoint; names = @(if ($Name) { $Name }) }
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'list-websites' -Params $params -LogPath $LogPath `
                -Activity 'Listing Web Interface sites' -TargetObject (Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $endpoint)
        }
    }
}
