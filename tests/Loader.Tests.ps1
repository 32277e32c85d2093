Describe 'Loader' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $root = Join-Path $TestDrive 'module'
    }

    It 'names this process''s runtime identifier like the bin/ folders' {
        InModuleScope ActiveRolesUpgrade { Get-ARRuntimeIdentifier } | Should -Be (Get-TestRuntimeIdentifier)
    }

    It 'picks bin/(rid)/ relative to the module root, as an absolute path' {
        $folder = Join-Path $root 'bin/linux-x64'
        $null = New-Item -ItemType Directory -Force -Path $folder
        Set-Content -Path (Join-Path $folder 'libarupgrade.so') -Value 'not a library'
        $p = InModuleScope ActiveRolesUpgrade -Parameters @{ Root = $root } {
            param($Root)
            Get-ARNativeLibraryPath -ModuleRoot $Root -RuntimeIdentifier 'linux-x64' -IgnoreOverride
        }
        $p | Should -Be ([System.IO.Path]::GetFullPath((Join-Path $folder 'libarupgrade.so')))
        [System.IO.Path]::IsPathRooted($p) | Should -BeTrue
    }

    It 'uses the per-OS file name (<Rid> → <File>)' -ForEach @(
        @{ Rid = 'win-x64'; File = 'arupgrade.dll' }
        @{ Rid = 'linux-x64'; File = 'libarupgrade.so' }
        @{ Rid = 'osx-arm64'; File = 'libarupgrade.dylib' }
    ) {
        InModuleScope ActiveRolesUpgrade -Parameters @{ Rid = $Rid } { param($Rid) Get-ARNativeLibraryName -RuntimeIdentifier $Rid } | Should -Be $File
    }

    It 'fails with a clear error naming the folder and the build command when the library is missing' {
        $empty = Join-Path $TestDrive 'empty'
        $err = $null
        try {
            InModuleScope ActiveRolesUpgrade -Parameters @{ Root = $empty } { param($Root) Get-ARNativeLibraryPath -ModuleRoot $Root -RuntimeIdentifier 'win-x64' -IgnoreOverride }
        } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception | Should -BeOfType [System.IO.FileNotFoundException]
        $err.Exception.Message | Should -BeLike "*$([System.IO.Path]::Combine([System.IO.Path]::GetFullPath($empty), 'bin', 'win-x64'))*"
        $err.Exception.Message | Should -BeLike '*arupgrade.dll*'
        $err.Exception.Message | Should -BeLike '*./build.ps1 -Task Build*'
    }

    It 'says which platforms are supported for an unsupported one' {
        { InModuleScope ActiveRolesUpgrade { Get-ARNativeLibraryPath -ModuleRoot $TestDrive -RuntimeIdentifier 'linux-riscv64' -IgnoreOverride } } |
            Should -Throw -ExpectedMessage '*ships engines for win-x64, linux-x64, osx-arm64*'
    }

    It 'surfaces the missing library as an ObjectNotFound error of the cmdlet' {
        $saved = $env:ARUPGRADE_LIBRARY
        try {
            $env:ARUPGRADE_LIBRARY = Join-Path $TestDrive 'nowhere/libarupgrade.so'
            InModuleScope ActiveRolesUpgrade { $t = 'ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]; [bool]($t -and $t::IsLoaded) } | Should -BeFalse
            $err = $null
            try { Get-ARDatabaseInfo -Path (Join-Path $TestDrive 'x.arbundle') } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'FileNotFoundException,Get-ARDatabaseInfo'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*ARUPGRADE_LIBRARY*'
        } finally {
            $env:ARUPGRADE_LIBRARY = $saved
        }
    }

    It 'reads the engine mode from $env:ARUPGRADE_ENGINE (<Value> → <Mode>)' -ForEach @(
        @{ Value = ''; Mode = 'InProcess' }
        @{ Value = 'inprocess'; Mode = 'InProcess' }
        @{ Value = 'Process'; Mode = 'Process' }
    ) {
        $saved = $env:ARUPGRADE_ENGINE
        try {
            $env:ARUPGRADE_ENGINE = $Value
            InModuleScope ActiveRolesUpgrade { Get-AREngineMode } | Should -Be $Mode
        } finally { $env:ARUPGRADE_ENGINE = $saved }
    }

    It 'rejects an unknown engine mode' {
        $saved = $env:ARUPGRADE_ENGINE
        try {
            $env:ARUPGRADE_ENGINE = 'thread'
            { InModuleScope ActiveRolesUpgrade { Get-AREngineMode } } | Should -Throw -ExpectedMessage "*'inprocess'*'process'*"
        } finally { $env:ARUPGRADE_ENGINE = $saved }
    }

    It 'finds the compiled interop types again after a re-import without compiling them (error handling needs them)' {
        $run = Invoke-ChildPwsh -Script @'
$m = Import-Module $ManifestPath -PassThru
$before = [string](& $m { Get-ARInteropType EngineException -IfCompiled })
$count = { @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetType('ActiveRolesUpgrade.Interop.V1.EngineException', $false) }).Count }
$compiledBefore = & $count
$null = & $m { Get-ARInteropType EngineException }
$m = Import-Module $ManifestPath -Force -PassThru
$after = [string](& $m { Get-ARInteropType EngineException -IfCompiled })
[pscustomobject]@{ Before = $before; CompiledBefore = $compiledBefore; After = $after; Compiled = & $count } | ConvertTo-Json -Compress
'@
        $r = ConvertFrom-ChildJson $run
        $r.Before | Should -BeNullOrEmpty
        $r.CompiledBefore | Should -Be 0
        $r.After | Should -Be 'ActiveRolesUpgrade.Interop.V1.EngineException'
        $r.Compiled | Should -Be 1
    }

    It 'compiles the interop type once (a second import reuses it)' {
        InModuleScope ActiveRolesUpgrade { Import-ARInteropType }
        $t1 = 'ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]
        Import-Module $ManifestPath -Force
        InModuleScope ActiveRolesUpgrade { Import-ARInteropType }
        ('ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]) | Should -Be $t1
        @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetType('ActiveRolesUpgrade.Interop.V1.NativeEngine', $false) }).Count | Should -Be 1
    }
}

