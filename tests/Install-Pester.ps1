<#
.SYNOPSIS
Restores Pester from NuGet into tests/.packages and returns the path of Pester.psd1.

.DESCRIPTION
Uses an ordinary NuGet package restore (dotnet restore of tests/pester/Pester.proj, a
PackageDownload-only project) so CI needs no PowerShell Gallery. Idempotent: when the
requested version is already restored, it only returns its manifest path.

.PARAMETER Version
The Pester version to restore. The default is 6.2.0 (5.7.1 also works).

.PARAMETER PackagesPath
The NuGet packages folder. The default is tests/.packages.

.EXAMPLE
PS> Import-Module (./tests/Install-Pester.ps1)
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [string]$Version = '6.2.0',
    [string]$PackagesPath = (Join-Path $PSScriptRoot '.packages')
)
$ErrorActionPreference = 'Stop'

$PackagesPath = [System.IO.Path]::GetFullPath($PackagesPath)
$manifest = [System.IO.Path]::Combine($PackagesPath, 'pester', $Version, 'tools', 'Pester.psd1')
if (Test-Path -LiteralPath $manifest) { return $manifest }

$dotnet = Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if (-not $dotnet) { throw 'Install-Pester: the .NET SDK (dotnet) is not on PATH; it is needed to restore Pester from NuGet.' }

$project = Join-Path $PSScriptRoot 'pester/Pester.proj'
$obj = [System.IO.Path]::Combine($PackagesPath, 'obj') + [System.IO.Path]::DirectorySeparatorChar
Write-Verbose "Restoring Pester $Version into $PackagesPath"
$output = & $dotnet.Source restore $project --packages $PackagesPath "-p:PesterVersion=$Version" "-p:MSBuildProjectExtensionsPath=$obj" --nologo 2>&1
if ($LASTEXITCODE -ne 0) {
    throw "Install-Pester: dotnet restore failed with exit code ${LASTEXITCODE}:`n$($output -join "`n")"
}
if (-not (Test-Path -LiteralPath $manifest)) {
    throw "Install-Pester: the restore succeeded but $manifest does not exist; the package layout may have changed."
}
$manifest
