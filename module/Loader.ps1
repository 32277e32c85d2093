# Finds and loads the engine: the native library (in process, the default) or
# the arupgrade executable (out of process, $env:ARUPGRADE_ENGINE = 'process').
#
# Environment overrides (for development and support, not for everyday use):
#   ARUPGRADE_ENGINE        'inprocess' (default) or 'process'
#   ARUPGRADE_LIBRARY       absolute path of the native library to load instead of bin/<rid>/
#   ARUPGRADE_CLI           absolute path of the arupgrade executable for the 'process' mode
#   ARUPGRADE_SIGNAL_GUARD  'off' disables the SIGRTMIN protection (only to demonstrate the hazard)

$script:InteropTypeName = 'ActiveRolesUpgrade.Interop.V1.NativeEngine'

function Get-ARRuntimeIdentifier {
    <#
    .SYNOPSIS
    Returns the runtime identifier (win-x64, linux-x64, osx-arm64, …) of this PowerShell process.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    # Windows PowerShell 5.1 has no $IsWindows/$IsLinux/$IsMacOS: it only runs on Windows.
    $isWin = $PSVersionTable.PSEdition -eq 'Desktop' -or
        [bool](Microsoft.PowerShell.Utility\Get-Variable -Name IsWindows -ValueOnly -ErrorAction Ignore)
    $isMac = [bool](Microsoft.PowerShell.Utility\Get-Variable -Name IsMacOS -ValueOnly -ErrorAction Ignore)
    $os = if ($isWin) { 'win' } elseif ($isMac) { 'osx' } else { 'linux' }

    $arch = $null
    try {
        $arch = [string][System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture
    } catch {
        # .NET Framework before 4.7.1 has no RuntimeInformation.
        $arch = if ([Environment]::Is64BitProcess) { 'X64' } else { 'X86' }
    }
    "$os-$($arch.ToLowerInvariant())"
}

function Get-ARNativeLibraryName {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$RuntimeIdentifier)
    switch -Wildcard ($RuntimeIdentifier) {
        'win-*' { 'arupgrade.dll' }
        'osx-*' { 'libarupgrade.dylib' }
        default { 'libarupgrade.so' }
    }
}

function Get-ARNativeLibraryPath {
    <#
    .SYNOPSIS
    Returns the absolute path of the engine library for this platform, or throws naming the folder to build.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [string]$ModuleRoot = $script:ModuleRoot,
        [string]$RuntimeIdentifier = (Get-ARRuntimeIdentifier),
        [switch]$IgnoreOverride
    )
    if (-not $IgnoreOverride -and $env:ARUPGRADE_LIBRARY) {
        $p = [System.IO.Path]::GetFullPath($env:ARUPGRADE_LIBRARY)
        if (-not [System.IO.File]::Exists($p)) {
            throw [System.IO.FileNotFoundException]::new(
                "The engine library named by `$env:ARUPGRADE_LIBRARY was not found: '$p'.", $p)
        }
        return $p
    }
    $supported = 'win-x64', 'linux-x64', 'osx-arm64'
    $folder = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($ModuleRoot, 'bin', $RuntimeIdentifier))
    $file = Get-ARNativeLibraryName -RuntimeIdentifier $RuntimeIdentifier
    $path = [System.IO.Path]::Combine($folder, $file)
    if ([System.IO.File]::Exists($path)) { return $path }

    $why = if ($supported -notcontains $RuntimeIdentifier) {
        "ActiveRolesUpgrade ships engines for $($supported -join ', '); this process is $RuntimeIdentifier."
    } else {
        "In a source checkout, run ./build.ps1 -Task Build to build it; otherwise reinstall the module."
    }
    throw [System.IO.FileNotFoundException]::new(
        "The ActiveRolesUpgrade engine library was not found: the folder '$folder' has no $file. $why", $path)
}

function Get-AREngineMode {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    switch ("$env:ARUPGRADE_ENGINE".Trim().ToLowerInvariant()) {
        '' { 'InProcess' }
        'inprocess' { 'InProcess' }
        'library' { 'InProcess' }
        'process' { 'Process' }
        default {
            throw [System.ArgumentException]::new(
                "`$env:ARUPGRADE_ENGINE is '$env:ARUPGRADE_ENGINE'; use 'inprocess' (the default) or 'process'.")
        }
    }
}

