# Invoke-ARUpgrade: the whole upgrade in one resumable run. The unit test mocks the native
# wrapper; the integration test runs the engine in a child pwsh on the shipped 7.6 sample.

Describe 'Invoke-ARUpgrade requests' -Tag 'Unit' {
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

    It 'sends the upgrade with a destination folder, site rules and whatIf for -WhatIf' {
        $out = Join-Path $TestDrive 'out'
        Invoke-ARUpgrade -SourcePath (Join-Path $TestDrive 'ar76.arbundle') -DestinationPath $out -SkipEncryptedData `
            -ServicesServer ars82.corp.example.com -WebSites @{ 'Site for Administrators (7.6)' = 'ARWebAdmin' } -WhatIf -LogPath '-'
        $r = Get-LastRequest
        $r.operation | Should -Be 'upgrade'
        $r.params.whatIf | Should -BeTrue
        $r.params.destination.path | Should -Be $out
        $r.params.webSites.'Site for Administrators (7.6)' | Should -Be 'ARWebAdmin'
        $r.params.servicesServer | Should -Be 'ars82.corp.example.com'
    }

    It 'runs a plan by its path alone' {
        $plan = Join-Path $TestDrive 'plan.json'
        Invoke-ARUpgrade -PlanPath $plan -LogPath '-' -Confirm:$false
        $r = Get-LastRequest
        $r.params.planPath | Should -Be $plan
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'source'
        $r.params.whatIf | Should -BeFalse
    }
}

Describe 'Invoke-ARUpgrade on the shipped 7.6 sample (child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        if (-not $skip -and -not (Test-Path -LiteralPath $SampleBundle)) { $skip = "the sample $SampleBundle is not there" }
        if (-not $skip) {
            $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
& (Get-Module ActiveRolesUpgrade) {
    function Get-Ops { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'version' -LogPath '-' }
    Get-Ops
} | ConvertTo-Json -Compress -Depth 5
'@
            if (@((ConvertFrom-ChildJson $run).operations) -notcontains 'upgrade') {
                $skip = "this engine build has no 'upgrade' operation yet (build it: ./build.ps1 -Task Build)"
            }
        }
    }

    It 'writes a plan with -WhatIf, runs exactly that plan, and does nothing the second time' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $out = Join-Path $TestDrive 'out'
        $plan = Join-Path $TestDrive 'plan.json'
        $run = Invoke-ChildPwsh -TimeoutSeconds 240 -Script @"
Import-Module `$ManifestPath
`$p = Invoke-ARUpgrade -SourcePath '$SampleBundle' -DestinationPath '$out' -SkipEncryptedData -ServicesServer ars82.corp.example.com ``
    -WebSites @{ 'Site for Administrators (7.6)' = 'ARWebAdmin' } -PlanPath '$plan' -WhatIf -LogPath '-' -WarningAction SilentlyContinue |
    Where-Object { `$_.PSObject.TypeNames[0] -eq 'ActiveRolesUpgrade.UpgradePlan' }
`$createdByPlan = Test-Path '$out/ActiveRoles820.arbundle'
`$all = @(Invoke-ARUpgrade -PlanPath '$plan' -Confirm:`$false -LogPath '-' -WarningAction SilentlyContinue)
`$sum = `$all[-1]
`$again = @(Invoke-ARUpgrade -PlanPath '$plan' -Confirm:`$false -LogPath '-' -WarningAction SilentlyContinue)
`$err = try { Invoke-ARUpgrade -SourcePath '$SampleBundle' -DestinationPath '$out' -ServicesServer other.corp.example.com -SkipEncryptedData -PlanPath '$plan' -Confirm:`$false -LogPath '-' -ErrorAction Stop; 'none' } catch { `$_.FullyQualifiedErrorId }
[pscustomobject]@{
    PlanType = `$p.PSObject.TypeNames[0]; PlanDbs = @(`$p.databases.name); CreatedByPlan = `$createdByPlan
    Types = @(`$all | ForEach-Object { `$_.PSObject.TypeNames[0] })
    SumType = `$sum.PSObject.TypeNames[0]; Outcome = `$sum.outcome; Steps = @(`$sum.steps | ForEach-Object { "`$(`$_.name)=`$(`$_.status)" })
    Sections = @(`$sum.followUps.guideSection); Formatted = (`$sum | Out-String)
    Again = @(`$again | ForEach-Object outcome); AgainCount = `$again.Count
    Files = @(Get-ChildItem '$out' | ForEach-Object Name); Err = `$err
} | ConvertTo-Json -Compress -Depth 5
"@
        $r = ConvertFrom-ChildJson $run
        $r.PlanType | Should -Be 'ActiveRolesUpgrade.UpgradePlan'
        $r.PlanDbs | Should -Be @('ActiveRoles820', 'ActiveRoles820_MH')
        $r.CreatedByPlan | Should -BeFalse
        $r.Types | Should -Contain 'ActiveRolesUpgrade.ConfigurationImportResult'
        $r.Types | Should -Contain 'ActiveRolesUpgrade.HistoryImportResult'
        $r.Types | Should -Contain 'ActiveRolesUpgrade.WebSiteResult'
        $r.SumType | Should -Be 'ActiveRolesUpgrade.UpgradeSummary'
        $r.Outcome | Should -Be 'Succeeded'
        $r.Steps | Should -Be @('ImportConfiguration=Succeeded', 'AssociateServices=Succeeded', 'ImportHistory=Succeeded', 'CopyPrincipals=Skipped', 'CreateWebSites=Succeeded')
        $r.Sections | Should -Contain 'Reconfiguring Azure tenants during upgrade configuration'
        $r.Sections | Should -Contain 'Configuring Active Roles 8.2 during in-place upgrade'
        $r.Formatted | Should -Match 'FollowUps'
        $r.Formatted | Should -Match 'guide: '
        $r.AgainCount | Should -Be 1
        $r.Again | Should -Be @('AlreadyComplete')
        $r.Files | Should -Contain 'ActiveRoles820.arbundle'
        $r.Files | Should -Contain 'ActiveRoles820_MH.arbundle'
        $r.Err | Should -BeLike 'AR-PLAN*'
    }
}
