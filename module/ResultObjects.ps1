# Result objects: the engine's result events (camelCase JSON, the CLI's machine contract)
# become the objects a PowerShell user expects. This file is the only place that converts:
# PascalCase names at every level, typed values, nested objects with their own PSTypeName
# (ActiveRolesUpgrade.<name>, with a view in ActiveRolesUpgrade.Format.ps1xml and a ToString
# below, so no '@{…}' is ever shown), and -WhatIf results that say they are plans.

# What each type's properties become, by the engine's JSON name. A property not listed keeps
# its value (string, boolean, integer) under its PascalCase name; a nested object not listed
# is converted the same way, without a type name of its own. The kinds:
#   guid, version, datetime  [guid], [version], [datetime] (Kind Utc); an empty value is $null
#   elapsed                  seconds → the [timespan] property Elapsed
#   rate                     a per-second rate, rounded to one decimal
#   counts                   a name → count map → ActiveRolesUpgrade.Counts ([long] values)
#   any other word           the type name of a nested object, or of each object of an array
$script:ARResultSchema = @{
    # Results (the engine's resultType).
    DatabaseInfo              = @{ version = 'version'; installationId = 'guid'; encryptionKeyId = 'guid'; counts = 'counts'; tables = 'counts'; interruptedRuns = 'InterruptedRun' }
    PrerequisiteCheck         = @{}
    ConfigurationImportResult = @{
        source = 'DatabaseRef'; destination = 'DatabaseRef'; removed = 'counts'; entities = 'EntityCount'; report = 'ReportEntry'
        addOns = 'AddOn'; azureTenants = 'AzureTenant'; secretsToReenter = 'SecretToReenter'; scheduledTasksNotAssociated = 'TaskNotAssociated'
        servicesAssociation = 'ServicesSummary'; principals = 'PrincipalsInfo'; checks = 'PrerequisiteCheck'; encryptionKeyId = 'guid'
        verification = 'Verification'; elapsedSeconds = 'elapsed'
    }
    HistoryImportResult       = @{
        source = 'DatabaseRef'; destination = 'DatabaseRef'; from = 'datetime'; to = 'datetime'; rangeFromUtc = 'datetime'; rangeToUtc = 'datetime'
        cutoffUtc = 'datetime'; entities = 'HistoryEntityCount'; report = 'ReportEntry'; principals = 'PrincipalsInfo'
        elapsedSeconds = 'elapsed'; recordsPerSecond = 'rate'
    }
    CollectorImportResult     = @{
        source = 'DatabaseRef'; destination = 'DatabaseRef'; from = 'datetime'; to = 'datetime'; rangeFromUtc = 'datetime'; rangeToUtc = 'datetime'
        cutoffUtc = 'datetime'; report = 'ReportEntry'; elapsedSeconds = 'elapsed'; eventsPerSecond = 'rate'
    }
    ServicesAssociationResult = @{ changed = 'ServicesChange'; unchanged = 'TaskNotAssociated'; elapsedSeconds = 'elapsed' }
    ExportResult              = @{ version = 'version'; tables = 'counts'; elapsedSeconds = 'elapsed' }
    FixtureResult             = @{ version = 'version'; installationId = 'guid'; encryptionKeyId = 'guid'; createdUtc = 'datetime'; tables = 'counts'; entities = 'counts'; anomalies = 'ReportEntry' }
    PrincipalCopyResult       = @{}
    WebSite                   = @{ siteGuid = 'guid'; sourceSiteGuid = 'guid'; productVersion = 'version'; createdUtc = 'datetime'; modifiedUtc = 'datetime'; bindings = 'WebSiteBinding' }
    WebSiteResult             = @{ siteGuid = 'guid'; sourceSiteGuid = 'guid'; productVersion = 'version'; upgradedFrom = 'version' }
    WebSiteRemoval            = @{ siteGuid = 'guid'; removedBindings = 'WebSiteBinding' }
    WebSiteExport             = @{ siteGuid = 'guid' }
    WebSiteImport             = @{ siteGuid = 'guid'; originalSiteGuid = 'guid'; bindings = 'WebSiteBinding' }
    UpgradePlan               = @{
        createdUtc = 'datetime'; source = 'Endpoint'; sourceHistory = 'Endpoint'; destination = 'Endpoint'; databases = 'UpgradeDatabase'
        webSites = 'WebSiteRule'; steps = 'UpgradeStep'; fingerprints = 'SourceFingerprint'; checks = 'PrerequisiteCheck'
        azureTenants = 'AzureTenant'; secretsToReenter = 'SecretToReenter'; request = 'UpgradeRequest'
    }
    UpgradeSummary            = @{ steps = 'UpgradeStepResult'; warnings = 'UpgradeWarning'; followUps = 'FollowUp'; elapsedSeconds = 'elapsed' }
    VersionInfo               = @{}
    # Nested objects.
    DatabaseRef               = @{ version = 'version'; installationId = 'guid' }
    InterruptedRun            = @{ startedUtc = 'datetime' }
    EntityCount               = @{}
    HistoryEntityCount        = @{}
    ReportEntry               = @{}
    AddOn                     = @{}
    AzureTenant               = @{ tenantId = 'guid' }
    SecretToReenter           = @{}
    TaskNotAssociated         = @{ taskGuid = 'guid' }
    ServicesSummary           = @{}
    ServicesChange            = @{ key = 'guid' }
    PrincipalsInfo            = @{}
    Verification              = @{ checks = 'InvariantCheck' }
    InvariantCheck            = @{}
    WebSiteBinding            = @{}
    Endpoint                  = @{}
    UpgradeDatabase           = @{ endpoint = 'Endpoint' }
    WebSiteRule               = @{}
    UpgradeStep               = @{}
    SourceFingerprint         = @{ version = 'version'; installationId = 'guid'; tables = 'counts' }
    UpgradeRequest            = @{ source = 'Endpoint'; sourceHistory = 'Endpoint'; destination = 'Endpoint'; webSites = 'WebSiteRule' }
    UpgradeStepResult         = @{ startedUtc = 'datetime'; finishedUtc = 'datetime'; elapsedSeconds = 'elapsed'; counts = 'counts'; warnings = 'UpgradeWarning' }
    UpgradeWarning            = @{}
    FollowUp                  = @{}
}

