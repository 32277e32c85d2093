BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $data = Import-PowerShellDataFile -Path $ManifestPath
    $commands = @($data.FunctionsToExport | ForEach-Object { @{ Name = $_ } })
}

Describe 'Help of <Name>' -Tag 'Unit' -ForEach $commands {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $command = Get-Command -Name $Name -Module ActiveRolesUpgrade
        $help = Get-Help -Name $Name -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common })
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without comment-based help PowerShell makes the synopsis from the syntax.
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s"
    }

    It 'has a description' {
        ($help.Description | Out-String).Trim().Length | Should -BeGreaterThan 80
    }

    It 'has at least two examples, each with code and an explanation' {
        $examples = @($help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($ex in $examples) {
            $ex.Code | Should -Not -BeNullOrEmpty
            ($ex.Remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes its outputs' {
        ($help.returnValues | Out-String) | Should -Match 'ActiveRolesUpgrade\.'
    }

    It 'has related links' {
        @($help.relatedLinks.navigationLink).Count | Should -BeGreaterOrEqual 1
    }

    It 'documents every parameter' {
        foreach ($p in $parameters) {
            $ph = $help.Parameters.Parameter | Where-Object Name -EQ $p
            $ph | Should -Not -BeNullOrEmpty -Because "-$p needs help"
            ($ph.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'has a -LogPath parameter' {
        $command.Parameters.Keys | Should -Contain 'LogPath'
    }
}