# Updating the module in one session (issue 11 item 4): a second copy of the module, imported from
# another path with -Force, runs ITS OWN engine. A process holds one Go runtime (the engine library
# cannot be unloaded, and two cannot coexist), so the second copy runs its own executable out of
# process; without one it stops with AR-ENGINELOADED. Each test runs in a child pwsh of its own.
Describe 'Loader: another copy of the module in the same session' -Tag 'Integration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $skip = Get-NativeSkipReason
        $rid = Get-TestRuntimeIdentifier
        $cliName = if ($rid -like 'win-*') { 'arupgrade.exe' } else { 'arupgrade' }
        $libraryName = Split-Path -Leaf (Get-TestNativeLibraryPath)
        $repoVersion = [string](Import-PowerShellDataFile $ManifestPath).ModuleVersion
        # The children see no engine overrides: each copy must find its own engine under its bin/.
        $cleanEnvironment = @{ ARUPGRADE_LIBRARY = ''; ARUPGRADE_CLI = ''; ARUPGRADE_ENGINE = '' }

        # An engine executable stamped with $Version (go build, as ./build.ps1 does), or $null without Go.
        function Get-TestCli {
            param([Parameter(Mandatory)][string]$Version)
            $built = Join-Path $RepoRoot "bin/$rid/$cliName"
            if ($Version -eq $repoVersion) {
                if ($env:ARUPGRADE_CLI -and (Test-Path -LiteralPath $env:ARUPGRADE_CLI)) { return $env:ARUPGRADE_CLI }
                if (Test-Path -LiteralPath $built) { return $built }
            }
            $out = Join-Path $TestDrive "cli-$Version/$cliName"
            if (Test-Path -LiteralPath $out) { return $out }
            if (-not (Get-Command go -CommandType Application -ErrorAction Ignore)) { return $null }
            $saved = $env:CGO_ENABLED
            try {
                $env:CGO_ENABLED = '0'
                $log = & go build -C $RepoRoot -trimpath -ldflags "-s -w -X github.com/activeroles/arupgrade/core/engine.Version=$Version" -o $out ./cmd/arupgrade 2>&1
                if ($LASTEXITCODE -ne 0) { throw "go build of the $Version engine executable failed:`n$($log -join "`n")" }
            } finally { $env:CGO_ENABLED = $saved }
            $out
        }

        # A module folder laid out as ./build.ps1 -Task Package does (<Parent>/ActiveRolesUpgrade/<version>/):
        # manifest (its ModuleVersion set to $Version), root module, module/, cmdlets/, bin/<rid>/.
        # -InteropNote changes module/Interop.cs as a new version's interop code would differ.
        function New-TestModuleCopy {
            param(
                [Parameter(Mandatory)][string]$Parent,
                [string]$Version = $repoVersion,
                [string]$Cli,
                [string]$InteropNote
            )
            $dest = Join-Path $TestDrive "$Parent/ActiveRolesUpgrade/$Version"
            $bin = Join-Path $dest "bin/$rid"
            $null = New-Item -ItemType Directory -Force -Path $bin
            Copy-Item -Path (Join-Path $RepoRoot 'ActiveRolesUpgrade.psd1'), (Join-Path $RepoRoot 'ActiveRolesUpgrade.psm1') -Destination $dest
            Copy-Item -Recurse -Path (Join-Path $RepoRoot 'module'), (Join-Path $RepoRoot 'cmdlets') -Destination $dest
            Copy-Item -Path (Get-TestNativeLibraryPath) -Destination (Join-Path $bin $libraryName)
            if ($Cli) { Copy-Item -Path $Cli -Destination (Join-Path $bin $cliName) }
            $psd1 = Join-Path $dest 'ActiveRolesUpgrade.psd1'
            $text = [System.IO.File]::ReadAllText($psd1) -replace "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$Version'"
            [System.IO.File]::WriteAllText($psd1, $text)
            if ($InteropNote) { Add-Content -Path (Join-Path $dest 'module/Interop.cs') -Value "// $InteropNote" }
            $psd1
        }

        # The child-pwsh lines that describe the engine a module object uses now.
        $describe = @'
function Get-EngineUse {
    param($Module, $Info)
    $d = & $Module { Get-ARNativeDiagnostics }
    [pscustomobject]@{
        ModuleVersion    = [string]$Module.Version
        CommandFrom      = (Get-Command Get-ARDatabaseInfo).Module.ModuleBase
        DatabaseVersion  = [string]$Info.Version
        EngineVersion    = [string](& $Module { Get-AREngineVersion }).version
        Engine           = $d.Engine
        EnginePath       = $d.EnginePath
        InteropNamespace = $d.InteropNamespace
        ProcessLibrary   = $d.ProcessLibraryPath
    }
}
'@
    }

    It 'runs the second version''s own engine after Import-Module -Force from another path' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $cli1 = Get-TestCli -Version $repoVersion
        $cli2 = Get-TestCli -Version '0.2.0'
        if (-not $cli1 -or -not $cli2) { Set-ItResult -Skipped -Because 'Go is not on PATH to build the engine executables (run under ./build.ps1 -Task Test, which builds them)'; return }
        $old = New-TestModuleCopy -Parent 'old' -Cli $cli1
        $new = New-TestModuleCopy -Parent 'new' -Version '0.2.0' -Cli $cli2 -InteropNote 'interop code of version 0.2.0'
        $run = Invoke-ChildPwsh -Environment $cleanEnvironment -Script ($describe + @"
`$old = Import-Module '$old' -PassThru
`$first = Get-EngineUse `$old (Get-ARDatabaseInfo -Source '$SampleBundle')
`$new = Import-Module '$new' -Force -PassThru
`$second = Get-EngineUse `$new (Get-ARDatabaseInfo -Source '$SampleBundle')
`$failure = try { Get-ARDatabaseInfo -Source (Join-Path '$TestDrive' 'missing.arbundle'); 'no error' } catch { `$_.FullyQualifiedErrorId }
[pscustomobject]@{ First = `$first; Second = `$second; Failure = `$failure } | ConvertTo-Json -Compress -Depth 5
"@)
        $r = ConvertFrom-ChildJson $run
        $oldRoot = Split-Path $old
        $newRoot = Split-Path $new
        $r.First.ModuleVersion | Should -Be $repoVersion
        $r.First.Engine | Should -Be 'InProcess'
        $r.First.EnginePath | Should -Be (Join-Path $oldRoot "bin/$rid/$libraryName")
        $r.First.InteropNamespace | Should -Be 'ActiveRolesUpgrade.Interop.V1'
        $r.First.DatabaseVersion | Should -Be '7.6.3'

        $r.Second.ModuleVersion | Should -Be '0.2.0'
        $r.Second.CommandFrom | Should -Be $newRoot
        $r.Second.DatabaseVersion | Should -Be '7.6.3'
        $r.Second.EngineVersion | Should -Be '0.2.0' -Because 'the engine that answered is the one shipped with the second copy'
        $r.Second.Engine | Should -Be 'Process'
        $r.Second.EnginePath | Should -Be (Join-Path $newRoot "bin/$rid/$cliName")
        $r.Second.InteropNamespace | Should -BeLike 'ActiveRolesUpgrade.Interop.V1.S*' -Because 'its Interop.cs differs, so it compiles its own interop types'
        $r.Second.ProcessLibrary | Should -Be $r.First.EnginePath
        $r.Failure | Should -BeLike 'AR-*,Get-ARDatabaseInfo' -Because 'the engine''s errors keep their codes with the second copy''s interop types'
    }

    It 'runs the same version''s engine from the second path, reusing the compiled interop types' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $cli = Get-TestCli -Version $repoVersion
        if (-not $cli) { Set-ItResult -Skipped -Because 'no engine executable: Go is not on PATH (run ./build.ps1 -Task Build)'; return }
        $one = New-TestModuleCopy -Parent 'one' -Cli $cli
        $two = New-TestModuleCopy -Parent 'two' -Cli $cli
        $run = Invoke-ChildPwsh -Environment $cleanEnvironment -Script ($describe + @"
`$one = Import-Module '$one' -PassThru
`$first = Get-EngineUse `$one (Get-ARDatabaseInfo -Source '$SampleBundle')
`$two = Import-Module '$two' -Force -PassThru
`$second = Get-EngineUse `$two (Get-ARDatabaseInfo -Source '$SampleBundle')
[pscustomobject]@{ First = `$first; Second = `$second } | ConvertTo-Json -Compress -Depth 5
"@)
        $r = ConvertFrom-ChildJson $run
        $r.First.Engine | Should -Be 'InProcess'
        $r.Second.CommandFrom | Should -Be (Split-Path $two)
        $r.Second.DatabaseVersion | Should -Be '7.6.3'
        $r.Second.EngineVersion | Should -Be $repoVersion
        $r.Second.Engine | Should -Be 'Process'
        $r.Second.EnginePath | Should -Be (Join-Path (Split-Path $two) "bin/$rid/$cliName")
        $r.Second.InteropNamespace | Should -Be 'ActiveRolesUpgrade.Interop.V1'
    }

    It 'loads the second copy''s library in process when the first never started its engine, and the first then runs out of process' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $cli = Get-TestCli -Version $repoVersion
        if (-not $cli) { Set-ItResult -Skipped -Because 'no engine executable: Go is not on PATH (run ./build.ps1 -Task Build)'; return }
        $one = New-TestModuleCopy -Parent 'idle' -Cli $cli
        $two = New-TestModuleCopy -Parent 'busy' -Cli $cli -InteropNote 'other interop code'
        $run = Invoke-ChildPwsh -Environment $cleanEnvironment -Script ($describe + @"
`$null = Import-Module '$one' -PassThru
`$two = Import-Module '$two' -Force -PassThru
`$second = Get-EngineUse `$two (Get-ARDatabaseInfo -Source '$SampleBundle')
`$one = Import-Module '$one' -Force -PassThru
`$third = Get-EngineUse `$one (Get-ARDatabaseInfo -Source '$SampleBundle')
[pscustomobject]@{ Second = `$second; Third = `$third } | ConvertTo-Json -Compress -Depth 5
"@)
        $r = ConvertFrom-ChildJson $run
        $r.Second.Engine | Should -Be 'InProcess'
        $r.Second.EnginePath | Should -Be (Join-Path (Split-Path $two) "bin/$rid/$libraryName")
        $r.Third.CommandFrom | Should -Be (Split-Path $one)
        $r.Third.DatabaseVersion | Should -Be '7.6.3'
        $r.Third.Engine | Should -Be 'Process'
        $r.Third.EnginePath | Should -Be (Join-Path (Split-Path $one) "bin/$rid/$cliName")
    }

    It 'keeps using the loaded engine after Remove-Module and Import-Module of the same path, and after -Force' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $copy = New-TestModuleCopy -Parent 'same'
        $run = Invoke-ChildPwsh -Environment $cleanEnvironment -Script ($describe + @"
`$m = Import-Module '$copy' -PassThru
`$first = Get-EngineUse `$m (Get-ARDatabaseInfo -Source '$SampleBundle')
Remove-Module ActiveRolesUpgrade
`$m = Import-Module '$copy' -PassThru
`$second = Get-EngineUse `$m (Get-ARDatabaseInfo -Source '$SampleBundle')
`$m = Import-Module '$copy' -Force -PassThru
`$third = Get-EngineUse `$m (Get-ARDatabaseInfo -Source '$SampleBundle')
`$assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetType('ActiveRolesUpgrade.Interop.V1.NativeEngine', `$false) }).Count
[pscustomobject]@{ First = `$first; Second = `$second; Third = `$third; Assemblies = `$assemblies } | ConvertTo-Json -Compress -Depth 5
"@)
        $r = ConvertFrom-ChildJson $run
        $library = Join-Path (Split-Path $copy) "bin/$rid/$libraryName"
        foreach ($use in $r.First, $r.Second, $r.Third) {
            $use.DatabaseVersion | Should -Be '7.6.3'
            $use.Engine | Should -Be 'InProcess'
            $use.EnginePath | Should -Be $library
            $use.ProcessLibrary | Should -Be $library
            $use.InteropNamespace | Should -Be 'ActiveRolesUpgrade.Interop.V1'
        }
        $r.Assemblies | Should -Be 1 -Because 'the interop code is compiled once'
    }

    It 'stops with a terminating AR-ENGINELOADED error saying to start a new session when the second copy has no engine executable' {
        if ($skip) { Set-ItResult -Skipped -Because $skip; return }
        $first = New-TestModuleCopy -Parent 'first'
        $bare = New-TestModuleCopy -Parent 'bare' -Version '0.3.0'
        $run = Invoke-ChildPwsh -Environment $cleanEnvironment -Script @"
`$null = Import-Module '$first' -PassThru
`$null = Get-ARDatabaseInfo -Source '$SampleBundle'
`$null = Import-Module '$bare' -Force -PassThru
`$e = `$null; `$continued = `$false
try { `$null = Get-ARDatabaseInfo -Source '$SampleBundle' -ErrorAction Continue; `$continued = `$true } catch { `$e = `$_ }
[pscustomobject]@{
    Continued = `$continued; Id = `$e.FullyQualifiedErrorId; Category = [string]`$e.CategoryInfo.Category
    Message = `$e.Exception.Message; Remedy = `$e.ErrorDetails.RecommendedAction; ExitCode = `$e.Exception.ExitCode
} | ConvertTo-Json -Compress
"@
        $r = ConvertFrom-ChildJson $run
        $r.Continued | Should -BeFalse -Because 'the error is terminating'
        $r.Id | Should -Be 'AR-ENGINELOADED,Get-ARDatabaseInfo'
        $r.Category | Should -Be 'ResourceUnavailable'
        $r.ExitCode | Should -Be 1
        $r.Message | Should -BeLike "*another copy of ActiveRolesUpgrade*$(Join-Path (Split-Path $first) "bin/$rid/$libraryName")*"
        $r.Message | Should -BeLike "*$cliName*"
        $r.Remedy | Should -BeLike "Start a new PowerShell session*Import-Module '$(Split-Path $bare)'*"
    }
}
