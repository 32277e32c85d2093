# The one endpoint parameter model (issue 11 item 1): -Source/-Destination take an instance, a
# connection string, a bundle path, a file or a Get-ARDatabaseInfo object, with
# -<Prefix>Database/-Credential/-Authentication/-DatabaseType/-TrustServerCertificate; the old
# parameter names are aliases; the module hands what was typed to the engine, which owns the
# defaults and the checks. Unit tests capture the request (native wrapper mocked); the
# Integration tests run the engine on the samples in a child pwsh.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ManifestPath -Force
    # Every cmdlet that takes a database, with the prefixes of its endpoints.
    $endpointCmdlets = @(foreach ($c in Get-Command -Module ActiveRolesUpgrade) {
            # Invoke-ARUpgrade's -Destination names a SQL Server or a folder for new databases, not a database.
            $prefixes = @(foreach ($p in 'Source', 'Destination') { if ($c.Parameters.ContainsKey($p) -and -not ($c.Name -eq 'Invoke-ARUpgrade' -and $p -eq 'Destination')) { $p } })
            if ($prefixes) { @{ Name = $c.Name; Prefixes = $prefixes } }
        })
}

Describe 'Endpoint parameters of <Name>' -Tag 'Unit' -ForEach $endpointCmdlets {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $command = Get-Command $Name -Module ActiveRolesUpgrade
        $help = Get-Help $Name -Full
        # The reference wording: Import-ARConfiguration's (prefixed) and Get-ARDatabaseInfo's (no prefix).
        $reference = @{ Prefixed = Get-Help Import-ARConfiguration -Full; Plain = Get-Help Get-ARDatabaseInfo -Full }
        function Get-ParameterHelp($Help, [string]$Parameter) {
            (($Help.Parameters.Parameter | Where-Object Name -EQ $Parameter).Description | Out-String).Trim()
        }
    }

    It 'has no endpoint parameter sets' {
        @($command.ParameterSets).Count | Should -Be 1
    }

    It 'declares -<_> with its options, the old names as aliases, and the same help as every other cmdlet' -ForEach $Prefixes {
        $prefix = $_
        # Get-ARDatabaseInfo and Get-ARWebSite have one database: -Source with unprefixed options.
        $options = if ($command.Parameters.ContainsKey('Database')) { '' } else { $prefix }
        $command.Parameters[$prefix].ParameterType | Should -BeIn @([object], [object[]])
        $old = if ($options) { "${prefix}Server", "${prefix}Path", "${prefix}ConnectionString" } else { 'Path', 'Server', 'ConnectionString' }
        foreach ($alias in $old) { $command.Parameters[$prefix].Aliases | Should -Contain $alias }
        $command.Parameters["${options}Credential"].ParameterType | Should -Be ([pscredential])
        $command.Parameters["${options}Credential"].Aliases | Should -Contain "${options}SqlCredential"
        $command.Parameters["${options}TrustServerCertificate"].SwitchParameter | Should -BeTrue
        $ref = if ($options) { $reference.Prefixed } else { $reference.Plain }
        foreach ($suffix in '', 'Database', 'Credential', 'Authentication', 'DatabaseType', 'TrustServerCertificate') {
            $p = if ($suffix) { "$options$suffix" } else { $prefix }
            $refName = if (-not $options) { if ($suffix) { $suffix } else { 'Source' } } elseif ($suffix) { "$prefix$suffix" } else { $prefix }
            Get-ParameterHelp $help $p | Should -Be (Get-ParameterHelp $ref $refName) -Because "-$p is documented once, in the same words everywhere"
        }
    }
}

