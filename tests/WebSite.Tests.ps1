# Web Interface sites (the guide's "Upgrading the Active Roles Web Interface"): Get-ARWebSite,
# New-ARWebSite from the pipeline, Remove-ARWebSite, Export-/Import-ARWebSiteConfiguration.
# Unit tests mock the native wrapper; integration tests run the engine in a child pwsh.

Describe 'Get-ARWebSite requests' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $cfg = Join-Path $TestDrive 'ar82.arbundle'
        function Get-LastRequest { [AppDomain]::CurrentDomain.GetData('ARTest.Request') | ConvertFrom-Json }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Request', $null)
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.SetData('ARTest.Request', $RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'sends list-websites with the source and no names by default' {
        Get-ARWebSite -Path $cfg
        $r = Get-LastRequest
        $r.operation | Should -Be 'list-websites'
        $r.params.source.location | Should -Be $cfg
        @($r.params.names).Count | Should -Be 0
        $r.params.PSObject.Properties.Name | Should -Contain 'names'
    }

    It 'passes -Name patterns to the engine unchanged (the engine matches them, for the CLI too)' {
        Get-ARWebSite '*(7.6)', 'Site for HelpDesk `(8.2`)' -Path $cfg
        @((Get-LastRequest).params.names) | Should -Be @('*(7.6)', 'Site for HelpDesk `(8.2`)')
        Get-ARWebSite -Name 'Contoso Portal' -Server sql02.corp.example.com -Database ARConfig82
        $r = Get-LastRequest
        @($r.params.names) | Should -Be @('Contoso Portal')
        $r.params.source.location | Should -Be 'sql02.corp.example.com'
    }

    It 'is announced in the manifest''s release notes, with no site command called unavailable' {
        $notes = (Import-PowerShellDataFile -Path $ManifestPath).PrivateData.PSData.ReleaseNotes
        foreach ($c in 'Get-ARWebSite', 'New-ARWebSite', 'Remove-ARWebSite', 'Export-ARWebSiteConfiguration', 'Import-ARWebSiteConfiguration') { $notes | Should -Match $c }
        $notes | Should -Not -Match 'not available'
    }

    It 'reads only: no -WhatIf, and -Name supports wildcards' {
        $command = Get-Command Get-ARWebSite -Module ActiveRolesUpgrade
        $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.SupportsShouldProcess | Should -BeFalse
        $command.Parameters.Name.Attributes.TypeId.Name | Should -Contain 'SupportsWildcardsAttribute'
    }

    It 'types each result as ActiveRolesUpgrade.WebSite' {
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Queue')
            if ($q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        $q = [System.Collections.Generic.Queue[string]]::new()
        $q.Enqueue('{"type":"result","resultType":"WebSite","data":{"name":"Site for HelpDesk (8.2)","siteGuid":"0f732607-ad8c-4301-91f3-3dd063200df0","template":"HelpDesk","isDefault":true,"bindings":[{"iisSiteName":"Default Web Site","applicationAlias":"ARWebHelpDesk","state":"Active"}]}}')
        $q.Enqueue('{"type":"outcome","outcome":"succeeded","exitCode":0}')
        [AppDomain]::CurrentDomain.SetData('ARTest.Queue', $q)
        $site = Get-ARWebSite -Path $cfg
        $site.PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.WebSite'
        $site.isDefault | Should -BeTrue
        ($site | Format-Table | Out-String -Width 300) | Should -Match 'Default Web Site/ARWebHelpDesk \(Active\)'
    }
}

Describe 'New-ARWebSite from the pipeline' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $cfg = Join-Path $TestDrive 'ar82.arbundle'
        # What Get-ARWebSite writes for two sites imported from 7.6.
        function New-Site([string]$Name, [string]$Guid, [string]$Template) {
            $o = [pscustomobject]@{ name = $Name; siteGuid = $Guid; template = $Template; productVersion = '7.6'; isDefault = $false
                currentRevision = 1; revisions = 1; bindings = @(); sourceSiteGuid = '11111111-2222-4333-8444-555555555555' }
            $o.PSObject.TypeNames.Insert(0, 'ActiveRolesUpgrade.WebSite')
            $o
        }
        $admin = New-Site 'Site for Administrators (7.6)' '94937950-12fa-4ea7-8b3d-14ae83e56e91' 'Administrators'
        $help = New-Site 'Site for HelpDesk (7.6)' '0f732607-ad8c-4301-91f3-3dd063200df0' 'HelpDesk'
        function Get-Requests { @([AppDomain]::CurrentDomain.GetData('ARTest.Requests') | ForEach-Object { $_ | ConvertFrom-Json }) }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Requests', [System.Collections.Generic.List[string]]::new())
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.GetData('ARTest.Requests').Add($RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'creates one site per piped object: its GUID as the source, its template, a script-block alias each' {
        $admin, $help | New-ARWebSite -ApplicationAlias { "ARWeb$($_.template)" } -DestinationPath $cfg -Confirm:$false
        $r = Get-Requests
        $r.Count | Should -Be 2
        $r.operation | Should -Be @('new-website', 'new-website')
        $r.params.sourceSite | Should -Be @($admin.siteGuid, $help.siteGuid)
        $r.params.template | Should -Be @('Administrators', 'HelpDesk')
        $r.params.applicationAlias | Should -Be @('ARWebAdministrators', 'ARWebHelpDesk')
        $r.params.iisSiteName | Should -Be @('Default Web Site', 'Default Web Site')
        # The old object's name and source are not the new site's.
        $r.params | ForEach-Object { $_.PSObject.Properties.Name | Should -Not -Contain 'name' }
    }

    It 'lets -Template and -IisSiteName given on the command line win over the piped object' {
        $help | New-ARWebSite -Template SelfAdministration -ApplicationAlias ARWebSelf -IisSiteName 'Intranet' -DestinationPath $cfg -Confirm:$false
        $r = Get-Requests
        $r[0].params.template | Should -Be 'SelfAdministration'
        $r[0].params.iisSiteName | Should -Be 'Intranet'
    }

    It 'refuses a piped Custom site without -Template, and still creates the others' {
        $custom = New-Site 'Contoso Portal' '46a3b2df-093a-4910-9875-2f2766821393' 'Custom'
        $out = $admin, $custom | New-ARWebSite -ApplicationAlias { "A$($_.revisions)$($_.template)" } -DestinationPath $cfg -Confirm:$false -ErrorAction Continue 2>&1
        (Get-Requests).Count | Should -Be 1
        $errs = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errs.Count | Should -Be 1
        [string]$errs[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        [string]$errs[0] | Should -Match 'Template'
    }

    It 'writes nothing under -WhatIf: each piped site becomes a whatIf request' {
        $admin, $help | New-ARWebSite -ApplicationAlias { "ARWeb$($_.template)" } -DestinationPath $cfg -WhatIf
        $r = Get-Requests
        $r.Count | Should -Be 2
        $r.params.whatIf | Should -Be @($true, $true)
    }
}

Describe 'Remove-ARWebSite' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $cfg = Join-Path $TestDrive 'ar82.arbundle'
        function Get-Requests { @([AppDomain]::CurrentDomain.GetData('ARTest.Requests') | ForEach-Object { $_ | ConvertFrom-Json }) }
        # A runspace whose host cannot prompt: a confirmation request fails there instead of waiting.
        function Invoke-WithoutHost {
            param([string]$Arguments)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript(@"
Import-Module '$ManifestPath'
& (Get-Module ActiveRolesUpgrade) { function script:Start-ARNativeJob { param(`$RequestJson) [AppDomain]::CurrentDomain.SetData('ARTest.EngineCalled', `$true); throw 'stop' } }
try { Remove-ARWebSite 'Site for HelpDesk (8.2)' -DestinationPath '$TestDrive/d.arbundle' $Arguments; 'NO ERROR' } catch { `$_.Exception.Message }
"@)
                [AppDomain]::CurrentDomain.SetData('ARTest.EngineCalled', $false)
                $message = ($ps.Invoke() | Select-Object -Last 1) -as [string]
                if ([AppDomain]::CurrentDomain.GetData('ARTest.EngineCalled')) { 'ENGINE CALLED' } else { $message }
            } finally { $ps.Dispose() }
        }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Requests', [System.Collections.Generic.List[string]]::new())
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.GetData('ARTest.Requests').Add($RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'is a ConfirmImpact High writer' {
        $binding = (Get-Command Remove-ARWebSite -Module ActiveRolesUpgrade).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.SupportsShouldProcess | Should -BeTrue
        [string]$binding.ConfirmImpact | Should -Be 'High'
    }

    It 'asks before removing (the prompt fails in a host that cannot prompt, and nothing runs)' {
        $r = Invoke-WithoutHost '-IncludeConfiguration'
        $r | Should -Not -Be 'ENGINE CALLED'
        $r | Should -Match 'prompt|interaction|NonInteractive'
    }

    It 'does not ask with -Force or -Confirm:$false' {
        Invoke-WithoutHost '-Force' | Should -Be 'ENGINE CALLED'
        Invoke-WithoutHost '-Confirm:$false' | Should -Be 'ENGINE CALLED'
    }

    It 'sends remove-website with the site, the binding filter and the switches' {
        Remove-ARWebSite 'Contoso Portal' -DestinationPath $cfg -ApplicationAlias ARWebAdmin3 -IncludeConfiguration -Force
        $r = (Get-Requests)[0]
        $r.operation | Should -Be 'remove-website'
        $r.params.site | Should -Be 'Contoso Portal'
        $r.params.applicationAlias | Should -Be 'ARWebAdmin3'
        $r.params.iisSiteName | Should -Be ''
        $r.params.includeConfiguration | Should -BeTrue
        $r.params.force | Should -BeTrue
        $r.params.whatIf | Should -BeFalse
        $r.params.destination.location | Should -Be $cfg
    }

    It 'sends force:false without -Force (the engine refuses anything but the three defaults then)' {
        Remove-ARWebSite 'Site for HelpDesk (8.2)' -DestinationPath $cfg -Confirm:$false
        (Get-Requests)[0].params.force | Should -BeFalse
        (Get-Requests)[0].params.includeConfiguration | Should -BeFalse
    }

    It 'removes each piped site by name, and -WhatIf asks the engine for a plan of each' {
        $sites = 'Site for Administrators (8.2)', 'Site for HelpDesk (8.2)' | ForEach-Object { [pscustomobject]@{ name = $_; siteGuid = [guid]::NewGuid().ToString(); isDefault = $true } }
        $sites | Remove-ARWebSite -DestinationPath $cfg -IncludeConfiguration -WhatIf
        $r = Get-Requests
        $r.params.site | Should -Be @('Site for Administrators (8.2)', 'Site for HelpDesk (8.2)')
        $r.params.whatIf | Should -Be @($true, $true)
    }

    It 'takes a New-ARWebSite result from the pipeline: its name, website and alias' {
        [pscustomobject]@{ name = 'Site for HelpDesk (8.2) (2)'; siteGuid = [guid]::NewGuid().ToString(); iisSiteName = 'Intranet'; applicationAlias = 'ARHelp' } |
            Remove-ARWebSite -DestinationPath $cfg -Force
        $r = (Get-Requests)[0]
        $r.params.site | Should -Be 'Site for HelpDesk (8.2) (2)'
        $r.params.iisSiteName | Should -Be 'Intranet'
        $r.params.applicationAlias | Should -Be 'ARHelp'
    }
}

Describe 'Export-ARWebSiteConfiguration and Import-ARWebSiteConfiguration requests' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $cfg = Join-Path $TestDrive 'ar82.arbundle'
        function Get-Requests { @([AppDomain]::CurrentDomain.GetData('ARTest.Requests') | ForEach-Object { $_ | ConvertFrom-Json }) }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Requests', [System.Collections.Generic.List[string]]::new())
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.GetData('ARTest.Requests').Add($RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'exports to an absolute file path, overwriting only with -Force' {
        Push-Location $TestDrive
        try { Export-ARWebSiteConfiguration 'Contoso Portal' -SourcePath $cfg -OutputPath 'contoso.json' } finally { Pop-Location }
        $r = (Get-Requests)[0]
        $r.operation | Should -Be 'export-website'
        $r.params.site | Should -Be 'Contoso Portal'
        $r.params.out | Should -Be (Join-Path (Get-Item $TestDrive).FullName 'contoso.json')
        $r.params.overwrite | Should -BeFalse
        $r.params.source.location | Should -Be $cfg
        Export-ARWebSiteConfiguration 'Contoso Portal' -SourcePath $cfg -OutputPath (Join-Path $TestDrive 'c.json') -Force
        (Get-Requests)[1].params.overwrite | Should -BeTrue
    }

    It 'names one file per piped site inside a folder' {
        $folder = Join-Path $TestDrive 'backup'
        $null = New-Item -ItemType Directory -Force -Path $folder
        [pscustomobject]@{ name = 'Site for HelpDesk (8.2)' }, [pscustomobject]@{ name = 'A/B: "C"?' } | Export-ARWebSiteConfiguration -SourcePath $cfg -OutputPath $folder
        $r = Get-Requests
        $r.params.site | Should -Be @('Site for HelpDesk (8.2)', 'A/B: "C"?')
        $r[0].params.out | Should -Be (Join-Path (Get-Item $folder).FullName 'Site for HelpDesk (8.2).json')
        [System.IO.Path]::GetFileName($r[1].params.out) | Should -Be 'A_B_ _C__.json'
    }

    It 'does not export under -WhatIf' {
        Export-ARWebSiteConfiguration 'Contoso Portal' -SourcePath $cfg -OutputPath (Join-Path $TestDrive 'w.json') -WhatIf
        (Get-Requests).Count | Should -Be 0
    }

    It 'imports a file (absolute path) with its options, and -WhatIf asks the engine for a plan' {
        Import-ARWebSiteConfiguration (Join-Path $TestDrive 'c.json') -DestinationPath $cfg -Name 'Restored portal' -LegacyBindings -Force
        $r = (Get-Requests)[0]
        $r.operation | Should -Be 'import-website'
        $r.params.path | Should -Be (Join-Path $TestDrive 'c.json')
        $r.params.name | Should -Be 'Restored portal'
        $r.params.legacyBindings | Should -BeTrue
        $r.params.whatIf | Should -BeFalse
        Import-ARWebSiteConfiguration (Join-Path $TestDrive 'c.json') -DestinationPath $cfg -WhatIf
        (Get-Requests)[1].params.whatIf | Should -BeTrue
        (Get-Requests)[1].params.legacyBindings | Should -BeFalse
    }

    It 'takes files from Get-ChildItem and export results from the pipeline' {
        $folder = Join-Path $TestDrive 'in'
        $null = New-Item -ItemType Directory -Force -Path $folder
        'a', 'b' | ForEach-Object { Set-Content -Path (Join-Path $folder "$_.json") -Value '{}' }
        Get-ChildItem -Path $folder -Filter '*.json' | Import-ARWebSiteConfiguration -DestinationPath $cfg -Force
        [pscustomobject]@{ name = 'x'; path = (Join-Path $TestDrive 'x.json') } | Import-ARWebSiteConfiguration -DestinationPath $cfg -Force
        $r = Get-Requests
        $r.params.path | Should -Be @((Join-Path (Get-Item $folder).FullName 'a.json'), (Join-Path (Get-Item $folder).FullName 'b.json'), (Join-Path $TestDrive 'x.json'))
    }

    It 'writes: export ConfirmImpact Low, import Medium' {
        foreach ($c in @(@('Export-ARWebSiteConfiguration', 'Low'), @('Import-ARWebSiteConfiguration', 'Medium'))) {
            $binding = (Get-Command $c[0] -Module ActiveRolesUpgrade).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.SupportsShouldProcess | Should -BeTrue
            [string]$binding.ConfirmImpact | Should -Be $c[1]
        }
    }
}

Describe 'IIS web applications (IIS cmdlets mocked)' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $cfg = Join-Path $TestDrive 'ar82.arbundle'
        $webFolder = Join-Path $TestDrive 'Web Interface'
        $null = New-Item -ItemType Directory -Force -Path $webFolder
        # Stand-ins for the IIS modules' commands (absent on Linux), so that Pester can mock them.
        function global:Get-Website { [CmdletBinding()] param([string]$Name) }
        function global:Get-WebApplication { [CmdletBinding()] param([string]$Site, [string]$Name) }
        function global:New-WebApplication { [CmdletBinding()] param([string]$Site, [string]$Name, [string]$PhysicalPath, [string]$ApplicationPool) }
        function global:Remove-WebApplication { [CmdletBinding()] param([string]$Site, [string]$Name) }
        function global:Get-IISServerManager { [CmdletBinding()] param() }
        # What the engine answers, per operation.
        $answers = @{
            'list-websites'  = @(
                '{"type":"result","resultType":"WebSite","data":{"name":"Site for Administrators (8.2)","productVersion":"8.2","isDefault":true,"bindings":[{"iisSiteName":"Default Web Site","applicationAlias":"ARWebAdmin","state":"Active"}]}}'
                '{"type":"outcome","outcome":"succeeded","exitCode":0}')
            'new-website'    = @(
                '{"type":"result","resultType":"WebSiteResult","data":{"name":"Site for HelpDesk (8.2)","iisSiteName":"Default Web Site","applicationAlias":"ARWebHelp76","created":true}}'
                '{"type":"outcome","outcome":"succeeded","exitCode":0}')
            'remove-website' = @(
                '{"type":"result","resultType":"WebSiteRemoval","data":{"name":"Site for HelpDesk (8.2)","removed":true,"removedBindings":[{"iisSiteName":"Default Web Site","applicationAlias":"ARWebHelpDesk","state":"Active"},{"iisSiteName":"Old Site","applicationAlias":"ARWeb76","state":"Legacy"}]}}'
                '{"type":"outcome","outcome":"succeeded","exitCode":0}')
        }
        [AppDomain]::CurrentDomain.SetData('ARTest.Answers', $answers)
        function Get-Operations { @([AppDomain]::CurrentDomain.GetData('ARTest.Requests') | ForEach-Object { ($_ | ConvertFrom-Json).operation }) }
        function Get-Request([string]$Operation) { [AppDomain]::CurrentDomain.GetData('ARTest.Requests') | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object operation -EQ $Operation | Select-Object -Last 1 }
    }
    AfterAll {
        foreach ($f in 'Get-Website', 'Get-WebApplication', 'New-WebApplication', 'Remove-WebApplication', 'Get-IISServerManager') { Remove-Item -Path "function:global:$f" -ErrorAction Ignore }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Requests', [System.Collections.Generic.List[string]]::new())
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob {
            [AppDomain]::CurrentDomain.GetData('ARTest.Requests').Add($RequestJson)
            $q = [System.Collections.Generic.Queue[string]]::new()
            foreach ($e in [AppDomain]::CurrentDomain.GetData('ARTest.Answers')[($RequestJson | ConvertFrom-Json).operation]) { $q.Enqueue($e) }
            [AppDomain]::CurrentDomain.SetData('ARTest.Queue', $q)
            7
        }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Queue')
            if ($q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Get-ARIisProvider { 'WebAdministration' }
        Mock -ModuleName ActiveRolesUpgrade Get-Website { }
        Mock -ModuleName ActiveRolesUpgrade Get-WebApplication { }
        Mock -ModuleName ActiveRolesUpgrade Get-Website { [pscustomobject]@{ Name = $Name } } -ParameterFilter { $Name -eq 'Default Web Site' }
        Mock -ModuleName ActiveRolesUpgrade Get-WebApplication { [pscustomobject]@{ PhysicalPath = $webFolder; applicationPool = 'ActiveRoles' } } -ParameterFilter { $Name -in 'ARWebAdmin', 'ARWebHelpDesk' }
        Mock -ModuleName ActiveRolesUpgrade New-WebApplication { }
        Mock -ModuleName ActiveRolesUpgrade Remove-WebApplication { }
    }

    It 'creates the application at the alias under the website, in the folder and pool of an 8.2 site''s application' {
        $site = New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias '/ARWebHelp76/' -DestinationPath $cfg -CreateWebApplication -Confirm:$false
        $site.created | Should -BeTrue
        Get-Operations | Should -Be @('list-websites', 'new-website')
        Should -Invoke -ModuleName ActiveRolesUpgrade New-WebApplication -Times 1 -Exactly -ParameterFilter {
            $Site -eq 'Default Web Site' -and $Name -eq 'ARWebHelp76' -and $PhysicalPath -eq $webFolder -and $ApplicationPool -eq 'ActiveRoles'
        }
    }

    It 'uses -PhysicalPath when given, without looking for the folder' {
        $other = Join-Path $TestDrive 'other'
        $null = New-Item -ItemType Directory -Force -Path $other
        New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -DestinationPath $cfg -CreateWebApplication -PhysicalPath $other -Confirm:$false
        Get-Operations | Should -Be @('new-website')
        Should -Invoke -ModuleName ActiveRolesUpgrade New-WebApplication -Times 1 -Exactly -ParameterFilter { $PhysicalPath -eq $other -and $Name -eq 'ARWebHelp76' }
    }

    It 'creates nothing under -WhatIf, in IIS or in the database' {
        New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -DestinationPath $cfg -CreateWebApplication -WhatIf
        Should -Invoke -ModuleName ActiveRolesUpgrade New-WebApplication -Times 0 -Exactly
        (Get-Request 'new-website').params.whatIf | Should -BeTrue
    }

    It 'refuses before writing when IIS has no such website or already has the alias' {
        { New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -IisSiteName 'Intranet' -DestinationPath $cfg -CreateWebApplication -Confirm:$false } |
            Should -Throw -ErrorId 'AR-IISSITE,New-ARWebSite'
        { New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebAdmin -DestinationPath $cfg -CreateWebApplication -Confirm:$false } |
            Should -Throw -ErrorId 'AR-IISAPP,New-ARWebSite'
        { New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -DestinationPath $cfg -CreateWebApplication -PhysicalPath (Join-Path $TestDrive 'nowhere') -Confirm:$false } |
            Should -Throw -ErrorId 'AR-IISPATH,New-ARWebSite'
        Get-Operations | Should -Not -Contain 'new-website'
        Should -Invoke -ModuleName ActiveRolesUpgrade New-WebApplication -Times 0 -Exactly
    }

    It 'says what to do on the web server when IIS is not available, and still creates the configuration' {
        Mock -ModuleName ActiveRolesUpgrade Get-ARIisProvider { $null }
        $site = New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -DestinationPath $cfg -CreateWebApplication -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $site.created | Should -BeTrue
        [string]$w | Should -Match "create the web application 'ARWebHelp76' under the IIS website 'Default Web Site'"
        Should -Invoke -ModuleName ActiveRolesUpgrade New-WebApplication -Times 0 -Exactly
    }

    It 'reports a failed IIS creation as an error naming both fixes, after the configuration was written' {
        Mock -ModuleName ActiveRolesUpgrade New-WebApplication { throw 'Access denied' }
        $out = New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -DestinationPath $cfg -CreateWebApplication -PhysicalPath $webFolder -Confirm:$false -ErrorAction Continue 2>&1
        $err = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AR-IISAPP*'
        [string]$err[0] | Should -Match 'Access denied'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Remove-ARWebSite'
    }

    It 'removes the IIS application of each removed Active binding, and nothing under -WhatIf' {
        Remove-ARWebSite 'Site for HelpDesk (8.2)' -DestinationPath $cfg -RemoveWebApplication -WhatIf
        Should -Invoke -ModuleName ActiveRolesUpgrade Remove-WebApplication -Times 0 -Exactly
        Remove-ARWebSite 'Site for HelpDesk (8.2)' -DestinationPath $cfg -RemoveWebApplication -Confirm:$false
        Should -Invoke -ModuleName ActiveRolesUpgrade Remove-WebApplication -Times 1 -Exactly -ParameterFilter { $Site -eq 'Default Web Site' -and $Name -eq 'ARWebHelpDesk' }
    }

    It 'names the applications to remove on the web server when IIS is not available' {
        Mock -ModuleName ActiveRolesUpgrade Get-ARIisProvider { $null }
        Remove-ARWebSite 'Site for HelpDesk (8.2)' -DestinationPath $cfg -RemoveWebApplication -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        [string]$w | Should -Match "'ARWebHelpDesk' under 'Default Web Site'"
        [string]$w | Should -Not -Match 'ARWeb76'
        Should -Invoke -ModuleName ActiveRolesUpgrade Remove-WebApplication -Times 0 -Exactly
    }

    It 'uses IISAdministration''s ServerManager when only that module is present' {
        if (-not ('ARTest.FakeServerManager' -as [type])) {
            Add-Type -TypeDefinition @'
using System.Collections.Generic;
namespace ARTest {
    public class FakeVirtualDirectory { public string PhysicalPath; }
    public class FakeApplication {
        public string Path; public string ApplicationPoolName;
        public Dictionary<string, FakeVirtualDirectory> VirtualDirectories = new Dictionary<string, FakeVirtualDirectory>();
    }
    public class FakeApplications {
        public Dictionary<string, FakeApplication> Items = new Dictionary<string, FakeApplication>();
        public FakeApplication this[string path] { get { FakeApplication a; return Items.TryGetValue(path, out a) ? a : null; } }
        public FakeApplication Add(string path, string physicalPath) {
            var a = new FakeApplication { Path = path };
            a.VirtualDirectories["/"] = new FakeVirtualDirectory { PhysicalPath = physicalPath };
            Items[path] = a; return a;
        }
        public void Remove(FakeApplication a) { Items.Remove(a.Path); }
    }
    public class FakeSite { public FakeApplications Applications = new FakeApplications(); }
    public class FakeServerManager {
        public Dictionary<string, FakeSite> Sites = new Dictionary<string, FakeSite>();
        public int Commits;
        public void CommitChanges() { Commits++; }
    }
}
'@
        }
        $sm = [ARTest.FakeServerManager]::new()
        $sm.Sites['Default Web Site'] = [ARTest.FakeSite]::new()
        [AppDomain]::CurrentDomain.SetData('ARTest.ServerManager', $sm)
        Mock -ModuleName ActiveRolesUpgrade Get-ARIisProvider { 'IISAdministration' }
        Mock -ModuleName ActiveRolesUpgrade Get-IISServerManager { [AppDomain]::CurrentDomain.GetData('ARTest.ServerManager') }
        New-ARWebSite 'Site for HelpDesk (7.6)' -Template HelpDesk -ApplicationAlias ARWebHelp76 -DestinationPath $cfg -CreateWebApplication -PhysicalPath $webFolder -Confirm:$false
        $app = $sm.Sites['Default Web Site'].Applications['/ARWebHelp76']
        $app | Should -Not -BeNullOrEmpty
        $app.VirtualDirectories['/'].PhysicalPath | Should -Be $webFolder
        $sm.Commits | Should -Be 1
        $null = $sm.Sites['Default Web Site'].Applications.Add('/ARWebHelpDesk', $webFolder)
        Remove-ARWebSite 'Site for HelpDesk (8.2)' -DestinationPath $cfg -RemoveWebApplication -Confirm:$false
        $sm.Sites['Default Web Site'].Applications['/ARWebHelpDesk'] | Should -BeNullOrEmpty
        $sm.Commits | Should -Be 2
    }
}

Describe 'Web Interface sites on an upgraded database (child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        if (-not $skip -and -not (Test-Path -LiteralPath $SampleBundle)) { $skip = "the sample $SampleBundle is not there" }
        $operations = @()
        if (-not $skip) {
            $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
& (Get-Module ActiveRolesUpgrade) {
    function Get-Ops { [CmdletBinding()] param() Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'version' -LogPath '-' }
    Get-Ops
} | ConvertTo-Json -Compress -Depth 5
'@
            $operations = @((ConvertFrom-ChildJson $run).operations)
        }
        function Skip-Unless {
            param([string[]]$Operation)
            if ($skip) { Set-ItResult -Skipped -Because $skip; return $true }
            foreach ($op in $Operation) {
                if ($operations -notcontains $op) {
                    Set-ItResult -Skipped -Because "this engine build has no '$op' operation yet (build it: ./build.ps1 -Task Build)"
                    return $true
                }
            }
            $false
        }
        # One upgraded 8.2 configuration bundle (the shipped 7.6 sample, secrets skipped); each test copies it.
        $upgraded = Join-Path $TestDrive 'upgraded.arbundle'
        if (-not $skip) {
            $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$null = Import-ARConfiguration -SourcePath '$SampleBundle' -DestinationPath '$upgraded' -CreateDestination -SkipEncryptedData -SkipPrincipals -ServicesServer ars82.corp.example.com -Force -LogPath '-' -WarningAction SilentlyContinue
Test-Path '$upgraded' | ConvertTo-Json
"@
            if (-not (ConvertFrom-ChildJson $run)) { throw "the upgraded bundle was not created: $($run.Error)" }
        }
        function New-Upgraded {
            param([string]$Name)
            $p = Join-Path $TestDrive "$Name.arbundle"
            Copy-Item -LiteralPath $upgraded -Destination $p -Force
            $p
        }
    }

    It 'lists every imported site with its template, version and Legacy bindings, and filters by wildcard' {
        if (Skip-Unless 'list-websites') { return }
        $cfg = New-Upgraded 'list'
        $run = Invoke-ChildPwsh -Script @"
Import-Module `$ManifestPath
`$all = @(Get-ARWebSite -Path '$cfg' -LogPath '-')
`$old = @(Get-ARWebSite '*(7.6)' -Path '$cfg' -LogPath '-')
`$err = try { Get-ARWebSite 'Site for Kiosk (7.6)' -Path '$cfg' -LogPath '-' -ErrorAction Stop; 'none' } catch { `$_.FullyQualifiedErrorId }
[pscustomobject]@{
    Type = `$all[0].PSObject.TypeNames[0]; Names = @(`$all.name); Old = @(`$old.name)
    Admin = `$all | Where-Object name -EQ 'Site for Administrators (7.6)' | Select-Object template, @{ n = 'productVersion'; e = { [string]`$_.ProductVersion } }, isDefault, @{ n = 'states'; e = { @(`$_.bindings.state) } }
    Err = `$err
} | ConvertTo-Json -Compress -Depth 5
"@
        $r = ConvertFrom-ChildJson $run
        $r.Type | Should -Be 'ActiveRolesUpgrade.WebSite'
        $r.Names | Should -Contain 'Site for Administrators (7.6)'
        $r.Names | Should -Contain 'Site for HelpDesk (7.6)'
        $r.Names | Should -Contain 'Site for Self-Administration (7.6)'
        $r.Old | Should -Be @('Site for Administrators (7.6)', 'Site for HelpDesk (7.6)', 'Site for Self-Administration (7.6)')
        $r.Admin.template | Should -Be 'Administrators'
        $r.Admin.productVersion | Should -Be '7.6'
        $r.Admin.isDefault | Should -BeFalse
        @($r.Admin.states | Where-Object { $_ -ne 'Legacy' }).Count | Should -Be 0
        $r.Err | Should -BeLike 'AR-NOTFOUND*'
    }

    It 'creates one 8.2 site per piped earlier site (Get-ARWebSite | New-ARWebSite), each carrying its customisations' {
        if (Skip-Unless 'list-websites', 'new-website') { return }
        $cfg = New-Upgraded 'pipe'
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$made = @(Get-ARWebSite '*(7.6)' -Path '$cfg' -LogPath '-' | New-ARWebSite -ApplicationAlias { "ARWeb`$(`$_.template)" } -DestinationPath '$cfg' -Confirm:`$false -LogPath '-')
`$new = @(Get-ARWebSite '*(8.2)*' -Path '$cfg' -LogPath '-')
[pscustomobject]@{
    Made = @(`$made | ForEach-Object { '{0}|{1}|{2}|{3}' -f `$_.name, `$_.sourceSite, `$_.applicationAlias, `$_.upgradedFrom })
    New = @(`$new | ForEach-Object { '{0}|{1}|{2}|{3}' -f `$_.name, `$_.sourceSiteName, `$_.isDefault, ((`$_.bindings | ForEach-Object { `$_.applicationAlias + ':' + `$_.state }) -join ',') })
} | ConvertTo-Json -Compress -Depth 5
"@
        $r = ConvertFrom-ChildJson $run
        $r.Made | Should -Be @(
            'Site for Administrators (8.2)|Site for Administrators (7.6)|ARWebAdministrators|7.6'
            'Site for HelpDesk (8.2)|Site for HelpDesk (7.6)|ARWebHelpDesk|7.6'
            'Site for Self-Administration (8.2)|Site for Self-Administration (7.6)|ARWebSelfAdministration|7.6')
        $r.New | Should -Be @(
            'Site for Administrators (8.2)|Site for Administrators (7.6)|False|ARWebAdministrators:Active'
            'Site for HelpDesk (8.2)|Site for HelpDesk (7.6)|False|ARWebHelpDesk:Active'
            'Site for Self-Administration (8.2)|Site for Self-Administration (7.6)|False|ARWebSelfAdministration:Active')
    }

    It 'removes the default 8.2 sites without -Force and nothing else without it' {
        if (Skip-Unless 'list-websites', 'remove-website', 'fixture') { return }
        $cfg = Join-Path $TestDrive 'f82.arbundle'
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$null = New-ARSampleDatabase -Version 8.2 -OutputPath '$cfg' -ConfigObjects 60 -Force -LogPath '-'
`$defaults = @(Get-ARWebSite -Path '$cfg' -LogPath '-' | Where-Object isDefault)
`$removed = @(`$defaults | Remove-ARWebSite -DestinationPath '$cfg' -IncludeConfiguration -Confirm:`$false -LogPath '-')
`$refused = try { Remove-ARWebSite 'Contoso Portal' -DestinationPath '$cfg' -IncludeConfiguration -Confirm:`$false -LogPath '-'; 'removed' } catch { `$_.FullyQualifiedErrorId }
`$forced = Remove-ARWebSite 'Contoso Portal' -DestinationPath '$cfg' -Force -LogPath '-'
`$left = @(Get-ARWebSite -Path '$cfg' -LogPath '-')
[pscustomobject]@{
    Defaults = @(`$defaults.name); Removed = @(`$removed | Where-Object { `$_.removed -and `$_.configurationRemoved } | ForEach-Object name)
    Type = `$removed[0].PSObject.TypeNames[0]; Refused = `$refused
    Forced = '{0}|{1}|{2}' -f `$forced.removed, `$forced.configurationRemoved, (@(`$forced.removedBindings.state) -join ',')
    Left = @(`$left.name); ContosoBindings = @((`$left | Where-Object name -EQ 'Contoso Portal').bindings).Count
} | ConvertTo-Json -Compress -Depth 5
"@
        $r = ConvertFrom-ChildJson $run
        $r.Defaults | Should -Be @('Site for HelpDesk (8.2)', 'Site for Self-Administration (8.2)')
        $r.Removed | Should -Be $r.Defaults
        $r.Type | Should -Be 'ActiveRolesUpgrade.WebSiteRemoval'
        $r.Refused | Should -BeLike 'AR-NOTDEFAULT*'
        $r.Forced | Should -Be 'True|False|Active'
        $r.Left | Should -Not -Contain 'Site for HelpDesk (8.2)'
        $r.Left | Should -Contain 'Contoso Portal'
        $r.Left | Should -Contain 'Site for Administrators (8.2)'   # made from another configuration: not a default
        $r.ContosoBindings | Should -Be 0
    }

    It 'round-trips a site configuration through a file: export, import, export differ only in GUID and name' {
        if (Skip-Unless 'export-website', 'import-website') { return }
        $cfg = New-Upgraded 'roundtrip'
        $first = Join-Path $TestDrive 'first.json'
        $second = Join-Path $TestDrive 'second.json'
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$e = Export-ARWebSiteConfiguration 'Site for Administrators (7.6)' -SourcePath '$cfg' -OutputPath '$first' -LogPath '-'
`$i = Import-ARWebSiteConfiguration '$first' -DestinationPath '$cfg' -Force -LogPath '-'
`$null = Export-ARWebSiteConfiguration `$i.siteGuid -SourcePath '$cfg' -OutputPath '$second' -LogPath '-'
[pscustomobject]@{ ExportType = `$e.PSObject.TypeNames[0]; ImportType = `$i.PSObject.TypeNames[0]; Name = `$i.name; Guid = `$i.siteGuid; NewGuid = `$i.newGuid; Original = `$i.originalSiteGuid } | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.ExportType | Should -Be 'ActiveRolesUpgrade.WebSiteExport'
        $r.ImportType | Should -Be 'ActiveRolesUpgrade.WebSiteImport'
        $r.Name | Should -Be 'Site for Administrators (7.6) (2)'
        $r.NewGuid | Should -BeTrue
        $a = [System.IO.File]::ReadAllLines($first)
        $b = [System.IO.File]::ReadAllLines($second)
        $b.Count | Should -Be $a.Count
        $diff = @(for ($i = 0; $i -lt $a.Count; $i++) { if ($a[$i] -ne $b[$i]) { $b[$i].Trim() } })
        $diff | Should -Be @("""siteGuid"": ""$($r.Guid)"",", '"name": "Site for Administrators (7.6) (2)",')
        $a -join "`n" | Should -Match ([regex]::Escape($r.Original))
    }
}
