# The objects the cmdlets write (module/ResultObjects.ps1, module/ActiveRolesUpgrade.Format.ps1xml):
# PascalCase names at every level, [guid]/[version]/[datetime] (UTC)/[timespan] values, typed
# nested objects, default views without '@{', and -WhatIf results that say they are plans.

Describe 'Result object conversion' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        function ConvertFrom-TestEvent {
            param([string]$Json, [switch]$WhatIf)
            $ev = $Json | ConvertFrom-Json
            & (Get-Module ActiveRolesUpgrade) { param($e, $w) ConvertTo-ARResultObject -EngineEvent $e -WhatIf:$w } $ev ([bool]$WhatIf)
        }
    }

    It 'reads timestamps with nine fraction digits, dates and already-parsed values as UTC (<Text>)' -ForEach @(
        @{ Text = '2026-12-02T15:57:29.041424526Z'; Expected = '2026-12-02T15:57:29.0414245Z' }
        @{ Text = '2026-12-02T15:57:29Z'; Expected = '2026-12-02T15:57:29.0000000Z' }
        @{ Text = '2026-12-02T16:57:29+01:00'; Expected = '2026-12-02T15:57:29.0000000Z' }
        @{ Text = '2024-03-05'; Expected = '2024-03-05T00:00:00.0000000Z' }
    ) {
        $json = '{"type":"result","resultType":"HistoryImportResult","data":{"cutoffUtc":"' + $Text + '","whatIf":false}}'
        $r = ConvertFrom-TestEvent $json
        $r.CutoffUtc | Should -BeOfType [datetime]
        $r.CutoffUtc.Kind | Should -Be 'Utc'
        $r.CutoffUtc.ToString('o') | Should -Be $Expected
    }

    It 'makes a [datetime] that ConvertFrom-Json already parsed UTC (PowerShell 7 does for some strings)' {
        $data = [pscustomobject]@{ cutoffUtc = [datetime]::SpecifyKind([datetime]'2026-01-02T03:04:05', 'Local'); whatIf = $false }
        $ev = [pscustomobject]@{ type = 'result'; resultType = 'HistoryImportResult'; data = $data }
        $r = & (Get-Module ActiveRolesUpgrade) { param($e) ConvertTo-ARResultObject -EngineEvent $e } $ev
        $r.CutoffUtc.Kind | Should -Be 'Utc'
        $r.CutoffUtc | Should -Be $data.cutoffUtc.ToUniversalTime()
    }

    It 'keeps a value that does not convert, and an empty GUID or version is $null' {
        $r = ConvertFrom-TestEvent '{"type":"result","resultType":"FixtureResult","data":{"installationId":"not-a-guid","encryptionKeyId":"","version":"dev"}}'
        $r.InstallationId | Should -BeExactly 'not-a-guid'
        $r.EncryptionKeyId | Should -BeNullOrEmpty
        $r.Version | Should -BeExactly 'dev'
    }

    It 'PascalCases properties the schema does not know, nested ones too, and keeps their values' {
        $r = ConvertFrom-TestEvent '{"type":"result","resultType":"DatabaseInfo","data":{"newField":{"innerValue":[{"deepName":1}]},"elapsedSeconds":1.5}}'
        $r.PSObject.Properties.Name | Should -Contain 'NewField'
        $r.NewField.PSObject.Properties.Name | Should -Be 'InnerValue'
        $r.NewField.InnerValue[0].PSObject.Properties.Name | Should -Be 'DeepName'
        $r.NewField.InnerValue[0].DeepName | Should -Be 1
    }

    It 'turns elapsedSeconds into a [timespan] Elapsed and keeps arrays of one object arrays' {
        $r = ConvertFrom-TestEvent '{"type":"result","resultType":"ExportResult","data":{"elapsedSeconds":1.234567891,"tables":{"Settings":5}}}'
        $r.PSObject.Properties.Name | Should -Not -Contain 'ElapsedSeconds'
        $r.Elapsed | Should -BeOfType [timespan]
        $r.Elapsed.TotalMilliseconds | Should -BeGreaterOrEqual 1234.5
        $r.Elapsed.TotalMilliseconds | Should -BeLessThan 1234.6
        $r.Tables.PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.Counts'
        $r.Tables.Settings | Should -BeOfType [long]
        $h = ConvertFrom-TestEvent '{"type":"result","resultType":"WebSite","data":{"bindings":[{"iisSiteName":"Default Web Site","applicationAlias":"A","state":"Active"}]}}'
        , $h.Bindings | Should -BeOfType [object[]]
        $h.Bindings.Count | Should -Be 1
        "$($h.Bindings[0])" | Should -Be 'Default Web Site/A (Active)'
    }

    It 'says a result of a -WhatIf request is a plan (<Type>: <Plan> / <Done>)' -ForEach @(
        @{ Type = 'ConfigurationImportResult'; Plan = 'WouldImport'; Done = 'Imported' }
        @{ Type = 'HistoryImportResult'; Plan = 'WouldImport'; Done = 'Imported' }
        @{ Type = 'CollectorImportResult'; Plan = 'WouldImport'; Done = 'Imported' }
        @{ Type = 'ServicesAssociationResult'; Plan = 'WouldAssociate'; Done = 'Associated' }
        @{ Type = 'WebSiteResult'; Plan = 'WouldCreate'; Done = 'Created' }
        @{ Type = 'WebSiteImport'; Plan = 'WouldImport'; Done = 'Imported' }
        @{ Type = 'WebSiteRemoval'; Plan = 'WouldRemove'; Done = 'Removed' }
    ) {
        (ConvertFrom-TestEvent ('{"type":"result","resultType":"' + $Type + '","data":{"whatIf":true}}')).Action | Should -Be $Plan
        (ConvertFrom-TestEvent ('{"type":"result","resultType":"' + $Type + '","data":{"whatIf":false}}')).Action | Should -Be $Done
        (ConvertFrom-TestEvent ('{"type":"result","resultType":"' + $Type + '","data":{"whatIf":false}}') -WhatIf).Action | Should -Be $Plan
        $obj = ConvertFrom-TestEvent ('{"type":"result","resultType":"' + $Type + '","data":{"whatIf":true}}')
        $obj.PSObject.Properties.Name[0] | Should -Be 'Action' -Because 'what happened is read first'
        $obj.PSObject.TypeNames[0] | Should -Be "ActiveRolesUpgrade.$Type"
        ($obj | Out-String) | Should -Match $Plan
    }

    It 'says which database principals a -WhatIf copy would create or update' {
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { 7 }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Principals')
            if ($q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        $q = [System.Collections.Generic.Queue[string]]::new()
        foreach ($a in 'Created', 'Updated', 'AlreadyPresent', 'Conflict') {
            $q.Enqueue('{"type":"result","resultType":"PrincipalCopyResult","data":{"name":"u' + $a + '","type":"User","action":"' + $a + '","reason":"r"}}')
        }
        $q.Enqueue('{"type":"outcome","outcome":"succeeded","exitCode":0}')
        [AppDomain]::CurrentDomain.SetData('ARTest.Principals', $q)
        $out = @(Copy-ARDatabasePrincipals -SourcePath (Join-Path $TestDrive 'a.arbundle') -DestinationServer sql01 -DestinationDatabase AR82 -WhatIf)
        $out.Action | Should -Be @('WouldCreate', 'WouldUpdate', 'AlreadyPresent', 'Conflict')
        $out[0].PSObject.Properties.Name | Should -Be @('Name', 'Type', 'Action', 'Reason')
    }

    It 'has a default view for every result type and every nested type that holds several values' {
        $types = & (Get-Module ActiveRolesUpgrade) { $script:ARResultSchema.Keys }
        $noView = @('VersionInfo', 'DatabaseRef', 'Endpoint', 'AddOn', 'ServicesSummary', 'PrincipalsInfo', 'Verification', 'UpgradeDatabase',
            'WebSiteRule', 'SourceFingerprint', 'UpgradeRequest')
        foreach ($t in $types | Where-Object { $noView -notcontains $_ }) {
            Get-FormatData -TypeName "ActiveRolesUpgrade.$t" | Should -Not -BeNullOrEmpty -Because "ActiveRolesUpgrade.$t is shown on its own"
        }
    }

    It 'reads every nested type without a view through its ToString, never as @{…}' {
        $nested = [pscustomobject]@{ name = 'mh.arbundle'; state = 'Blank' }
        $ev = [pscustomobject]@{ type = 'result'; resultType = 'HistoryImportResult'; data = [pscustomobject]@{ destination = $nested; whatIf = $true } }
        $r = & (Get-Module ActiveRolesUpgrade) { param($e) ConvertTo-ARResultObject -EngineEvent $e } $ev
        "$($r.Destination)" | Should -Be 'mh.arbundle (Blank)'
        $text = $r | Out-String
        $text | Should -Not -Match '\(\s*\)' -Because 'a destination to be created has no version yet (was "mh.arbundle ( )")'
        $text | Should -Not -Match '@\{'
        ($r | Format-List * | Out-String) | Should -Not -Match '@\{'
    }
}

