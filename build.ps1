<#
.SYNOPSIS
    Builds, tests, packages and demonstrates ActiveRolesUpgrade.

.DESCRIPTION
    Tasks (run in the order given; a task runs at most once per invocation):
      Build    native engine library for the host (bin/<rid>/libarupgrade.so|.dylib),
               the Windows DLL cross-compiled with mingw-w64 (bin/win-x64/arupgrade.dll),
               and the CLI (bin/<rid>/arupgrade[.exe]) when cmd/arupgrade exists.
      Test     Build, then go vet, staticcheck, go test -race (with cshim/abitest's wine
               smoke test of the Windows DLL when wine is installed), the Windows DLL
               export check, the SQL Server dialect check (tests/TsqlDialect parses every
               statement of core/sqlserver with Microsoft's T-SQL parser), the Windows
               PowerShell 5.1 checks (tests/Ps51Compile compiles module/Interop.cs as Add-Type
               on 5.1 does; tests/Test-Ps51Syntax.ps1 rejects 7-only syntax), and the Pester
               tests (tests/Invoke-Tests.ps1) in a child pwsh.
      Package  Build, then a ready-to-copy module folder out/ActiveRolesUpgrade/<version>/,
               verified by importing it in a child pwsh.
      Demo     Build, then the README's main job through the CLI.
      Clean    removes bin/ and out/.

    The version stamped into the engine is the manifest's ModuleVersion
    (ActiveRolesUpgrade.psd1), or 0.1.0 while there is no manifest.

    Go comes from PATH. In the development container, where Go must come from
    the local mirror, ../shared/tools/go-env.sh is sourced automatically.

.PARAMETER Task
    One or more of Build, Test, Package, Demo, Clean. Default: Build.

.PARAMETER Short
    Test: pass -short to go test (skips the slow tests, including the wine smoke test).

.PARAMETER SkipWindows
    Build: do not cross-compile the Windows DLL and CLI.

.PARAMETER SkipPester
    Test: do not run the Pester tests.

.EXAMPLE
    ./build.ps1
    Builds bin/linux-x64/libarupgrade.so, bin/win-x64/arupgrade.dll and the CLI.

.EXAMPLE
    ./build.ps1 -Task Clean, Test -Short
    From bash, pass several tasks through -Command: pwsh -NoProfile -Command './build.ps1 -Task Clean,Test'

.EXAMPLE
    ./build.ps1 -Task Package
    Writes out/ActiveRolesUpgrade/<version>/ and checks that it imports.
#>
#Requires -Version 7.0
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Clean')]
    [string[]]$Task = 'Build',
    [switch]$Short,
    [switch]$SkipWindows,
    [switch]$SkipPester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# Exit codes are checked by Invoke-Native, with a message naming the command.
$PSNativeCommandUseErrorActionPreference = $false

$Root = $PSScriptRoot
$BinDir = Join-Path $Root 'bin'
$OutDir = Join-Path $Root 'out'
$ModuleName = 'ActiveRolesUpgrade'
$GoModule = 'github.com/activeroles/arupgrade'
$AbiExports = 'aru_version', 'aru_start', 'aru_next_event', 'aru_cancel', 'aru_close', 'aru_free'
$MingwCC = 'x86_64-w64-mingw32-gcc'
$MingwObjdump = 'x86_64-w64-mingw32-objdump'

# Demo: the README's main job (scripts/demo.sh does the same from bash): upgrade
# the shipped 7.6 Combined sample to 8.2 — configuration with its key backup,
# then Management History twice (the second run adds nothing).
$DemoSample = 'testdata/sample-7.6-combined'

$script:Done = [System.Collections.Generic.HashSet[string]]::new()

# Runs a native command with optional extra environment variables; throws on a non-zero exit code.
function Invoke-Native {
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [hashtable]$Environment = @{},
        [switch]$CaptureOutput
    )
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, [string]$Environment[$name])
    }
    try {
        $envText = ($Environment.Keys | Sort-Object | ForEach-Object { "$_=$($Environment[$_])" }) -join ' '
        Write-Host ('> ' + "$envText $FilePath $($ArgumentList -join ' ')".Trim()) -ForegroundColor DarkGray
        if ($CaptureOutput) {
            $output = & $FilePath @ArgumentList 2>&1 | ForEach-Object { "$_" }
        } else {
            & $FilePath @ArgumentList | Out-Host
        }
        if ($LASTEXITCODE -ne 0) {
            if ($CaptureOutput) { $output | Out-Host }
            throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
        }
        if ($CaptureOutput) { return $output }
    } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

