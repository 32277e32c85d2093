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

    .PARAMETER Destination
    The destination database: a SQL Server instance (sql01.corp.example.com,
    sql01\INST, sql01.corp.example.com,1433, or the Azure SQL logical server
    contoso.database.windows.net) with -DestinationDatabase; a connection
    string (Server=sql01;Database=ARConfig76;Integrated Security=true, or a
    sqlserver:// URL); the path of a database bundle (*.arbundle, relative
    to the current PowerShell location); a file from Get-ChildItem; or an
    object from Get-ARDatabaseInfo. The engine reads every form by the same
    rule as the arupgrade command line. The old names -DestinationServer,
    -DestinationPath and -DestinationConnectionString still work.

    .PARAMETER DestinationDatabase
    The name of the database on the -Destination instance, as shown by the
    Active Roles Console or the Configuration Center (for example
    ARConfig76). It takes precedence over the database named by a connection
    string or by a Get-ARDatabaseInfo object.

    .PARAMETER DestinationCredential
    Alias: -DestinationSqlCredential.
    The login for -Destination: a SQL Server login (SqlLogin, the default
    authentication when a credential is given), a Windows account (Windows
    authentication with NTLM), an Azure AD user (AzureADPassword), or the
    application (client) ID and client secret (AzureADServicePrincipal).
    Leave it out to connect as the account running PowerShell. The password
    is passed to the engine only inside its request and is never written to
    any output stream or log.

    .PARAMETER DestinationAuthentication
    How to authenticate to -Destination: Windows (integrated, or NTLM with
    -DestinationCredential), SqlLogin, AzureADPassword,
    AzureADServicePrincipal, AzureADManagedIdentity (the managed identity of
    this Azure VM or service), AzureADDefault (the Azure default credential
    chain: environment, managed identity, Azure CLI) or AzureADInteractive
    (a browser sign-in). Left out, the engine uses Windows, or SqlLogin when
    -DestinationCredential is given. The engine checks that the mode has
    what it needs and names what is missing; tab completion offers the
    modes.

    .PARAMETER DestinationDatabaseType
    OnPremises for SQL Server, or AzureSQL for an Azure SQL database or
    managed instance, as in the Configuration Center's Database Type list.
    Left out, the engine takes AzureSQL for an Azure SQL server name
    (*.database.windows.net) and OnPremises otherwise.

    .PARAMETER DestinationTrustServerCertificate
    Encrypts the connection to -Destination without validating the server's
    certificate (a self-signed or internal-CA certificate). The engine
    reports a warning check when it is used; prefer installing a trusted
    certificate.

    .PARAMETER ServicesServer
    The fully qualified domain name of the Administration Service that runs
    dynamic groups, group families and scheduled tasks (the guide's
    "Services association"; "This server" or "Other"). Left out, the
    engine takes this computer's fully qualified domain name (its host name,
    resolved through DNS), which is right when you run the command on that
    Administration Service. Scheduled
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
    System.String, System.IO.FileInfo, ActiveRolesUpgrade.DatabaseInfo.
    Instances, connection strings, bundle paths, files from Get-ChildItem,
    or objects from Get-ARDatabaseInfo, as -Destination.

    .OUTPUTS
    ActiveRolesUpgrade.ServicesAssociationResult, with the properties:
    Action (WouldAssociate with -WhatIf, a plan that wrote nothing;
    otherwise Associated), Destination, ServicesServer, WhatIf, Changed
    (ActiveRolesUpgrade.ServicesChange: Entity, Key, Name, From, To of each
    row set), Unchanged (ActiveRolesUpgrade.TaskNotAssociated: TaskGuid,
    Name, Reason of each scheduled task left alone), DynamicGroups,
    GroupFamilies, ScheduledTasks (the numbers set) and Elapsed
    ([timespan]).

    .EXAMPLE
    PS> Set-ARServicesAssociation -Destination sql02.corp.example.com -DestinationDatabase ARConfig82

    Associates dynamic groups, group families and scheduled tasks with this
    computer's Administration Service.

    .EXAMPLE
    PS> Set-ARServicesAssociation ars02.corp.example.com -Destination sql02 -DestinationDatabase ARConfig82 -WhatIf |
    >>     Select-Object -ExpandProperty changed | Format-Table entity, name, from, to

    Lists what would move to the Administration Service on ars02.

    .LINK
    Import-ARConfiguration
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ActiveRolesUpgrade.ServicesAssociationResult')]
    param(
        [Parameter(Position = 0)][ValidateNotNullOrEmpty()][string]$ServicesServer,
        [Parameter(Mandatory, ValueFromPipeline)][Alias('DestinationServer', 'DestinationPath', 'DestinationConnectionString')][object]$Destination, [string]$DestinationDatabase,
        [Alias('DestinationSqlCredential')][System.Management.Automation.Credential()][pscredential]$DestinationCredential, [string]$DestinationAuthentication, [string]$DestinationDatabaseType, [switch]$DestinationTrustServerCertificate,
        [switch]$Force,
        [ValidateNotNullOrEmpty()][string]$LogPath
    )

    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $destinationEndpoint = ConvertTo-AREndpoint -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Prefix 'Destination'
        # Left out, the engine defaults the services server to this computer's FQDN.
        $params = [ordered]@{ destination = $destinationEndpoint }
        if ($ServicesServer) { $params.servicesServer = $ServicesServer }
        $params.whatIf = $false
        $server = if ($ServicesServer) { $ServicesServer } else { 'this computer' }
        $target = Get-AREndpointDisplayName -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint
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
