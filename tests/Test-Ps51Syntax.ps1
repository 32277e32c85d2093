<#
.SYNOPSIS
Rejects PowerShell-7-only syntax, cmdlets and parameters in the scripts the module ships.

.DESCRIPTION
The module declares Windows PowerShell 5.1 support (CompatiblePSEditions Desktop), but the
development machines and CI run only PowerShell 7. This check parses every .ps1, .psm1 and
.psd1 that build.ps1's Package task ships (the root manifest and module, module/, cmdlets/)
and reports each use of:

  * syntax 5.1 cannot parse: the ternary operator (a ? b : c), ??, ??=, ?. and ?[],
    pipeline chains (&& and ||), clean blocks;
  * ForEach-Object -Parallel;
  * cmdlets that do not exist in 5.1, and parameters that 5.1's cmdlets do not have
    ($Ps7OnlyCommands and $Ps7OnlyParameters below: keep them up to date when a new
    7-only feature is met);
  * #requires -Version 6 or later, -PSEdition Core.

Each finding is printed as "file:line: what". The script writes the findings as objects
with -PassThru; otherwise it exits 1 when there is any (0 when none), so build.ps1's
Test task and CI fail on it.

.PARAMETER Path
Files or folders to check. The default is what the module ships.

.PARAMETER PassThru
Returns the findings (objects with File, Line, Message) instead of setting the exit code.

