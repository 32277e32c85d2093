# The same invalid input gives the same answer through the cmdlets and the CLI (issue 11
# item 2): both only bind what the user typed and hand it to the engine, which owns every
# rule (authentication defaults and validation, date ranges, locations) and names the
# parameters for each front end to spell. Each case runs the cmdlet in a child pwsh and the
# CLI binary, and compares the AR code and the exit code (the cmdlet's
# EngineException.ExitCode, the CLI's process exit code). Both use the same engine build:
# the child module runs the CLI's engine out of process ($env:ARUPGRADE_ENGINE = 'process').
Describe 'The same answer through the cmdlets and the CLI' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $rid = Get-TestRuntimeIdentifier
        $cli = if ($env:ARUPGRADE_CLI) { $env:ARUPGRADE_CLI } else { Join-Path $RepoRoot ("bin/$rid/arupgrade" + $(if ($rid -like 'win-*') { '.exe' } else { '' })) }
        $skip = if (-not (Test-Path -LiteralPath $cli)) {
            "the CLI $cli is absent; run ./build.ps1 -Task Build (or set `$env:ARUPGRADE_CLI)"
        } elseif (-not (Test-Path -LiteralPath $SampleBundle)) {
            "the sample $SampleBundle is absent"
        }
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('arsame-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $work

        # name, the cmdlet call (its password is pw1), the CLI arguments (its password from
        # $ARUPGRADE_SOURCE_PASSWORD), the expected code and exit code, text both answers
        # contain, and text each must contain in its own spelling.
        $cases = @(
            @{ Name = 'SqlLogin without a credential'
               Cmdlet = "Get-ARDatabaseInfo -Source 'Server=127.0.0.1,1;Database=AR' -Authentication SqlLogin -LogPath '-'"
               Cli = @('inspect', '--source', 'Server=127.0.0.1,1;Database=AR', '--source-auth', 'SqlLogin')
               Code = 'AR-CONNECTION'; Exit = 2; Both = 'needs a login name' }
            @{ Name = 'Windows authentication with a credential (NTLM: the engine''s answer wins)'
               Cmdlet = "Get-ARDatabaseInfo -Source 'Server=127.0.0.1,1;Database=AR' -Authentication Windows -Credential ([pscredential]::new('CORP\u1', (ConvertTo-SecureString 'pw1' -AsPlainText -Force))) -LogPath '-'"
               Cli = @('inspect', '--source', 'Server=127.0.0.1,1;Database=AR', '--source-auth', 'Windows', '--source-user', 'CORP\u1')
               Code = 'AR-CONNECTION'; Exit = 4; Both = 'Authentication=Windows;User Id=CORP\u1' }
            @{ Name = 'Azure SQL without authentication: the Entra default'
               Cmdlet = "Get-ARDatabaseInfo -Source 'Server=ar-same.invalid;Database=AR' -DatabaseType AzureSQL -LogPath '-'"
               Cli = @('inspect', '--source', 'Server=ar-same.invalid;Database=AR', '--source-database-type', 'AzureSQL')
               Code = 'AR-CONNECTION'; Exit = 4; Both = 'Authentication=ActiveDirectoryDefault' }
            @{ Name = 'a connection string with an unknown key'
               Cmdlet = "Get-ARDatabaseInfo -Source 'Server=sql01;Database=AR;Bogus=1' -LogPath '-'"
               Cli = @('inspect', '--source', 'Server=sql01;Database=AR;Bogus=1')
               Code = 'AR-CONNECTION'; Exit = 2; Both = 'Bogus: unknown key' }
            @{ Name = 'a missing bundle'
               Cmdlet = "Get-ARDatabaseInfo -Source '$work/missing.arbundle' -LogPath '-'"
               Cli = @('inspect', '--source', "$work/missing.arbundle")
               Code = 'AR-NOTFOUND'; Exit = 4; Both = 'missing.arbundle does not exist'
               Cmd = 'New-ARSampleDatabase'; CliCmd = 'arupgrade fixture' }
            @{ Name = 'an end date before the start date (AR-E013, from the engine''s preflight)'
               Cmdlet = "Import-ARManagementHistory -Source '$SampleBundle' -Destination '$work/ps-e013.arbundle' -CreateDestination -From 2024-06-30 -To 2024-01-01 -Confirm:`$false -LogPath '-'"
               Cli = @('import-history', '--source', $SampleBundle, '--destination', "$work/cli-e013.arbundle", '--create-destination', '--from', '2024-06-30', '--to', '2024-01-01')
               Code = 'AR-E013'; Exit = 3; Both = 'before the start date'; NotCreated = @("$work/ps-e013.arbundle", "$work/cli-e013.arbundle") }
            @{ Name = 'one end of a date range'
               Cmdlet = "Import-ARManagementHistory -Source '$SampleBundle' -Destination '$work/ps-half.arbundle' -CreateDestination -From 2024-01-01 -Confirm:`$false -LogPath '-'"
               Cli = @('import-history', '--source', $SampleBundle, '--destination', "$work/cli-half.arbundle", '--create-destination', '--from', '2024-01-01')
               Code = 'AR-PARAMS'; Exit = 2; Both = 'Only one end of the date range'
               Ps = 'Give both -From and -To'; CliText = 'Give both --from and --to'; NotCreated = @("$work/ps-half.arbundle", "$work/cli-half.arbundle") }
            @{ Name = 'a history option in a configuration check'
               Cmdlet = "Test-ARUpgradePrerequisite -Source '$SampleBundle' -Destination '$work/ps-kind.arbundle' -CreateDestination -From 2024-01-01 -LogPath '-'"
               Cli = @('test-prerequisites', '--source', $SampleBundle, '--destination', "$work/cli-kind.arbundle", '--create-destination', '--from', '2024-01-01')
               Code = 'AR-PARAMS'; Exit = 2; Both = 'does not apply to a configuration import'
               Ps = 'Leave out -From'; CliText = 'Leave out --from'; NotCreated = @("$work/ps-kind.arbundle", "$work/cli-kind.arbundle") }
        )

        $answers = @{}
        if (-not $skip) {
            # Every cmdlet case in one child pwsh: one line of JSON per case.
            $lines = foreach ($c in $cases) {
                @"
try { `$null = $($c.Cmdlet); [pscustomobject]@{ Name = '$($c.Name -replace "'", "''")'; Code = 'none' } | ConvertTo-Json -Compress }
catch { `$e = `$_.Exception; [pscustomobject]@{ Name = '$($c.Name -replace "'", "''")'; Code = [string]`$e.Code; Exit = [int]`$e.ExitCode; Text = [string]`$_.ErrorDetails.Message; Id = `$_.FullyQualifiedErrorId } | ConvertTo-Json -Compress }
"@
            }
            $run = Invoke-ChildPwsh -TimeoutSeconds 300 -Environment @{ ARUPGRADE_ENGINE = 'process'; ARUPGRADE_CLI = $cli } `
                -Script ("Import-Module `$ManifestPath`n`$ErrorActionPreference = 'Stop'`n" + ($lines -join "`n"))
            foreach ($l in $run.Output) {
                try { $o = $l | ConvertFrom-Json } catch { continue }
                if ($o.Name) { $answers[$o.Name] = @{ Ps = $o } }
            }
            if ($answers.Count -ne $cases.Count) {
                throw "The child pwsh answered $($answers.Count) of $($cases.Count) cases (exit $($run.ExitCode)).`n$($run.Output -join "`n")`n$($run.Error)"
            }
            $env:ARUPGRADE_SOURCE_PASSWORD = 'pw1'
            try {
                foreach ($c in $cases) {
                    $out = & $cli @($c.Cli + @('--output', 'json', '--log-file', '-')) 2>$null
                    $exit = $LASTEXITCODE
                    $last = @($out)[-1] | ConvertFrom-Json
                    $answers[$c.Name].Cli = [pscustomobject]@{ Code = [string]$last.error.code; Exit = $exit; Text = "$($last.error.message) $($last.error.remedy)" }
                }
            } finally {
                Remove-Item Env:ARUPGRADE_SOURCE_PASSWORD -ErrorAction Ignore
            }
        }
    }

    AfterAll {
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
    }

    It 'names endpoints as the engine does (Get-AREndpointDescription, no connection, no password)' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $run = Invoke-ChildPwsh -Environment @{ ARUPGRADE_ENGINE = 'process'; ARUPGRADE_CLI = $cli } -Script @'
Import-Module $ManifestPath
& (Get-Module ActiveRolesUpgrade) {
    function Get-Names {
        [CmdletBinding()] param()
        $cred = [pscredential]::new('sa', (ConvertTo-SecureString 'Hunter2!' -AsPlainText -Force))
        $bound = @{ Source = 'sql01\INST,1433'; Database = 'ARConfig76'; Credential = $cred }
        $a = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $bound
        $b = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters @{ Source = 'Server=sql02.corp.example.com;Database=AR82;User Id=sa;Password=Hunter2!' }
        $c = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters @{ Source = 'ar76.arbundle' }
        Get-AREndpointDescription -Cmdlet $PSCmdlet -Endpoint $a, $b, $c
    }
    Get-Names
} | ConvertTo-Json -Compress -Depth 5
'@
        $run.Output -join "`n" | Should -Not -BeLike '*Hunter2*'
        $d = @(ConvertFrom-ChildJson $run)
        $d.Count | Should -Be 3
        $d[0].Description | Should -Be 'sql01\INST,1433/ARConfig76'
        $d[0].Kind | Should -Be 'SqlServer'
        $d[1].Server | Should -Be 'sql02.corp.example.com'
        $d[1].Database | Should -Be 'AR82'
        $d[1].Description | Should -BeLike '*Password=`*`*`**'
        $d[2].Kind | Should -Be 'Bundle'
        [System.IO.Path]::IsPathRooted($d[2].Description) | Should -BeTrue
    }

    It 'checks the services-server default as the CLI does: this computer''s FQDN, or a finding that names -ServicesServer' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $run = Invoke-ChildPwsh -Environment @{ ARUPGRADE_ENGINE = 'process'; ARUPGRADE_CLI = $cli } -Script @"
Import-Module `$ManifestPath
Test-ARUpgradePrerequisite -Source '$SampleBundle' -Destination '$work/ps-e017.arbundle' -CreateDestination -SkipEncryptedData -LogPath '-' |
    Where-Object { `$_.Code -eq 'AR-E017' } | Select-Object Code, Status, Message, Remedy | ConvertTo-Json -Compress
