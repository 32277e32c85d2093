# Engine texts name parameters and commands once, as tokens ({param:from},
# {param:source.trustServerCertificate}, {command:copy-principals}); the module renders
# them as this module's parameters and cmdlets (-From, -SourceTrustServerCertificate,
# Copy-ARDatabasePrincipals), the CLI as its flags. An error or check that names
# parameters carries messageTemplate/remedyTemplate beside its neutral text.

# Request keys whose PowerShell parameter does not follow from the key.
$script:ARParameterNames = @{
    'overwrite'             = '-Force'
    'logFile'               = '-LogPath'
    'source.create'         = '-CreateSource'
    'destination.create'    = '-CreateDestination'
    'configurationDatabase' = '-ConfigurationDatabaseName'
    'historyDatabase'       = '-HistoryDatabaseName'
    'keyBackupPassword'     = '-KeyBackupPassword'
    # Invoke-ARUpgrade names the history database of a split source; it is read with -SourceCredential.
    'sourceHistory'                     = '-SourceHistoryDatabase'
    'sourceHistory.password'            = '-SourceCredential'
    # No parameter: the connection string carries it.
    'source.hostNameInCertificate'      = 'HostNameInCertificate=<name> in the -Source connection string'
    'destination.hostNameInCertificate' = 'HostNameInCertificate=<name> in the -Destination connection string'
}

# Engine operations → cmdlets.
$script:ARCommandNames = @{
    'help'                     = 'Get-Help'
    'inspect'                  = 'Get-ARDatabaseInfo'
    'export'                   = 'Export-ARDatabase'
    'fixture'                  = 'New-ARSampleDatabase'
    'import-configuration'     = 'Import-ARConfiguration'
    'import-history'           = 'Import-ARManagementHistory'
    'import-collector'         = 'Import-ARCollectorEvents'
    'test-prerequisites'       = 'Test-ARUpgradePrerequisite'
    'set-services-association' = 'Set-ARServicesAssociation'
    'copy-principals'          = 'Copy-ARDatabasePrincipals'
    'upgrade'                  = 'Invoke-ARUpgrade'
    'list-websites'            = 'Get-ARWebSite'
    'new-website'              = 'New-ARWebSite'
    'remove-website'           = 'Remove-ARWebSite'
    'export-website'           = 'Export-ARWebSiteConfiguration'
    'import-website'           = 'Import-ARWebSiteConfiguration'
}

function ConvertTo-ARParameterName {
    # The PowerShell parameter of a request key: -From, -SourceTrustServerCertificate,
    # -SourceAuthentication (source.auth), -SourceCredential (source.user, source.password).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$Key)
    if ($script:ARParameterNames.ContainsKey($Key)) { return $script:ARParameterNames[$Key] }
    $parts = $Key.Split('.')
    $last = $parts[$parts.Count - 1]
    if ($parts.Count -gt 1) {
        switch ($last) {
            'auth' { $parts[$parts.Count - 1] = 'authentication' }
            'user' { $parts[$parts.Count - 1] = 'credential' }
            'password' { $parts[$parts.Count - 1] = 'credential' }
        }
    }
    $name = ($parts | Microsoft.PowerShell.Core\ForEach-Object { $_.Substring(0, 1).ToUpperInvariant() + $_.Substring(1) }) -join ''
    "-$name"
}

function Format-ARParameterText {
    <#
    .SYNOPSIS
    An engine text with its parameter and command tokens in this module's spelling.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowEmptyString()][AllowNull()][string]$Text)
    if (-not $Text -or $Text.IndexOf('{') -lt 0) { return $Text }
    $evaluator = [System.Text.RegularExpressions.MatchEvaluator] {
        param($m)
        $kind = $m.Groups[1].Value
        $key = $m.Groups[2].Value
        if ($kind -eq 'param') { return (ConvertTo-ARParameterName -Key $key) }
        if ($script:ARCommandNames.ContainsKey($key)) { return $script:ARCommandNames[$key] }
        "'$key'"
    }
    [regex]::Replace($Text, '\{(param|command):([A-Za-z][A-Za-z0-9.-]*)\}', $evaluator)
}

function Format-ARResultTemplate {
    <#
    .SYNOPSIS
    Renders, in place, the templates an engine result carries (a PrerequisiteCheck's
    messageTemplate and remedyTemplate) into its message and remedy, and drops them.
    #>
    [CmdletBinding()]
    param([AllowNull()]$Value)
    if ($null -eq $Value -or $Value -is [string] -or $Value -is [System.ValueType]) { return }
    if ($Value -is [System.Collections.IEnumerable]) {
        foreach ($item in $Value) { Format-ARResultTemplate -Value $item }
        return
    }
    $templates = @($Value.PSObject.Properties | Microsoft.PowerShell.Core\Where-Object { $_.Name -like '*Template' -and $_.Value -is [string] })
    foreach ($t in $templates) {
        $base = $t.Name.Substring(0, $t.Name.Length - 'Template'.Length)
        if ($Value.PSObject.Properties[$base]) {
            $Value.$base = Format-ARParameterText -Text $t.Value
            $Value.PSObject.Properties.Remove($t.Name)
        }
    }
    foreach ($p in @($Value.PSObject.Properties)) {
        if ($p.Value -is [System.Management.Automation.PSCustomObject] -or ($p.Value -is [System.Collections.IEnumerable] -and $p.Value -isnot [string])) {
            Format-ARResultTemplate -Value $p.Value
        }
    }
}