.EXAMPLE
PS> ./tests/Test-Ps51Syntax.ps1
#>
[CmdletBinding()]
param(
    [string[]]$Path,
    [switch]$PassThru
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = Split-Path -Parent $PSScriptRoot
if (-not $Path) {
    $Path = @(
        Get-ChildItem -File -Path $root -Filter 'ActiveRolesUpgrade.*'
        Get-ChildItem -File -Recurse -Path (Join-Path $root 'module'), (Join-Path $root 'cmdlets')
    ) | Where-Object { $_.Extension -in '.ps1', '.psm1', '.psd1' } | ForEach-Object FullName
}

# Cmdlets (and their aliases) that Windows PowerShell 5.1 does not have.
$Ps7OnlyCommands = @{
    'Test-Json'             = 'Test-Json does not exist in Windows PowerShell 5.1'
    'Get-Error'             = 'Get-Error does not exist in Windows PowerShell 5.1'
    'gerr'                  = 'Get-Error (gerr) does not exist in Windows PowerShell 5.1'
    'ConvertFrom-Markdown'  = 'ConvertFrom-Markdown does not exist in Windows PowerShell 5.1'
    'Show-Markdown'         = 'Show-Markdown does not exist in Windows PowerShell 5.1'
    'Get-MarkdownOption'    = 'Get-MarkdownOption does not exist in Windows PowerShell 5.1'
    'Set-MarkdownOption'    = 'Set-MarkdownOption does not exist in Windows PowerShell 5.1'
    'Remove-Alias'          = 'Remove-Alias does not exist in Windows PowerShell 5.1 (use Remove-Item Alias:\name)'
    'Remove-Service'        = 'Remove-Service does not exist in Windows PowerShell 5.1'
    'Get-Uptime'            = 'Get-Uptime does not exist in Windows PowerShell 5.1'
    'ConvertTo-CliXml'      = 'ConvertTo-CliXml does not exist in Windows PowerShell 5.1'
    'ConvertFrom-CliXml'    = 'ConvertFrom-CliXml does not exist in Windows PowerShell 5.1'
    'Join-String'           = 'Join-String does not exist in Windows PowerShell 5.1 (use -join)'
    'Get-PSSubsystem'       = 'Get-PSSubsystem does not exist in Windows PowerShell 5.1'
    'Enable-ExperimentalFeature' = 'experimental features do not exist in Windows PowerShell 5.1'
}

# Parameters that exist only in PowerShell 6/7, by cmdlet (aliases of the cmdlet included).
$Ps7OnlyParameters = @{
    'ConvertFrom-Json'     = 'AsHashtable', 'Depth', 'NoEnumerate', 'DateKind'
    'ConvertTo-Json'       = 'AsArray', 'EnumsAsStrings', 'EscapeHandling'
    'Get-Content'          = 'AsByteStream'
    'Set-Content'          = 'AsByteStream'
    'Add-Content'          = 'AsByteStream'
    'Join-Path'            = 'AdditionalChildPath'
    'Split-Path'           = 'LeafBase', 'Extension'
    'Select-String'        = 'Raw', 'NoEmphasis'
    'Sort-Object'          = 'Top', 'Bottom', 'Stable'
    'Get-Date'             = 'UnixTimeSeconds', 'AsUTC'
    'Get-ChildItem'        = 'FollowSymlink'
    'Select-Object'        = 'SkipIndex'
    'ConvertTo-Csv'        = 'UseQuotes', 'QuoteFields'
    'Export-Csv'           = 'UseQuotes', 'QuoteFields'
    'Invoke-WebRequest'    = 'SkipCertificateCheck', 'Authentication', 'Token', 'SslProtocol', 'SkipHeaderValidation', 'MaximumRetryCount', 'RetryIntervalSec', 'Resume', 'SkipHttpErrorCheck', 'StatusCodeVariable'
    'Invoke-RestMethod'    = 'SkipCertificateCheck', 'Authentication', 'Token', 'SslProtocol', 'SkipHeaderValidation', 'MaximumRetryCount', 'RetryIntervalSec', 'Resume', 'SkipHttpErrorCheck', 'StatusCodeVariable', 'ResponseHeadersVariable'
    'Start-Process'        = 'Environment'
    'Test-Connection'      = 'TargetName', 'Ping', 'TcpPort', 'Traceroute', 'MtuSize', 'Repeat'
    'New-Item'             = 'AsByteStream'
    'Wait-Process'         = 'Any', 'PassThru'
    'Remove-Item'          = 'AsByteStream'
    'Format-Hex'           = 'Count', 'Offset'
    'Out-File'             = 'AsByteStream'
    'Import-Module'        = 'UseWindowsPowerShell', 'SkipEditionCheck'
    'ForEach-Object'       = 'Parallel', 'ThrottleLimit', 'TimeoutSeconds', 'AsJob', 'UseNewRunspace'
    'Get-Command'          = 'UseFuzzyMatching', 'FuzzyMinimumDistance', 'UseAbbreviationExpansion'
    'Where-Object'         = 'Not'
    'Import-PowerShellDataFile' = 'SkipLimitCheck'
    'Get-Random'           = 'Shuffle'
    'Group-Object'         = 'CaseSensitive'
    'Measure-Object'       = 'AllStats', 'StandardDeviation'
    'Set-Location'         = 'Previous'
}
# Values of -Encoding that 5.1 does not accept.
$Ps7OnlyEncodings = 'utf8NoBOM', 'utf8BOM', 'ansi'

$aliases = @{ '%' = 'ForEach-Object'; 'foreach' = 'ForEach-Object'; '?' = 'Where-Object'; 'where' = 'Where-Object'
    'gc' = 'Get-Content'; 'cat' = 'Get-Content'; 'type' = 'Get-Content'; 'sc' = 'Set-Content'; 'ac' = 'Add-Content'
    'sls' = 'Select-String'; 'sort' = 'Sort-Object'; 'select' = 'Select-Object'; 'gci' = 'Get-ChildItem'; 'ls' = 'Get-ChildItem'
    'dir' = 'Get-ChildItem'; 'ipmo' = 'Import-Module'; 'gcm' = 'Get-Command'; 'irm' = 'Invoke-RestMethod'
    'iwr' = 'Invoke-WebRequest'; 'saps' = 'Start-Process'; 'start' = 'Start-Process'; 'fhx' = 'Format-Hex'
    'group' = 'Group-Object'; 'measure' = 'Measure-Object'; 'cd' = 'Set-Location'; 'sl' = 'Set-Location'; 'chdir' = 'Set-Location'
    'ni' = 'New-Item'; 'rm' = 'Remove-Item'; 'del' = 'Remove-Item'; 'ri' = 'Remove-Item'; 'erase' = 'Remove-Item' }

function Get-Finding {
    param([string]$File)
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
    foreach ($e in $errors) {
        [pscustomobject]@{ File = $File; Line = $e.Extent.StartLineNumber; Message = "does not parse: $($e.Message)" }
    }
    $found = $ast.FindAll({ $true }, $true)
    foreach ($node in $found) {
        $what = $null
        $line = $node.Extent.StartLineNumber
        switch ($node.GetType().Name) {
            'TernaryExpressionAst' { $what = "the ternary operator (a ? b : c) needs PowerShell 7; use if/else" }
            'PipelineChainAst' { $what = "pipeline chains (&& / ||) need PowerShell 7; use if (`$?)" }
            'BinaryExpressionAst' {
                if ($node.Operator -eq 'QuestionQuestion') { $what = "the ?? operator needs PowerShell 7; use if (`$null -eq ...)" }
            }
            'AssignmentStatementAst' {
                if ($node.Operator -eq 'QuestionQuestionEquals') { $what = "the ??= operator needs PowerShell 7; use if (`$null -eq ...)" }
            }
            { $_ -in 'MemberExpressionAst', 'InvokeMemberExpressionAst', 'IndexExpressionAst' } {
                if ($node.PSObject.Properties['NullConditional'] -and $node.NullConditional) { $what = "null-conditional access (?. / ?[]) needs PowerShell 7" }
            }
            'ScriptBlockAst' {
                if ($node.PSObject.Properties['CleanBlock'] -and $node.CleanBlock) { $what = "clean blocks need PowerShell 7.3; use try/finally in end" }
                if ($node.ScriptRequirements) {
                    $req = $node.ScriptRequirements
                    $requiresToken = $tokens | Where-Object { $_.Kind -eq 'Comment' -and $_.Text -match '^#requires\b' } | Select-Object -First 1
                    if ($requiresToken) { $line = $requiresToken.Extent.StartLineNumber }
                    if ($req.RequiredPSVersion -and $req.RequiredPSVersion.Major -ge 6) { $what = "#requires -Version $($req.RequiredPSVersion) excludes Windows PowerShell 5.1" }
                    if ($req.RequiredPSEditions -and 'Desktop' -notin $req.RequiredPSEditions) { $what = "#requires -PSEdition $($req.RequiredPSEditions -join ',') excludes Windows PowerShell 5.1" }
                }
            }
            'CommandAst' {
                $name = $node.GetCommandName()
                if (-not $name) { break }
                $short = $name -replace '^[\w\.]+\\', ''   # Microsoft.PowerShell.Utility\ConvertFrom-Json
                if ($aliases.ContainsKey($short)) { $short = $aliases[$short] }
                $key = $Ps7OnlyCommands.Keys | Where-Object { $_ -eq $short } | Select-Object -First 1
                if ($key) { $what = $Ps7OnlyCommands[$key]; break }
                $cmd = $Ps7OnlyParameters.Keys | Where-Object { $_ -eq $short } | Select-Object -First 1
                $messages = [System.Collections.Generic.List[string]]::new()
                foreach ($el in $node.CommandElements) {
                    if ($el -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                    $p = $el.ParameterName
                    if ($cmd) {
                        # A parameter may be abbreviated: -AsHash binds -AsHashtable.
                        $hit = $Ps7OnlyParameters[$cmd] | Where-Object { $_ -like "$p*" } | Select-Object -First 1
                        if ($hit -and $p.Length -ge 2) { $messages.Add("$short -$hit does not exist in Windows PowerShell 5.1") }
                    }
                    if ($p -eq 'Encoding') {
                        $idx = [array]::IndexOf($node.CommandElements, $el)
                        $arg = if ($el.Argument) { $el.Argument } elseif ($idx + 1 -lt $node.CommandElements.Count) { $node.CommandElements[$idx + 1] } else { $null }
                        if ($arg -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $arg.Value -in $Ps7OnlyEncodings) {
                            $messages.Add("-Encoding $($arg.Value) does not exist in Windows PowerShell 5.1")
                        }
                    }
                }
                if ($short -eq 'Join-Path') {
                    # Join-Path a b c binds c to -AdditionalChildPath (7 only).
                    $positional = @($node.CommandElements | Select-Object -Skip 1 | Where-Object { $_ -isnot [System.Management.Automation.Language.CommandParameterAst] })
                    $named = @($node.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })
                    if ($named.Count -eq 0 -and $positional.Count -gt 2) { $messages.Add('Join-Path with more than two paths needs PowerShell 7 (-AdditionalChildPath); nest Join-Path calls') }
                }
                if ($messages.Count) { $what = $messages -join '; ' }
            }
        }
        if ($what) {
            [pscustomobject]@{ File = $File; Line = $line; Message = $what }
        }
    }
}

$findings = @(@(foreach ($f in $Path) {
    $full = (Resolve-Path -LiteralPath $f).ProviderPath
    $files = if (Test-Path -LiteralPath $full -PathType Container) {
        Get-ChildItem -File -Recurse -Path $full | Where-Object { $_.Extension -in '.ps1', '.psm1', '.psd1' } | ForEach-Object FullName
    } else { $full }
    foreach ($file in $files) { Get-Finding -File $file }
}) | Sort-Object File, Line, Message -Unique)

if ($PassThru) { return $findings }
foreach ($x in $findings) {
    $rel = [System.IO.Path]::GetRelativePath($root, $x.File)
    [Console]::Error.WriteLine("${rel}:$($x.Line): $($x.Message)")
}
if ($findings.Count) {
    [Console]::Error.WriteLine("$($findings.Count) PowerShell-7-only use(s) in the module's scripts: Windows PowerShell 5.1 would fail on them.")
    exit 1
}
Write-Host "Windows PowerShell 5.1 syntax check: $(@($Path).Count) file(s), no PowerShell-7-only syntax, cmdlets or parameters." -ForegroundColor Green
exit 0
