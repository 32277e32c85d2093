# Invoke-ARUpgrade with -CollectorSource: the Collector's events as the upgrade's last step.
# The unit tests mock the native wrapper; the integration test runs the engine in a child pwsh
# on the shipped 7.6 sample and a generated 7.6 Collector database (bundles).

Describe 'Invoke-ARUpgrade -CollectorSource requests' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        function Get-LastRequest { [AppDomain]::CurrentDomain.GetData('ARTest.Request') | ConvertFrom-Json }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Request', $null)
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.SetData('ARTest.Request', $RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'sends a bundle Collector source as typed (anchored at the current folder) and the new database name' {
        Push-Location $TestDrive
        try {
            Invoke-ARUpgrade -SourcePath (Join-Path $TestDrive 'ar76.arbundle') -DestinationPath (Join-Path $TestDrive 'out') -SkipEncryptedData `
                -ServicesServer ars82.corp.example.com -CollectorSource 'c76.arbundle' -CollectorDatabase 'RP82' -WhatIf -LogPath '-'
        } finally { Pop-Location }
        $r = Get-LastRequest
        $r.params.collectorSource.location | Should -Be 'c76.arbundle'
        $r.params.collectorSource.baseDirectory | Should -Be ([string](Get-Item $TestDrive).FullName)
        $r.params.collectorSource.PSObject.Properties.Name | Should -Not -Contain 'create'
        $r.params.collectorDatabase | Should -Be 'RP82'
    }

    It 'sends a SQL Server Collector source with its database, credential and authentication' {
        $cred = [pscredential]::new('rpreader', (ConvertTo-SecureString 'Rp-Pa55word!' -AsPlainText -Force))
        Invoke-ARUpgrade -SourcePath (Join-Path $TestDrive 'ar76.arbundle') -DestinationServer sql02.corp.example.com -SkipEncryptedData `
            -ServicesServer ars82.corp.example.com -CollectorSource sql-rp.corp.example.com -CollectorSourceDatabase ARCollector76 `
            -CollectorSourceCredential $cred -CollectorSourceAuthentication SqlLogin -Confirm:$false -LogPath '-'
        $r = Get-LastRequest
        $r.params.collectorSource.location | Should -Be 'sql-rp.corp.example.com'
        $r.params.collectorSource.database | Should -Be 'ARCollector76'
        $r.params.collectorSource.user | Should -Be 'rpreader'
        $r.params.collectorSource.password | Should -Be 'Rp-Pa55word!'
        $r.params.collectorSource.auth | Should -Be 'SqlLogin'
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'collectorDatabase'
    }

    It 'takes a FileInfo as the Collector source' {
        $f = New-Item -ItemType File -Path (Join-Path $TestDrive 'c81.arbundle') -Force
        Invoke-ARUpgrade -SourcePath (Join-Path $TestDrive 'ar76.arbundle') -DestinationPath (Join-Path $TestDrive 'out') -SkipEncryptedData `
            -ServicesServer ars82.corp.example.com -CollectorSource $f -WhatIf -LogPath '-'
        (Get-LastRequest).params.collectorSource.path | Should -Be $f.FullName
    }

    It 'sends no Collector source without -CollectorSource (the request is as before)' {
        Invoke-ARUpgrade -SourcePath (Join-Path $TestDrive 'ar76.arbundle') -DestinationPath (Join-Path $TestDrive 'out') -SkipEncryptedData `
            -ServicesServer ars82.corp.example.com -WhatIf -LogPath '-'
        $names = (Get-LastRequest).params.PSObject.Properties.Name
        $names | Should -Not -Contain 'collectorSource'
        $names | Should -Not -Contain 'collectorDatabase'
    }

    It 'documents the Collector parameters and an example' {
        $help = Get-Help Invoke-ARUpgrade -Full
        $names = @($help.parameters.parameter.name)
        foreach ($p in 'CollectorSource', 'CollectorSourceDatabase', 'CollectorSourceCredential', 'CollectorSourceAuthentication', 'CollectorDatabase') {
            $names | Should -Contain $p
            ($help.parameters.parameter | Where-Object name -eq $p).description.Text | Should -Not -BeNullOrEmpty
        }
        ($help.examples.example.code -join "`n") | Should -Match '-CollectorSource'
        $help.description.Text -join "`n" | Should -Match 'ImportCollector'
    }
}

Describe 'Invoke-ARUpgrade -CollectorSource on the samples (child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        if (-not $skip -and -not (Test-Path -LiteralPath $SampleBundle)) { $skip = "the sample $SampleBundle is not there" }
    }

    It 'plans the Collector step, imports the events last, adds nothing the second time, and refuses a Collector database as -Source (AR-E003)' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $out = Join-Path $TestDrive 'out'
        $plan = Join-Path $TestDrive 'plan.json'
        $c76 = Join-Path $TestDrive 'c76.arbundle'
        $run = Invoke-ChildPwsh -TimeoutSeconds 300 -Script @"