Describe 'Endpoint binding: the request the module builds' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        function Get-Requests {
            @([AppDomain]::CurrentDomain.GetData('ARTest.Requests') | ForEach-Object { $_ | ConvertFrom-Json })
        }
        $here = (Get-Item $TestDrive).FullName
        $abs = Join-Path $here 'abs.arbundle'
        $null = New-Item -ItemType File -Force -Path $abs
        $cred = [pscredential]::new('arimport', (ConvertTo-SecureString 'pa;ss' -AsPlainText -Force))
        $sqlInfo = [pscustomobject]@{ PSTypeName = 'ActiveRolesUpgrade.DatabaseInfo'; location = 'sql01\INST,1433/ARConfig76'; kind = 'sqlserver'; server = 'sql01\INST,1433'; database = 'ARConfig76' }
        $bundleInfo = [pscustomobject]@{ PSTypeName = 'ActiveRolesUpgrade.DatabaseInfo'; location = $abs; kind = 'bundle' }
    }
    BeforeEach {
        [AppDomain]::CurrentDomain.SetData('ARTest.Requests', [System.Collections.Generic.List[string]]::new())
        Mock -ModuleName ActiveRolesUpgrade Start-ARNativeJob { [AppDomain]::CurrentDomain.GetData('ARTest.Requests').Add($RequestJson); 7 }
        Mock -ModuleName ActiveRolesUpgrade Receive-ARNativeEvent { [pscustomobject]@{ Status = 'Event'; Json = '{"type":"outcome","outcome":"succeeded","exitCode":0}' } }
        Mock -ModuleName ActiveRolesUpgrade Stop-ARNativeJob { }
        Mock -ModuleName ActiveRolesUpgrade Close-ARNativeJob { }
        Push-Location $TestDrive
    }
    AfterEach { Pop-Location }

    It '-<Prefix> <Form> binds as <Expect>' -ForEach @(
        foreach ($prefix in 'Source', 'Destination') {
            @{ Prefix = $prefix; Form = 'host'; Value = 'sql01'; Extra = @{ "${prefix}Database" = 'ARConfig76' }; Expect = @{ location = 'sql01'; database = 'ARConfig76' } }
            @{ Prefix = $prefix; Form = 'named instance'; Value = 'sql01\INST'; Extra = @{ "${prefix}Database" = 'ARConfig76' }; Expect = @{ location = 'sql01\INST'; database = 'ARConfig76' } }
            @{ Prefix = $prefix; Form = 'host and port'; Value = 'sql01,1433'; Extra = @{ "${prefix}Database" = 'ARConfig76' }; Expect = @{ location = 'sql01,1433'; database = 'ARConfig76' } }
            @{ Prefix = $prefix; Form = 'Azure SQL server'; Value = 'contoso.database.windows.net'; Extra = @{ "${prefix}Database" = 'AR81'; "${prefix}DatabaseType" = 'AzureSQL'; "${prefix}Authentication" = 'AzureADDefault' }
                Expect = @{ location = 'contoso.database.windows.net'; database = 'AR81'; databaseType = 'AzureSQL'; auth = 'AzureADDefault' }
            }
            @{ Prefix = $prefix; Form = 'ADO.NET connection string'; Value = 'Server=sql01;Database=ARConfig76;Integrated Security=true'; Extra = @{}; Expect = @{ location = 'Server=sql01;Database=ARConfig76;Integrated Security=true' } }
            @{ Prefix = $prefix; Form = 'sqlserver:// URL'; Value = 'sqlserver://sql01:1433?database=ARConfig76'; Extra = @{ "${prefix}TrustServerCertificate" = $true }; Expect = @{ location = 'sqlserver://sql01:1433?database=ARConfig76'; trustServerCertificate = $true } }
            @{ Prefix = $prefix; Form = 'relative bundle path'; Value = 'rel.arbundle'; Extra = @{}; Expect = @{ location = 'rel.arbundle'; baseDirectory = '<here>' } }
            @{ Prefix = $prefix; Form = 'absolute bundle path'; Value = '<abs>'; Extra = @{}; Expect = @{ location = '<abs>' } }
            @{ Prefix = $prefix; Form = 'file (FileInfo)'; Value = '<file>'; Extra = @{}; Expect = @{ path = '<abs>' } }
            @{ Prefix = $prefix; Form = 'Get-ARDatabaseInfo object of a bundle'; Value = '<bundleInfo>'; Extra = @{}; Expect = @{ path = '<abs>' } }
            @{ Prefix = $prefix; Form = 'Get-ARDatabaseInfo object of a SQL Server database'; Value = '<sqlInfo>'; Extra = @{}; Expect = @{ location = 'sql01\INST,1433'; database = 'ARConfig76' } }
            @{ Prefix = $prefix; Form = 'Get-ARDatabaseInfo object with a database typed apart'; Value = '<sqlInfo>'; Extra = @{ "${prefix}Database" = 'Other' }; Expect = @{ location = 'sql01\INST,1433'; database = 'Other' } }
            @{ Prefix = $prefix; Form = 'instance with -Credential'; Value = 'sql01'; Extra = @{ "${prefix}Database" = 'd'; "${prefix}Credential" = '<cred>' }; Expect = @{ location = 'sql01'; database = 'd'; user = 'arimport'; password = 'pa;ss' } }
            @{ Prefix = $prefix; Form = 'instance with -SqlCredential (alias)'; Value = 'sql01'; Extra = @{ "${prefix}Database" = 'd'; "${prefix}SqlCredential" = '<cred>' }; Expect = @{ location = 'sql01'; database = 'd'; user = 'arimport'; password = 'pa;ss' } }
            @{ Prefix = $prefix; Form = 'authentication the engine reads (any spelling it knows)'; Value = 'sql01'; Extra = @{ "${prefix}Database" = 'd'; "${prefix}Authentication" = 'sqlpassword'; "${prefix}Credential" = '<cred>' }; Expect = @{ auth = 'sqlpassword'; database = 'd'; user = 'arimport'; password = 'pa;ss' } }
            foreach ($old in 'Server', 'Path', 'ConnectionString') {
                @{ Prefix = $prefix; Form = "by its old name -$prefix$old"; Value = 'sql01\INST,1433'; Old = "$prefix$old"; Extra = @{ "${prefix}Database" = 'd' }; Expect = @{ location = 'sql01\INST,1433'; database = 'd' } }
            }
        }
    ) {
        $resolve = { param($v) switch ($v) { '<abs>' { $abs } '<here>' { $here } '<file>' { Get-Item $abs } '<bundleInfo>' { $bundleInfo } '<sqlInfo>' { $sqlInfo } '<cred>' { $cred } default { $v } } }
        $other = if ($Prefix -eq 'Source') { 'Destination' } else { 'Source' }
        $p = @{ $other = 'other.arbundle'; Confirm = $false; LogPath = '-' }
        $p[$(if ($Old) { $Old } else { $Prefix })] = & $resolve $Value
        foreach ($k in $Extra.Keys) { $p[$k] = & $resolve $Extra[$k] }
        Import-ARConfiguration @p
        $e = (Get-Requests)[-1].params.($Prefix.ToLowerInvariant())
        foreach ($k in $Expect.Keys) { $e.$k | Should -Be (& $resolve $Expect[$k]) -Because "$k of the $Prefix endpoint" }
        # Nothing is guessed by the module: authentication, database type and a database name are the engine's defaults.
        foreach ($k in 'auth', 'databaseType', 'database', 'user', 'password') {
            if (-not $Expect.ContainsKey($k)) { $e.PSObject.Properties.Name | Should -Not -Contain $k }
        }
        $e.PSObject.Properties.Name | Should -Not -Contain 'applicationName'
        $e.PSObject.Properties.Name | Should -Not -Contain 'server'
    }

    It 'never puts the password in the request outside the endpoint it belongs to' {
        Import-ARConfiguration sql01 other.arbundle -SourceDatabase d -SourceSqlCredential $cred -Confirm:$false
        $r = (Get-Requests)[-1]
        $r.params.source.password | Should -Be 'pa;ss'
        $r.params.destination.PSObject.Properties.Name | Should -Not -Contain 'password'
    }

    It 'takes the source positionally and from the pipeline, as Get-ARDatabaseInfo gives it' {
        $sqlInfo | Import-ARConfiguration -Destination sql02 -DestinationDatabase ARConfig82 -Confirm:$false
        $r = (Get-Requests)[-1].params
        $r.source.location | Should -Be 'sql01\INST,1433'
        $r.source.database | Should -Be 'ARConfig76'
        $r.destination.location | Should -Be 'sql02'
        Import-ARManagementHistory old.arbundle new.arbundle -CreateDestination -Confirm:$false
        $r = (Get-Requests)[-1].params
        $r.source.location | Should -Be 'old.arbundle'
        $r.destination.location | Should -Be 'new.arbundle'
        $r.destination.create | Should -BeTrue
    }

    It 'checks several sources, typed or piped, one engine run each against the same destination' {
        Test-ARUpgradePrerequisite a.arbundle, $abs new.arbundle -CreateDestination
        $bundleInfo, $sqlInfo, (Get-Item $abs) | Test-ARUpgradePrerequisite -Destination new.arbundle -CreateDestination -Kind ManagementHistory
        $r = Get-Requests
        $r.Count | Should -Be 5
        $r.params.source.location | Select-Object -First 2 | Should -Be @('a.arbundle', $abs)
        $r[2].params.source.path | Should -Be $abs
        $r[3].params.source.location | Should -Be 'sql01\INST,1433'
        $r[4].params.source.path | Should -Be $abs
        foreach ($x in $r) { $x.params.destination.location | Should -Be 'new.arbundle' }
    }

    It 'exports several databases into a folder, one bundle each, named for the database or the bundle' {
        $folder = Join-Path $here 'out'
        $null = New-Item -ItemType Directory -Force -Path $folder
        $sqlInfo, $bundleInfo | Export-ARDatabase -OutputPath out
        $r = Get-Requests
        $r.params.out | Should -Be @((Join-Path $folder 'ARConfig76.arbundle'), (Join-Path $folder 'abs.arbundle'))
        { Export-ARDatabase a.arbundle, b.arbundle -OutputPath one.arbundle } | Should -Throw -ErrorId 'AR-ARGS,Export-ARDatabase'
        @(Get-Requests).Count | Should -Be 3 -Because 'the first was exported; the second would have replaced it'
        { Export-ARDatabase 'Server=sql01;Integrated Security=true' -OutputPath out } | Should -Throw -ErrorId 'AR-ARGS,Export-ARDatabase'
    }

    It 'binds the destination of Set-ARServicesAssociation from the pipeline and sends no services server unless given' {
        $bundleInfo | Set-ARServicesAssociation -Confirm:$false
        $r = (Get-Requests)[-1].params
        $r.destination.path | Should -Be $abs
        $r.PSObject.Properties.Name | Should -Not -Contain 'servicesServer'
    }

    It 'lists the sites of each database given to Get-ARWebSite' {
        Get-ARWebSite -Source a.arbundle, $bundleInfo
        $bundleInfo | Get-ARWebSite 'Contoso*'
        $r = Get-Requests
        $r.Count | Should -Be 3
        $r[0].params.source.location | Should -Be 'a.arbundle'
        $r[1].params.source.path | Should -Be $abs
        @($r[2].params.names) | Should -Be @('Contoso*')
    }

    It 'upgrades from -Source to a SQL Server -Destination, or to a folder of bundles (-DestinationPath, or an existing folder)' {
        Invoke-ARUpgrade old.arbundle sql02.corp.example.com -DestinationCredential $cred -LogPath '-' -WhatIf
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $here 'bundles')
        Invoke-ARUpgrade -SourceServer sql01 -SourceDatabase ARConfig76 -SourceHistoryDatabase ARHistory76 -Destination bundles -LogPath '-' -WhatIf
        Invoke-ARUpgrade -SourcePath old.arbundle -DestinationPath new-folder -LogPath '-' -WhatIf
        $r = Get-Requests
        $r[0].params.source.location | Should -Be 'old.arbundle'
        $r[0].params.destination.location | Should -Be 'sql02.corp.example.com'
        $r[0].params.destination.user | Should -Be 'arimport'
        $r[0].params.PSObject.Properties.Name | Should -Not -Contain 'servicesServer'
        $r[1].params.source.location | Should -Be 'sql01'
        $r[1].params.sourceHistory.database | Should -Be 'ARHistory76'
        $r[1].params.destination.path | Should -Be (Join-Path $here 'bundles')
        $r[2].params.destination.path | Should -Be (Join-Path $here 'new-folder')
    }

    It 'refuses an object that names no database, with the forms to give' {
        $err = try { [pscustomobject]@{ name = 'x' } | Import-ARConfiguration -Destination d.arbundle -Confirm:$false; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -Be 'AR-ENDPOINT,Import-ARConfiguration'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*-Source*sql01\INST*arbundle*Get-ARDatabaseInfo*'
        @(Get-Requests).Count | Should -Be 0
    }
}

