# The IIS side of Web Interface sites (New-ARWebSite -CreateWebApplication,
# Remove-ARWebSite -RemoveWebApplication): Windows only, through the
# WebAdministration module or, without it, IISAdministration's ServerManager.
# The configuration database is the engine's; only IIS is touched here.

function Get-ARIisProvider {
    <#
    .SYNOPSIS
    The IIS PowerShell module to use on this computer: 'WebAdministration', 'IISAdministration',
    or $null (not Windows, or IIS's modules are not installed).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $isWin = $PSVersionTable.PSEdition -eq 'Desktop' -or
        [bool](Microsoft.PowerShell.Utility\Get-Variable -Name IsWindows -ValueOnly -ErrorAction Ignore)
    if (-not $isWin) { return $null }
    foreach ($name in 'WebAdministration', 'IISAdministration') {
        if (Microsoft.PowerShell.Core\Get-Module -ListAvailable -Name $name) {
            Microsoft.PowerShell.Core\Import-Module -Name $name -ErrorAction Stop -Verbose:$false
            return $name
        }
    }
    $null
}

function Test-ARIisWebsite {
    # Whether IIS has the website.
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][string]$Provider, [Parameter(Mandatory)][string]$Site)
    if ($Provider -eq 'WebAdministration') {
        return [bool](Get-Website -Name $Site)
    }
    $null -ne (Get-IISServerManager).Sites[$Site]
}

function Get-ARIisApplication {
    # The application /<Alias> of a website as @{ PhysicalPath; ApplicationPool }, or $null.
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Provider, [Parameter(Mandatory)][string]$Site, [Parameter(Mandatory)][string]$Alias)
    if ($Provider -eq 'WebAdministration') {
        $app = Get-WebApplication -Site $Site -Name $Alias
        if (-not $app) { return $null }
        return [pscustomobject]@{ PhysicalPath = [System.Environment]::ExpandEnvironmentVariables([string]$app.PhysicalPath); ApplicationPool = [string]$app.applicationPool }
    }
    $s = (Get-IISServerManager).Sites[$Site]
    if ($null -eq $s) { return $null }
    $app = $s.Applications["/$Alias"]
    if ($null -eq $app) { return $null }
    [pscustomobject]@{ PhysicalPath = [System.Environment]::ExpandEnvironmentVariables([string]$app.VirtualDirectories['/'].PhysicalPath); ApplicationPool = [string]$app.ApplicationPoolName }
}

function New-ARIisApplication {
    # Creates the application /<Alias> under a website, pointing at PhysicalPath, in ApplicationPool when given.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Provider, [Parameter(Mandatory)][string]$Site, [Parameter(Mandatory)][string]$Alias,
        [Parameter(Mandatory)][string]$PhysicalPath, [string]$ApplicationPool
    )
    if ($Provider -eq 'WebAdministration') {
        $p = @{ Site = $Site; Name = $Alias; PhysicalPath = $PhysicalPath; ErrorAction = 'Stop' }
        if ($ApplicationPool) { $p.ApplicationPool = $ApplicationPool }
        $null = New-WebApplication @p
        return
    }
    $sm = Get-IISServerManager
    $app = $sm.Sites[$Site].Applications.Add("/$Alias", $PhysicalPath)
    if ($ApplicationPool) { $app.ApplicationPoolName = $ApplicationPool }
    $sm.CommitChanges()
}

function Remove-ARIisApplication {
    # Removes the application /<Alias> of a website.
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Provider, [Parameter(Mandatory)][string]$Site, [Parameter(Mandatory)][string]$Alias)
    if ($Provider -eq 'WebAdministration') {
        Remove-WebApplication -Site $Site -Name $Alias -ErrorAction Stop
        return
    }
    $sm = Get-IISServerManager
    $apps = $sm.Sites[$Site].Applications
    $apps.Remove($apps["/$Alias"])
    $sm.CommitChanges()
}