# Runs a task's function once per invocation (tasks that need Build call it through this).
function Invoke-Task {
    param([Parameter(Mandatory)][string]$Name)
    if (-not $script:Done.Add($Name)) { return }
    Write-Host "=== $Name ===" -ForegroundColor Cyan
    & "Invoke-$Name"
}

# Puts Go on PATH: in the development container, imports ../shared/tools/go-env.sh's environment.
function Initialize-GoEnvironment {
    $envScript = Join-Path $Root '../shared/tools/go-env.sh'
    if ($env:GOTOOLCHAIN -ne 'local' -and (Test-Path $envScript) -and (Get-Command bash -ErrorAction Ignore)) {
        $lines = Invoke-Native bash -ArgumentList '-c', "cd '$Root' && source '$envScript' >/dev/null && env" -CaptureOutput
        foreach ($line in $lines) {
            if ($line -match '^(PATH|GOTOOLCHAIN|GOPROXY|GOSUMDB|GOFLAGS)=(.*)$') {
                [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2])
            }
        }
    }
    if (-not (Get-Command go -ErrorAction Ignore)) {
        throw 'Go is not on PATH. Install Go 1.26 (https://go.dev/dl/) and run the build again.'
    }
}

# The .NET-style runtime identifier of this machine: linux-x64, osx-arm64, win-x64, ...
function Get-HostRid {
    $arch = switch ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture) {
        'X64' { 'x64' }
        'Arm64' { 'arm64' }
        default { throw "Unsupported architecture: $_" }
    }
    if ($IsWindows) { return "win-$arch" }
    if ($IsMacOS) { return "osx-$arch" }
    return "linux-$arch"
}

# GOOS/GOARCH and file names for a runtime identifier.
function Get-RidInfo {
    param([Parameter(Mandatory)][string]$Rid)
    $os, $arch = $Rid -split '-', 2
    $goarch = @{ x64 = 'amd64'; arm64 = 'arm64' }[$arch]
    switch ($os) {
        'win' { [pscustomobject]@{ Rid = $Rid; GOOS = 'windows'; GOARCH = $goarch; Library = 'arupgrade.dll'; Cli = 'arupgrade.exe' } }
        'osx' { [pscustomobject]@{ Rid = $Rid; GOOS = 'darwin'; GOARCH = $goarch; Library = 'libarupgrade.dylib'; Cli = 'arupgrade' } }
        'linux' { [pscustomobject]@{ Rid = $Rid; GOOS = 'linux'; GOARCH = $goarch; Library = 'libarupgrade.so'; Cli = 'arupgrade' } }
    }
}

# The module version: ModuleVersion of ActiveRolesUpgrade.psd1, or 0.1.0 when there is no manifest yet.
function Get-ModuleVersion {
    $manifest = Get-ManifestPath
    if ($manifest) { return [string](Import-PowerShellDataFile -Path $manifest).ModuleVersion }
    Write-Warning "No $ModuleName.psd1 yet; stamping version 0.1.0."
    return '0.1.0'
}

# Path of the module manifest ($null when absent).
function Get-ManifestPath {
    foreach ($p in (Join-Path $Root "$ModuleName.psd1"), (Join-Path $Root "module/$ModuleName.psd1")) {
        if (Test-Path $p) { return $p }
    }
    return $null
}