# What a result of a writing cmdlet says it did: Action is the first value for a -WhatIf run
# (a plan: nothing was written), the second for a real one.
$script:ARResultAction = @{
    ConfigurationImportResult = 'WouldImport', 'Imported'
    HistoryImportResult       = 'WouldImport', 'Imported'
    CollectorImportResult     = 'WouldImport', 'Imported'
    ServicesAssociationResult = 'WouldAssociate', 'Associated'
    WebSiteResult             = 'WouldCreate', 'Created'
    WebSiteImport             = 'WouldImport', 'Imported'
    WebSiteRemoval            = 'WouldRemove', 'Removed'
}

# A PrincipalCopyResult's own Action under -WhatIf (the engine reports what it would do in
# the words of what it does).
$script:ARPrincipalPlanAction = @{ Created = 'WouldCreate'; Updated = 'WouldUpdate' }

# How nested objects read where they are shown inside another object (a list or table cell,
# Format-List *, string expansion).
$script:ARResultToString = @{
    Counts             = { ($this.PSObject.Properties | Microsoft.PowerShell.Core\ForEach-Object { '{0}={1}' -f $_.Name, $_.Value }) -join ', ' }
    DatabaseRef        = {
        $about = (@(([string]$this.Version), ([string]$this.Role)) | Microsoft.PowerShell.Core\Where-Object { $_ }) -join ' '
        if ($this.State) { $about = (@($about, [string]$this.State) | Microsoft.PowerShell.Core\Where-Object { $_ }) -join ', ' }
        if ($about) { '{0} ({1})' -f $this.Name, $about } else { [string]$this.Name }
    }
    Endpoint           = {
        if ($this.Path) { [string]$this.Path }
        elseif ($this.Server) { if ($this.Database) { '{0}/{1}' -f $this.Server, $this.Database } else { [string]$this.Server } }
        elseif ($this.ConnectionString) { if ($this.Database) { "(connection string)/$($this.Database)" } else { '(connection string)' } }
        elseif ($this.Location) { [string]$this.Location }
        else { '' }
    }
    InterruptedRun     = { 'ImportRun {0} ({1}, started {2:u})' -f $this.ImportRunId, $this.Kind, $this.StartedUtc }
    EntityCount        = { '{0}: {1} added, {2} skipped' -f $this.Entity, $this.Added, $this.Skipped }
    HistoryEntityCount = { '{0}: {1} imported, {2} already present, {3} skipped, {4} failed' -f $this.Entity, $this.Imported, $this.AlreadyPresent, $this.Skipped, $this.Failed }
    ReportEntry        = { '{0} {1} {2}' -f $this.Reason, $this.Entity, $this.Key }
    PrerequisiteCheck  = { '{0} {1} {2}' -f $this.Status, $this.Code, $this.Name }
    AddOn              = { (@([string]$this.Name, [string]$this.Version) | Microsoft.PowerShell.Core\Where-Object { $_ }) -join ' ' }
    AzureTenant        = { '{0} ({1})' -f $this.DisplayName, $this.TenantId }
    SecretToReenter    = { '{0} {1}: {2}' -f $this.Entity, $this.Name, $this.Column }
    TaskNotAssociated  = { '{0}: {1}' -f $this.Name, $this.Reason }
    ServicesSummary    = { '{0} ({1} dynamic groups, {2} group families, {3} scheduled tasks)' -f $this.ServicesServer, $this.DynamicGroups, $this.GroupFamilies, $this.ScheduledTasks }
    ServicesChange     = { '{0} {1}: {2} -> {3}' -f $this.Entity, $this.Name, $this.From, $this.To }
    PrincipalsInfo     = { if ($this.Copied) { 'copied' } else { [string]$this.Reason } }
    Verification       = { '{0} ({1} invariants)' -f $(if ($this.Passed) { 'Passed' } else { 'FAILED' }), @($this.Checks).Count }
    InvariantCheck     = { '{0}: {1}' -f $this.Invariant, $(if ($this.Passed) { 'passed' } else { 'FAILED' }) }
    WebSiteBinding     = { '{0}/{1} ({2})' -f $this.IisSiteName, $this.ApplicationAlias, $this.State }
    UpgradeDatabase    = { '{0}: {1}' -f $this.Role, $this.Name }
    WebSiteRule        = { '{0} -> {1}/{2}' -f $this.OldSite, $this.IisSiteName, $this.ApplicationAlias }
    UpgradeStep        = { if ($this.Skip) { '{0} (skipped: {1})' -f $this.Name, $this.Skip } else { [string]$this.Name } }
    SourceFingerprint  = { '{0} ({1} {2})' -f $this.Location, $this.Version, $this.Role }
    UpgradeRequest     = { 'Upgrade request for {0}' -f $this.Source }
    UpgradeStepResult  = { '{0}: {1}' -f $this.Name, $this.Status }
    UpgradeWarning     = { '{0}: {1}' -f $this.Code, $this.Message }
    FollowUp           = { [string]$this.Action }
}

