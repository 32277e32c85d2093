# Import-ARCollectorEvents and the Collector options of New-ARSampleDatabase and
# Test-ARUpgradePrerequisite: parameters, the requests sent (native wrapper mocked),
# the result type and its view; and one real run in a child pwsh.
Describe 'Import-ARCollectorEvents' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $command = Get-Command Import-ARCollectorEvents -Module ActiveRolesUpgrade
        $src = Join-Path $TestDrive 'c76.arbundle'
        $dst = Join-Path $TestDrive 'c82.arbundle'
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

    It 'is exported, with -Source/-Destination (no endpoint parameter sets) and ConfirmImpact Medium' {
        (Import-PowerShellDataFile $ManifestPath).FunctionsToExport | Should -Contain 'Import-ARCollectorEvents'
        @($command.ParameterSets).Count | Should -Be 1
        $command.Parameters.Keys | Should -Contain 'Source'
        $command.Parameters.Keys | Should -Contain 'Destination'
        $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.SupportsShouldProcess | Should -BeTrue
        [string]$binding.ConfirmImpact | Should -Be 'Medium'
        $command.Parameters.Keys | Should -Not -Contain 'SkipPrincipals'
    }

    It 'sends the import-collector params: dates as yyyy-MM-dd, the batch size, create, whatIf false' {
        Import-ARCollectorEvents -SourcePath $src -DestinationPath $dst -CreateDestination -From ([datetime]'2024-03-05T23:30:00') -To ([datetime]'2024-12-31') -BatchSize 5000 -Confirm:$false
        $r = Get-LastRequest
        $r.operation | Should -Be 'import-collector'
        $r.params.source.location | Should -Be $src
        $r.params.destination.location | Should -Be $dst
        $r.params.destination.create | Should -BeTrue
        $r.params.from | Should -Be '2024-03-05'
        $r.params.to | Should -Be '2024-12-31'
        $r.params.batchSize | Should -Be 5000
        $r.params.whatIf | Should -BeFalse
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'skipPrincipals'
    }

    It 'leaves the name of a new SQL Server database to the engine (ActiveRoles820_Collector) when -DestinationDatabase is left out' {
        Import-ARCollectorEvents -SourcePath $src -DestinationServer sql02.corp.example.com -CreateDestination -Confirm:$false
        $d = (Get-LastRequest).params.destination
        $d.location | Should -Be 'sql02.corp.example.com'
        $d.PSObject.Properties.Name | Should -Not -Contain 'database'
        $d.create | Should -BeTrue
    }

    It 'validates -BatchSize (1..100000); the date order is the engine''s check (AR-E013)' {
        { Import-ARCollectorEvents -SourcePath $src -DestinationPath $dst -BatchSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Import-ARCollectorEvents'
        Should -Invoke -ModuleName ActiveRolesUpgrade Start-ARNativeJob -Times 0 -Exactly
    }

    It 'passes -WhatIf to the engine as whatIf:true and returns an ActiveRolesUpgrade.CollectorImportResult with a view' {
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Plan')
            if ($q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        $q = [System.Collections.Generic.Queue[string]]::new()
        $q.Enqueue('{"type":"result","resultType":"CollectorImportResult","data":{"source":{"name":"c76"},"destination":{"name":"c82"},"whatIf":true,"mode":"All","added":199,"skipped":1,"duplicates":0,"conflicts":0,"reportEntries":5,"outcome":"WhatIf"}}')
        $q.Enqueue('{"type":"outcome","outcome":"succeeded","exitCode":0}')
        [AppDomain]::CurrentDomain.SetData('ARTest.Plan', $q)
        $plan = Import-ARCollectorEvents -SourcePath $src -DestinationPath $dst -CreateDestination -WhatIf
        (Get-LastRequest).params.whatIf | Should -BeTrue
        $plan.PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.CollectorImportResult'
        $plan.added | Should -Be 199
        (Get-FormatData -TypeName 'ActiveRolesUpgrade.CollectorImportResult').FormatViewDefinition.Name |
            Should -Contain 'ActiveRolesUpgrade.CollectorImportResult.List'
        $text = $plan | Format-List | Out-String
        $text | Should -Match 'Skipped\s*:\s*1 \(0 already present, 0 conflicts, 1 too long\)'
        $text | Should -Match 'Outcome\s*:\s*WhatIf'
    }

    It 'has help: synopsis, every parameter, outputs and examples' {
        $help = Get-Help Import-ARCollectorEvents -Full
        $help.Synopsis | Should -Match 'Collector'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin 'WhatIf', 'Confirm' }) {
            ($help.Parameters.Parameter | Where-Object Name -EQ $p).Description.Text | Should -Not -BeNullOrEmpty -Because "-$p needs help"
        }
        ($help.returnValues.returnValue.type.name -join ' ') | Should -Match 'CollectorImportResult'
    }

    It 'Test-ARUpgradePrerequisite -Kind Collector sends kind collector with the dates, and configuration options for the engine to refuse' {
        Test-ARUpgradePrerequisite -Kind Collector -SourcePath $src -DestinationPath $dst -CreateDestination -From 2024-01-01 -To 2024-02-01
        $r = Get-LastRequest
        $r.operation | Should -Be 'test-prerequisites'
        $r.params.kind | Should -Be 'collector'
        $r.params.from | Should -Be '2024-01-01'
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'servicesServer'
        Test-ARUpgradePrerequisite -Kind Collector -SourcePath $src -DestinationPath $dst -Replace
        (Get-LastRequest).params.replace | Should -BeTrue
    }

    It 'New-ARSampleDatabase -Role Collector asks for a Collector sample' {
        New-ARSampleDatabase -Version 7.6 -Role Collector -OutputPath $src -HistoryRecords 10 -Force
        $r = Get-LastRequest
        $r.operation | Should -Be 'fixture'
        $r.params.role | Should -Be 'Collector'
        $r.params.historyRecords | Should -Be 10
    }
}

