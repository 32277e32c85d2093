# The event pump and the cmdlets with the native wrapper mocked: no engine library is loaded.
Describe 'Event pump' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force

        # The mocked engine's events, shared with the mock bodies through the AppDomain
        # (the mocks run in the module's scope).
        function Set-EngineEvents {
            param([string[]]$Json)
            $q = [System.Collections.Generic.Queue[string]]::new()
            foreach ($j in $Json) { $q.Enqueue($j) }
            [AppDomain]::CurrentDomain.SetData('ARTest.Events', $q)
        }
        $ok = '{"type":"outcome","outcome":"succeeded","exitCode":0,"logPath":"/tmp/ar.log"}'
        $dbInfo = '{"type":"result","resultType":"DatabaseInfo","data":{"location":"x.arbundle","kind":"bundle","state":"Supported","version":"7.6.3","role":"Combined","counts":{"ChangeRecord":5}}}'
        $bundle = Join-Path $TestDrive 'x.arbundle'
    }

    BeforeEach {
        Set-EngineEvents @()
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { 42 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Events')
            if ($q.Count -gt 0) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } }
            else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Write-Progress { }
    }

    Context 'streams' {
        It 'writes results as objects typed ActiveRolesUpgrade.(resultType)' {
            Set-EngineEvents $dbInfo, $ok
            $r = Get-ARDatabaseInfo -Path $bundle
            $r.PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.DatabaseInfo'
            $r.version | Should -Be '7.6.3'
            $r.counts.ChangeRecord | Should -Be 5
        }

        It 'writes one object per result event, in order' {
            Set-EngineEvents @(
                '{"type":"result","resultType":"PrerequisiteCheck","data":{"code":"AR-E001","name":"Source","status":"Pass","message":"ok"}}'
                '{"type":"result","resultType":"PrerequisiteCheck","data":{"code":"AR-E010","name":"Replication","status":"Fail","message":"no","remedy":"disable it"}}'
                $ok)
            $r = @(Test-ARUpgradePrerequisite -SourcePath $bundle -DestinationPath (Join-Path $TestDrive 'd.arbundle') -ServicesServer 'ars.corp.example.com')
            $r.Count | Should -Be 2
            $r[1].code | Should -Be 'AR-E010'
            $r | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.PrerequisiteCheck' }
        }

        It 'reports progress with Write-Progress under a fixed -Id, and completes it at the end' {
            Set-EngineEvents @(
                '{"type":"progress","activity":"Importing history","step":"ChangeRecord","percent":42.5,"rows":12000,"total":50000,"rowsPerSecond":210000,"etaSeconds":3.2}'
                '{"type":"progress","activity":"Importing history","step":"ChangeRecord","percent":80,"rows":40000,"total":50000}'
                $ok)
            $null = Get-ARDatabaseInfo -Path $bundle
            Should -Invoke -ModuleName ActiveRolesUpgrade Write-Progress -Times 2 -Exactly -ParameterFilter {
                $Id -gt 0 -and $Activity -eq 'Importing history' -and -not $Completed -and $PercentComplete -in 42, 80 -and $Status -like 'ChangeRecord*rows*'
            }
            Should -Invoke -ModuleName ActiveRolesUpgrade Write-Progress -Times 1 -Exactly -ParameterFilter { $SecondsRemaining -eq 4 }
            Should -Invoke -ModuleName ActiveRolesUpgrade Write-Progress -Times 1 -ParameterFilter { $Id -gt 0 -and $Completed }
        }

        It 'uses the same -Id for every progress record of a job and a new one for the next job' {
            [AppDomain]::CurrentDomain.SetData('ARTest.Ids', [System.Collections.Generic.List[int]]::new())
            Mock -ModuleName ActiveRolesUpgrade Write-Progress { [AppDomain]::CurrentDomain.GetData('ARTest.Ids').Add($Id) }
            Set-EngineEvents '{"type":"progress","activity":"A","percent":10}', '{"type":"progress","activity":"A","percent":20}', $ok
            $null = Get-ARDatabaseInfo -Path $bundle
            Set-EngineEvents '{"type":"progress","activity":"A","percent":10}', $ok
            $null = Get-ARDatabaseInfo -Path $bundle
            $ids = [AppDomain]::CurrentDomain.GetData('ARTest.Ids')
            $ids.Count | Should -Be 5
            @($ids[0..2] | Select-Object -Unique).Count | Should -Be 1
            $ids[3] | Should -Not -Be $ids[0]
        }

        It 'completes the progress bar even when the job fails' {
            Set-EngineEvents '{"type":"progress","activity":"Importing","percent":10}', '{"type":"outcome","outcome":"failed","error":{"code":"AR-E002","category":"InvalidData","message":"Bad","remedy":"Fix"},"exitCode":3}'
            { Get-ARDatabaseInfo -Path $bundle } | Should -Throw
            Should -Invoke -ModuleName ActiveRolesUpgrade Write-Progress -Times 1 -ParameterFilter { $Completed }
        }

        It 'writes warnings with their code' {
            Set-EngineEvents '{"type":"warning","code":"AR-W001","message":"Encryption is off."}', $ok
            $null = Get-ARDatabaseInfo -Path $bundle -WarningVariable w -WarningAction SilentlyContinue
            $w.Count | Should -Be 1
            $w[0].Message | Should -Be 'AR-W001: Encryption is off.'
        }

        It 'writes info logs as verbose and debug logs as debug records' {
            Set-EngineEvents @(
                '{"type":"log","level":"info","message":"batch committed","fields":{"batch":3,"rows":1000}}'
                '{"type":"log","level":"debug","message":"query plan","fields":{"ms":5}}'
                $ok)
            $all = Get-ARDatabaseInfo -Path $bundle -Verbose -Debug 4>&1 5>&1
            $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $debug = @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
            $verbose | Should -Contain 'batch committed (batch=3, rows=1000)'
            $debug | Should -Contain 'query plan (ms=5)'
            $verbose | Should -Not -Contain 'query plan (ms=5)'
        }

        It 'asks the engine for debug logs only when debug output is wanted' {
            Set-EngineEvents $ok
            $null = Get-ARDatabaseInfo -Path $bundle
            Should -Invoke -ModuleName ActiveRolesUpgrade Start-ARNativeJob -Times 1 -ParameterFilter { ($RequestJson | ConvertFrom-Json).logLevel -eq 'info' }
            Set-EngineEvents $ok
            $null = Get-ARDatabaseInfo -Path $bundle -Debug 5>$null
            Should -Invoke -ModuleName ActiveRolesUpgrade Start-ARNativeJob -Times 1 -ParameterFilter { ($RequestJson | ConvertFrom-Json).logLevel -eq 'debug' }
        }

        It 'closes the handle after a normal run, without cancelling' {
            Set-EngineEvents $dbInfo, $ok
            $null = Get-ARDatabaseInfo -Path $bundle
            Should -Invoke -ModuleName ActiveRolesUpgrade Close-ARNativeJob -Times 1 -Exactly -ParameterFilter { $Handle -eq 42 }
            Should -Invoke -ModuleName ActiveRolesUpgrade Stop-ARNativeJob -Times 0 -Exactly
        }
    }

    Context 'failures' {
        It 'turns a failed outcome into a terminating ErrorRecord: <Code> → <Category>' -ForEach @(
            @{ Code = 'AR-E002'; Category = 'InvalidData' }
            @{ Code = 'AR-E017'; Category = 'InvalidArgument' }
            @{ Code = 'AR-CONNECT'; Category = 'ConnectionError' }
            @{ Code = 'AR-NOTIMPL'; Category = 'NotImplemented' }
            @{ Code = 'AR-X'; Category = 'NoSuchCategory' }
        ) {
            Set-EngineEvents ('{"type":"outcome","outcome":"failed","error":{"code":"' + $Code + '","category":"' + $Category + '","message":"It broke.","remedy":"Do this."},"exitCode":3,"logPath":"/tmp/ar.log"}')
            $err = $null
            try { Get-ARDatabaseInfo -Path $bundle -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be "$Code,Get-ARDatabaseInfo"
            $expected = if ($Category -eq 'NoSuchCategory') { 'NotSpecified' } else { $Category }
            $err.CategoryInfo.Category | Should -Be $expected
            $err.Exception.Message | Should -Be 'It broke.'
            $err.Exception.Code | Should -Be $Code
            $err.Exception.ExitCode | Should -Be 3
            $err.Exception.LogPath | Should -Be '/tmp/ar.log'
            $err.ErrorDetails.RecommendedAction | Should -Be 'Do this.'
            $err.ErrorDetails.Message | Should -BeLike 'It broke. Do this.*/tmp/ar.log*'
        }

        It 'turns a cancelled outcome into an OperationStopped error' {
            Set-EngineEvents '{"type":"outcome","outcome":"cancelled","error":{"code":"AR-CANCELLED","category":"OperationStopped","message":"The operation was cancelled; nothing was left half-written.","remedy":"Run it again to continue."},"exitCode":130}'
            $err = $null
            try { Get-ARDatabaseInfo -Path $bundle } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'AR-CANCELLED,Get-ARDatabaseInfo'
            $err.CategoryInfo.Category | Should -Be 'OperationStopped'
            $err.Exception.Message | Should -BeLike '*cancelled*'
        }

        It 'reports an engine that ends without an outcome' {
            Set-EngineEvents $dbInfo
            { $null = Get-ARDatabaseInfo -Path $bundle } | Should -Throw -ErrorId 'AR-PROTOCOL,Get-ARDatabaseInfo'
        }

        It 'reports a request the engine rejects (ARU_BAD_REQUEST)' {
            Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob {
                throw [ActiveRolesUpgrade.Interop.V1.EngineException]::new('AR-REQUEST', 'InvalidArgument', 'Unknown operation "inspect".', 'Use one of: [version].', 2, $null)
            }
            $err = $null
            try { Get-ARDatabaseInfo -Path $bundle } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'AR-REQUEST,Get-ARDatabaseInfo'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Should -Invoke -ModuleName ActiveRolesUpgrade Close-ARNativeJob -Times 0 -Exactly
        }

        It 'surfaces not-implemented operations as NotImplemented (Copy-ARDatabasePrincipals)' {
            Set-EngineEvents '{"type":"outcome","outcome":"failed","error":{"code":"AR-NOTIMPL","category":"NotImplemented","message":"Copying database users, permissions, logins and roles is not available yet in this version of ActiveRolesUpgrade.","remedy":"Copy them with the Configuration Center."},"exitCode":6}'
            $err = $null
            try { Copy-ARDatabasePrincipals -SourcePath $bundle -DestinationPath (Join-Path $TestDrive 'd.arbundle') -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'AR-NOTIMPL,Copy-ARDatabasePrincipals'
            $err.CategoryInfo.Category | Should -Be 'NotImplemented'
            Should -Invoke -ModuleName ActiveRolesUpgrade Start-ARNativeJob -Times 1 -ParameterFilter { ($RequestJson | ConvertFrom-Json).operation -eq 'copy-principals' }
        }
    }

    Context 'stopping' {
        It 'cancels, drains to the outcome and closes when the pipeline stops early' {
            $events = @(1..20 | ForEach-Object { $dbInfo }) + '{"type":"outcome","outcome":"cancelled","error":{"code":"AR-CANCELLED","category":"OperationStopped","message":"cancelled"},"exitCode":130}'
            Set-EngineEvents $events
            $errorsBefore = $Error.Count
            $first = Get-ARDatabaseInfo -Path $bundle -WarningVariable warnings | Select-Object -First 1
            $first.version | Should -Be '7.6.3'
            $warnings | Should -BeNullOrEmpty -Because 'Select-Object -First asked for no more; that is no Ctrl+C to report'
            $Error.Count | Should -Be $errorsBefore
            Should -Invoke -ModuleName ActiveRolesUpgrade Stop-ARNativeJob -Times 1 -Exactly -ParameterFilter { $Handle -eq 42 }
            Should -Invoke -ModuleName ActiveRolesUpgrade Close-ARNativeJob -Times 1 -Exactly -ParameterFilter { $Handle -eq 42 }
            Should -Invoke -ModuleName ActiveRolesUpgrade Write-Progress -ParameterFilter { $Completed }
            [AppDomain]::CurrentDomain.GetData('ARTest.Events').Count | Should -Be 0 -Because 'the job is drained to its outcome'
            (InModuleScope ActiveRolesUpgrade { $script:LastOutcome }).outcome | Should -Be 'cancelled'
        }

        It 'bounds the drain when the engine never reports the outcome' {
            Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
                $q = [AppDomain]::CurrentDomain.GetData('ARTest.Events')
                if ($q.Count -gt 0) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } }
                else { [pscustomobject]@{ Status = 'Timeout'; Json = $null } }
            }
            InModuleScope ActiveRolesUpgrade { $script:DrainTimeoutSeconds = 1 }
            try {
                Set-EngineEvents $dbInfo, $dbInfo
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $null = Get-ARDatabaseInfo -Path $bundle | Select-Object -First 1
                $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
                Should -Invoke -ModuleName ActiveRolesUpgrade Close-ARNativeJob -Times 1 -Exactly
            } finally {
                InModuleScope ActiveRolesUpgrade { $script:DrainTimeoutSeconds = 30 }
            }
        }
    }
}