# Builds the engine library (and the CLI when it exists) for one runtime identifier.
function Build-Target {
    param([Parameter(Mandatory)][string]$Rid, [hashtable]$Environment = @{}, [string]$Version)
    $info = Get-RidInfo $Rid
    $dir = Join-Path $BinDir $Rid
    $null = New-Item -ItemType Directory -Force -Path $dir
    $ldflags = "-s -w -X $GoModule/core/engine.Version=$Version"
    $envLib = @{ GOOS = $info.GOOS; GOARCH = $info.GOARCH; CGO_ENABLED = '1' } + $Environment
    $lib = Join-Path $dir $info.Library
    Invoke-Native go -ArgumentList 'build', '-trimpath', '-buildmode=c-shared', "-ldflags=$ldflags", '-o', $lib, './cshim' -Environment $envLib
    # go build writes its own header next to the library; cshim/arupgrade.h is the contract.
    Remove-Item -Force -ErrorAction Ignore -Path ([IO.Path]::ChangeExtension($lib, '.h'))
    if (Test-Path (Join-Path $Root 'cmd/arupgrade')) {
        $envCli = @{ GOOS = $info.GOOS; GOARCH = $info.GOARCH; CGO_ENABLED = '0' }
        Invoke-Native go -ArgumentList 'build', '-trimpath', "-ldflags=$ldflags", '-o', (Join-Path $dir $info.Cli), './cmd/arupgrade' -Environment $envCli
    } else {
        Write-Warning 'cmd/arupgrade does not exist yet; the CLI was not built.'
    }
    Write-Host "Built $lib" -ForegroundColor Green
}

# Build: engine library for the host, the Windows DLL (mingw-w64) and the CLI, stamped with the module version.
function Invoke-Build {
    Push-Location $Root
    try {
        Initialize-GoEnvironment
        $version = Get-ModuleVersion
        $hostRid = Get-HostRid
        Build-Target -Rid $hostRid -Version $version
        if ($hostRid -ne 'win-x64' -and -not $SkipWindows) {
            if (Get-Command $MingwCC -ErrorAction Ignore) {
                Build-Target -Rid 'win-x64' -Version $version -Environment @{ CC = $MingwCC }
            } else {
                Write-Warning "$MingwCC not found: the Windows DLL was NOT built (apt-get install gcc-mingw-w64-x86-64)."
            }
        }
    } finally { Pop-Location }
}

# Checks that the Windows DLL exports the six aru_* functions (objdump's export table).
function Test-DllExports {
    $dll = Join-Path $BinDir 'win-x64/arupgrade.dll'
    if (-not (Test-Path $dll)) { Write-Warning "No $dll; export check skipped."; return }
    if (-not (Get-Command $MingwObjdump -ErrorAction Ignore)) { Write-Warning "$MingwObjdump not found; export check skipped."; return }
    $dump = Invoke-Native $MingwObjdump -ArgumentList '-p', $dll -CaptureOutput
    # The export names follow the "[Ordinal/Name Pointer] Table" line, one per line: "	[   3] aru_next_event".
    $names = [System.Collections.Generic.List[string]]::new()
    $inTable = $false
    foreach ($line in $dump) {
        if ($line -match '\[Ordinal/Name Pointer\] Table') { $inTable = $true; continue }
        if (-not $inTable) { continue }
        if ($line -match '^\s*\[\s*\d+\]\s+(?:\+base\[\s*\d+\]\s+[0-9a-fA-F]+\s+)?(\w+)\s*$') { $names.Add($Matches[1]) }
        elseif ($line.Trim()) { break }
    }
    $missing = $AbiExports | Where-Object { $_ -notin $names }
    if ($missing) { throw "arupgrade.dll does not export: $($missing -join ', ')" }
    Write-Host "arupgrade.dll exports all of: $($AbiExports -join ', ')" -ForegroundColor Green
}