Describe 'Import-ARCollectorEvents with the native engine (in a child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
    }

    It 'imports a 7.6 Collector sample into a new bundle, -WhatIf writing nothing, and a second run adds nothing' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $dir = Join-Path $TestDrive 'coll'
        $null = New-Item -ItemType Directory -Force -Path $dir
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
`$ops = & (Get-Module ActiveRolesUpgrade) { function Get-V { [CmdletBinding()] param() Invoke-AREngine -Cmdlet `$PSCmdlet -Operation 'version' -LogPath '-' }; Get-V }
if (`$ops.operations -notcontains 'import-collector') { [pscustomobject]@{ Missing = `$true } | ConvertTo-Json -Compress; return }
`$s = New-ARSampleDatabase -Version 7.6 -Role Collector -OutputPath '$dir/c76.arbundle' -HistoryRecords 300 -Anomalies -LogPath '-' -Confirm:`$false
`$checks = Test-ARUpgradePrerequisite -Kind Collector -SourcePath `$s.bundlePath -DestinationPath '$dir/c82.arbundle' -CreateDestination -LogPath '-'
`$plan = Import-ARCollectorEvents -SourcePath `$s.bundlePath -DestinationPath '$dir/c82.arbundle' -CreateDestination -BatchSize 100 -LogPath '-' -WhatIf
`$planned = Test-Path '$dir/c82.arbundle'
`$first = Import-ARCollectorEvents -SourcePath `$s.bundlePath -DestinationPath '$dir/c82.arbundle' -CreateDestination -BatchSize 100 -LogPath '-' -Confirm:`$false
`$second = Import-ARCollectorEvents -SourcePath `$s.bundlePath -DestinationPath '$dir/c82.arbundle' -LogPath '-' -Confirm:`$false
`$info = Get-ARDatabaseInfo -Path '$dir/c82.arbundle' -LogPath '-'
[pscustomobject]@{
    Missing = `$false; Failed = @(`$checks | Where-Object status -EQ 'Fail').Count; Checks = @(`$checks).Count
    PlanAdded = `$plan.added; Planned = `$planned; Type = `$first.PSObject.TypeNames[0]; Added = `$first.added; Batches = `$first.batches
    Added2 = `$second.added; Duplicates2 = `$second.duplicates; Role = `$info.role; Events = `$info.counts.CollectedEvent
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        if ($r.Missing) { Set-ItResult -Skipped -Because 'this engine build has no import-collector operation yet (./build.ps1 -Task Build)'; return }
        $r.Checks | Should -Be 11
        $r.Failed | Should -Be 0
        $r.Planned | Should -BeFalse
        $r.Type | Should -Be 'ActiveRolesUpgrade.CollectorImportResult'
        $r.Added | Should -Be 299
        $r.PlanAdded | Should -Be $r.Added
        $r.Batches | Should -Be 3
        $r.Added2 | Should -Be 0
        $r.Duplicates2 | Should -Be 299
        $r.Role | Should -Be 'Collector'
        $r.Events | Should -Be 299
    }
}
