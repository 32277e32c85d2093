function Export-ARWebSiteConfiguration {
    <#
    .SYNOPSIS
    Writes a Web Interface site configuration object of an Active Roles 8.2
    configuration database to a JSON file.

    .DESCRIPTION
    Export-ARWebSiteConfiguration does what the Configuration Center's
    "Export a Web Interface site's configuration object to a file" does: it
    writes one site configuration object - its row (name, GUID, template,
    product version, current revision, the configuration it was made from,
    times), every saved revision of its document and its IIS bindings - to
    one JSON file. Keep it as a backup before you change or remove sites
    (the upgrade guide's prerequisite), or import it into another 8.2
    configuration database with Import-ARWebSiteConfiguration.

    Documents are written exactly as stored, so exporting, importing and
    exporting again gives the same file apart from the site's GUID and name
    when the import had to change them. The file is written beside its
    final name and renamed into place: it is whole or absent. The database
    is only read; no lock is taken.

    Pipe sites from Get-ARWebSite and give a folder as -OutputPath to write
    one file per site, named after it.

    .PARAMETER Name
    The name (case-insensitive) or GUID of the site configuration object, as
    Get-ARWebSite lists it. Objects from Get-ARWebSite bind by their name.

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

    .PARAMETER OutputPath
    The JSON file to write, or an existing folder: the file is then named
    after the site (<name>.json, characters a file name cannot hold
    replaced by _). Relative paths are relative to the current PowerShell
    location. An existing file is kept unless -Force is given.

    .PARAMETER Force
    Overwrites an existing file, and runs without asking for confirmation.

    .PARAMETER LogPath
    The engine's log file (JSON lines; appended to). Relative paths are
    relative to the current PowerShell location; "-" writes no log file. By
    default the engine appends to arupgrade-<yyyyMMdd>.log under
    %LOCALAPPDATA%\ActiveRolesUpgrade\Logs on Windows, or
    ~/.local/state/activerolesupgrade/logs elsewhere. The log never contains
    passwords; failures name it in their message.

    .INPUTS
    ActiveRolesUpgrade.WebSite. Sites from Get-ARWebSite, bound by their
    name.

    .OUTPUTS
    ActiveRolesUpgrade.WebSiteExport, with the properties: Name, SiteGuid
    ([guid]), Path (the file written), Revisions, Bindings (how many of each
    were written) and Bytes.

    .EXAMPLE
    PS> Export-ARWebSiteConfiguration 'Site for Administrators (7.6)' -Source .\ar82.arbundle -OutputPath .\admin76.json

    Writes the configuration object of the earlier administrators' site to
    admin76.json.

    .EXAMPLE
    PS> $null = New-Item -ItemType Directory .\site-backup -Force
    PS> Get-ARWebSite -Source sql02.corp.example.com -Database ARConfig82 |
    >>     Export-ARWebSiteConfiguration -Source sql02.corp.example.com -SourceDatabase ARConfig82 -OutputPath .\site-backup

    Backs up every site configuration object of ARConfig82, one file per
    site, before sites are created or removed.

    .LINK
    Import-ARWebSiteConfiguration

    .LINK
    Get-ARWebSite

    .LINK
    Remove-ARWebSite
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType('ActiveRolesUpgrade.WebSiteExport')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)][Alias('SiteGuid')][ValidateNotNullOrEmpty()][string]$Name,
        [Parameter(Mandatory)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [Parameter(Mandatory, Position = 1)][ValidateNotNullOrEmpty()][string]$OutputPath,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $sourceEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source'
        $out = Resolve-ARPath -Cmdlet $PSCmdlet -Path $OutputPath
        if ([System.IO.Directory]::Exists($out)) {
            $file = $Name
            foreach ($c in [System.IO.Path]::GetInvalidFileNameChars() + [char[]]'<>:"/\|?*') { $file = $file.Replace([string]$c, '_') }
            $out = [System.IO.Path]::Combine($out, "$file.json")
        }
        $sourceName = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint
        if ($PSCmdlet.ShouldProcess($out, "Export the Web Interface site configuration '$Name' of $sourceName")) {
            $params = [ordered]@{ source = $sourceEndpoint; site = $Name; out = $out; overwrite = [bool]$Force }
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'export-website' -Params $params -LogPath $LogPath `
                -Activity 'Exporting a Web Interface site configuration' -TargetObject $Name
        }
    }
}