foreach ($name in $script:ARResultToString.Keys) {
    Microsoft.PowerShell.Utility\Update-TypeData -TypeName "ActiveRolesUpgrade.$name" -MemberType ScriptMethod -MemberName ToString `
        -Value $script:ARResultToString[$name] -Force
}

function ConvertTo-ARResultObject {
    <#
    .SYNOPSIS
    A result event's data as a PSCustomObject typed ActiveRolesUpgrade.<resultType>, converted
    by $script:ARResultSchema; with -WhatIf (the request asked for a plan) it says so.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$EngineEvent,
        # The request had whatIf: the result is a plan.
        [switch]$WhatIf
    )
    $type = if ($EngineEvent.resultType) { [string]$EngineEvent.resultType } else { 'Result' }
    $data = $EngineEvent.data
    if ($data -isnot [System.Management.Automation.PSCustomObject]) {
        $data = [pscustomobject]@{ value = $data }
    }
    $obj = ConvertTo-ARTypedObject -InputObject $data -TypeName $type
    $isPlan = [bool]$WhatIf -or ($obj.PSObject.Properties['WhatIf'] -and [bool]$obj.WhatIf)
    $action = $script:ARResultAction[$type]
    if ($action) {
        $value = if ($isPlan) { $action[0] } else { $action[1] }
        # First, so Format-List * and Select-Object show what happened before the details.
        $ordered = [ordered]@{ Action = $value }
        foreach ($p in $obj.PSObject.Properties) { if ($p.Name -ne 'Action') { $ordered[$p.Name] = $p.Value } }
        $typed = [pscustomobject]$ordered
        $typed.PSObject.TypeNames.Insert(0, "ActiveRolesUpgrade.$type")
        $obj = $typed
    } elseif ($type -eq 'PrincipalCopyResult' -and $isPlan -and $script:ARPrincipalPlanAction[[string]$obj.Action]) {
        $obj.Action = $script:ARPrincipalPlanAction[[string]$obj.Action]
    }
    $obj
}

function ConvertTo-ARTypedObject {
    # One engine object → a PSCustomObject with PascalCase names and the values its schema
    # declares; typed ActiveRolesUpgrade.<TypeName> unless TypeName is empty.
    [CmdletBinding()]
    param([Parameter(Mandatory)]$InputObject, [AllowEmptyString()][string]$TypeName)
    $schema = $null
    if ($TypeName) { $schema = $script:ARResultSchema[$TypeName] }
    if ($null -eq $schema) { $schema = @{} }
    $props = [ordered]@{}
    foreach ($p in $InputObject.PSObject.Properties) {
        $kind = [string]$schema[$p.Name]
        $name = ConvertTo-ARPascalCase -Name $p.Name
        if ($kind -eq 'elapsed') { $name = 'Elapsed' }
        $props[$name] = ConvertTo-ARTypedValue -Value $p.Value -Kind $kind
    }
    $obj = [pscustomobject]$props
    if ($TypeName) { $obj.PSObject.TypeNames.Insert(0, "ActiveRolesUpgrade.$TypeName") }
    $obj
}

function ConvertTo-ARTypedValue {
    # One value by its declared kind (see $script:ARResultSchema). A value that does not
    # convert is kept as the engine wrote it: a result is never lost to a conversion.
    [CmdletBinding()]
    param([AllowNull()]$Value, [AllowEmptyString()][string]$Kind)
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Array]) {
        # The comma keeps an array an array (also of one or no item) through the return.
        return , @(foreach ($item in $Value) { ConvertTo-ARTypedValue -Value $item -Kind $Kind })
    }
    switch ($Kind) {
        'guid' {
            if ([string]$Value -eq '') { return $null }
            $g = [guid]::Empty
            if ([guid]::TryParse([string]$Value, [ref]$g)) { return $g }
            return $Value
        }
        'version' {
            if ([string]$Value -eq '') { return $null }
            $v = $null
            if ([version]::TryParse([string]$Value, [ref]$v)) { return $v }
            return $Value
        }
        'datetime' { return ConvertTo-ARUtcDateTime -Value $Value }
        'elapsed' { return [timespan]::FromTicks([long]([double]$Value * [timespan]::TicksPerSecond)) }
        'rate' { return [math]::Round([double]$Value, 1) }
        'counts' {
            if ($Value -isnot [System.Management.Automation.PSCustomObject]) { return $Value }
            $counts = [ordered]@{}
            foreach ($p in $Value.PSObject.Properties) { $counts[(ConvertTo-ARPascalCase -Name $p.Name)] = [long]$p.Value }
            $obj = [pscustomobject]$counts
            $obj.PSObject.TypeNames.Insert(0, 'ActiveRolesUpgrade.Counts')
            return $obj
        }
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        return ConvertTo-ARTypedObject -InputObject $Value -TypeName $Kind
    }
    $Value
}

function ConvertTo-ARUtcDateTime {
    # An engine timestamp (RFC 3339, up to nanoseconds) or date (yyyy-MM-dd, a UTC day) as a
    # [datetime] of Kind Utc. PowerShell 7's ConvertFrom-Json may already have made it a
    # [datetime] (or [DateTimeOffset]); Windows PowerShell leaves the string.
    [CmdletBinding()]
    param([AllowNull()]$Value)
    if ($Value -is [datetime]) {
        if ($Value.Kind -eq [System.DateTimeKind]::Local) { return $Value.ToUniversalTime() }
        return [datetime]::SpecifyKind($Value, [System.DateTimeKind]::Utc)
    }
    if ($Value -is [System.DateTimeOffset]) { return $Value.UtcDateTime }
    $text = [string]$Value
    if ($text -eq '') { return $null }
    # .NET reads at most seven fraction digits; Go writes up to nine.
    $text = [regex]::Replace($text, '(\.\d{7})\d+', '$1')
    $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
    $d = [datetime]::MinValue
    if ([datetime]::TryParse($text, [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$d)) { return $d }
    $Value
}

function ConvertTo-ARPascalCase {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$Name)
    $Name.Substring(0, 1).ToUpperInvariant() + $Name.Substring(1)
}