"@
        $ps = ConvertFrom-ChildJson $run
        $out = & $cli test-prerequisites --source $SampleBundle --destination "$work/cli-e017.arbundle" --create-destination --skip-encrypted-data --output json --log-file - 2>$null
        $cl = (@($out)[-1] | ConvertFrom-Json).results | Where-Object { $_.code -eq 'AR-E017' }
        $ps.Status | Should -Be $cl.status
        $ps.Message | Should -Be $cl.message
        if ($ps.Status -eq 'Fail') {
            # This host has no FQDN: the engine says so and names each front end's parameter.
            $ps.Message | Should -BeLike '*is not a fully qualified domain name*so it cannot be the default*'
            $ps.Remedy | Should -BeLike '*(-ServicesServer ars01.corp.example.com)*'
            $cl.remedy | Should -BeLike '*(--services-server ars01.corp.example.com)*'
        } else {
            $ps.Message | Should -BeLike '*this computer (the default without -ServicesServer)*'
            $cl.message | Should -BeLike '*this computer (the default without --services-server)*'
        }
    }

    It '<Name>: the same code and exit code' -ForEach @(
        @{ Name = 'SqlLogin without a credential' }
        @{ Name = 'Windows authentication with a credential (NTLM: the engine''s answer wins)' }
        @{ Name = 'Azure SQL without authentication: the Entra default' }
        @{ Name = 'a connection string with an unknown key' }
        @{ Name = 'a missing bundle' }
        @{ Name = 'an end date before the start date (AR-E013, from the engine''s preflight)' }
        @{ Name = 'one end of a date range' }
        @{ Name = 'a history option in a configuration check' }
    ) {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $case = $cases | Where-Object { $_.Name -eq $Name }
        $ps = $answers[$Name].Ps
        $cl = $answers[$Name].Cli
        $ps.Code | Should -Be $case.Code -Because "the cmdlet's answer ($($ps.Text))"
        $cl.Code | Should -Be $case.Code -Because "the CLI's answer ($($cl.Text))"
        $ps.Exit | Should -Be $case.Exit
        $cl.Exit | Should -Be $case.Exit
        $ps.Id | Should -BeLike "$($case.Code)*"
        $ps.Text | Should -BeLike "*$($case.Both)*"
        $cl.Text | Should -BeLike "*$($case.Both)*"
        # Each front end spells the parameters and commands the engine names as its own.
        foreach ($t in $ps.Text, $cl.Text) { $t | Should -Not -Match '\{(param|command):' }
        if ($case.Ps) {
            $ps.Text | Should -BeLike "*$($case.Ps)*"
            $cl.Text | Should -BeLike "*$($case.CliText)*"
            $ps.Text | Should -Not -BeLike '*--from*'
        }
        if ($case.Cmd) {
            $ps.Text | Should -BeLike "*$($case.Cmd)*"
            $cl.Text | Should -BeLike "*$($case.CliCmd)*"
        }
        foreach ($p in @($case.NotCreated)) { if ($p) { Test-Path -LiteralPath $p | Should -BeFalse -Because 'a refused run writes nothing' } }
        $ps.Text | Should -Not -BeLike '*pw1*'
        $cl.Text | Should -Not -BeLike '*pw1*'
    }
}