BeforeDiscovery {
    # What each probe must be: the type's full name ("System.DateTime Utc" for timestamps).
    $probes = @(
        @{ Result = 'DatabaseInfo'; Expr = '$args[0].Version'; Type = 'System.Version' }
        @{ Result = 'DatabaseInfo'; Expr = '$args[0].InstallationId'; Type = 'System.Guid' }
        @{ Result = 'DatabaseInfo'; Expr = '$args[0].EncryptionKeyId'; Type = 'System.Guid' }
        @{ Result = 'DatabaseInfo'; Expr = '$args[0].Counts.ChangeRecord'; Type = 'System.Int64' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].Elapsed'; Type = 'System.TimeSpan' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].Source.Version'; Type = 'System.Version' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].Source.InstallationId'; Type = 'System.Guid' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].EncryptionKeyId'; Type = 'System.Guid' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].AzureTenants[0].TenantId'; Type = 'System.Guid' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].ScheduledTasksNotAssociated[0].TaskGuid'; Type = 'System.Guid' }
        @{ Result = 'ConfigurationImportResult'; Expr = '$args[0].Entities'; Type = 'System.Object[]' }
        @{ Result = 'HistoryImportResult'; Expr = '$args[0].CutoffUtc'; Type = 'System.DateTime Utc' }
        @{ Result = 'HistoryImportResult'; Expr = '$args[0].Elapsed'; Type = 'System.TimeSpan' }
        @{ Result = 'HistoryImportResult'; Expr = '$args[0].RecordsPerSecond'; Type = 'System.Double' }
        @{ Result = 'CollectorImportResult'; Expr = '$args[0].CutoffUtc'; Type = 'System.DateTime Utc' }
        @{ Result = 'FixtureResult'; Expr = '$args[0].CreatedUtc'; Type = 'System.DateTime Utc' }
        @{ Result = 'FixtureResult'; Expr = '$args[0].Version'; Type = 'System.Version' }
        @{ Result = 'WebSite'; Expr = '$args[0][0].SiteGuid'; Type = 'System.Guid' }
        @{ Result = 'WebSite'; Expr = '$args[0][0].ProductVersion'; Type = 'System.Version' }
        @{ Result = 'WebSite'; Expr = '$args[0][0].ModifiedUtc'; Type = 'System.DateTime Utc' }
        @{ Result = 'WebSiteResult'; Expr = '$args[0].SiteGuid'; Type = 'System.Guid' }
        @{ Result = 'WebSiteResult'; Expr = '$args[0].UpgradedFrom'; Type = 'System.Version' }
        @{ Result = 'WebSiteImport'; Expr = '$args[0].OriginalSiteGuid'; Type = 'System.Guid' }
        @{ Result = 'ServicesAssociationResult'; Expr = '$args[0].Changed[0].Key'; Type = 'System.Guid' }
        @{ Result = 'ExportResult'; Expr = '$args[0].Version'; Type = 'System.Version' }
        @{ Result = 'UpgradePlan'; Expr = '$args[0].CreatedUtc'; Type = 'System.DateTime Utc' }
        @{ Result = 'UpgradePlan'; Expr = '$args[0].Fingerprints[0].InstallationId'; Type = 'System.Guid' }
        @{ Result = 'UpgradeSummary'; Expr = '$args[0].Steps[0].StartedUtc'; Type = 'System.DateTime Utc' }
        @{ Result = 'UpgradeSummary'; Expr = '$args[0].Steps[0].Elapsed'; Type = 'System.TimeSpan' }
        @{ Result = 'UpgradeSummary'; Expr = '$args[0].Elapsed'; Type = 'System.TimeSpan' }
    )
    $names = 'DatabaseInfo', 'PrerequisiteCheck', 'ConfigurationPlan', 'ConfigurationImportResult', 'HistoryPlan', 'HistoryImportResult',
    'FixtureResult', 'CollectorPlan', 'CollectorImportResult', 'WebSite', 'WebSitePlan', 'WebSiteResult', 'WebSiteExport', 'WebSiteImportPlan',
    'WebSiteImport', 'WebSiteRemovalPlan', 'WebSiteRemoval', 'ServicesPlan', 'ServicesAssociationResult', 'ExportResult', 'UpgradePlan', 'UpgradeSummary'
    $named = $names | ForEach-Object { @{ Name = $_ } }
    $plans = @(
        @{ Name = 'ConfigurationPlan'; Type = 'ConfigurationImportResult'; Action = 'WouldImport' }
        @{ Name = 'ConfigurationImportResult'; Type = 'ConfigurationImportResult'; Action = 'Imported' }
        @{ Name = 'HistoryPlan'; Type = 'HistoryImportResult'; Action = 'WouldImport' }
        @{ Name = 'HistoryImportResult'; Type = 'HistoryImportResult'; Action = 'Imported' }
        @{ Name = 'CollectorPlan'; Type = 'CollectorImportResult'; Action = 'WouldImport' }
        @{ Name = 'WebSitePlan'; Type = 'WebSiteResult'; Action = 'WouldCreate' }
        @{ Name = 'WebSiteResult'; Type = 'WebSiteResult'; Action = 'Created' }
        @{ Name = 'WebSiteImportPlan'; Type = 'WebSiteImport'; Action = 'WouldImport' }
        @{ Name = 'WebSiteRemovalPlan'; Type = 'WebSiteRemoval'; Action = 'WouldRemove' }
        @{ Name = 'WebSiteRemoval'; Type = 'WebSiteRemoval'; Action = 'Removed' }
        @{ Name = 'ServicesPlan'; Type = 'ServicesAssociationResult'; Action = 'WouldAssociate' }
        @{ Name = 'ServicesAssociationResult'; Type = 'ServicesAssociationResult'; Action = 'Associated' }
    )
}

