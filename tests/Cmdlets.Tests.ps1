# Parameter sets, ShouldProcess and the requests the cmdlets send (native wrapper mocked).
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $twoEndpoint = 'Import-ARConfiguration', 'Import-ARManagementHistory', 'Copy-ARDatabasePrincipals', 'Test-ARUpgradePrerequisite' | ForEach-Object { @{ Name = $_ } }
    $writers = @(
        @{ Name = 'Import-ARConfiguration'; Impact = 'High' }
        @{ Name = 'Import-ARManagementHistory'; Impact = 'Medium' }
        @{ Name = 'Copy-ARDatabasePrincipals'; Impact = 'High' }
        @{ Name = 'New-ARWebSite'; Impact = 'Medium' }
        @{ Name = 'Set-ARServicesAssociation'; Impact = 'Medium' }
        @{ Name = 'Export-ARDatabase'; Impact = 'Low' }
        @{ Name = 'New-ARSampleDatabase'; Impact = 'Low' }
    )
    $readers = 'Get-ARDatabaseInfo', 'Test-ARUpgradePrerequisite' | ForEach-Object { @{ Name = $_ } }
}

Describe 'Parameter sets of <Name>' -Tag 'Unit' -ForEach $twoEndpoint {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $command = Get-Command $Name -Module ActiveRolesUpgrade
    }

    It 'has no endpoint parameter sets: -Source (position 0) and -Destination (position 1), the old names as aliases' {
        @($command.ParameterSets).Count | Should -Be 1
        $command.Parameters.Source.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).Position | Should -Be 0
        $command.Parameters.Destination.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).Position | Should -Be 1
        $command.Parameters.Source.Aliases | Should -Be @('SourceServer', 'SourcePath', 'SourceConnectionString')
        $command.Parameters.Destination.Aliases | Should -Be @('DestinationServer', 'DestinationPath', 'DestinationConnectionString')
    }

    It 'takes the SQL login as a PSCredential (alias -SourceSqlCredential) and leaves the authentication values to the engine, with tab completion' {
        $command.Parameters.SourceCredential.ParameterType | Should -Be ([System.Management.Automation.PSCredential])
        $command.Parameters.SourceCredential.Aliases | Should -Be @('SourceSqlCredential')
        $command.Parameters.DestinationCredential.Aliases | Should -Be @('DestinationSqlCredential')
        $command.Parameters.SourceAuthentication.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Should -BeNullOrEmpty
        $line = "$Name -SourceAuthentication AzureADM"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('AzureADManagedIdentity')
        $line = "$Name -DestinationDatabaseType "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('OnPremises', 'AzureSQL')
        $command.Parameters.SourceTrustServerCertificate.SwitchParameter | Should -BeTrue
    }
}

Describe 'ShouldProcess of <Name>' -Tag 'Unit' -ForEach $writers {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $binding = (Get-Command $Name -Module ActiveRolesUpgrade).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
    }
    It 'supports -WhatIf/-Confirm with ConfirmImpact <Impact>' {
        $binding.SupportsShouldProcess | Should -BeTrue
        [string]$binding.ConfirmImpact | Should -Be $Impact
    }
}

Describe '<Name> writes nothing' -Tag 'Unit' -ForEach $readers {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $binding = (Get-Command $Name -Module ActiveRolesUpgrade).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
    }
    It 'does not offer -WhatIf' {
        $binding.SupportsShouldProcess | Should -BeFalse
    }
}