Describe 'Engine parameter names in PowerShell spelling' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
    }
    AfterAll { Remove-Module ActiveRolesUpgrade -ErrorAction Ignore }

    It 'renders <Template> as <Want>' -ForEach @(
        @{ Template = 'Give both {param:from} and {param:to}.'; Want = 'Give both -From and -To.' }
        @{ Template = 'with {param:source.trustServerCertificate} / {param:destination.trustServerCertificate}'; Want = 'with -SourceTrustServerCertificate / -DestinationTrustServerCertificate' }
        @{ Template = '({param:servicesServer} ars01.corp.example.com)'; Want = '(-ServicesServer ars01.corp.example.com)' }
        @{ Template = 'allow overwriting ({param:overwrite}); or ask for a new one ({param:destination.create})'; Want = 'allow overwriting (-Force); or ask for a new one (-CreateDestination)' }
        @{ Template = '{param:source.auth} needs {param:source.user}'; Want = '-SourceAuthentication needs -SourceCredential' }
        @{ Template = 'Run {command:copy-principals}, see {command:help}, or {command:unknown-op}.'; Want = "Run Copy-ARDatabasePrincipals, see Get-Help, or 'unknown-op'." }
        @{ Template = 'No tokens {here}.'; Want = 'No tokens {here}.' }
    ) {
        InModuleScope ActiveRolesUpgrade -Parameters @{ T = $Template } { Format-ARParameterText -Text $T } | Should -BeExactly $Want
    }

    It 'builds the ErrorRecord of an engine failure from the templates, in PowerShell spelling' {
        $info = [pscustomobject]@{ code = 'AR-PARAMS'; category = 'InvalidArgument'; message = 'Only one end of the date range was given.'
            remedy = "Give both 'from' and 'to'."; remedyTemplate = 'Give both {param:from} and {param:to}.'; parameters = @('from', 'to') }
        $record = InModuleScope ActiveRolesUpgrade -Parameters @{ I = $info } {
            New-ARErrorRecord -Exception (New-AREngineException -ErrorInfo $I -ExitCode 2)
        }
        $record.FullyQualifiedErrorId | Should -Be 'AR-PARAMS'
        $record.ErrorDetails.RecommendedAction | Should -BeExactly 'Give both -From and -To.'
        $record.ErrorDetails.Message | Should -BeLike '*Give both -From and -To.'
    }

    It 'renders a check''s remedy template in place and drops it' {
        $data = [pscustomobject]@{ code = 'AR-E017'; status = 'Fail'; message = 'No services server.'
            remedy = "Give ('servicesServer' ars01)."; remedyTemplate = 'Give ({param:servicesServer} ars01).' }
        InModuleScope ActiveRolesUpgrade -Parameters @{ D = $data } { Format-ARResultTemplate -Value $D }
        $data.remedy | Should -BeExactly 'Give (-ServicesServer ars01).'
        $data.PSObject.Properties['remedyTemplate'] | Should -BeNullOrEmpty
        $data.message | Should -BeExactly 'No services server.'
    }
}

