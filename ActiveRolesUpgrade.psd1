@{ RootModule = 'ActiveRolesUpgrade.psm1'; ModuleVersion = '0.1.0'; GUID = '8f1d2c3b-4a5e-4f60-9b7a-1c2d3e4f5a60'; FunctionsToExport = @() }
