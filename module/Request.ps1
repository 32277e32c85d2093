# Building engine requests from cmdlet parameters.

function ConvertTo-ARRequestJson {
    <#
    .SYNOPSIS
    Serialises a request to compact JSON. SecureString values become their plain text
    only inside the returned string (never in a variable, a stream or the log).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][System.Collections.IDictionary]$Request)

    $tokens = [System.Collections.Generic.List[string]]::new()
    $secrets = [System.Collections.Generic.List[System.Security.SecureString]]::new()
    $plain = ConvertTo-ARJsonValue -Value $Request -Tokens $tokens -Secrets $secrets
    $json = Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $plain -Depth 10 -Compress
    if ($tokens.Count -eq 0) { return $json }
    Import-ARInteropType
    [ActiveRolesUpgrade.Interop.V1.Secrets]::Expand($json, $tokens.ToArray(), $secrets.ToArray())
}

function ConvertTo-ARJsonValue {
    # A copy of Value where dictionaries are ordered, switches are booleans, enums are
    # names, and each SecureString is replaced by a unique placeholder token.
    [CmdletBinding()]
    param(
        [AllowNull()]$Value,
        [Parameter(Mandatory)][AllowEmptyCollection()][System.Collections.Generic.List[string]]$Tokens,
        [Parameter(Mandatory)][AllowEmptyCollection()][System.Collections.Generic.List[System.Security.SecureString]]$Secrets
    )
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Security.SecureString]) {
        $token = "ARSECRET-" + [guid]::NewGuid().ToString('N')
        $Tokens.Add($token)
        $Secrets.Add($Value)
        return $token
    }
    if ($Value -is [System.Management.Automation.PSCredential]) {
        throw [System.ArgumentException]::new('A PSCredential cannot be serialised; pass its UserName and Password separately.')
    }
    if ($Value -is [System.Management.Automation.SwitchParameter]) { return $Value.IsPresent }
    if ($Value -is [enum]) { return $Value.ToString() }
    if ($Value -is [datetime]) { return $Value.ToString('o', [cultureinfo]::InvariantCulture) }
    if ($Value -is [System.Collections.IDictionary]) {
        $copy = [ordered]@{}
        foreach ($k in $Value.Keys) {
            $copy[[string]$k] = ConvertTo-ARJsonValue -Value $Value[$k] -Tokens $Tokens -Secrets $Secrets
        }
        return $copy
    }
    if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [string]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Value) { $list.Add((ConvertTo-ARJsonValue -Value $item -Tokens $Tokens -Secrets $Secrets)) }
        return , $list.ToArray()
    }
    $Value
}

function Resolve-ARPath {
    <#
    .SYNOPSIS
    A provider path (relative to the current PowerShell location) as an absolute file-system path.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][string]$Path
    )
    $Cmdlet.GetUnresolvedProviderPathFromPSPath($Path)
}