Describe 'Requests' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $src = Join-Path $TestDrive 'src.arbundle'
        $dst = Join-Path $TestDrive 'dst.arbundle'
        function Get-LastRequest {
            [AppDomain]::CurrentDomain.GetData('ARTest.Request') | ConvertFrom-Json
        }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Request', $null)
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.SetData('ARTest.Request', $RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'sends what the user typed as the location, anchored at the PowerShell location (old name -Path still works)' {
        Push-Location $TestDrive
        try { Get-ARDatabaseInfo -Path 'rel.arbundle' } finally { Pop-Location }
        $r = Get-LastRequest
        $r.operation | Should -Be 'inspect'
        $r.params.source.location | Should -Be 'rel.arbundle'
        $r.params.source.baseDirectory | Should -Be (Get-Item $TestDrive).FullName
    }

    It 'binds -Source <Typed> (<Form>) to the location with its database and options' -ForEach @(
        @{ Form = 'host'; Typed = 'sql01' }
        @{ Form = 'named instance'; Typed = 'sql01\INST' }
        @{ Form = 'port'; Typed = 'sql01,1433' }
        @{ Form = 'Azure SQL server'; Typed = 'contoso.database.windows.net' }
        @{ Form = 'connection string'; Typed = 'Server=sql01;Database=ARConfig76;Integrated Security=true' }
        @{ Form = 'bundle path'; Typed = 'backup.arbundle' }
    ) {
        Get-ARDatabaseInfo -Source $Typed -Database ARConfig76 -TrustServerCertificate
        $s = (Get-LastRequest).params.source
        $s.location | Should -Be $Typed
        $s.database | Should -Be 'ARConfig76'
        $s.trustServerCertificate | Should -BeTrue
        # No authentication is guessed here: the engine owns the default.
        $s.PSObject.Properties.Name | Should -Not -Contain 'auth'
        $s.PSObject.Properties.Name | Should -Not -Contain 'password'
    }

    It 'binds the old names -Server, -SqlInstance and -ConnectionString to the same location' {
        foreach ($name in 'Server', 'SqlInstance', 'ConnectionString') {
            $p = @{ $name = 'sql01\INST,1433'; Database = 'AR' }
            Get-ARDatabaseInfo @p
            (Get-LastRequest).params.source.location | Should -Be 'sql01\INST,1433' -Because "-$name is an alias of -Source"
        }
    }

    It 'passes -Credential (alias -SqlCredential) as user and password, and -Authentication as typed' {
        $cred = [pscredential]::new('arimport', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        Get-ARDatabaseInfo sql01 -Database d -SqlCredential $cred -Authentication AzureADPassword
        $s = (Get-LastRequest).params.source
        $s.user | Should -Be 'arimport'
        $s.password | Should -Be 'x'
        $s.auth | Should -Be 'AzureADPassword'
    }

    It 'describes each of several sources, typed or piped (files and Get-ARDatabaseInfo objects)' {
        Get-ARDatabaseInfo a.arbundle, b.arbundle
        Should -Invoke -ModuleName ActiveRolesUpgrade Start-ARNativeJob -Times 2 -Exactly
        $null = New-Item -ItemType File -Path (Join-Path $TestDrive 'piped.arbundle') -Force
        Get-Item (Join-Path $TestDrive 'piped.arbundle') | Get-ARDatabaseInfo
        (Get-LastRequest).params.source.path | Should -Be (Get-Item (Join-Path $TestDrive 'piped.arbundle')).FullName
        [pscustomobject]@{ PSTypeName = 'ActiveRolesUpgrade.DatabaseInfo'; location = '/data/c.arbundle'; kind = 'Bundle' } | Get-ARDatabaseInfo
        (Get-LastRequest).params.source.path | Should -Be '/data/c.arbundle'
    }

    It 'sends -SourceConnectionString (now an alias of -Source) as typed, for the engine to read' {
        Export-ARDatabase -SourceConnectionString 'Server=sql01;Database=ARConfig76;Integrated Security=true' -OutputPath $dst -Force
        $r = Get-LastRequest
        $r.operation | Should -Be 'export'
        $r.params.source.location | Should -Be 'Server=sql01;Database=ARConfig76;Integrated Security=true'
        $r.params.out | Should -Be $dst
        $r.params.overwrite | Should -BeTrue
    }

    It 'sends the import-configuration params, and no services server when none was given (the engine defaults it)' {
        Import-ARConfiguration -SourcePath $src -DestinationPath $dst -CreateDestination -KeyBackupPath (Join-Path $TestDrive 'k.key') -SkipPrincipals -Confirm:$false -LogPath (Join-Path $TestDrive 'i.log')
        $r = Get-LastRequest
        $r.operation | Should -Be 'import-configuration'
        $r.params.destination.create | Should -BeTrue
        $r.params.keyBackupPath | Should -Be (Join-Path $TestDrive 'k.key')
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'servicesServer'
        $r.params.skipPrincipals | Should -BeTrue
        $r.params.replace | Should -BeFalse
        $r.params.whatIf | Should -BeFalse
        $r.logFile | Should -Be (Join-Path $TestDrive 'i.log')
    }

    It 'passes -WhatIf to the engine as whatIf:true (the engine computes the plan)' {
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Plan')
            if ($q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        $q = [System.Collections.Generic.Queue[string]]::new()
        $q.Enqueue('{"type":"result","resultType":"ConfigurationImportResult","data":{"whatIf":true,"addedCount":12}}')
        $q.Enqueue('{"type":"outcome","outcome":"succeeded","exitCode":0}')
        [AppDomain]::CurrentDomain.SetData('ARTest.Plan', $q)
        $plan = Import-ARConfiguration -SourcePath $src -DestinationPath $dst -Replace -WhatIf
        (Get-LastRequest).params.whatIf | Should -BeTrue
        (Get-LastRequest).params.replace | Should -BeTrue
        $plan.PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.ConfigurationImportResult'
        $plan.addedCount | Should -Be 12
    }

    It 'sends Management History dates as yyyy-MM-dd and the batch size' {
        Import-ARManagementHistory -SourcePath $src -DestinationPath $dst -From ([datetime]'2024-03-05T23:30:00') -To ([datetime]'2024-12-31') -BatchSize 5000 -Confirm:$false
        $r = Get-LastRequest
        $r.operation | Should -Be 'import-history'
        $r.params.from | Should -Be '2024-03-05'
        $r.params.to | Should -Be '2024-12-31'
        $r.params.batchSize | Should -Be 5000
        $r.params.skipPrincipals | Should -BeFalse
    }

    It 'validates -BatchSize (1..100000) and leaves the date order to the engine (AR-E013)' {
        { Import-ARManagementHistory -SourcePath $src -DestinationPath $dst -BatchSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Import-ARManagementHistory'
        { Import-ARManagementHistory -SourcePath $src -DestinationPath $dst -BatchSize 100001 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Import-ARManagementHistory'
        Import-ARManagementHistory -SourcePath $src -DestinationPath $dst -From 2025-01-02 -To 2025-01-01 -Confirm:$false
        (Get-LastRequest).params.from | Should -Be '2025-01-02'
    }

    It 'sends the history kind to test-prerequisites, with options of the other kind for the engine to refuse' {
        Test-ARUpgradePrerequisite -Kind ManagementHistory -SourcePath $src -DestinationPath $dst -From 2024-01-01
        $r = Get-LastRequest
        $r.operation | Should -Be 'test-prerequisites'
        $r.params.kind | Should -Be 'history'
        $r.params.from | Should -Be '2024-01-01'
        Test-ARUpgradePrerequisite -Kind ManagementHistory -SourcePath $src -DestinationPath $dst -Replace
        (Get-LastRequest).params.replace | Should -BeTrue
    }

    It 'sends the fixture params' {
        New-ARSampleDatabase -Version 8.1 -Role ManagementHistory -OutputPath $dst -HistoryRecords 10 -Seed 42 -Anomalies -Force
        $r = Get-LastRequest
        $r.operation | Should -Be 'fixture'
        $r.params.version | Should -Be '8.1'
        $r.params.role | Should -Be 'ManagementHistory'
        $r.params.historyRecords | Should -Be 10
        $r.params.seed | Should -Be 42
        $r.params.anomalies | Should -BeTrue
        $r.params.overwrite | Should -BeTrue
    }

    It 'sends the services association and web site params' {
        Set-ARServicesAssociation -ServicesServer ars02.corp.example.com -DestinationPath $dst -Confirm:$false
        (Get-LastRequest).operation | Should -Be 'set-services-association'
        (Get-LastRequest).params.servicesServer | Should -Be 'ars02.corp.example.com'
        Set-ARServicesAssociation -Destination $dst -Confirm:$false
        (Get-LastRequest).params.PSObject.Properties.Name | Should -Not -Contain 'servicesServer' -Because 'the engine defaults it to this computer''s FQDN'
        New-ARWebSite -DestinationPath $dst -SourceSite 'Site for Administrators (7.6)' -Template Administrators -ApplicationAlias ARWebAdmin -Confirm:$false
        $r = Get-LastRequest
        $r.operation | Should -Be 'new-website'
        $r.params.sourceSite | Should -Be 'Site for Administrators (7.6)'
        $r.params.iisSiteName | Should -Be 'Default Web Site'
        $r.params.applicationAlias | Should -Be 'ARWebAdmin'
        $r.params.template | Should -Be 'Administrators'
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'name'
    }

    It 'takes bundle files from the pipeline (Get-ChildItem | Get-ARDatabaseInfo)' {
        $folder = Join-Path $TestDrive 'pipe'
        $null = New-Item -ItemType Directory -Force -Path $folder
        'a', 'b' | ForEach-Object { Set-Content -Path (Join-Path $folder "$_.arbundle") -Value '' }
        Get-ChildItem -Path $folder -Filter '*.arbundle' | Get-ARDatabaseInfo
        Should -Invoke -ModuleName ActiveRolesUpgrade Start-ARNativeJob -Times 2 -Exactly
        (Get-LastRequest).params.source.path | Should -Be (Join-Path (Get-Item $folder).FullName 'b.arbundle')
    }

    It 'passes "-" as "no log file"' {
        Get-ARDatabaseInfo -Path $src -LogPath '-'
        (Get-LastRequest).logFile | Should -Be '-'
    }
}

Describe 'Confirmation of Import-ARConfiguration -Replace' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        # A runspace whose host cannot prompt: a confirmation request fails there instead of waiting.
        function Invoke-WithoutHost {
            param([string]$Arguments)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript(@"
Import-Module '$ManifestPath'
& (Get-Module ActiveRolesUpgrade) { function script:Start-ARNativeJob { param(`$RequestJson) throw 'ENGINE CALLED' } }
try { Import-ARConfiguration -SourcePath '$TestDrive/s.arbundle' -DestinationPath '$TestDrive/d.arbundle' $Arguments; 'NO ERROR' } catch { `$_.Exception.Message }
"@)
                ($ps.Invoke() | Select-Object -Last 1) -as [string]
            } finally { $ps.Dispose() }
        }
    }

    It 'asks before replacing (the prompt fails in a host that cannot prompt, and nothing runs)' {
        $r = Invoke-WithoutHost '-Replace'
        $r | Should -Not -Be 'ENGINE CALLED'
        $r | Should -Match 'prompt|interaction|NonInteractive'
    }

    It 'does not ask with -Replace -Force' {
        Invoke-WithoutHost '-Replace -Force' | Should -Be 'ENGINE CALLED'
    }

    It 'does not ask with -Replace -Confirm:$false' {
        Invoke-WithoutHost '-Replace -Confirm:$false' | Should -Be 'ENGINE CALLED'
    }

    It 'does not ask for a plain import (ConfirmPreference High)' {
        Invoke-WithoutHost '' | Should -Be 'ENGINE CALLED'
    }
}