Describe 'Endpoint binding with the native engine (in a child pwsh)' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
    }

    It 'reads relative bundle paths at the PowerShell location, pipes Get-ARDatabaseInfo objects and exports several bundles into a folder' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $dir = Join-Path $TestDrive 'e1'
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $dir 'out')
        Copy-Item (Join-Path $RepoRoot 'testdata/sample-7.6-combined.arbundle'), (Join-Path $RepoRoot 'testdata/sample-8.1-history.arbundle') -Destination $dir
        $run = Invoke-ChildPwsh -TimeoutSeconds 180 -Script @"
Import-Module `$ManifestPath
Set-Location '$dir'
`$infos = Get-ARDatabaseInfo sample-7.6-combined.arbundle, sample-8.1-history.arbundle -LogPath '-'
`$exported = `$infos | Export-ARDatabase -OutputPath out -LogPath '-' -Confirm:`$false
`$again = Get-ChildItem out -Filter *.arbundle | Sort-Object Name | Get-ARDatabaseInfo -LogPath '-'
`$checks = @(Test-ARUpgradePrerequisite sample-7.6-combined.arbundle, (Get-Item sample-7.6-combined.arbundle) new.arbundle -CreateDestination -SkipEncryptedData -LogPath '-')
[pscustomobject]@{
    Kinds = @(`$infos.kind); Servers = @(`$infos | Where-Object { `$_.server }).Count
    Exported = @(Get-ChildItem out -Name | Sort-Object); Versions = @(`$again.version | ForEach-Object { [string]`$_ })
    Checks = `$checks.Count; Sources = @(`$checks | Where-Object code -EQ 'AR-E001').Count; NewCreated = Test-Path new.arbundle
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        @($r.Kinds) | Should -Be @('bundle', 'bundle')
        $r.Servers | Should -Be 0 -Because 'a bundle has no SQL Server instance'
        @($r.Exported) | Should -Be @('sample-7.6-combined.arbundle', 'sample-8.1-history.arbundle')
        @($r.Versions)[0] | Should -BeLike '7.6*'
        @($r.Versions)[1] | Should -BeLike '8.1*'
        $r.Sources | Should -Be 2 -Because 'each source is checked'
        $r.NewCreated | Should -BeFalse -Because 'a check writes nothing'
    }

    It 'names a connection string in -WhatIf as the engine does (describe-endpoint), without its password' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $out = Join-Path $TestDrive 'named.arbundle'
        $run = Invoke-ChildPwsh -TimeoutSeconds 120 -Script @"
