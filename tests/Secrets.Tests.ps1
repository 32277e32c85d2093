# SecureString and PSCredential passwords reach the engine only inside the request JSON.
Describe 'Secrets (engine mocked)' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $sqlSecret = 'Sq1-"quoted"\back\slash-ünï-€-' + [char]9 + 'tab'
        $keySecret = 'K3y-Backup-Secret-9f8e7d'
        $cred = [pscredential]::new('arimport', (ConvertTo-SecureString $sqlSecret -AsPlainText -Force))
        $keyPw = ConvertTo-SecureString $keySecret -AsPlainText -Force
    }
    BeforeEach {
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.SetData('ARTest.Request', $RequestJson); 9 }
        $q = [System.Collections.Generic.Queue[string]]::new()
        foreach ($e in @(
                '{"type":"log","level":"info","message":"connecting","fields":{"server":"sql01"}}'
                '{"type":"log","level":"debug","message":"details"}'
                '{"type":"warning","code":"AR-W002","message":"certificate trusted blindly"}'
                '{"type":"result","resultType":"ConfigurationImportResult","data":{"addedCount":1}}'
                '{"type":"outcome","outcome":"failed","error":{"code":"AR-E004","category":"ConnectionError","message":"Cannot log in as arimport.","remedy":"Check the login."},"exitCode":4}'
            )) { $q.Enqueue($e) }
        [AppDomain]::CurrentDomain.SetData('ARTest.Events', $q)
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Events')
            if ($q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'End'; Json = $null } }
        }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
    }

    It 'puts the passwords, correctly escaped, into the request JSON only' {
        try {
            $null = Import-ARConfiguration -SourceServer sql01 -SourceDatabase ARConfig76 -SourceCredential $cred -DestinationPath (Join-Path $TestDrive 'd.arbundle') `
                -KeyBackupPath (Join-Path $TestDrive 'k.key') -KeyBackupPassword $keyPw -Confirm:$false -WarningAction SilentlyContinue
        } catch { $_.FullyQualifiedErrorId | Should -Be 'AR-E004,Import-ARConfiguration' }
        $r = [AppDomain]::CurrentDomain.GetData('ARTest.Request') | ConvertFrom-Json
        $r.params.source.user | Should -Be 'arimport'
        $r.params.source.password | Should -BeExactly $sqlSecret
        $r.params.keyBackupPassword | Should -BeExactly $keySecret
        [AppDomain]::CurrentDomain.GetData('ARTest.Request') | Should -Not -Match 'ARSECRET-'
    }

    It 'never writes a password to any stream or error' {
        $all = & {
            try {
                Import-ARConfiguration -SourceServer sql01 -SourceDatabase ARConfig76 -SourceCredential $cred -DestinationPath (Join-Path $TestDrive 'd.arbundle') `
                    -KeyBackupPath (Join-Path $TestDrive 'k.key') -KeyBackupPassword $keyPw -Confirm:$false -Verbose -Debug
            } catch { $_ }
        } *>&1
        $text = ($all | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId; $_.ToString(); $_.Exception.ToString(); $_.ErrorDetails.Message; $_.ScriptStackTrace }
                elseif ($_ -is [System.Management.Automation.InformationalRecord]) { $_.Message }
                else { $_ | Format-List * -Force | Out-String; $_ | ConvertTo-Json -Depth 5 }
            }) -join "`n"
        $text | Should -Match 'connecting'            # the streams were captured
        $text | Should -Match 'AR-W002'
        $text | Should -Match 'AR-E004'
        $text | Should -Not -Match ([regex]::Escape($sqlSecret))
        $text | Should -Not -Match ([regex]::Escape($keySecret))
        $text | Should -Not -Match 'Sq1-'
    }

    It 'leaves no plain-text password in the module''s variables' {
        try {
            $null = Import-ARConfiguration -SourceServer sql01 -SourceDatabase ARConfig76 -SourceCredential $cred -DestinationPath (Join-Path $TestDrive 'd.arbundle') `
                -KeyBackupPassword $keyPw -Confirm:$false -WarningAction SilentlyContinue
        } catch { $null = $_ }
        $dump = InModuleScope ActiveRolesUpgrade { Get-Variable -Scope Script | Out-String -Width 4096; Get-Variable -Scope Script | ForEach-Object { $_.Value | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue } }
        ($dump -join "`n") | Should -Not -Match ([regex]::Escape($keySecret))
    }

    It 'expands secrets with every JSON escape (round trip)' {
        $tricky = "a`"b\c`r`n`t" + [char]1 + [char]0x1f + 'é€😀/<>&'
        $json = InModuleScope ActiveRolesUpgrade -Parameters @{ S = (ConvertTo-SecureString $tricky -AsPlainText -Force) } {
            param($S)
            ConvertTo-ARRequestJson -Request ([ordered]@{ operation = 'x'; params = [ordered]@{ a = $S; list = @(1, $S); n = 2 } })
        }
        $o = $json | ConvertFrom-Json
        $o.params.a | Should -BeExactly $tricky
        $o.params.list[1] | Should -BeExactly $tricky
        $o.params.n | Should -Be 2
    }
}
