# The Windows PowerShell 5.1 check (tests/Test-Ps51Syntax.ps1): the module's own scripts pass it,
# and each kind of PowerShell-7-only use it knows is reported with its file and line.
Describe 'Windows PowerShell 5.1 syntax check' -Tag 'Unit' {
    BeforeAll {
        $script:Check = Join-Path $PSScriptRoot 'Test-Ps51Syntax.ps1'
        function Get-Ps51Finding([string]$Text) {
            $file = Join-Path $TestDrive ('planted-' + [guid]::NewGuid().ToString('N') + '.ps1')
            Set-Content -LiteralPath $file -Value $Text
            @(& $script:Check -Path $file -PassThru)
        }
    }

    It 'finds nothing 7-only in the scripts the module ships' {
        $findings = @(& $script:Check -PassThru)
        ($findings | ForEach-Object { "$($_.File):$($_.Line): $($_.Message)" }) -join "`n" | Should -BeNullOrEmpty
    }

    It 'reports <Name> at its line' -ForEach @(
        @{ Name = 'the ?? operator'; Text = '$a = $b ?? 1'; Expect = '\?\? operator' }
        @{ Name = 'the ??= operator'; Text = '$a ??= 1'; Expect = '\?\?= operator' }
        @{ Name = 'the ternary operator'; Text = '$a = $b ? 1 : 2'; Expect = 'ternary' }
        @{ Name = '?. member access'; Text = '${b}?.Name'; Expect = 'null-conditional' }
        @{ Name = '?[] index'; Text = '${b}?[0]'; Expect = 'null-conditional' }
        @{ Name = '&& chains'; Text = 'Get-Item . && Get-Item .'; Expect = 'pipeline chains' }
        @{ Name = '|| chains'; Text = 'Get-Item . || Get-Item .'; Expect = 'pipeline chains' }
        @{ Name = 'clean blocks'; Text = "function f { end { 1 } clean { 2 } }"; Expect = 'clean blocks' }
        @{ Name = 'ForEach-Object -Parallel'; Text = '1, 2 | ForEach-Object -Parallel { $_ }'; Expect = 'ForEach-Object -Parallel' }
        @{ Name = '% -Parallel'; Text = '1, 2 | % -Parallel { $_ }'; Expect = 'ForEach-Object -Parallel' }
        @{ Name = 'ConvertFrom-Json -AsHashtable'; Text = "'{}' | ConvertFrom-Json -AsHashtable"; Expect = 'ConvertFrom-Json -AsHashtable' }
        @{ Name = 'module-qualified ConvertFrom-Json -Depth'; Text = "Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject '{}' -Depth 5"; Expect = 'ConvertFrom-Json -Depth' }
        @{ Name = 'Get-Content -AsByteStream'; Text = 'Get-Content x -AsByteStream'; Expect = 'Get-Content -AsByteStream' }
        @{ Name = 'Join-Path -AdditionalChildPath'; Text = 'Join-Path a b -AdditionalChildPath c'; Expect = 'Join-Path -AdditionalChildPath' }
        @{ Name = 'Join-Path with three paths'; Text = 'Join-Path a b c'; Expect = 'more than two paths' }
        @{ Name = 'Test-Json'; Text = "Test-Json -Json '{}'"; Expect = 'Test-Json does not exist' }
        @{ Name = 'Get-Error'; Text = 'Get-Error'; Expect = 'Get-Error does not exist' }
        @{ Name = '-Encoding utf8NoBOM'; Text = "Set-Content x -Value 1 -Encoding utf8NoBOM"; Expect = 'utf8NoBOM' }
        @{ Name = '#requires -Version 7'; Text = "#requires -Version 7.0`n1"; Expect = 'requires -Version 7' }
    ) {
        $findings = Get-Ps51Finding ("# planted`n" + $Text)
        $findings.Count | Should -BeGreaterThan 0 -Because "'$Text' does not run on Windows PowerShell 5.1"
        ($findings.Message -join "`n") | Should -Match $Expect
        $findings[0].Line | Should -Be 2
    }

    It 'leaves 5.1-compatible code alone' {
        $text = @'
$a = if ($b) { 1 } else { 2 }
if ($null -eq $c) { $c = 3 }
Join-Path a b
'{}' | ConvertFrom-Json
1, 2 | ForEach-Object { $_ }
Get-Content x -Encoding UTF8
$x = "a?b"
'@
        Get-Ps51Finding $text | Should -BeNullOrEmpty
    }

    It 'fails with file:line and exit code 1 on a planted ?? in a module script' {
        $dir = Join-Path $TestDrive 'module-copy'
        $null = New-Item -ItemType Directory -Path $dir
        Set-Content -LiteralPath (Join-Path $dir 'Get-Planted.ps1') -Value "function Get-Planted {`n    `$x = `$null ?? 'default'`n}"
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $out = & $pwsh -NoProfile -NonInteractive -File $script:Check -Path $dir 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 1
        ($out -join "`n") | Should -Match 'Get-Planted\.ps1:2: the \?\? operator'
    }
}