function New-AREndpoint {
    <#
    .SYNOPSIS
    Builds an engine endpoint ({path} | {connectionString} | {server, database, auth, …})
    from a cmdlet's bound parameters named <Prefix>Path, <Prefix>Server, <Prefix>Database, ….
    The password stays a SecureString until ConvertTo-ARRequestJson.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][System.Collections.IDictionary]$BoundParameters,
        [string]$Prefix = '',
        [switch]$Create
    )
    $b = @{}
    foreach ($k in $BoundParameters.Keys) { $b[$k] = $BoundParameters[$k] }
    $endpoint = [ordered]@{}
    $label = '-'
    if ($b.ContainsKey("${Prefix}Path")) {
        $endpoint.path = Resolve-ARPath -Cmdlet $Cmdlet -Path ([string]$b["${Prefix}Path"])
    } elseif ($b.ContainsKey("${Prefix}ConnectionString")) {
        $endpoint.connectionString = [string]$b["${Prefix}ConnectionString"]
    } elseif ($b.ContainsKey("${Prefix}Server")) {
        $endpoint.server = [string]$b["${Prefix}Server"]
        $endpoint.database = [string]$b["${Prefix}Database"]
        $credential = $null
        if ($b.ContainsKey("${Prefix}Credential") -and $b["${Prefix}Credential"] -ne [System.Management.Automation.PSCredential]::Empty) {
            $credential = [System.Management.Automation.PSCredential]$b["${Prefix}Credential"]
        }
        $databaseType = if ($b.ContainsKey("${Prefix}DatabaseType")) { [string]$b["${Prefix}DatabaseType"] } else { 'OnPremises' }
        $auth = if ($b.ContainsKey("${Prefix}Authentication")) {
            [string]$b["${Prefix}Authentication"]
        } elseif ($credential) {
            'SqlLogin'
        } elseif ($databaseType -eq 'AzureSQL') {
            'AzureADDefault'
        } else {
            'Windows'
        }
        $needsCredential = 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal'
        if ($needsCredential -contains $auth -and -not $credential) {
            $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-CREDENTIAL' -Category InvalidArgument -TargetObject $auth `
                        -Exception ([System.ArgumentException]::new("${label}${Prefix}Authentication $auth needs ${label}${Prefix}Credential.")) `
                        -RecommendedAction "Add ${label}${Prefix}Credential (Get-Credential); for AzureADServicePrincipal the application (client) ID is the user name and a client secret the password."))
        }
        if ($auth -eq 'Windows' -and $credential) {
            $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-CREDENTIAL' -Category InvalidArgument -TargetObject $auth `
                        -Exception ([System.ArgumentException]::new("Windows authentication connects as the account running PowerShell; ${label}${Prefix}Credential is for SQL Server logins and Azure AD.")) `
                        -RecommendedAction "Add ${label}${Prefix}Authentication SqlLogin (or an AzureAD mode), or leave out ${label}${Prefix}Credential."))
        }
        $endpoint.auth = $auth
        if ($credential) {
            $endpoint.user = $credential.UserName
            $endpoint.password = $credential.Password   # SecureString: expanded only inside the request JSON
        }
        $endpoint.databaseType = $databaseType
        $endpoint.trustServerCertificate = [bool]$b["${Prefix}TrustServerCertificate"]
        $endpoint.applicationName = 'ActiveRolesUpgrade'
    } else {
        $what = if ($Prefix) { $Prefix.ToLowerInvariant() } else { 'database' }
        $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId 'AR-ENDPOINT' -Category InvalidArgument -TargetObject $Prefix `
                    -Exception ([System.ArgumentException]::new("No $what was named.")) `
                    -RecommendedAction "Name the ${what}: ${label}${Prefix}Server with ${label}${Prefix}Database, ${label}${Prefix}ConnectionString, or ${label}${Prefix}Path."))
    }
    if ($Create) { $endpoint.create = $true }
    $endpoint
}

function Get-AREndpointDisplayName {
    # A short, secret-free description of an endpoint for ShouldProcess messages and error targets.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][System.Collections.IDictionary]$Endpoint)
    if ($Endpoint.Contains('path')) { return [string]$Endpoint.path }
    if ($Endpoint.Contains('location')) {
        $loc = [string]$Endpoint.location
        if ($loc -match '=|://') { $Endpoint = [ordered]@{ connectionString = $loc } }
        elseif ($loc -match '(?i)\.arbundle$' -or -not $Endpoint.Contains('database')) { return $loc }
        else { return "database '$($Endpoint.database)' on '$loc'" }
    }
    if ($Endpoint.Contains('server')) { return "database '$($Endpoint.database)' on '$($Endpoint.server)'" }
    if ($Endpoint.Contains('connectionString')) {
        $cs = [string]$Endpoint.connectionString
        $server = [regex]::Match($cs, '(?i)(?:^|;)\s*(?:server|data source|address|addr)\s*=\s*([^;]+)').Groups[1].Value
        $db = [regex]::Match($cs, '(?i)(?:^|;)\s*(?:database|initial catalog)\s*=\s*([^;]+)').Groups[1].Value
        if (-not $server -and $cs -match '^(?i)sqlserver://(?:[^@/]*@)?([^/?]+)') { $server = $Matches[1] }
        if (-not $db -and $cs -match '(?i)[?&]database=([^&]+)') { $db = $Matches[1] }
        if ($server -or $db) { return "database '$db' on '$server'" }
        return 'the database named by the connection string'
    }
    'the database'
}

function Get-ARDefaultServicesServer {
    # This computer's fully qualified domain name.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    try {
        [System.Net.Dns]::GetHostEntry('').HostName
    } catch {
        [System.Environment]::MachineName
    }
}

function ConvertTo-ARDateParameter {
    # A [datetime] as the engine's yyyy-MM-dd date (its calendar date, no time-zone conversion).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][datetime]$Date)
    $Date.ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture)
}
