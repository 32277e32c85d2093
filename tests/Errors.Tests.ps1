# Every error the module raises says how to fix it in RecommendedAction, whether the module
# itself refuses the parameters or the engine refuses the request. Native wrapper mocked.
Describe 'Errors carry a RecommendedAction' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $bundle = Join-Path $TestDrive 'x.arbundle'
        $dst = Join-Path $TestDrive 'd.arbundle'
        $cred = [pscredential]::new('sa', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        function Get-ErrorRecord([scriptblock]$Script) {
            try { & $Script; $null } catch { $_ }
        }
    }

    BeforeEach {
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { 42 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            [pscustomobject]@{ Status = 'Event'; Json = [AppDomain]::CurrentDomain.GetData('ARTest.Outcome') }
        }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Write-Progress { }
    }

    It 'an engine refusal (a missing key backup, AR-E014) carries its remedy' {
        [AppDomain]::CurrentDomain.SetData('ARTest.Outcome', '{"type":"outcome","outcome":"failed","error":{"code":"AR-E014","category":"InvalidArgument","message":"Cannot read the key backup file /x/none.key: no such file or directory","remedy":"Check the key backup path."},"exitCode":3}')
        $err = Get-ErrorRecord { Import-ARConfiguration -SourcePath $bundle -DestinationPath $dst -KeyBackupPath (Join-Path $TestDrive 'none.key') -ServicesServer ars.corp.example.com -Confirm:$false }
        $err.FullyQualifiedErrorId | Should -BeLike 'AR-E014,*'
        $err.ErrorDetails.RecommendedAction | Should -Be 'Check the key backup path.'
        $err.Exception.ExitCode | Should -Be 3
    }
}
