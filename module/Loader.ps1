# Finds and loads the engine: the native library (in process, the default) or
# the arupgrade executable (out of process, $env:ARUPGRADE_ENGINE = 'process').
# A process holds one engine library (one Go runtime), so a second copy of the
# module in a session (an update imported with -Force) runs its own executable
# out of process (Resolve-AREngine).
#
# Environment overrides (for development and support, not for everyday use):
#   ARUPGRADE_ENGINE        'inprocess' (default) or 'process'
#   ARUPGRADE_LIBRARY       absolute path of the native library to load instead of bin/<rid>/
#   ARUPGRADE_CLI           absolute path of the arupgrade executable for the 'process' mode
#   ARUPGRADE_SIGNAL_GUARD  'off' disables the SIGRTMIN protection, 'restore-only' its blocking during calls (only to demonstrate the hazards)

# module/Interop.cs is compiled under this namespace, or under '<it>.S<hash of the source>' when
# another copy of the module compiled different source first (Import-ARInteropType).
$script:InteropBaseNamespace = 'ActiveRolesUpgrade.Interop.V1'
# AppDomain data: the hash of the source compiled under the base namespace.
$script:InteropSourceKey = 'ActiveRolesUpgrade.Interop.V1.SourceHash'
# This copy's namespace, once Import-ARInteropType ran.
$script:InteropNamespace = $null
# Whether this copy said once that it runs its engine out of process (Resolve-AREngine).
$script:EngineRouteNoted = $false

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

function Get-ARCliFileName {
    [CmdletBinding()]
    [OutputType([string])]
    param([string]$RuntimeIdentifier = (Get-ARRuntimeIdentifier))
    if ($RuntimeIdentifier -like 'win-*') { 'arupgrade.exe' } else { 'arupgrade' }
}

function Get-AREngineCliPath {
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [string]$ModuleRoot = $script:ModuleRoot,
        [string]$RuntimeIdentifier = (Get-ARRuntimeIdentifier)
    )
    if ($env:ARUPGRADE_CLI) { return [System.IO.Path]::GetFullPath($env:ARUPGRADE_CLI) }
    $name = Get-ARCliFileName -RuntimeIdentifier $RuntimeIdentifier
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
    Compiles module/Interop.cs once per process and source text, and sets this copy's interop namespace.
    .DESCRIPTION
    A compiled type can neither be redefined nor unloaded. The first copy of the module in a
    process compiles under ActiveRolesUpgrade.Interop.V1; a copy with the same source (re-imported,
    or the same version at another path) reuses those types; a copy with other source (another
    version imported in the same session) compiles under ActiveRolesUpgrade.Interop.V1.S<hash>,
    so each version runs its own interop code.
    With -NoCompile it only finds types compiled before (error handling must not compile C#).
    #>
    [CmdletBinding()]
    param([switch]$NoCompile)
    if ($script:InteropNamespace) { return }
    $source = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($PSScriptRoot, 'Interop.cs'))
    if ($PSVersionTable.PSEdition -eq 'Core') { $source = "#define CORECLR`n" + $source }
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $digest = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($source))
    } finally { $sha.Dispose() }
    $hash = ([System.BitConverter]::ToString($digest, 0, 8) -replace '-', '').ToLowerInvariant()

    $base = $script:InteropBaseNamespace
    $domain = [System.AppDomain]::CurrentDomain
    $ns = $base
    if ("$base.NativeEngine" -as [type]) {
        if ([string]$domain.GetData($script:InteropSourceKey) -eq $hash) {
            $script:InteropNamespace = $base
            return
        }
        $ns = "$base.S$hash"
        if ("$ns.NativeEngine" -as [type]) {
            $script:InteropNamespace = $ns
            return
        }
        if ($NoCompile) { return }
        $pattern = '(?m)^namespace ' + [regex]::Escape($base) + '\s*$'
        if (-not [regex]::IsMatch($source, $pattern)) {
            throw [System.InvalidOperationException]::new(
                "The file '$([System.IO.Path]::Combine($PSScriptRoot, 'Interop.cs'))' does not declare the namespace $base. Reinstall the module.")
        }
        $source = [regex]::Replace($source, $pattern, "namespace $ns")
    } elseif ($NoCompile) {
        return
    }
    Microsoft.PowerShell.Utility\Add-Type -TypeDefinition $source -Language CSharp -ErrorAction Stop
    if ($ns -eq $base) { $domain.SetData($script:InteropSourceKey, $hash) }
    $script:InteropNamespace = $ns
}

function Get-ARInteropType {
    <#
    .SYNOPSIS
    One of this copy's interop types, compiled on first use; with -IfCompiled, $null when no
    copy of the module compiled this copy's Interop.cs yet (error handling must not compile C#).
    #>
    [CmdletBinding()]
    [OutputType([type])]
    param(
        [Parameter(Mandatory)]
        [ValidateSet('NativeEngine', 'ProcessEngine', 'Secrets', 'EngineException')]
        [string]$Name,
        [switch]$IfCompiled
    )
    Import-ARInteropType -NoCompile:$IfCompiled
    if (-not $script:InteropNamespace) { return $null }
    "$script:InteropNamespace.$Name" -as [type]
}

function Get-ARProcessEngineLibrary {
    <#
    .SYNOPSIS
    The engine library loaded in this process by any copy of the module, or $null.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $p = (Get-ARInteropType NativeEngine)::ProcessLibraryPath
    if ($p) { return [string]$p }
    # A copy from before the process-wide record knows only its own (base namespace) state.
    $legacy = "$script:InteropBaseNamespace.NativeEngine" -as [type]
    if ($legacy -and $legacy::IsLoaded) { return [string]$legacy::LibraryPath }
    $null
}