function Find-ARWebInterfaceFolder {
    <#
    .SYNOPSIS
    The installed 8.2 Web Interface folder and its application pool, found from the IIS
    applications that already serve 8.2 sites of the database (the Web Interface setup creates
    them for the default sites), else from the installation folder; $null when not found.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Provider, [object[]]$Sites, [string]$Site)
    $bindings = @(foreach ($s in $Sites) {
            foreach ($b in @($s.bindings)) { if ([string]$b.state -eq 'Active' -and [string]$s.productVersion -eq '8.2') { $b } }
        })
    # Same website first.
    $ordered = @($bindings | Where-Object { $_.iisSiteName -eq $Site }) + @($bindings | Where-Object { $_.iisSiteName -ne $Site })
    foreach ($b in $ordered) {
        $app = Get-ARIisApplication -Provider $Provider -Site ([string]$b.iisSiteName) -Alias ([string]$b.applicationAlias)
        if ($app -and $app.PhysicalPath -and (Microsoft.PowerShell.Management\Test-Path -LiteralPath $app.PhysicalPath -PathType Container)) {
            return $app
        }
    }
    $programFiles = [System.Environment]::GetFolderPath('ProgramFiles')
    if ($programFiles) {
        $candidate = Microsoft.PowerShell.Management\Get-Item -Path (Join-Path $programFiles 'One Identity\Active Roles\8.2*\Web Interface') -ErrorAction Ignore |
            Where-Object { $_.PSIsContainer } | Sort-Object Name | Select-Object -Last 1
        if ($candidate) { return [pscustomobject]@{ PhysicalPath = $candidate.FullName; ApplicationPool = $null } }
    }
    $null
}

function Resolve-ARWebApplicationPlan {
    <#
    .SYNOPSIS
    Checks, before anything is written, that the IIS web application of a new site can be
    created: the website exists, the alias is free, the Web Interface folder is known.
    Returns @{ Provider; PhysicalPath; ApplicationPool }, or $null after a warning when IIS
    is not available here (the configuration part still runs). Throws (terminating) otherwise.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][System.Collections.IDictionary]$Destination,
        [Parameter(Mandatory)][string]$Site,
        [Parameter(Mandatory)][string]$Alias,
        [string]$PhysicalPath,
        [string]$LogPath
    )
    $provider = Get-ARIisProvider
    if (-not $provider) {
        Microsoft.PowerShell.Utility\Write-Warning ("IIS is not available on this computer (it needs Windows with the WebAdministration or IISAdministration module): only the site configuration is created. " +
            "On the web server, create the web application '$Alias' under the IIS website '$Site', pointing at the Active Roles 8.2 Web Interface folder (IIS Manager, or the Configuration Center's Web Interface page).")
        return $null
    }
    $fail = {
        param([string]$Message, [string]$Fix, [string]$Id)
        $Cmdlet.ThrowTerminatingError((New-ARErrorRecord -ErrorId $Id -Category InvalidOperation -TargetObject "$Site/$Alias" `
                    -Exception ([System.InvalidOperationException]::new($Message)) -RecommendedAction $Fix))
    }
    if (-not (Test-ARIisWebsite -Provider $provider -Site $Site)) {
        & $fail "IIS on this computer has no website '$Site'; nothing was written." 'Give -IisSiteName as IIS Manager lists it, or leave out -CreateWebApplication.' 'AR-IISSITE'
    }
    if (Get-ARIisApplication -Provider $provider -Site $Site -Alias $Alias) {
        & $fail "IIS already has an application '$Alias' under '$Site'; nothing was written." 'Choose another -ApplicationAlias, or remove that application first.' 'AR-IISAPP'
    }
    if ($PhysicalPath) {
        if (-not (Microsoft.PowerShell.Management\Test-Path -LiteralPath $PhysicalPath -PathType Container)) {
            & $fail "The folder '$PhysicalPath' does not exist; nothing was written." 'Give the Active Roles 8.2 Web Interface folder as -PhysicalPath.' 'AR-IISPATH'
        }
        return [pscustomobject]@{ Provider = $provider; PhysicalPath = $PhysicalPath; ApplicationPool = $null }
    }
    $sites = @(Invoke-AREngine -Cmdlet $Cmdlet -Operation 'list-websites' -Params ([ordered]@{ source = $Destination; names = @() }) -LogPath $LogPath `
            -Activity 'Finding the Web Interface folder' -TargetObject $Site)
    $found = Find-ARWebInterfaceFolder -Provider $provider -Sites $sites -Site $Site
    if (-not $found) {
        & $fail 'Cannot find the installed Active Roles 8.2 Web Interface folder: no IIS application of an 8.2 site points at it, and it is not under Program Files; nothing was written.' `
            'Give the folder as -PhysicalPath, or install and configure the 8.2 Web Interface first.' 'AR-IISPATH'
    }
    [pscustomobject]@{ Provider = $provider; PhysicalPath = $found.PhysicalPath; ApplicationPool = $found.ApplicationPool }
}
