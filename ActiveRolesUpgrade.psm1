# ActiveRolesUpgrade root module: private helpers from module/, one public
# function per file in cmdlets/. The native engine is loaded on first use
# (module/Loader.ps1), never at import.
# Version 1: undefined variables are errors; absent JSON properties (omitted by the engine) read as $null.
Set-StrictMode -Version 1.0

$script:ModuleRoot = $PSScriptRoot
$script:NativeVersion = $null

foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'module'), '*.ps1')) {
    . $file
}
$public = foreach ($file in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'cmdlets'), '*.ps1')) {
    . $file
    [System.IO.Path]::GetFileNameWithoutExtension($file)
}

Export-ModuleMember -Function $public
