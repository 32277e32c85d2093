# Copy-ARDatabasePrincipals: the request it sends, when it asks, and how its results look (native wrapper mocked).
Describe 'Copy-ARDatabasePrincipals requests' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        function Get-LastRequest { [AppDomain]::CurrentDomain.GetData('ARTest.Request') | ConvertFrom-Json }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Request', $null)
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.SetData('ARTest.Request', $RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent {
            $q = [AppDomain]::CurrentDomain.GetData('ARTest.Events')
            if ($q -and $q.Count) { [pscustomobject]@{ Status = 'Event'; Json = $q.Dequeue() } } else { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
        [AppDomain]::CurrentDomain.SetData('ARTest.Events', $null)
    }

    It 'sends both endpoints, force and an absolute script path' {
        Push-Location $TestDrive
        try {
            Copy-ARDatabasePrincipals -SourceServer sql01.corp.example.com -SourceDatabase ARConfig76 -DestinationServer sql02.corp.example.com -DestinationDatabase ARConfig82 `
                -ScriptPath 'out/principals.sql' -Force -Confirm:$false
        } finally { Pop-Location }
        $r = Get-LastRequest
        $r.operation | Should -Be 'copy-principals'
        $r.params.source.database | Should -Be 'ARConfig76'
        $r.params.destination.location | Should -Be 'sql02.corp.example.com'
        $r.params.force | Should -BeTrue
        $r.params.whatIf | Should -BeFalse
        $r.params.scriptPath | Should -Be ([System.IO.Path]::Combine((Get-Item $TestDrive).FullName, 'out', 'principals.sql'))
    }

    It 'copies without -Force by default and sends no script path' {
        Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82
        $r = Get-LastRequest
        $r.params.force | Should -BeFalse
        $r.params.PSObject.Properties.Name | Should -Not -Contain 'scriptPath'
    }

    It 'passes -WhatIf to the engine and writes one typed object per principal' {
        $q = [System.Collections.Generic.Queue[string]]::new()
        $q.Enqueue('{"type":"result","resultType":"PrincipalCopyResult","data":{"name":"ARService","type":"SqlLogin","action":"Created","reason":"with the source''s SID and password"}}')
        $q.Enqueue('{"type":"result","resultType":"PrincipalCopyResult","data":{"name":"sa","type":"SqlLogin","action":"Skipped","reason":"sa is a system login"}}')
        $q.Enqueue('{"type":"outcome","outcome":"succeeded","exitCode":0}')
        [AppDomain]::CurrentDomain.SetData('ARTest.Events', $q)
        $out = @(Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82 -WhatIf)
        (Get-LastRequest).params.whatIf | Should -BeTrue
        $out.Count | Should -Be 2
        $out[0].PSObject.TypeNames[0] | Should -Be 'ActiveRolesUpgrade.PrincipalCopyResult'
        $out[1].action | Should -Be 'Skipped'
        # The table view shows Action, Type, Name and Reason.
        $text = $out | Format-Table | Out-String -Width 200
        $text | Should -Match 'Action\s+Type\s+Name\s+Reason'
        # A plan says what the copy would do.
        $text | Should -Match 'WouldCreate\s+SqlLogin\s+ARService'
    }
}

Describe 'Confirmation of Copy-ARDatabasePrincipals' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        # A runspace whose host cannot prompt: a confirmation request fails there instead of
        # waiting. The engine stand-in records that it was called (in the AppDomain, shared
        # with this runspace) and stops the command.
        function Invoke-WithoutHost {
            param([string]$Arguments)
            [AppDomain]::CurrentDomain.SetData('ARTest.EngineCalled', $null)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript(@"
Import-Module '$ManifestPath'
& (Get-Module ActiveRolesUpgrade) { function script:Start-ARNativeJob { param(`$RequestJson) [AppDomain]::CurrentDomain.SetData('ARTest.EngineCalled', `$true); throw 'ENGINE CALLED' } }
try { Copy-ARDatabasePrincipals -SourceServer sql01 -SourceDatabase ARConfig76 -DestinationServer sql02 -DestinationDatabase ARConfig82 $Arguments; 'NO ERROR' } catch { `$_.Exception.Message }
"@)
                $message = ($ps.Invoke() | Select-Object -Last 1) -as [string]
                if ([AppDomain]::CurrentDomain.GetData('ARTest.EngineCalled')) { 'ENGINE CALLED' } else { $message }
            } finally { $ps.Dispose() }
        }
    }

    It 'does not ask for a plain copy (ConfirmPreference High)' {
        Invoke-WithoutHost '' | Should -Be 'ENGINE CALLED'
    }

    It 'asks before -Force, which can drop logins (ConfirmImpact High)' {
        $r = Invoke-WithoutHost '-Force'
        $r | Should -Not -Be 'ENGINE CALLED'
        $r | Should -Match 'prompt|interaction|NonInteractive'
    }

    It 'does not ask with -Force -Confirm:$false' {
        Invoke-WithoutHost '-Force -Confirm:$false' | Should -Be 'ENGINE CALLED'
    }
}
