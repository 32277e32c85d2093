function Import-ARWebSiteConfiguration {
    <#
    .SYNOPSIS
    Writes a Web Interface site configuration file into an Active Roles 8.2
    configuration database.

    .DESCRIPTION
    Import-ARWebSiteConfiguration reads a file written by
    Export-ARWebSiteConfiguration and writes the site configuration object
    it holds - its row, every revision of its document and its bindings -
    into an Active Roles 8.2 configuration database, in one transaction.
    Use it to restore a backup after a site was changed or removed, or to
    move a configuration to another database.

    The site keeps its GUID unless the database already has it (then it gets
    a new one), and its name unless that is taken (then the first free
    "<name> (2)", "<name> (3)", ..., as the 8.2 naming rule does); -Name
    gives another. An Active binding whose IIS website and alias already
    serve a site is refused (AR-E018) unless -LegacyBindings records the
    bindings as Legacy. The whole file is checked before anything is
    written: a damaged or edited file is refused (AR-SITEFILE) and nothing
    changes. -WhatIf shows what would be imported and writes nothing.

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

    .PARAMETER InputPath
    The site configuration file (JSON) to import, as written by
    Export-ARWebSiteConfiguration. Accepts pipeline input, including files
    from Get-ChildItem and the results of Export-ARWebSiteConfiguration.
    Relative paths are relative to the current PowerShell location.

    .PARAMETER Name
    The name of the imported site configuration object. It must not exist
    yet (AR-E018). By default the file's name is kept, or made unique.

    .PARAMETER LegacyBindings
    Records every binding of the file as Legacy, so that the imported
    configuration claims no IIS application: for a copy next to the original
    in the same database, or before the IIS application exists.

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
    System.String, System.IO.FileInfo, ActiveRolesUpgrade.WebSiteExport.
    File paths, files from Get-ChildItem (bound by their FullName) or
    export results (bound by their path).

    .OUTPUTS
    ActiveRolesUpgrade.WebSiteImport, with the properties: Action
    (WouldImport with -WhatIf, a plan that wrote nothing; otherwise
    Imported), Name and SiteGuid ([guid], as imported), OriginalName and
    OriginalSiteGuid (as in the file), Renamed, NewGuid, Revisions, Bindings
    (ActiveRolesUpgrade.WebSiteBinding: IisSiteName, ApplicationAlias and
    State of each), Path, WhatIf and Imported.

    .EXAMPLE
    PS> Import-ARWebSiteConfiguration .\admin76.json -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    Restores the site configuration object saved in admin76.json.

    .EXAMPLE
    PS> Get-ChildItem .\site-backup\*.json | Import-ARWebSiteConfiguration -Destination .\ar82-test.arbundle -LegacyBindings -Force

    Copies every backed-up site configuration into a test bundle, without
    claiming any IIS application.

    .LINK
    Export-ARWebSiteConfiguration

    .LINK
    Get-ARWebSite
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ActiveRolesUpgrade.WebSiteImport')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)][Alias('FullName', 'Path')][ValidateNotNullOrEmpty()][string]$InputPath,
        [ValidateNotNullOrEmpty()][string]$Name,
        [Parameter(Mandatory)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$LegacyBindings,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $file = Resolve-ARPath -Cmdlet $PSCmdlet -Path $InputPath
        $params = [ordered]@{ destination = $destinationEndpoint; path = $file; name = [string]$Name; legacyBindings = [bool]$LegacyBindings; whatIf = $false }
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
        if ($PSCmdlet.ShouldProcess($target, "Import the Web Interface site configuration in $file")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-website' -Params $params -LogPath $LogPath `
                -Activity 'Importing a Web Interface site configuration' -TargetObject $file
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'import-website' -Params $params -LogPath $LogPath `
                -Activity 'Planning a Web Interface site import' -TargetObject $file
        }
    }
}
