# The one binding of -Source/-Destination (and a cmdlet's own -Source without a prefix) to an
# engine endpoint. The cmdlets only declare short parameters; what the user typed is handed to
# the engine as "location", which reads every form (instance, connection string, bundle path)
# and owns the defaults and validation (authentication, database type), so the CLI and the
# module agree. Nothing here decides a default or refuses a combination the engine accepts.

function ConvertTo-AREndpoint {
    <#
    .SYNOPSIS
    Builds the engine endpoint for one value of -<Prefix> (or -Source when there is no prefix)
    with -<Prefix>Database, -<Prefix>Credential, -<Prefix>Authentication,
    -<Prefix>DatabaseType and -<Prefix>TrustServerCertificate from the bound parameters.
    .PARAMETER Value
    One value of the endpoint parameter: a string as typed, a FileInfo, or an object from
    Get-ARDatabaseInfo. The default is the bound -<Prefix> parameter.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][System.Collections.IDictionary]$BoundParameters,
        [string]$Prefix = '',
        [AllowNull()][object]$Value,
        [switch]$Create
    )
    $name = if ($Prefix) { $Prefix } else { 'Source' }
    # A copy that answers $null for a parameter not given ($PSBoundParameters throws).
    $bound = @{}
    foreach ($k in $BoundParameters.Keys) { $bound[$k] = $BoundParameters[$k] }
    $BoundParameters = $bound
    if (-not $PSBoundParameters.ContainsKey('Value')) {
        $Value = if ($BoundParameters.Contains($name)) { $BoundParameters[$name] } else { $null }
        if ($Value -is [array] -and $Value.Count -eq 1) { $Value = $Value[0] }
    }
    # Unwrap strings and files only: a PSCustomObject's properties live on its wrapper.
    if ($Value -is [System.Management.Automation.PSObject] -and ($Value.PSObject.BaseObject -is [string] -or $Value.PSObject.BaseObject -is [System.IO.FileSystemInfo])) {
        $Value = $Value.PSObject.BaseObject
    }
    $endpoint = [ordered]@{}
    $database = $null
    $kind = if ($null -ne $Value -and $Value -isnot [string] -and $Value.PSObject.Properties['kind']) { [string]$Value.kind } else { '' }
    if ($Value -is [System.IO.FileSystemInfo]) {
        $endpoint.path = $Value.FullName
    } elseif ($Value -is [string] -and $Value.Trim()) {
        $endpoint.location = $Value
        $endpoint.baseDirectory = $Cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath
    } elseif ($kind -eq 'Bundle' -and $Value.PSObject.Properties['location']) {
        # An object from Get-ARDatabaseInfo that describes a bundle: its absolute path.
        $endpoint.path = [string]$Value.location
    } elseif ($kind -eq 'SqlServer' -and $Value.PSObject.Properties['server'] -and [string]$Value.server) {
        # An object from Get-ARDatabaseInfo that describes a SQL Server database: its instance
        # and database (the credentials are not part of it; give them with -<Prefix>Credential).
        $endpoint.location = [string]$Value.server
        if ($Value.PSObject.Properties['database']) { $database = [string]$Value.database }
    } else {
        $what = if ($Prefix) { $Prefix.ToLowerInvariant() } else { 'database' }
        $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ENDPOINT' -Category InvalidArgument -TargetObject $Value `
                    -Exception ([System.ArgumentException]::new("No $what was named.")) `
                    -RecommendedAction "Name the $what with -${name}: a SQL Server instance (sql01, sql01\INST, sql01,1433) with -${Prefix}Database, a connection string, a *.arbundle path, or an object from Get-ARDatabaseInfo."))
    }
    # The database typed with -<Prefix>Database wins over a piped object's.
    $typed = $BoundParameters["${Prefix}Database"]
    if ($typed) { $database = [string]$typed }
    if ($database) { $endpoint.database = $database }
    $credential = $BoundParameters["${Prefix}Credential"]
    if ($credential -and $credential -ne [System.Management.Automation.PSCredential]::Empty) {
        $endpoint.user = $credential.UserName
        $endpoint.password = $credential.Password   # SecureString: expanded only inside the request JSON
    }
    if ($BoundParameters["${Prefix}Authentication"]) { $endpoint.auth = [string]$BoundParameters["${Prefix}Authentication"] }
    if ($BoundParameters["${Prefix}DatabaseType"]) { $endpoint.databaseType = [string]$BoundParameters["${Prefix}DatabaseType"] }
    if ($BoundParameters["${Prefix}TrustServerCertificate"]) { $endpoint.trustServerCertificate = $true }
    if ($Create) { $endpoint.create = $true }
    $endpoint
}

# Tab completion for the values the engine accepts. No ValidateSet on the cmdlets: the engine
# validates them (core/dbopen), so the rule and its message live in one place.
& {
    $names = @(foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($script:ModuleRoot, 'cmdlets'), '*.ps1')) {
            [System.IO.Path]::GetFileNameWithoutExtension($file)
        })
    $values = @{
        Authentication = 'Windows', 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal', 'AzureADManagedIdentity', 'AzureADDefault', 'AzureADInteractive'
        DatabaseType   = 'OnPremises', 'AzureSQL'
    }
    foreach ($suffix in $values.Keys) {
        $completer = [scriptblock]::Create("param(`$c, `$p, `$word) '$($values[$suffix] -join "', '")' | Where-Object { `$_ -like `"`$word*`" } | ForEach-Object { [System.Management.Automation.CompletionResult]::new(`$_) }")
        foreach ($prefix in '', 'Source', 'Destination') {
            Register-ArgumentCompleter -CommandName $names -ParameterName "$prefix$suffix" -ScriptBlock $completer
        }
    }
}