Describe 'Result objects of the cmdlets on the shipped samples (child pwsh)' -Tag 'Integration' -ForEach @(@{ Probes = $probes }) {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        if (-not $skip -and -not (Test-Path -LiteralPath $SampleBundle)) { $skip = "the sample $SampleBundle is not there" }
        if ($skip) { return }
        $work = Join-Path $TestDrive 'out'
        $null = New-Item -ItemType Directory -Force -Path $work
        $key = [System.IO.Path]::ChangeExtension($SampleBundle, '.key')
        $pwFile = [System.IO.Path]::ChangeExtension($SampleBundle, '.keypass.txt')
        # Each cmdlet's results on the samples, by a name; the checks run in the child (types do
        # not survive JSON) and come back as facts.
        $run = Invoke-ChildPwsh -TimeoutSeconds 300 -Script @"
Import-Module `$ManifestPath
`$S = '$SampleBundle'; `$W = '$work'
`$pw = ConvertTo-SecureString (Get-Content -Raw '$pwFile').Trim() -AsPlainText -Force
`$common = @{ LogPath = '-'; WarningAction = 'SilentlyContinue' }
`$r = [ordered]@{}
`$r.DatabaseInfo = Get-ARDatabaseInfo -Path `$S @common
`$r.PrerequisiteCheck = Test-ARUpgradePrerequisite -SourcePath `$S -DestinationPath "`$W/cfg.arbundle" -CreateDestination -ServicesServer ars.corp.example.com @common
`$r.ConfigurationPlan = Import-ARConfiguration -SourcePath `$S -DestinationPath "`$W/cfg.arbundle" -CreateDestination -KeyBackupPath '$key' -KeyBackupPassword `$pw -ServicesServer ars.corp.example.com -WhatIf @common
`$r.ConfigurationImportResult = Import-ARConfiguration -SourcePath `$S -DestinationPath "`$W/cfg.arbundle" -CreateDestination -KeyBackupPath '$key' -KeyBackupPassword `$pw -ServicesServer ars.corp.example.com @common
`$r.HistoryPlan = Import-ARManagementHistory -SourcePath `$S -DestinationPath "`$W/mh.arbundle" -CreateDestination -WhatIf @common
`$r.HistoryImportResult = Import-ARManagementHistory -SourcePath `$S -DestinationPath "`$W/mh.arbundle" -CreateDestination @common
`$r.FixtureResult = New-ARSampleDatabase -Version 8.1 -Role Collector -OutputPath "`$W/c81.arbundle" -Seed 7 @common
`$r.CollectorPlan = Import-ARCollectorEvents -SourcePath "`$W/c81.arbundle" -DestinationPath "`$W/c82.arbundle" -CreateDestination -WhatIf @common
`$r.CollectorImportResult = Import-ARCollectorEvents -SourcePath "`$W/c81.arbundle" -DestinationPath "`$W/c82.arbundle" -CreateDestination @common
`$r.WebSite = Get-ARWebSite -Path "`$W/cfg.arbundle" @common
`$r.WebSitePlan = New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp82 -DestinationPath "`$W/cfg.arbundle" -WhatIf @common
`$r.WebSiteResult = New-ARWebSite 'Site for Administrators (7.6)' -Template Administrators -ApplicationAlias ARWebAdmin82 -DestinationPath "`$W/cfg.arbundle" -Confirm:`$false @common
`$r.WebSiteExport = Export-ARWebSiteConfiguration 'Site for Administrators (7.6)' -SourcePath "`$W/cfg.arbundle" -OutputPath "`$W/site.json" @common
`$r.WebSiteImportPlan = Import-ARWebSiteConfiguration "`$W/site.json" -DestinationPath "`$W/cfg.arbundle" -Name Restored -WhatIf @common
`$r.WebSiteImport = Import-ARWebSiteConfiguration "`$W/site.json" -DestinationPath "`$W/cfg.arbundle" -Name Restored -Force @common
`$r.WebSiteRemovalPlan = Remove-ARWebSite 'Restored' -DestinationPath "`$W/cfg.arbundle" -IncludeConfiguration -Force -WhatIf @common
`$r.WebSiteRemoval = Remove-ARWebSite 'Restored' -DestinationPath "`$W/cfg.arbundle" -IncludeConfiguration -Force @common
`$r.ServicesPlan = Set-ARServicesAssociation -ServicesServer ars03.corp.example.com -DestinationPath "`$W/cfg.arbundle" -WhatIf @common
`$r.ServicesAssociationResult = Set-ARServicesAssociation -ServicesServer ars02.corp.example.com -DestinationPath "`$W/cfg.arbundle" -Confirm:`$false @common
`$r.ExportResult = Export-ARDatabase -SourcePath "`$W/cfg.arbundle" -OutputPath "`$W/export.arbundle" @common
`$r.UpgradePlan = Invoke-ARUpgrade -SourcePath `$S -DestinationPath "`$W/up" -SkipEncryptedData -ServicesServer ars82.corp.example.com -PlanPath "`$W/plan.json" -WhatIf @common |
    Where-Object { `$_.PSObject.TypeNames[0] -eq 'ActiveRolesUpgrade.UpgradePlan' }
