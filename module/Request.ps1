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
    (Get-ARInteropType Secrets)::Expand($json, $tokens.ToArray(), $secrets.ToArray())
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
    # A short, secret-free name of an endpoint for ShouldProcess messages and error targets.
    # A bundle path or an instance is shown as given; a connection string is named by the
    # engine (describe-endpoint, no connection), as its own messages name it, so the module
    # parses no connection strings (and never shows a password).
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][System.Collections.IDictionary]$Endpoint
    )
    if ($Endpoint.Contains('path')) { return [string]$Endpoint.path }
    $loc = [string]$Endpoint.location
    if ($loc -notmatch '=|://') {
        if ($loc -match '(?i)\.arbundle$' -or -not $Endpoint.Contains('database')) { return $loc }
        return "database '$($Endpoint.database)' on '$loc'"
    }
    $named = @(Get-AREndpointDescription -Cmdlet $Cmdlet -Endpoint $Endpoint) | Select-Object -First 1
    if ($named -and $named.Description) { return [string]$named.Description }
    'the database named by the connection string'
}

function ConvertTo-ARDateParameter {
    # A [datetime] as the engine's yyyy-MM-dd date (its calendar date, no time-zone conversion).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][datetime]$Date)
    $Date.ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture)
}
