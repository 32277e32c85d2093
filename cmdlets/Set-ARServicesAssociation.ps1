function Set-ARServicesAssociation {
    <#
    .SYNOPSIS
    Sets which Administration Service runs dynamic groups, group families
    and scheduled tasks of an Active Roles 8.2 configuration database.

    .DESCRIPTION
    Set-ARServicesAssociation does what the Configuration Center's Services
    association page and the built-in workflow "Update Services To Execute
    On" do: it sets the Administration Service (-ServicesServer) that runs
    the Dynamic Group Service, the Group Family Service and the scheduled
    tasks of an 8.2 configuration database.

    Import-ARConfiguration already associates the services with its
    -ServicesServer. Use this command when that association did not happen
    or must change: for example when the import ran on another computer,
    when the Administration Service moved, or when a scheduled association
    did not run because the import was still in progress. Scheduled tasks
    that cannot be edited (such as Managed Object Counter) or that are set
    to run on all servers are left alone and listed in the result. -WhatIf
    asks the engine which rows would change and writes nothing.

    .PARAMETER DestinationServer
    The SQL Server instance that hosts the Active Roles 8.2 configuration
    database: the computer's fully qualified domain name for a default
    instance (sql01.corp.example.com), <FQDN>\<instance> for a named
    instance, or the Azure SQL logical server
    (contoso.database.windows.net). A port can follow a comma
    (sql01.corp.example.com,1433). Use it with -DestinationDatabase; or use
    -DestinationConnectionString or -DestinationPath instead.

    .PARAMETER DestinationDatabase
    The name of the Active Roles 8.2 configuration database on
    -DestinationServer, as shown by the Active Roles Console or the
    Configuration Center (for example ARConfig76).

    .PARAMETER DestinationCredential
    The login for -DestinationServer: a SQL Server login (the default
    authentication when a credential is given), an Azure AD user for
    AzureADPassword, or the application (client) ID and client secret for
    AzureADServicePrincipal. Leave it out for Windows authentication, which
    connects as the account running PowerShell. The password is passed to
    the engine only inside its request and is never written to any output
    stream or log.

    .PARAMETER DestinationAuthentication
    How to authenticate to -DestinationServer: Windows (integrated; the
    default without a credential), SqlLogin (the default with
    -DestinationCredential), AzureADPassword, AzureADServicePrincipal,
    AzureADManagedIdentity (the managed identity of this Azure VM or
    service; a user-assigned identity's client ID can be given as the
    -DestinationCredential user name), AzureADDefault (the Azure default
    credential chain: environment, managed identity, Azure CLI; the default
    for AzureSQL without a credential) or AzureADInteractive (a browser
    sign-in). SqlLogin, AzureADPassword and AzureADServicePrincipal need
    -DestinationCredential.

    .PARAMETER DestinationDatabaseType
    OnPremises (the default) for SQL Server, or AzureSQL for an Azure SQL
    database or managed instance, as in the Configuration Center's Database
    Type list.

    .PARAMETER DestinationTrustServerCertificate
    Encrypts the connection to -DestinationServer without validating the
    server's certificate (a self-signed or internal-CA certificate). The
    engine reports a warning check when it is used; prefer installing a
    trusted certificate.

    .PARAMETER DestinationConnectionString
    The Active Roles 8.2 configuration database as a connection string,
    instead of -DestinationServer and -DestinationDatabase: either the
    ADO.NET form
    (Server=sql01.corp.example.com;Database=ARConfig76;Integrated
    Security=true) or a sqlserver:// URL. Prefer -DestinationServer with
    -DestinationCredential when a password is needed: a connection string is
    plain text.

    .PARAMETER DestinationPath
    The path of a database bundle (*.arbundle) to use as the Active Roles
    8.2 configuration database, instead of a SQL Server database. Bundles
    are portable single-file copies written by Export-ARDatabase (or
    New-ARSampleDatabase); relative paths are relative to the current
    PowerShell location.

    .PARAMETER ServicesServer
    The fully qualified domain name of the Administration Service that runs
    dynamic groups, group families and scheduled tasks (the guide's
    "Services association"; "This server" or "Other"). The default is this
    computer's FQDN ([System.Net.Dns]::GetHostEntry('').HostName), which is
    right when you run the command on that Administration Service. Scheduled
    tasks that cannot be edited (such as Managed Object Counter) or that run
    on all servers are left alone and listed in the result.

    .PARAMETER Force
    Runs without asking for confirmation (for runbooks and scheduled tasks).
    The same as -Confirm:$false.

    .PARAMETER LogPath
    The engine's log file (JSON lines; appended to). Relative paths are
    relative to the current PowerShell location; "-" writes no log file. By
    default the engine appends to arupgrade-<yyyyMMdd>.log under
    %LOCALAPPDATA%\ActiveRolesUpgrade\Logs on Windows, or
    ~/.local/state/activerolesupgrade/logs elsewhere. The log never contains
    passwords; failures name it in their message.

    .INPUTS
    None. You cannot pipe objects to this command.

    .OUTPUTS
    ActiveRolesUpgrade.ServicesAssociationResult, with the properties:
    destination, servicesServer, whatIf, changed (entity, key, name, from,
    to of each row set), unchanged (taskGuid, name, reason of each scheduled
    task left alone), dynamicGroups, groupFamilies, scheduledTasks (the
    numbers set) and elapsedSeconds.

    .EXAMPLE
    PS> Set-ARServicesAssociation -DestinationServer sql02.corp.example.com -DestinationDatabase ARConfig82

    Associates dynamic groups, group families and scheduled tasks with this
    computer's Administration Service.

    .EXAMPLE
    PS> Set-ARServicesAssociation ars02.corp.example.com -DestinationServer sql02 -DestinationDatabase ARConfig82 -WhatIf |
    >>     Select-Object -ExpandProperty changed | Format-Table entity, name, from, to

    Lists what would move to the Administration Service on ars02.

    .LINK
    Import-ARConfiguration
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Server')]
    [OutputType('ActiveRolesUpgrade.ServicesAssociationResult')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationServer,

        [Parameter(Mandatory, ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationDatabase,

        [Parameter(ParameterSetName = 'Server')]
        [System.Management.Automation.Credential()]
        [System.Management.Automation.PSCredential]$DestinationCredential,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateSet('Windows', 'SqlLogin', 'AzureADPassword', 'AzureADServicePrincipal', 'AzureADManagedIdentity', 'AzureADDefault', 'AzureADInteractive')]
        [string]$DestinationAuthentication,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateSet('OnPremises', 'AzureSQL')]
        [string]$DestinationDatabaseType,

        [Parameter(ParameterSetName = 'Server')]
        [switch]$DestinationTrustServerCertificate,

        [Parameter(Mandatory, ParameterSetName = 'ConnectionString')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationConnectionString,

        [Parameter(Mandatory, ParameterSetName = 'Path')]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationPath,

        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$ServicesServer,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $destination = New-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        $server = if ($ServicesServer) { $ServicesServer } else { Get-ARDefaultServicesServer }
        $params = [ordered]@{ destination = $destination; servicesServer = $server; whatIf = $false }
        $target = Get-AREndpointDisplayName -Endpoint $destination
        if ($PSCmdlet.ShouldProcess($target, "Run dynamic groups, group families and scheduled tasks on $server")) {
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'set-services-association' -Params $params -LogPath $LogPath `
                -Activity 'Associating services' -TargetObject $target
        } elseif ($WhatIfPreference) {
            $params.whatIf = $true
            Invoke-AREngine -Cmdlet $PSCmdlet -Operation 'set-services-association' -Params $params -LogPath $LogPath `
                -Activity 'Planning services association' -TargetObject $target
        }
    }
}