`$r.UpgradeSummary = Invoke-ARUpgrade -PlanPath "`$W/plan.json" -Confirm:`$false @common |
    Where-Object { `$_.PSObject.TypeNames[0] -eq 'ActiveRolesUpgrade.UpgradeSummary' }

function Get-ShapeProblem {
    # Property names that are not PascalCase and nested objects without a type of their own.
    param(`$Object, [string]`$Path)
    foreach (`$p in `$Object.PSObject.Properties) {
        if (`$p.Name -cnotmatch '^[A-Z]') { "not PascalCase: `$Path.`$(`$p.Name)" }
        if (`$p.Name -eq 'ElapsedSeconds') { "seconds, not a [timespan]: `$Path.`$(`$p.Name)" }
        foreach (`$item in @(`$p.Value)) {
            if (`$item -is [System.Management.Automation.PSCustomObject]) {
                if (`$item.PSObject.TypeNames[0] -notlike 'ActiveRolesUpgrade.*') { "untyped: `$Path.`$(`$p.Name)" }
                Get-ShapeProblem -Object `$item -Path "`$Path.`$(`$p.Name)"
            }
        }
    }
}
`$facts = [ordered]@{}
foreach (`$name in `$r.Keys) {
    `$objects = @(`$r[`$name])
    `$facts[`$name] = [ordered]@{
        Count    = `$objects.Count
        Type     = if (`$objects.Count) { `$objects[0].PSObject.TypeNames[0] } else { `$null }
        Action   = if (`$objects.Count -and `$objects[0].PSObject.Properties['Action']) { [string]`$objects[0].Action } else { `$null }
        Problems = @(foreach (`$o in `$objects) { Get-ShapeProblem -Object `$o -Path `$name }) | Select-Object -Unique
        Default  = (`$objects | Out-String -Width 200)
        Table    = (`$objects | Format-Table | Out-String -Width 200)
        List     = (`$objects | Format-List * | Out-String -Width 200)
    }
}
# Types by expression, evaluated here: the type's full name, and a [datetime]'s Kind.
`$probes = '$((ConvertTo-Json -Compress -InputObject $Probes) -replace "'", "''")' | ConvertFrom-Json
`$types = [ordered]@{}
foreach (`$p in `$probes) {
    `$v = & ([scriptblock]::Create(`$p.Expr)) `$r[`$p.Result]
    `$types["`$(`$p.Result) `$(`$p.Expr)"] = if (`$null -eq `$v) { 'null' } elseif (`$v -is [datetime]) { "System.DateTime `$(`$v.Kind)" } else { `$v.GetType().FullName }
}
[pscustomobject]@{ Facts = `$facts; Types = `$types } | ConvertTo-Json -Compress -Depth 6
"@
        $childRun = ConvertFrom-ChildJson $run
    }

    BeforeEach {
        if ($skip) { Set-ItResult -Skipped -Because $skip }
    }

    It '<Name>: PascalCase at every level, every nested object typed, no @{ in the default, table or list view' -ForEach $named {
        $f = $childRun.Facts.$Name
        $f.Count | Should -BeGreaterThan 0 -Because "$Name wrote a result"
        $f.Type | Should -BeLike 'ActiveRolesUpgrade.*'
        @($f.Problems) | Should -BeNullOrEmpty
        $f.Default | Should -Not -Match '@\{'
        $f.Table | Should -Not -Match '@\{'
        $f.List | Should -Not -Match '@\{'
    }

    It '<Result> <Expr> is <Type>' -ForEach $probes {
        $childRun.Types."$Result $Expr" | Should -Be $Type
    }

    It '<Name> says <Action> in its object and its default view' -ForEach $plans {
        $f = $childRun.Facts.$Name
        $f.Type | Should -Be "ActiveRolesUpgrade.$Type"
        $f.Action | Should -Be $Action
        $f.Default | Should -Match "\b$Action\b"
    }

    It 'shows the destination of a history import plan with what is known of it (not "mh.arbundle ( )")' {
        $f = $childRun.Facts.HistoryPlan
        $f.Default | Should -Match 'Destination\s+: .*mh\.arbundle \((8\.2\.0 ManagementHistory, )?Blank\)'
        $f.Default | Should -Not -Match '\(\s*\)'
    }
}