Import-Module `$ManifestPath
Export-ARDatabase 'sqlserver://sa:s3cret@sql01.corp.example.com:1433?database=ARConfig76' -OutputPath '$out' -LogPath '-' -WhatIf
Import-ARConfiguration 'Server=sql01;Database=ARConfig76;User Id=sa;Password=s3cret' '$out' -CreateDestination -LogPath '-' -WhatIf -Verbose 4>&1 |
    Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] -and `$_.Message -like '*describe-endpoint*' } | ForEach-Object { 'VERBOSE ' + `$_.Message }
"@
        $text = $run.Output -join "``n"
        $text | Should -Match 'What if: .*Export sqlserver://sa:\*\*\*@sql01\.corp\.example\.com:1433\?database=ARConfig76 to a bundle'
        $text | Should -Match 'VERBOSE .*describe-endpoint'
        $text + $run.Error | Should -Not -Match 's3cret'
        Test-Path $out | Should -BeFalse
    }

    Context 'the engine''s refusals' {
        BeforeAll {
            # One child pwsh runs every case (each starts the engine; the machine is shared).
            $script:cases = [ordered]@{
                'the date range ends before it starts'                       = "Import-ARManagementHistory '<history>' '<out>' -CreateDestination -From 2024-06-30 -To 2024-01-01 -Confirm:`$false -LogPath '-'"
                'SqlLogin without a credential'                              = "Export-ARDatabase sql01.corp.example.com -SourceDatabase AR -SourceAuthentication SqlLogin -OutputPath '<out>' -LogPath '-'"
                'Windows authentication on Azure SQL'                        = "Export-ARDatabase contoso.database.windows.net -SourceDatabase AR -SourceAuthentication Windows -OutputPath '<out>' -LogPath '-'"
                'an authentication the engine does not know'                 = "Export-ARDatabase sql01 -SourceDatabase AR -SourceAuthentication Kerberos5 -OutputPath '<out>' -LogPath '-'"
                'a source that is no instance, connection string or bundle' = "Export-ARDatabase 'not a database!' -OutputPath '<out>' -LogPath '-'"
            }
            $script:results = @{}
            if ($skip) { return }
            $out = Join-Path $TestDrive 'refused.arbundle'
            $lines = foreach ($k in $cases.Keys) {
                $line = $cases[$k].Replace('<history>', (Join-Path $RepoRoot 'testdata/sample-8.1-history.arbundle')).Replace('<out>', $out)
                "`$err = try { $line; `$null } catch { `$_ }; [pscustomobject]@{ Case = '$k'; Id = `$err.FullyQualifiedErrorId; Category = [string]`$err.CategoryInfo.Category; Action = `$err.ErrorDetails.RecommendedAction; Written = Test-Path '$out' } | ConvertTo-Json -Compress"
            }
            $run = Invoke-ChildPwsh -TimeoutSeconds 300 -Script ("Import-Module `$ManifestPath`n" + ($lines -join "`n"))
            if ($run.ExitCode -ne 0) { throw "The child pwsh failed: $($run.Error)" }
            foreach ($o in $run.Output | Where-Object { $_ -like '{*' } | ConvertFrom-Json) { $script:results[$o.Case] = $o }
        }

        It '<Case>: a terminating ErrorRecord with the engine''s code <Code>, nothing written' -ForEach @(
            @{ Case = 'the date range ends before it starts'; Code = 'AR-E013' }
            @{ Case = 'SqlLogin without a credential'; Code = 'AR-CONNECTION' }
            @{ Case = 'Windows authentication on Azure SQL'; Code = 'AR-CONNECTION' }
            @{ Case = 'an authentication the engine does not know'; Code = 'AR-ARGS' }
            @{ Case = 'a source that is no instance, connection string or bundle'; Code = 'AR-ARGS' }
        ) {
            if ($skip) { Set-ItResult -Skipped -Because $skip; return }
            $r = $results[$Case]
            $r | Should -Not -BeNullOrEmpty
            $r.Id | Should -BeLike "$Code,*"
            $r.Category | Should -Be 'InvalidArgument'
            $r.Action | Should -Not -BeNullOrEmpty
            $r.Written | Should -BeFalse
        }
    }
}
