<#
.SYNOPSIS
Runs the ActiveRolesUpgrade Pester tests and exits non-zero when any fails.

.DESCRIPTION
Restores Pester from NuGet (Install-Pester.ps1) when needed, runs every *.Tests.ps1 under
tests/ (all tags by default: Unit, Integration, Stress), prints Pester's summary
("Tests Passed: N, Failed: M, …") and a plain "N passed, M failed, K skipped" line, and
sets the exit code: 0 when everything passed, 1 otherwise.

Integration and Stress tests load the native engine in child pwsh processes and are
skipped, with the reason, when bin/<rid>/ has no engine library.

.PARAMETER Tag
Runs only tests with one of these tags (Unit, Integration, Stress).

.PARAMETER ExcludeTag
Skips tests with one of these tags.

.PARAMETER Path
Test files or folders. The default is this folder.

.PARAMETER OutputFile
Also writes NUnit XML results to this file (for CI).

.PARAMETER PesterVersion
The Pester version to restore and use. The default is 6.2.0.

.EXAMPLE
PS> ./tests/Invoke-Tests.ps1

.EXAMPLE
PS> ./tests/Invoke-Tests.ps1 -Tag Unit

.EXAMPLE
PS> ./tests/Invoke-Tests.ps1 -ExcludeTag Stress -OutputFile ./tests/TestResults/pester.xml
#>
[CmdletBinding()]
param(
    [string[]]$Tag,
    [string[]]$ExcludeTag,
    [string[]]$Path = @($PSScriptRoot),
    [string]$OutputFile,
    [string]$PesterVersion = '6.2.0'
)
$ErrorActionPreference = 'Stop'

# pwsh -File passes "a,b" as one string: split such lists.
$Tag = @($Tag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$ExcludeTag = @($ExcludeTag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })

$pesterManifest = & (Join-Path $PSScriptRoot 'Install-Pester.ps1') -Version $PesterVersion
Import-Module $pesterManifest -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
if ($Tag) { $config.Filter.Tag = $Tag }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }
if ($OutputFile) {
    $full = [System.IO.Path]::GetFullPath($OutputFile)
    $null = New-Item -ItemType Directory -Force -Path ([System.IO.Path]::GetDirectoryName($full))
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = $full
}

try {
    $result = Invoke-Pester -Configuration $config
} catch {
    Write-Host "Pester could not run: $_"
    Write-Host '0 passed, 1 failed, 0 skipped'
    exit 1
}
Write-Host ('{0} passed, {1} failed, {2} skipped' -f $result.PassedCount, $result.FailedCount, $result.SkippedCount)
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
if ($failed -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
exit 0
