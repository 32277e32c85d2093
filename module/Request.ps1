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

function Get-AREndpointDisplayName {
    # A short, secret-free description of an endpoint for ShouldProcess messages and error
    # targets, before the engine has read it (the engine's own messages use dbopen.Describe).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][System.Collections.IDictionary]$Endpoint)
    if ($Endpoint.Contains('path')) { return [string]$Endpoint.path }
    $loc = [string]$Endpoint.location
    if ($loc -notmatch '=|://') {
        if ($loc -match '(?i)\.arbundle$' -or -not $Endpoint.Contains('database')) { return $loc }
        return "database '$($Endpoint.database)' on '$loc'"
    }
    # A connection string: only its server and database are shown (it may carry a password).
    $server = [regex]::Match($loc, '(?i)(?:^|;)\s*(?:server|data source|address|addr)\s*=\s*([^;]+)').Groups[1].Value
    $db = [regex]::Match($loc, '(?i)(?:^|;)\s*(?:database|initial catalog)\s*=\s*([^;]+)').Groups[1].Value
    if (-not $server -and $loc -match '^(?i)sqlserver://(?:[^@/]*@)?([^/?]+)') { $server = $Matches[1] }
    if (-not $db -and $loc -match '(?i)[?&]database=([^&]+)') { $db = $Matches[1] }
    if ($Endpoint.Contains('database')) { $db = [string]$Endpoint.database }
    if ($server -or $db) { return "database '$db' on '$server'" }
    'the database named by the connection string'
}

function ConvertTo-ARDateParameter {
    # A [datetime] as the engine's yyyy-MM-dd date (its calendar date, no time-zone conversion).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][datetime]$Date)
    $Date.ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture)
}
