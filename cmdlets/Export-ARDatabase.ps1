function Export-ARDatabase {
    <#
    .SYNOPSIS
    Copies an Active Roles database into a portable bundle file.

    .DESCRIPTION
    Export-ARDatabase reads every table of an Active Roles database (any
    supported version and role) and writes it to a single bundle file
    (*.arbundle). The source is read in one snapshot and is not changed.

    A bundle can stand in for a SQL Server database wherever the module
    takes one: inspect it with Get-ARDatabaseInfo, check it with
    Test-ARUpgradePrerequisite, or import from it with
    Import-ARConfiguration and Import-ARManagementHistory, for example on a
    computer that cannot reach the old SQL Server, or to rehearse an
    upgrade. Back up the database with SQL Server tools as the upgrade guide
    asks; a bundle is not a SQL Server backup.

    The bundle also records the database's users, roles, role memberships
    and permissions and the SQL Server logins they map to, so it can be the
    source of Copy-ARDatabasePrincipals (and of the imports' principal
    copy). When the account may read password hashes (CONTROL SERVER) the
    bundle holds the SQL logins' hashes: keep it as secret as the
    passwords. If the principals cannot be read, the bundle is written
    without them and warning AR-W006 says why.

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
    The bundle file to write (conventionally *.arbundle), or an existing
    folder: each database is then written to <database>.arbundle in it
    (named by -SourceDatabase, the database of a Get-ARDatabaseInfo object,
    or the source bundle's file name), which is how several databases are
    exported at once. Relative paths are relative to the current PowerShell
    location. A file must not exist unless -Force is given.

    .PARAMETER Force
    Overwrites an existing file at -OutputPath, and does not ask for
    confirmation.

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
    ActiveRolesUpgrade.ExportResult, with the properties: Source, Out (the
    bundle written), Version ([version]), Role, Tables (rows per table, an
    ActiveRolesUpgrade.Counts), Rows, Bytes and Elapsed ([timespan]).

    .EXAMPLE
    PS> Export-ARDatabase -Source sql01.corp.example.com -SourceDatabase ARConfig76 -OutputPath D:\Upgrade\ARConfig76.arbundle

    Exports the 7.6 configuration database to a bundle, connecting with
    Windows authentication.

    .EXAMPLE
    PS> Export-ARDatabase -Source 'Server=sql01;Database=ARHistory81;Integrated Security=true' -OutputPath .\history81.arbundle -Force -LogPath .\export.log

    Exports a Management History database named by a connection string,
    replacing an earlier bundle, and logs to export.log.

    .LINK
    Get-ARDatabaseInfo

    .LINK
    Import-ARConfiguration

    .LINK
    Import-ARManagementHistory
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType('ActiveRolesUpgrade.ExportResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][Alias('SourceServer', 'SourcePath', 'SourceConnectionString')][object[]]$Source, [string]$SourceDatabase,
        [Alias('SourceSqlCredential')][System.Management.Automation.Credential()][pscredential]$SourceCredential, [string]$SourceAuthentication, [string]$SourceDatabaseType, [switch]$SourceTrustServerCertificate,
        [Parameter(Mandatory)][ValidateNotNullOrEmpty()][string]$OutputPath,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    begin {
        # The bundles this call wrote, so a second database never replaces the first one's.
        $written = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    }

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $folder = Resolve-ARPath -Cmdlet $PSCmdlet -Path $OutputPath
        $isFolder = [System.IO.Directory]::Exists($folder)
        foreach ($item in $Source) {
            $sourceEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Source' -Value $item
            $out = $folder
            if ($isFolder) {
                $name = if ($sourceEndpoint.Contains('database')) { $sourceEndpoint.database } elseif ($sourceEndpoint.Contains('path')) { $sourceEndpoint.path } elseif ($sourceEndpoint.location -match '(?i)\.arbundle$') { $sourceEndpoint.location } else { '' }
                if (-not $name) {
                    $PSCmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ARGS' -Category InvalidArgument -TargetObject $item `
                                -Exception ([System.ArgumentException]::new("-OutputPath is a folder, and the bundle for $(Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint) has no name.")) `
                                -RecommendedAction 'Add -SourceDatabase, or give -OutputPath the bundle file to write.'))
                }
                $out = [System.IO.Path]::Combine($folder, [System.IO.Path]::GetFileNameWithoutExtension($name) + '.arbundle')
            }
            if (-not $written.Add($out)) {
                $PSCmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ARGS' -Category InvalidArgument -TargetObject $item `
                            -Exception ([System.ArgumentException]::new("$out was written by this command already; several databases cannot go to one bundle.")) `
                            -RecommendedAction 'Give -OutputPath an existing folder: each database is written to <database>.arbundle in it.'))
            }
            $sourceName = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $sourceEndpoint
            if ($PSCmdlet.ShouldProcess($out, "Export $sourceName to a bundle")) {
                $params = [ordered]@{ source = $sourceEndpoint; out = $out; overwrite = [bool]$Force }
                Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'export' -Params $params -LogPath $LogPath `
                    -Activity "Exporting $sourceName" -TargetObject $sourceName
            }
        }
    }
}
