@{
    RootModule           = 'ActiveRolesUpgrade.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '8f1d2c3b-4a5e-4f60-9b7a-1c2d3e4f5a60'
    Author               = 'ActiveRolesUpgrade contributors'
    CompanyName          = 'ActiveRolesUpgrade'
    Copyright            = '(c) ActiveRolesUpgrade contributors. All rights reserved.'
    Description          = 'Headless, scriptable upgrade of One Identity Active Roles 7.5-8.1 databases to Active Roles 8.2: inspect databases, check prerequisites, import configuration and Management History, export portable bundles. Backed by a native engine (bin/<rid>/).'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('module/ActiveRolesUpgrade.Format.ps1xml')
    FunctionsToExport    = @(
        'Copy-ARDatabasePrincipals'
        'Export-ARDatabase'
        'Export-ARWebSiteConfiguration'
        'Get-ARDatabaseInfo'
        'Get-ARWebSite'
        'Import-ARCollectorEvents'
        'Import-ARConfiguration'
        'Import-ARManagementHistory'
        'Import-ARWebSiteConfiguration'
        'Invoke-ARUpgrade'
        'New-ARSampleDatabase'
        'New-ARWebSite'
        'Remove-ARWebSite'
        'Set-ARServicesAssociation'
        'Test-ARUpgradePrerequisite'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ActiveRoles', 'OneIdentity', 'Upgrade', 'Migration', 'SqlServer', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux')
            ReleaseNotes = 'First preview: Get-ARDatabaseInfo, Export-ARDatabase, Test-ARUpgradePrerequisite, Import-ARConfiguration, Import-ARManagementHistory, Set-ARServicesAssociation, Copy-ARDatabasePrincipals, New-ARSampleDatabase. Collector events (the guide''s "Upgrading the Collector and Report Pack"): Import-ARCollectorEvents imports an earlier Collector database into an 8.2 one exactly once (Test-ARUpgradePrerequisite -Kind Collector, New-ARSampleDatabase -Role Collector). Web Interface sites (the guide''s "Upgrading the Active Roles Web Interface"): Get-ARWebSite lists site configuration objects; New-ARWebSite creates an 8.2 site from an earlier one (pipeline input from Get-ARWebSite, IIS-valid aliases, -CreateWebApplication on the web server); Remove-ARWebSite removes the default 8.2 sites (others with -Force); Export-ARWebSiteConfiguration and Import-ARWebSiteConfiguration back a site configuration up to a file and restore or move it. Updating in one session: Import-Module of another copy with -Force runs that copy''s own engine (out of process while the first copy''s engine is loaded; AR-ENGINELOADED says to start a new session when it cannot). Endpoints: -Source/-Destination take an instance, a connection string, a bundle, a file or a Get-ARDatabaseInfo object (the old -SourceServer/-SourcePath/-SourceConnectionString names are aliases). Results: PascalCase properties with [guid], [version], [datetime] (UTC) and [timespan] values; ElapsedSeconds is now Elapsed ([timespan]), and -WhatIf results carry Action WouldImport/WouldCreate/...'
        }
    }
}