# Checks the SQL Server dialect without a server: core/sqlserver writes every statement it can
# send, and tests/TsqlDialect parses them as SQL Server 2016 and as Azure SQL Database (ScriptDom).
function Test-SqlDialect {
    if (-not (Get-Command dotnet -ErrorAction Ignore)) { throw 'The .NET SDK (dotnet) is not on PATH; the SQL Server dialect check needs it.' }
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ('arupgrade-dialect-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    try {
        Invoke-Native go -ArgumentList 'test', '-count=1', './core/sqlserver', '-run', '^TestDialectStatements$' -Environment @{ AR_DIALECT_OUT = $dir }
        Invoke-Native dotnet -ArgumentList 'run', '--project', (Join-Path $Root 'tests/TsqlDialect'), '-c', 'Release', '--', $dir
    } finally {
        Remove-Item -Recurse -Force -ErrorAction Ignore -Path $dir
    }
}

# Checks Windows PowerShell 5.1 without Windows: module/Interop.cs's Desktop branch compiled as
# Add-Type on 5.1 compiles it (tests/Ps51Compile: C# 5, .NET Framework 4.7.2 reference assemblies,
# PowerShell Standard 5.1), and the module's scripts free of PowerShell-7-only syntax, cmdlets and
# parameters (tests/Test-Ps51Syntax.ps1). Each failure names file:line.
function Test-WindowsPowerShell51 {
    if (-not (Get-Command dotnet -ErrorAction Ignore)) { throw 'The .NET SDK (dotnet) is not on PATH; the Windows PowerShell 5.1 compile check needs it.' }
    Invoke-Native dotnet -ArgumentList 'build', (Join-Path $Root 'tests/Ps51Compile'), '-c', 'Release', '-nologo', '-v', 'quiet'
    Invoke-Native (Get-PwshPath) -ArgumentList '-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/Test-Ps51Syntax.ps1')
}

# Test: go vet, staticcheck, go test -race (with the DLL export check), the SQL dialect check, then Pester in a child pwsh.
function Invoke-Test {
    Invoke-Task Build
    Push-Location $Root
    try {
        Invoke-Native go -ArgumentList 'vet', './...'
        Invoke-Native go -ArgumentList 'tool', 'staticcheck', './...'
        $testArgs = @('test', '-race', '-count=1')
        if ($Short) { $testArgs += '-short' }
        # cshim/abitest's wine smoke test of the Windows DLL is opt-in (slow).
        $wine = if ($Short) { $false } else { [bool](Get-Command wine64, wine -ErrorAction Ignore) -or (Test-Path '/usr/lib/wine/wine64') }
        if (-not $wine -and -not $Short) { Write-Warning 'wine is not installed: the Windows DLL is checked by its export table only.' }
        Invoke-Native go -ArgumentList ($testArgs + './...') -Environment @{ ARUPGRADE_WINE_TEST = $(if ($wine) { '1' } else { '0' }) }
        Test-DllExports
        Test-SqlDialect
        Test-WindowsPowerShell51
        if ($SkipPester) {
            Write-Warning 'Pester tests skipped (-SkipPester).'
        } elseif (Test-Path (Join-Path $Root 'tests/Invoke-Tests.ps1')) {
            Invoke-Native (Get-PwshPath) -ArgumentList '-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/Invoke-Tests.ps1')
        } else {
            Write-Warning 'tests/Invoke-Tests.ps1 does not exist yet; Pester tests skipped.'
        }
    } finally { Pop-Location }
}

# Path of the running pwsh, for child processes.
function Get-PwshPath {
    $exe = if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $candidate = Join-Path $PSHOME $exe
    if (Test-Path $candidate) { return $candidate }
    $cmd = Get-Command pwsh -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($cmd) { return $cmd.Source }
    throw 'Cannot find pwsh to run the child PowerShell.'
}

