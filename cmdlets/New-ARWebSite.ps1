function New-ARWebSite {
    <#
    .SYNOPSIS
    Creates an Active Roles 8.2 Web Interface site from the configuration object of an earlier site
    (not available yet).

    .DESCRIPTION
    New-ARWebSite is the Configuration Center's "Create a Web Interface site based on an old
    configuration object": it creates a site configuration object of the new version, imports the
    configuration (menus, commands, forms and other customisations) of the site configuration object
    that an earlier Web Interface site used - copied to the 8.2 configuration database by
    Import-ARConfiguration, with its name kept - and creates the IIS web application for it.

    This version of ActiveRolesUpgrade does not implement it yet: the engine answers with the error
    AR-NOTIMPL (category NotImplemented) and changes nothing. Until it does, create the sites in the
    Configuration Center (Web Interface > Manage Sites > Create > Import from an existing
    configuration). Find each old site's configuration object in the Web Interface Sites
    Configuration wizard of the earlier version (Configuration settings > Use existing configuration
    > Name). You can delete the default 8.2 sites (Site for Administrators (8.2), Site for HelpDesk
    (8.2), Site for Self-Administration (8.2)) afterwards if you do not need them.

    .PARAMETER DestinationServer
    The SQL Server instance that hosts the Active Roles 8.2 configuration database: the computer's
    fully qualified domain name for a default instance (sql01.corp.example.com), <FQDN>\<instance>
    for a named instance, or the Azure SQL logical server (contoso.database.windows.net). A port can
    follow a comma (sql01.corp.example.com,1433). Use it with -DestinationDatabase; or use
    -DestinationConnectionString or -DestinationPath instead.

    .PARAMETER DestinationDatabase
    The name of the Active Roles 8.2 configuration database on -DestinationServer, as shown by the
    Active Roles Console or the Configuration Center (for example ARConfig76).

    .PARAMETER DestinationCredential
    The login for -DestinationServer: a SQL Server login (the default authentication when a
    credential is given), an Azure AD user for AzureADPassword, or the application (client) ID and
    client secret for AzureADServicePrincipal. Leave it out for Windows authentication, which
    connects as the account running PowerShell. The password is passed to the engine only inside its
    request and is never written to any output stream or log.

    .PARAMETER DestinationAuthentication
    How to authenticate to -DestinationServer: Windows (integrated; the default without a
    credential), SqlLogin (the default with -DestinationCredential), AzureADPassword,
    AzureADServicePrincipal, AzureADManagedIdentity (the managed identity of this Azure VM or
    service; a user-assigned identity's client ID can be given as the -DestinationCredential user
    name), AzureADDefault (the Azure default credential chain: environment, managed identity, Azure
    CLI; the default for AzureSQL without a credential) or AzureADInteractive (a browser sign-in).
    SqlLogin, AzureADPassword and AzureADServicePrincipal need -DestinationCredential.

    .PARAMETER DestinationDatabaseType
    OnPremises (the default) for SQL Server, or AzureSQL for an Azure SQL database or managed
    instance, as in the Configuration Center's Database Type list.

    .PARAMETER DestinationTrustServerCertificate
    Encrypts the connection to -DestinationServer without validating the server's certificate (a
    self-signed or internal-CA certificate). The engine reports a warning check when it is used;
    prefer installing a trusted certificate.

    .PARAMETER DestinationConnectionString
    The Active Roles 8.2 configuration database as a connection string, instead of
    -DestinationServer and -DestinationDatabase: either the ADO.NET form
    (Server=sql01.corp.example.com;Database=ARConfig76;Integrated Security=true) or a sqlserver://
    URL. Prefer -DestinationServer with -DestinationCredential when a password is needed: a
    connection string is plain text.

    .PARAMETER DestinationPath
    The path of a database bundle (*.arbundle) to use as the Active Roles 8.2 configuration
    database, instead of a SQL Server database. Bundles are portable single-file copies written by
    Export-ARDatabase (or New-ARSampleDatabase); relative paths are relative to the current
    PowerShell location.

    .PARAMETER SourceSite
    The name of the site configuration object that the earlier Web Interface site used, including
    its version number (for example "Site for Administrators (7.6)"), as shown in the earlier
    version's Web Interface Sites Configuration wizard.

    .PARAMETER Name
    The name of the new site configuration object (the wizard's Configuration name). By default the
    engine derives it from -SourceSite with the 8.2 version number.

    .PARAMETER Template
    The 8.2 site template to create the site from. By default the engine chooses the template that
    matches -SourceSite (Administrators, HelpDesk or Self-Administration).

    .PARAMETER IisSiteName
    The IIS website to contain the web application of the site. The default is "Default Web Site".

    .PARAMETER ApplicationAlias
    The alias of the web application, which is the virtual path in the site's address
    (https://<server>/<alias>). By default the engine uses the alias of the earlier site.

    .PARAMETER Force
    Runs without asking for confirmation (for runbooks and scheduled tasks). The same as
    -Confirm:$false.

    .PARAMETER LogPath
    The engine's log file (JSON lines; appended to). Relative paths are relative to the current
    PowerShell location; "-" writes no log file. By default the engine appends to
    arupgrade-<yyyyMMdd>.log under %LOCALAPPDATA%\ActiveRolesUpgrade\Logs on Windows, or
    ~/.local/state/activerolesupgrade/logs elsewhere. The log never contains passwords; failures
    name it in their message.

    .INPUTS
    None. You cannot pipe objects to this command.

    .OUTPUTS
    ActiveRolesUpgrade.WebSiteResult, once implemented. Today the command always ends with the
    terminating error AR-NOTIMPL (NotImplemented) and writes no object.

    .EXAMPLE
    PS> New-ARWebSite -DestinationServer sql02 -DestinationDatabase ARConfig82 -SourceSite 'Site for Administrators (7.6)' -ApplicationAlias ARWebAdmin

    Creates an 8.2 site for administrators with the customisations of the 7.6 site, once available;
    today it fails with AR-NOTIMPL.

    .EXAMPLE
    PS> 'Site for HelpDesk (7.6)', 'Site for Self-Administration (7.6)' | ForEach-Object {
    >>     New-ARWebSite -DestinationPath .\ar82.arbundle -SourceSite $_ -WhatIf }

    Shows what would be created for each earlier site.

    .LINK
    Import-ARConfiguration

    .LINK
    Get-ARDatabaseInfo
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Server')]
    [OutputType('ActiveRolesUpgrade.WebSiteResult')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationServer,

        [Parameter(Mandatory, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationDatabase,

        [Parameter(ParameterSetName = 'Server')]
        [System.Management.Automation.Credential()]
        [System.Management.Automation.PSCredential]$DestinationCredential,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateSet('Windows', 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal', 'AzureADManagedIdentity', 'AzureADDefault', 'AzureADInteractive')]
        [string]$DestinationAuthentication,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateSet('OnPremises', 'AzureSQL')]
        [string]$DestinationDatabaseType,

        [Parameter(ParameterSetName = 'Server')]
        [switch]$DestinationTrustServerCertificate,

        [Parameter(Mandatory, ParameterSetName = 'ConnectionString')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationConnectionString,

        [Parameter(Mandatory, ParameterSetName = 'Path')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationPath,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$SourceSite,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$Template,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$IisSiteName = 'Default Web Site',

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$ApplicationAlias,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $params = [ordered]@{ destination = $destination; sourceSite = $SourceSite; iisSiteName = $IisSiteName }
        if ($Template) { $params.template = $Template }
        if ($ApplicationAlias) { $params.applicationAlias = $ApplicationAlias }
        if ($Name) { $params.name = $Name }
        $params.whatIf = $false
        $target = Get-AREndpointDisplayName -Endpoint $destination
        if ($PSCmdlet.ShouldProcess($target, "Create a Web Interface site from '$SourceSite'")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'new-website' -Params $params -LogPath $LogPath `
                -Activity 'Creating a Web Interface site' -TargetObject $SourceSite
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'new-website' -Params $params -LogPath $LogPath `
                -Activity 'Planning a Web Interface site' -TargetObject $SourceSite
        }
    }
}