Import-Module `$ManifestPath
`$null = New-ARSampleDatabase -Version 7.6 -Role Collector -OutputPath '$c76' -HistoryRecords 120 -LogPath '-' -WarningAction SilentlyContinue
`$ops = & (Get-Module ActiveRolesUpgrade) {
    function Get-Ops { [CmdletBinding()] param() Invoke-AREngine -Cmdlet `$PSCmdlet -Operation 'version' -LogPath '-' }
    Get-Ops
}
`$p = Invoke-ARUpgrade -SourcePath '$SampleBundle' -DestinationPath '$out' -SkipEncryptedData -ServicesServer ars82.corp.example.com ``
    -CollectorSource '$c76' -PlanPath '$plan' -WhatIf -LogPath '-' -WarningAction SilentlyContinue |
    Where-Object { `$_.PSObject.TypeNames[0] -eq 'ActiveRolesUpgrade.UpgradePlan' }
`$createdByPlan = Test-Path '$out/ActiveRoles820_Collector.arbundle'
`$all = @(Invoke-ARUpgrade -PlanPath '$plan' -Confirm:`$false -LogPath '-' -WarningAction SilentlyContinue)
`$sum = `$all[-1]
`$collector = @(`$all | Where-Object { `$_.PSObject.TypeNames[0] -eq 'ActiveRolesUpgrade.CollectorImportResult' })
`$again = @(Invoke-ARUpgrade -PlanPath '$plan' -Confirm:`$false -LogPath '-' -WarningAction SilentlyContinue)
`$info = Get-ARDatabaseInfo -Source '$out/ActiveRoles820_Collector.arbundle' -LogPath '-'
`$err = try { Invoke-ARUpgrade -SourcePath '$c76' -DestinationPath '$TestDrive/out2' -SkipEncryptedData -ServicesServer ars82.corp.example.com -Confirm:`$false -LogPath '-' -ErrorAction Stop; 'none' } catch { `$_.FullyQualifiedErrorId }
[pscustomobject]@{
    Ops = @(`$ops.operations)
    PlanDbs = @(`$p.databases | ForEach-Object { "`$(`$_.role)=`$(`$_.name)" }); PlanSteps = @(`$p.steps.name); PlanFormatted = (`$p | Out-String)
    CreatedByPlan = `$createdByPlan; LastStepType = `$all[-2].PSObject.TypeNames[0]
    Outcome = `$sum.outcome; Steps = @(`$sum.steps | ForEach-Object { "`$(`$_.name)=`$(`$_.status)" }); CollectorDatabase = `$sum.collectorDatabase
    Added = `$collector[0].added; Formatted = (`$sum | Out-String)
    Again = @(`$again | ForEach-Object outcome); Events = `$info.counts.CollectedEvent; Role = `$info.role
    Files = @(Get-ChildItem '$out' | ForEach-Object Name); Err = `$err
} | ConvertTo-Json -Compress -Depth 5
"@
        $r = ConvertFrom-ChildJson $run
        if ($r.Ops -notcontains 'upgrade') { Set-ItResult -Skipped -Because 'this engine build has no upgrade operation (./build.ps1 -Task Build)'; return }
        $r.PlanDbs | Should -Be @('Configuration=ActiveRoles820', 'ManagementHistory=ActiveRoles820_MH', 'Collector=ActiveRoles820_Collector')
        $r.PlanSteps[-1] | Should -Be 'ImportCollector'
        $r.PlanFormatted | Should -Match 'ImportCollector'
        $r.CreatedByPlan | Should -BeFalse
        $r.LastStepType | Should -Be 'ActiveRolesUpgrade.CollectorImportResult'
        $r.Outcome | Should -Be 'Succeeded'
        $r.Steps[-1] | Should -Be 'ImportCollector=Succeeded'
        $r.CollectorDatabase | Should -BeLike '*ActiveRoles820_Collector.arbundle'
        $r.Added | Should -BeGreaterThan 0
        $r.Formatted | Should -Match 'Collector'
        $r.Again | Should -Be @('AlreadyComplete')
        $r.Role | Should -Be 'Collector'
        $r.Events | Should -Be $r.Added
        $r.Files | Should -Contain 'ActiveRoles820_Collector.arbundle'
        $r.Err | Should -BeLike 'AR-E003*'
    }
}
