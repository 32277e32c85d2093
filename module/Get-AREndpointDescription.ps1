# The engine's name for an endpoint, for confirmation prompts and error targets, so that
# the module says what the engine's messages say (issue 11: one rule, in the engine).

function Get-AREndpointDescription {
    <#
    .SYNOPSIS
    Asks the engine (operation describe-endpoint, no connection) how it names one or more
    endpoints built by ConvertTo-AREndpoint: Description (a bundle's full path,
    server/database, or a connection string without its password), Kind (Bundle or
    SqlServer), Path, Server and Database. A location that names nothing is the engine's
    AR-ARGS, raised on behalf of -Cmdlet.
    .EXAMPLE
    $target = (Get-AREndpointDescription -Cmdlet $PSCmdlet -Endpoint $destinationEndpoint).Description
    if ($PSCmdlet.ShouldProcess($target, 'Import configuration')) { … }
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][System.Collections.IDictionary[]]$Endpoint
    )
    $list = [System.Collections.Generic.List[object]]::new()
    foreach ($e in $Endpoint) {
        # A name needs no secret: the password (a SecureString) never leaves the session.
        $copy = [ordered]@{}
        foreach ($k in $e.Keys) { if ($k -ne 'password') { $copy[$k] = $e[$k] } }
        $list.Add($copy)
    }
    Invoke-AREngine -Cmdlet $Cmdlet -Operation 'describe-endpoint' -Params ([ordered]@{ endpoints = $list.ToArray() }) -LogPath '-' `
        -Activity 'Naming the databases'
}
