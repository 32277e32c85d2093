# Shared by the *.Tests.ps1 files: dot-source it in BeforeAll (and BeforeDiscovery where needed).

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
$script:ManifestPath = Join-Path $script:RepoRoot 'ActiveRolesUpgrade.psd1'
# The pwsh running the tests ((Get-Process -Id $PID).Path is "dotnet" for the .NET global tool).
$script:PwshPath = @(
    (Join-Path $PSHOME 'pwsh.exe'), (Join-Path $PSHOME 'pwsh'),
    (Get-Command pwsh -CommandType Application -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source)
) | Where-Object { $_ -and (Test-Path -LiteralPath $_ -PathType Leaf) } | Select-Object -First 1
$script:SampleBundle = Join-Path $script:RepoRoot 'testdata/sample-7.6-combined.arbundle'

function Get-TestRuntimeIdentifier {
    $isWin = $PSVersionTable.PSEdition -eq 'Desktop' -or [bool](Get-Variable -Name IsWindows -ValueOnly -ErrorAction Ignore)
    $isMac = [bool](Get-Variable -Name IsMacOS -ValueOnly -ErrorAction Ignore)
    $os = if ($isWin) { 'win' } elseif ($isMac) { 'osx' } else { 'linux' }
    "$os-$(([string][System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture).ToLowerInvariant())"
}

function Get-TestNativeLibraryPath {
    # The library the module will load: $env:ARUPGRADE_LIBRARY, else bin/<rid>/.
    if ($env:ARUPGRADE_LIBRARY) { return $env:ARUPGRADE_LIBRARY }
    $rid = Get-TestRuntimeIdentifier
    $name = switch -Wildcard ($rid) { 'win-*' { 'arupgrade.dll' } 'osx-*' { 'libarupgrade.dylib' } default { 'libarupgrade.so' } }
    Join-Path $script:RepoRoot "bin/$rid/$name"
}

function Get-NativeSkipReason {
    $lib = Get-TestNativeLibraryPath
    if (-not (Test-Path -LiteralPath $lib)) {
        return "the engine library $lib is absent; run ./build.ps1 -Task Build first (CI builds it before the tests)"
    }
    $null
}

function Start-SignalablePwsh {
    <#
    Starts `pwsh -NoProfile -NonInteractive -File <File>` with stdout redirected, for tests that
    send it SIGINT. A shell without job control starts its background commands with SIGINT
    ignored and a child inherits that (.NET then leaves it ignored), so Ctrl+C would not reach
    the run: where coreutils' env can, SIGINT is reset to its default first. Returns the Process.
    #>
    param([Parameter(Mandatory)][string]$File)
    $envCmd = Get-Command env -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    $reset = $false
    if ($envCmd) { & $envCmd.Source --default-signal=INT true 2>$null; $reset = $LASTEXITCODE -eq 0 }
    if ($reset) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new($envCmd.Source)
        foreach ($a in '--default-signal=INT', $script:PwshPath) { $psi.ArgumentList.Add($a) }
    } else {
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:PwshPath)
    }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $File) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($psi)
}

function Test-SigintIgnored {
    # True when the process ignores SIGINT (Linux: its /proc status; elsewhere unknown, false).
    param([Parameter(Mandatory)][int]$ProcessId)
    $status = "/proc/$ProcessId/status"
    if (-not (Test-Path -LiteralPath $status)) { return $false }
    $m = (Select-String -LiteralPath $status -Pattern '^SigIgn:\s*([0-9a-fA-F]+)').Matches
    [bool]($m -and ([Convert]::ToUInt64($m[0].Groups[1].Value, 16) -band 2))
}

function Invoke-ChildPwsh {
    <#
    Runs a script in a child `pwsh -NoProfile -NonInteractive` (so the native library is
    loaded in a process of its own) and returns ExitCode, Output (stdout lines), Error (stderr)
    and TimedOut. The script gets $ManifestPath and $RepoRoot defined.
    #>
    param(
        [Parameter(Mandatory)][string]$Script,
        [hashtable]$Environment = @{},
        [int]$TimeoutSeconds = 120
    )
    $file = Join-Path ([System.IO.Path]::GetTempPath()) ("artest-" + [guid]::NewGuid().ToString('N') + '.ps1')
    $prologue = "`$ErrorActionPreference = 'Stop'`n`$ManifestPath = '$($script:ManifestPath -replace "'", "''")'`n`$RepoRoot = '$($script:RepoRoot -replace "'", "''")'`n"
    [System.IO.File]::WriteAllText($file, $prologue + $Script, [System.Text.UTF8Encoding]::new($false))
    try {
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:PwshPath)
        foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $psi.StandardOutputEncoding = [System.Text.UTF8Encoding]::new($false)
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        $timedOut = -not $p.WaitForExit($TimeoutSeconds * 1000)
        if ($timedOut) { try { $p.Kill($true) } catch { $null = $_ }; $p.WaitForExit() }
        $p.WaitForExit()
        [pscustomobject]@{
            ExitCode = $p.ExitCode
            Output   = @($out.Result -split "`r?`n" | Where-Object { $_ -ne '' })
            Error    = $err.Result
            TimedOut = $timedOut
        }
    } finally {
        Remove-Item -LiteralPath $file -ErrorAction Ignore
    }
}

function Invoke-StressScript {
    <#
    Runs one of tests/scripts' stress scripts (-ManifestPath, -Seconds) in a child pwsh, with
    a timeout of six times its length plus a minute; returns what Invoke-ChildPwsh returns.
    #>
    param(
        [Parameter(Mandatory)][string]$Path,
        [Parameter(Mandatory)][double]$Seconds,
        [hashtable]$Environment = @{}
    )
    Invoke-ChildPwsh -TimeoutSeconds ($Seconds * 6 + 60) -Environment $Environment -Script @"
& '$Path' -ManifestPath `$ManifestPath -Seconds $Seconds
exit `$LASTEXITCODE
"@
}

function ConvertFrom-ChildJson {
    # The last stdout line of a child run that printed `... | ConvertTo-Json -Compress -Depth 5`.
    param([Parameter(Mandatory)]$Run)
    if ($Run.ExitCode -ne 0 -or -not $Run.Output) {
        throw "The child pwsh failed (exit $($Run.ExitCode), timed out: $($Run.TimedOut)).`nstdout:`n$($Run.Output -join "`n")`nstderr:`n$($Run.Error)"
    }
    $Run.Output[-1] | ConvertFrom-Json
}