# Package: out/ActiveRolesUpgrade/<version>/, a ready-to-copy module folder, checked by importing it in a child pwsh.
function Invoke-Package {
    Invoke-Task Build
    $manifest = Get-ManifestPath
    if (-not $manifest) { throw "$ModuleName.psd1 does not exist yet: there is no module to package." }
    $version = Get-ModuleVersion
    $dest = Join-Path $OutDir "$ModuleName/$version"
    if (Test-Path $dest) { Remove-Item -Recurse -Force $dest }
    $null = New-Item -ItemType Directory -Force -Path $dest
    $manifestDir = Split-Path $manifest
    # The manifest, its root module and format/type files sit next to each other.
    Get-ChildItem -Path $manifestDir -File |
        Where-Object { ($_.BaseName -eq $ModuleName -and $_.Extension -in '.psd1', '.psm1') -or $_.Extension -eq '.ps1xml' } |
        Copy-Item -Destination $dest
    foreach ($dir in 'module', 'cmdlets') {
        $src = Join-Path $Root $dir
        if ((Test-Path $src) -and ($src -ne $manifestDir)) { Copy-Item -Recurse -Path $src -Destination $dest }
    }
    foreach ($file in 'README.md', 'LICENSE', 'LICENSE.txt') {
        if (Test-Path (Join-Path $Root $file)) { Copy-Item (Join-Path $Root $file) $dest }
    }
    foreach ($ridDir in Get-ChildItem -Directory -Path $BinDir) {
        $target = Join-Path $dest "bin/$($ridDir.Name)"
        $null = New-Item -ItemType Directory -Force -Path $target
        Get-ChildItem -File -Path $ridDir.FullName | Where-Object { $_.Extension -ne '.h' } | Copy-Item -Destination $target
    }
    $hostLib = Join-Path $dest "bin/$(Get-HostRid)/$((Get-RidInfo (Get-HostRid)).Library)"
    if (-not (Test-Path $hostLib)) { throw "The package lacks the engine library $hostLib." }
    $psd1 = Join-Path $dest (Split-Path -Leaf $manifest)
    $check = "`$ErrorActionPreference = 'Stop'; `$m = Import-Module -Name '$psd1' -PassThru -Force; " +
        "if (`$m.ExportedCommands.Count -eq 0) { throw 'The module exports no commands.' }; " +
        "'Imported {0} {1}: {2} commands' -f `$m.Name, `$m.Version, `$m.ExportedCommands.Count"
    Invoke-Native (Get-PwshPath) -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $check
    Write-Host "Packaged $dest" -ForegroundColor Green
}

# Demo: runs the README's main job with the CLI on the shipped samples, into a new temporary folder.
function Invoke-Demo {
    Invoke-Task Build
    $info = Get-RidInfo (Get-HostRid)
    $cli = Join-Path $BinDir "$($info.Rid)/$($info.Cli)"
    if (-not (Test-Path $cli)) { throw "The CLI $cli was not built." }
    $out = Join-Path ([System.IO.Path]::GetTempPath()) ("arupgrade-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $out
    $log = Join-Path $out 'demo.log'
    $config = Join-Path $out 'ActiveRoles820.arbundle'
    $history = Join-Path $out 'ActiveRoles820_MH.arbundle'
    $steps = @(
        @('inspect', '--source', "$DemoSample.arbundle"),
        @('import-configuration', '--source', "$DemoSample.arbundle", '--destination', $config, '--create-destination',
            '--key-backup', "$DemoSample.key", '--key-password-file', "$DemoSample.keypass.txt",
            '--services-server', 'ars82.corp.example.com', '--skip-principals'),
        @('import-history', '--source', "$DemoSample.arbundle", '--destination', $history, '--create-destination', '--skip-principals'),
        @('import-history', '--source', "$DemoSample.arbundle", '--destination', $history, '--skip-principals'),
        @('inspect', '--source', $config),
        @('inspect', '--source', $history)
    )
    Push-Location $Root
    try {
        foreach ($step in $steps) { Invoke-Native $cli -ArgumentList ($step + @('--no-progress', '--log-file', $log)) }
    } finally { Pop-Location }
    Write-Host "Demo finished: the upgraded databases and the log are in $out" -ForegroundColor Green
}

# Clean: removes bin/ and out/.
function Invoke-Clean {
    foreach ($dir in $BinDir, $OutDir) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir; Write-Host "Removed $dir" }
    }
}

foreach ($t in $Task) { Invoke-Task $t }
