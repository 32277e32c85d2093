Describe 'Loader' -Tag 'Unit' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ManifestPath -Force
        $root = Join-Path $TestDrive 'module'
    }

    It 'names this process''s runtime identifier like the bin/ folders' {
        InModuleScope ActiveRolesUpgrade { Get-ARRuntimeIdentifier } | Should -Be (Get-TestRuntimeIdentifier)
    }

    It 'picks bin/(rid)/ relative to the module root, as an absolute path' {
        $folder = Join-Path $root 'bin/linux-x64'
        $null = New-Item -ItemType Directory -Force -Path $folder
        Set-Content -Path (Join-Path $folder 'libarupgrade.so') -Value 'not a library'
        $p = InModuleScope ActiveRolesUpgrade -Parameters @{ Root = $root } {
            param($Root)
            Get-ARNativeLibraryPath -ModuleRoot $Root -RuntimeIdentifier 'linux-x64' -IgnoreOverride
        }
        $p | Should -Be ([System.IO.Path]::GetFullPath((Join-Path $folder 'libarupgrade.so')))
        [System.IO.Path]::IsPathRooted($p) | Should -BeTrue
    }

    It 'uses the per-OS file name (<Rid> → <File>)' -ForEach @(
        @{ Rid = 'win-x64'; File = 'arupgrade.dll' }
        @{ Rid = 'linux-x64'; File = 'libarupgrade.so' }
        @{ Rid = 'osx-arm64'; File = 'libarupgrade.dylib' }
    ) {
        InModuleScope ActiveRolesUpgrade -Parameters @{ Rid = $Rid } { param($Rid) Get-ARNativeLibraryName -RuntimeIdentifier $Rid } | Should -Be $File
    }

    It 'fails with a clear error naming the folder and the build command when the library is missing' {
        $empty = Join-Path $TestDrive 'empty'
        $err = $null
        try {
            InModuleScope ActiveRolesUpgrade -Parameters @{ Root = $empty } { param($Root) Get-ARNativeLibraryPath -ModuleRoot $Root -RuntimeIdentifier 'win-x64' -IgnoreOverride }
        } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception | Should -BeOfType [System.IO.FileNotFoundException]
        $err.Exception.Message | Should -BeLike "*$([System.IO.Path]::Combine([System.IO.Path]::GetFullPath($empty), 'bin', 'win-x64'))*"
        $err.Exception.Message | Should -BeLike '*arupgrade.dll*'
        $err.Exception.Message | Should -BeLike '*./build.ps1 -Task Build*'
    }

    It 'says which platforms are supported for an unsupported one' {
        { InModuleScope ActiveRolesUpgrade { Get-ARNativeLibraryPath -ModuleRoot $TestDrive -RuntimeIdentifier 'linux-riscv64' -IgnoreOverride } } |
            Should -Throw -ExpectedMessage '*ships engines for win-x64, linux-x64, osx-arm64*'
    }

    It 'surfaces the missing library as an ObjectNotFound error of the cmdlet' {
        $saved = $env:ARUPGRADE_LIBRARY
        try {
            $env:ARUPGRADE_LIBRARY = Join-Path $TestDrive 'nowhere/libarupgrade.so'
            InModuleScope ActiveRolesUpgrade { $t = 'ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]; [bool]($t -and $t::IsLoaded) } | Should -BeFalse
            $err = $null
            try { Get-ARDatabaseInfo -Path (Join-Path $TestDrive 'x.arbundle') } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'FileNotFoundException,Get-ARDatabaseInfo'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*ARUPGRADE_LIBRARY*'
        } finally {
            $env:ARUPGRADE_LIBRARY = $saved
        }
    }

    It 'reads the engine mode from $env:ARUPGRADE_ENGINE (<Value> → <Mode>)' -ForEach @(
        @{ Value = ''; Mode = 'InProcess' }
        @{ Value = 'inprocess'; Mode = 'InProcess' }
        @{ Value = 'Process'; Mode = 'Process' }
    ) {
        $saved = $env:ARUPGRADE_ENGINE
        try {
            $env:ARUPGRADE_ENGINE = $Value
            InModuleScope ActiveRolesUpgrade { Get-AREngineMode } | Should -Be $Mode
        } finally { $env:ARUPGRADE_ENGINE = $saved }
    }

    It 'rejects an unknown engine mode' {
        $saved = $env:ARUPGRADE_ENGINE
        try {
            $env:ARUPGRADE_ENGINE = 'thread'
            { InModuleScope ActiveRolesUpgrade { Get-AREngineMode } } | Should -Throw -ExpectedMessage "*'inprocess'*'process'*"
        } finally { $env:ARUPGRADE_ENGINE = $saved }
    }

    It 'compiles the interop type once (a second import reuses it)' {
        InModuleScope ActiveRolesUpgrade { Import-ARInteropType }
        $t1 = 'ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]
        Import-Module $ManifestPath -Force
        InModuleScope ActiveRolesUpgrade { Import-ARInteropType }
        ('ActiveRolesUpgrade.Interop.V1.NativeEngine' -as [type]) | Should -Be $t1
        @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetType('ActiveRolesUpgrade.Interop.V1.NativeEngine', $false) }).Count | Should -Be 1
    }
}