function Get-AREngineCliPath {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [string]$ModuleRoot = $script:ModuleRoot,
        [string]$RuntimeIdentifier = (Get-ARRuntimeIdentifier)
    )
    if ($env:ARUPGRADE_CLI) { return [System.IO.Path]::GetFullPath($env:ARUPGRADE_CLI) }
    $name = if ($RuntimeIdentifier -like 'win-*') { 'arupgrade.exe' } else { 'arupgrade' }
    $folder = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($ModuleRoot, 'bin', $RuntimeIdentifier))
    $path = [System.IO.Path]::Combine($folder, $name)
    if (-not [System.IO.File]::Exists($path)) {
        throw [System.IO.FileNotFoundException]::new(
            "The ActiveRolesUpgrade engine executable was not found: the folder '$folder' has no $name (needed because `$env:ARUPGRADE_ENGINE is 'process'). In a source checkout, run ./build.ps1 -Task Build.", $path)
    }
    $path
}

function Import-ARInteropType {
    <#
    .SYNOPSIS
    Compiles module/Interop.cs once per process (guarded: a type cannot be redefined).
    #>
    [CmdletBinding()]
    param()
    if ($script:InteropTypeName -as [type]) { return }
    $source = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($PSScriptRoot, 'Interop.cs'))
    if ($PSVersionTable.PSEdition -eq 'Core') { $source = "#define CORECLR`n" + $source }
    Microsoft.PowerShell.Utility\Add-Type -TypeDefinition $source -Language CSharp -ErrorAction Stop
}

function Initialize-ARNativeEngine {
    <#
    .SYNOPSIS
    Loads the native engine library once per process and returns aru_version's answer.
    #>
    [CmdletBinding()]
    param()
    Import-ARInteropType
    $native = [ActiveRolesUpgrade.Interop.V1.NativeEngine]
    if ($native::IsLoaded -and $script:NativeVersion) { return $script:NativeVersion }

    $path = Get-ARNativeLibraryPath
    $guard = "$env:ARUPGRADE_SIGNAL_GUARD".Trim().ToLowerInvariant() -notin @('off', '0', 'false', 'no')
    try {
        # Loads once per process; a later call with the same path returns the first answer, and
        # another path (another copy of the module in this session) is refused.
        $json = $native::Load($path, $guard)
    } catch {
        $inner = if ($_.Exception.InnerException) { $_.Exception.InnerException } else { $_.Exception }
        throw [System.InvalidOperationException]::new(
            "Cannot load the ActiveRolesUpgrade engine library '$path': $($inner.Message)", $inner)
    }
    $info = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $json
    if ([int]$info.abi -ne 1) {
        throw [System.InvalidOperationException]::new(
            "The engine library '$path' implements ABI version $($info.abi); this module needs version 1. Rebuild it with ./build.ps1 -Task Build or reinstall the module.")
    }
    $script:NativeVersion = $info
    Microsoft.PowerShell.Utility\Write-Verbose ("Loaded the ActiveRolesUpgrade engine {0} from '{1}'{2}." -f $info.version, $path,
        $(if ($native::SignalNote) { "; signal guard: $($native::SignalNote)" } else { '' }))
    $info
}

function Get-ARNativeDiagnostics {
    <#
    .SYNOPSIS
    Describes how the engine is loaded: mode, path, and the state of the SIGRTMIN protection.
    #>
    [CmdletBinding()]
    param()
    $loaded = $false
    $native = $script:InteropTypeName -as [type]
    if ($native) { $loaded = $native::IsLoaded }
    [pscustomobject]@{
        Mode             = Get-AREngineMode
        RuntimeIdentifier = Get-ARRuntimeIdentifier
        Loaded           = $loaded
        LibraryPath      = if ($loaded) { $native::LibraryPath } else { $null }
        ActivationSignal = if ($loaded) { $native::ActivationSignal } else { $null }
        FlagsBeforeLoad  = if ($loaded) { $native::FlagsBeforeLoad } else { $null }
        FlagsAfterGoInit = if ($loaded) { $native::FlagsAfterGoInit } else { $null }
        FlagsNow         = if ($loaded) { $native::FlagsNow } else { $null }
        OnStackFlag      = if ($native) { $native::OnStackFlag } else { $null }
        SignalRestored   = if ($loaded) { $native::SignalRestored } else { $false }
        SignalNote       = if ($loaded) { $native::SignalNote } else { $null }
    }
}
