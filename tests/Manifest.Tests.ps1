BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $cmdletFiles = Get-ChildItem -Path (Join-Path $RepoRoot 'cmdlets') -Filter '*.ps1' | ForEach-Object { @{ File = $_.FullName; Name = $_.BaseName } }
}

Describe 'Module manifest' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $manifest = Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop
        $data = Import-PowerShellDataFile -Path $ManifestPath
        $fileNames = @(Get-ChildItem -Path (Join-Path $RepoRoot 'cmdlets') -Filter '*.ps1' | ForEach-Object BaseName | Sort-Object)
    }

    It 'is valid and versioned 0.1.0' {
        $manifest.Version | Should -Be ([version]'0.1.0')
        $manifest.Name | Should -Be 'ActiveRolesUpgrade'
    }

    It 'supports Windows PowerShell 5.1 and PowerShell 7 (Desktop and Core)' {
        $data.PowerShellVersion | Should -Be '5.1'
        @($data.CompatiblePSEditions | Sort-Object) | Should -Be @('Core', 'Desktop')
    }

    It 'exports exactly the functions of the cmdlets/ files' {
        @($data.FunctionsToExport | Sort-Object) | Should -Be $fileNames
    }

    It 'uses no wildcard in any export list' {
        foreach ($key in 'FunctionsToExport', 'CmdletsToExport', 'VariablesToExport', 'AliasesToExport') {
            $data.ContainsKey($key) | Should -BeTrue -Because "$key must be explicit"
            @($data[$key]) -join ',' | Should -Not -Match '\*' -Because "$key must not use wildcards"
        }
    }

    It 'exports, once imported, exactly the manifest functions' {
        $m = Import-Module $ManifestPath -Force -PassThru
        try {
            @($m.ExportedFunctions.Keys | Sort-Object) | Should -Be $fileNames
            $m.ExportedCmdlets.Count | Should -Be 0
            $m.ExportedAliases.Count | Should -Be 0
            $m.ExportedVariables.Count | Should -Be 0
        } finally {
            Remove-Module $m -Force
        }
    }

    It 'formats every result type with a table and a list view' {
        $data.FormatsToProcess | Should -Be @('module/ActiveRolesUpgrade.Format.ps1xml')
        [xml]$xml = Get-Content -Raw -Path (Join-Path $RepoRoot 'module/ActiveRolesUpgrade.Format.ps1xml')
        $selected = @($xml.Configuration.ViewDefinitions.View | ForEach-Object { $_.ViewSelectedBy.TypeName })
        foreach ($type in 'DatabaseInfo', 'PrerequisiteCheck', 'ConfigurationImportResult', 'HistoryImportResult', 'ExportResult', 'FixtureResult', 'ServicesAssociationResult', 'WebSiteResult') {
            $views = @($xml.Configuration.ViewDefinitions.View | Where-Object { $_.ViewSelectedBy.TypeName -eq "ActiveRolesUpgrade.$type" })
            @($views | Where-Object { $_.TableControl }).Count | Should -Be 1 -Because "$type needs a table view"
            @($views | Where-Object { $_.ListControl }).Count | Should -Be 1 -Because "$type needs a list view"
        }
        $selected | Should -Not -BeNullOrEmpty
    }

    It 'does not load the native engine at import' {
        $run = Invoke-ChildPwsh -Script @'
Import-Module $ManifestPath
$t = 'ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]
[bool]($t -and $t::IsLoaded) | ConvertTo-Json
'@
        ConvertFrom-ChildJson $run | Should -BeFalse
    }
}

Describe 'Cmdlet file <Name>' -Tag 'Unit' -ForEach $cmdletFiles {
    BeforeAll {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
        $parseErrors = $errors
        $functions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
        $topLevel = @($ast.EndBlock.Statements)
    }

    It 'parses without errors' {
        $parseErrors | Should -BeNullOrEmpty
    }

    It 'defines exactly one function, named like the file, and nothing else' {
        $functions.Count | Should -Be 1
        $functions[0].Name | Should -Be $Name
        $topLevel.Count | Should -Be 1
    }

    It 'is an advanced function' {
        $functions[0].Body.ParamBlock.Attributes.TypeName.Name | Should -Contain 'CmdletBinding'
    }
}