function Test-ARSamePath {
    [CmdletBinding()]
    [OutputType([bool])]
    param([string]$Path, [string]$OtherPath)
    $comparison = if ((Get-ARRuntimeIdentifier) -like 'win-*') { [System.StringComparison]::OrdinalIgnoreCase } else { [System.StringComparison]::Ordinal }
    [string]::Equals($Path, $OtherPath, $comparison)
}

function Resolve-AREngine {
    <#
    .SYNOPSIS
    How this copy of the module runs its engine: 'InProcess' (its library, loaded in this process)
    or 'Process' (its arupgrade executable, one process per job).
    .DESCRIPTION
    'Process' when $env:ARUPGRADE_ENGINE says so, or when another copy of the module (the version
    updated from, or the same version at another path) has loaded its engine library in this
    process: a process holds one Go runtime and a library cannot be unloaded, so this copy runs its
    own engine out of process. Without its executable, that is AR-ENGINELOADED: start a new session.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ((Get-AREngineMode) -eq 'Process') { return 'Process' }
    $library = Get-ARNativeLibraryPath
    $loaded = Get-ARProcessEngineLibrary
    if (-not $loaded -or (Test-ARSamePath $loaded $library)) { return 'InProcess' }

    $cli = $null
    try { $cli = Get-AREngineCliPath } catch { $null = $_ }
    if (-not $cli) {
        throw (New-AREngineException -Code 'AR-ENGINELOADED' -Category 'ResourceUnavailable' -ExitCode 1 `
            -Message ("The engine of another copy of ActiveRolesUpgrade is loaded in this PowerShell session from '$loaded', and a " +
                "session can load one engine library only; this copy ('$script:ModuleRoot') has no engine executable " +
                "'$(Get-ARCliFileName)' in bin/$(Get-ARRuntimeIdentifier)/ to run its own engine out of process.") `
            -Remedy "Start a new PowerShell session and import the module there: Import-Module '$script:ModuleRoot'. Or reinstall this copy of the module (its package has the executable).")
    }
    if (-not $script:EngineRouteNoted) {
        $script:EngineRouteNoted = $true
        Microsoft.PowerShell.Utility\Write-Verbose ("The engine of another copy of ActiveRolesUpgrade is loaded in this session from '$loaded'; " +
            "this copy runs its own engine '$cli' out of process.")
    }
    'Process'
}

function Initialize-ARNativeEngine {
    <#
    .SYNOPSIS
    Loads the native engine library once per process and returns aru_version's answer.
    #>
    [CmdletBinding()]
    param()
    $native = Get-ARInteropType NativeEngine
    if ($native::IsLoaded -and $script:NativeVersion) { return $script:NativeVersion }

    $path = Get-ARNativeLibraryPath
    $guardSetting = "$env:ARUPGRADE_SIGNAL_GUARD".Trim().ToLowerInvariant()
    $guard = $guardSetting -notin @('off', '0', 'false', 'no')
    # 'restore-only' keeps the handler's restore but not the blocking during calls (only to demonstrate that hazard).
    $mask = $guard -and $guardSetting -ne 'restore-only'
    try {
        # Loads once per process; a later call with the same path returns the first answer, and
        # another path (another copy of the module in this session) is refused.
        $json = $native::Load($path, $guard, $mask)
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
    Describes how this copy of the module runs the engine: mode, paths, and the state of the SIGRTMIN protection.
    .DESCRIPTION
    Engine is what Resolve-AREngine decides ('InProcess', 'Process', or the error's code), EnginePath
    the library or executable that runs this copy's jobs.
    #>
    [CmdletBinding()]
    param()
    $engine = $null
    $enginePath = $null
    try {
        $engine = Resolve-AREngine
        $enginePath = if ($engine -eq 'Process') { Get-AREngineCliPath } else { Get-ARNativeLibraryPath }
    } catch {
        $engine = if ($_.Exception.PSObject.Properties['Code']) { $_.Exception.Code } else { $_.Exception.GetType().Name }
    }
    $loaded = $false
    $native = Get-ARInteropType NativeEngine -IfCompiled
    if ($native) { $loaded = $native::IsLoaded }
    [pscustomobject]@{
        Mode              = Get-AREngineMode
        Engine            = $engine
        EnginePath        = $enginePath
        ModuleRoot        = $script:ModuleRoot
        InteropNamespace  = $script:InteropNamespace
        ProcessLibraryPath = if ($native) { Get-ARProcessEngineLibrary } else { $null }
        RuntimeIdentifier = Get-ARRuntimeIdentifier
        Loaded            = $loaded
        LibraryPath       = if ($loaded) { $native::LibraryPath } else { $null }
        ActivationSignal  = if ($loaded) { $native::ActivationSignal } else { $null }
        FlagsBeforeLoad   = if ($loaded) { $native::FlagsBeforeLoad } else { $null }
        FlagsAfterGoInit  = if ($loaded) { $native::FlagsAfterGoInit } else { $null }
        FlagsNow          = if ($loaded) { $native::FlagsNow } else { $null }
        OnStackFlag       = if ($native) { $native::OnStackFlag } else { $null }
        SignalRestored    = if ($loaded) { $native::SignalRestored } else { $false }
        SignalNote        = if ($loaded) { $native::SignalNote } else { $null }
        CallsMasked       = if ($loaded) { $native::CallsMasked } else { $false }
    }
}