Describe 'Every parameter the engine names is a parameter of a cmdlet' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        # The keys texts under core/ name: arerr.Param("…") or a literal {param:…}.
        $keys = Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'core') -Recurse -Filter '*.go' |
            Where-Object { $_.Name -notlike '*_test.go' -and $_.FullName -notlike '*arerr*' } |
            ForEach-Object { [regex]::Matches([System.IO.File]::ReadAllText($_.FullName), 'arerr\.Param\("([^"]+)"\)|\{param:([A-Za-z][A-Za-z0-9.-]*)\}') } |
            ForEach-Object { $_.Groups[1].Value + $_.Groups[2].Value } | Sort-Object -Unique
        $names = @{}
        foreach ($c in Get-Command -Module ActiveRolesUpgrade) {
            foreach ($p in $c.Parameters.Values) {
                $names["-$($p.Name)"] = $true
                foreach ($a in $p.Aliases) { $names["-$a"] = $true }
            }
        }
    }
    AfterAll { Remove-Module ActiveRolesUpgrade -ErrorAction Ignore }

    It 'finds the keys' { $keys.Count | Should -BeGreaterThan 10 }

    It 'spells each as an existing parameter' {
        $missing = foreach ($k in $keys) {
            $n = InModuleScope ActiveRolesUpgrade -Parameters @{ K = $k } { ConvertTo-ARParameterName -Key $K }
            # A parameter, or a text naming where the value goes (HostNameInCertificate=… in the connection string).
            $first = ($n -split ' ')[0]
            if ($first.StartsWith('-') -and -not $names.ContainsKey($first)) { "{param:$k} → $n" }
            if (-not $first.StartsWith('-') -and $n -notmatch ' -(Source|Destination) ') { "{param:$k} → $n" }
        }
        $missing | Should -BeNullOrEmpty
    }
}
